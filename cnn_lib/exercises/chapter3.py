"""Exercises for chapter 3, Padding and stride (``notebooks/03_padding_stride.ipynb``),
easy to hard.

>>> from cnn_lib.exercises import chapter3 as ex
>>> ex.q1.check(24)
✓ Correct! 24 is right.

The reference solutions are plain Python and NumPy and self-contained (no other ``cnn_lib``
module).
"""

import numpy as np

from .core import ArrayExercise, ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 16)]


# --------------------------------------------------------------------------- reference functions


def conv_output_size(n, f, p, s):
    """Output size of a convolution of an n-wide input with an f-wide filter, padding p on each
    side and stride s, as PyTorch computes it: floor((n + 2p - f) / s) + 1."""
    return (n + 2 * p - f) // s + 1


def receptive_field(layers):
    """Receptive field of one output unit of a stack of (kernel_size, stride) layers, first
    layer first: each layer adds (kernel_size - 1) * jump cells, where jump is the product of
    the strides of the layers below it."""
    size, jump = 1, 1
    for kernel_size, stride in layers:
        size += (kernel_size - 1) * jump
        jump *= stride
    return size


def corr2d_stride(X, K, s):
    """Valid cross-correlation of a 2-D array X with a 2-D kernel K, moving the window s cells
    at a time: output (i, j) reads the window whose top-left corner is (i*s, j*s)."""
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    kh, kw = K.shape
    Y = np.zeros(((X.shape[0] - kh) // s + 1, (X.shape[1] - kw) // s + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i * s : i * s + kh, j * s : j * s + kw] * K)
    return Y


def pad_reflect(X, p):
    """Reflect-pad a 2-D array X by p cells on every side (p < both sides): mirror the image
    at its edge without repeating the edge row or column (PyTorch's 'reflect' mode)."""
    X = np.asarray(X, dtype=float)
    rows = np.concatenate([X[p:0:-1], X, X[-2 : -p - 2 : -1]], axis=0)  # mirror top and bottom
    return np.concatenate([rows[:, p:0:-1], rows, rows[:, -2 : -p - 2 : -1]], axis=1)


def corr2d_dilated(X, K, d):
    """Valid cross-correlation of a 2-D array X with a 2-D kernel K whose taps sit d cells
    apart (dilation d, stride 1): output (i, j) is the sum over (a, b) of
    K[a, b] * X[i + d*a, j + d*b]."""
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - d * (kh - 1), X.shape[1] - d * (kw - 1)))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i : i + d * (kh - 1) + 1 : d, j : j + d * (kw - 1) + 1 : d] * K)
    return Y


# Typical wrong answers, recognised in the feedback.
def _size_without_floor(n, f, p, s):
    return (n + 2 * p - f) / s + 1


def _size_with_one_side_padding(n, f, p, s):
    return (n + p - f) // s + 1


def _size_ceil(n, f, p, s):
    return -(-(n + 2 * p - f) // s) + 1


def _size_without_plus_one(n, f, p, s):
    return (n + 2 * p - f) // s


def _size_without_padding(n, f, p, s):
    return (n - f) // s + 1


def _field_ignoring_strides(layers):
    return 1 + sum(k - 1 for k, _ in layers)


def _field_with_own_stride(layers):
    size, jump = 1, 1
    for kernel_size, stride in layers:
        jump *= stride  # the jump updated too early: uses this layer's stride
        size += (kernel_size - 1) * jump
    return size


def _field_kernel_times_jump(layers):
    size, jump = 1, 1
    for kernel_size, stride in layers:
        size += kernel_size * jump  # forgot the - 1
        jump *= stride
    return size


def _stride_one_then_too_big(X, K, s):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    kh, kw = K.shape
    full = corr2d_stride(X, K, 1)
    return full[: (X.shape[0] - kh) // s + 1, : (X.shape[1] - kw) // s + 1]


def _pad_replicate(X, p):
    return np.pad(np.asarray(X, dtype=float), p, mode="edge")


def _pad_symmetric(X, p):
    return np.pad(np.asarray(X, dtype=float), p, mode="symmetric")


def _pad_zeros(X, p):
    return np.pad(np.asarray(X, dtype=float), p)


def _pad_circular(X, p):
    return np.pad(np.asarray(X, dtype=float), p, mode="wrap")


def _dilated_as_stride(X, K, d):
    return corr2d_stride(X, K, d)


def _dilated_ignored(X, K, d):
    return corr2d_dilated(X, K, 1)


# --------------------------------------------------------------------------- the exercises

q1 = NumberExercise(
    "q1",
    "The input shrinks",
    """
    A 32x32 image passes through two convolution layers, each with 5x5 filters, no padding and
    stride 1. What is the height of the output of the second layer? Give an integer.
    """,
    answer=24,
    hint_text=[
        "Each valid layer takes H to H - F + 1.",
        "After the first layer the map is 28x28; apply the rule once more.",
    ],
    solution_text="**24**: 32 - 5 + 1 = 28 after the first layer, 28 - 5 + 1 = 24 after the "
    "second. Each 5x5 layer trims 2 pixels from every side.",
    common_mistakes={
        28: "that is after one layer; the second layer shrinks the map again.",
        22: "32 - 2*5 forgets the + 1 of each layer: H - F + 1, twice.",
        23: "off by one: each layer gives H - F + 1 (28 after the first).",
    },
    integer=True,
)

q2 = NumberExercise(
    "q2",
    "Padding that keeps the size",
    """
    A convolution layer with 7x7 filters and stride 1 should keep its input's height and width.
    How many pixels of zero padding P must it add on each side? Give an integer.
    """,
    answer=3,
    hint_text=[
        "The output size with padding is H + 2P - F + 1; set it equal to H.",
        "Solve 2P - F + 1 = 0 for P.",
    ],
    solution_text="**3** = (7 - 1) / 2: the output is H + 2*3 - 7 + 1 = H.",
    common_mistakes={
        6: "6 is the total for both sides; P is the padding on each side.",
        7: "padding F on each side makes the output larger than the input (H + 8).",
        3.5: "(F - 1)/2 = 3, not F/2: the output is H + 2P - F + 1.",
    },
    integer=True,
)

q3 = NumberExercise(
    "q3",
    "A strided convolution",
    """
    A 7x7 input is convolved with a 3x3 filter, stride 2, no padding. What is the output's
    height? Give an integer.
    """,
    answer=3,
    hint_text=[
        "Output size = (H - F + 2P) / S + 1.",
        "The window's top row can start at rows 0, 2 and 4.",
    ],
    solution_text="**3** = (7 - 3) / 2 + 1: the window starts at rows 0, 2 and 4.",
    common_mistakes={
        2: "(7 - 3) / 2 = 2 counts the steps between window positions; add 1 for the positions.",
        5: "that is stride 1; with stride 2 the window skips every other position.",
        1: "that is (7 - 3) / 2 - 1; the formula ends in + 1: (H - F + 2P) / S + 1.",
    },
    integer=True,
)

q4 = ChoiceExercise(
    "q4",
    "Which stride fits?",
    """
    A 10x10 input is convolved with a 3x3 filter and padding 1. For which stride does the filter
    **not** fit evenly (so that (H - F + 2P)/S + 1 is not a whole number and PyTorch silently
    drops the last row and column)? Answer with a letter as a string.
    """,
    options=["stride 1", "stride 3", "stride 2", "stride 9"],
    answer="c",
    explanations={
        "a": "(10 - 3 + 2)/1 + 1 = 10: stride 1 always fits.",
        "b": "(10 - 3 + 2)/3 + 1 = 4: a whole number, it fits.",
        "d": "(10 - 3 + 2)/9 + 1 = 2: a whole number, it fits.",
    },
    hint_text="Compute H - F + 2P once, then check which stride divides it.",
    solution_text="**c**: H - F + 2P = 9, and 9 / 2 = 4.5, so (10 - 3 + 2)/2 + 1 = 5.5 is not "
    "whole; PyTorch floors it to 5 and never reads the last padded row and column. Strides 1, 3 "
    "and 9 divide 9.",
)

q5 = NumberExercise(
    "q5",
    "A dilated kernel",
    """
    A 15x15 input is convolved with a 3x3 kernel with dilation 2 (one gap between taps), stride
    1, no padding. What is the output's height? Give an integer.
    """,
    answer=11,
    hint_text=[
        "A dilated kernel spans D(F - 1) + 1 cells.",
        "Here it spans 5 cells; then it is a valid convolution with a 5-wide window.",
    ],
    solution_text="**11** = 15 - 5 + 1: with dilation 2 the 3x3 kernel spans 2*(3 - 1) + 1 = 5 "
    "cells.",
    common_mistakes={
        13: "that ignores the dilation: the taps are 2 apart, so the kernel spans 5 cells.",
        9: "the span is D(F - 1) + 1 = 5, not D*F + 1 = 7.",
        10: "off by one: a 5-cell span gives 15 - 5 + 1 positions.",
    },
    integer=True,
    level="medium",
)

q6 = ArrayExercise(
    "q6",
    "The output volume",
    """
    A layer with 8 filters of size 5x5, stride 2 and padding 2 takes an input of shape
    (C, H, W) = (3, 64, 64). What is the shape (C, H, W) of its output? Answer with three
    integers, e.g. `answer = [1, 2, 3]`.
    """,
    answer=[8, 32, 32],
    hint_text=[
        "The output has one channel per filter, whatever the input depth.",
        "H_out = floor((64 + 2*2 - 5) / 2) + 1; the division is not whole, so floor it.",
    ],
    solution_text="**(8, 32, 32)**: 8 filters give 8 channels, and (64 + 4 - 5)/2 + 1 = 32.5, "
    "which PyTorch floors to 32. (With F = 5 on an even input, 64 + 2P - 5 is odd for every P, "
    "so stride 2 never fits exactly; P = 2 is the padding whose floored result halves the size.)",
    common_mistakes=[
        ([3, 32, 32], "the output depth is the number of filters (8), not the input depth."),
        ([8, 64, 64], "stride 2 halves the size: (64 + 4 - 5)/2 + 1, floored."),
        ([8, 33, 33], "round down, not up: PyTorch floors (64 + 4 - 5)/2 = 31.5 to 31, plus 1."),
        ([32, 32, 8], "the order is (C, H, W): channels first."),
    ],
    level="medium",
    placeholder="[C, H, W], three integers",
)

q7 = NumberExercise(
    "q7",
    "Parameters of the layer",
    """
    How many learnable parameters (weights and biases) does the layer of the previous exercise
    have: 8 filters of size 5x5 on a 3-channel input, with biases? Give an integer.
    """,
    answer=8 * (5 * 5 * 3 + 1),
    hint_text=[
        "Stride and padding change the output's size, not the number of weights.",
        "Each filter has F*F*C weights and one bias: (F*F*C + 1) * K.",
    ],
    solution_text="**608** = 8 * (5*5*3 + 1); stride and padding do not add parameters.",
    common_mistakes={
        600: "you forgot the biases: one per filter.",
        208: "each filter spans all 3 input channels: 5*5*3 weights, not 5*5.",
        76: "that is one filter; the layer has 8.",
    },
    integer=True,
    level="medium",
)

q8 = NumberExercise(
    "q8",
    "Receptive field with a stride",
    """
    Three 3x3 convolution layers are stacked; the first and third have stride 1, the second
    stride 2. How many input pixels wide is the receptive field of one output unit of the third
    layer? Give an integer.
    """,
    answer=receptive_field([(3, 1), (3, 2), (3, 1)]),
    hint_text=[
        "Each layer widens the field by (F - 1) times the distance, in input pixels, between "
        "neighbouring units of the layer below it.",
        "Widths: 3 after layer 1; 5 after layer 2; layer 3's neighbours are 2 input pixels "
        "apart, so it adds 2*2.",
    ],
    solution_text="**9** = 1 + 2*1 + 2*1 + 2*2: the stride of layer 2 makes layer 3's "
    "neighbouring units 2 input pixels apart, so its 3 taps span 4 more pixels.",
    common_mistakes={
        7: "that ignores the stride: after a stride-2 layer each tap of the next layer is 2 "
        "input pixels from the next.",
        11: "the stride affects the layers after it, not the layer itself: layer 2 adds 2*1.",
        27: "fields add, they do not multiply: each layer adds (F - 1) * jump.",
    },
    integer=True,
    level="medium",
)

_rng = np.random.default_rng(3)

q9 = FunctionExercise(
    "q9",
    "The output-size formula in code",
    """
    Write `conv_output_size(n, f, p, s)`: the output size of a convolution of an n-wide input
    with an f-wide filter, p cells of padding on each side and stride s, as PyTorch computes it
    (an int; round down when the stride does not fit). Check it with
    `ex.q9.check(conv_output_size)`.
    """,
    reference=conv_output_size,
    cases=[
        ("7x7 input, 3x3 filter, stride 1", (7, 3, 0, 1)),
        ("7x7 input, 3x3 filter, stride 2", (7, 3, 0, 2)),
        ("7x7 input, 3x3 filter, stride 3 (does not fit)", (7, 3, 0, 3)),
        ("32x32 input, 5x5 filter, padding 2", (32, 5, 2, 1)),
        ("a filter as large as the input", (5, 5, 0, 1)),
        ("ResNet's first layer: 224, 7x7, padding 3, stride 2", (224, 7, 3, 2)),
        ("padding and a stride that does not fit", (10, 3, 1, 4)),
    ],
    common_mistakes=[
        (_size_without_floor, "Round down: when (n + 2p - f) / s is not whole, PyTorch keeps "
         "only the windows that fit (use // or math.floor)."),
        (_size_with_one_side_padding, "Padding p is added on both sides: n + 2p."),
        (_size_ceil, "Round down, not up: a window that would stick out is dropped."),
        (_size_without_plus_one, "Add 1: (n + 2p - f) // s counts the steps between the first "
         "and the last window position; the positions are one more."),
        (_size_without_padding, "Include the padding: it adds p cells on each side, so the "
         "padded input is n + 2p wide."),
    ],
    hint_text=[
        "The formula is (n + 2p - f) / s + 1, rounded down.",
        "In Python, `//` divides and rounds down for positive numbers.",
    ],
    solution_text="Count the window positions that fit in the padded input of n + 2p cells:",
)

q10 = FunctionExercise(
    "q10",
    "Receptive fields in code",
    """
    Write `receptive_field(layers)`. `layers` is a list of (kernel_size, stride) pairs, the
    first layer (next to the input) first. Return the receptive field of one output unit of the
    last layer, in input pixels (an int); an empty list gives 1. Check it with
    `ex.q10.check(receptive_field)`.
    """,
    reference=receptive_field,
    cases=[
        ("one 3x3 layer", ([(3, 1)],)),
        ("three 3x3 layers", ([(3, 1), (3, 1), (3, 1)],)),
        ("3x3, then 3x3 with stride 2, then 3x3", ([(3, 1), (3, 2), (3, 1)],)),
        ("no layers", ([],)),
        ("ResNet's stem: 7x7 stride 2, 3x3 pooling stride 2", ([(7, 2), (3, 2)],)),
        ("four 2x2 poolings with stride 2", ([(2, 2)] * 4,)),
        ("a LeNet-like stack", ([(5, 1), (2, 2), (5, 1), (2, 2)],)),
    ],
    common_mistakes=[
        (_field_ignoring_strides, "Strides matter: after a stride-s layer, neighbouring units "
         "are s times further apart in the input, so the next kernel spans more of it. Keep a "
         "running product of the strides (the jump)."),
        (_field_with_own_stride, "Update the jump after adding the layer's width: a layer's "
         "own stride spaces the units above it, not its own taps."),
        (_field_kernel_times_jump, "A layer widens the field by (kernel_size - 1) * jump, not "
         "kernel_size * jump: a 3x3 layer on the input gives a field of 3, not 4."),
    ],
    hint_text=[
        "Keep two numbers while you walk up the stack: the field size r (start 1) and the "
        "jump j (start 1), the distance in input pixels between neighbouring units.",
        "For each layer: r += (kernel_size - 1) * j, then j *= stride.",
    ],
    solution_text="Each layer adds (kernel_size - 1) * jump input pixels; then its stride "
    "multiplies the jump:",
)

_toy = (np.arange(49, dtype=float).reshape(7, 7) ** 2) % 11  # not a ramp: no kernel is flat on it

q11 = FunctionExercise(
    "q11",
    "Strided cross-correlation in code",
    """
    Write `corr2d_stride(X, K, s)`: the valid cross-correlation of a 2-D NumPy array `X` (H, W)
    with a kernel `K` (kh, kw), moving the window `s` cells at a time. Output (i, j) is the sum of
    `X[i*s : i*s + kh, j*s : j*s + kw] * K`; the output has shape
    ((H - kh) // s + 1, (W - kw) // s + 1). Return a float NumPy array. Check it with
    `ex.q11.check(corr2d_stride)`.
    """,
    reference=corr2d_stride,
    cases=[
        ("7x7, 3x3 kernel, stride 1", (_toy, np.ones((3, 3)), 1)),
        ("7x7, 3x3 kernel, stride 2", (_toy, np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),
                                       2)),
        ("7x7, 3x3 kernel, stride 3 (the last column is dropped)", (_toy, np.eye(3), 3)),
        ("a non-square input, 2x2 kernel, stride 2",
         (_rng.normal(size=(6, 9)), _rng.normal(size=(2, 2)), 2)),
        ("a 1x1 kernel with stride 2 (subsampling)", (_toy, np.array([[2.0]]), 2)),
        ("a stride larger than the kernel", (_rng.normal(size=(9, 9)), np.ones((2, 2)), 4)),
        ("a non-square 2x3 kernel, stride 2, on a 7x8 input",
         (np.round(_rng.normal(size=(7, 8)), 2), np.array([[1.0, 2, -1], [0, -3, 1]]), 2)),
    ],
    common_mistakes=[
        (_stride_one_then_too_big, "You computed the stride-1 output and cut it to size: "
         "skip windows instead (output (i, j) starts at row i*s, column j*s), or subsample the "
         "stride-1 output with [::s, ::s]."),
    ],
    hint_text=[
        "Compute the output shape first: ((H - kh) // s + 1, (W - kw) // s + 1).",
        "Start from your corr2d of chapter 2 and move the window to row i*s, column j*s.",
    ],
    solution_text="A strided convolution is the stride-1 one, computed only at every s-th "
    "position (the same as `corr2d(X, K)[::s, ::s]`):",
)

q12 = FunctionExercise(
    "q12",
    "Reflect padding in code",
    """
    Write `pad_reflect(X, p)` without `np.pad`: pad a 2-D NumPy array `X` (H, W) by `p` cells on
    every side by mirroring it at its edges **without repeating the edge** (PyTorch's
    'reflect' mode: the row `[a, b, c, d]` padded by 2 becomes `[c, b, a, b, c, d, c, b]`).
    Assume 1 <= p < min(H, W). Return a float array of shape (H + 2p, W + 2p). Check it with
    `ex.q12.check(pad_reflect)`.
    """,
    reference=pad_reflect,
    cases=[
        ("a 3x4 image, p = 2", (np.arange(1, 13, dtype=float).reshape(3, 4), 2)),
        ("a 2x4 image, p = 1", (np.array([[1.0, 2, 3, 4], [5, 6, 7, 8]]), 1)),
        ("a 3x3 image, p = 1", (np.arange(1, 10, dtype=float).reshape(3, 3), 1)),
        ("random values, p = 3", (_rng.normal(size=(5, 6)), 3)),
    ],
    common_mistakes=[
        (_pad_replicate, "That repeats the edge value ('replicate'); reflect mirrors the cells "
         "next to the edge: [a, b, c] padded by 1 starts with b, not a."),
        (_pad_symmetric, "That mirror includes the edge cell (NumPy's 'symmetric'); PyTorch's "
         "'reflect' does not repeat it: [a, b, c] padded by 1 is [b, a, b, c, b]."),
        (_pad_zeros, "That is zero padding; reflect fills the border with mirrored values."),
        (_pad_circular, "That wraps around ('circular'): the cells above the top row come from "
         "the bottom of the image. Reflect mirrors the rows just inside the same edge."),
    ],
    hint_text=[
        "Pad the rows first, then the columns of the result: the same operation twice.",
        "For the top, take rows p, p - 1, ..., 1 of X (slice `X[p:0:-1]`); for the bottom, rows "
        "H - 2, ..., H - 1 - p (slice `X[-2:-p-2:-1]`). Join with `np.concatenate`.",
    ],
    solution_text="Mirror rows p..1 above and the rows just inside the bottom edge below, then "
    "do the same for the columns:",
)

q13 = NumberExercise(
    "q13",
    "Padding 1 with a stride of 2",
    """
    A 3x3 convolution with padding 1 keeps an 8x8 input at 8x8 as long as its stride is 1.
    Give it stride 2 instead. What is the output's height? Predict and give an integer, then run
    the experiment below, which prints the output size for strides 1 to 4 (change `size` or
    `padding`).
    """,
    answer=conv_output_size(8, 3, 1, 2),
    hint_text=[
        "The padded input is 8 + 2*1 = 10 cells wide; where can a 3-wide window start when it "
        "jumps 2 cells at a time?",
        "floor((8 + 2*1 - 3) / 2) + 1.",
    ],
    solution_text="**4** = floor((8 + 2 - 3)/2) + 1 = floor(3.5) + 1: the window starts at "
    "padded columns 0, 2, 4 and 6; a start at 8 would need columns 8 to 10 of a 10-wide input. "
    "'Same' padding keeps the size only at stride 1; with stride S it gives ceil(H / S) outputs.",
    common_mistakes={
        5: "(8 + 2 - 3)/2 + 1 = 4.5 is rounded down, not up: a window that would stick out of "
        "the padded input is dropped.",
        8: "padding 1 keeps the size only at stride 1; stride 2 keeps every other window.",
        3: "that forgets the padding: it adds one cell on each side, so the padded input is 10 "
        "cells wide, not 8.",
        4.5: "(8 + 2 - 3)/2 + 1 = 4.5 is not a whole number of windows: PyTorch rounds it down.",
    },
    integer=True,
    level="easy",
    placeholder="your prediction here (an integer)",
    experiment="""
    import torch
    import torch.nn.functional as F

    size, padding = 8, 1                            # try size = 9, or padding = 0
    x, w = torch.zeros(1, 1, size, size), torch.zeros(1, 1, 3, 3)
    for stride in (1, 2, 3, 4):
        out = F.conv2d(x, w, stride=stride, padding=padding)
        exact = (size + 2 * padding - 3) / stride + 1
        print(f"stride {stride}: {size}x{size} -> {out.shape[-2]}x{out.shape[-1]}   "
              f"((size + 2*padding - 3) / stride + 1 = {exact:g})")
    """,
)

q14 = ChoiceExercise(
    "q14",
    "Which pixels does a dilated kernel read?",
    """
    One 3x3 convolution layer with dilation 2 (stride 1, no padding) is applied to an image.
    Which input pixels does one of its output units read, that is, which pixels can change its
    value? Predict, answer with a letter as a string, then run the experiment below: it turns
    on one pixel at a time and marks with 1 the pixels that reach the first output unit (change
    `dilation`, or set `below = True` to put an ordinary 3x3 layer before the dilated one).
    """,
    options=[
        "all 25 pixels of a 5x5 block: the kernel spans 5 cells",
        "9 pixels of a 5x5 block: every other row and every other column",
        "the 9 pixels of a 3x3 block: dilation changes only the output size",
        "all 25 pixels of a 5x5 block, those between the taps with smaller weights",
    ],
    answer="b",
    explanations={
        "a": "the kernel spans 5 cells, but it has only 9 taps, 2 cells apart: the pixels "
        "between the taps are never multiplied by a weight.",
        "c": "dilation moves the taps apart: they read rows and columns 0, 2 and 4 of the "
        "window, not 0, 1 and 2. That is also why the output shrinks more.",
        "d": "dilation does not resize or interpolate the kernel: it is the 3x3 kernel with "
        "zeros between its taps, and a zero weight reads nothing.",
    },
    hint_text=[
        "With dilation 2 the taps of a row sit at columns 0, 2 and 4 of the window.",
        "A dilated kernel equals a 5x5 kernel with zeros between the taps (section 6). Which "
        "of its 25 weights are not zero?",
    ],
    solution_text="**b**: the nine taps sit 2 cells apart, at rows and columns 0, 2 and 4 of a "
    "5x5 window, and the pixels between them are skipped. An ordinary layer below fills the "
    "gaps: with `below = True` the unit reads all 49 pixels of a 7x7 block.",
    level="medium",
    experiment="""
    import numpy as np
    from cnn_lib import scratch

    dilation, below = 2, False                      # try dilation = 1 or 3, or below = True
    size = 9
    w = np.ones((1, 1, 3, 3))
    reads = np.zeros((size, size), dtype=int)
    for r in range(size):
        for c in range(size):
            x = np.zeros((1, 1, size, size))
            x[0, 0, r, c] = 1.0                         # one pixel on
            y = scratch.conv2d(x, w) if below else x
            y = scratch.conv2d(y, w, dilation=dilation)
            reads[r, c] = y[0, 0, 0, 0] != 0            # does the first output unit see it?
    print(reads)
    print("the unit reads", reads.sum(), "pixels")
    """,
)

q15 = FunctionExercise(
    "q15",
    "Dilated cross-correlation in code",
    """
    Write `corr2d_dilated(X, K, d)`: the valid cross-correlation (stride 1) of a 2-D NumPy
    array `X` (H, W) with a kernel `K` (kh, kw) whose taps sit `d` cells apart (dilation d; d = 1
    is the ordinary `corr2d`). Output (i, j) is the sum over (a, b) of
    `K[a, b] * X[i + d*a, j + d*b]`; the output has shape (H - d*(kh - 1), W - d*(kw - 1)).
    Return a float NumPy array. Check it with `ex.q15.check(corr2d_dilated)`.
    """,
    reference=corr2d_dilated,
    cases=[
        ("7x7, 3x3 kernel, dilation 1 (an ordinary corr2d)", (_toy, np.ones((3, 3)), 1)),
        ("7x7, 3x3 kernel, dilation 2", (_toy, np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),
                                         2)),
        ("9x9, 3x3 kernel, dilation 3", (np.round(_rng.normal(size=(9, 9)), 2),
                                         np.round(_rng.normal(size=(3, 3)), 2), 3)),
        ("a 2x3 kernel with dilation 2 on a 6x9 input",
         (np.round(_rng.normal(size=(6, 9)), 2), np.array([[1.0, -2, 0.5], [3, 1, -1]]), 2)),
        ("a 1x1 kernel (dilation changes nothing)", (_toy, np.array([[2.0]]), 3)),
        ("a dilated kernel as wide as the input (one output)",
         (np.arange(25.0).reshape(5, 5), np.arange(9.0).reshape(3, 3), 2)),
    ],
    common_mistakes=[
        (_dilated_as_stride, "That is a stride of d: your window jumps d cells at a time. "
         "Dilation keeps moving the window one cell at a time and spreads its taps d cells "
         "apart: output (i, j) reads X[i + d*a, j + d*b]."),
        (_dilated_ignored, "You ignored the dilation: the taps of K sit d cells apart, so "
         "K[a, b] multiplies X[i + d*a, j + d*b], not X[i + a, j + b]."),
    ],
    hint_text=[
        "The kernel spans d*(kh - 1) + 1 rows; compute the output shape from that first.",
        "The rows of the window that K reads are `X[i : i + d*(kh - 1) + 1 : d]`: a slice with "
        "step d. Do the same for the columns, multiply by K and sum.",
    ],
    solution_text="A dilated kernel reads every d-th cell of a window d*(k - 1) + 1 cells "
    "wide: slice the window with step d:",
)


EXERCISES = number_exercises(
    3, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15]
)


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(3, EXERCISES)
