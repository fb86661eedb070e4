"""Convolution arithmetic: output sizes, parameter counts, storage and operation counts.

Everything here is exact integer arithmetic (Python ints), so the numbers the book prints are
the numbers a reader gets by hand. Only NumPy is used; PyTorch is never imported here, although
every formula matches what ``torch.nn.Conv2d`` does.

Notation (see the book's notation page): input size H (or W), kernel size F, stride S,
padding P, dilation D. A dilated kernel covers D*(F - 1) + 1 input cells.
"""

import itertools
from typing import NamedTuple

import numpy as np

from cnn_lib.checks import check_bool, check_int, pair

__all__ = [
    "PADDING_NAMES",
    "ReceptiveField",
    "conv_as_matrix",
    "conv_costs",
    "conv_multiplications",
    "conv_output_size",
    "conv_params",
    "conv_transpose_output_size",
    "full_padding",
    "linear_params",
    "mlp_params",
    "pool_output_size",
    "receptive_field",
    "same_padding",
    "shared_vs_dense_weights",
]

# The three named paddings of a stride-1 convolution of a length-m input with a length-k kernel
# (MATLAB's and SciPy's names; PyTorch knows 'valid' and 'same', Keras 'valid' and 'same'):
# 'valid' adds nothing (m - k + 1 outputs), 'same' keeps the size (m), 'full' visits every input
# cell with every kernel cell (m + k - 1).
PADDING_NAMES = ("valid", "same", "full")


# --------------------------------------------------------------------------------------------
# Argument checking
# --------------------------------------------------------------------------------------------
def _is_pair(value):
    return isinstance(value, (tuple, list))


def _per_axis(size_1d, args, names, minimums, *options):
    """``size_1d(*ints, *options)`` when every argument is an int; with any (height, width)
    pair among ``args``, the tuple of ``size_1d`` along the height and along the width."""
    if not any(_is_pair(a) for a in args):
        return size_1d(*[check_int(a, n, low=m) for n, a, m in zip(names, args, minimums)],
                       *options)
    height, width = zip(*[pair(a, n, low=m) for n, a, m in zip(names, args, minimums)])
    return (size_1d(*height, *options, where="tall"), size_1d(*width, *options, where="wide"))


_SIZE_NAMES = ("size", "kernel_size", "stride", "padding", "dilation")


# --------------------------------------------------------------------------------------------
# Output sizes
# --------------------------------------------------------------------------------------------
def _output_size_1d(size, kernel_size, stride, padding, dilation, strict, where=""):
    """Output length along one axis: floor((size + 2P - D(F-1) - 1) / S) + 1, an int."""
    span = dilation * (kernel_size - 1) + 1  # cells covered by the (dilated) kernel
    axis = {"": "", "tall": " of height", "wide": " of width"}[where]
    filter_name = (f"filter{axis} {kernel_size}" if where
                   else f"{kernel_size}x{kernel_size} filter")
    if span != kernel_size:
        filter_name += f" (dilated to span {span})"
    if size + 2 * padding < span:
        raise ValueError(
            f"the kernel{axis} {kernel_size} (spanning {span} cells with dilation "
            f"{dilation}) is larger than the padded input: {size} + 2*{padding} = "
            f"{size + 2 * padding} < {span}, so the output would be empty")
    if strict and (size - span + 2 * padding) % stride != 0:
        value = (size - span + 2 * padding) / stride + 1
        raise ValueError(
            f"({size} - {span} + 2*{padding}) / {stride} + 1 = {value:.2f} is not a whole "
            f"number: the {filter_name} does not fit a {size}-{where or 'wide'} input "
            f"with stride {stride} and padding {padding}")
    return (size + 2 * padding - span) // stride + 1


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, strict=False):
    """Output size of a convolution, exactly as ``torch.nn.Conv2d`` computes it.

    H_out = floor((H + 2P - D(F - 1) - 1) / S) + 1.

    Args:
        size: input size H (int), or (H, W).
        kernel_size, stride, dilation: ints, or (height, width) pairs.
        padding: an int or a pair (zeros added on each side), or one of ``PADDING_NAMES``:
            'valid' (P = 0), 'same' (output size = input size; stride 1 only, as in
            PyTorch) or 'full' (P = D(F - 1): every input cell meets every kernel cell).
        strict: if True, raise ValueError when (H - F + 2P)/S + 1 is not a whole number,
            i.e. when the filter does not fit the input evenly and PyTorch would silently
            drop the last rows or columns.

    Returns:
        int H_out, or a tuple (H_out, W_out) when any argument is a pair.

    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size((32, 32), 5, padding=2)
    (32, 32)
    >>> conv_output_size(10, 4, padding="full")
    13
    """
    strict = check_bool(strict, "strict")
    if isinstance(padding, str):
        return _named_padding_output_size(size, kernel_size, stride, padding, dilation, strict)
    return _per_axis(_output_size_1d, (size, kernel_size, stride, padding, dilation),
                     _SIZE_NAMES, (1, 1, 1, 0, 1), strict)


def _named_padding_output_size(size, kernel_size, stride, padding, dilation, strict):
    """``conv_output_size`` for padding='valid', 'same' or 'full'."""
    if padding not in PADDING_NAMES:
        raise ValueError(f"padding must be an int, a pair of ints or one of {PADDING_NAMES}, "
                         f"got {padding!r}")
    if padding == "same":
        stride_pair = pair(stride, "stride")
        if stride_pair != (1, 1):
            raise ValueError(f"padding='same' needs stride=1, got stride={stride!r}: with a "
                             "larger stride the output is smaller than the input whatever the "
                             "padding (PyTorch refuses it too)")
        # the total padding D(F - 1) keeps the size; check the other arguments all the same
        pair(kernel_size, "kernel_size")
        pair(dilation, "dilation")
        n = pair(size, "size")
        return n if any(_is_pair(a) for a in (size, kernel_size, dilation)) else n[0]
    k = pair(kernel_size, "kernel_size")
    d = pair(dilation, "dilation")
    pads = tuple(di * (ki - 1) for ki, di in zip(k, d)) if padding == "full" else (0, 0)
    if not any(_is_pair(a) for a in (size, kernel_size, stride, dilation)):
        pads = pads[0]
    return conv_output_size(size, kernel_size, stride, pads, dilation, strict)


def same_padding(kernel_size, dilation=1):
    """Padding P per side that keeps the size of a stride-1 convolution: P = D(F - 1) / 2.

    F = 3, 5, 7 give P = 1, 2, 3: the deck's rule P = (F - 1)/2. A kernel whose span
    D(F - 1) + 1 is even (F = 4, say) needs an odd total D(F - 1) that cannot be split evenly
    over the two sides; this raises a ValueError that says so (PyTorch's padding='same' then
    puts the extra pixel after the image, at the bottom / right).

    >>> [same_padding(F) for F in (3, 5, 7)]
    [1, 2, 3]
    """
    kernel_size = check_int(kernel_size, "kernel_size")
    dilation = check_int(dilation, "dilation")
    total = dilation * (kernel_size - 1)
    if total % 2:
        raise ValueError(
            f"a kernel of size {kernel_size} with dilation {dilation} needs {total} pixels of "
            f"padding in all to keep the size, which cannot be split evenly over two sides: "
            f"pad {total // 2} before and {total - total // 2} after (what PyTorch's "
            f"padding='same' does), or use an odd kernel size")
    return total // 2


def full_padding(kernel_size, dilation=1):
    """Padding P per side of a 'full' convolution: P = D(F - 1), so every input cell meets every
    kernel cell and a length-m input gives m + D(F - 1) outputs (m + k - 1 without dilation).

    >>> full_padding(3)
    2
    """
    kernel_size = check_int(kernel_size, "kernel_size")
    dilation = check_int(dilation, "dilation")
    return dilation * (kernel_size - 1)


def _pool_size_1d(size, kernel_size, stride, padding, dilation, ceil_mode, where=""):
    """Pooling output length along one axis, with PyTorch's checks and its ceil_mode rule."""
    span = dilation * (kernel_size - 1) + 1
    axis = {"": "", "tall": " (height)", "wide": " (width)"}[where]
    if 2 * padding > kernel_size:
        raise ValueError(f"padding{axis} {padding} is more than half the pooling window's "
                         f"kernel_size {kernel_size}: a window could then hold nothing but "
                         f"padding (PyTorch refuses it too)")
    if size + 2 * padding < span:
        raise ValueError(f"the pooling window{axis} ({span} cells) is larger than the padded "
                         f"input: {size} + 2*{padding} = {size + 2 * padding} < {span}")
    room = size + 2 * padding - span
    out = (-(-room // stride) if ceil_mode else room // stride) + 1
    # ceil_mode may add a last window; PyTorch drops it if it would start in the right padding
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pool_output_size(size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output size of ``torch.nn.MaxPool2d`` / ``AvgPool2d``: floor((H + 2P - D(F-1) - 1)/S) + 1.

    The decks' W2 = (W1 - F)/S + 1 is the case P = 0, D = 1. Unlike a convolution, the stride
    defaults to the window size (non-overlapping windows), the padding may be at most half the
    kernel size (whatever the dilation), and ``ceil_mode=True`` rounds up instead of down
    (keeping a last, partial window unless it would start in the padding). Pooling has no
    parameters.

    Args:
        size: input size H (int), or (H, W).
        kernel_size, padding, dilation: ints or (height, width) pairs.
        stride: int, pair or None (= kernel_size).
        ceil_mode: round up instead of down.

    Returns:
        int, or a tuple (H_out, W_out) when any argument is a pair.

    >>> pool_output_size(4, 2)  # 4x4 -> 2x2
    2
    >>> pool_output_size(13, 3, stride=2)  # overlapping 3x3 windows, stride 2 (AlexNet)
    6
    """
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    stride = kernel_size if stride is None else stride
    return _per_axis(_pool_size_1d, (size, kernel_size, stride, padding, dilation),
                     _SIZE_NAMES, (1, 1, 1, 0, 1), ceil_mode)


def _transpose_size_1d(size, kernel_size, stride, padding, output_padding, dilation, where=""):
    axis = {"": "", "tall": " (height)", "wide": " (width)"}[where]
    if output_padding >= max(stride, dilation):
        raise ValueError(f"output_padding{axis} must be smaller than the stride or the "
                         f"dilation, got output_padding={output_padding}, stride={stride}, "
                         f"dilation={dilation} (PyTorch refuses it too)")
    out = (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
    if out < 1:
        raise ValueError(f"the output{axis} would be empty: ({size} - 1)*{stride} - 2*{padding} "
                         f"+ {dilation}*({kernel_size} - 1) + {output_padding} + 1 = {out}")
    return out


def conv_transpose_output_size(size, kernel_size, stride=1, padding=0, output_padding=0,
                               dilation=1):
    """Output size of ``torch.nn.ConvTranspose2d``: (H - 1)S - 2P + D(F - 1) + output_padding + 1.

    A transposed convolution maps a convolution's output size back to its input size. Since a
    strided convolution floors, several input sizes give the same output; ``output_padding``
    (less than the stride or the dilation) says which one to get back: with
    a = (H + 2P - D(F - 1) - 1) mod S for the convolution's input H,
    ``conv_transpose_output_size(conv_output_size(H, F, S, P, D), F, S, P, a, D) == H``
    (Dumoulin and Visin, relationship 14).

    Args:
        size: input size (int) or (H, W); the other arguments ints or (height, width) pairs.

    Returns:
        int, or a tuple (H_out, W_out) when any argument is a pair.

    >>> conv_transpose_output_size(3, 3, stride=2)  # a 3x3 conv of stride 2 took 7 to 3
    7
    """
    return _per_axis(_transpose_size_1d,
                     (size, kernel_size, stride, padding, output_padding, dilation),
                     _SIZE_NAMES[:4] + ("output_padding", "dilation"), (1, 1, 1, 0, 0, 1))


# --------------------------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------------------------
class ReceptiveField(NamedTuple):
    """One output unit sees ``size`` input cells (per side); neighbouring output units'
    windows are ``jump`` input cells apart (the product of the strides)."""

    size: int
    jump: int


def receptive_field(layers):
    """Receptive field of one output unit of a stack of convolution (or pooling) layers.

    Each layer is ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)``. Going
    through the stack from the input, with r_0 = 1 and j_0 = 1:

        r_l = r_{l-1} + D_l (F_l - 1) j_{l-1}      (the window adds D(F-1) cells of the
        j_l = j_{l-1} S_l                            layer below, each j_{l-1} input cells apart)

    Padding moves the window but does not change its size. Near the border part of the field
    falls on padding; ``size`` counts it all.

    Args:
        layers: a list of tuples of ints, first layer (next to the input) first.

    Returns:
        ReceptiveField(size, jump), a tuple of two ints.

    >>> receptive_field([(3, 1), (3, 1)])  # two 3x3 layers see 5x5
    ReceptiveField(size=5, jump=1)
    >>> receptive_field([(7, 2), (3, 2)])  # ResNet's stem: 7x7 conv, stride 2; 3x3 pool, stride 2
    ReceptiveField(size=11, jump=4)
    """
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a list of (kernel_size, stride[, dilation]) tuples, "
                        f"got {type(layers).__name__} {layers!r:.60}")
    size, jump = 1, 1
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (2, 3):
            raise ValueError(f"layers[{i}] must be (kernel_size, stride) or (kernel_size, "
                             f"stride, dilation), got {layer!r}")
        kernel_size = check_int(layer[0], f"layers[{i}] kernel_size")
        stride = check_int(layer[1], f"layers[{i}] stride")
        dilation = check_int(layer[2], f"layers[{i}] dilation") if len(layer) == 3 else 1
        size += dilation * (kernel_size - 1) * jump
        jump *= stride
    return ReceptiveField(size, jump)


# --------------------------------------------------------------------------------------------
# Parameter counts
# --------------------------------------------------------------------------------------------
def conv_params(in_channels, out_channels, kernel_size, bias=True, groups=1):
    """Number of learnable parameters of ``torch.nn.Conv2d`` with these arguments (an int).

    Each of the ``out_channels`` filters has kh * kw * (in_channels / groups) weights, plus
    one bias per filter when ``bias`` is True: (kh*kw*C/groups) * K + K.

    >>> conv_params(3, 10, 5)  # ten 5x5x3 filters with biases
    760
    """
    in_channels = check_int(in_channels, "in_channels")
    out_channels = check_int(out_channels, "out_channels")
    kh, kw = pair(kernel_size, "kernel_size")
    bias = check_bool(bias, "bias")
    groups = check_int(groups, "groups")
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise ValueError(f"groups must divide {name}: got groups={groups} and "
                             f"{name}={channels}")
    weights = kh * kw * (in_channels // groups) * out_channels
    return weights + (out_channels if bias else 0)


def conv_multiplications(in_channels, out_channels, kernel_size, output_size, groups=1):
    """Multiplications of one forward pass of ``torch.nn.Conv2d`` on one image (an int).

    Each of the H_out * W_out * out_channels outputs is a weighted sum of
    (in_channels / groups) * kh * kw inputs: one multiplication each (and as many additions,
    bias included). PyTorch's FLOP counter reports twice this number (a multiply and an add).

    Args:
        in_channels, out_channels, groups: ints; kernel_size: int or (kh, kw);
        output_size: int or (H_out, W_out), e.g. from :func:`conv_output_size`.

    >>> conv_multiplications(6, 16, 3, 14)  # 6 -> 16 channels, 3x3, a 14x14 output
    169344
    """
    in_channels = check_int(in_channels, "in_channels")
    out_channels = check_int(out_channels, "out_channels")
    kh, kw = pair(kernel_size, "kernel_size")
    h, w = pair(output_size, "output_size")
    groups = check_int(groups, "groups")
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise ValueError(f"groups must divide {name}: got groups={groups} and "
                             f"{name}={channels}")
    return h * w * out_channels * (in_channels // groups) * kh * kw


def linear_params(in_features, out_features, bias=True):
    """Number of learnable parameters of ``torch.nn.Linear``: in*out (+ out biases), an int."""
    in_features = check_int(in_features, "in_features")
    out_features = check_int(out_features, "out_features")
    bias = check_bool(bias, "bias")
    return in_features * out_features + (out_features if bias else 0)


def mlp_params(sizes, bias=False):
    """Parameters of a fully connected network with layer widths ``sizes`` (an int).

    ``sizes`` lists the input size then each layer's width, e.g. [640*480, 100, 100, 2] for
    a grey 640x480 image, two hidden layers of 100 and 2 outputs: 30,730,200 weights.
    Biases are left out by default, as in the lecture decks' count.
    """
    if not _is_pair(sizes):
        raise TypeError(f"sizes must be a list or tuple of ints, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(f"sizes must hold at least two ints (input and output), got {sizes!r}")
    sizes = [check_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    bias = check_bool(bias, "bias")
    return sum(linear_params(a, b, bias) for a, b in itertools.pairwise(sizes))


# --------------------------------------------------------------------------------------------
# Shared versus dense weights, storage and operation counts
# --------------------------------------------------------------------------------------------
def _valid_sizes(input_size, kernel_size):
    """Check a valid stride-1 single-channel setting; return (H, W), (kh, kw), (H_out, W_out)."""
    h, w = pair(input_size, "input_size")
    kh, kw = pair(kernel_size, "kernel_size")
    return (h, w), (kh, kw), conv_output_size((h, w), (kh, kw))


def shared_vs_dense_weights(input_size, kernel_size):
    """Weights of one convolution filter vs. a fully connected layer with the same in/out.

    For one channel and a valid, stride-1 convolution of an H x W input with a kh x kw filter,
    the convolution shares kh*kw weights over all positions, while a dense layer mapping the
    H*W inputs to the H_out*W_out outputs needs (H*W) * (H_out*W_out) weights.

    Args:
        input_size: H or (H, W).  kernel_size: F or (kh, kw).

    Returns:
        (shared, dense), two ints. A 3x3 input and a 2x2 filter give (4, 36).
    """
    (h, w), (kh, kw), (h_out, w_out) = _valid_sizes(input_size, kernel_size)
    return kh * kw, (h * w) * (h_out * w_out)


def conv_costs(input_size, kernel_size):
    """Storage (floats) and operations (multiplications + additions) of one cross-correlation.

    A single-channel, valid, stride-1 cross-correlation of an H x W input with a kh x kw
    kernel, done three ways. With k = kh*kw, n_in = H*W and n_out = H_out*W_out:

    - 'convolution': store the k weights; each output takes k products and k-1 sums.
    - 'dense matrix': store the full (n_out, n_in) matrix; each output is a dot product of
      length n_in, n_in products and n_in - 1 sums.
    - 'sparse matrix': store only the k nonzeros of each of the n_out rows; same operations
      as the convolution.

    Args:
        input_size: (H, W) (or an int for a square).  kernel_size: (kh, kw) (or an int).

    Returns:
        {'output_size': (H_out, W_out),
         'convolution': {'storage': int, 'operations': int}, 'dense matrix': {...},
         'sparse matrix': {...}}
    """
    (h, w), (kh, kw), (h_out, w_out) = _valid_sizes(input_size, kernel_size)
    k, n_in, n_out = kh * kw, h * w, h_out * w_out
    return {
        "output_size": (h_out, w_out),
        "convolution": {"storage": k, "operations": n_out * (2 * k - 1)},
        "dense matrix": {"storage": n_out * n_in, "operations": n_out * (2 * n_in - 1)},
        "sparse matrix": {"storage": n_out * k, "operations": n_out * (2 * k - 1)},
    }


# --------------------------------------------------------------------------------------------
# Convolution as a matrix
# --------------------------------------------------------------------------------------------
def _toeplitz(weight, n, eye):
    """(n - k + 1, n) Toeplitz matrix T with T @ x = valid cross-correlation of x with weight.

    Row i holds ``weight`` at columns i .. i+k-1, so weight[b] fills the whole b-th
    diagonal above the main one: T = sum_b weight[b] * (ones on diagonal b).
    """
    n_out = n - len(weight) + 1
    return sum(w * eye(n_out, n, k=b, dtype=weight.dtype)
               for b, w in enumerate(weight) if w != 0)


def conv_as_matrix(weight, input_size, sparse=False):
    """Matrix M of a valid, stride-1 cross-correlation: M @ x.ravel() == corr(x, weight).ravel().

    1-D: ``weight`` of shape (k,), ``input_size`` an int n. M has shape (n - k + 1, n) and is a
    **Toeplitz** matrix: row i holds the weights at columns i .. i+k-1, so every diagonal is
    constant (diagonal b holds weight[b]).

    2-D: ``weight`` of shape (kh, kw), ``input_size`` (H, W) (or an int for a square). M has
    shape (H_out*W_out, H*W) and is **doubly block Toeplitz**: cut it into H_out x H blocks
    of shape (W_out, W). Block (i, j) maps input row j to output row i; it is the 1-D Toeplitz
    matrix T_a of kernel row a = j - i when 0 <= a < kh, and zero otherwise. So the blocks are
    Toeplitz matrices, arranged in a Toeplitz pattern:

        M = [[T_0, T_1, ..., T_{kh-1}, 0,   ...],
             [0,   T_0, T_1, ..., T_{kh-1}, ...],
             ...]                   = sum_a kron(ones on block diagonal a, T_a)

    Args:
        weight: array-like of numbers, shape (k,) or (kh, kw); its dtype is kept.
        input_size: n (1-D), or (H, W) (2-D).
        sparse: if True, return a ``scipy.sparse`` CSR matrix storing only the nonzeros
            (n_out * k of them for a kernel without zeros), instead of a dense ndarray.

    Returns:
        ndarray (or CSR matrix) of shape (n_out, n) or (H_out*W_out, H*W).
    """
    weight = np.asarray(weight)
    if weight.dtype == bool or weight.dtype.kind not in "iufc":
        raise TypeError(f"weight must be an array of numbers, got dtype {weight.dtype}")
    if weight.ndim not in (1, 2) or weight.size == 0:
        raise ValueError(f"weight must have shape (k,) or (kh, kw), got shape {weight.shape}")
    sparse = check_bool(sparse, "sparse")
    if sparse:
        import scipy.sparse

        eye, kron = scipy.sparse.eye, scipy.sparse.kron
    else:
        eye, kron = np.eye, np.kron
    if weight.ndim == 1:
        n = check_int(input_size, "input_size")
        conv_output_size(n, len(weight))  # raises if the kernel is longer than the input
        matrix = _toeplitz(weight, n, eye)
        shape = (n - len(weight) + 1, n)
    else:
        (h, w), _, (h_out, w_out) = _valid_sizes(input_size, weight.shape)
        matrix = sum(kron(eye(h_out, h, k=a, dtype=weight.dtype), _toeplitz(row, w, eye))
                     for a, row in enumerate(weight) if np.any(row != 0))
        shape = (h_out * w_out, h * w)
    if isinstance(matrix, int):  # all weights are zero: nothing was summed
        matrix = (scipy.sparse.csr_matrix(shape, dtype=weight.dtype) if sparse
                  else np.zeros(shape, dtype=weight.dtype))
    return scipy.sparse.csr_matrix(matrix) if sparse else matrix
