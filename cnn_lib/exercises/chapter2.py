"""Exercises for chapter 2, Convolution (``notebooks/02_convolution.ipynb``), easy to hard.

>>> from cnn_lib.exercises import chapter2 as ex
>>> ex.q1.check(28)
✓ Correct! 28 is right.

The reference solutions are plain NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ArrayExercise, ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 16)]


# --------------------------------------------------------------------------- reference functions


def corr2d(X, K):
    """Valid, stride-1 cross-correlation of a 2-D array X with a 2-D kernel K (what libraries
    call "convolution")."""
    X = np.asarray(X, dtype=float)
    K = np.asarray(K, dtype=float)
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i : i + kh, j : j + kw] * K)
    return Y


def conv_matrix_1d(k, n):
    """The (n - len(k) + 1, n) matrix M with M @ x == valid cross-correlation of x with k."""
    k = np.asarray(k, dtype=float)
    m = len(k)
    M = np.zeros((n - m + 1, n))
    for i in range(n - m + 1):
        M[i, i : i + m] = k  # row i holds the kernel, shifted i places to the right
    return M


def conv2d_multi(X, W, b):
    """X (C, H, W) one image, W (K, C, F, F) filters, b (K,) biases -> (K, H-F+1, W-F+1)."""
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    K, C, F, _ = W.shape
    out = np.zeros((K, X.shape[1] - F + 1, X.shape[2] - F + 1))
    for k in range(K):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                # the filter spans all C input channels: one sum over C*F*F products
                out[k, i, j] = np.sum(X[:, i : i + F, j : j + F] * W[k]) + b[k]
    return out


def convolve1d(x, w):
    """The valid true convolution of a 1-D x (n readings) with a kernel w (m weights, w[a] for
    the reading a ticks ago): entry t is sum over a of w[a] * x[t + m - 1 - a], length n - m + 1,
    what np.convolve(x, w, mode="valid") gives."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    m = len(w)
    y = np.zeros(len(x) - m + 1)
    for t in range(len(y)):
        for a in range(m):
            y[t] += w[a] * x[t + m - 1 - a]  # the reading a ticks before tick t + m - 1
    return y


def grad_weight(X, G):
    """dL/dK for Y = corr2d(X, K): X (H, W) the input, G (H-kh+1, W-kw+1) the upstream gradient
    dL/dY -> (kh, kw), the cross-correlation of the input with the upstream gradient."""
    return corr2d(X, G)


# Typical wrong answers, recognised in the feedback.
def _true_conv2d(X, K):
    return corr2d(X, np.asarray(K, dtype=float)[::-1, ::-1])


def _corr2d_short_loops(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    full = corr2d(X, K)
    return full[:-1, :-1]


def _corr2d_integer(X, K):
    """np.zeros_like(X) keeps X's integer dtype: every sum is truncated."""
    X = np.asarray(X)
    return corr2d(X, K).astype(X.dtype) if X.dtype.kind in "iu" else corr2d(X, K)


def _corr2d_mean(X, K):
    return corr2d(X, K) / np.asarray(K).size


def _conv_matrix_transposed(k, n):
    return conv_matrix_1d(k, n).T


def _conv_matrix_flipped(k, n):
    return conv_matrix_1d(np.asarray(k, dtype=float)[::-1], n)


def _conv_matrix_short(k, n):
    return conv_matrix_1d(k, n)[:-1]


def _conv_matrix_partial(k, n):
    """n rows: the last len(k) - 1 rows hold the kernel cut off by the end of the input."""
    k = np.asarray(k, dtype=float)
    M = np.zeros((n, n))
    for i in range(n):
        M[i, i : i + len(k)] = k[: n - i]
    return M


def _conv2d_multi_mean_over_channels(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    return (conv2d_multi(X, W, b) - b[:, None, None]) / X.shape[0] + b[:, None, None]


def _conv2d_multi_bias_per_channel(X, W, b):
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    return conv2d_multi(X, W, b * X.shape[0])


def _conv2d_multi_no_bias(X, W, b):
    return conv2d_multi(X, W, np.zeros_like(np.asarray(b, dtype=float)))


def _conv2d_multi_flipped(X, W, b):
    return conv2d_multi(X, np.asarray(W, dtype=float)[:, :, ::-1, ::-1], b)


# --------------------------------------------------------------------------- the exercises

_X = np.array([[1, 2, 0], [0, 1, 3], [2, 1, 0]])
_K = np.array([[1, 0], [0, -1]])

q1 = NumberExercise(
    "q1",
    "Output size",
    """
    A 32x32 single-channel image is convolved with a 5x5 filter, valid (no padding), stride 1.
    What is the output height? Give an integer: `answer = ...`.
    """,
    answer=28,
    hint_text=[
        "Count the positions where the top row of the filter can sit so that the filter stays "
        "inside the image.",
        "The output size is H - F + 1.",
    ],
    solution_text="**28** = 32 - 5 + 1: the filter's top row can sit on rows 0 to 27.",
    common_mistakes={
        27: "off by one: H - F = 27 counts the steps between positions; add 1 for the positions.",
        32: "that is the size with 'same' padding; without padding the output shrinks.",
    },
    integer=True,
)

q2 = ArrayExercise(
    "q2",
    "Cross-correlation by hand",
    """
    Cross-correlate `X = [[1, 2, 0], [0, 1, 3], [2, 1, 0]]` with the kernel `w = [[1, 0], [0, -1]]`
    by hand: valid (no padding), stride 1. Slide w over X, multiply element-wise and sum; do not
    flip w. Give the 2x2 result as a nested list or a NumPy array: `answer = [[a, b], [c, d]]`.
    """,
    answer=corr2d(_X, _K),
    hint_text=[
        "The top-left output uses the window [[1, 2], [0, 1]]: 1*1 + 2*0 + 0*0 + 1*(-1).",
        "The kernel w keeps the top-left value of each window and subtracts the bottom-right one.",
    ],
    solution_text="""
    `[[0, -1], [-1, 1]]`: the kernel w computes top-left minus bottom-right of each 2x2 window,
    e.g. 1 - 1 = 0 for the first window and 2 - 3 = -1 for the second.
    """,
    common_mistakes=[
        (
            _true_conv2d(_X, _K),
            "that is the true convolution (flipped kernel); "
            "libraries compute cross-correlation, which does not flip w.",
        )
    ],
    placeholder="your 2x2 answer here, e.g. [[0, 0], [0, 0]]",
)

q3 = ArrayExercise(
    "q3",
    "True convolution by hand",
    """
    Now compute the **true convolution** of the same `X = [[1, 2, 0], [0, 1, 3], [2, 1, 0]]` and
    `w = [[1, 0], [0, -1]]` (valid, stride 1): flip w in both axes (rotate it by 180 degrees), then
    cross-correlate. Give the 2x2 result as a nested list or a NumPy array.
    """,
    answer=_true_conv2d(_X, _K),
    hint_text=[
        "Flipping [[1, 0], [0, -1]] in both axes gives [[-1, 0], [0, 1]].",
        "With the flipped kernel each output is bottom-right minus top-left of its window.",
    ],
    solution_text="""
    `[[0, 1], [1, -1]]`: the flipped kernel is `[[-1, 0], [0, 1]]`, so every output of
    Exercise 2.2 changes sign (here, because flipping this w just negates it).
    """,
    common_mistakes=[
        (
            corr2d(_X, _K),
            "that is the cross-correlation of Exercise 2.2: flip w in both axes first (true "
            "convolution).",
        )
    ],
)

q4 = ChoiceExercise(
    "q4",
    "An edge detector",
    """
    Which 3x3 kernel gives a large **positive** response (with cross-correlation, as libraries
    compute it) on a vertical edge that is dark on the left and bright on the right? Answer with a
    letter as a string, e.g. `answer = "a"`.
    """,
    options=[
        "[[-1, -1, -1], [0, 0, 0], [1, 1, 1]]",
        "[[1, 1, 1], [1, 1, 1], [1, 1, 1]] / 9",
        "[[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]",
        "[[0, 0, 0], [0, 1, 0], [0, 0, 0]]",
    ],
    answer="c",
    explanations={
        "a": "this kernel compares the bottom row with the top row: it detects horizontal edges "
        "(dark above, bright below); on a vertical edge its rows cancel.",
        "b": "a box blur averages the window; it smooths an edge instead of detecting it.",
        "d": "the identity kernel copies the input; it has no preference for edges.",
    },
    hint_text="Try each kernel on the window [[0, 0, 9], [0, 0, 9], [0, 0, 9]] "
    "(dark left, bright right).",
    solution_text="""
    **c**: `[[-1, 0, 1]] * 3` subtracts the left column from the right column, which is large and
    positive exactly where the right side is brighter.
    """,
)

q5 = ChoiceExercise(
    "q5",
    "Translation equivariance",
    """
    Which statement is true for a stride-1 convolution layer, away from the image borders?
    Answer with a letter as a string.
    """,
    options=[
        "Shifting the input leaves the output unchanged (translation invariance).",
        "Shifting the input and then convolving gives the same result as convolving and then "
        "shifting the output (translation equivariance).",
        "Rotating the input and then convolving gives the same result as convolving and then "
        "rotating the output.",
        "Scaling (zooming) the input and then convolving gives the same result as convolving and "
        "then scaling the output.",
    ],
    answer="b",
    explanations={
        "a": "the output shifts along with the input, it does not stay put; pooling on top of "
        "convolution gives approximate invariance to small shifts.",
        "c": "a kernel has an orientation: a vertical-edge filter does not respond to a rotated "
        "(horizontal) edge the same way.",
        "d": "a kernel has a fixed size: a 3x3 filter sees a zoomed-in pattern differently.",
    },
    hint_text="Think of a feature map as 'where is the pattern?'. What happens to it when the "
    "pattern moves 2 pixels to the right?",
    solution_text="""
    **b**: the same kernel is applied at every position, so moving the pattern moves its
    response by the same amount: f(shift(x)) = shift(f(x)).
    """,
)

q6 = NumberExercise(
    "q6",
    "Parameters of a convolution layer",
    """
    A convolution layer takes a 3-channel input and has 16 filters of size 5x5, each with a
    bias. How many learnable parameters does it have (weights plus biases)? Give an integer.
    """,
    answer=16 * (5 * 5 * 3 + 1),
    hint_text=[
        "Each filter spans the full input depth: it is 5x5x3, not 5x5.",
        "Each filter has one bias. Parameters = (F*F*C + 1) * K.",
    ],
    solution_text="**1216** = 16 * (5*5*3 + 1): each of the 16 filters has 75 weights and 1 bias.",
    common_mistakes={
        1200: "you forgot the biases: one per filter.",
        416: "you forgot the depth: each filter spans all 3 input channels (5x5x3 weights).",
        400: "you forgot the depth (each filter is 5x5x3) and the biases (one per filter).",
        1203: "one bias per filter (16), not one per input channel.",
        76: "that is one filter (5*5*3 + 1); the layer has 16.",
    },
    integer=True,
    level="medium",
)

q7 = NumberExercise(
    "q7",
    "Fully connected versus shared weights",
    """
    A 4x4 single-channel input is convolved with a 3x3 filter (valid, stride 1, no bias), giving a
    2x2 output. How many weights does a **fully connected** layer (no bias) need to map the same
    4x4 input to a 2x2 output? Give an integer.
    """,
    answer=16 * 4,
    hint_text=[
        "In a fully connected layer every output value has its own weight for every input value.",
        "Count inputs and outputs: weights = (number of inputs) * (number of outputs).",
    ],
    solution_text="**64** = 16 inputs * 4 outputs; the convolution shares 9 weights among all "
    "4 outputs.",
    common_mistakes={
        9: "that is the convolution's shared 3x3 kernel; a fully connected layer shares nothing.",
        36: "that is 9 weights for each of the 4 outputs, as if each output saw only its 3x3 "
        "window "
        "(a locally connected layer); fully connected means every output sees all 16 inputs.",
        16: "that is one output's weights; there are 4 outputs.",
        256: "the output has 4 values (2x2), not 16.",
    },
    integer=True,
    level="medium",
)

_rng = np.random.default_rng(2)
_toy_X = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
)
_toy_K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
_worked_f = np.array(
    [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
)
_worked_g = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])

q8 = FunctionExercise(
    "q8",
    "Cross-correlation in code",
    """
    Write `corr2d(X, K)` with two loops. `X` is a 2-D NumPy array of shape (H, W), `K` one of shape
    (kh, kw). Return the valid, stride-1 cross-correlation as a float NumPy array of shape
    (H - kh + 1, W - kw + 1): entry (i, j) is the sum of `X[i:i+kh, j:j+kw] * K`. Do not flip K.
    Check it with `ex.q8.check(corr2d)`.
    """,
    reference=corr2d,
    cases=[
        ("the toy example", (_toy_X, _toy_K)),
        ("the worked example", (_worked_f, _worked_g)),
        (
            "a non-square input and kernel",
            (np.arange(24).reshape(4, 6), np.array([[1, 2, 0], [0, -1, 3]])),
        ),
        ("a 1x1 kernel", (np.arange(12).reshape(3, 4), np.array([[2.5]]))),
        (
            "a kernel as large as the input",
            (
                np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
                np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
            ),
        ),
        (
            "negative and fractional values",
            (np.round(_rng.normal(size=(4, 5)), 2), np.array([[-0.5, 1.25], [0.75, -2.0]])),
        ),
        ("a random 9x8 input and 3x2 kernel", (_rng.normal(size=(9, 8)), _rng.normal(size=(3, 2)))),
    ],
    common_mistakes=[
        (
            _true_conv2d,
            "This is the true convolution (you flipped K); cross-correlation uses K as it is.",
        ),
        (
            _corr2d_short_loops,
            "Your loops stop one step early: there are H - kh + 1 row positions "
            "(use range(H - kh + 1)).",
        ),
        (
            _corr2d_integer,
            "Your sums were cut to integers: an output array made with np.zeros_like(X) takes "
            "X's integer type. Create it with np.zeros(shape), which holds floats.",
        ),
        (_corr2d_mean, "np.mean divides each sum by kh * kw: the output is the plain sum of the "
         "products (np.sum)."),
    ],
    hint_text=[
        "First compute the output shape (H - kh + 1, W - kw + 1) and create `Y = np.zeros(...)`.",
        "Inside two loops over i and j: `Y[i, j] = np.sum(X[i:i + kh, j:j + kw] * K)`.",
    ],
    solution_text="Each output is the element-wise product of K with the window under it, summed:",
)

_k_rand = np.round(_rng.normal(size=5), 2)

q9 = FunctionExercise(
    "q9",
    "Convolution as a matrix",
    """
    Write `conv_matrix_1d(k, n)`. `k` is a 1-D NumPy array (the kernel, length m) and `n` an int
    (the input length, n >= m). Return the float NumPy array M of shape (n - m + 1, n) such that
    `M @ x` equals the valid, stride-1 cross-correlation of any length-n vector x with k
    (`np.correlate(x, k, mode="valid")`). Check it with `ex.q9.check(conv_matrix_1d)`.
    """,
    reference=conv_matrix_1d,
    cases=[
        ("a 3-tap kernel", (np.array([1.0, 2.0, 3.0]), 5)),
        ("a difference kernel", (np.array([1.0, -1.0]), 4)),
        ("len(k) == n", (np.array([2.0, -1.0, 3.0]), 3)),
        ("len(k) == 1", (np.array([4.0]), 3)),
        ("fractional values", (np.array([0.25, 0.5, 0.25]), 6)),
        ("a random kernel of length 5, n=40", (_k_rand, 40)),
    ],
    common_mistakes=[
        (
            _conv_matrix_transposed,
            "You returned the transpose: M has one row per output "
            "(n - m + 1 rows) and one column per input (n columns).",
        ),
        (
            _conv_matrix_flipped,
            "Your rows hold the flipped kernel (true convolution); "
            "cross-correlation puts k in each row as it is.",
        ),
        (_conv_matrix_short, "Your matrix lacks its last row: there are n - m + 1 outputs, "
         "one for each place the kernel fits (range(n - m + 1))."),
        (_conv_matrix_partial, "Your matrix has n rows: its last m - 1 rows hold a kernel cut "
         "off by the end of the input. A valid correlation keeps only the n - m + 1 windows "
         "that fit."),
    ],
    hint_text=[
        "Output i is k[0]*x[i] + k[1]*x[i+1] + ... : which entries of row i of M are non-zero?",
        "Start from `M = np.zeros((n - m + 1, n))` and set `M[i, i:i + m] = k` for each row i.",
    ],
    solution_text="Row i holds k shifted i places to the right (a Toeplitz matrix), so "
    "(M @ x)[i] = sum of k[j] * x[i + j]:",
)

q10 = FunctionExercise(
    "q10",
    "Many channels, many filters",
    """
    Write `conv2d_multi(X, W, b)`. `X` is one image as a NumPy array of shape (C, height, width),
    `W` holds K filters in an array of shape (K, C, F, F) and `b` the K biases, shape (K,). Return
    a float NumPy array of shape (K, height - F + 1, width - F + 1) (valid, stride 1,
    cross-correlation): output channel k is the sum over all C input channels of the channel's
    cross-correlation with `W[k, c]`, plus `b[k]`. Check it with `ex.q10.check(conv2d_multi)`.
    """,
    reference=conv2d_multi,
    cases=[
        (
            "3 channels, 2 filters of 3x3",
            (
                _rng.integers(-3, 4, size=(3, 5, 5)),
                _rng.integers(-2, 3, size=(2, 3, 3, 3)),
                np.array([1.0, -2.0]),
            ),
        ),
        (
            "C=1, K=1",
            (
                _rng.integers(0, 5, size=(1, 4, 4)),
                _rng.integers(-1, 2, size=(1, 1, 2, 2)),
                np.array([0.5]),
            ),
        ),
        (
            "a 1x1 convolution (F=1)",
            (
                _rng.normal(size=(4, 3, 4)),
                _rng.normal(size=(3, 4, 1, 1)),
                np.array([0.0, 1.0, -1.0]),
            ),
        ),
        (
            "filters as large as the image (F=H)",
            (_rng.normal(size=(2, 4, 4)), _rng.normal(size=(2, 2, 4, 4)), np.array([3.0, -3.0])),
        ),
        (
            "a random non-square image",
            (_rng.normal(size=(3, 5, 7)), _rng.normal(size=(4, 3, 3, 3)), _rng.normal(size=4)),
        ),
    ],
    common_mistakes=[
        (
            _conv2d_multi_no_bias,
            "Your output matches everything except the bias: add b[k] to "
            "every entry of output channel k.",
        ),
        (_conv2d_multi_flipped, "Your filters are flipped (true convolution); use W as it is."),
        (_conv2d_multi_mean_over_channels, "You averaged over the input channels: a filter "
         "sums its products over all C channels (divide by nothing)."),
        (_conv2d_multi_bias_per_channel, "You added b[k] once per input channel: each filter "
         "adds its bias once, to the sum over all channels."),
    ],
    hint_text=[
        "Output entry (k, i, j) is one number: the window X[:, i:i+F, j:j+F] (all channels) times "
        "the filter W[k], summed, plus b[k].",
        "Loop over k, i and j: `out[k, i, j] = np.sum(X[:, i:i + F, j:j + F] * W[k]) + b[k]`.",
    ],
    solution_text="Each filter spans all input channels, so one sum covers C*F*F products, and "
    "each filter adds its own bias:",
)

_x11 = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])

q11 = ArrayExercise(
    "q11",
    "The gradient with respect to the kernel",
    """
    Let `y = corr2d(x, w)` (valid, stride 1) with `x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]` and a
    2x2 kernel w, and let the loss be `L = y.sum()`. Give dL/dw as a 2x2 nested list or NumPy
    array (it does not depend on the values in w).
    """,
    answer=np.array([[_x11[a : a + 2, b : b + 2].sum() for b in range(2)] for a in range(2)]),
    hint_text=[
        "Each weight multiplies the inputs it slides over: w[0, 0] meets x[i, j] for every output "
        "(i, j).",
        "dL/dw[a, b] is the sum of x[a:a+2, b:b+2]: the inputs that w[a, b] touches.",
    ],
    solution_text="""
    `[[12, 16], [24, 28]]`: dL/dw[a, b] = sum over outputs of x[i + a, j + b], e.g.
    1 + 2 + 4 + 5 = 12 for w[0, 0]. It is corr2d(x, dL/dy) with dL/dy all ones.
    """,
    common_mistakes=[
        (
            [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
            "that counts how many windows cover each input value "
            "(it would be dL/dx if w were all ones); the question asks for dL/dw, which has the "
            "shape of w, 2x2.",
        ),
        (
            [[4, 4], [4, 4]],
            "that counts how often each weight is used; weigh each use by the "
            "input value it multiplies.",
        ),
    ],
    level="harder",
)


def _grad_weight_flipped(X, G):
    return corr2d(X, np.flip(np.asarray(G, dtype=float)))


def _grad_weight_full(X, G):
    """The input gradient's recipe (full convolution) applied to the kernel by mistake."""
    G = np.asarray(G, dtype=float)
    return np.full((X.shape[0] - G.shape[0] + 1, X.shape[1] - G.shape[1] + 1), G.sum())

def _grad_weight_mean(X, G):
    return grad_weight(X, G) / np.asarray(G).size


def _grad_weight_ones(X, G):
    return grad_weight(X, np.ones(np.shape(G)))


q12 = FunctionExercise(
    "q12",
    "The gradient with respect to the kernel, in code",
    """
    Write `grad_weight(X, G)` for one channel. `X` is the input, a 2-D NumPy array of shape
    (H, W); `G` is the upstream gradient dL/dY of shape (H - kh + 1, W - kw + 1) for
    `Y = corr2d(X, K)`. Return dL/dK as a float NumPy array of shape (kh, kw) (the kernel's
    shape follows from the two shapes). Check it with `ex.q12.check(grad_weight)`.
    """,
    reference=grad_weight,
    cases=[
        ("x = [[1..9]] with G all ones (Exercise 2.11)", (_x11, np.ones((2, 2)))),
        ("a 6x7 input and a 4x5 gradient (3x3 kernel)", (_rng.normal(size=(6, 7)),
                                                          _rng.normal(size=(4, 5)))),
        ("a 1x1 gradient (kernel as large as the input)", (_rng.normal(size=(3, 4)),
                                                           np.array([[2.0]]))),
        ("a gradient as large as the input (1x1 kernel)", (_rng.normal(size=(4, 4)),
                                                           _rng.normal(size=(4, 4)))),
        ("a non-square input and gradient", (_rng.normal(size=(5, 8)), _rng.normal(size=(3, 4)))),
    ],
    common_mistakes=[
        (_grad_weight_flipped, "You flipped G: dL/dK[a, b] = sum over (i, j) of "
         "G[i, j] * X[i + a, j + b], a cross-correlation with G as it is."),
        (_grad_weight_full, "Each weight meets a different window of X: weigh G[i, j] by the "
         "input value X[i + a, j + b] that weight (a, b) multiplies, not by a constant."),
        (_grad_weight_mean, "np.mean divides by the number of outputs: dL/dK[a, b] is the sum "
         "of G[i, j] * X[i + a, j + b] over all outputs (i, j)."),
        (_grad_weight_ones, "You left G out: weigh each product by the upstream gradient "
         "G[i, j] (all ones only in Exercise 2.11)."),
    ],
    hint_text=[
        "K[a, b] multiplies X[i + a, j + b] in output Y[i, j], so dL/dK[a, b] = "
        "sum over (i, j) of G[i, j] * X[i + a, j + b].",
        "That sum is a cross-correlation of X with G: slide G over X like a kernel "
        "(your corr2d from Exercise 2.8 does it).",
    ],
    solution_text="Each weight K[a, b] multiplies the window of X that starts at (a, b), so "
    "dL/dK = X ⋆ G, the cross-correlation of the input with the upstream gradient (section 10 "
    "derives it):",
)


q13 = NumberExercise(
    "q13",
    "Weights that sum to one",
    """
    Every pixel of a 5x5 grey image is 7. Filter it (valid cross-correlation) with the sharpen
    kernel of the gallery in section 4, `w = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]`. What is
    the value of each output pixel? Predict it and give a number, then run the experiment below,
    which also tries a box blur and an edge kernel (change `value` or add kernels to `kernels`).
    """,
    answer=7,
    hint_text=[
        "Every window is the same: nine 7s. Each output is the sum of the nine weights times 7.",
        "What do the weights of the sharpen kernel add up to?",
    ],
    solution_text="**7**: on a constant image every output is (sum of the weights) * 7, and "
    "the sharpen kernel's weights sum to 5 - 4 = 1, like the blur's. Kernels whose weights sum "
    "to 1 keep flat regions as they are; edge kernels, whose weights sum to 0, give 0 there.",
    common_mistakes={
        35: "that is the centre weight alone (5 * 7); the four -1s each take a 7 away again.",
        0: "that is what an edge kernel gives, whose weights sum to 0; the sharpen kernel's "
        "weights sum to 5 - 4 = 1.",
        63: "that adds the nine pixels; each pixel is multiplied by its weight first.",
        -7: "the four -1s take away 4 * 7 = 28 from the centre's 5 * 7 = 35: the result is "
        "positive.",
    },
    level="easy",
    placeholder="your prediction here (a number)",
    experiment="""
    import numpy as np
    from cnn_lib import scratch

    value = 7                                       # the grey level; try another
    image = np.full((5, 5), float(value))
    kernels = {"sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
               "box blur": np.ones((3, 3)) / 9,
               "vertical edge": [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]}
    for name, w in kernels.items():
        w = np.asarray(w, dtype=float)
        out = scratch.corr2d(image, w)
        print(f"{name:<14} weights sum to {w.sum():g}: every output is {out[0, 0]:g}, "
              f"shape {out.shape}")
    """,
)

q14 = ChoiceExercise(
    "q14",
    "A shift under a stride of 2",
    """
    Section 6 checks equivariance with a stride of 2: a 3x3 filter with circular padding (so
    the border plays no part) maps a 16x16 input to an 8x8 output. Shift the input by **one**
    pixel to the right. What happens to the output? Predict, answer with a letter as a string,
    then run the experiment below (change `shift`).
    """,
    options=[
        "it shifts by one cell to the right, as it does with a stride of 1",
        "it stays the same: a stride of 2 ignores shifts of less than 2 pixels",
        "it is no shifted copy of the old output: the windows now fall between the old ones",
        "it shifts by two cells to the right: the stride scales every shift by 2",
    ],
    answer="c",
    explanations={
        "a": "with a stride of 2 one output cell stands for 2 input pixels, so a 1-pixel shift "
        "has no whole-cell counterpart; a shift by 2 pixels moves the output by one cell.",
        "b": "the windows still see the moved pixels, and their sums change; an output that does "
        "not change (invariance) is what pooling approximates, not what a stride gives.",
        "d": "the stride divides shifts rather than multiplying them: a shift by 2 pixels moves "
        "the output by one cell.",
    },
    hint_text=[
        "With a stride of 2, the windows start at columns 0, 2, 4, ... of the input.",
        "After a shift by one pixel, does any window see exactly what an old window saw?",
    ],
    solution_text="**c**: the output samples every second window. A shift by one pixel moves "
    "the content halfway between two samples, so the new windows see what no old window saw. "
    "Equivariance holds only for shifts by a multiple of the stride.",
    level="medium",
    experiment="""
    import numpy as np
    from cnn_lib import scratch

    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((16, 16)), rng.standard_normal((3, 3))


    def layer(a):                                   # 3x3 filter, circular padding, stride 2
        padded = scratch.pad(a, 1, mode="circular")
        return scratch.conv2d(padded[None, None], w[None, None], stride=2)[0, 0]


    shift = 1                                       # try 2, 3 or 4
    y, y_moved = layer(x), layer(np.roll(x, shift, axis=1))
    cells = [s for s in range(8) if np.allclose(y_moved, np.roll(y, s, axis=1))]
    print(f"input shifted by {shift} px, output {y.shape}: the old output shifted by",
          f"{cells[0]} cell(s)" if cells else "no whole number of cells")
    """,
)

_ship_w = np.array([0.4, 0.3, 0.2, 0.1])


def _convolve1d_correlate(x, w):
    return np.correlate(np.asarray(x, dtype=float), np.asarray(w, dtype=float), mode="valid")


def _convolve1d_full(x, w):
    return np.convolve(np.asarray(x, dtype=float), np.asarray(w, dtype=float), mode="full")


def _convolve1d_mean(x, w):
    return convolve1d(x, w) / len(w)


q15 = FunctionExercise(
    "q15",
    "The weighted running average in code",
    """
    Write `convolve1d(x, w)`: the weighted running average of section 1, a valid **true**
    convolution in 1-D, with loops. `x` is a 1-D NumPy array of n readings, `w` a 1-D kernel of
    m weights (m <= n), where `w[a]` weighs the reading a ticks before the newest one. Return
    the float NumPy array of length n - m + 1 whose entry t is the sum over a of
    `w[a] * x[t + m - 1 - a]` (the estimate at tick t + m - 1): what
    `np.convolve(x, w, mode="valid")` gives. Check it with `ex.q15.check(convolve1d)`.
    """,
    reference=convolve1d,
    cases=[
        ("the ship's weights (0.4, 0.3, 0.2, 0.1)", (np.array([2.0, 4, 3, 7, 5, 6, 9]), _ship_w)),
        ("a symmetric kernel", (np.array([1.0, 3, 2, 5, 4]), np.array([1.0, 2, 1]))),
        ("len(w) == len(x)", (np.array([1.0, 2, 3]), np.array([3.0, -1, 2]))),
        ("len(w) == 1", (np.array([1.0, -2, 3, 0]), np.array([2.5]))),
        ("integer readings, fractional weights", (np.array([3, 1, 4, 1, 5, 9, 2]),
                                                  np.array([0.5, 0.25]))),
        ("20 random readings, 5 random weights", (np.round(_rng.normal(size=20), 2),
                                                  np.round(_rng.normal(size=5), 2))),
    ],
    common_mistakes=[
        (_convolve1d_correlate, "That is the cross-correlation (np.correlate): in a convolution "
         "w[0] weighs the newest reading of each window, x[t + m - 1], so w runs backwards "
         "over x."),
        (_convolve1d_full, "That is the full convolution (mode=\"full\", length n + m - 1); keep "
         "only the n - m + 1 windows that lie inside x."),
        (_convolve1d_mean, "np.mean divides by m: the weights already say how much each reading "
         "counts, so add the products (np.sum)."),
    ],
    hint_text=[
        "First `y = np.zeros(len(x) - len(w) + 1)`; then two loops, over t and over a.",
        "Index check: for t = 0 and a = 0 you need the newest reading of the first window, "
        "x[m - 1]; for a = m - 1, the oldest, x[0].",
    ],
    solution_text="Each estimate weighs the newest reading with w[0] and older ones with "
    "w[1], w[2], ...: the kernel runs backwards over the window, which is what makes it a "
    "convolution rather than a correlation:",
)


EXERCISES = number_exercises(
    2, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15]
)


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(2, EXERCISES)
