"""2-D convolution (really cross-correlation, as in every deep-learning library) from scratch.

Two versions of the same idea:

- ``corr2d(X, K)``: one image, one kernel, two plain loops. Read this one first.
- ``conv2d(input, weight, ...)``: the NumPy twin of ``torch.nn.functional.conv2d`` (batches,
  channels, bias, stride, padding, dilation, groups), vectorised as **im2col**: cut every window
  the kernel visits out of the image at once, lay them out as the columns of a matrix, and do the
  whole convolution as one matrix product.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lib import arithmetic
from cnn_lib.checks import as_batch, as_real_array, check_int, check_ndim, float_dtype, pair


def corr2d(X, K):
    """Cross-correlate a 2-D array with a 2-D kernel, with plain loops (no padding, stride 1).

    ``Y[i, j] = sum over (a, b) of X[i + a, j + b] * K[a, b]``

    Parameters
    ----------
    X : array of shape (H, W)
    K : array of shape (kh, kw), with kh <= H and kw <= W

    Returns
    -------
    Y : array of shape (H - kh + 1, W - kw + 1)
    """
    X = as_real_array(X, "X", "corr2d")
    K = as_real_array(K, "K", "corr2d")
    check_ndim(X, "X", "corr2d", (2,), "a 2-D array (H, W)")
    check_ndim(K, "K", "corr2d", (2,), "a 2-D array (kh, kw)")
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f"corr2d: kernel K of shape {K.shape} does not fit in X of shape "
                         f"{X.shape}; expected K.shape <= X.shape in both dimensions")
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=float_dtype(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def input_and_weight(fn, input, weight, weight_layout):
    """Check ``input`` and ``weight`` of a convolution (or a transposed one) as arrays.

    ``weight_layout`` describes the expected 4-D layout in the error message. Returns
    ``(x, w, batched)``: ``x`` of shape (N, C_in, H, W) (a batch of one if ``input`` was an
    unbatched (C_in, H, W)), ``w`` as given, neither of them empty.
    """
    x, batched = as_batch(input, fn, channels="C_in")
    w = as_real_array(weight, "weight", fn)
    check_ndim(w, "weight", fn, (4,), weight_layout)
    if min(w.shape) == 0:
        raise ValueError(f"{fn}: weight must not be empty, got shape {w.shape}")
    return x, w, batched


def conv_arguments(fn, input, weight, stride, padding, dilation, groups):
    """Check the arguments of ``conv2d`` (and its backward) and bring them into one form.

    Returns ``(x, w, batched, stride, pads, dilation, groups)`` where ``x`` has shape
    (N, C_in, H, W) (a batch of one if ``input`` was unbatched), ``w`` has shape
    (C_out, C_in / groups, kh, kw), and ``pads = (top, bottom, left, right)``.
    """
    x, w, batched = input_and_weight(fn, input, weight, "(C_out, C_in / groups, kh, kw)")
    stride = pair(stride, "stride", fn, 1)
    dilation = pair(dilation, "dilation", fn, 1)
    groups = _check_groups(fn, groups, x.shape[1], w.shape)
    kh, kw = w.shape[2:]
    pads = _pads(fn, padding, stride, dilation, (kh, kw))
    H, W = x.shape[2:]
    Hp, Wp = H + pads[0] + pads[1], W + pads[2] + pads[3]
    span_h, span_w = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    if span_h > Hp or span_w > Wp:
        raise ValueError(
            f"{fn}: kernel ({kh}, {kw}) with dilation {dilation} spans ({span_h}, {span_w}) "
            f"pixels but the padded input is only ({Hp}, {Wp}) (input {H}x{W}, padding "
            f"top/bottom/left/right {pads}); expected kernel span <= padded input size")
    return x, w, batched, stride, pads, dilation, groups


def _check_groups(fn, groups, C_in, weight_shape):
    """``groups`` as an int that divides the input and output channels and fits the weight."""
    groups = check_int(groups, "groups", fn, 1)
    C_out = weight_shape[0]
    if C_in % groups:
        raise ValueError(f"{fn}: groups={groups} must divide the input channels, "
                         f"but input has {C_in} channels")
    if C_out % groups:
        raise ValueError(f"{fn}: groups={groups} must divide the output channels, "
                         f"but weight has {C_out} output channels (weight.shape[0])")
    if weight_shape[1] != C_in // groups:
        raise ValueError(
            f"{fn}: weight has {weight_shape[1]} input channels per group but input has "
            f"{C_in} channels (groups={groups}); expected weight.shape[1] == input channels / "
            f"groups == {C_in // groups}")
    return groups


def _pads(fn, padding, stride, dilation, kernel):
    """``padding`` (an int, a pair, 'valid' or 'same') as (top, bottom, left, right)."""
    if not isinstance(padding, str):
        ph, pw = pair(padding, "padding", fn, 0)
        return (ph, ph, pw, pw)
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding != "same":
        raise ValueError(f"{fn}: padding must be an int, a pair of ints, 'valid' or 'same', "
                         f"got {padding!r}")
    if stride != (1, 1):
        raise ValueError(
            f"{fn}: padding='same' needs stride=1, got stride={stride}: with a larger "
            "stride the output is smaller than the input whatever the padding")
    # Total padding d*(k-1) keeps the size; PyTorch puts an odd extra pixel at the
    # right / bottom.
    th, tw = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
    return (th // 2, th - th // 2, tw // 2, tw - tw // 2)


def output_size(size, pad_total, kernel, stride, dilation):
    """Output length along one axis with ``pad_total`` zeros in all (perhaps more on one side,
    as 'same' pads an even kernel): ``arithmetic.conv_output_size`` of the padded length."""
    return arithmetic.conv_output_size(size + pad_total, kernel, stride, 0, dilation)


def im2col(x, kernel_size, stride, pads, dilation, groups):
    """Cut out every window a kernel visits, as columns.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    kernel_size, stride, dilation : pairs (height, width)
    pads : (top, bottom, left, right) zero padding

    Returns
    -------
    cols : array of shape (N, groups, C / groups * kh * kw, H_out * W_out), where
        ``cols[n, g, (c, a, b), (i, j)] = x_padded[n, g*C/groups + c, i*sh + a*dh, j*sw + b*dw]``
    (H_out, W_out) : the output size
    """
    N, C = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    top, bottom, left, right = pads
    if any(pads):
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    # windows[n, c, i, j, a, b] = x[n, c, i + a, j + b]: a view, nothing is copied yet.
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(x, span, axis=(2, 3))
    # keep every stride-th window and every dilation-th pixel inside a window
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]
    H_out, W_out = windows.shape[2:4]
    # (N, C, kh, kw, H_out, W_out): the one copy, laid out so that the matrix product is fast
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, groups, C // groups * kh * kw,
                                                         H_out * W_out)
    return cols, (H_out, W_out)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation), like ``torch.nn.functional.conv2d``.

    ``out[n, o, i, j] = bias[o] + sum over (c, a, b) of
    weight[o, c, a, b] * x_padded[n, g*C_in/groups + c, i*sh + a*dh, j*sw + b*dw]``
    where ``g`` is the group of output channel ``o``.

    Parameters
    ----------
    input : array of shape (N, C_in, H, W), or (C_in, H, W) for one unbatched image
    weight : array of shape (C_out, C_in / groups, kh, kw)
    bias : array of shape (C_out,) or None
    stride : int or (sh, sw), >= 1
    padding : int or (ph, pw) zeros on each side, or 'valid' (none) or 'same' (output size =
        input size; stride 1 only; an odd total puts the extra pixel at the bottom / right)
    dilation : int or (dh, dw), >= 1: gaps between kernel taps
    groups : int dividing C_in and C_out: channels are split into ``groups`` independent stacks

    Returns
    -------
    array of shape (N, C_out, H_out, W_out) (unbatched: (C_out, H_out, W_out)) with
    ``H_out = floor((H + 2*ph - dh*(kh - 1) - 1) / sh) + 1`` and likewise W_out;
    float32 if the inputs are float32, else float64.
    """
    fn = "conv2d"
    x, w, batched, stride, pads, dilation, groups = conv_arguments(
        fn, input, weight, stride, padding, dilation, groups)
    arrays = (x, w)
    if bias is not None:
        b = as_real_array(bias, "bias", fn)
        if b.shape != (w.shape[0],):
            raise ValueError(f"{fn}: bias must have shape (C_out,) = ({w.shape[0]},), "
                             f"got shape {b.shape}")
        arrays += (b,)
    dtype = float_dtype(*arrays)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)

    N, C_out = x.shape[0], w.shape[0]
    cols, (H_out, W_out) = im2col(x, w.shape[2:], stride, pads, dilation, groups)
    # (groups, C_out/groups, C_in/groups*kh*kw) @ (N, groups, C_in/groups*kh*kw, H_out*W_out)
    w_rows = w.reshape(groups, C_out // groups, -1)  # one row per output channel
    out = np.matmul(w_rows, cols).reshape(N, C_out, H_out, W_out)
    if bias is not None:
        out += b.astype(dtype, copy=False)[:, None, None]
    return out if batched else out[0]
