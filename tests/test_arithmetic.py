"""Tests of cnn_lib.arithmetic: every formula against PyTorch, and the book's worked figures."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.arithmetic import (
    conv_as_matrix,
    conv_costs,
    conv_output_size,
    conv_params,
    linear_params,
    mlp_params,
    shared_vs_dense_weights,
)

SETTINGS = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------------------------
# conv_output_size
# --------------------------------------------------------------------------------------------
@st.composite
def conv_settings(draw):
    """Random (size, kernel_size, stride, padding, dilation) pairs with a non-empty output."""
    kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    size = tuple(
        draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 20))
        for k, d, p in zip(kernel, dilation, padding)
    )
    return size, kernel, stride, padding, dilation


@SETTINGS
@given(conv_settings())
def test_conv_output_size_matches_torch(args):
    size, kernel, stride, padding, dilation = args
    conv = torch.nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    with torch.no_grad():
        out = conv(torch.zeros(1, 1, *size))
    expected = tuple(out.shape[2:])
    assert conv_output_size(size, kernel, stride, padding, dilation) == expected
    # Each axis on its own, with plain ints.
    for axis in range(2):
        got = conv_output_size(size[axis], kernel[axis], stride[axis], padding[axis],
                               dilation[axis])
        assert got == expected[axis]
        assert type(got) is int


def test_conv_output_size_deck_examples():
    # 7x7 input, 3x3 filter [001]; 32 -> 28 -> 24 with 5x5 filters [000].
    assert conv_output_size(7, 3, stride=1) == 5
    assert conv_output_size(7, 3, stride=2) == 3
    assert conv_output_size(7, 3, stride=3) == 2  # PyTorch floors 2.33
    assert conv_output_size(32, 5) == 28
    assert conv_output_size(28, 5) == 24
    assert conv_output_size((32, 32), 5, padding=2) == (32, 32)
    assert conv_output_size((7, 7), (3, 3), stride=(2, 1)) == (3, 5)
    # Pad (F - 1)/2 keeps the size.
    for f, p in ((3, 1), (5, 2), (7, 3)):
        assert conv_output_size(32, f, padding=p) == 32


def test_conv_output_size_strict():
    assert conv_output_size(7, 3, stride=1, strict=True) == 5
    assert conv_output_size(7, 3, stride=2, strict=True) == 3
    with pytest.raises(ValueError) as info:
        conv_output_size(7, 3, stride=3, strict=True)
    message = str(info.value)
    assert "(7 - 3 + 2*0) / 3 + 1 = 2.33 is not a whole number" in message
    assert "3x3 filter does not fit a 7-wide input with stride 3 and padding 0" in message
    with pytest.raises(ValueError, match="2.33"):
        conv_output_size((7, 7), 3, stride=3, strict=True)
    # With dilation, the dilated span enters the formula: 3 taps, dilation 2, span 5.
    with pytest.raises(ValueError, match=r"\(8 - 5 \+ 2\*0\) / 2 \+ 1 = 2.50"):
        conv_output_size(8, 3, stride=2, dilation=2, strict=True)


def test_conv_output_size_kernel_too_large():
    with pytest.raises(ValueError, match=r"2 \+ 2\*0 = 2 < 3"):
        conv_output_size(2, 3)
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size((7, 5), 3, dilation=(1, 3))
    assert conv_output_size(2, 3, padding=1) == 2  # padding makes it fit


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=True, kernel_size=3), TypeError, "size must be an int, got bool"),
    (dict(size=7.0, kernel_size=3), TypeError, "size must be an int, got float"),
    (dict(size="7", kernel_size=3), TypeError, "size"),
    (dict(size=0, kernel_size=3), ValueError, "size must be an int >= 1, got 0"),
    (dict(size=7, kernel_size=-1), ValueError, "kernel_size must be an int >= 1, got -1"),
    (dict(size=7, kernel_size=3, stride=0), ValueError, "stride must be an int >= 1, got 0"),
    (dict(size=7, kernel_size=3, padding=-1), ValueError, "padding must be an int >= 0, got -1"),
    (dict(size=7, kernel_size=3, dilation=0), ValueError, "dilation must be an int >= 1"),
    (dict(size=(7, 7, 7), kernel_size=3), ValueError, "size must be an int or a pair"),
    (dict(size=(7, 7), kernel_size=(3, True)), TypeError, r"kernel_size\[1\] must be an int"),
    (dict(size=7, kernel_size=3, strict=1), TypeError, "strict must be True or False"),
])
def test_conv_output_size_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        conv_output_size(**kwargs)


def test_conv_output_size_accepts_numpy_ints():
    got = conv_output_size(np.int64(7), np.int32(3), stride=np.int64(2))
    assert got == 3 and type(got) is int


# --------------------------------------------------------------------------------------------
# Parameter counts
# --------------------------------------------------------------------------------------------
@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 5),
       st.integers(1, 5), st.booleans())
def test_conv_params_matches_torch(groups, in_per_group, out_per_group, kh, kw, bias):
    in_channels, out_channels = groups * in_per_group, groups * out_per_group
    conv = torch.nn.Conv2d(in_channels, out_channels, (kh, kw), bias=bias, groups=groups)
    expected = sum(p.numel() for p in conv.parameters())
    assert conv_params(in_channels, out_channels, (kh, kw), bias=bias, groups=groups) == expected
    if kh == kw:
        assert conv_params(in_channels, out_channels, kh, bias=bias, groups=groups) == expected


def test_conv_params_deck_examples():
    assert conv_params(3, 10, 5) == 760  # ten 5x5x3 filters: 10 * (5*5*3 + 1) [001]
    assert conv_params(3, 10, 5, bias=False) == 750
    assert conv_params(3, 6, 5) == 6 * (5 * 5 * 3 + 1)  # six 5x5x3 filters on 32x32x3
    assert conv_params(64, 32, 1) == 64 * 32 + 32  # a 1x1 convolution


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(in_channels=4, out_channels=6, kernel_size=3, groups=4), ValueError,
     "groups must divide out_channels: got groups=4 and out_channels=6"),
    (dict(in_channels=6, out_channels=4, kernel_size=3, groups=4), ValueError,
     "groups must divide in_channels"),
    (dict(in_channels=0, out_channels=4, kernel_size=3), ValueError, "in_channels must be"),
    (dict(in_channels=3, out_channels=4, kernel_size=3, bias=1), TypeError, "bias must be"),
    (dict(in_channels=3, out_channels=4, kernel_size=(3, 3, 3)), ValueError, "kernel_size"),
    (dict(in_channels=3, out_channels=4, kernel_size=3, groups=0), ValueError, "groups must"),
])
def test_conv_params_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        conv_params(**kwargs)


def test_linear_params_matches_torch():
    for bias in (True, False):
        layer = torch.nn.Linear(30, 7, bias=bias)
        assert linear_params(30, 7, bias=bias) == sum(p.numel() for p in layer.parameters())
    assert linear_params(32 * 32 * 3, 1, bias=False) == 3072  # one neuron on a 32x32x3 image
    with pytest.raises(TypeError, match="in_features must be an int, got float"):
        linear_params(3.0, 2)


def test_mlp_params_deck_examples():
    assert mlp_params([640 * 480, 100, 100, 2]) == 30_730_200
    assert mlp_params([2048 * 1536, 100, 100, 2]) == 314_583_000
    assert mlp_params([640 * 480, 100, 100, 2], bias=True) == 30_730_200 + 100 + 100 + 2
    assert type(mlp_params([4, 3])) is int


def test_mlp_params_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        mlp_params([5])
    with pytest.raises(TypeError, match="sizes must be a list"):
        mlp_params(5)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an int >= 1, got -3"):
        mlp_params([5, -3, 2])


# --------------------------------------------------------------------------------------------
# Shared vs dense weights, costs
# --------------------------------------------------------------------------------------------
def test_shared_vs_dense_weights():
    assert shared_vs_dense_weights(3, 2) == (4, 36)  # [000]
    assert shared_vs_dense_weights((3, 3), (2, 2)) == (4, 36)
    assert shared_vs_dense_weights((5, 6), (3, 3)) == (9, 30 * 12)
    with pytest.raises(ValueError, match="larger than the padded input"):
        shared_vs_dense_weights(2, 3)


def test_conv_costs_book_table():
    # Goodfellow et al. ch. 9 via [002]: a 320-wide, 280-tall image and the kernel [1, -1].
    costs = conv_costs((280, 320), (1, 2))
    assert costs["output_size"] == (280, 319)
    assert costs["convolution"] == {"storage": 2, "operations": 319 * 280 * 3}
    assert costs["convolution"]["operations"] == 267_960
    dense = costs["dense matrix"]
    assert dense["storage"] == 319 * 280 * 320 * 280 == 8_003_072_000
    assert dense["storage"] > 8 * 10**9
    assert dense["operations"] > 16 * 10**9
    assert costs["sparse matrix"] == {"storage": 2 * 319 * 280, "operations": 267_960}
    assert costs["sparse matrix"]["storage"] == 178_640
    assert all(type(v) is int for way in ("convolution", "dense matrix", "sparse matrix")
               for v in costs[way].values())


def test_conv_costs_agree_with_the_matrices():
    weight = np.array([[1.0, -2.0], [3.0, 0.5]])
    costs = conv_costs((6, 5), weight.shape)
    dense = conv_as_matrix(weight, (6, 5))
    assert dense.size == costs["dense matrix"]["storage"]
    assert conv_as_matrix(weight, (6, 5), sparse=True).nnz == costs["sparse matrix"]["storage"]


def test_sparse_matrix_of_the_book_table():
    matrix = conv_as_matrix(np.array([[1, -1]]), (280, 320), sparse=True)
    assert matrix.shape == (280 * 319, 280 * 320)
    assert matrix.nnz == 178_640


# --------------------------------------------------------------------------------------------
# conv_as_matrix
# --------------------------------------------------------------------------------------------
def _corr2d_torch(x, weight):
    """Valid stride-1 cross-correlation of x (H, W) with weight (kh, kw), in float64."""
    out = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(weight)[None, None])
    return out[0, 0].numpy()


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 4), st.integers(0, 4),
       st.integers(0, 2**32 - 1), st.booleans())
def test_conv_as_matrix_2d_matches_torch(kh, kw, extra_h, extra_w, seed, sparse):
    rng = np.random.default_rng(seed)
    h, w = kh + extra_h, kw + extra_w
    weight, x = rng.standard_normal((kh, kw)), rng.standard_normal((h, w))
    matrix = conv_as_matrix(weight, (h, w), sparse=sparse)
    assert matrix.shape == ((extra_h + 1) * (extra_w + 1), h * w)
    expected = _corr2d_torch(x, weight)
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.integers(1, 6), st.integers(0, 8), st.integers(0, 2**32 - 1))
def test_conv_as_matrix_1d_matches_torch_and_is_toeplitz(k, extra, seed):
    rng = np.random.default_rng(seed)
    n = k + extra
    weight, x = rng.standard_normal(k), rng.standard_normal(n)
    matrix = conv_as_matrix(weight, n)
    assert matrix.shape == (n - k + 1, n)
    expected = F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(weight)[None, None])
    np.testing.assert_allclose(matrix @ x, expected.numpy().ravel(), rtol=1e-10, atol=1e-12)
    # Toeplitz: every diagonal is constant, and diagonal b holds weight[b].
    for offset in range(-(n - k), n):
        diagonal = np.diagonal(matrix, offset)
        assert np.all(diagonal == (weight[offset] if 0 <= offset < k else 0.0))


def test_conv_as_matrix_small_examples():
    np.testing.assert_array_equal(conv_as_matrix([1, 2, 3], 5), [
        [1, 2, 3, 0, 0],
        [0, 1, 2, 3, 0],
        [0, 0, 1, 2, 3],
    ])
    # 2x2 kernel on a 3x3 input: 2 x 3 blocks of shape (2, 3), T_0 and T_1 on block diagonals.
    np.testing.assert_array_equal(conv_as_matrix([[1, 2], [3, 4]], (3, 3)), [
        [1, 2, 0, 3, 4, 0, 0, 0, 0],
        [0, 1, 2, 0, 3, 4, 0, 0, 0],
        [0, 0, 0, 1, 2, 0, 3, 4, 0],
        [0, 0, 0, 0, 1, 2, 0, 3, 4],
    ])
    assert conv_as_matrix([[1, 2], [3, 4]], 3).dtype.kind == "i"  # integer weights stay exact


def test_conv_as_matrix_deck_toy_example():
    # [000]: this input and filter give [[4,3,4],[2,4,3],[2,3,4]].
    x = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                  [0, 1, 1, 0, 0]])
    weight = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    out = (conv_as_matrix(weight, x.shape) @ x.ravel()).reshape(3, 3)
    np.testing.assert_array_equal(out, [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    sparse_out = conv_as_matrix(weight, x.shape, sparse=True) @ x.ravel()
    np.testing.assert_array_equal(sparse_out.reshape(3, 3), out)


def test_conv_as_matrix_zero_kernel():
    assert not conv_as_matrix(np.zeros((2, 2)), (3, 4)).any()
    assert conv_as_matrix(np.zeros(2), 4, sparse=True).nnz == 0
    assert conv_as_matrix(np.zeros(2), 4).shape == (3, 4)


def test_conv_as_matrix_matches_scratch_corr2d():
    scratch = pytest.importorskip("cnn_lib.scratch")
    if not hasattr(scratch, "corr2d"):
        pytest.skip("cnn_lib.scratch.corr2d is not written yet")
    rng = np.random.default_rng(0)
    for h, w, kh, kw in ((5, 5, 3, 3), (6, 4, 2, 3), (3, 7, 1, 4)):
        x, weight = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
        expected = np.asarray(scratch.corr2d(x, weight)).ravel()
        np.testing.assert_allclose(conv_as_matrix(weight, (h, w)) @ x.ravel(), expected,
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("args, error, words", [
    (([1, 2, 3], 2), ValueError, "larger than the padded input"),
    (([[1, 2], [3, 4]], (1, 3)), ValueError, "larger than the padded input"),
    (([1, 2], (4, 4)), TypeError, "input_size must be an int"),
    ((np.ones((2, 2, 2)), (4, 4)), ValueError, r"weight must have shape \(k,\) or \(kh, kw\)"),
    (([], 4), ValueError, "weight must have shape"),
    ((["a", "b"], 4), TypeError, "weight must be an array of numbers"),
    (([True, False], 4), TypeError, "weight must be an array of numbers, got dtype bool"),
    (([1, 2], 0), ValueError, "input_size must be an int >= 1"),
])
def test_conv_as_matrix_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        conv_as_matrix(*args)


def test_arithmetic_does_not_import_torch():
    import ast
    import inspect

    import cnn_lib.arithmetic as module

    tree = ast.parse(inspect.getsource(module))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in getattr(node, "names", [])}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert "torch" not in imported
