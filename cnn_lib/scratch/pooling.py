"""Pooling from scratch: the NumPy twins of ``torch.nn.functional``'s max, average and Lp pooling.

A pooling layer slides a window over each channel on its own and summarises the window by one
number: its largest value (``max_pool2d``), its mean (``avg_pool2d``) or its Lp norm
(``lp_pool2d``). It has no weights. The window is cut out exactly as in ``conv`` (strided
windows of the padded input), only the weighted sum is replaced by a max or a mean.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lib import arithmetic
from cnn_lib.checks import as_batch, as_real_array, check_bool, float_dtype, is_int, pair


def pool_arguments(fn, input, kernel_size, stride, padding, dilation, ceil_mode):
    """Check a pooling's arguments and bring them into one form.

    Returns ``(x, batched, kernel, stride, padding, dilation, out_size)``: ``x`` of shape
    (N, C, H, W) in float32 or float64 (a batch of one if ``input`` was (C, H, W)), the
    others as (height, width) pairs. ``stride=None`` means ``stride = kernel_size``.
    """
    x, batched = as_batch(input, fn)
    kernel = pair(kernel_size, "kernel_size", fn, 1)
    stride = kernel if stride is None else pair(stride, "stride", fn, 1)
    padding = pair(padding, "padding", fn, 0)
    dilation = pair(dilation, "dilation", fn, 1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode", fn)
    try:
        out_size = arithmetic.pool_output_size(x.shape[2:], kernel, stride, padding, dilation,
                                               bool(ceil_mode))
    except ValueError as err:
        raise ValueError(f"{fn}: {err} (input of shape {x.shape[2:]})") from None
    return x.astype(float_dtype(x), copy=False), batched, kernel, stride, padding, dilation, \
        out_size


def pool_windows(x, kernel, stride, padding, dilation, out_size, fill):
    """Every window of a pooling, as a view of shape (N, C, H_out, W_out, kh, kw).

    ``x`` is padded with ``fill`` by ``padding`` on every side, and further at the bottom and
    right where ``ceil_mode`` lets the last window hang over the padded input.
    ``windows[n, c, i, j, a, b] = x_padded[n, c, i*sh + a*dh, j*sw + b*dw]``.
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    H, W = x.shape[2:]
    # rows needed by the last window, beyond the padded input (only with ceil_mode)
    extra_h = max(0, (out_size[0] - 1) * sh + dh * (kh - 1) + 1 - (H + 2 * ph))
    extra_w = max(0, (out_size[1] - 1) * sw + dw * (kw - 1) + 1 - (W + 2 * pw))
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)),
                    constant_values=fill)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(padded, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    return windows[:, :, :out_size[0], :out_size[1]]


def argmax_like_torch(values):
    """Index of the maximum along the last axis, as PyTorch picks it: the first maximum, but
    the last NaN if there is one (PyTorch's loop replaces its maximum by every NaN it meets)."""
    index = values.argmax(axis=-1)  # NumPy: the first maximum, or the first NaN
    nan = np.isnan(values)
    if nan.any():
        last_nan = values.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)
        index = np.where(nan.any(axis=-1), last_nan, index)
    return index


def _unbatch(out, batched):
    return out if batched else out[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max pooling, like ``torch.nn.functional.max_pool2d``: the largest value in each window.

    Parameters
    ----------
    input : array of shape (N, C, H, W), or (C, H, W) unbatched
    kernel_size : int or (kh, kw), the window
    stride : int, pair or None (default: the window size, windows side by side)
    padding : int or pair, at most half the kernel size; padded cells count as -inf
    dilation : int or pair, gaps between the window's cells
    ceil_mode : round the output size up (a last, partial window) instead of down
    return_indices : also return where each maximum came from

    Returns
    -------
    out : array of shape (N, C, H_out, W_out) (see ``arithmetic.pool_output_size``)
    indices : int64 array like ``out`` (only with ``return_indices``): the position of each
        maximum in its channel, flattened: ``row * W + col`` of the unpadded input. Ties go to
        the first maximum in reading order; a NaN wins over numbers (the last NaN, as PyTorch);
        a window whose maximum is -inf reports its first cell inside the image, as PyTorch.
    """
    fn = "max_pool2d"
    x, batched, kernel, stride, padding, dilation, out_size = pool_arguments(
        fn, input, kernel_size, stride, padding, dilation, ceil_mode)
    return_indices = check_bool(return_indices, "return_indices", fn)
    windows = pool_windows(x, kernel, stride, padding, dilation, out_size, -np.inf)
    flat = windows.reshape(windows.shape[:4] + (kernel[0] * kernel[1],))  # kh*kw cells
    tap = argmax_like_torch(flat)
    out = np.take_along_axis(flat, tap[..., None], axis=-1)[..., 0]
    if not return_indices:
        return _unbatch(out, batched)
    kw, (sh, sw), (ph, pw), (dh, dw) = kernel[1], stride, padding, dilation
    a, b = np.divmod(tap, kw)  # the maximum's cell in the window
    rows = np.arange(out_size[0])[:, None] * sh + a * dh - ph
    cols = np.arange(out_size[1])[None, :] * sw + b * dw - pw
    indices = (rows * x.shape[3] + cols).astype(np.int64)
    # A window whose maximum is -inf (only -inf values, or, with dilation, only padding) keeps
    # PyTorch's starting guess: its first cell at or after the image's top-left corner.
    first_row = _first_inside(out_size[0], sh, ph, dh)[:, None]
    first_col = _first_inside(out_size[1], sw, pw, dw)[None, :]
    indices = np.where(out == -np.inf, first_row * x.shape[3] + first_col, indices)
    return _unbatch(out, batched), _unbatch(indices, batched)


def _first_inside(out, stride, padding, dilation):
    """For each window along an axis: its first cell at index >= 0 (PyTorch skips taps in the
    leading padding one dilation step at a time)."""
    start = np.arange(out) * stride - padding
    return start + dilation * -(np.minimum(start, 0) // dilation)


def avg_divisors(size, kernel, stride, padding, out_size, count_include_pad):
    """What each output of ``avg_pool2d`` is divided by, shape (H_out, W_out), as PyTorch.

    With ``count_include_pad`` a window counts its padding cells but not the part of it that
    hangs over the padded input (ceil_mode); without, it counts only input cells.
    """
    counts = []
    for n, k, s, p, o in zip(size, kernel, stride, padding, out_size):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    return np.outer(counts[0], counts[1])


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Average pooling, like ``torch.nn.functional.avg_pool2d``: the mean of each window.

    Parameters
    ----------
    input : array of shape (N, C, H, W), or (C, H, W) unbatched
    kernel_size, stride (default: kernel_size), padding : ints or pairs; padding adds zeros
    ceil_mode : round the output size up instead of down
    count_include_pad : divide by the window's size including its zero padding (True) or by
        the number of input cells it covers (False)
    divisor_override : divide every sum by this int instead

    Returns
    -------
    array of shape (N, C, H_out, W_out)
    """
    fn = "avg_pool2d"
    x, batched, kernel, stride, padding, dilation, out_size = pool_arguments(
        fn, input, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = check_bool(count_include_pad, "count_include_pad", fn)
    windows = pool_windows(x, kernel, stride, padding, dilation, out_size, 0.0)
    sums = windows.sum(axis=(-2, -1))
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override == 0:
            raise ValueError(f"{fn}: divisor_override must be a non-zero int or None, "
                             f"got {divisor_override!r}")
        return _unbatch(sums / divisor_override, batched)
    divisors = avg_divisors(x.shape[2:], kernel, stride, padding, out_size, count_include_pad)
    return _unbatch((sums / divisors).astype(x.dtype, copy=False), batched)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average (Lp) pooling, like ``torch.nn.functional.lp_pool2d``.

    Each window gives (sum of x^p)^(1/p): p = 1 is sum pooling, p = 2 the L2 norm of the window
    (the "L2 pooling" of the decks), p = inf max pooling of abs(x). As in PyTorch, there is no
    padding, the sum is computed as ``avg_pool2d(x**p) * kh * kw``, and negative inputs with a
    fractional p give NaN.

    Returns
    -------
    array of shape (N, C, H_out, W_out)
    """
    fn = "lp_pool2d"
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, (int, float,
                                                                            np.number)):
        raise TypeError(f"{fn}: norm_type must be a number (p), got {norm_type!r}")
    if norm_type == 0 or np.isnan(norm_type):
        raise ValueError(f"{fn}: norm_type must be a non-zero number, got {norm_type!r}")
    kh, kw = pair(kernel_size, "kernel_size", fn, 1)
    x = as_real_array(input, "input", fn)
    if np.isinf(norm_type):
        sign = 1.0 if norm_type > 0 else -1.0
        return sign * max_pool2d(sign * np.abs(x), (kh, kw), stride, 0, 1, ceil_mode)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = avg_pool2d(np.power(x.astype(float_dtype(x), copy=False), norm_type), (kh, kw),
                          stride, 0, ceil_mode)
        return np.power(mean * (kh * kw), 1.0 / norm_type)
