"""Chapter 4 exercises: every reference answer checked independently (PyTorch's pooling and
autograd), and typical wrong answers fail with a helpful message. What every chapter's
exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib.exercises import chapter4 as ex


def t(a):
    return torch.tensor(np.asarray(a, dtype=float))[None, None]


def test_hand_computations_against_torch():
    X = t(ex._X)
    np.testing.assert_array_equal(ex.q1.answer, F.max_pool2d(X, 2)[0, 0].numpy())
    np.testing.assert_array_equal(ex.q2.answer, F.avg_pool2d(X, 2)[0, 0].numpy())
    assert ex.q3.answer == F.max_pool2d(torch.zeros(1, 1, 224, 224), 2).shape[-1] == 112
    pool = torch.nn.MaxPool2d(3, stride=2)
    assert ex.q4.answer == sum(p.numel() for p in pool.parameters()) == 0
    assert list(ex.q5.answer) == list(pool(torch.zeros(1, 96, 55, 55)).shape[1:])


def test_q6_by_pooling_both_rows():
    pool = lambda r: F.max_pool1d(torch.tensor([r], dtype=torch.float64), 3, 1)[0]  # noqa: E731
    before, after = pool([2, 0, 4, 1, 0, 3]), pool([0, 2, 0, 4, 1, 0])
    assert before.tolist() == [4, 4, 4, 3] and after.tolist() == [2, 4, 4, 4]
    assert ex.q6.answer == int((before != after).sum()) == 2


def test_q7_max_pooling_detects_a_small_pattern_anywhere():
    region = np.zeros((4, 4))
    region[1, 2] = 9.0  # one strong response
    assert F.max_pool2d(t(region), 4).item() == 9.0
    assert F.avg_pool2d(t(region), 4).item() == pytest.approx(9 / 16)
    assert ex.q7.options[ord(ex.q7.answer) - 97] == "max pooling"


def test_q8_weights_of_the_head():
    flat = torch.nn.Linear(7 * 7 * 512, 1000, bias=False)
    pooled = torch.nn.Linear(512, 1000, bias=False)
    assert flat.weight.numel() // pooled.weight.numel() == ex.q8.answer == 49


def test_function_references_against_torch():
    for (label, (X, k, s)), expected in zip(ex.q9.cases, ex.q9.expected_outputs()):
        np.testing.assert_array_equal(expected, F.max_pool2d(t(X), k, s)[0, 0].numpy(), label)
    for (label, (X, G, k)), expected in zip(ex.q10.cases, ex.q10.expected_outputs()):
        x = t(X).requires_grad_()
        F.max_pool2d(x, k).backward(t(G))
        np.testing.assert_allclose(expected, x.grad[0, 0].numpy(), err_msg=label)
    for (label, (X, n)), expected in zip(ex.q11.cases, ex.q11.expected_outputs()):
        np.testing.assert_allclose(expected, F.adaptive_avg_pool2d(t(X), n)[0, 0].numpy(),
                                   err_msg=label)
    for (label, (X, k)), expected in zip(ex.q12.cases, ex.q12.expected_outputs()):
        np.testing.assert_allclose(expected, F.lp_pool2d(t(X), 2, k)[0, 0].numpy(),
                                   err_msg=label)


def test_statements_give_the_expected_type():
    for q in (ex.q1, ex.q2):
        assert "2x2" in q.question
    for q in (ex.q3, ex.q4, ex.q6, ex.q8):
        assert "integer" in q.question
    assert "three integers" in " ".join(ex.q5.question.split()) and "letter" in ex.q7.question


def test_common_mistakes_have_their_message():
    assert "average pooling" in ex.q1.check(ex._avg_pool2d(ex._X, 2, 2)).message
    assert "stride 1" in ex.q1.check(ex.max_pool2d(ex._X, 2, 1)).message
    assert "sums" in ex.q2.check([[14, 4], [6, 22]]).message
    assert "stride 1" in ex.q3.check(223).message
    assert "nothing to learn" in ex.q4.check(9).message
    assert "is not it" in ex.q4.check(3).message  # no "too high" for a count of nothing
    assert "96" in ex.q5.check([1, 27, 27]).message
    assert "middle two" in ex.q6.check(4).message
    assert "diluted" in ex.q7.check("a").message
    assert "7*7" in ex.q8.check(512).message


def test_typical_wrong_code_gets_named():
    fb = ex.q9.check(ex._max_pool2d_from_zero)
    assert fb.correct is False and "negative values" in fb.message and "not from 0" in fb.message
    fb = ex.q9.check(lambda X, k, s: ex.max_pool2d(X, k, 1))
    assert fb.correct is False and "i*s" in fb.message
    fb = ex.q10.check(ex._backward_spread_evenly)
    assert fb.correct is False and "AVERAGE" in fb.message
    fb = ex.q10.check(ex._backward_every_maximum)
    assert fb.correct is False and "ties" in fb.message and "first in reading order" in (
        fb.message)
    fb = ex.q11.check(ex._adaptive_floor_only)
    assert fb.correct is False and "5x5 to 3x3" in fb.message and "UP" in fb.message
    fb = ex.q12.check(ex._l2_rms)
    assert fb.correct is False and "MEAN" in fb.message
    assert ex.q12.check(lambda X, k: F.lp_pool2d(t(X), 2, k)[0, 0].numpy()).correct


@pytest.mark.parametrize("q", [ex.q9, ex.q10, ex.q11, ex.q12], ids=lambda q: q.name)
def test_raising_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: {}["missing"])
    assert fb.correct is False and "KeyError" in fb.message and "Traceback" not in fb.message
