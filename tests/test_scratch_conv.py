"""cnn_lib.scratch.corr2d / conv2d / conv2d_backward against PyTorch, worked examples, bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.scratch import conv2d, conv2d_backward, corr2d

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

SETTINGS = settings(max_examples=50, deadline=None)


# ---------------------------------------------------------------- random valid arguments

@st.composite
def conv_cases(draw):
    """Random valid arguments for conv2d, with ints or pairs for every size argument."""
    groups = draw(st.integers(1, 3))
    C_in = groups * draw(st.integers(1, 3))
    C_out = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))

    def int_or_pair(lo, hi):
        return draw(st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi),
                                                             st.integers(lo, hi))))

    padding = draw(st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3)),
                             st.sampled_from(["valid", "same"])))
    stride = 1 if padding == "same" else int_or_pair(1, 3)
    dilation = int_or_pair(1, 3)
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    if padding == "same":
        ph = pw = 0  # 'same' always fits
    elif padding == "valid":
        ph = pw = 0
    elif isinstance(padding, int):
        ph = pw = padding
    else:
        ph, pw = padding
    # smallest input the (dilated) kernel fits in, plus a few pixels
    H = max(1, dh * (kh - 1) + 1 - 2 * ph) + draw(st.integers(0, 5))
    W = max(1, dw * (kw - 1) + 1 - 2 * pw) + draw(st.integers(0, 5))
    return dict(
        N=draw(st.integers(1, 3)), C_in=C_in, C_out=C_out, H=H, W=W, kh=kh, kw=kw,
        stride=stride, padding=padding, dilation=dilation, groups=groups,
        bias=draw(st.booleans()), batched=draw(st.booleans()), seed=draw(st.integers(0, 2**16)),
    )


def make_arrays(case, dtype=np.float64):
    rng = np.random.default_rng(case["seed"])
    shape = (case["N"], case["C_in"], case["H"], case["W"])
    x = rng.standard_normal(shape).astype(dtype)
    if not case["batched"]:
        x = x[0]
    w = rng.standard_normal(
        (case["C_out"], case["C_in"] // case["groups"], case["kh"], case["kw"])).astype(dtype)
    b = rng.standard_normal(case["C_out"]).astype(dtype) if case["bias"] else None
    return x, w, b


def conv_kwargs(case):
    return {k: case[k] for k in ("stride", "padding", "dilation", "groups")}


def torch_forward_backward(x, w, b, kwargs, seed):
    """PyTorch's output and autograd's (grad_input, grad_weight, grad_bias), as NumPy."""
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if b is not None else None
    out = F.conv2d(xt, wt, bt, **kwargs)
    grad_out = np.random.default_rng(seed + 1).standard_normal(tuple(out.shape)).astype(x.dtype)
    out.backward(torch.tensor(grad_out))
    grad_b = bt.grad.numpy() if b is not None else grad_out.sum(axis=(0, 2, 3) if x.ndim == 4
                                                                   else (1, 2))
    return out.detach().numpy(), grad_out, (xt.grad.numpy(), wt.grad.numpy(), grad_b)


# ---------------------------------------------------------------- property tests vs PyTorch

@SETTINGS
@given(conv_cases())
def test_conv2d_forward_and_backward_match_torch_float64(case):
    x, w, b = make_arrays(case)
    kwargs = conv_kwargs(case)
    expected, grad_out, expected_grads = torch_forward_backward(x, w, b, kwargs, case["seed"])

    out = conv2d(x, w, b, **kwargs)
    assert out.dtype == np.float64
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-8, atol=1e-8)

    grads = conv2d_backward(grad_out, x, w, **kwargs)
    for name, got, want in zip(("grad_input", "grad_weight", "grad_bias"), grads,
                               expected_grads):
        assert got.shape == want.shape, name
        assert got.dtype == np.float64, name
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8, err_msg=name)


@settings(max_examples=30, deadline=None)
@given(conv_cases())
def test_conv2d_float32_stays_float32_and_matches_torch(case):
    x, w, b = make_arrays(case, np.float32)
    kwargs = conv_kwargs(case)
    expected, grad_out, expected_grads = torch_forward_backward(x, w, b, kwargs, case["seed"])

    out = conv2d(x, w, b, **kwargs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    for got, want in zip(conv2d_backward(grad_out, x, w, **kwargs), expected_grads):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 8), st.integers(1, 8),
       st.integers(0, 2**16))
def test_corr2d_matches_torch_and_conv2d(H, W, kh, kw, seed):
    kh, kw = min(kh, H), min(kw, W)
    rng = np.random.default_rng(seed)
    X, K = rng.standard_normal((H, W)), rng.standard_normal((kh, kw))
    Y = corr2d(X, K)
    expected = F.conv2d(torch.tensor(X)[None, None], torch.tensor(K)[None, None])[0, 0].numpy()
    np.testing.assert_allclose(Y, expected, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(Y, conv2d(X[None, None], K[None, None])[0, 0], rtol=1e-10,
                               atol=1e-10)


# ---------------------------------------------------------------- worked examples, exactly

def test_corr2d_worked_example_binary_image():
    X = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
    K = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    expected = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    np.testing.assert_array_equal(corr2d(X, K), expected)
    np.testing.assert_array_equal(conv2d(np.array(X)[None, None], np.array(K)[None, None])[0, 0],
                                  expected)


def test_corr2d_worked_example_f_g():
    f = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    g = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    expected = np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]])
    np.testing.assert_array_equal(corr2d(f, g), expected)
    np.testing.assert_array_equal(conv2d(np.array(f)[None], np.array(g)[None, None])[0],
                                  expected)


def test_integer_input_is_computed_in_float64():
    X = np.arange(16).reshape(1, 1, 4, 4)
    K = np.ones((1, 1, 2, 2), dtype=np.int64)
    assert corr2d(X[0, 0], K[0, 0]).dtype == np.float64
    out = conv2d(X, K)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]])


def test_same_padding_keeps_size_and_puts_extra_pixel_bottom_right():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0  # picks the top-left pixel of each window
    out = conv2d(x, w, padding="same")
    assert out.shape == x.shape
    # total padding 1 goes to the right / bottom, so the top-left tap sees x itself
    np.testing.assert_array_equal(out, x)


def test_unbatched_input_gives_unbatched_output_and_gradient():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 6, 6)), rng.standard_normal((3, 2, 3, 3))
    out = conv2d(x, w, padding=1)
    assert out.shape == (3, 6, 6)
    np.testing.assert_allclose(out, conv2d(x[None], w, padding=1)[0])
    gi, gw, gb = conv2d_backward(np.ones_like(out), x, w, padding=1)
    assert gi.shape == x.shape and gw.shape == w.shape and gb.shape == (3,)


def test_pixels_no_window_touches_get_zero_gradient():
    # 7 wide, kernel 3, stride 3: windows cover columns 0..5, column 6 is never read.
    x = np.ones((1, 1, 7, 7))
    w = np.ones((1, 1, 3, 3))
    gi, _, _ = conv2d_backward(np.ones((1, 1, 2, 2)), x, w, stride=3)
    assert np.all(gi[0, 0, 6, :] == 0) and np.all(gi[0, 0, :, 6] == 0)
    assert np.all(gi[0, 0, :6, :6] == 1)


def test_empty_batch_and_empty_image_work_like_torch():
    w = np.ones((3, 2, 3, 3))
    x = np.zeros((0, 2, 5, 5))
    assert conv2d(x, w).shape == tuple(F.conv2d(torch.tensor(x), torch.tensor(w)).shape)
    grads = conv2d_backward(np.zeros((0, 3, 3, 3)), x, w)
    assert [g.shape for g in grads] == [x.shape, w.shape, (3,)]
    with pytest.raises(ValueError, match=r"non-empty height and width.*\(1, 2, 0, 5\)"):
        conv2d(np.zeros((1, 2, 0, 5)), w, padding=2)  # PyTorch refuses this too


def test_nan_is_not_an_error_and_propagates():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 0] = np.nan
    out = conv2d(x, np.ones((1, 1, 2, 2)))
    assert np.isnan(out[0, 0, 0, 0]) and not np.isnan(out[0, 0, 2, 2])


# ---------------------------------------------------------------- bad input

X4 = np.zeros((2, 4, 8, 8))
W4 = np.zeros((6, 4, 3, 3))
GO = np.zeros((2, 6, 6, 6))

BAD_INPUT = [
    # (call, exception, words the message must contain)
    (lambda: conv2d(X4, np.zeros((6, 3, 3, 3))), ValueError,
     ["weight", "3 input channels per group", "4 channels", "groups=1", "weight.shape[1]"]),
    (lambda: conv2d(np.zeros((8, 8)), W4), ValueError, ["input", "2 dimension", "(8, 8)"]),
    (lambda: conv2d(X4, np.zeros((6, 4, 3))), ValueError, ["weight", "3 dimension"]),
    (lambda: conv2d(X4, np.zeros((6, 4, 9, 9))), ValueError,
     ["kernel (9, 9)", "padded input", "(8, 8)"]),
    (lambda: conv2d(X4, W4, stride=0), ValueError, ["stride", "0"]),
    (lambda: conv2d(X4, W4, stride=(1, -2)), ValueError, ["stride", "(1, -2)"]),
    (lambda: conv2d(X4, W4, stride=1.5), TypeError, ["stride", "1.5"]),
    (lambda: conv2d(X4, W4, stride=(1, 2, 3)), ValueError, ["stride", "length 3"]),
    (lambda: conv2d(X4, W4, dilation=0), ValueError, ["dilation", "0"]),
    (lambda: conv2d(X4, W4, padding=-1), ValueError, ["padding", "-1"]),
    (lambda: conv2d(X4, W4, padding="full"), ValueError,
     ["padding", "'full'", "'valid'", "'same'"]),
    (lambda: conv2d(X4, W4, padding="same", stride=2), ValueError,
     ["'same'", "stride", "(2, 2)", "smaller"]),
    (lambda: conv2d(X4, np.zeros((6, 4, 3, 3)), groups=3), ValueError,
     ["groups=3", "4 channels"]),
    (lambda: conv2d(X4, np.zeros((5, 2, 3, 3)), groups=2), ValueError,
     ["groups=2", "5 output channels"]),
    (lambda: conv2d(X4, W4, groups=0), ValueError, ["groups", "0"]),
    (lambda: conv2d(X4, W4, groups=True), TypeError, ["groups", "True"]),
    (lambda: conv2d(X4.astype(bool), W4), TypeError, ["input", "dtype bool"]),
    (lambda: conv2d(X4, W4.astype(complex)), TypeError, ["weight", "complex"]),
    (lambda: conv2d(np.array([["a"]]), W4), TypeError, ["input", "dtype <U1"]),
    (lambda: conv2d(X4, W4, bias=np.zeros(5)), ValueError, ["bias", "(6,)", "(5,)"]),
    (lambda: corr2d(np.zeros((3, 3)), np.zeros((4, 2))), ValueError,
     ["K", "(4, 2)", "X", "(3, 3)"]),
    (lambda: corr2d(np.zeros((1, 3, 3)), np.zeros((2, 2))), ValueError, ["X", "3 dimension"]),
    (lambda: corr2d(np.zeros((3, 3)), "ab"), TypeError, ["K", "dtype"]),
    (lambda: conv2d_backward(np.zeros((2, 6, 5, 5)), X4, W4), ValueError,
     ["grad_output", "(2, 6, 6, 6)", "(2, 6, 5, 5)"]),
    (lambda: conv2d_backward(GO, X4, np.zeros((6, 2, 3, 3))), ValueError,
     ["weight", "2 input channels per group", "4 channels"]),
    (lambda: conv2d_backward(GO, X4, W4, stride=0), ValueError, ["stride", "0"]),
    (lambda: conv2d_backward(GO.astype(bool), X4, W4), TypeError, ["grad_output", "bool"]),
    (lambda: conv2d_backward(GO, X4, W4, padding="same", stride=(1, 2)), ValueError,
     ["'same'", "stride"]),
]


@pytest.mark.parametrize("call, exception, words", BAD_INPUT)
def test_bad_input_gives_a_clear_error(call, exception, words):
    with pytest.raises(exception) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_function_name_starts_every_message():
    with pytest.raises(ValueError, match=r"^conv2d: "):
        conv2d(X4, W4, stride=0)
    with pytest.raises(ValueError, match=r"^conv2d_backward: "):
        conv2d_backward(GO, X4, W4, stride=0)
    with pytest.raises(ValueError, match=r"^corr2d: "):
        corr2d(np.zeros(3), np.zeros((1, 1)))


@pytest.mark.parametrize("stride", [(2, 1), (1, 1)])
def test_fast_backward_in_several_batch_chunks_matches_torch(monkeypatch, stride):
    import cnn_lib.scratch.fast_conv as fast_conv

    monkeypatch.setattr(fast_conv, "CHUNK_BYTES", 1)  # one image per chunk
    case = dict(N=5, C_in=4, C_out=6, H=7, W=9, kh=3, kw=2, stride=stride, padding=(1, 2),
                dilation=(1, 2), groups=2, bias=True, batched=True, seed=7)
    x, w, b = make_arrays(case)
    kwargs = conv_kwargs(case)
    _, grad_out, expected_grads = torch_forward_backward(x, w, b, kwargs, case["seed"])
    for got, want in zip(fast_conv.conv2d_backward_fast(grad_out, x, w, **kwargs),
                         expected_grads):
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8)


@SETTINGS
@given(conv_cases())
def test_fast_backward_equals_the_readable_one(case):
    """scratch/fast_conv.py's tricks (chunks; for stride 1 the flat layout) change the speed,
    not the gradients: equal to conv2d_backward's to rounding, in float64 and float32."""
    from cnn_lib.scratch.fast_conv import conv2d_backward_fast

    for dtype, tol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        x, w, b = make_arrays(case, dtype)
        grad_out = np.random.default_rng(case["seed"]).standard_normal(
            conv2d(x, w, b, **conv_kwargs(case)).shape).astype(dtype)
        for got, want in zip(conv2d_backward_fast(grad_out, x, w, **conv_kwargs(case)),
                             conv2d_backward(grad_out, x, w, **conv_kwargs(case))):
            assert got.dtype == want.dtype == dtype and got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def test_readable_backward_is_the_three_lines():
    """conv2d_backward stays the teaching version: im2col, two matrix products and col2im,
    no chunks or flat layouts (those live in fast_conv)."""
    import inspect

    import cnn_lib.scratch.conv_backward as conv_backward_module

    source = inspect.getsource(conv_backward_module.conv2d_backward)
    body = source.split('"""')[2]
    assert "im2col(" in body and "col2im(" in body and body.count("@") == 2
    assert "flat" not in body and "chunk" not in body
    assert len([ln for ln in body.splitlines() if ln.strip()]) <= 12


def test_scratch_never_imports_torch():
    import pathlib

    import cnn_lib.scratch

    for path in pathlib.Path(cnn_lib.scratch.__file__).parent.glob("*.py"):
        source = path.read_text()
        assert "import torch" not in source and "from torch" not in source, path.name
