"""Adaptive pooling: choose the OUTPUT size and let the windows adapt to the input's size.

Output cell i of n along an axis of length L pools the input cells from floor(i*L/n) up to
ceil((i+1)*L/n) (exclusive), as PyTorch does: neighbouring windows may overlap by one cell and
differ in size by one. Any input size gives the same output size, which is how a network ends in
a fixed-size layer whatever the image's size ("global" pooling is output size 1).
"""

import numpy as np

from cnn_lib.checks import as_batch, check_bool, float_dtype, is_int

from .pooling import argmax_like_torch


def adaptive_bounds(size, out):
    """Start and end (exclusive) of each of the ``out`` windows along an axis of ``size``."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_arguments(fn, input, output_size):
    x, batched = as_batch(input, fn)
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise ValueError(f"{fn}: output_size must be an int or a pair (H_out, W_out), "
                         f"got {output_size!r}")
    out = []
    for n, axis in zip(sizes, x.shape[2:]):
        if n is None:  # PyTorch's None: keep this axis's size
            n = axis
        if not is_int(n) or n < 1:
            raise ValueError(f"{fn}: output_size must hold positive ints (or None), "
                             f"got {output_size!r}")
        out.append(int(n))
    return x.astype(float_dtype(x), copy=False), batched, tuple(out)


def _adaptive(x, out, reduce):
    """Apply ``reduce(window, axis)`` to every adaptive window: (N, C, H_out, W_out) results."""
    (h_start, h_end), (w_start, w_end) = (adaptive_bounds(n, o) for n, o in
                                          zip(x.shape[2:], out))
    rows = [reduce(x[:, :, a:b], axis=2) for a, b in zip(h_start, h_end)]  # pool the rows
    rows = np.stack(rows, axis=2)
    return np.stack([reduce(rows[:, :, :, a:b], axis=3) for a, b in zip(w_start, w_end)],
                    axis=3)


def adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling, like ``torch.nn.functional.adaptive_avg_pool2d``.

    Parameters
    ----------
    input : array of shape (N, C, H, W), or (C, H, W) unbatched
    output_size : int or (H_out, W_out); None in a pair keeps that axis

    Returns
    -------
    array of shape (N, C, H_out, W_out): the mean of each window
    """
    x, batched, out = _adaptive_arguments("adaptive_avg_pool2d", input, output_size)
    result = _adaptive(x, out, np.mean)
    return result if batched else result[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling, like ``torch.nn.functional.adaptive_max_pool2d``.

    Returns the maxima, shape (N, C, H_out, W_out), and with ``return_indices`` their positions
    ``row * W + col`` in each channel (ties: the first in reading order; NaN: the last NaN).
    """
    fn = "adaptive_max_pool2d"
    x, batched, out = _adaptive_arguments(fn, input, output_size)
    return_indices = check_bool(return_indices, "return_indices", fn)
    result = _adaptive(x, out, np.max)
    if not return_indices:
        return result if batched else result[0]
    N, C, H, W = x.shape
    (h_start, h_end), (w_start, w_end) = (adaptive_bounds(n, o) for n, o in zip((H, W), out))
    indices = np.empty(result.shape, dtype=np.int64)
    for i, (a, b) in enumerate(zip(h_start, h_end)):
        for j, (c, d) in enumerate(zip(w_start, w_end)):
            window = x[:, :, a:b, c:d].reshape(N, C, -1)
            r, s = np.divmod(argmax_like_torch(window), d - c)
            indices[:, :, i, j] = (a + r) * W + (c + s)
    if not batched:
        return result[0], indices[0]
    return result, indices
