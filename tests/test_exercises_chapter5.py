"""Chapter 5 exercises: every reference answer checked independently (PyTorch's layers,
autograd and batch_norm), and typical wrong answers fail with a helpful message. What every
chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnn_lib import models
from cnn_lib.exercises import chapter5 as ex


def test_counts_and_shapes_against_torch():
    model = models.SimpleCNN()
    assert ex.q1.answer == sum(p.numel() for p in model.conv1.parameters())
    rows, _ = models.summary(model, (1, 28, 28))
    assert list(ex.q2.answer) == list(rows[3]["output"])  # after the second pooling
    features = nn.Sequential(model.conv1, nn.ReLU(), nn.MaxPool2d(2), model.conv2, nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten())
    assert ex.q3.answer == features(torch.zeros(1, 1, 32, 32)).shape[1] == 1024
    with torch.device("meta"):
        vgg = models.VGG16()
    assert ex.q4.answer == sum(p.numel() for p in vgg.classifier[0].parameters())
    assert ex.q5.answer == "b" and ex.q6.answer == "b"
    assert 480 * 9 * 128 == 552_960 and 480 * 96 + 96 * 9 * 128 == 156_672  # q6's solution


def torch_stack(input_shape, layers):
    channels = input_shape[0]
    modules = []
    for layer in layers:
        if layer[0] == "conv":
            _, out, k, s, p = layer
            modules.append(nn.Conv2d(channels, out, k, s, p))
            channels = out
        else:
            modules.append(nn.MaxPool2d(layer[1], layer[2]))
    return nn.Sequential(*modules, nn.Flatten())


def test_function_references_against_torch():
    for (label, (shape, layers)), expected in zip(ex.q7.cases, ex.q7.expected_outputs()):
        with torch.device("meta"):
            out = torch_stack(shape, layers)(torch.zeros(1, *shape))
        assert expected == out.shape[1], label
    for (label, (scores, labels)), expected in zip(ex.q8.cases, ex.q8.expected_outputs()):
        s = torch.tensor(scores, requires_grad=True)
        F.cross_entropy(s, torch.tensor(labels)).backward()
        np.testing.assert_allclose(expected, s.grad.numpy(), atol=1e-12, err_msg=label)
    for (label, (x, gamma, beta)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        out = F.batch_norm(torch.tensor(x), None, None, torch.tensor(gamma),
                           torch.tensor(beta), training=True, eps=1e-5)
        np.testing.assert_allclose(expected, out.numpy(), atol=1e-10, err_msg=label)


def test_common_mistakes_and_wrong_code():
    assert "biases" in ex.q1.check(54).message
    assert "16 filters" in ex.q2.check([6, 7, 7]).message
    assert "8x8" in ex.q3.check(784).message
    assert "biases" in ex.q4.check(512 * 7 * 7 * 4096).message
    assert "LOW training loss" in ex.q5.check("a").message
    assert "mixes channels" in ex.q6.check("a").message
    fb = ex.q7.check(ex._flatten_ignoring_padding)
    assert fb.correct is False and "padding" in fb.message and "SimpleCNN" in fb.message
    fb = ex.q8.check(ex._grad_without_mean)
    assert fb.correct is False and "Divide by N" in fb.message
    fb = ex.q9.check(ex._batch_norm_per_example)
    assert fb.correct is False and "CHANNEL" in fb.message
    fb = ex.q9.check(ex._batch_norm_unbiased)
    assert fb.correct is False and "biased variance" in fb.message


@pytest.mark.parametrize("q", [ex.q7, ex.q8, ex.q9], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: np.zeros((2, 2))[5])
    assert fb.correct is False and "IndexError" in fb.message
