"""Tests for cnn_lib.checks: one convention (value, name, fn), TypeError for the wrong kind,
ValueError for a wrong value of the right kind, and a message that names the function, the
argument, what it got and what it expected."""

import numpy as np
import pytest

from cnn_lib import checks


def test_check_int_returns_python_ints_in_range():
    assert checks.check_int(np.int64(3), "stride", "conv2d") == 3
    assert type(checks.check_int(np.int64(3), "stride")) is int
    assert checks.check_int(-5, "row", low=None) == -5
    assert checks.check_int(4, "cell", low=4, high=40) == 4


@pytest.mark.parametrize("args, error, message", [
    ((2.0, "stride", "conv2d"), TypeError, "conv2d: stride must be an int, got float 2.0"),
    ((True, "stride"), TypeError, "stride must be an int, got bool True"),
    ((0, "stride", "conv2d"), ValueError, "conv2d: stride must be an int >= 1, got 0"),
    ((9, "cell", None, 4, 8), ValueError, "cell must be an int in 4..8, got 9"),
    ((9, "row", None, None, 8), ValueError, "row must be an int <= 8, got 9"),
])
def test_check_int_refuses(args, error, message):
    with pytest.raises(error) as info:
        checks.check_int(*args)
    assert str(info.value) == message


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(value="0.5"), TypeError, "nms: iou_threshold must be a number, got str '0.5'"),
    (dict(value=np.nan), ValueError, "nms: iou_threshold must be a number, got NaN"),
    (dict(value=1.5, low=0, high=1), ValueError, "nms: iou_threshold must be in [0, 1], got 1.5"),
    (dict(value=0, low=0, high=1, low_open=True), ValueError,
     "nms: iou_threshold must be in (0, 1], got 0.0"),
    (dict(value=-1, low=0), ValueError, "nms: iou_threshold must be >= 0, got -1.0"),
    (dict(value=0, low=0, low_open=True), ValueError, "nms: iou_threshold must be > 0, got 0.0"),
    (dict(value=2, high=1), ValueError, "nms: iou_threshold must be <= 1, got 2.0"),
])
def test_check_real_refuses(kwargs, error, message):
    with pytest.raises(error) as info:
        checks.check_real(name="iou_threshold", fn="nms", **kwargs)
    assert str(info.value) == message


def test_check_real_and_check_bool_return_plain_python_values():
    assert checks.check_real(np.float32(0.5), "p", low=0, high=1) == 0.5
    assert checks.check_bool(np.bool_(True), "ceil_mode") is True
    with pytest.raises(TypeError, match="max_pool2d: ceil_mode must be True or False, got int 1"):
        checks.check_bool(1, "ceil_mode", "max_pool2d")


def test_pair_accepts_an_int_or_two_and_names_the_whole_pair_when_refusing():
    assert checks.pair(3, "kernel_size") == (3, 3)
    assert checks.pair([2, np.int64(1)], "stride") == (2, 1)
    assert checks.pair(0, "padding", low=0) == (0, 0)
    with pytest.raises(ValueError, match=r"conv2d: stride\[1\] must be an int >= 1, got -2 "
                                         r"\(in stride = \(1, -2\)\)"):
        checks.pair((1, -2), "stride", "conv2d")
    with pytest.raises(TypeError, match=r"stride\[0\] must be an int, got float 1.5"):
        checks.pair((1.5, 2), "stride")
    with pytest.raises(ValueError, match=r"size must be an int or a pair of ints \(height, "
                                         r"width\), got \(1, 2, 3\) of length 3"):
        checks.pair((1, 2, 3), "size")
    with pytest.raises(TypeError, match="size must be an int, got str"):
        checks.pair("3", "size")


def test_as_real_array_keeps_the_dtype_and_refuses_what_is_not_real():
    a = checks.as_real_array(np.ones(3, np.float32), "input", "conv2d")
    assert a.dtype == np.float32
    assert checks.as_real_array([True, False], "mask", bool_ok=True).dtype == bool
    with pytest.raises(TypeError, match=r"conv2d: input must hold real numbers \(int or "
                                        r"float\), got dtype bool"):
        checks.as_real_array([True], "input", "conv2d")
    with pytest.raises(TypeError, match="got dtype <U1"):
        checks.as_real_array(["a"], "input")
    with pytest.raises(TypeError, match="must be an array of real numbers, got list"):
        checks.as_real_array([[1, 2], [3]], "input")
    with pytest.raises(ValueError, match=r"A must be a 2-D array, got shape \(3,\) \(1-D\)"):
        checks.as_real_array(np.ones(3), "A", ndim=2)
    with pytest.raises(ValueError, match=r"A must not be empty, got shape \(0, 2\)"):
        checks.as_real_array(np.ones((0, 2)), "A", empty_ok=False)


def test_as_batch_adds_the_batch_axis_and_refuses_other_layouts():
    x, batched = checks.as_batch(np.ones((2, 5, 5)), "max_pool2d")
    assert x.shape == (1, 2, 5, 5) and not batched
    x, batched = checks.as_batch(np.ones((3, 2, 5, 5)), "max_pool2d")
    assert x.shape == (3, 2, 5, 5) and batched
    with pytest.raises(ValueError, match=r"conv2d: input must be \(N, C_in, H, W\) or "
                                         r"unbatched \(C_in, H, W\), got an array with 2"):
        checks.as_batch(np.ones((5, 5)), "conv2d", channels="C_in")
    with pytest.raises(ValueError, match="non-empty height and width"):
        checks.as_batch(np.ones((1, 0, 5)), "max_pool2d")


def test_float_dtype():
    assert checks.float_dtype(np.ones(1, np.float32)) == np.float32
    assert checks.float_dtype(np.ones(1, np.float16)) == np.float32
    assert checks.float_dtype(np.ones(1, int), np.ones(1, np.float32)) == np.float64
