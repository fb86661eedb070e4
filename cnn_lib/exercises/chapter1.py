"""Exercises for chapter 1, History and motivation (``notebooks/01_history.ipynb``), easy to hard.

>>> from cnn_lib.exercises import chapter1 as ex
>>> ex.q2.check(12288)
✓ Correct! 12288 is right.

The reference solutions are plain NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 13)]


# --------------------------------------------------------------------------- reference functions


def mlp_params(sizes):
    """Learnable parameters of a fully connected network with layer widths ``sizes`` (the input
    size first), every layer with biases: the sum over layers of in * out + out."""
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def scan_mlp(X, W1, b1, w2, b2):
    """Slide a small MLP over every 3x3 window of a 2-D array X: window -> ReLU(W1 @ window +
    b1) -> w2 @ hidden + b2. W1 (h, 9), b1 (h,), w2 (h,), b2 a number. Returns the
    (H - 2, W - 2) map of the MLP's outputs."""
    X = np.asarray(X, dtype=float)
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = X[i : i + 3, j : j + 3].ravel()  # the 9 pixels, row by row
            hidden = np.maximum(W1 @ window + b1, 0)
            out[i, j] = w2 @ hidden + b2
    return out


def top5_error(scores, labels):
    """The fraction of examples whose true label is not among the 5 classes with the highest
    scores. scores (N, classes), labels (N,) ints."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    top5 = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    return float(np.mean([label not in row for row, label in zip(top5, labels)]))


def best_window(X, P):
    """The top-left corner (i, j) of the window of X (H, W) of P's shape (ph, pw) whose score
    np.sum(window * P) is largest; on a tie the first in reading order, as np.argmax."""
    X, P = np.asarray(X, dtype=float), np.asarray(P, dtype=float)
    ph, pw = P.shape
    best, where = -np.inf, (0, 0)
    for i in range(X.shape[0] - ph + 1):
        for j in range(X.shape[1] - pw + 1):
            score = np.sum(X[i : i + ph, j : j + pw] * P)
            if score > best:  # strictly better: a tie keeps the first window
                best, where = score, (i, j)
    return where


# Typical wrong answers, recognised in the feedback.
def _mlp_params_no_bias(sizes):
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def _mlp_params_input_biases(sizes):
    return sum(a * b + a for a, b in zip(sizes, sizes[1:]))


def _mlp_params_last_layer_missed(sizes):
    return sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(sizes) - 2))


def _scan_without_relu(X, W1, b1, w2, b2):
    X = np.asarray(X, dtype=float)
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = w2 @ (W1 @ X[i : i + 3, j : j + 3].ravel() + b1) + b2
    return out


def _scan_column_major(X, W1, b1, w2, b2):
    return scan_mlp(np.asarray(X, dtype=float).T, W1, b1, w2, b2).T


def _scan_without_b1(X, W1, b1, w2, b2):
    return scan_mlp(X, W1, np.zeros_like(np.asarray(b1, dtype=float)), w2, b2)


def _scan_without_b2(X, W1, b1, w2, b2):
    return scan_mlp(X, W1, b1, w2, 0.0)


def _scan_relu_on_output(X, W1, b1, w2, b2):
    return np.maximum(scan_mlp(X, W1, b1, w2, b2), 0)


def _top1_error(scores, labels):
    return float(np.mean(np.argmax(scores, axis=1) != np.asarray(labels)))


def _top5_accuracy(scores, labels):
    return 1.0 - top5_error(scores, labels)


def _top5_lowest(scores, labels):
    """np.argsort without the minus: the 5 classes with the lowest scores."""
    lowest = np.argsort(np.asarray(scores, dtype=float), axis=1, kind="stable")[:, :5]
    return float(np.mean([label not in row for row, label in zip(lowest, labels)]))


def _top5_count(scores, labels):
    return top5_error(scores, labels) * len(labels)


def _best_window_swapped(X, P):
    i, j = best_window(X, P)
    return j, i


def _best_window_last_tie(X, P):
    X, P = np.asarray(X, dtype=float), np.asarray(P, dtype=float)
    ph, pw = P.shape
    scores = np.array([[np.sum(X[i : i + ph, j : j + pw] * P)
                        for j in range(X.shape[1] - pw + 1)]
                       for i in range(X.shape[0] - ph + 1)])
    flat = scores.size - 1 - np.argmax(scores.ravel()[::-1])
    return np.unravel_index(flat, scores.shape)


def _best_window_from_zero(X, P):
    X, P = np.asarray(X, dtype=float), np.asarray(P, dtype=float)
    ph, pw = P.shape
    best, where = 0.0, (0, 0)
    for i in range(X.shape[0] - ph + 1):
        for j in range(X.shape[1] - pw + 1):
            score = np.sum(X[i : i + ph, j : j + pw] * P)
            if score > best:
                best, where = score, (i, j)
    return where


def _best_window_unravel_by_X(X, P):
    X, P = np.asarray(X, dtype=float), np.asarray(P, dtype=float)
    ph, pw = P.shape
    scores = np.array([[np.sum(X[i : i + ph, j : j + pw] * P)
                        for j in range(X.shape[1] - pw + 1)]
                       for i in range(X.shape[0] - ph + 1)])
    return np.unravel_index(np.argmax(scores), X.shape)


def _best_window_centre(X, P):
    i, j = best_window(X, P)
    ph, pw = np.asarray(P).shape
    return i + ph // 2, j + pw // 2


# --------------------------------------------------------------------------- the exercises

q1 = NumberExercise(
    "q1",
    "A fully connected layer on an image",
    """
    A grey 100x100 image feeds a fully connected layer of 1000 units (no biases). How many
    weights does the layer have? Give an integer.
    """,
    answer=100 * 100 * 1000,
    hint_text="Every unit has one weight for every pixel.",
    solution_text="**10,000,000** = 100*100 pixels * 1000 units: ten million weights for one "
    "layer on a small image.",
    common_mistakes={
        10_000: "that is the number of pixels; each of the 1000 units needs that many weights.",
        1_000_000: "count the pixels again: 100*100 = 10,000 of them, each connected to every "
        "unit.",
    },
    integer=True,
)

q2 = NumberExercise(
    "q2",
    "Weights of one neuron",
    """
    A colour image of 64x64 pixels (3 channels) feeds a fully connected neuron. How many weights
    does that one neuron have (no bias)? Give an integer.
    """,
    answer=64 * 64 * 3,
    hint_text="One weight per input value: pixels times channels.",
    solution_text="**12,288** = 64*64*3: one weight for each value of the image (a 32x32x3 "
    "image gives 3072).",
    common_mistakes={
        4096: "each pixel has 3 values (red, green, blue), and each gets its own weight.",
        192: "64*3 counts one row of pixels; the neuron sees all 64*64 of them.",
    },
    integer=True,
)

q3 = NumberExercise(
    "q3",
    "A whole multilayer perceptron",
    """
    An MLP takes a grey 28x28 image, has two hidden layers of 100 units and an output layer of
    10 units, and no biases. How many weights does it have in all? Give an integer.
    """,
    answer=28 * 28 * 100 + 100 * 100 + 100 * 10,
    hint_text=[
        "Count each layer: inputs times outputs.",
        "784*100 for the first layer, then 100*100, then 100*10.",
    ],
    solution_text="**89,400** = 784*100 + 100*100 + 100*10: the first layer, which sees every "
    "pixel, holds almost 90% of them.",
    common_mistakes={
        78_400: "that is the first layer; add the second (100*100) and the output layer "
        "(100*10).",
        89_610: "the question leaves the biases out.",
        28 * 100 + 100 * 100 + 100 * 10: "the first layer sees all 28*28 = 784 pixels, not 28.",
    },
    integer=True,
)

q4 = ChoiceExercise(
    "q4",
    "A convolution layer on a larger image",
    """
    A convolution layer with ten 3x3 filters (one input channel, with biases) has 100
    parameters on a 640x480 image. How many does it have on a 2048x1536 image? Answer with a
    letter as a string.
    """,
    options=[
        "about 10 times as many: the image has about 10 times as many pixels",
        "about 3 times as many: the image is about 3 times as wide",
        "the same, 100: the filters slide over any image size",
        "it cannot run on a larger image without retraining",
    ],
    answer="c",
    explanations={
        "a": "that is what happens to a fully connected layer, whose weights are tied to the "
        "pixels. A filter's weights are shared by every position.",
        "b": "a filter does not grow with the image: the same 3x3 weights slide further.",
        "d": "the same filters slide over the larger image; only the output map is larger.",
    },
    hint_text="Where do a convolution layer's weights come from: from the pixels, or from the "
    "filters?",
    solution_text="**c**: ten filters of 3x3 weights plus ten biases, whatever the image's "
    "size. The output map grows with the image; the parameters do not.",
)

q5 = ChoiceExercise(
    "q5",
    "The template view",
    """
    A linear classifier scores an image x for class k with the dot product of x and row k of its
    weight matrix W. Which image gets the highest score for class k, among images of the same
    brightness? Answer with a letter as a string.
    """,
    options=[
        "the image that looks most like row k of W, drawn as a picture",
        "the average training image of class k, whatever row k holds",
        "the image that looks least like the other rows of W",
        "none in particular: a linear score ranks images of one brightness alike",
    ],
    answer="a",
    explanations={
        "b": "the score is a dot product with row k, so which image wins depends on W. A "
        "learned row is not the class average: it also has to score low on the other classes.",
        "c": "the score for class k depends only on row k; the other rows do not enter it.",
        "d": "linear means the score is a weighted sum of pixels: the same brightness spread over "
        "other pixels meets other weights and gets another score.",
    },
    hint_text="A dot product is large when the two vectors point the same way.",
    solution_text="**a**: the dot product is large when the image's bright pixels fall where "
    "row k's weights are large. Each row is a template of its class, and scoring is template "
    "matching.",
    level="medium",
)

q6 = ChoiceExercise(
    "q6",
    "The neocognitron",
    """
    Fukushima's neocognitron alternates S-cells and C-cells. Which part of a modern CNN does the
    C-cells' job? Answer with a letter as a string.
    """,
    options=[
        "the convolution layers (filters whose weights are learned)",
        "the pooling layers (a fixed summary of neighbouring responses)",
        "the fully connected layer (a vote over all the features)",
        "the ReLU activation (a threshold applied to each response)",
    ],
    answer="b",
    explanations={
        "a": "that is the S-cells: their synapses are modifiable, like a convolution's weights.",
        "c": "the neocognitron's last layer recognises the pattern; the C-cells sit between S "
        "layers all the way up.",
        "d": "a nonlinearity alone does not make a response tolerant to shifts.",
    },
    hint_text="Which cells made the neocognitron tolerant to a pattern moving a little?",
    solution_text="**b**: C-cells combine the responses of S-cells of the same kind at nearby "
    "positions with fixed connections, so a small shift changes them little or not at all: "
    "pooling. (The S-cells' synapses are the ones the neocognitron learned.)",
    level="medium",
)

q7 = FunctionExercise(
    "q7",
    "Counting parameters in code",
    """
    Write `mlp_params(sizes)`: the number of learnable parameters of a fully connected network
    whose layer widths are the list `sizes`, input size first (e.g. `[784, 100, 10]`), where
    every layer has biases. Return an int. Check it with `ex.q7.check(mlp_params)`.
    """,
    reference=mlp_params,
    cases=[
        ("one layer, 4 inputs, 3 outputs", ([4, 3],)),
        ("784 -> 100 -> 10", ([784, 100, 10],)),
        ("the decks' 640x480 network, 100-100-2", ([640 * 480, 100, 100, 2],)),
        ("a single output", ([3072, 1],)),
        ("no layer at all", ([5],)),
    ],
    common_mistakes=[
        (_mlp_params_no_bias, "Add the biases: each layer has one per output unit."),
        (_mlp_params_input_biases, "A layer's biases belong to its outputs: a layer from a to b "
         "units has b biases, not a."),
        (_mlp_params_last_layer_missed, "Your loop misses the last layer: a list of n widths "
         "has n - 1 layers, one for each pair of neighbours."),
    ],
    hint_text=[
        "Pair each width with the next one: `zip(sizes, sizes[1:])`.",
        "A layer from a inputs to b outputs has a*b weights and b biases.",
    ],
    solution_text="Each layer has in * out weights and out biases:",
)

_rng = np.random.default_rng(5)
_W1, _b1 = np.round(_rng.normal(size=(4, 9)), 2), np.round(_rng.normal(size=4), 2)
_w2, _b2 = np.round(_rng.normal(size=4), 2), 0.5

q8 = FunctionExercise(
    "q8",
    "Scanning with an MLP in code",
    """
    Write `scan_mlp(X, W1, b1, w2, b2)`: slide a small MLP over every 3x3 window of a 2-D NumPy
    array `X` (H, W). For the window with top-left corner (i, j), flatten its 9 pixels row by
    row into a vector v and compute `w2 @ ReLU(W1 @ v + b1) + b2` (W1 (h, 9), b1 (h,),
    w2 (h,), b2 a number). Return the (H - 2, W - 2) float array of these outputs. Check it
    with `ex.q8.check(scan_mlp)`.
    """,
    reference=scan_mlp,
    cases=[
        ("a 5x5 ramp", (np.arange(25.0).reshape(5, 5) / 25, _W1, _b1, _w2, _b2)),
        ("a random 6x7 image", (np.round(_rng.normal(size=(6, 7)), 2), _W1, _b1, _w2, _b2)),
        ("a 3x3 image: one window", (np.eye(3), _W1, _b1, _w2, _b2)),
        ("one hidden unit", (np.arange(16.0).reshape(4, 4) % 3, _W1[:1], _b1[:1], _w2[:1],
                             -1.0)),
    ],
    common_mistakes=[
        (_scan_without_relu, "Apply the ReLU to the hidden layer: max(W1 @ v + b1, 0)."),
        (_scan_column_major, "Flatten each window row by row (`window.ravel()`), as W1 expects, "
         "not column by column."),
        (_scan_without_b1, "Add the hidden layer's biases b1 before the ReLU."),
        (_scan_without_b2, "Add the output bias b2 to every output."),
        (_scan_relu_on_output, "The output unit is linear: apply the ReLU to the hidden layer "
         "only, not to w2 @ hidden + b2."),
    ],
    hint_text=[
        "Two loops over the window positions; the window is `X[i:i+3, j:j+3]`.",
        "The same weights for every window: this IS a convolution with 3x3 kernels W1, a ReLU, "
        "and a 1x1 convolution w2.",
    ],
    solution_text="The same MLP at every position; the chapter shows it equals two "
    "convolutions:",
)

q9 = FunctionExercise(
    "q9",
    "The top-5 error in code",
    """
    Write `top5_error(scores, labels)`: the ImageNet metric. `scores` is an (N, classes) NumPy
    array of a classifier's scores, `labels` an (N,) array of the true classes. Return the
    fraction (a float in [0, 1]) of examples whose true class is **not** among the 5 classes with
    the highest scores. Check it with `ex.q9.check(top5_error)`.
    """,
    reference=top5_error,
    cases=[
        ("3 examples, 7 classes", (np.array([[9, 1, 2, 3, 4, 5, 0], [0, 1, 2, 3, 4, 5, 6],
                                              [6, 5, 4, 3, 2, 1, 0]], dtype=float),
                                    np.array([5, 1, 1]))),
        ("random scores, 10 classes", (_rng.normal(size=(20, 10)),
                                       _rng.integers(0, 10, size=20))),
        ("always right", (np.eye(6) * 10, np.arange(6))),
        ("exactly 5 classes: never wrong", (_rng.normal(size=(4, 5)), np.array([0, 4, 2, 1]))),
    ],
    common_mistakes=[
        (_top1_error, "That is the top-1 error (the highest score only); count an example as "
         "right when its label is anywhere among the 5 best."),
        (_top5_accuracy, "That is the top-5 accuracy; the error is 1 minus it."),
        (_top5_lowest, "You took the 5 classes with the lowest scores: `np.argsort` sorts in "
         "increasing order, so sort `-scores` (or take the last 5 columns)."),
        (_top5_count, "That is the number of misses; return the fraction: divide by the number "
         "of examples N."),
    ],
    hint_text=[
        "`np.argsort(-scores, axis=1)[:, :5]` gives each row's 5 best classes.",
        "Then count the rows whose label is not among them.",
    ],
    solution_text="Sort each row's classes by score and look for the label among the first "
    "five:",
)

_growth = (640 * 480 * 2 * 2 * 100 + 100 * 100 + 100 * 2) / (640 * 480 * 100 + 100 * 100 + 100 * 2)

q10 = NumberExercise(
    "q10",
    "Double the image's side",
    """
    The MLP of section 2 (hidden layers of 100 and 100 units, 2 outputs, no biases) has
    30,730,200 weights on a grey 640x480 image. Double the image's width and its height, to
    1280x960. By what factor does the number of weights grow? Predict it and give a number
    with one decimal, then run the experiment below (change `sizes` to try other images).
    """,
    answer=_growth,
    rtol=0.01,
    hint_text=[
        "Almost all the weights sit in the first layer: one per pixel for each of its 100 units.",
        "How many times as many pixels does a 1280x960 image have as a 640x480 one?",
    ],
    solution_text="**4.0** (3.999): doubling both sides gives 4 times as many pixels, and the "
    "first layer, which holds nearly every weight, has 100 weights per pixel. The convolution "
    "layers of section 2 keep the same parameters at every size.",
    common_mistakes={
        2: "each side doubles, but the pixels fill an area: 2 * 2 = 4 times as many of them, each "
        "with 100 weights in the first layer.",
        1: "that is true of a convolution layer, whose filters do not depend on the image's size; "
        "the MLP's first layer has a weight for every pixel.",
        8: "only the number of pixels grows, 2 * 2 times; the hidden layers keep 100 units.",
    },
    level="easy",
    placeholder="your prediction here (a number)",
    experiment="""
    from cnn_lib import arithmetic

    sizes = [(640, 480), (1280, 960)]              # (width, height); add your own
    first = arithmetic.mlp_params([sizes[0][0] * sizes[0][1], 100, 100, 2])
    for width, height in sizes:
        mlp = arithmetic.mlp_params([width * height, 100, 100, 2])
        conv = arithmetic.conv_params(1, 100, 3) + arithmetic.conv_params(100, 100, 3)
        print(f"{width}x{height}: MLP {mlp:,} weights ({mlp / first:.4f} times the first), "
              f"two conv layers {conv:,} parameters")
    """,
)

q11 = ChoiceExercise(
    "q11",
    "A template and a scan, when the pattern moves",
    """
    The corner pattern `P = [[1, 1, 1], [1, 0, 0], [1, 0, 0]]` of section 5 sits on a blank 8x8
    image with its top-left corner at row 2, column 2. Two detectors look for it: a
    **template**, a row of a linear classifier that learned the pattern at exactly that place
    (the 8x8 image itself, scored with a dot product), and a **scan**, which slides P over
    every 3x3 window and keeps the largest response (section 5). Both score 5 now. Move the
    pattern 2 pixels to the right. What happens to the two scores? Predict, answer with a
    letter as a string, then run the experiment below (change `shift`).
    """,
    options=[
        "both stay at 5: the whole pattern is still in the image",
        "the template's score drops, the scan's maximum stays at 5",
        "the template's score stays at 5, the scan's maximum drops",
        "both drop, by the same amount: each sees 2 columns of the move",
    ],
    answer="b",
    explanations={
        "a": "the scan keeps 5, but the template's weights are pinned to pixel positions: after "
        "the move, the pattern's pixels meet weights that expect nothing there.",
        "c": "the other way round: the template is tied to one place, while the scan tries every "
        "window, the pattern's new place included.",
        "d": "the scan does not look at a fixed place: one of its windows lies exactly on the "
        "moved pattern, so its maximum stays at 5.",
    },
    hint_text=[
        "The template multiplies each pixel by a weight that belongs to that pixel's position.",
        "The scan's maximum is taken over every position: is one of its windows on the moved "
        "pattern?",
    ],
    solution_text="**b**: the template overlaps the moved pattern in one pixel only (score 1), "
    "while one of the scan's windows lies exactly on it (score 5). Shared weights slid "
    "everywhere, plus a maximum, do not care where the pattern is: section 4's CNN.",
    level="medium",
    experiment="""
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    P = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0]])


    def place(row, col):
        image = np.zeros((8, 8), dtype=int)
        image[row : row + 3, col : col + 3] = P
        return image


    shift = 2                                     # try 0, 1 or 3
    template = place(2, 2)                        # learned with the pattern at (2, 2)
    image = place(2, 2 + shift)
    scan = (sliding_window_view(image, (3, 3)) * P).sum(axis=(2, 3))
    best = divmod(int(scan.argmax()), scan.shape[1])     # (row, column) of the best window
    print(f"pattern moved {shift} px: template score {(template * image).sum()}, "
          f"scan maximum {scan.max()} at window {best}")
    """,
)

_corner = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0]])
_scene = np.zeros((8, 8), dtype=int)
_scene[4:7, 1:4] = _corner
_twice = np.zeros((6, 9), dtype=int)
_twice[3:5, 1:3] = _twice[0:2, 6:8] = [[2, 0], [1, 3]]

q12 = FunctionExercise(
    "q12",
    "Finding the pattern in code",
    """
    Write `best_window(X, P)`: the scan of section 5, which says where a pattern is. `X` is a
    2-D NumPy array (H, W), `P` a pattern of shape (ph, pw), not always square. Score every
    window of X of P's shape with `np.sum(window * P)` and return the top-left corner (i, j)
    of the best window, row first, as a tuple of two ints. If several windows tie for the best
    score, return the first in reading order (the smallest i, then the smallest j), as
    `np.argmax` does. Check it with `ex.q12.check(best_window)`.
    """,
    reference=best_window,
    cases=[
        ("the corner of section 5, bottom left", (_scene, _corner)),
        ("a 2x3 pattern on a 5x7 image", (np.array([[0, 1, 2, 0, 1, 0, 3], [1, 0, 0, 2, 0, 4, 0],
                                                   [2, 1, 0, 1, 1, 0, 1], [0, 0, 1, 0, 5, 2, 0],
                                                   [1, 2, 0, 1, 0, 1, 1]]),
                                         np.array([[1, 0, 1], [0, 2, 0]]))),
        ("the best window in the last row and column", (np.arange(30.0).reshape(6, 5),
                                                        np.ones((2, 2)))),
        ("a tie: the pattern twice", (_twice, np.array([[2, 0], [1, 3]]))),
        ("a blank image: every window ties", (np.zeros((4, 6)), np.array([[1, 2], [3, 4]]))),
        ("every score negative", (np.array([[5.0, 1, 4, 2], [3, 1, 2, 6], [2, 2, 0, 1]]),
                                  np.array([[-1.0, -0.5]]))),
        ("a tall 3x1 pattern", (np.array([[0, 0, 1, 0], [0, 1, 1, 0], [1, 1, 1, 1],
                                          [2, 0, 0, 2], [0, 3, 0, 0]]),
                                np.array([[1], [1], [1]]))),
        ("a pattern as large as the image", (np.array([[1, 2], [3, 4]]), np.ones((2, 2)))),
    ],
    common_mistakes=[
        (_best_window_swapped, "Rows first: return (i, j), the row and then the column of the "
         "window's top-left corner."),
        (_best_window_last_tie, "On a tie keep the first window in reading order: replace the "
         "best only when a score is strictly larger (`>`, not `>=`)."),
        (_best_window_from_zero, "Start the search from the first window's score (or -inf), not "
         "from 0: when every score is negative, the best window still has one."),
        (_best_window_unravel_by_X, "Unravel the index of the best score with the shape of the "
         "score map, (H - ph + 1, W - pw + 1), not with the shape of X."),
        (_best_window_centre, "Return the window's top-left corner, not its centre."),
    ],
    hint_text=[
        "Two loops over the top-left corners: i in range(H - ph + 1), j in range(W - pw + 1).",
        "Keep the best score so far, starting from -np.inf, and replace it only when a window "
        "scores strictly more.",
    ],
    solution_text="One score per window, the same pattern everywhere (a cross-correlation), and "
    "the first window with the largest score:",
)


EXERCISES = number_exercises(1, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12])


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(1, EXERCISES)
