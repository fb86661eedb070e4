"""Chapter 1 exercises: every reference answer checked independently (cnn_lib.arithmetic,
PyTorch's layers and topk), and typical wrong answers fail with a helpful message. What every
chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import arithmetic
from cnn_lib.exercises import chapter1 as ex


def test_counts_against_arithmetic_and_torch():
    assert ex.q1.answer == arithmetic.linear_params(100 * 100, 1000, bias=False)
    assert ex.q2.answer == arithmetic.linear_params(64 * 64 * 3, 1, bias=False) == 12_288
    assert ex.q3.answer == arithmetic.mlp_params([784, 100, 100, 10]) == 89_400
    small, large = torch.nn.Conv2d(1, 10, 3), torch.nn.Conv2d(1, 10, 3)
    small(torch.zeros(1, 1, 48, 64))
    large(torch.zeros(1, 1, 153, 204))  # any image size, the same weights
    assert sum(p.numel() for p in large.parameters()) == 100
    assert ex.q4.options[ord(ex.q4.answer) - 97].startswith("the same, 100")


def test_q5_template_matching():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 16))
    images = rng.normal(size=(50, 16))
    images /= np.linalg.norm(images, axis=1, keepdims=True)  # the same "brightness"
    template = W[1] / np.linalg.norm(W[1])
    best = np.argmax(images @ W[1])
    assert np.argmax(images @ template) == best  # the most template-like image wins
    assert ex.q5.answer == "a" and ex.q6.answer == "b"


def test_function_references_independently():
    for (label, (sizes,)), expected in zip(ex.q7.cases, ex.q7.expected_outputs()):
        layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
        assert expected == sum(p.numel() for layer in layers for p in layer.parameters()), label
    for (label, (X, W1, b1, w2, b2)), expected in zip(ex.q8.cases, ex.q8.expected_outputs()):
        x = torch.tensor(X, dtype=torch.float64)[None, None]
        hidden = F.relu(F.conv2d(x, torch.tensor(W1).reshape(-1, 1, 3, 3), torch.tensor(b1)))
        out = F.conv2d(hidden, torch.tensor(w2).reshape(1, -1, 1, 1)) + b2  # a 1x1 conv
        np.testing.assert_allclose(expected, out[0, 0].numpy(), err_msg=label)
    for (label, (scores, labels)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        top5 = torch.topk(torch.tensor(scores), 5, dim=1).indices.numpy()
        wrong = np.mean([y not in row for row, y in zip(top5, labels)])
        assert expected == pytest.approx(wrong), label
    # the first case tells the top-5 error (1 of 3: the 2nd label comes 6th) from the top-1
    # error (3 of 3) and from the top-5 accuracy (2 of 3)
    assert ex.q9.expected_outputs()[0] == pytest.approx(1 / 3)
    assert ex._top1_error(*ex.q9.cases[0][1]) == 1.0
    assert ex.q7.expected_outputs()[2] == 30_730_200 + 202  # the decks' count plus biases


def test_common_mistakes_and_wrong_code():
    assert "10,000" in ex.q1.check(1_000_000).message
    assert "3 values" in ex.q2.check(4096).message
    assert "first layer" in ex.q3.check(78_400).message
    assert "biases" in ex.q3.check(89_610).message
    assert "fully connected" in ex.q4.check("a").message
    assert "S-cells" in ex.q6.check("a").message
    fb = ex.q7.check(ex._mlp_params_no_bias)
    assert fb.correct is False and "biases" in fb.message
    fb = ex.q8.check(ex._scan_without_relu)
    assert fb.correct is False and "ReLU" in fb.message
    fb = ex.q9.check(ex._top1_error)
    assert fb.correct is False and "top-1" in fb.message and "3 examples" in fb.message
    assert "1 minus" in ex.q9.check(ex._top5_accuracy).message


@pytest.mark.parametrize("q", [ex.q7, ex.q8, ex.q9], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: 1 / 0)
    assert fb.correct is False and "ZeroDivisionError" in fb.message
