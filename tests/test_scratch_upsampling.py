"""cnn_lib.scratch.interpolate / max_unpool2d / bed_of_nails against PyTorch on random arguments
(sizes and scale factors, up and down, integer and not), worked examples and bad input."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.scratch import bed_of_nails, conv_transpose2d, interpolate, max_pool2d, max_unpool2d

SETTINGS = settings(max_examples=100, deadline=None)


# ---------------------------------------------------------------- interpolate

@st.composite
def resize_cases(draw):
    """(x, size, scale_factor): an input and exactly one of an output size or a scale factor."""
    H, W = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    factor = st.one_of(st.sampled_from([0.5, 1.0, 1.1, 1.25, 1.5, 2.0, 2.1, 3.0, 1 / 3]),
                       st.floats(0.1, 4.0, allow_nan=False).map(lambda f: round(f, 3)),
                       st.integers(1, 4))
    size = scale_factor = None
    if draw(st.booleans()):
        scale_factor = draw(st.one_of(factor, st.tuples(factor, factor)))
        sh, sw = scale_factor if isinstance(scale_factor, tuple) else (scale_factor,) * 2
        if math.floor(H * sh) < 1 or math.floor(W * sw) < 1:
            scale_factor = (max(sh, 1.0), max(sw, 1.0))
    else:
        size = draw(st.one_of(st.integers(1, 25), st.tuples(st.integers(1, 25),
                                                            st.integers(1, 25))))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((n, c, H, W))
    return x, size, scale_factor


@SETTINGS
@given(resize_cases(), st.sampled_from([np.float32, np.float64]))
def test_nearest_matches_torch_exactly(case, dtype):
    x, size, scale_factor = case
    x = x.astype(dtype)
    out = interpolate(x, size, scale_factor)
    expected = F.interpolate(torch.tensor(x), size, scale_factor).numpy()
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, expected)  # nearest only copies: exactly equal


@SETTINGS
@given(resize_cases(), st.sampled_from([None, False, True]))
def test_bilinear_matches_torch_float64(case, align_corners):
    x, size, scale_factor = case
    out = interpolate(x, size, scale_factor, "bilinear", align_corners)
    expected = F.interpolate(torch.tensor(x), size, scale_factor, "bilinear",
                             align_corners).numpy()
    assert out.dtype == np.float64 and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(resize_cases(), st.sampled_from([None, False, True]))
def test_bilinear_keeps_float32_and_matches_torch(case, align_corners):
    x, size, scale_factor = case
    x = x.astype(np.float32)
    out = interpolate(x, size, scale_factor, "bilinear", align_corners)
    expected = F.interpolate(torch.tensor(x), size, scale_factor, "bilinear",
                             align_corners).numpy()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_worked_examples_nearest_and_bilinear():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(interpolate(x, scale_factor=2)[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    # align_corners=False: output pixel centres 0.25 / 0.75 of an input pixel apart
    np.testing.assert_allclose(interpolate(x, scale_factor=2, mode="bilinear")[0, 0],
                               [[1, 1.25, 1.75, 2], [1.5, 1.75, 2.25, 2.5],
                                [2.5, 2.75, 3.25, 3.5], [3, 3.25, 3.75, 4]])
    # align_corners=True: the corners are copied, the rest evenly in between
    np.testing.assert_allclose(
        interpolate(x, size=(2, 4), mode="bilinear", align_corners=True)[0, 0],
        [[1, 4 / 3, 5 / 3, 2], [3, 10 / 3, 11 / 3, 4]])


def test_a_fractional_scale_factor_is_not_the_same_as_its_size():
    """scale_factor=1.7 on 5 pixels gives 8 pixels, but PyTorch finds the sources with
    1 / 1.7 = 0.588..., not 5 / 8 = 0.625: pixel 5 copies input 2, not input 3."""
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    by_factor = interpolate(x, scale_factor=(1, 1.7))
    by_size = interpolate(x, size=(1, 8))
    np.testing.assert_array_equal(by_factor[0, 0, 0], [0, 0, 1, 1, 2, 2, 3, 4])
    np.testing.assert_array_equal(by_size[0, 0, 0], [0, 0, 1, 1, 2, 3, 3, 4])
    xt = torch.tensor(x)
    np.testing.assert_array_equal(by_factor, F.interpolate(xt, scale_factor=(1, 1.7)).numpy())
    np.testing.assert_array_equal(by_size, F.interpolate(xt, size=(1, 8)).numpy())
    for mode_args in [dict(mode="bilinear"), dict(mode="bilinear", align_corners=True)]:
        np.testing.assert_allclose(interpolate(x, scale_factor=(1, 1.7), **mode_args),
                                   F.interpolate(xt, scale_factor=(1, 1.7), **mode_args).numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_pytorchs_shortcuts_for_same_and_double_size():
    """An output exactly as big (or twice as big) as the input copies pixel i (or i // 2),
    whatever the factor: 2.1 on 4 pixels gives 8, and pixel 6 copies 3, not floor(6/2.1) = 2."""
    x = np.arange(4.0).reshape(1, 1, 1, 4)
    np.testing.assert_array_equal(interpolate(x, scale_factor=(1, 2.1))[0, 0, 0],
                                  [0, 0, 1, 1, 2, 2, 3, 3])
    np.testing.assert_array_equal(interpolate(x, scale_factor=(1, 1.2))[0, 0, 0], [0, 1, 2, 3])
    for s in (2.1, 1.2):
        np.testing.assert_array_equal(interpolate(x, scale_factor=(1, s)),
                                      F.interpolate(torch.tensor(x), scale_factor=(1, s)).numpy())


def test_bilinear_copies_an_axis_whose_size_does_not_change():
    """scale_factor 1.25 on 2 rows keeps 2 rows, and PyTorch copies them (it does not use
    1 / 1.25 there), while the columns, 2 -> 4, are interpolated."""
    x = np.array([[[[0.1, -0.2], [0.3, 0.4]]]])
    for dtype in (np.float32, np.float64):
        xd = x.astype(dtype)
        out = interpolate(xd, scale_factor=(1.25, 2.0), mode="bilinear")
        np.testing.assert_allclose(out[0, 0], [[0.1, 0.025, -0.125, -0.2],
                                               [0.3, 0.325, 0.375, 0.4]], rtol=1e-6)
        np.testing.assert_allclose(out, F.interpolate(torch.tensor(xd), scale_factor=(1.25, 2.0),
                                                      mode="bilinear").numpy(), rtol=1e-6)
        same = interpolate(xd, scale_factor=1.25, mode="bilinear")
        np.testing.assert_array_equal(same, xd)


def test_downsampling_and_integer_input():
    x = np.arange(36).reshape(1, 1, 6, 6)
    out = interpolate(x, scale_factor=0.5)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], x[0, 0, ::2, ::2])
    np.testing.assert_allclose(interpolate(x, size=3, mode="bilinear"),
                               F.interpolate(torch.tensor(x * 1.0), size=3,
                                             mode="bilinear").numpy(), rtol=1e-12)


def test_empty_batch():
    out = interpolate(np.zeros((0, 2, 3, 3)), scale_factor=2, mode="bilinear")
    assert out.shape == (0, 2, 6, 6)


X = np.zeros((1, 2, 4, 4))

INTERPOLATE_BAD = [
    # (arguments, keyword arguments, exception, words the message must contain)
    ((X,), {}, ValueError, ["size", "scale_factor", "exactly one"]),
    ((X, 8, 2), {}, ValueError, ["size", "scale_factor", "exactly one"]),
    ((X, 8), dict(mode="bicubic"), ValueError, ["mode", "'bicubic'", "'nearest'", "'bilinear'"]),
    ((X, 8), dict(align_corners=True), ValueError, ["align_corners", "mode='nearest'"]),
    ((X, 8), dict(mode="bilinear", align_corners=1), TypeError, ["align_corners", "1"]),
    ((np.zeros((2, 4, 4)), 8), {}, ValueError, ["input", "3 dimension", "1-D", "input[None]"]),
    ((X, 0), {}, ValueError, ["size", "0"]),
    ((X, (8, 8, 8)), {}, ValueError, ["size", "length 3"]),
    ((X, 2.5), {}, TypeError, ["size", "2.5"]),
    ((X, None, 0), {}, ValueError, ["scale_factor", "positive", "0"]),
    ((X, None, -2.0), {}, ValueError, ["scale_factor", "-2.0"]),
    ((X, None, (2, 2, 2)), {}, ValueError, ["scale_factor", "length 3"]),
    ((X, None, "2"), {}, TypeError, ["scale_factor", "'2'"]),
    ((X, None, 0.1), {}, ValueError, ["scale_factor=0.1", "(4, 4)", "(0, 0)"]),
    ((X.astype(bool), 8), {}, TypeError, ["input", "bool"]),
    ((np.zeros((1, 2, 0, 4)), 8), {}, ValueError, ["non-empty", "(1, 2, 0, 4)"]),
]


@pytest.mark.parametrize("args, kwargs, exception, words", INTERPOLATE_BAD)
def test_interpolate_bad_input_gives_a_clear_error(args, kwargs, exception, words):
    with pytest.raises(exception, match=r"^interpolate: ") as info:
        interpolate(*args, **kwargs)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"


# ---------------------------------------------------------------- max_unpool2d

@st.composite
def unpool_cases(draw):
    """(x, kernel, stride, padding) that max_pool2d accepts (no dilation, no ceil_mode)."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = [draw(st.integers(max(1, k - 2 * p), 11)) for k, p in zip(kernel, padding)]
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal((n, c, *size))
    return x, kernel, stride, padding


@SETTINGS
@given(unpool_cases(), st.booleans())
def test_max_unpool2d_of_max_pool2d_matches_torch(case, give_size):
    x, kernel, stride, padding = case
    pooled, indices = max_pool2d(x, kernel, stride, padding, return_indices=True)
    pooled_t, indices_t = F.max_pool2d(torch.tensor(x), kernel, stride, padding,
                                       return_indices=True)
    np.testing.assert_array_equal(indices, indices_t.numpy())
    output_size = x.shape[2:] if give_size else None
    try:
        expected = F.max_unpool2d(pooled_t, indices_t, kernel, stride, padding,
                                  output_size).numpy()
    except (ValueError, RuntimeError) as err:
        # the pooling's input size is not one unpooling can name, or the default size is
        # smaller than the pooled input: refused by both
        with pytest.raises(ValueError, match=r"^max_unpool2d: (output_size|indices|the output)"):
            max_unpool2d(pooled, indices, kernel, stride, padding, output_size)
        assert "output_size" in str(err) or "invalid max index" in str(err)
        return
    if expected.size == 0:  # PyTorch silently drops every value; we refuse
        with pytest.raises(ValueError, match=r"^max_unpool2d: the output would be empty"):
            max_unpool2d(pooled, indices, kernel, stride, padding, output_size)
        return
    out = max_unpool2d(pooled, indices, kernel, stride, padding, output_size)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)
    if give_size:  # every maximum back where it was, zeros elsewhere
        kept = out != 0
        np.testing.assert_array_equal(out[kept], x[kept])


def test_max_unpool2d_decks_example_unbatched_and_float32():
    x = np.array([[[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]]], dtype=np.float32)
    pooled, indices = max_pool2d(x, 2, return_indices=True)
    out = max_unpool2d(pooled, indices, 2)
    assert out.shape == (1, 4, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], [[0, 0, 7, 0], [9, 0, 0, 0], [8, 0, 0, 0], [0, 0, 0, 6]])
    np.testing.assert_array_equal(out, F.max_unpool2d(torch.tensor(pooled),
                                                      torch.tensor(indices), 2).numpy())


def test_max_unpool2d_output_size_picks_between_sizes_that_pool_alike():
    x = np.arange(25.0).reshape(1, 1, 5, 5)  # pooled by 2 -> 2x2, default unpooled size 4x4
    pooled, indices = max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(indices[0, 0], [[6, 8], [16, 18]])  # positions in a 5-wide map
    # the default 4x4 has no position 18 (and would put 6 and 8 in the wrong places)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 16\).*got index 16"):
        max_unpool2d(pooled, indices, 2)
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool2d(torch.tensor(pooled), torch.tensor(indices), 2)
    out = max_unpool2d(pooled, indices, 2, output_size=(1, 1, 5, 5))
    np.testing.assert_array_equal(out, F.max_unpool2d(torch.tensor(pooled),
                                                      torch.tensor(indices), 2,
                                                      output_size=(5, 5)).numpy())
    assert out[0, 0, 3, 3] == 18 and out.sum() == 6 + 8 + 16 + 18


P = np.ones((1, 1, 2, 2))
IDX = np.array([[[[0, 3], [8, 15]]]])

UNPOOL_BAD = [
    ((P, IDX.astype(float), 2), {}, TypeError, ["indices", "integer", "float64"]),
    ((P, IDX[..., :1], 2), {}, ValueError, ["indices", "(1, 1, 2, 2)", "(1, 1, 2, 1)"]),
    ((P, IDX + 1, 2), {}, ValueError, ["indices", "[0, 16)", "16"]),
    ((P, -IDX, 2), {}, ValueError, ["indices", "-3"]),
    ((P, IDX, 0), {}, ValueError, ["kernel_size", "0"]),
    ((P, IDX, 2), dict(stride=0), ValueError, ["stride", "0"]),
    ((P, IDX, 2), dict(padding=-1), ValueError, ["padding", "-1"]),
    ((P, IDX, 2), dict(output_size=(6, 6)), ValueError,
     ["output_size", "(6, 6)", "between 2 and 6"]),
    ((P, IDX, 2), dict(output_size=(4, 4, 4)), ValueError, ["output_size", "length 3"]),
    ((P, IDX, 2), dict(output_size=4), TypeError, ["output_size", "4"]),
    ((P, IDX, 1), dict(padding=1), ValueError, ["empty"]),
    ((np.ones((2, 2)), IDX[0, 0], 2), {}, ValueError, ["input", "2 dimension"]),
]


@pytest.mark.parametrize("args, kwargs, exception, words", UNPOOL_BAD)
def test_max_unpool2d_bad_input_gives_a_clear_error(args, kwargs, exception, words):
    with pytest.raises(exception, match=r"^max_unpool2d: ") as info:
        max_unpool2d(*args, **kwargs)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"


# ---------------------------------------------------------------- bed of nails

def test_bed_of_nails_hand_example():
    x = np.array([[[[1, 2], [3, 4]]]])
    out = bed_of_nails(x)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], [[1, 0, 2, 0], [0, 0, 0, 0],
                                              [3, 0, 4, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(bed_of_nails(x, (1, 3))[0, 0], [[1, 0, 0, 2, 0, 0],
                                                                  [3, 0, 0, 4, 0, 0]])
    np.testing.assert_array_equal(bed_of_nails(x[0]), out[0])  # unbatched


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(0, 2**16))
def test_bed_of_nails_is_unpooling_to_the_top_left_and_a_one_hot_transposed_conv(
        H, W, sh, sw, C, seed):
    x = np.random.default_rng(seed).standard_normal((2, C, H, W))
    out = bed_of_nails(x, (sh, sw))
    assert out.shape == (2, C, H * sh, W * sw)
    # max_unpool2d with every index at its block's top-left corner, as PyTorch computes it
    rows, cols = np.meshgrid(np.arange(H) * sh, np.arange(W) * sw, indexing="ij")
    indices = np.broadcast_to(rows * (W * sw) + cols, x.shape).astype(np.int64)
    expected = F.max_unpool2d(torch.tensor(x), torch.tensor(indices), (sh, sw)).numpy()
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(out, max_unpool2d(x, indices, (sh, sw)))
    # conv_transpose2d with stride s and a kernel that is 1 in its top-left corner, per channel
    one_hot = np.zeros((C, 1, sh, sw))
    one_hot[:, :, 0, 0] = 1
    np.testing.assert_array_equal(out, conv_transpose2d(x, one_hot, stride=(sh, sw), groups=C))


@pytest.mark.parametrize("args, exception, words", [
    ((np.ones((1, 1, 2, 2)), 0), ValueError, ["scale_factor", "0"]),
    ((np.ones((1, 1, 2, 2)), 1.5), TypeError, ["scale_factor", "1.5"]),
    ((np.ones((2, 2)),), ValueError, ["input", "2 dimension"]),
    ((np.ones((1, 2, 2), dtype=complex),), TypeError, ["input", "complex"]),
])
def test_bed_of_nails_bad_input_gives_a_clear_error(args, exception, words):
    with pytest.raises(exception, match=r"^bed_of_nails: ") as info:
        bed_of_nails(*args)
    for word in words:
        assert word in str(info.value), f"{word!r} not in {str(info.value)!r}"
