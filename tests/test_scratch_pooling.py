"""Tests for cnn_lib.scratch's pooling against PyTorch: max / average / Lp / adaptive pooling,
forward and backward, on random shapes and arguments (hypothesis), plus the decks' example, ties,
NaN, float32, unbatched inputs and bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnn_lib import scratch

SETTINGS = settings(max_examples=80, deadline=None)
DECK = np.array([[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]], dtype=float)


@st.composite
def pool_cases(draw, dilated=True):
    """(x, kernel, stride, padding, dilation, ceil_mode) that PyTorch accepts."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    stride = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [draw(st.integers(max(1, s - 2 * p), 11)) for s, p in zip(span, padding)]
    n, c = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    x = np.random.default_rng(seed).standard_normal((n, c, *size))
    return x, kernel, stride, padding, dilation, draw(st.booleans())


def t(a, grad=False):
    return torch.tensor(a, requires_grad=grad)


@SETTINGS
@given(pool_cases())
def test_max_pool2d_and_indices_match_torch(case):
    x, kernel, stride, padding, dilation, ceil_mode = case
    out, idx = scratch.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode,
                                  return_indices=True)
    out_t, idx_t = F.max_pool2d(t(x), kernel, stride, padding, dilation, ceil_mode,
                                return_indices=True)
    np.testing.assert_array_equal(out, out_t.numpy())
    np.testing.assert_array_equal(idx, idx_t.numpy())
    assert idx.dtype == np.int64


@SETTINGS
@given(pool_cases(), st.booleans(), st.sampled_from([None, 1, 3, -2]))
def test_avg_pool2d_matches_torch(case, count_include_pad, divisor_override):
    x, kernel, stride, padding, _, ceil_mode = case
    out = scratch.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad,
                             divisor_override)
    out_t = F.avg_pool2d(t(x), kernel, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pool_cases(dilated=False), st.sampled_from([1, 2, 3, 1.5, float("inf"), -float("inf")]))
def test_lp_pool2d_matches_torch(case, p):
    x, kernel, stride, _, _, ceil_mode = case
    if min(x.shape[2:]) < max(kernel):
        return  # lp_pool2d has no padding: the window must fit
    out = scratch.lp_pool2d(x, p, kernel, stride, ceil_mode)
    out_t = F.lp_pool2d(t(x), p, kernel, stride, ceil_mode)
    np.testing.assert_allclose(out, out_t.numpy(), rtol=1e-10, atol=1e-12, equal_nan=True)


@SETTINGS
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.one_of(
    st.integers(1, 6), st.none()), st.integers(0, 2**16))
def test_adaptive_pools_match_torch(H, W, out_h, out_w, seed):
    x = np.random.default_rng(seed).standard_normal((2, 3, H, W))
    size = (out_h, out_w)
    # a mean of standard normals can cancel to ~1e-6; summed in another order it differs in
    # the last bits (2.8e-17 seen), so the tolerance is relative to the inputs' scale, 1
    np.testing.assert_allclose(scratch.adaptive_avg_pool2d(x, size),
                               F.adaptive_avg_pool2d(t(x), size).numpy(), rtol=1e-12, atol=1e-15)
    out, idx = scratch.adaptive_max_pool2d(x, size, return_indices=True)
    out_t, idx_t = F.adaptive_max_pool2d(t(x), size, return_indices=True)
    np.testing.assert_array_equal(out, out_t.numpy())
    np.testing.assert_array_equal(idx, idx_t.numpy())


@SETTINGS
@given(pool_cases())
def test_max_pool2d_backward_matches_autograd(case):
    x, kernel, stride, padding, dilation, ceil_mode = case
    xt = t(x, grad=True)
    out_t = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode)
    # documented difference: a window of nothing but padding passes nothing back (PyTorch adds
    # its gradient to a cell outside the window)
    assume(not torch.isneginf(out_t).any())
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(g))
    grad = scratch.max_pool2d_backward(g, x, kernel, stride, padding, dilation, ceil_mode)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pool_cases(dilated=False), st.booleans(), st.sampled_from([None, 2]))
def test_avg_pool2d_backward_matches_autograd(case, count_include_pad, divisor_override):
    x, kernel, stride, padding, _, ceil_mode = case
    xt = t(x, grad=True)
    out_t = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, count_include_pad,
                         divisor_override)
    g = np.random.default_rng(2).standard_normal(tuple(out_t.shape))
    out_t.backward(torch.tensor(g))
    grad = scratch.avg_pool2d_backward(g, x, kernel, stride, padding, ceil_mode,
                                       count_include_pad, divisor_override)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------- worked examples


def test_the_decks_4x4_example_002():
    x = DECK[None, None]
    np.testing.assert_array_equal(scratch.max_pool2d(x, 2)[0, 0], [[9, 7], [8, 6]])
    np.testing.assert_array_equal(scratch.avg_pool2d(x, 2, stride=2)[0, 0],
                                  [[4.25, 4.25], [4.25, 3.5]])
    _, idx = scratch.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(idx[0, 0], [[4, 2], [8, 15]])  # 9 at (1,0), 7 at (0,2), ...
    np.testing.assert_allclose(scratch.lp_pool2d(x, 2, 2)[0, 0, 0, 0],
                               np.sqrt(4 + 4 + 81 + 16))


def test_a_window_of_padding_only_reports_its_first_cell_like_torch():
    x = np.array([[[[0.126, -0.132]]]])  # width 2, kernel 2 with dilation 3, padding 1
    out, idx = scratch.max_pool2d(x, (1, 2), padding=(0, 1), dilation=(1, 3),
                                  return_indices=True)
    out_t, idx_t = F.max_pool2d(t(x), (1, 2), padding=(0, 1), dilation=(1, 3),
                                return_indices=True)
    assert out.item() == -np.inf == out_t.item() and idx.item() == idx_t.item() == 2
    grad = scratch.max_pool2d_backward(np.ones((1, 1, 1, 1)), x, (1, 2), padding=(0, 1),
                                       dilation=(1, 3))
    np.testing.assert_array_equal(grad, np.zeros_like(x))


def test_ties_go_to_the_first_maximum_and_nan_to_the_last_nan():
    x = np.array([[[[1.0, 3, 3], [2, 3, 1], [0, 0, 0]]]])
    _, idx = scratch.max_pool2d(x, 2, stride=1, return_indices=True)
    np.testing.assert_array_equal(idx[0, 0], [[1, 1], [4, 4]])
    nan = np.array([[[[np.nan, 1], [np.nan, 2]]]])
    out, idx = scratch.max_pool2d(nan, 2, return_indices=True)
    assert np.isnan(out).all() and idx.item() == 2
    assert F.max_pool2d(t(nan), 2, return_indices=True)[1].item() == 2


def test_float32_unbatched_integer_and_empty_batch():
    x32 = np.random.default_rng(3).standard_normal((3, 6, 6)).astype(np.float32)
    for fn in (lambda a: scratch.max_pool2d(a, 2), lambda a: scratch.avg_pool2d(a, 3, 1, 1),
               lambda a: scratch.adaptive_avg_pool2d(a, 2)):
        out = fn(x32)
        assert out.dtype == np.float32 and out.ndim == 3
    grad = scratch.avg_pool2d_backward(np.ones((3, 3, 3), np.float32), x32, 2)
    assert grad.dtype == np.float32 and grad.shape == (3, 6, 6)
    np.testing.assert_array_equal(scratch.max_pool2d(DECK.astype(int)[None], 2)[0],
                                  [[9, 7], [8, 6]])
    assert scratch.max_pool2d(np.zeros((0, 1, 4, 4)), 2).shape == (0, 1, 2, 2)


def test_global_pooling_gives_a_fixed_size_for_any_input():
    rng = np.random.default_rng(4)
    for H, W in [(7, 7), (12, 9), (32, 32)]:
        x = rng.standard_normal((2, 5, H, W))
        g = scratch.adaptive_avg_pool2d(x, 1)
        assert g.shape == (2, 5, 1, 1)
        np.testing.assert_allclose(g[..., 0, 0], x.mean(axis=(2, 3)))
        assert scratch.adaptive_max_pool2d(x, (3, 2)).shape == (2, 5, 3, 2)


def test_pooling_works_per_channel_and_has_no_weights():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 4, 8, 8))
    pooled = scratch.max_pool2d(x, 2)
    for c in range(4):
        np.testing.assert_array_equal(pooled[0, c], scratch.max_pool2d(x[:, c:c + 1], 2)[0, 0])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, words", [
    (lambda: scratch.max_pool2d(np.ones((4, 4)), 2), ValueError, "(N, C, H, W)"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 4, 4)), 0), ValueError, "kernel_size"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 4, 4)), 3, padding=2), ValueError,
     "more than half"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 2, 2)), 5), ValueError, "larger than the padded"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 4, 4)), 2, ceil_mode=1), TypeError, "ceil_mode"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 4, 4)), 2, return_indices="y"), TypeError,
     "return_indices"),
    (lambda: scratch.max_pool2d(np.ones((1, 1, 0, 4)), 2), ValueError, "non-empty"),
    (lambda: scratch.max_pool2d("image", 2), TypeError, "input"),
    (lambda: scratch.avg_pool2d(np.ones((1, 1, 4, 4)), 2, divisor_override=0), ValueError,
     "divisor_override"),
    (lambda: scratch.avg_pool2d(np.ones((1, 1, 4, 4)), 2, count_include_pad=None), TypeError,
     "count_include_pad"),
    (lambda: scratch.lp_pool2d(np.ones((1, 1, 4, 4)), 0, 2), ValueError, "norm_type"),
    (lambda: scratch.lp_pool2d(np.ones((1, 1, 4, 4)), "2", 2), TypeError, "norm_type"),
    (lambda: scratch.adaptive_avg_pool2d(np.ones((1, 1, 4, 4)), 0), ValueError, "output_size"),
    (lambda: scratch.adaptive_max_pool2d(np.ones((1, 1, 4, 4)), (1, 2, 3)), ValueError,
     "output_size"),
    (lambda: scratch.max_pool2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)), 2),
     ValueError, "grad_output must have the shape of the pooling's output, (1, 1, 2, 2)"),
    (lambda: scratch.avg_pool2d_backward(np.ones((1, 2, 2)), np.ones((1, 4, 4)), 2, 2, 0,
                                         False, "yes"), TypeError, "count_include_pad"),
])
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
    name = str(info.value).split(":", 1)[0]
    assert name in {"max_pool2d", "avg_pool2d", "lp_pool2d", "adaptive_avg_pool2d",
                    "adaptive_max_pool2d", "max_pool2d_backward", "avg_pool2d_backward"}
