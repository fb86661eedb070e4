"""Chapter 3 exercises: every reference answer checked independently (the shapes PyTorch's layers
produce, NumPy's padding, autograd), and typical wrong answers fail with a helpful message.
What every chapter's exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.signal import correlate2d

from cnn_lib.exercises import chapter3 as ex


def torch_size(n, f, p=0, s=1, d=1):
    return F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=s, padding=p,
                    dilation=d).shape[-1]


# --------------------------------------------------------------------------- answers, verified


def test_number_answers_against_torch():
    assert ex.q1.answer == torch_size(torch_size(32, 5), 5) == 24
    assert torch_size(40, 7, p=ex.q2.answer) == 40 and ex.q2.answer == 3
    assert ex.q3.answer == torch_size(7, 3, s=2) == 3
    assert ex.q5.answer == torch_size(15, 3, d=2) == 11
    layer = torch.nn.Conv2d(3, 8, 5, stride=2, padding=2)
    out = layer(torch.zeros(1, 3, 64, 64))
    assert list(ex.q6.answer) == list(out.shape[1:]) == [8, 32, 32]
    assert ex.q7.answer == sum(p.numel() for p in layer.parameters()) == 608


def test_q4_only_stride_2_leaves_a_remainder():
    fits = {s: (10 - 3 + 2) % s == 0 for s in (1, 2, 3, 9)}
    assert fits == {1: True, 2: False, 3: True, 9: True}
    assert ex.q4.options[ord(ex.q4.answer) - 97] == "stride 2"
    # PyTorch floors 5.5 to 5, so the last padded row is never read
    assert torch_size(10, 3, p=1, s=2) == 5


def receptive_field_by_autograd(layers):
    size = 512
    x = torch.zeros(1, 1, size, requires_grad=True)
    y = x
    for k, s in layers:
        y = F.conv1d(y, torch.ones(1, 1, k), stride=s)
    y[0, 0, 0].backward()
    reached = torch.nonzero(x.grad[0, 0]).flatten()
    return int(reached.max() - reached.min() + 1)


def test_q8_and_q10_against_autograd():
    assert ex.q8.answer == receptive_field_by_autograd([(3, 1), (3, 2), (3, 1)]) == 9
    for (label, (layers,)), expected in zip(ex.q10.cases, ex.q10.expected_outputs()):
        if layers:
            assert expected == receptive_field_by_autograd(layers), label
        else:
            assert expected == 1


def test_q9_against_torch():
    for (label, (n, f, p, s)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        assert expected == torch_size(n, f, p, s), label
    assert ex.q9.expected_outputs()[2] == 2  # the deck's 2.33, floored


def test_q11_against_scipy_subsampled_and_torch():
    for (label, (X, K, s)), expected in zip(ex.q11.cases, ex.q11.expected_outputs()):
        np.testing.assert_allclose(expected, correlate2d(X, K, mode="valid")[::s, ::s],
                                   err_msg=label)
        out = F.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None], stride=s)
        np.testing.assert_allclose(expected, out[0, 0].numpy(), err_msg=label)


def test_q12_against_numpy_and_torch():
    for (label, (X, p)), expected in zip(ex.q12.cases, ex.q12.expected_outputs()):
        np.testing.assert_array_equal(expected, np.pad(X, p, mode="reflect"), err_msg=label)
        out = F.pad(torch.tensor(X)[None, None], (p,) * 4, mode="reflect")
        np.testing.assert_array_equal(expected, out[0, 0].numpy(), err_msg=label)
    # the statement's example
    np.testing.assert_array_equal(ex.pad_reflect(np.array([[1, 2, 3, 4]] * 3), 2)[2],
                                  [3, 2, 1, 2, 3, 4, 3, 2])


# --------------------------------------------------------------------------- feedback


def test_statements_give_the_expected_type():
    for q in (ex.q1, ex.q2, ex.q3, ex.q5, ex.q7, ex.q8):
        assert "integer" in q.question
    assert "letter" in ex.q4.question and "three integers" in " ".join(ex.q6.question.split())
    assert "(H + 2p, W + 2p)" in ex.q12.question


def test_common_mistakes_have_their_message():
    assert "after one layer" in ex.q1.check(28).message
    assert "+ 1 of each layer" in ex.q1.check(22).message
    assert "each side" in ex.q2.check(6).message
    assert "add 1 for the positions" in ex.q3.check(2).message
    assert "slide" in ex.q3.check(1).message
    assert "dilation" in ex.q5.check(13).message
    assert "number of filters" in ex.q6.check([3, 32, 32]).message
    assert "floors" in ex.q6.check([8, 33, 33]).message
    assert "channels first" in ex.q6.check([32, 32, 8]).message
    assert "biases" in ex.q7.check(600).message
    assert "ignores the stride" in ex.q8.check(7).message
    assert "whole number" in ex.q4.check("b").message or "fits" in ex.q4.check("b").message
    assert ex.q4.check("stride 2").correct is True  # the option's text works too
    assert "too high" in ex.q7.check(1000).message


def test_q9_typical_wrong_code():
    fb = ex.q9.check(lambda n, f, p, s: (n + 2 * p - f) / s + 1)
    assert fb.correct is False and "Round down" in fb.message and "does not fit" in fb.message
    fb = ex.q9.check(lambda n, f, p, s: (n + p - f) // s + 1)
    assert fb.correct is False and "both sides" in fb.message
    fb = ex.q9.check(lambda n, f, p, s: (n - f) // s + 1)  # forgot padding entirely
    assert fb.correct is False and "padding 2" in fb.message
    fb = ex.q9.check(lambda n, f, s: (n - f) // s + 1)
    assert fb.correct is False and "parameters" in fb.message
    assert ex.q9.check(lambda n, f, p, s: int(np.floor((n + 2 * p - f) / s)) + 1).correct


def test_q10_typical_wrong_code():
    fb = ex.q10.check(ex._field_ignoring_strides)
    assert fb.correct is False and "jump" in fb.message and "stride 2" in fb.message
    fb = ex.q10.check(ex._field_with_own_stride)
    assert fb.correct is False and "after adding" in fb.message
    fb = ex.q10.check(lambda layers: 1 + sum(k - 1 for k, s in layers) if layers else None)
    assert fb.correct is False and "expected 9, got 7" in fb.message


def test_q11_and_q12_typical_wrong_code():
    fb = ex.q11.check(ex._stride_one_then_too_big)
    assert fb.correct is False and "[::s, ::s]" in fb.message and "stride 2" in fb.message
    fb = ex.q11.check(lambda X, K, s: correlate2d(X, K, mode="valid"))
    assert fb.correct is False and "shape" in fb.message
    assert ex.q11.check(lambda X, K, s: correlate2d(X, K, mode="valid")[::s, ::s]).correct
    for wrong, words in [(ex._pad_replicate, "'replicate'"), (ex._pad_symmetric, "'symmetric'"),
                         (ex._pad_zeros, "zero padding")]:
        fb = ex.q12.check(wrong)
        assert fb.correct is False and words in fb.message
    fb = ex.q12.check(lambda X, p: np.pad(X, p, mode="reflect")[1:])
    assert fb.correct is False and "shape" in fb.message


@pytest.mark.parametrize("q", [ex.q9, ex.q10, ex.q11, ex.q12], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: [][1])
    assert fb.correct is False and "IndexError" in fb.message and "Traceback" not in fb.message
