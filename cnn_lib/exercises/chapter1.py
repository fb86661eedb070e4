"""Exercises for chapter 1, History and motivation (``notebooks/01_history.ipynb``), easy to hard.

>>> from cnn_lib.exercises import chapter1 as ex
>>> ex.q2.check(12288)
✓ Correct! 12288 is right.

The reference solutions are plain NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 10)]


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


# Typical wrong answers, recognised in the feedback.
def _mlp_params_no_bias(sizes):
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def _scan_without_relu(X, W1, b1, w2, b2):
    X = np.asarray(X, dtype=float)
    out = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = w2 @ (W1 @ X[i : i + 3, j : j + 3].ravel() + b1) + b2
    return out


def _scan_column_major(X, W1, b1, w2, b2):
    return scan_mlp(np.asarray(X, dtype=float).T, W1, b1, w2, b2).T


def _top1_error(scores, labels):
    return float(np.mean(np.argmax(scores, axis=1) != np.asarray(labels)))


def _top5_accuracy(scores, labels):
    return 1.0 - top5_error(scores, labels)


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
        "the brightest image",
        "the image that looks least like the other rows",
        "every image scores the same: W is linear",
    ],
    answer="a",
    explanations={
        "b": "the images have the same brightness; what matters is where their bright pixels "
        "are.",
        "c": "the score for class k depends only on row k; the others do not enter it.",
        "d": "linear means the score is a weighted sum of pixels: different pixels, different "
        "scores.",
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
        "the convolution layers (learned filters)",
        "the pooling layers (a fixed summary of neighbouring responses)",
        "the fully connected output layer",
        "the ReLU activation",
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
    "positions with fixed connections, so a small shift does not change them: pooling.",
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
    ],
    hint_text=[
        "`np.argsort(-scores, axis=1)[:, :5]` gives each row's 5 best classes.",
        "Then count the rows whose label is not among them.",
    ],
    solution_text="Sort each row's classes by score and look for the label among the first "
    "five:",
)


EXERCISES = number_exercises(1, [q1, q2, q3, q4, q5, q6, q7, q8, q9])


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(1, EXERCISES)
