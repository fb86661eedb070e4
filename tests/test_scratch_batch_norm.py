"""cnn_lib.scratch.batch_norm2d / batch_norm2d_backward against torch.nn.functional.batch_norm:
random shapes and arguments (hypothesis), training and evaluation mode, the running statistics
(unbiased variance), float32, a value worked by hand, and bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.scratch import batch_norm2d, batch_norm2d_backward

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def bn_cases(draw):
    """(x, running_mean, running_var, weight or None, bias or None, momentum, eps)."""
    N, C = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H, W = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    if N * H * W < 2:
        N = 2
    r = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = r.standard_normal((N, C, H, W)) * r.uniform(0.1, 5) + r.uniform(-3, 3)
    weight = r.standard_normal(C) if draw(st.booleans()) else None
    bias = r.standard_normal(C) if draw(st.booleans()) else None
    momentum = draw(st.sampled_from([0.0, 0.1, 0.5, 1.0]))
    eps = draw(st.sampled_from([1e-5, 1e-3, 0.5]))
    return x, r.standard_normal(C), r.uniform(0.5, 2, C), weight, bias, momentum, eps


def t(a, grad=False):
    return None if a is None else torch.tensor(a, requires_grad=grad)


@SETTINGS
@given(bn_cases(), st.booleans())
def test_forward_and_running_statistics_match_torch(case, training):
    x, rm, rv, weight, bias, momentum, eps = case
    rm_t, rv_t = t(rm.copy()), t(rv.copy())
    out = batch_norm2d(x, rm, rv, weight, bias, training, momentum, eps)
    out_t = F.batch_norm(t(x), rm_t, rv_t, t(weight), t(bias), training, momentum, eps)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(rm, rm_t.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rv, rv_t.numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(bn_cases())
def test_backward_matches_autograd(case):
    x, rm, rv, weight, bias, momentum, eps = case
    C = x.shape[1]
    g = np.random.default_rng(1).standard_normal(x.shape)
    x_t = t(x, True)
    w_t = t(np.ones(C) if weight is None else weight, True)
    b_t = t(np.zeros(C) if bias is None else bias, True)
    F.batch_norm(x_t, None, None, w_t, b_t, True, momentum, eps).backward(t(g))
    grad_input, grad_weight, grad_bias = batch_norm2d_backward(g, x, weight, eps)
    np.testing.assert_allclose(grad_input, x_t.grad.numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(grad_weight, w_t.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(grad_bias, b_t.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_by_hand_one_channel():
    # values 1, 2, 3, 6: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3
    x = np.array([1.0, 2, 3, 6]).reshape(4, 1, 1, 1)
    rm, rv = np.zeros(1), np.ones(1)
    out = batch_norm2d(x, rm, rv, np.array([2.0]), np.array([1.0]), training=True, eps=0)
    np.testing.assert_allclose(out.ravel(), 2 * (x.ravel() - 3) / np.sqrt(3.5) + 1)
    np.testing.assert_allclose(rm, [0.3])
    np.testing.assert_allclose(rv, [0.9 + 0.1 * 14 / 3])
    # evaluation mode uses the running statistics, not the batch's
    out = batch_norm2d(x, rm, rv, training=False, eps=0)
    np.testing.assert_allclose(out.ravel(), (x.ravel() - 0.3) / np.sqrt(rv[0]))


def test_float32_stays_float32_and_matches_torch():
    x = np.random.default_rng(0).standard_normal((8, 3, 4, 4)).astype(np.float32)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    out = batch_norm2d(x, rm, rv, training=True)
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    out_t = F.batch_norm(torch.tensor(x), rm_t, rv_t, training=True)
    assert out.dtype == np.float32 and rm.dtype == np.float32
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rv, rv_t.numpy(), rtol=1e-6)
    grads = batch_norm2d_backward(np.ones_like(x), x)
    assert all(g.dtype == np.float32 for g in grads)


def test_training_output_has_zero_mean_unit_variance_per_channel():
    x = np.random.default_rng(2).standard_normal((16, 5, 3, 3)) * 7 + 4
    out = batch_norm2d(x, None, None, training=True, eps=0)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-12)


@pytest.mark.parametrize("call, error, words", [
    (lambda: batch_norm2d(np.zeros((2, 3)), None, None, training=True), ValueError,
     "(N, C, H, W)"),
    (lambda: batch_norm2d(np.zeros((1, 3, 1, 1)), None, None, training=True), ValueError,
     "more than 1 value per channel"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), np.zeros(2), np.ones(3)), ValueError,
     "running_mean must have shape (3,)"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), [0.0, 0, 0], np.ones(3)), TypeError,
     "running_mean must be a float NumPy array"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), None, None), ValueError,
     "needs running_mean"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), np.zeros(3), np.ones(3), momentum=2),
     ValueError, "momentum must be in [0, 1], got 2.0"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), np.zeros(3), np.ones(3),
                          weight=np.ones(4)), ValueError, "weight must have shape (3,)"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), np.zeros(3), np.ones(3), training="yes"),
     TypeError, "training must be True or False"),
    (lambda: batch_norm2d(np.zeros((2, 3, 2, 2)), np.zeros(3), np.ones(3), eps=-1),
     ValueError, "eps must be >= 0, got -1.0"),
    (lambda: batch_norm2d_backward(np.zeros((2, 3, 2, 1)), np.zeros((2, 3, 2, 2))),
     ValueError, "grad_output must have the shape of input"),
    (lambda: batch_norm2d_backward(np.zeros((2, 3, 2, 2)), np.array([["a"]])), TypeError,
     "input must hold real numbers"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
