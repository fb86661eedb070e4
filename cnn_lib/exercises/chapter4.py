"""Exercises for chapter 4, Pooling (``notebooks/04_pooling.ipynb``), easy to hard.

>>> from cnn_lib.exercises import chapter4 as ex
>>> ex.q3.check(112)
✓ Correct! 112 is right.

The reference solutions are plain NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ArrayExercise, ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 16)]


# --------------------------------------------------------------------------- reference functions


def max_pool2d(X, k, s):
    """Max pooling of a 2-D array X with k x k windows moved s cells at a time (no padding):
    output (i, j) is the largest value of X[i*s : i*s + k, j*s : j*s + k]."""
    X = np.asarray(X, dtype=float)
    Y = np.zeros(((X.shape[0] - k) // s + 1, (X.shape[1] - k) // s + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = X[i * s : i * s + k, j * s : j * s + k].max()
    return Y


def max_pool_backward(X, G, k):
    """Gradient of k x k max pooling with stride k (windows side by side) of a 2-D array X,
    given G = dL/d(output): each window's gradient goes to the cell that held its maximum (the
    first one if several tie); every other cell gets 0."""
    X, G = np.asarray(X, dtype=float), np.asarray(G, dtype=float)
    grad = np.zeros_like(X)
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            window = X[i * k : (i + 1) * k, j * k : (j + 1) * k]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            grad[i * k + a, j * k + b] += G[i, j]
    return grad


def adaptive_avg_pool(X, n):
    """Adaptive average pooling of a 2-D array X (H, W) to an n x n output: output (i, j)
    averages rows floor(i*H/n) to ceil((i+1)*H/n) - 1 and the same for the columns."""
    X = np.asarray(X, dtype=float)
    H, W = X.shape
    Y = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            rows = slice(i * H // n, -(-(i + 1) * H // n))  # -(-a // b) rounds a / b up
            cols = slice(j * W // n, -(-(j + 1) * W // n))
            Y[i, j] = X[rows, cols].mean()
    return Y


def l2_pool(X, k):
    """L2 pooling of a 2-D array X with k x k windows side by side (stride k): the square
    root of the sum of the squares of each window."""
    X = np.asarray(X, dtype=float)
    Y = np.zeros((X.shape[0] // k, X.shape[1] // k))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sqrt(np.sum(X[i * k : (i + 1) * k, j * k : (j + 1) * k] ** 2))
    return Y


def max_pool2d_padded(X, k, s, p):
    """Max pooling of a 2-D array X with k x k windows, stride s and p cells of padding on
    every side; the padding is -infinity, so a padded cell never wins a window."""
    X = np.asarray(X, dtype=float)
    padded = np.full((X.shape[0] + 2 * p, X.shape[1] + 2 * p), -np.inf)
    padded[p : p + X.shape[0], p : p + X.shape[1]] = X
    Y = np.zeros(((padded.shape[0] - k) // s + 1, (padded.shape[1] - k) // s + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = padded[i * s : i * s + k, j * s : j * s + k].max()
    return Y


# Typical wrong answers, recognised in the feedback.
def _avg_pool2d(X, k, s):
    X = np.asarray(X, dtype=float)
    Y = np.zeros(((X.shape[0] - k) // s + 1, (X.shape[1] - k) // s + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = X[i * s : i * s + k, j * s : j * s + k].mean()
    return Y


def _max_pool2d_from_zero(X, k, s):
    return np.maximum(max_pool2d(X, k, s), 0)  # a running maximum that started at 0


def _max_pool2d_stride_one(X, k, s):
    return max_pool2d(X, k, 1)


def _max_pool2d_stride_k(X, k, s):
    return max_pool2d(X, k, k)


def _max_pool2d_floor_division(X, k, s):
    X = np.asarray(X, dtype=float)
    Y = np.zeros((X.shape[0] // s, X.shape[1] // s))  # H // s outputs: too many when k > s
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = X[i * s : i * s + k, j * s : j * s + k].max()  # cut short at the edge
    return Y


def _backward_spread_evenly(X, G, k):
    G = np.asarray(G, dtype=float)
    return np.kron(G, np.ones((k, k))) / (k * k)


def _backward_every_maximum(X, G, k):
    X, G = np.asarray(X, dtype=float), np.asarray(G, dtype=float)
    grad = np.zeros_like(X)
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            window = X[i * k : (i + 1) * k, j * k : (j + 1) * k]
            grad[i * k : (i + 1) * k, j * k : (j + 1) * k] += (window == window.max()) * G[i, j]
    return grad


def _backward_last_maximum(X, G, k):
    X, G = np.asarray(X, dtype=float), np.asarray(G, dtype=float)
    grad = np.zeros_like(X)
    for i in range(G.shape[0]):
        for j in range(G.shape[1]):
            window = X[i * k : (i + 1) * k, j * k : (j + 1) * k]
            flat = window.size - 1 - np.argmax(window.ravel()[::-1])  # the last maximum
            a, b = np.unravel_index(flat, window.shape)
            grad[i * k + a, j * k + b] += G[i, j]
    return grad


def _adaptive_floor_only(X, n):
    X = np.asarray(X, dtype=float)
    H, W = X.shape
    Y = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            Y[i, j] = X[i * H // n : (i + 1) * H // n, j * W // n : (j + 1) * W // n].mean()
    return Y


def _adaptive_fixed_window(X, n):
    X = np.asarray(X, dtype=float)
    kh, kw = X.shape[0] // n, X.shape[1] // n  # one window size for all, side by side
    Y = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            Y[i, j] = X[i * kh : (i + 1) * kh, j * kw : (j + 1) * kw].mean()
    return Y


def _l2_rms(X, k):
    return l2_pool(X, k) / k  # sqrt of the MEAN of squares


def _l2_no_root(X, k):
    return l2_pool(X, k) ** 2


def _l2_sum_of_absolute_values(X, k):
    X = np.abs(np.asarray(X, dtype=float))
    H, W = X.shape[0] // k * k, X.shape[1] // k * k
    return X[:H, :W].reshape(H // k, k, W // k, k).sum(axis=(1, 3))


def _padded_with_zeros(X, k, s, p):
    return max_pool2d(np.pad(np.asarray(X, dtype=float), p), k, s)


def _padded_without_padding(X, k, s, p):
    return max_pool2d(X, k, s)


# --------------------------------------------------------------------------- the exercises

_X = np.array([[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 8, 2]])

q1 = ArrayExercise(
    "q1",
    "Max pooling by hand",
    """
    Max-pool `X = [[1, 3, 2, 0], [4, 6, 1, 1], [0, 2, 5, 7], [3, 1, 8, 2]]` with 2x2 windows
    and stride 2 (the windows side by side). Give the 2x2 result as a nested list or an array:
    `answer = [[a, b], [c, d]]`.
    """,
    answer=max_pool2d(_X, 2, 2),
    hint_text=[
        "Cut X into four 2x2 blocks: top-left [[1, 3], [4, 6]], top-right [[2, 0], [1, 1]], ...",
        "Keep the largest number of each block, in the block's place.",
    ],
    solution_text="`[[6, 2], [3, 8]]`: the largest value of each 2x2 block.",
    common_mistakes=[
        (_avg_pool2d(_X, 2, 2), "that is average pooling; max pooling keeps each block's "
         "largest value."),
        (max_pool2d(_X, 2, 1), "that is stride 1 (overlapping windows); with stride 2 the "
         "windows sit side by side and the output is 2x2."),
    ],
    placeholder="your 2x2 answer here, e.g. [[0, 0], [0, 0]]",
)

q2 = ArrayExercise(
    "q2",
    "Average pooling by hand",
    """
    Now average-pool the same `X` with 2x2 windows and stride 2. Give the 2x2 result as a nested
    list or an array.
    """,
    answer=_avg_pool2d(_X, 2, 2),
    hint_text="Add the four numbers of each 2x2 block and divide by 4.",
    solution_text="`[[3.5, 1.0], [1.5, 5.5]]`: for example (1 + 3 + 4 + 6) / 4 = 3.5.",
    common_mistakes=[
        (max_pool2d(_X, 2, 2), "that is max pooling (Exercise 4.1); average pooling takes each "
         "block's mean."),
        (4 * _avg_pool2d(_X, 2, 2), "those are the sums of the blocks: divide each by 4."),
    ],
)

q3 = NumberExercise(
    "q3",
    "Output size",
    """
    A 224x224 feature map goes through a max pooling layer with 2x2 windows and stride 2. What
    is the output's height? Give an integer.
    """,
    answer=112,
    hint_text="W2 = (W1 - F)/S + 1.",
    solution_text="**112** = (224 - 2)/2 + 1: 2x2 pooling with stride 2 halves the size.",
    common_mistakes={
        223: "that is stride 1; with stride 2 the windows do not overlap.",
        111: "(224 - 2)/2 = 111 counts the steps between windows; add 1.",
        224: "pooling with stride 2 halves the size; it does not keep it.",
    },
    integer=True,
)

q4 = NumberExercise(
    "q4",
    "Parameters of a pooling layer",
    """
    How many learnable parameters does a 3x3 max pooling layer with stride 2 have, on an input
    with 64 channels? Give an integer.
    """,
    answer=0,
    hint_text="What would training change in a max pooling layer?",
    solution_text="**0**: pooling computes a fixed function (the maximum) of each window. Its "
    "window size and stride are hyperparameters, chosen, not learned.",
    common_mistakes={
        9: "a 3x3 window has 9 cells, but they are not weights: the maximum has nothing to "
        "learn.",
        576: "pooling has no kernel: 3*3*64 would be weights, and max pooling has none.",
        640: "3*3*64 + 64 counts a 3x3 kernel and a bias per channel, as if the layer were a "
        "depthwise convolution; pooling has no weights and no biases.",
    },
    integer=True,
    say_direction=False,
)

q5 = ArrayExercise(
    "q5",
    "Overlapping pooling",
    """
    AlexNet pools with 3x3 windows and stride 2, so neighbouring windows overlap by one cell.
    What is the output's shape (C, H, W) for an input of shape (96, 55, 55)? Answer with three
    integers, e.g. `answer = [1, 2, 3]`.
    """,
    answer=[96, 27, 27],
    hint_text=[
        "Pooling works on each channel on its own: the number of channels does not change.",
        "(55 - 3)/2 + 1.",
    ],
    solution_text="**(96, 27, 27)**: (55 - 3)/2 + 1 = 27 per side, and the 96 channels are "
    "pooled one by one.",
    common_mistakes=[
        ([1, 27, 27], "pooling does not merge channels: each of the 96 is pooled on its own."),
        ([96, 53, 53], "that is stride 1; with stride 2 the windows start every other cell."),
        ([96, 28, 28], "one too many: (55 - 3)/2 + 1 = 27 exactly; a 28th window would need "
         "a 57-wide input."),
        ([96, 18, 18], "that is stride 3 (windows side by side); AlexNet's windows overlap."),
    ],
    level="medium",
    placeholder="[C, H, W], three integers",
)

q6 = NumberExercise(
    "q6",
    "How many outputs change?",
    """
    The row `[2, 0, 4, 1, 0, 3]` is max-pooled with windows of width 3 and stride 1, giving 4
    outputs. Then the row is shifted one cell to the right (a 0 comes in on the left and the
    last value falls off): `[0, 2, 0, 4, 1, 0]`. How many of the 4 pooled outputs change? Give
    an integer.
    """,
    answer=2,
    hint_text=[
        "Pool the first row: max(2, 0, 4), max(0, 4, 1), max(4, 1, 0), max(1, 0, 3).",
        "Pool the shifted row the same way and compare the two lists position by position.",
    ],
    solution_text="**2**: the outputs go from `[4, 4, 4, 3]` to `[2, 4, 4, 4]`. Every input "
    "value moved, but only the first and the last outputs changed: the 4 stays the maximum of "
    "the windows that still contain it.",
    common_mistakes={
        4: "compare the pooled outputs, not the inputs: the middle two stay 4.",
        6: "the question counts the 4 pooled outputs, not the 6 inputs.",
        0: "the first window no longer holds the 4, and the last one now does.",
    },
    integer=True,
    level="medium",
)

q7 = ChoiceExercise(
    "q7",
    "Which pooling?",
    """
    A feature map responds strongly where a small pattern (an eye, say) appears, and is near 0
    elsewhere. The next layer should know whether the pattern appears **anywhere** in each 4x4
    region, not how much of the region it fills. Which pooling fits best? Answer with a letter
    as a string.
    """,
    options=[
        "average pooling",
        "max pooling",
        "L2 pooling",
        "no pooling: a 1x1 convolution",
    ],
    answer="b",
    explanations={
        "a": "a small strong response averaged with fifteen near-zero ones is diluted: the mean "
        "says how much of the region is 'eye', not whether there is one.",
        "c": "the L2 norm sits between the mean and the maximum; it still grows with how many "
        "cells respond, and it spreads gradients over the whole window.",
        "d": "a 1x1 convolution keeps every position; it summarises no region.",
    },
    hint_text="Which summary of a window is large as soon as ONE of its cells is large?",
    solution_text="**b**: the maximum of a window is large if any cell of it is, wherever that "
    "cell is: max pooling works as an OR over the region.",
    level="medium",
)

q8 = NumberExercise(
    "q8",
    "Global average pooling saves weights",
    """
    A network ends in a 7x7x512 feature map and a fully connected layer with 1000 outputs (no
    biases). How many times fewer weights does that layer need if the map first goes through
    global average pooling (one number per channel) instead of being flattened? Give an
    integer.
    """,
    answer=49,
    hint_text=[
        "Flattened, the layer sees 7*7*512 inputs; after global average pooling, 512.",
        "Weights = inputs * 1000 in both cases; divide.",
    ],
    solution_text="**49**: 7*7*512*1000 = 25,088,000 weights against 512*1000 = 512,000, a "
    "factor of 7*7. The pooled network also accepts images of any size.",
    common_mistakes={
        512: "global pooling keeps the 512 channels and removes the 7x7 positions: the factor "
        "is 7*7.",
        7: "the map is 7x7: both dimensions go, a factor of 7*7.",
    },
    integer=True,
    level="medium",
)

_rng = np.random.default_rng(4)
_deck = np.array([[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]])

q9 = FunctionExercise(
    "q9",
    "Max pooling in code",
    """
    Write `max_pool2d(X, k, s)`: max pooling of a 2-D NumPy array `X` (H, W) with k x k windows
    moved s cells at a time, no padding. Return a float NumPy array of shape
    ((H - k) // s + 1, (W - k) // s + 1) whose entry (i, j) is the largest value of
    `X[i*s : i*s + k, j*s : j*s + k]`. Check it with `ex.q9.check(max_pool2d)`.
    """,
    reference=max_pool2d,
    cases=[
        ("the decks' 4x4 example, 2x2, stride 2", (_deck, 2, 2)),
        ("Exercise 4.1's X, 2x2, stride 2", (_X, 2, 2)),
        ("overlapping windows: 3x3, stride 2", (np.arange(25).reshape(5, 5) % 7, 3, 2)),
        ("a stride that does not fit: 5x5, 2x2, stride 2", (np.arange(25).reshape(5, 5), 2, 2)),
        ("negative values", (-np.arange(1, 17).reshape(4, 4), 2, 2)),
        ("a 1x1 window (nothing to pool)", (_deck, 1, 1)),
        ("a non-square input", (np.round(_rng.normal(size=(6, 9)), 2), 3, 3)),
        ("3x3 windows, stride 2, on an 8x8 input",
         (np.round(_rng.normal(size=(8, 8)), 2), 3, 2)),
        ("2x2 windows, stride 1 (overlapping)", (_X, 2, 1)),
        ("a non-square 5x8 input, 3x3 windows, stride 2",
         (np.round(_rng.normal(size=(5, 8)), 2), 3, 2)),
    ],
    common_mistakes=[
        (_avg_pool2d, "That is the average of each window; max pooling keeps its largest "
         "value (`.max()`)."),
        (_max_pool2d_from_zero, "Your maximum never goes below 0: start from the window's first "
         "value (or use `.max()`), not from 0."),
        (_max_pool2d_stride_one, "Move the window s cells at a time: output (i, j) starts at "
         "row i*s and column j*s."),
        (_max_pool2d_stride_k, "You moved the window k cells at a time (its size); the stride "
         "is s: output (i, j) starts at row i*s and column j*s."),
        (_max_pool2d_floor_division, "Your output has H // s rows, but only (H - k) // s + 1 "
         "windows fit: when k > s the last windows stick out past the edge, and NumPy's slice "
         "silently cuts them short. Drop them."),
    ],
    hint_text=[
        "Compute the output shape first, then loop over i and j.",
        "The window of output (i, j) is `X[i*s : i*s + k, j*s : j*s + k]`; keep its `.max()`.",
    ],
    solution_text="Each output is the largest value of its window:",
)

q10 = FunctionExercise(
    "q10",
    "The backward pass of max pooling",
    """
    Write `max_pool_backward(X, G, k)` for k x k max pooling with stride k (windows side by
    side) of a 2-D NumPy array `X` (H, W), where H and W are multiples of k. `G` is the
    gradient of the loss with respect to the pooled output, shape (H // k, W // k). Return
    dL/dX, a float array shaped like X: each window's gradient goes to the cell that held its
    maximum (the first one in reading order if several tie); all other cells get 0. Check it
    with `ex.q10.check(max_pool_backward)`.
    """,
    reference=max_pool_backward,
    cases=[
        ("the decks' 4x4 example, G all ones", (_deck, np.ones((2, 2)), 2)),
        ("Exercise 4.1's X with different gradients", (_X, np.array([[1.0, -2], [0.5, 3]]), 2)),
        ("3x3 windows on a 6x6 input", (np.round(_rng.normal(size=(6, 6)), 2),
                                        np.round(_rng.normal(size=(2, 2)), 2), 3)),
        ("ties: the first maximum gets it", (np.array([[5, 5], [1, 5.0]]), np.array([[2.0]]),
                                             2)),
        ("a 1x1 window passes everything", (_X, np.arange(16.0).reshape(4, 4), 1)),
        ("a non-square 4x6 input, 2x2 windows", (np.round(_rng.normal(size=(4, 6)), 2),
                                                 np.array([[1.0, -1, 2], [0.5, 3, -2]]), 2)),
        ("ties in a window of zeros (after a ReLU)", (np.array([[0.0, 0, 3, 1], [0, 0, 2, 3]]),
                                                      np.array([[4.0, 5]]), 2)),
    ],
    common_mistakes=[
        (_backward_spread_evenly, "That spreads each gradient over the whole window, which is "
         "the backward pass of AVERAGE pooling; max pooling sends it all to the maximum."),
        (_backward_every_maximum, "When several cells tie for the maximum, only one of them (the "
         "first in reading order, as PyTorch) was the output: give the gradient to that one."),
        (_backward_last_maximum, "When several cells tie, the gradient goes to the FIRST of "
         "them in reading order (np.argmax, PyTorch); yours gives it to the last (a running "
         "maximum updated with >= does that: use >)."),
    ],
    hint_text=[
        "The output of a window equals one of its cells; the loss depends on the other cells "
        "not at all (for small changes).",
        "Inside a window, `np.unravel_index(np.argmax(window), window.shape)` gives the first "
        "maximum's (row, column).",
    ],
    solution_text="Only the maximum of each window reached the output, so only it gets the "
    "window's gradient:",
)

q11 = FunctionExercise(
    "q11",
    "Adaptive average pooling in code",
    """
    Write `adaptive_avg_pool(X, n)`: average-pool a 2-D NumPy array `X` (H, W) to an n x n
    output whatever H and W are. Output (i, j) averages the rows from floor(i*H/n) up to, but
    not including, ceil((i+1)*H/n), and likewise for the columns (PyTorch's rule: the windows
    may overlap by one cell). Return a float array of shape (n, n). Check it with
    `ex.q11.check(adaptive_avg_pool)`.
    """,
    reference=adaptive_avg_pool,
    cases=[
        ("5x5 to 3x3 (overlapping windows)", (np.arange(25.0).reshape(5, 5), 3)),
        ("6x6 to 3x3 (2x2 windows side by side)", (np.arange(36.0).reshape(6, 6), 3)),
        ("7x7 to 1x1 (global average pooling)", (np.round(_rng.normal(size=(7, 7)), 2), 1)),
        ("4x4 to 4x4 (nothing to pool)", (_X, 4)),
        ("a non-square 5x8 input to 2x2", (np.arange(40.0).reshape(5, 8), 2)),
    ],
    common_mistakes=[
        (_adaptive_floor_only, "Round the window's end UP: it runs to ceil((i+1)*H/n), so that "
         "where (i+1)*H/n falls inside a cell, both neighbouring windows include that cell; "
         "rounding it down gives the cell to the next window only."),
        (_adaptive_fixed_window, "Adaptive pooling has no fixed window size: window i runs "
         "from floor(i*H/n) to ceil((i+1)*H/n), so when n does not divide H the windows differ "
         "in size or overlap, and together they always cover every cell."),
    ],
    hint_text=[
        "For an axis of length L and n outputs, window i is `slice(i * L // n, "
        "-(-(i + 1) * L // n))` (the second bound is the ceiling).",
        "Loop over i and j and take `.mean()` of `X[rows, cols]`.",
    ],
    solution_text="Each window's bounds follow from the output size, not from a kernel size:",
)

q12 = FunctionExercise(
    "q12",
    "L2 pooling in code",
    """
    Write `l2_pool(X, k)`: L2 pooling of a 2-D NumPy array `X` (H, W) with k x k windows side by
    side (stride k; drop rows and columns that do not fill a window). Each output is the square
    root of the sum of the squares of its window. Return a float array of shape
    (H // k, W // k). Check it with `ex.q12.check(l2_pool)`.
    """,
    reference=l2_pool,
    cases=[
        ("the decks' 4x4 example, 2x2", (_deck, 2)),
        ("negative values", (-_X, 2)),
        ("3x3 windows on a 7x7 input (a row and a column left over)",
         (np.round(_rng.normal(size=(7, 7)), 2), 3)),
        ("1x1 windows: the absolute values", (np.array([[-3.0, 4], [0, -1]]), 1)),
    ],
    common_mistakes=[
        (_l2_rms, "That is the root of the MEAN of the squares; L2 pooling takes the root of "
         "their SUM (PyTorch's lp_pool2d with norm_type=2)."),
        (_l2_no_root, "Take the square root of the sum of squares."),
        (_l2_sum_of_absolute_values, "That is the sum of the absolute values (the L1 norm); "
         "the L2 norm is the square root of the sum of the squares."),
    ],
    hint_text="For each window: `np.sqrt(np.sum(window ** 2))`.",
    solution_text="The L2 norm of each window:",
)

q13 = NumberExercise(
    "q13",
    "Overlapping windows on an 8x8 map",
    """
    2x2 max pooling with stride 2 halves an 8x8 map to 4x4. Make the windows 3x3 and keep the
    stride at 2 (the overlapping pooling of AlexNet). What is the output's height now? Predict
    and give an integer, then run the experiment below, which prints the output size for a few
    windows and strides next to `size // stride` (change `size`).
    """,
    answer=3,
    hint_text=[
        "A 3x3 window needs 3 cells; where can it start, moving 2 cells at a time, on an 8-wide "
        "map?",
        "(H - F) // S + 1, as for a convolution without padding.",
    ],
    solution_text="**3** = (8 - 3) // 2 + 1: the window starts at columns 0, 2 and 4; a start "
    "at 6 would need columns 6 to 8 of an 8-wide map. `H // S` gives the size only when the "
    "window is as large as the stride.",
    common_mistakes={
        4: "8 // 2 = 4 holds for 2x2 windows; a 3x3 window starting at column 6 would stick "
        "out of the map, so only 3 windows fit: (8 - 3) // 2 + 1.",
        6: "that is stride 1; with stride 2 the windows start every other cell.",
        3.5: "(8 - 3)/2 + 1 = 3.5 is not a whole number of windows: PyTorch rounds it down.",
        2: "that moves the window 3 cells at a time (its size); the stride is still 2.",
    },
    integer=True,
    level="easy",
    placeholder="your prediction here (an integer)",
    experiment="""
    import torch
    import torch.nn.functional as F

    size = 8                                        # try 7, 9 or 13
    x = torch.zeros(1, 1, size, size)
    for k, s in [(2, 2), (3, 2), (3, 3), (2, 1)]:
        out = F.max_pool2d(x, k, s)
        h, w = out.shape[-2:]
        print(f"{k}x{k} windows, stride {s}: {size}x{size} -> {h}x{w}"
              f"   ({size} // {s} = {size // s})")
    """,
)

q14 = ChoiceExercise(
    "q14",
    "A one-pixel shift under 2x2 pooling",
    """
    The row `[0, 0, 0, 9, 0, 0, 0, 0]` (a strong response at cell 3) is max-pooled with windows
    of width 2 and stride 2, giving `[0, 9, 0, 0]`. Shift the row one cell to the right (the 9
    moves to cell 4). What is the pooled output now? Predict, answer with a letter as a string,
    then run the experiment below (change `where` to 2, or `shift` to 2).
    """,
    options=[
        "[0, 9, 0, 0]: max pooling ignores a shift smaller than its window",
        "[0, 0, 9, 0]: the 9 moves into the next window",
        "[0, 9, 9, 0]: the 9 now counts for both windows it borders",
        "[0, 0, 0, 9]: the output shifts by the stride, 2 cells",
    ],
    answer="b",
    explanations={
        "a": "that holds when the 9 moves inside its window (from cell 2 to 3); from cell 3 "
        "it crosses into the window of cells 4 and 5. Pooling is only approximately invariant.",
        "c": "windows side by side (stride 2) share no cell: cell 4 belongs only to the window "
        "of cells 4 and 5.",
        "d": "a shift by one input cell moves the 9 into the neighbouring window, one output "
        "cell further; an output cell stands for 2 input cells, not the other way round.",
    },
    hint_text=[
        "The windows are cells (0, 1), (2, 3), (4, 5) and (6, 7).",
        "Which window holds cell 4?",
    ],
    solution_text="**b**: the windows are cells (0, 1), (2, 3), (4, 5), (6, 7), and the 9 moves "
    "from the second to the third. Whether a one-pixel shift changes the pooled output depends "
    "on where the feature sits in its window: from cell 2 to 3 it would not.",
    level="medium",
    experiment="""
    import numpy as np

    where, shift = 3, 1                             # try where = 2, or shift = 2
    row = np.zeros(8)
    row[where] = 9
    moved = np.roll(row, shift)                     # the row shifted right by `shift` cells
    # max pooling of width 2, stride 2
    pooled = [r.reshape(-1, 2).max(axis=1).astype(int) for r in (row, moved)]
    print("pooled before:", pooled[0], "  after the shift:", pooled[1])
    """,
)

q15 = FunctionExercise(
    "q15",
    "Max pooling with padding in code",
    """
    Write `max_pool2d_padded(X, k, s, p)`: max pooling of a 2-D NumPy array `X` (H, W) with
    k x k windows, stride s and p cells of padding on every side. Max pooling pads with
    **minus infinity**, so that a padded cell never wins (section 2). Assume p <= k // 2, as
    PyTorch does, so every window holds at least one cell of X. Return a float array of shape
    ((H + 2p - k) // s + 1, (W + 2p - k) // s + 1). Check it with
    `ex.q15.check(max_pool2d_padded)`.
    """,
    reference=max_pool2d_padded,
    cases=[
        ("section 2's negative 3x3 input, 2x2 windows, stride 1, padding 1",
         (-np.arange(1.0, 10).reshape(3, 3), 2, 1, 1)),
        ("ResNet's pooling: 3x3 windows, stride 2, padding 1, on a 7x7 input",
         (np.round(_rng.normal(size=(7, 7)), 2), 3, 2, 1)),
        ("3x3 windows, stride 1, padding 1 (the size is kept)",
         (np.round(_rng.normal(size=(5, 5)) - 1, 2), 3, 1, 1)),
        ("no padding", (_deck, 2, 2, 0)),
        ("a non-square 6x9 input, 3x3 windows, stride 2, padding 1",
         (np.round(_rng.normal(size=(6, 9)), 2), 3, 2, 1)),
        ("2x2 windows, stride 2, padding 1, on negative values", (_X - 9.0, 2, 2, 1)),
    ],
    common_mistakes=[
        (_padded_with_zeros, "You padded with zeros: a padded 0 beats the negative values at "
         "the border. Pad with -np.inf (or leave the padded cells out of each window)."),
        (_padded_without_padding, "You left the padding out: the windows run over the padded "
         "input, H + 2p cells wide."),
    ],
    hint_text=[
        "Make a (H + 2p, W + 2p) array full of `-np.inf`, copy X into its middle, then pool it "
        "as in Exercise 4.9.",
        "The window of output (i, j) is `padded[i*s : i*s + k, j*s : j*s + k]`.",
    ],
    solution_text="Pad with -infinity, then pool as without padding; the maximum never picks a "
    "padded cell:",
)


EXERCISES = number_exercises(
    4, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15]
)


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(4, EXERCISES)
