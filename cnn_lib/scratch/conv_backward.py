"""The backward pass of ``conv2d``: the gradients that autograd would return.

The forward pass is ``out = w_rows @ cols`` (see ``conv.im2col``), one matrix product, so:

- ``grad_weight = grad_out @ cols.T``, summed over the batch;
- ``grad_cols = w_rows.T @ grad_out``, then **col2im** adds every column back onto the pixels
  its window came from (a pixel seen by several windows collects several contributions;
  a pixel no window touches, e.g. the last rows when the stride does not fit, gets zero);
- ``grad_bias`` sums ``grad_out`` over everything but the output channel.

With stride 1 the same three lines run on ``conv.im2col_flat``'s layout, in which every kernel
tap is one contiguous slice of the flattened, padded batch: same result, about 1.2-1.4x faster.
"""

import numpy as np

from ._checks import as_real_array, float_dtype
from .conv import conv_arguments, im2col, im2col_flat, output_size, pad_flat, tap_reach

# The batch is processed a few images at a time so that one chunk's columns (about this many
# bytes) stay in the CPU's cache while col2im adds them up: same result, less waiting for memory.
CHUNK_BYTES = 2**20


def batch_chunks(N, bytes_per_image):
    """Split ``range(N)`` into slices of about ``CHUNK_BYTES / bytes_per_image`` images."""
    step = max(1, CHUNK_BYTES // max(1, bytes_per_image))
    return [slice(start, start + step) for start in range(0, N, step)]


def col2im(grad_cols, x_shape, kernel_size, stride, pads, dilation):
    """Add columns back onto the image they were cut from: the adjoint of ``im2col``.

    Parameters
    ----------
    grad_cols : array of shape (N, groups, C / groups * kh * kw, H_out * W_out)
    x_shape : (N, C, H, W), the shape of the unpadded image
    kernel_size, stride, dilation : pairs (height, width)
    pads : (top, bottom, left, right)

    Returns
    -------
    array of shape (N, C, H, W)
    """
    N, C, H, W = x_shape
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    top, bottom, left, right = pads
    H_out = output_size(H, top + bottom, kh, sh, dh)
    W_out = output_size(W, left + right, kw, sw, dw)
    g = grad_cols.reshape(N, C, kh, kw, H_out, W_out)
    grad_padded = np.zeros((N, C, H + top + bottom, W + left + right), dtype=grad_cols.dtype)
    # Only kh*kw loop steps: kernel tap (a, b) saw the pixels (i*sh + a*dh, j*sw + b*dw).
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + sh * (H_out - 1) + 1, sh)
            columns = slice(b * dw, b * dw + sw * (W_out - 1) + 1, sw)
            grad_padded[:, :, rows, columns] += g[:, :, a, b]
    return grad_padded[:, :, top:top + H, left:left + W]


def col2im_flat(grad_cols, x_shape, kernel_size, pads, dilation):
    """The adjoint of ``conv.im2col_flat`` (stride 1): every tap adds ONE contiguous slice.

    Parameters
    ----------
    grad_cols : array of shape (N, groups, C / groups * kh * kw, Hp * Wp), on the whole
        padded grid of ``im2col_flat`` (zeros wherever i >= H_out or j >= W_out)
    x_shape : (N, C, H, W), the shape of the unpadded image
    kernel_size, dilation : pairs (height, width)
    pads : (top, bottom, left, right)

    Returns
    -------
    array of shape (N, C, H, W)
    """
    N, C, H, W = x_shape
    (kh, kw), (dh, dw) = kernel_size, dilation
    top, bottom, left, right = pads
    Hp, Wp = H + top + bottom, W + left + right
    g = grad_cols.reshape(N, C, kh, kw, Hp * Wp)
    size = N * C * Hp * Wp
    # the padded images one after the other, then room for the last tap's slice
    grad_flat = np.zeros(size + tap_reach(kernel_size, dilation, Wp), dtype=grad_cols.dtype)
    for a in range(kh):
        for b in range(kw):
            start = a * dh * Wp + b * dw
            grad_flat[start:start + size].reshape(N, C, Hp * Wp)[...] += g[:, :, a, b]
    grad_padded = grad_flat[:size].reshape(N, C, Hp, Wp)
    return grad_padded[:, :, top:top + H, left:left + W]


def on_padded_grid(go, H_out, W_out, padded_size):
    """Put ``go`` of shape (N, groups, C_out / groups, H_out * W_out) on the padded grid.

    Returns an array of shape (N, groups, C_out / groups, Hp * Wp): ``go`` in the top-left
    H_out x W_out corner of each Hp x Wp grid, zeros elsewhere (as ``im2col_flat`` needs).
    """
    Hp, Wp = padded_size
    go_grid = np.zeros(go.shape[:3] + (Hp, Wp), dtype=go.dtype)
    go_grid[..., :H_out, :W_out] = go.reshape(go.shape[:3] + (H_out, W_out))
    return go_grid.reshape(go.shape[:3] + (Hp * Wp,))


def conv2d_backward(grad_output, input, weight, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``conv2d(input, weight, bias, stride, padding, dilation, groups)``.

    Parameters
    ----------
    grad_output : array of shape (N, C_out, H_out, W_out) (unbatched: (C_out, H_out, W_out)),
        the gradient of the loss with respect to the output of ``conv2d``
    input : array of shape (N, C_in, H, W) or unbatched (C_in, H, W)
    weight : array of shape (C_out, C_in / groups, kh, kw)
    stride, padding, dilation, groups : as in ``conv2d`` (padding may be 'valid' or 'same')

    Returns
    -------
    grad_input : array shaped like ``input``
    grad_weight : array of shape (C_out, C_in / groups, kh, kw)
    grad_bias : array of shape (C_out,) (the gradient for a bias, whether or not one was used)
    """
    fn = "conv2d_backward"
    x, w, batched, stride, pads, dilation, groups = conv_arguments(
        fn, input, weight, stride, padding, dilation, groups)
    go = as_real_array(grad_output, "grad_output", fn)
    N, C_in, H, W = x.shape
    C_out, _, kh, kw = w.shape
    H_out = output_size(H, pads[0] + pads[1], kh, stride[0], dilation[0])
    W_out = output_size(W, pads[2] + pads[3], kw, stride[1], dilation[1])
    expected = (N, C_out, H_out, W_out) if batched else (C_out, H_out, W_out)
    if go.shape != expected:
        raise ValueError(f"{fn}: grad_output must have the shape of conv2d's output, "
                         f"{expected}, got shape {go.shape}")
    dtype = float_dtype(go, x, w)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    go = go.astype(dtype, copy=False).reshape(N, groups, C_out // groups, H_out * W_out)

    w_rows = w.reshape(groups, C_out // groups, -1)
    grad_bias = go.sum(axis=(0, 3)).reshape(C_out)
    # With stride 1 use the faster im2col_flat / col2im_flat, unless an inf or NaN could leak
    # through its wrapped-around pixels (0 * inf is NaN) into gradients it should not touch.
    flat = stride == (1, 1) and np.isfinite(x).all() and np.isfinite(w).all()
    if flat:
        x_flat, padded_size = pad_flat(x, pads, (kh, kw), dilation)
    grad_weight = np.zeros_like(w_rows)
    grad_input = np.empty_like(x)
    columns = (H + pads[0] + pads[1]) * (W + pads[2] + pads[3]) if flat else H_out * W_out
    for batch in batch_chunks(N, w[0].size * groups * columns * dtype.itemsize):
        if flat:
            cols = im2col_flat(x_flat, range(N)[batch], C_in, padded_size, (kh, kw), dilation,
                               groups)
            go_batch = on_padded_grid(go[batch], H_out, W_out, padded_size)
        else:
            cols, _ = im2col(x[batch], (kh, kw), stride, pads, dilation, groups)
            go_batch = go[batch]
        # sum over images n and output pixels p of go[n, g, o, p] * cols[n, g, k, p]
        grad_weight += np.matmul(go_batch, cols.transpose(0, 1, 3, 2)).sum(axis=0)
        grad_cols = np.matmul(w_rows.transpose(0, 2, 1), go_batch)
        if flat:
            grad_input[batch] = col2im_flat(grad_cols, x[batch].shape, (kh, kw), pads, dilation)
        else:
            grad_input[batch] = col2im(grad_cols, x[batch].shape, (kh, kw), stride, pads,
                                       dilation)
    grad_weight = grad_weight.reshape(w.shape)
    if not batched:
        grad_input = grad_input[0]
    return grad_input, grad_weight, grad_bias
