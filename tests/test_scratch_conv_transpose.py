"""cnn_lib.scratch.conv_transpose2d (scatter form) and conv_transpose2d_as_conv (zero insertion)
against PyTorch on random arguments, the decks' worked example, the size formula, the link to
conv2d_backward, and bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib import arithmetic
from cnn_lib.scratch import conv2d, conv2d_backward, conv_transpose2d, conv_transpose2d_as_conv

SETTINGS = settings(max_examples=80, deadline=None)
BOTH = [conv_transpose2d, conv_transpose2d_as_conv]


# ---------------------------------------------------------------- random valid arguments

@st.composite
def transpose_cases(draw):
    """Random arguments PyTorch's conv_transpose2d accepts, ints or pairs for every size."""
    groups = draw(st.integers(1, 3))
    C_in, C_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = []
    for k, s, p, o, d in zip(kernel, stride, padding, output_padding, dilation):
        # the smallest input whose output is not empty, plus a few pixels
        smallest = 1
        while (smallest - 1) * s - 2 * p + d * (k - 1) + o + 1 < 1:
            smallest += 1
        size.append(smallest + draw(st.integers(0, 4)))

    def int_or_pair(v):  # pass a pair as an int where both are equal, half of the time
        return v[0] if v[0] == v[1] and draw(st.booleans()) else v

    return dict(
        N=draw(st.integers(0, 3)), C_in=C_in, C_out=C_out, size=tuple(size), kernel=kernel,
        kwargs=dict(stride=int_or_pair(stride), padding=int_or_pair(padding),
                    output_padding=int_or_pair(output_padding), groups=groups,
                    dilation=int_or_pair(dilation)),
        bias=draw(st.booleans()), batched=draw(st.booleans()), seed=draw(st.integers(0, 2**16)))


def make_arrays(case, dtype=np.float64):
    rng = np.random.default_rng(case["seed"])
    N = case["N"] if case["batched"] else 1
    x = rng.standard_normal((N, case["C_in"], *case["size"])).astype(dtype)
    if not case["batched"]:
        x = x[0]
    groups = case["kwargs"]["groups"]
    w = rng.standard_normal((case["C_in"], case["C_out"] // groups, *case["kernel"])).astype(dtype)
    b = rng.standard_normal(case["C_out"]).astype(dtype) if case["bias"] else None
    return x, w, b


def torch_conv_transpose2d(x, w, b, kwargs):
    return F.conv_transpose2d(torch.tensor(x), torch.tensor(w),
                              None if b is None else torch.tensor(b), **kwargs).numpy()


# ---------------------------------------------------------------- property tests vs PyTorch

@SETTINGS
@given(transpose_cases())
def test_both_forms_match_torch_float64(case):
    x, w, b = make_arrays(case)
    expected = torch_conv_transpose2d(x, w, b, case["kwargs"])
    for fn in BOTH:
        out = fn(x, w, b, **case["kwargs"])
        assert out.dtype == np.float64, fn.__name__
        assert out.shape == expected.shape, fn.__name__
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10, err_msg=fn.__name__)


@settings(max_examples=40, deadline=None)
@given(transpose_cases())
def test_both_forms_keep_float32_and_match_torch(case):
    x, w, b = make_arrays(case, np.float32)
    expected = torch_conv_transpose2d(x, w, b, case["kwargs"])
    for fn in BOTH:
        out = fn(x, w, b, **case["kwargs"])
        assert out.dtype == np.float32, fn.__name__
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4, err_msg=fn.__name__)


@SETTINGS
@given(transpose_cases())
def test_the_two_forms_agree_and_the_size_is_the_formulas(case):
    x, w, b = make_arrays(case)
    scatter = conv_transpose2d(x, w, b, **case["kwargs"])
    np.testing.assert_allclose(conv_transpose2d_as_conv(x, w, b, **case["kwargs"]), scatter,
                               rtol=1e-10, atol=1e-10)
    kw = case["kwargs"]
    size = arithmetic.conv_transpose_output_size(case["size"], case["kernel"], kw["stride"],
                                                 kw["padding"], kw["output_padding"],
                                                 kw["dilation"])
    assert scatter.shape[-2:] == size
    assert scatter.shape[-3] == case["C_out"]


@settings(max_examples=60, deadline=None)
@given(transpose_cases())
def test_grad_input_of_conv2d_is_conv_transpose2d_of_grad_output(case):
    """conv2d takes x (N, C_in, H, W) to y; its input gradient is conv_transpose2d of the
    output gradient with the SAME weight, stride, padding, dilation and groups, and
    output_padding = the rows / columns the strided conv2d never reached."""
    kw = {k: v for k, v in case["kwargs"].items() if k != "output_padding"}  # derived below
    rng = np.random.default_rng(case["seed"])
    groups = kw["groups"]
    # conv2d's weight (C_out, C_in / groups, kh, kw) is conv_transpose2d's (C_in', C_out' / groups)
    w = rng.standard_normal((case["C_out"], case["C_in"] // groups, *case["kernel"]))
    stride, padding, dilation = (np.broadcast_to(kw[k], 2) for k in ("stride", "padding",
                                                                      "dilation"))
    span = dilation * (np.array(case["kernel"]) - 1) + 1
    size = np.maximum(span - 2 * padding, 1) + np.array(case["size"])
    x = rng.standard_normal((max(case["N"], 1), case["C_in"], *size))
    y = conv2d(x, w, **kw)
    grad_out = rng.standard_normal(y.shape)
    grad_input, _, _ = conv2d_backward(grad_out, x, w, **kw)
    # the rows / columns a stride that does not fit leaves out: (H + 2P - D(F-1) - 1) mod S
    extra = tuple(int(v) for v in (size + 2 * padding - span) % stride)
    back = conv_transpose2d(grad_out, w, stride=kw["stride"], padding=kw["padding"],
                            output_padding=extra, groups=groups, dilation=kw["dilation"])
    np.testing.assert_allclose(back, grad_input, rtol=1e-10, atol=1e-10)
    # ... which is what "transpose" means: <conv2d(x), g> == <x, conv_transpose2d(g)>
    np.testing.assert_allclose(np.vdot(y, grad_out), np.vdot(x, back), rtol=1e-10)


# ---------------------------------------------------------------- worked examples, exactly

def test_the_decks_worked_example_stride_2():
    """Input [[1, 0], [2, 3]], kernel [[0, 1], [1, 0]], stride 2: each input value stamps a
    scaled copy of the kernel into its own 2x2 block (no overlap at stride 2)."""
    x = np.array([[[[1, 0], [2, 3]]]], dtype=float)
    k = np.array([[[[0, 1], [1, 0]]]], dtype=float)
    expected = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 3], [2, 0, 3, 0]])
    np.testing.assert_array_equal(F.conv_transpose2d(torch.tensor(x), torch.tensor(k),
                                                     stride=2)[0, 0].numpy(), expected)
    for fn in BOTH:
        np.testing.assert_array_equal(fn(x, k, stride=2)[0, 0], expected)


def test_overlapping_copies_add_up_with_stride_1():
    x = np.array([[[[1.0, 2.0]]]])
    k = np.ones((1, 1, 1, 3))
    # 1*[1 1 1] at columns 0-2 plus 2*[1 1 1] at columns 1-3
    for fn in BOTH:
        np.testing.assert_array_equal(fn(x, k)[0, 0], [[1, 3, 3, 2]])


def test_padding_crops_and_output_padding_adds_at_the_bottom_right():
    x = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    k = np.ones((1, 1, 3, 3))
    full = conv_transpose2d(x, k, stride=2)  # 5x5
    assert full.shape == (1, 1, 5, 5)
    np.testing.assert_array_equal(conv_transpose2d(x, k, stride=2, padding=1), full[:, :, 1:4, 1:4])
    with_extra = conv_transpose2d(x, k, stride=2, padding=1, output_padding=1)
    assert with_extra.shape == (1, 1, 4, 4)
    np.testing.assert_array_equal(with_extra[:, :, :3, :3], full[:, :, 1:4, 1:4])
    np.testing.assert_array_equal(with_extra[:, :, 3, :], full[:, :, 4, 1:5])  # real values
    for fn in BOTH:
        np.testing.assert_array_equal(fn(x, k, stride=2, padding=1, output_padding=1),
                                      torch_conv_transpose2d(x, k, None, dict(
                                          stride=2, padding=1, output_padding=1)))


def test_it_undoes_the_size_change_of_a_strided_conv():
    x = np.zeros((1, 1, 7, 7))
    w = np.ones((1, 1, 3, 3))
    y = conv2d(x, w, stride=2, padding=1)  # 7 -> 4
    assert y.shape[-1] == 4
    assert conv_transpose2d(y, w, stride=2, padding=1).shape[-1] == 7


def test_unbatched_integer_input_and_empty_batch():
    x = np.arange(12).reshape(3, 2, 2)
    w = np.ones((3, 2, 2, 2), dtype=np.int64)
    for fn in BOTH:
        out = fn(x, w, stride=2)
        assert out.shape == (2, 4, 4) and out.dtype == np.float64
        np.testing.assert_array_equal(out, fn(x[None], w, stride=2)[0])
        np.testing.assert_array_equal(out, torch_conv_transpose2d(x * 1.0, w * 1.0, None,
                                                                  dict(stride=2)))
        assert fn(np.zeros((0, 3, 2, 2)), w, stride=2).shape == (0, 2, 4, 4)


@pytest.mark.parametrize("output_padding, stride, dilation", [
    (1, 1, 1), (1, 2, 1), (2, 2, 1), (1, 1, 2), (2, 1, 3), (2, 2, 2), ((0, 1), (1, 2), 1),
    ((1, 0), (1, 2), 1), (3, 3, 3), (2, 3, 1),
])
def test_output_padding_rule_is_pytorchs(output_padding, stride, dilation):
    x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
    kwargs = dict(stride=stride, output_padding=output_padding, dilation=dilation)
    try:
        expected = torch_conv_transpose2d(x, w, None, kwargs)
    except RuntimeError as err:
        assert "output padding must be smaller than either stride or dilation" in str(err)
        for fn in BOTH:
            with pytest.raises(ValueError, match=rf"^{fn.__name__}: output_padding.*smaller "
                                                 r"than the stride or the dilation"):
                fn(x, w, **kwargs)
    else:
        for fn in BOTH:
            np.testing.assert_array_equal(fn(x, w, **kwargs), expected)


# ---------------------------------------------------------------- bad input

X = np.zeros((2, 4, 5, 5))
W = np.zeros((4, 3, 3, 3))

BAD_INPUT = [
    # (arguments, exception, words the message must contain)
    ((X, np.zeros((3, 3, 3, 3))), {}, ValueError,
     ["weight", "3 input channels", "weight.shape[0]", "4 channels", "(C_in, C_out / groups"]),
    ((X, W), dict(groups=3), ValueError, ["groups=3", "4 channels"]),
    ((X, W), dict(groups=0), ValueError, ["groups", "0"]),
    ((X, W), dict(groups=True), TypeError, ["groups", "True"]),
    ((np.zeros((5, 5)), W), {}, ValueError, ["input", "2 dimension", "(5, 5)"]),
    ((X, np.zeros((4, 3, 3))), {}, ValueError, ["weight", "3 dimension"]),
    ((X, W), dict(stride=0), ValueError, ["stride", "0"]),
    ((X, W), dict(stride=1.5), TypeError, ["stride", "1.5"]),
    ((X, W), dict(padding=-1), ValueError, ["padding", "-1"]),
    ((X, W), dict(padding="same"), TypeError, ["padding", "'same'"]),
    ((X, W), dict(dilation=(1, 0)), ValueError, ["dilation", "(1, 0)"]),
    ((X, W), dict(output_padding=-1), ValueError, ["output_padding", "-1"]),
    ((X, W), dict(stride=2, output_padding=2), ValueError,
     ["output_padding", "smaller than the stride or the dilation", "stride=2"]),
    ((X, W), dict(stride=(2, 1), output_padding=(1, 1)), ValueError,
     ["output_padding (width)", "stride=1"]),
    ((X, W), dict(padding=(0, 7)), ValueError, ["output (width) would be empty", "(5, 5)"]),
    ((X, W, np.zeros(4)), {}, ValueError, ["bias", "(3,)", "(4,)"]),
    ((X.astype(bool), W), {}, TypeError, ["input", "dtype bool"]),
    ((X, W.astype(complex)), {}, TypeError, ["weight", "complex"]),
    ((np.zeros((1, 4, 0, 5)), W), {}, ValueError, ["non-empty height and width", "(1, 4, 0, 5)"]),
    ((X, np.zeros((4, 0, 3, 3))), {}, ValueError, ["weight", "empty", "(4, 0, 3, 3)"]),
]


@pytest.mark.parametrize("fn", BOTH)
@pytest.mark.parametrize("args, kwargs, exception, words", BAD_INPUT)
def test_bad_input_gives_a_clear_error(fn, args, kwargs, exception, words):
    with pytest.raises(exception, match=rf"^{fn.__name__}: ") as info:
        fn(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.mark.parametrize("args, kwargs, exception, words", BAD_INPUT)
def test_pytorch_refuses_the_same_input(args, kwargs, exception, words):
    """Every argument refused above is refused by PyTorch too (no stricter rules of our own)."""
    tensors = [torch.tensor(a) for a in args]
    with pytest.raises((RuntimeError, ValueError, TypeError)):
        F.conv_transpose2d(*tensors, **kwargs)
