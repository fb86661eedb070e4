"""Chapter 3's size arithmetic: named paddings, pooling and transposed-convolution output sizes,
receptive fields. Each formula is checked against the shapes PyTorch's layers produce on random
settings and against the relationships of Dumoulin and Visin, "A guide to convolution arithmetic
for deep learning" (2016), written in their notation: input i, kernel k, stride s, padding p,
dilation d, output o."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d

from cnn_lib.arithmetic import (
    PADDING_NAMES,
    ReceptiveField,
    conv_multiplications,
    conv_output_size,
    conv_transpose_output_size,
    full_padding,
    pool_output_size,
    receptive_field,
    same_padding,
)

SETTINGS = settings(max_examples=60, deadline=None)
small = st.integers


# --------------------------------------------------------------------------------------------
# 'valid', 'same', 'full'
# --------------------------------------------------------------------------------------------
def test_valid_same_full_sizes_003():
    """[003]: a length-m input and a length-k kernel give m - k + 1, m and m + k - 1."""
    for m in range(5, 12):
        for k in range(1, 6):
            assert conv_output_size(m, k, padding="valid") == m - k + 1
            assert conv_output_size(m, k, padding="same") == m
            assert conv_output_size(m, k, padding="full") == m + k - 1
            full = convolve2d(np.ones((m, m)), np.ones((k, k)), mode="full")
            assert conv_output_size((m, m), k, padding="full") == full.shape
    assert PADDING_NAMES == ("valid", "same", "full")


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@SETTINGS
@given(size=small(1, 15), kernel=small(1, 6), dilation=small(1, 3), width_extra=small(0, 4))
def test_named_paddings_match_torch(size, kernel, dilation, width_extra):
    shape = (size, size + width_extra)
    w = torch.zeros(1, 1, kernel, kernel)
    x = torch.zeros(1, 1, *shape)
    same = F.conv2d(x, w, padding="same", dilation=dilation).shape[2:]
    assert conv_output_size(shape, kernel, padding="same", dilation=dilation) == tuple(same)
    full = F.conv2d(x, w, padding=full_padding(kernel, dilation), dilation=dilation).shape[2:]
    assert conv_output_size(shape, kernel, padding="full", dilation=dilation) == tuple(full)
    if dilation * (kernel - 1) < size:
        valid = F.conv2d(x, w, padding="valid", dilation=dilation).shape[2:]
        assert conv_output_size(shape, kernel, padding="valid", dilation=dilation) == tuple(valid)
    else:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv_output_size(shape, kernel, padding="valid", dilation=dilation)


def test_same_padding_keeps_the_size_001():
    assert [same_padding(f) for f in (1, 3, 5, 7)] == [0, 1, 2, 3]
    assert same_padding(3, dilation=2) == 2
    for f in (3, 5, 7):
        assert conv_output_size(32, f, padding=same_padding(f)) == 32
    with pytest.raises(ValueError, match="3 pixels of padding in all.*1 before and 2 after"):
        same_padding(4)
    assert full_padding(3) == 2 and full_padding(3, dilation=2) == 4


def test_same_padding_refuses_a_stride_like_torch():
    with pytest.raises(RuntimeError, match="strided"):
        F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), padding="same", stride=2)
    with pytest.raises(ValueError, match="padding='same' needs stride=1, got stride=2"):
        conv_output_size(7, 3, stride=2, padding="same")
    assert conv_output_size(7, 3, stride=3, padding="full") == 3  # (7 + 4 - 3) / 3 + 1 floored


@pytest.mark.parametrize("call, error, words", [
    (lambda: conv_output_size(7, 3, padding="half"), ValueError, "one of"),
    (lambda: conv_output_size(7, 3, padding="SAME"), ValueError, "'SAME'"),
    (lambda: same_padding(0), ValueError, "kernel_size must be an int >= 1, got 0"),
    (lambda: same_padding(3.0), TypeError, "kernel_size must be an int, got float"),
    (lambda: full_padding(3, dilation=0), ValueError, "dilation"),
])
def test_named_padding_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


# --------------------------------------------------------------------------------------------
# Dumoulin and Visin's relationships (convolutions)
# --------------------------------------------------------------------------------------------
def test_relationships_1_to_6_and_15():
    for i in range(1, 16):
        for k in range(1, i + 1):
            for s in range(1, 5):
                for p in range(0, 4):
                    o = conv_output_size(i, k, stride=s, padding=p)
                    assert o == (i + 2 * p - k) // s + 1  # relationship 6
                    if s == 1:
                        assert o == i - k + 2 * p + 1  # relationship 2 (1 when p = 0)
                if k % 2 == 1:  # relationship 3: half padding p = floor(k/2) keeps i
                    assert conv_output_size(i, k, padding=k // 2) == i
                assert conv_output_size(i, k, padding=k - 1) == i + k - 1  # relationship 4
                assert conv_output_size(i, k, stride=s) == (i - k) // s + 1  # relationship 5
                for d in range(1, 4):  # relationship 15: the dilated kernel spans k + (k-1)(d-1)
                    k_hat = k + (k - 1) * (d - 1)
                    if k_hat <= i + 2:
                        o = conv_output_size(i, k, stride=s, padding=1, dilation=d)
                        assert o == (i + 2 - k - (k - 1) * (d - 1)) // s + 1


# --------------------------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------------------------
@st.composite
def pool_settings(draw):
    kernel = draw(small(1, 5))
    dilation = draw(small(1, 3))
    span = dilation * (kernel - 1) + 1
    padding = draw(small(0, kernel // 2))  # PyTorch: at most half the kernel, not the span
    stride = draw(st.none() | small(1, 4))
    size = draw(small(max(1, span - 2 * padding), 16))
    return size, kernel, stride, padding, dilation, draw(st.booleans())


@SETTINGS
@given(pool_settings())
def test_pool_output_size_matches_torch(args):
    size, kernel, stride, padding, dilation, ceil_mode = args
    x = torch.zeros(1, 1, size, size + 1)
    out = F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    got = pool_output_size((size, size + 1), kernel, stride, padding, dilation, ceil_mode)
    assert got == tuple(out.shape[2:])
    if dilation == 1:
        out = F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode)
        assert got == tuple(out.shape[2:])
    one_axis = pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    assert one_axis == out.shape[2] and type(one_axis) is int


def test_pool_output_size_deck_examples():
    assert pool_output_size(4, 2) == 2  # the 4x4 example, 2x2 windows, stride 2 [002]
    assert pool_output_size(4, 2, stride=2) == (4 - 2) // 2 + 1  # W2 = (W1 - F)/S + 1 [001]
    assert pool_output_size(224, 2) == 112
    assert pool_output_size(55, 3, stride=2) == 27  # AlexNet's overlapping pooling
    assert pool_output_size(7, 2) == 3 and pool_output_size(7, 2, ceil_mode=True) == 4
    # ceil_mode never starts a window in the right padding
    assert pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    assert F.max_pool2d(torch.zeros(1, 1, 5, 5), 2, 2, 1, ceil_mode=True).shape[2] == 3


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=7, kernel_size=3, padding=2), ValueError, "more than half the pooling window"),
    (dict(size=9, kernel_size=2, padding=2, dilation=3), ValueError, "kernel_size 2"),
    (dict(size=2, kernel_size=5, padding=1), ValueError, "larger than the padded input"),
    (dict(size=7, kernel_size=2, stride=0), ValueError, "stride must be an int >= 1"),
    (dict(size=7, kernel_size=2, ceil_mode="yes"), TypeError, "ceil_mode must be True or False"),
    (dict(size=(7, 7), kernel_size=(2, 2.0)), TypeError, r"kernel_size\[1\] must be an int"),
])
def test_pool_output_size_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        pool_output_size(**kwargs)


def test_torch_refuses_the_same_pool_settings():
    with pytest.raises(RuntimeError, match="at most half"):
        F.max_pool2d(torch.zeros(1, 1, 7, 7), 3, padding=2)


# --------------------------------------------------------------------------------------------
# Transposed convolution
# --------------------------------------------------------------------------------------------
@st.composite
def transpose_settings(draw):
    kernel, stride, dilation = draw(small(1, 5)), draw(small(1, 4)), draw(small(1, 3))
    padding = draw(small(0, 3))
    output_padding = draw(small(0, max(stride, dilation) - 1))
    size = draw(small(1, 10))
    return size, kernel, stride, padding, output_padding, dilation


@SETTINGS
@given(transpose_settings())
def test_conv_transpose_output_size_matches_torch(args):
    size, kernel, stride, padding, output_padding, dilation = args
    expected = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1
    if expected < 1:
        with pytest.raises(ValueError, match="would be empty"):
            conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
        return
    out = F.conv_transpose2d(torch.zeros(1, 1, size, size + 2), torch.zeros(1, 1, kernel, kernel),
                             stride=stride, padding=padding, output_padding=output_padding,
                             dilation=dilation)
    got = conv_transpose_output_size((size, size + 2), kernel, stride, padding, output_padding,
                                     dilation)
    assert got == tuple(out.shape[2:])


def test_transposed_relationships_8_to_14_invert_the_convolution():
    """Relationship 14 (8-13 are its special cases): with a = (i + 2p - k) mod s, the transposed
    convolution of the same k, s, p and output_padding a maps o back to i; with dilation too."""
    for i in range(1, 14):
        for k in range(1, 6):
            for s in range(1, 4):
                for p in range(0, 3):
                    for d in range(1, 3):
                        span = d * (k - 1) + 1
                        if span > i + 2 * p:
                            continue
                        o = conv_output_size(i, k, stride=s, padding=p, dilation=d)
                        a = (i + 2 * p - span) % s
                        if a >= max(s, d):
                            continue  # cannot be expressed by output_padding (PyTorch neither)
                        back = conv_transpose_output_size(o, k, s, p, output_padding=a,
                                                          dilation=d)
                        assert back == i, (i, k, s, p, d)
                        if s == 1 and d == 1:
                            assert back == o + (k - 1) - 2 * p  # relationships 8, 9
    assert conv_transpose_output_size(3, 3, stride=2) == 7
    assert conv_transpose_output_size(2, 2, stride=2) == 4  # "upsampling" 2x2 -> 4x4 [004]


@pytest.mark.parametrize("kwargs, words", [
    (dict(size=4, kernel_size=3, stride=1, output_padding=1), "smaller than the stride"),
    (dict(size=4, kernel_size=3, stride=2, output_padding=2), "smaller than the stride"),
    (dict(size=1, kernel_size=1, padding=1), "would be empty"),
    (dict(size=4, kernel_size=3, output_padding=-1), "output_padding must be an int >= 0"),
])
def test_conv_transpose_output_size_bad_input(kwargs, words):
    with pytest.raises(ValueError, match=words):
        conv_transpose_output_size(**kwargs)


# --------------------------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------------------------
def input_gradient(layers, unit):
    """Gradient of output unit ``unit`` of a 1-D stack of all-ones convolutions w.r.t. its
    input (autograd): non-zero exactly on the unit's receptive field."""
    strides = int(np.prod([layer[1] for layer in layers]))
    spans = sum(layer[2] * (layer[0] - 1) + 1 for layer in layers)
    x = torch.zeros(1, 1, strides * (spans + 4), requires_grad=True)  # room for two units
    y = x
    for k, s, d in layers:
        y = F.conv1d(y, torch.ones(1, 1, k), stride=s, dilation=d)
    y[0, 0, unit].backward()
    return torch.nonzero(x.grad[0, 0]).flatten()


@SETTINGS
@given(st.lists(st.tuples(small(1, 4), small(1, 3), small(1, 2)), min_size=1, max_size=4))
def test_receptive_field_matches_autograd(layers):
    first, second = input_gradient(layers, 0), input_gradient(layers, 1)
    size = int(first.max() - first.min() + 1)
    jump = int(second.min() - first.min())
    assert receptive_field(layers) == ReceptiveField(size, jump)
    assert receptive_field([(k, s) for k, s, d in layers if d == 1]) == receptive_field(
        [(k, s, 1) for k, s, d in layers if d == 1])


def test_receptive_field_examples():
    assert receptive_field([]) == (1, 1)
    assert [receptive_field([(3, 1)] * n).size for n in (1, 2, 3)] == [3, 5, 7]  # [001]
    assert receptive_field([(5, 1)] * 2).size == 9
    rf = receptive_field([(3, 1), (3, 2), (3, 1)])
    assert rf == (9, 2) and rf.size == 9 and rf.jump == 2
    assert receptive_field([(3, 1, 1), (3, 1, 2), (3, 1, 4)]) == (15, 1)  # dilations 1, 2, 4
    assert receptive_field([(7, 2), (3, 2)]) == (11, 4)
    assert repr(receptive_field([(3, 1)])) == "ReceptiveField(size=3, jump=1)"


@pytest.mark.parametrize("layers, error, words", [
    ("3x3", TypeError, "layers must be a list"),
    ([(3,)], ValueError, r"layers\[0\] must be \(kernel_size, stride\)"),
    ([(3, 1), (3, 0)], ValueError, r"layers\[1\] stride must be an int >= 1, got 0"),
    ([(3.0, 1)], TypeError, r"layers\[0\] kernel_size must be an int"),
    ([(3, 1, 0)], ValueError, r"layers\[0\] dilation"),
])
def test_receptive_field_bad_input(layers, error, words):
    with pytest.raises(error, match=words):
        receptive_field(layers)


# --------------------------------------------------------------------------------------------
# Multiplications
# --------------------------------------------------------------------------------------------
@SETTINGS
@given(small(1, 4), small(1, 4), small(1, 3), small(1, 4), small(1, 9), small(1, 2))
def test_conv_multiplications_match_torchs_flop_counter(g, cin, cout, k, size, stride):
    from torch.utils.flop_counter import FlopCounterMode

    in_channels, out_channels = g * cin, g * cout
    conv = torch.nn.Conv2d(in_channels, out_channels, k, stride=stride, padding=k // 2,
                           groups=g, bias=False)
    x = torch.zeros(1, in_channels, size + k, size + k)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        out = conv(x)
    mults = conv_multiplications(in_channels, out_channels, k, tuple(out.shape[2:]), groups=g)
    assert 2 * mults == counter.get_total_flops()


def test_conv_multiplications_examples_and_bad_input():
    assert conv_multiplications(1, 6, 3, 28) == 28 * 28 * 6 * 9 == 42_336
    assert conv_multiplications(6, 16, 3, (14, 14)) == 169_344
    assert conv_multiplications(6, 16, 3, 28) == 4 * 169_344  # no pooling before: 4x the work
    with pytest.raises(ValueError, match="groups must divide"):
        conv_multiplications(6, 16, 3, 28, groups=4)
    with pytest.raises(TypeError, match="output_size"):
        conv_multiplications(6, 16, 3, 28.0)
