"""Upsampling from scratch: make a feature map bigger, the way segmentation networks' decoders do.

Three fixed (weight-free) ways, and the learned one lives in ``conv_transpose``:

- ``interpolate``: the NumPy twin of ``torch.nn.functional.interpolate`` for 2-D maps, with
  ``mode='nearest'`` (copy the nearest input pixel) and ``mode='bilinear'`` (a weighted mean of
  the four nearest input pixels). Both shrink as well as grow.
- ``bed_of_nails``: each value in the top-left corner of its s x s block, zeros elsewhere.
- ``max_unpool2d``: the twin of ``torch.nn.functional.max_unpool2d``: each value goes back to
  where ``max_pool2d(..., return_indices=True)`` found its maximum, zeros elsewhere.

Every output pixel of ``interpolate`` is computed from a **source position** in the input:
output pixel ``i`` looks at input position ``i * scale`` (``scale = in / out``), or, with
PyTorch's default ``align_corners=False``, at ``(i + 0.5) * scale - 0.5``, which lines up the
pixels' centres rather than their top-left corners.
"""

import math

import numpy as np

from cnn_lib.checks import as_batch, as_real_array, check_ndim, float_dtype, is_int, pair

INTERPOLATE_MODES = ("nearest", "bilinear")


# --------------------------------------------------------------------------- interpolate


def nearest_source_index(in_size, out_size, scale_factor=None):
    """Which input pixel each output pixel copies along one axis, as PyTorch's 'nearest'.

    ``src = min(floor(dst * scale), in_size - 1)`` with ``scale = 1 / scale_factor`` if a
    scale factor was given, else ``in_size / out_size``. Like PyTorch, the scale and the
    product are computed in float32, and an output as big as the input (or exactly twice as
    big) copies pixel ``dst`` (or ``dst // 2``) directly.

    Returns an int64 array of shape (out_size,).

    >>> nearest_source_index(3, 7)
    array([0, 0, 0, 1, 1, 2, 2])
    """
    dst = np.arange(out_size)
    if out_size == in_size:
        return dst
    if out_size == 2 * in_size:
        return dst // 2
    if scale_factor is not None:
        scale = np.float32(1.0 / scale_factor)
    else:
        scale = np.float32(in_size) / np.float32(out_size)
    src = np.floor(dst.astype(np.float32) * scale).astype(np.int64)
    return np.minimum(src, in_size - 1)


def linear_source_index(in_size, out_size, align_corners, scale_factor=None, dtype=np.float64):
    """The two input pixels each output pixel mixes along one axis, and the second's weight.

    The source position is ``dst * (in_size - 1) / (out_size - 1)`` with ``align_corners``
    (the corner pixels of input and output line up), else
    ``max((dst + 0.5) * scale - 0.5, 0)`` with ``scale = 1 / scale_factor`` or
    ``in_size / out_size`` (the pixels' centres line up; clamped at the first pixel).
    Computed in ``dtype``, as PyTorch does (float32 for float32 maps). Like PyTorch, an
    output as big as the input copies it, whatever the scale factor.

    Returns
    -------
    lo, hi : int64 arrays of shape (out_size,): the input pixels left and right of the source
        position (``hi = lo`` at the last input pixel)
    weight_hi : array of shape (out_size,) in [0, 1]: how much of ``hi`` to take; the output
        is ``(1 - weight_hi) * x[lo] + weight_hi * x[hi]``

    >>> lo, hi, weight_hi = linear_source_index(3, 5, align_corners=True)  # src 0, 0.5, ..., 2
    >>> lo, hi, weight_hi
    (array([0, 0, 1, 1, 2]), array([1, 1, 2, 2, 2]), array([0. , 0.5, 0. , 0.5, 0. ]))
    """
    one = np.dtype(dtype).type
    dst = np.arange(out_size).astype(dtype)
    if out_size == in_size:
        src = dst
    elif align_corners:
        scale = one(in_size - 1) / one(out_size - 1) if out_size > 1 else one(0)
        src = dst * scale
    else:
        if scale_factor is not None:
            scale = one(1.0 / scale_factor)
        else:
            scale = one(in_size) / one(out_size)
        src = np.maximum(scale * (dst + one(0.5)) - one(0.5), one(0))
    lo = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    hi = np.minimum(lo + 1, in_size - 1)
    weight_hi = np.clip(src - lo, 0, 1).astype(dtype)
    return lo, hi, weight_hi


def _size_and_scale(fn, x, size, scale_factor):
    """The output size (H_out, W_out) and the scale factors (or None) ``interpolate`` uses."""
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{fn}: give exactly one of size and scale_factor, got size={size!r} "
                         f"and scale_factor={scale_factor!r}")
    H, W = x.shape[2:]
    if size is not None:
        return pair(size, "size", fn, 1), (None, None)
    expected = "a positive number or a pair of positive numbers (height, width)"
    factors = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * 2
    if len(factors) != 2:
        raise ValueError(f"{fn}: scale_factor must be {expected}, got {scale_factor!r} of "
                         f"length {len(factors)}")
    for s in factors:
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, float, np.number)):
            raise TypeError(f"{fn}: scale_factor must be {expected}, got {scale_factor!r}")
        if not s > 0 or math.isinf(s):
            raise ValueError(f"{fn}: scale_factor must be {expected}, got {scale_factor!r}")
    factors = (float(factors[0]), float(factors[1]))
    out = (math.floor(H * factors[0]), math.floor(W * factors[1]))
    if min(out) < 1:
        raise ValueError(
            f"{fn}: scale_factor={scale_factor!r} leaves nothing of the input of size "
            f"({H}, {W}): floor(size * scale_factor) = {out}; expected at least 1 pixel")
    return out, factors


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Resize 2-D feature maps, like ``torch.nn.functional.interpolate`` (nearest or bilinear).

    Give either ``size`` (the output's height and width) or ``scale_factor`` (the output is
    ``floor(H * scale_factor)`` high, and PyTorch then uses ``1 / scale_factor``, not
    ``H / H_out``, to find the source pixels, so the two can differ for fractional factors).

    - ``mode='nearest'``: output pixel (i, j) copies input pixel
      (``floor(i * H / H_out)``, ``floor(j * W / W_out)``) (see ``nearest_source_index``).
    - ``mode='bilinear'``: a weighted mean of the four input pixels around the source position,
      first along the rows, then along the columns (see ``linear_source_index``);
      ``align_corners=True`` lines up the corner pixels, the default ``False`` the pixels'
      centres.

    Parameters
    ----------
    input : array of shape (N, C, H, W) (a 3-D input would be a 1-D signal (N, C, L) in
        PyTorch, which this function does not do)
    size : int or (H_out, W_out), or None
    scale_factor : positive number or (for height, for width), or None
    mode : 'nearest' or 'bilinear'
    align_corners : None (nearest; for bilinear the same as False), True or False

    Returns
    -------
    array of shape (N, C, H_out, W_out), float32 if ``input`` is float32, else float64

    >>> x = np.array([[[[1, 2], [3, 4]]]])
    >>> interpolate(x, scale_factor=2)[0, 0]
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> interpolate(x, size=3, mode="bilinear", align_corners=True)[0, 0]
    array([[1. , 1.5, 2. ],
           [2. , 2.5, 3. ],
           [3. , 3.5, 4. ]])
    """
    fn = "interpolate"
    x = as_real_array(input, "input", fn)
    check_ndim(x, "input", fn, (4,), "(N, C, H, W) (PyTorch reads a 3-D input as a 1-D "
               "signal (N, C, L); add a batch axis for one image: input[None])")
    if min(x.shape[2:]) == 0:
        raise ValueError(f"{fn}: input must have a non-empty height and width, got shape "
                         f"{x.shape}")
    if mode not in INTERPOLATE_MODES:
        raise ValueError(f"{fn}: mode must be one of {INTERPOLATE_MODES}, got {mode!r}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(f"{fn}: align_corners must be None with mode='nearest' (it only "
                         f"applies to mode='bilinear'), got align_corners={align_corners!r}")
    if align_corners is not None and not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError(f"{fn}: align_corners must be True, False or None, "
                        f"got {align_corners!r}")
    (H_out, W_out), (scale_h, scale_w) = _size_and_scale(fn, x, size, scale_factor)
    x = x.astype(float_dtype(x), copy=False)
    H, W = x.shape[2:]
    if mode == "nearest":
        rows = nearest_source_index(H, H_out, scale_h)
        cols = nearest_source_index(W, W_out, scale_w)
        return x[:, :, rows[:, None], cols[None, :]]
    # bilinear: mix two rows, then two columns (the same as mixing the four pixels at once)
    top, bottom, weight_bottom = linear_source_index(H, H_out, bool(align_corners), scale_h,
                                                     x.dtype)
    left, right, weight_right = linear_source_index(W, W_out, bool(align_corners), scale_w,
                                                    x.dtype)
    weight_bottom = weight_bottom[:, None]
    x = (1 - weight_bottom) * x[:, :, top, :] + weight_bottom * x[:, :, bottom, :]
    return (1 - weight_right) * x[:, :, :, left] + weight_right * x[:, :, :, right]


# --------------------------------------------------------------------------- bed of nails


def bed_of_nails(input, scale_factor=2):
    """Bed-of-nails upsampling: each value in the top-left corner of its s x s block.

    ``out[n, c, i*sh, j*sw] = x[n, c, i, j]``, zeros everywhere else. No PyTorch function
    of its own: it is ``max_unpool2d`` with every index in its window's top-left corner, or
    ``conv_transpose2d`` with stride s and a kernel that is 1 in its top-left corner.

    Parameters
    ----------
    input : array of shape (N, C, H, W), or (C, H, W) unbatched
    scale_factor : int or (sh, sw), >= 1

    Returns
    -------
    array of shape (N, C, H*sh, W*sw) (unbatched: (C, H*sh, W*sw)), float32 if ``input`` is
    float32, else float64

    >>> bed_of_nails(np.array([[[1, 2], [3, 4]]]))[0]
    array([[1., 0., 2., 0.],
           [0., 0., 0., 0.],
           [3., 0., 4., 0.],
           [0., 0., 0., 0.]])
    """
    fn = "bed_of_nails"
    x = as_real_array(input, "input", fn)
    check_ndim(x, "input", fn, (3, 4), "(N, C, H, W) or unbatched (C, H, W)")
    sh, sw = pair(scale_factor, "scale_factor", fn, 1)
    x = x.astype(float_dtype(x), copy=False)
    out = np.zeros(x.shape[:-2] + (x.shape[-2] * sh, x.shape[-1] * sw), dtype=x.dtype)
    out[..., ::sh, ::sw] = x
    return out


# --------------------------------------------------------------------------- max unpooling


def unpool_output_size(fn, in_size, kernel, stride, padding, output_size):
    """The output size (H_out, W_out) of ``max_unpool2d``, checked as PyTorch does.

    By default the size ``max_pool2d`` would have started from without rounding:
    ``(H - 1)*sh - 2*ph + kh``. ``output_size`` picks another one, strictly between
    that default minus the stride and that default plus the stride (the sizes a pooling with
    this window and stride maps to H).
    """
    default = tuple((n - 1) * s - 2 * p + k for n, k, s, p in zip(in_size, kernel, stride,
                                                                   padding))
    if output_size is None:
        size = default
    else:
        expected = "(H_out, W_out) or (N, C, H_out, W_out), ints"
        if not isinstance(output_size, (tuple, list)) or not all(is_int(v) for v in output_size):
            raise TypeError(f"{fn}: output_size must be {expected}, got {output_size!r}")
        if len(output_size) not in (2, 4):
            raise ValueError(f"{fn}: output_size must be {expected}, got {output_size!r} of "
                             f"length {len(output_size)}")
        size = tuple(int(v) for v in output_size[-2:])
        for d, (n, m, s) in enumerate(zip(size, default, stride)):
            if not m - s < n < m + s:
                raise ValueError(
                    f"{fn}: output_size {tuple(output_size)} is out of range: dimension {d} "
                    f"must be strictly between {m - s} and {m + s} (the default "
                    f"(H - 1)*stride - 2*padding + kernel_size = {m}, plus or minus the "
                    f"stride {s})")
    if min(size) < 1:
        raise ValueError(
            f"{fn}: the output would be empty: size {size} = (H - 1)*stride - 2*padding + "
            f"kernel_size (input {in_size}, kernel_size {kernel}, stride {stride}, padding "
            f"{padding}); give output_size, the size of the map that was pooled (PyTorch "
            f"returns an empty array here, dropping the values)")
    return size


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Max unpooling, like ``torch.nn.functional.max_unpool2d``: undo where max pooling looked.

    Each value goes back to the position its maximum came from, given by the ``indices`` of
    ``max_pool2d(..., return_indices=True)``; every other output pixel is zero:
    ``out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j]``. If two values share an index,
    which one is kept is not defined (nor is it in PyTorch); with ``max_pool2d``'s indices
    they are the same value.

    Parameters
    ----------
    input : array of shape (N, C, H, W), or (C, H, W) unbatched: the pooled maps
    indices : integer array of the same shape: flat positions ``row * W_out + col`` in each
        channel of the output
    kernel_size, stride (default: kernel_size), padding : ints or pairs, those of the pooling
    output_size : None, (H_out, W_out) or (N, C, H_out, W_out): the size of the map that was
        pooled, when rounding in the pooling makes it ambiguous

    Returns
    -------
    array of shape (N, C, H_out, W_out) (unbatched: (C, H_out, W_out)) with by default
    ``H_out = (H - 1)*sh - 2*ph + kh``, float32 if ``input`` is float32, else float64

    >>> from cnn_lib.scratch import max_pool2d
    >>> x = np.array([[[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]]])
    >>> pooled, indices = max_pool2d(x, 2, return_indices=True)
    >>> max_unpool2d(pooled, indices, 2)[0]
    array([[0., 0., 7., 0.],
           [9., 0., 0., 0.],
           [8., 0., 0., 0.],
           [0., 0., 0., 6.]])
    """
    fn = "max_unpool2d"
    x, batched = as_batch(input, fn)
    idx = np.asarray(indices)
    if idx.dtype == bool or idx.dtype.kind not in "iu":
        raise TypeError(f"{fn}: indices must be an integer array (from max_pool2d with "
                        f"return_indices=True), got dtype {idx.dtype}")
    if idx.shape != np.shape(input):
        raise ValueError(f"{fn}: indices must have the shape of input, {np.shape(input)}, "
                         f"got shape {idx.shape}")
    kernel = pair(kernel_size, "kernel_size", fn, 1)
    stride = kernel if stride is None else pair(stride, "stride", fn, 1)
    padding = pair(padding, "padding", fn, 0)
    H_out, W_out = unpool_output_size(fn, x.shape[-2:], kernel, stride, padding, output_size)
    N, C, H, W = x.shape
    idx = idx.reshape(N, C, H * W).astype(np.int64)
    bad = (idx < 0) | (idx >= H_out * W_out)
    if bad.any():
        raise ValueError(f"{fn}: indices must lie in [0, {H_out * W_out}) for an output of "
                         f"size {H_out}x{W_out}, got index {idx[bad][0]}")
    x = x.astype(float_dtype(x), copy=False)
    out = np.zeros((N, C, H_out * W_out), dtype=x.dtype)
    np.put_along_axis(out, idx, x.reshape(N, C, H * W), axis=2)
    out = out.reshape(N, C, H_out, W_out)
    return out if batched else out[0]
