"""Exercises for chapter 5, Architectures (``notebooks/05_architectures.ipynb``), easy to hard.

>>> from cnn_lib.exercises import chapter5 as ex
>>> ex.q1.check(60)
✓ Correct! 60 is right.

The reference solutions are plain NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ArrayExercise, ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 13)]


# --------------------------------------------------------------------------- reference functions


def flatten_size(input_shape, layers):
    """The number of values a stack of layers leaves for the flatten step.

    input_shape is (C, H, W); each layer is ("conv", out_channels, kernel, stride, padding) or
    ("pool", kernel, stride). Sizes are floored as in PyTorch.
    """
    channels, height, width = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, channels, k, s, p = layer
        else:
            _, k, s = layer
            p = 0
        height = (height + 2 * p - k) // s + 1
        width = (width + 2 * p - k) // s + 1
    return channels * height * width


def cross_entropy_grad(scores, labels):
    """Gradient of the mean softmax cross-entropy loss with respect to the scores (N, classes):
    (softmax(scores) - one_hot(labels)) / N."""
    scores = np.asarray(scores, dtype=float)
    shifted = scores - scores.max(axis=1, keepdims=True)  # the same softmax, without overflow
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    probs[np.arange(len(scores)), labels] -= 1
    return probs / len(scores)


def batch_norm(x, gamma, beta, eps=1e-5):
    """Batch normalization in training mode for x (N, C, H, W): normalise every channel by its
    mean and variance over the batch and the positions, then scale by gamma and shift by beta
    (both (C,))."""
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)  # the biased variance, as PyTorch uses here
    x_hat = (x - mean) / np.sqrt(var + eps)
    return np.asarray(gamma).reshape(1, -1, 1, 1) * x_hat + np.asarray(beta).reshape(1, -1, 1, 1)


def count_params(input_shape, layers):
    """The number of learnable parameters (weights and biases) of a stack of layers.

    input_shape is (C, H, W); each layer is ("conv", out_channels, kernel, stride, padding),
    ("pool", kernel, stride) or ("fc", out_features); every conv and fc layer has biases, and
    the first fc layer takes the flattened map. Sizes are floored as in PyTorch.
    """
    channels, height, width = input_shape
    total = 0
    for layer in layers:
        if layer[0] == "conv":
            _, out, k, s, p = layer
            total += out * (channels * k * k + 1)  # a k x k x channels filter and a bias each
            channels = out
            height = (height + 2 * p - k) // s + 1
            width = (width + 2 * p - k) // s + 1
        elif layer[0] == "pool":
            _, k, s = layer  # no parameters, but it shrinks the map
            height = (height - k) // s + 1
            width = (width - k) // s + 1
        else:
            _, out = layer
            total += out * (channels * height * width + 1)  # every value of the map, and a bias
            channels, height, width = out, 1, 1  # a vector: what the next fc layer sees
    return total


# Typical wrong answers, recognised in the feedback.
def _flatten_ignoring_padding(input_shape, layers):
    return flatten_size(input_shape, [layer[:4] + (0,) if layer[0] == "conv" else layer
                                      for layer in layers])


def _flatten_forgetting_channels(input_shape, layers):
    channels = flatten_size(input_shape, layers)
    last = [layer for layer in layers if layer[0] == "conv"]
    return channels // (last[-1][1] if last else input_shape[0])


def _flatten_pool_by_stride(input_shape, layers):
    return flatten_size(input_shape, [layer if layer[0] == "conv" else ("pool", layer[2],
                                                                        layer[2])
                                      for layer in layers])


def _flatten_rounding_up(input_shape, layers):
    channels, height, width = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, channels, k, s, p = layer
        else:
            (_, k, s), p = layer, 0
        height = -((k - height - 2 * p) // s) + 1  # ceil((height + 2p - k) / s) + 1
        width = -((k - width - 2 * p) // s) + 1
    return channels * height * width


def _flatten_square(input_shape, layers):
    channels, height, _ = input_shape
    return flatten_size((channels, height, height), layers)


def _params_without_biases(input_shape, layers):
    return count_params(input_shape, layers) - sum(
        layer[1] for layer in layers if layer[0] != "pool")


def _params_filters_one_channel_deep(input_shape, layers):
    total, channels = count_params(input_shape, layers), input_shape[0]
    for layer in layers:
        if layer[0] == "conv":
            _, out, k, _, _ = layer
            total -= out * (channels - 1) * k * k
            channels = out
    return total


def _params_fc_sees_channels_only(input_shape, layers):
    channels, total = input_shape[0], 0
    for layer in layers:
        if layer[0] == "conv":
            total += layer[1] * (channels * layer[2] ** 2 + 1)
            channels = layer[1]
        elif layer[0] == "fc":
            total += layer[1] * (channels + 1)  # as if the map were 1x1
            channels = layer[1]
    return total


def _params_pool_by_stride(input_shape, layers):
    return count_params(input_shape, [layer if layer[0] != "pool" else ("pool", layer[2],
                                                                         layer[2])
                                      for layer in layers])


def _grad_without_mean(scores, labels):
    return cross_entropy_grad(scores, labels) * len(scores)


def _grad_softmax_only(scores, labels):
    scores = np.asarray(scores, dtype=float)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) / len(scores)


def _grad_sign_flipped(scores, labels):
    return -cross_entropy_grad(scores, labels)


def _grad_columns_for_every_row(scores, labels):
    scores = np.asarray(scores, dtype=float)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    probs[:, labels] -= 1  # every row loses 1 in each label's column
    return probs / len(scores)


def _grad_softmax_over_the_batch(scores, labels):
    scores = np.asarray(scores, dtype=float)
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    probs = e / e.sum(axis=0, keepdims=True)
    probs[np.arange(len(scores)), labels] -= 1
    return probs / len(scores)


def _bn(x, gamma, beta, axes=(0, 2, 3), ddof=0, eps=1e-5, eps_inside=True):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    scale = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        x_hat = (x - mean) / scale
    return np.asarray(gamma).reshape(1, -1, 1, 1) * x_hat + np.asarray(beta).reshape(1, -1, 1, 1)


def _batch_norm_eps_outside_sqrt(x, gamma, beta, eps=1e-5):
    return _bn(x, gamma, beta, eps=eps, eps_inside=False)


def _batch_norm_default_eps_only(x, gamma, beta, eps=1e-5):
    return _bn(x, gamma, beta)  # the argument eps is ignored


def _batch_norm_per_position(x, gamma, beta, eps=1e-5):
    return _bn(x, gamma, beta, axes=0, eps=eps)


def _batch_norm_gamma_beta_swapped(x, gamma, beta, eps=1e-5):
    return _bn(x, beta, gamma, eps=eps)


def _batch_norm_per_example(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    var = x.var(axis=(1, 2, 3), keepdims=True)
    return (np.asarray(gamma).reshape(1, -1, 1, 1) * (x - mean) / np.sqrt(var + eps)
            + np.asarray(beta).reshape(1, -1, 1, 1))


def _batch_norm_unbiased(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1)
    return (np.asarray(gamma).reshape(1, -1, 1, 1) * (x - mean) / np.sqrt(var + eps)
            + np.asarray(beta).reshape(1, -1, 1, 1))


# --------------------------------------------------------------------------- the exercises

q1 = NumberExercise(
    "q1",
    "The first layer of SimpleCNN",
    """
    SimpleCNN's first layer is `nn.Conv2d(in_channels=1, out_channels=6, kernel_size=3)`, with
    biases. How many learnable parameters does it have? Give an integer.
    """,
    answer=6 * (3 * 3 * 1 + 1),
    hint_text="Each of the 6 filters has 3*3*1 weights and one bias.",
    solution_text="**60** = 6 * (3*3*1 + 1).",
    common_mistakes={54: "add the biases: one per filter.", 9: "that is one filter's weights; "
                     "there are 6 filters, each with a bias."},
    integer=True,
)

q2 = ArrayExercise(
    "q2",
    "Tracing a shape",
    """
    A 1x28x28 image goes through SimpleCNN's conv1 (3x3, padding 1, 6 filters), 2x2 max
    pooling, conv2 (3x3, padding 1, 16 filters) and 2x2 max pooling. What is the shape
    (C, H, W) of the result? Answer with three integers, e.g. `answer = [1, 2, 3]`.
    """,
    answer=[16, 7, 7],
    hint_text=[
        "Padding 1 with a 3x3 kernel keeps the size; each 2x2 pooling halves it.",
        "28 -> 28 -> 14 -> 14 -> 7, and the channels are the last layer's filters.",
    ],
    solution_text="**(16, 7, 7)**: the convolutions keep 28 and 14 (padding 1), the poolings "
    "halve them, and conv2 has 16 filters. Hence SimpleCNN's first fully connected layer takes "
    "16*7*7 = 784 inputs.",
    common_mistakes=[
        ([6, 7, 7], "the number of channels comes from the last convolution: 16 filters."),
        ([16, 14, 14], "there are two poolings: 28 -> 14 -> 7."),
        ([16, 6, 6], "padding 1 keeps the size of a 3x3 convolution: 28 stays 28, 14 stays 14."),
    ],
    placeholder="[C, H, W], three integers",
)

q3 = NumberExercise(
    "q3",
    "Fixing the flatten size",
    """
    SimpleCNN hard-codes `nn.Linear(16 * 7 * 7, 120)` after flattening, which only fits a 28x28
    input. Someone feeds it 1x32x32 images and gets a shape error. What must the first fully
    connected layer's number of inputs become? Give an integer.
    """,
    answer=16 * 8 * 8,
    hint_text="Trace 32 through the layers as in Exercise 5.2: the convolutions keep it, the "
    "poolings halve it.",
    solution_text="**1024** = 16 * 8 * 8: 32 -> 16 -> 8 after the two poolings. (Or compute it "
    "from the model: run a dummy input through the convolutional part and read the shape, or "
    "use `nn.LazyLinear`, which infers it.)",
    common_mistakes={784: "that is the 28x28 size; with a 32x32 input the maps are 8x8.",
                     64: "multiply by the 16 channels too: 16*8*8.",
                     1296: "check the poolings: 32 -> 16 -> 8, so 16*8*8."},
    integer=True,
)

q4 = NumberExercise(
    "q4",
    "VGG-16's biggest layer",
    """
    VGG-16's first fully connected layer takes its last 512x7x7 feature map, flattened, to 4096
    units (with biases). How many parameters does that one layer have? Give an integer.
    """,
    answer=512 * 7 * 7 * 4096 + 4096,
    hint_text="Inputs: 512*7*7 = 25,088. Parameters: inputs * outputs + outputs.",
    solution_text="**102,764,544** = 25,088 * 4096 + 4096: three quarters of VGG-16's 138 "
    "million parameters sit in this one layer.",
    common_mistakes={512 * 7 * 7 * 4096: "add the 4096 biases.",
                     512 * 4096 + 4096: "the layer sees every value of the 512x7x7 map, not "
                     "just 512 of them."},
    integer=True,
    level="medium",
)

q5 = ChoiceExercise(
    "q5",
    "Deeper is worse?",
    """
    A plain convolutional network with 20 layers ends training with a HIGHER training loss than
    the same design with 10 layers. What is the most likely problem? Answer with a letter as a
    string.
    """,
    options=[
        "overfitting: the deeper network memorises the training data",
        "optimization: the deeper network is harder to train to a low loss",
        "capacity: the deeper network has too few parameters to fit the data",
        "evaluation: the test set is too small to compare the two networks",
    ],
    answer="b",
    explanations={
        "a": "overfitting shows as a LOW training loss with a high test loss; here the training "
        "loss itself is higher.",
        "c": "the deeper network has more parameters, not fewer.",
        "d": "the question is about the training loss, which does not involve the test set.",
    },
    hint_text="Overfitting means fitting the training data too well. Does that match a higher "
    "training loss?",
    solution_text="**b**: a network that cannot even fit its training data has an "
    "optimization problem, not an overfitting one (\"it's not overfitting, it's "
    "optimization\"). The chapter's plain 21-layer network ends with a far higher training "
    "loss than the 3-layer one, on every seed; its residual twin does not.",
    level="medium",
)

q6 = ChoiceExercise(
    "q6",
    "1x1 convolutions in Inception",
    """
    In an Inception block, a 1x1 convolution with fewer output channels comes before each 3x3
    (and 5x5) convolution. What is it for? Answer with a letter as a string.
    """,
    options=[
        "to smooth each feature map before the larger convolution reads it",
        "to cut the channels, so the larger convolution costs far less",
        "to pad the maps, so that all the branches keep the same size",
        "to make the block's output invariant to small shifts",
    ],
    answer="b",
    explanations={
        "a": "a 1x1 convolution looks at one pixel: it cannot blur, it mixes channels.",
        "c": "padding comes from the 3x3 convolution's own padding, not from a 1x1 convolution.",
        "d": "a 1x1 convolution is equivariant like any convolution; pooling gives invariance.",
    },
    hint_text="Count the weights of a 3x3 convolution from 480 to 128 channels, then with a "
    "1x1 convolution to 96 channels first.",
    solution_text="**b**: a 3x3 convolution from 480 to 128 channels has 480*9*128 = 552,960 "
    "weights; reducing to 96 channels first costs 480*96 + 96*9*128 = 156,672. This is how "
    "GoogLeNet gets by with 6.6 million parameters.",
    level="medium",
)

_rng = np.random.default_rng(6)
_simple = [("conv", 6, 3, 1, 1), ("pool", 2, 2), ("conv", 16, 3, 1, 1), ("pool", 2, 2)]
_lenet = [("conv", 6, 5, 1, 0), ("pool", 2, 2), ("conv", 16, 5, 1, 0), ("pool", 2, 2)]
_alexnet = [("conv", 64, 11, 4, 2), ("pool", 3, 2), ("conv", 192, 5, 1, 2), ("pool", 3, 2),
            ("conv", 384, 3, 1, 1), ("conv", 256, 3, 1, 1), ("conv", 256, 3, 1, 1),
            ("pool", 3, 2)]
_non_square = [("conv", 8, 3, 2, 1), ("pool", 3, 2)]

q7 = FunctionExercise(
    "q7",
    "Flatten sizes in code",
    """
    Write `flatten_size(input_shape, layers)`: the number of values left for the flatten step
    when an input of shape `input_shape = (C, H, W)` goes through `layers`, a list of
    `("conv", out_channels, kernel, stride, padding)` and `("pool", kernel, stride)` tuples
    (square kernels, no pooling padding). Round sizes down, as PyTorch does. Return an int.
    Check it with `ex.q7.check(flatten_size)`.
    """,
    reference=flatten_size,
    cases=[
        ("SimpleCNN on 1x28x28", ((1, 28, 28), _simple)),
        ("SimpleCNN on 1x32x32", ((1, 32, 32), _simple)),
        ("LeNet-5 on 1x32x32", ((1, 32, 32), _lenet)),
        ("AlexNet's convolutions on 3x224x224", ((3, 224, 224), _alexnet)),
        ("3x3 pooling with stride 2 on an 8x8 map", ((16, 8, 8), [("pool", 3, 2)])),
        ("a non-square 3x32x46 input, stride-2 convolution with padding, 3x3/2 pooling",
         ((3, 32, 46), _non_square)),
        ("no layers: just flatten", ((3, 4, 5), [])),
    ],
    common_mistakes=[
        (_flatten_ignoring_padding, "Use each convolution's padding: "
         "H_out = (H + 2P - F) // S + 1."),
        (_flatten_forgetting_channels, "Multiply by the number of channels of the last map."),
        (_flatten_pool_by_stride, "A pooling layer's output is (H - F) // S + 1, like a "
         "convolution's without padding; H // S is only right when the window equals the "
         "stride (2x2, stride 2), not for AlexNet's 3x3 window with stride 2."),
        (_flatten_rounding_up, "Round down (`//`), as PyTorch does: a window that would stick "
         "out of the map is dropped."),
        (_flatten_square, "Track the width separately from the height: the input need not be "
         "square."),
    ],
    hint_text=[
        "Keep the current (channels, height, width) and update it layer by layer.",
        "A conv layer sets the channels to its out_channels; both layers use "
        "(size + 2*padding - kernel) // stride + 1 for the height and the width.",
    ],
    solution_text="Trace the shape layer by layer, as a summary table does:",
)

_scores = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.2], [1.0, 1.0, 1.0], [0.0, 0.0, 3.0]])

q8 = FunctionExercise(
    "q8",
    "The gradient of the loss in code",
    """
    Write `cross_entropy_grad(scores, labels)`: the gradient of the MEAN softmax cross-entropy
    loss with respect to the scores. `scores` is an (N, classes) NumPy array, `labels` an (N,)
    array of ints; return an (N, classes) float array. (It is (softmax(scores) -
    one_hot(labels)) / N.) Check it with `ex.q8.check(cross_entropy_grad)`.
    """,
    reference=cross_entropy_grad,
    cases=[
        ("4 examples, 3 classes", (_scores, np.array([0, 1, 2, 2]))),
        ("one example", (np.array([[1.0, -1.0]]), np.array([1]))),
        ("large scores (softmax must not overflow)", (np.array([[1000.0, 0.0, -1000.0]]),
                                                      np.array([0]))),
        ("random scores", (_rng.normal(size=(6, 10)), _rng.integers(0, 10, size=6))),
    ],
    common_mistakes=[
        (_grad_without_mean, "Divide by N: the loss is the MEAN over the examples."),
        (_grad_softmax_only, "Subtract 1 at each example's true class (the one-hot vector)."),
        (_grad_sign_flipped, "The sign is flipped: the gradient is softmax - one_hot, which is "
         "negative at the true class (raising its score lowers the loss)."),
        (_grad_columns_for_every_row, "`probs[:, labels] -= 1` subtracts 1 in every row, in "
         "each label's column; use `probs[np.arange(N), labels]`: row n, column labels[n]."),
        (_grad_softmax_over_the_batch, "Take the softmax along each row (`axis=1`, over the "
         "classes), not down the columns (over the examples)."),
    ],
    hint_text=[
        "Softmax: exp(s) / sum(exp(s)) along each row; subtract each row's maximum first.",
        "Then subtract 1 at `[np.arange(N), labels]` and divide everything by N.",
    ],
    solution_text="The softmax minus the one-hot labels, averaged over the batch:",
)

_x = _rng.normal(2.0, 3.0, size=(4, 2, 3, 3))
_x_flat = 1 + np.round(0.004 * _rng.normal(size=(2, 1, 2, 3)), 5)  # a variance near eps
_x_wide = np.round(_rng.normal(size=(3, 2, 2, 5)), 3)

q9 = FunctionExercise(
    "q9",
    "Batch normalization in code",
    """
    Write `batch_norm(x, gamma, beta, eps=1e-5)`: batch normalization in training mode for a
    NumPy array `x` of shape (N, C, H, W). For each channel, compute the mean and the (biased)
    variance over the batch and all positions, normalise, then multiply by `gamma[c]` and add
    `beta[c]` (`gamma`, `beta` of shape (C,)). Return an array shaped like `x`. Check it with
    `ex.q9.check(batch_norm)`.
    """,
    reference=batch_norm,
    cases=[
        ("2 channels, gamma 1 and beta 0", (_x, np.ones(2), np.zeros(2))),
        ("a constant channel (eps keeps it finite)", (np.ones((2, 1, 2, 2)), np.ones(1),
                                                      np.zeros(1))),
        ("scale and shift", (_x, np.array([2.0, 0.5]), np.array([-1.0, 3.0]))),
        ("one channel, one example", (_x[:1, :1], np.ones(1), np.zeros(1))),
        ("a batch of one example with 1x2 maps (2 values per channel, the first channel "
         "constant)", (np.array([[[[3.0, 3.0]], [[-2.0, 4.0]]]]), np.array([2.0, 3.0]),
                       np.array([0.5, -1.0]))),
        ("a variance about as small as eps", (_x_flat, np.ones(1), np.zeros(1))),
        ("eps = 0.1 passed in, 2x5 maps", (_x_wide, np.array([1.5, -1.0]),
                                           np.array([0.0, 2.0]), 0.1)),
    ],
    common_mistakes=[
        (_batch_norm_per_example, "Normalise each CHANNEL over the batch and the positions "
         "(axes 0, 2, 3), not each example (that would be layer normalization)."),
        (_batch_norm_unbiased, "Use the biased variance (divide by the number of values, "
         "`np.var` with ddof=0), as PyTorch does when it normalises."),
        (_batch_norm_eps_outside_sqrt, "Add eps to the variance, inside the square root: "
         "`np.sqrt(var + eps)`, not `np.sqrt(var) + eps`."),
        (_batch_norm_default_eps_only, "Use the `eps` that is passed in, not a fixed 1e-5."),
        (_batch_norm_per_position, "Average over the positions too (axes 0, 2, 3): a "
         "convolution's batch norm has one mean and variance per channel, not per channel "
         "and position."),
        (_batch_norm_gamma_beta_swapped, "gamma scales and beta shifts: "
         "`gamma * x_hat + beta`."),
    ],
    hint_text=[
        "`x.mean(axis=(0, 2, 3), keepdims=True)` gives one mean per channel, shape "
        "(1, C, 1, 1).",
        "Reshape gamma and beta to (1, C, 1, 1) so that they broadcast over x.",
    ],
    solution_text="Per-channel statistics over the batch and the positions:",
)

q10 = NumberExercise(
    "q10",
    "What batch normalization adds",
    """
    `models.ResidualStack(blocks=1, channels=16, batch_norm=True)` has three 3x3 convolutions
    to 16 channels (a first one, then one residual pair), each followed by
    `nn.BatchNorm2d(16)`; with `batch_norm=False` the three batch-norm layers are gone and
    everything else stays. How many more learnable parameters does the version with batch
    normalization have? Predict an integer, then run the experiment below.
    """,
    answer=3 * 16 * 2,
    hint_text=[
        "Batch normalization learns a scale and a shift for every channel.",
        "It also keeps a running mean and variance per channel: are they learned by the "
        "optimizer, or only updated as training goes?",
    ],
    solution_text="**96** = 3 layers * 16 channels * 2: a scale gamma and a shift beta per "
    "channel. The running mean and variance (and a counter of batches) are buffers: updated "
    "during training, used in evaluation mode, but not learned, so `model.parameters()` does "
    "not list them.",
    common_mistakes={
        192: "that counts the running mean and variance too; they are buffers, updated during "
        "training but not learned: only gamma and beta are parameters.",
        195: "that counts the buffers (running mean, variance and the batch counter); only "
        "gamma and beta are learned parameters.",
        48: "each channel has two learned values, a scale gamma and a shift beta.",
        32: "there are three batch-norm layers, one after each convolution.",
        0: "batch normalization learns a scale and a shift per channel (gamma and beta).",
    },
    integer=True,
    level="medium",
    placeholder="your prediction here (an integer)",
    experiment="""
    from cnn_lib import models

    for batch_norm in (False, True):
        model = models.ResidualStack(blocks=1, channels=16, batch_norm=batch_norm)
        params = sum(p.numel() for p in model.parameters())
        buffers = sum(b.numel() for b in model.buffers())
        print(f"batch_norm={batch_norm!s:<5}: {params:,} parameters, "
              f"{buffers} buffer values")
    """,
)

q11 = ArrayExercise(
    "q11",
    "One stride changes every size after it",
    """
    LeNet-5 (`models.LeNet5()`) takes a 1x32x32 image: conv 5x5 (6 filters), 2x2 average
    pooling, conv 5x5 (16 filters), 2x2 average pooling, then flatten, which gets a 16x5x5
    map. Change its first convolution to stride 2 (`nn.Conv2d(1, 6, kernel_size=5,
    stride=2)`), keeping everything else. What shape (C, H, W) reaches the flatten step now?
    Predict three integers, e.g. `answer = [1, 2, 3]`, then run the experiment below.
    """,
    answer=[16, 1, 1],
    hint_text=[
        "With stride 2, the first convolution gives (32 - 5) // 2 + 1 rows.",
        "Then halve (rounding down), subtract 4 for the second 5x5 convolution, and halve "
        "again.",
    ],
    solution_text="**(16, 1, 1)**: 32 -> (32 - 5) // 2 + 1 = 14 -> pooling 7 -> conv 3 -> "
    "pooling 1. The first fully connected layer, built for 16*5*5 = 400 inputs, now gets 16 "
    "and fails: a stride early in the network changes every size after it.",
    common_mistakes=[
        ([16, 5, 5], "that is the original, stride 1; with stride 2 the first convolution "
         "gives (32 - 5) // 2 + 1 = 14 rows."),
        ([16, 3, 3], "there are two poolings: the second one halves 3 to 1 (rounded down)."),
        ([16, 2, 2], "2x2 pooling rounds down: a 3x3 map gives 1x1 (PyTorch drops the window "
         "that would stick out)."),
        ([6, 1, 1], "the channels come from the last convolution: 16 filters."),
    ],
    level="medium",
    placeholder="your prediction here: [C, H, W]",
    experiment="""
    import torch
    from torch import nn
    from cnn_lib import models

    for stride in (1, 2):
        net = models.LeNet5()
        net[0] = nn.Conv2d(1, 6, kernel_size=5, stride=stride)
        x = torch.zeros(1, 1, 32, 32)
        for k in range(6):                    # conv, tanh, pool, conv, tanh, pool
            x = net[k](x)
        print(f"first stride {stride}: {tuple(x.shape[1:])} reaches the flatten step, "
              f"{x[0].numel()} values; the first Linear expects {net[7].in_features}")
    """,
)

q12 = FunctionExercise(
    "q12",
    "Parameter counts in code",
    """
    Write `count_params(input_shape, layers)`: the number of learnable parameters (weights
    and biases) of a network on inputs of shape `input_shape = (C, H, W)`. `layers` is a list
    of `("conv", out_channels, kernel, stride, padding)`, `("pool", kernel, stride)` and
    `("fc", out_features)` tuples (as in Exercise 5.7, plus fully connected layers). Every conv
    and fc layer has biases; the first fc layer takes the flattened map, each later one the
    outputs of the fc layer before it. Return an int. Check it with
    `ex.q12.check(count_params)`.
    """,
    reference=count_params,
    cases=[
        ("SimpleCNN on 1x28x28", ((1, 28, 28), _simple + [("fc", 120), ("fc", 84),
                                                          ("fc", 10)])),
        ("LeNet-5 on 1x32x32", ((1, 32, 32), _lenet + [("fc", 120), ("fc", 84), ("fc", 10)])),
        ("AlexNet on 3x224x224", ((3, 224, 224), _alexnet + [("fc", 4096), ("fc", 4096),
                                                              ("fc", 1000)])),
        ("an Inception branch: a 1x1 reduction, then 3x3", ((480, 14, 14), [
            ("conv", 96, 1, 1, 0), ("conv", 128, 3, 1, 1)])),
        ("a non-square 3x32x46 input, 3x3/2 pooling, then fc",
         ((3, 32, 46), _non_square + [("fc", 10)])),
        ("an MLP: fc layers only, on 1x28x28", ((1, 28, 28), [("fc", 100), ("fc", 10)])),
        ("no layers: no parameters", ((3, 4, 5), [])),
    ],
    common_mistakes=[
        (_params_without_biases, "Add the biases: one per filter of a conv layer, one per "
         "unit of a fc layer."),
        (_params_filters_one_channel_deep, "Each filter spans all the input channels: a conv "
         "layer has out_channels * (in_channels * kernel * kernel + 1) parameters."),
        (_params_fc_sees_channels_only, "The first fc layer sees every value of the map: "
         "C * H * W inputs, not C."),
        (_params_pool_by_stride, "A pooling layer leaves (H - F) // S + 1 positions (Exercise "
         "5.7), not H // S: with a 3x3 window and stride 2 the fc layer after it has fewer "
         "inputs."),
    ],
    hint_text=[
        "A conv layer has out_channels filters of kernel * kernel * in_channels weights, and "
        "a bias each; a pooling layer has none.",
        "A fc layer needs the number of values it receives: track (C, H, W) as in Exercise "
        "5.7; after a fc layer it is (out_features, 1, 1).",
    ],
    solution_text="Trace the shape as in Exercise 5.7 and add each layer's weights and "
    "biases:",
)


EXERCISES = number_exercises(5, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12])


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(5, EXERCISES)
