"""A faster ``conv2d_backward``, kept apart from the readable one (as CS231n keeps
``fast_layers.py`` apart from ``layers.py``): same gradients, about 1.2-1.4x faster.

Two tricks, neither of which changes what is computed:

- the batch is processed a few images at a time, so that one chunk's columns stay in the CPU's
  cache while col2im adds them up;
- with stride 1, ``im2col_flat`` lays the windows out so that every kernel tap is ONE
  contiguous slice of the flattened, padded batch (fast to copy, and to add back).

Read ``conv_backward.conv2d_backward`` first; tests check that the two agree.
"""

import numpy as np

from .conv import im2col
from .conv_backward import backward_arguments, col2im

# The batch is processed a few images at a time so that one chunk's columns (about this many
# bytes) stay in the CPU's cache while col2im adds them up: same result, less waiting for memory.
CHUNK_BYTES = 2**20


def batch_chunks(N, bytes_per_image):
    """Split ``range(N)`` into slices of about ``CHUNK_BYTES / bytes_per_image`` images."""
    step = max(1, CHUNK_BYTES // max(1, bytes_per_image))
    return [slice(start, start + step) for start in range(0, N, step)]


def pad_flat(x, pads, kernel_size, dilation):
    """Zero-pad ``x`` and flatten the whole batch into one vector, for ``im2col_flat``.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pads : (top, bottom, left, right); kernel_size, dilation : pairs (height, width)

    Returns
    -------
    x_flat : 1-D array, the padded images (N, C, Hp, Wp) one after the other, then
        ``tap_reach`` spare zeros (the last tap's slice runs that far past the last image)
    (Hp, Wp) : the padded size
    """
    N, C, H, W = x.shape
    top, bottom, left, right = pads
    Hp, Wp = H + top + bottom, W + left + right
    x_flat = np.zeros(N * C * Hp * Wp + tap_reach(kernel_size, dilation, Wp), dtype=x.dtype)
    x_padded = x_flat[:N * C * Hp * Wp].reshape(N, C, Hp, Wp)
    x_padded[:, :, top:top + H, left:left + W] = x
    return x_flat, (Hp, Wp)


def tap_reach(kernel_size, dilation, Wp):
    """Distance, in a flat image of width Wp, from the first kernel tap to the last."""
    (kh, kw), (dh, dw) = kernel_size, dilation
    return (kh - 1) * dh * Wp + (kw - 1) * dw


def im2col_flat(x_flat, images, C, padded_size, kernel_size, dilation, groups):
    """im2col for stride 1 in which every kernel tap is ONE contiguous slice (fast to copy).

    With stride 1, output pixel (i, j) and kernel tap (a, b) read the padded pixel
    (i + a*dh, j + b*dw). In the flat vector of ``pad_flat`` that pixel sits at
    ``(i*Wp + j) + (a*dh*Wp + b*dw)``: one tap's pixels, for every image, channel and output
    pixel, are one slice shifted by ``a*dh*Wp + b*dw``. The price: the output is computed on
    the whole Hp x Wp grid of every channel; only the pixels with i < H_out and j < W_out are
    real; the others (which wrap into the next row, channel or image) meet the zeros that
    ``on_padded_grid`` puts in ``grad_output`` there.

    Parameters
    ----------
    x_flat : 1-D array from ``pad_flat``
    images : range of the images to use, e.g. ``range(N)[batch]``; C : channels;
    padded_size : (Hp, Wp)
    kernel_size, dilation : pairs (height, width)

    Returns
    -------
    cols : array of shape (n, groups, C / groups * kh * kw, Hp * Wp) with n = len(images) and,
        for i < H_out and j < W_out,
        ``cols[n, g, (c, a, b), (i, j)] = x_padded[n, g*C/groups + c, i + a*dh, j + b*dw]``
    """
    (kh, kw), (dh, dw), (Hp, Wp) = kernel_size, dilation, padded_size
    image, n = C * Hp * Wp, len(images)  # length of one padded image in x_flat
    first = images.start * image
    cols = np.empty((n, C, kh, kw, Hp * Wp), dtype=x_flat.dtype)
    for a in range(kh):
        for b in range(kw):
            start = first + a * dh * Wp + b * dw
            cols[:, :, a, b] = x_flat[start:start + n * image].reshape(n, C, Hp * Wp)
    return cols.reshape(n, groups, C // groups * kh * kw, Hp * Wp)


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


def conv2d_backward_fast(grad_output, input, weight, stride=1, padding=0, dilation=1,
                         groups=1):
    """``conv_backward.conv2d_backward``, faster: same arguments, same gradients (its
    docstring gives the shapes); ``(grad_input, grad_weight, grad_bias)``."""
    go, x, w, batched, stride, pads, dilation, groups, out_size = backward_arguments(
        "conv2d_backward_fast", grad_output, input, weight, stride, padding, dilation, groups)
    kernel, w_rows = tuple(w.shape[2:]), w.reshape(groups, w.shape[0] // groups, -1)
    # With stride 1 use im2col_flat / col2im_flat, unless an inf or NaN could leak through its
    # wrapped-around pixels (0 * inf is NaN) into gradients it should not touch.
    flat = stride == (1, 1) and np.isfinite(x).all() and np.isfinite(w).all()
    grad_weight, grad_input = np.zeros_like(w_rows), np.empty_like(x)
    for batch, cols, go_batch in _chunks(go, x, w, stride, pads, dilation, groups, out_size,
                                         flat):
        # sum over images n and output pixels p of go[n, g, o, p] * cols[n, g, k, p]
        grad_weight += np.matmul(go_batch, cols.transpose(0, 1, 3, 2)).sum(axis=0)
        grad_cols = np.matmul(w_rows.transpose(0, 2, 1), go_batch)
        if flat:
            grad_input[batch] = col2im_flat(grad_cols, x[batch].shape, kernel, pads, dilation)
        else:
            grad_input[batch] = col2im(grad_cols, x[batch].shape, kernel, stride, pads, dilation)
    grad_bias = go.sum(axis=(0, 3)).reshape(w.shape[0])
    return (grad_input if batched else grad_input[0]), grad_weight.reshape(w.shape), grad_bias


def _chunks(go, x, w, stride, pads, dilation, groups, out_size, flat):
    """Yield ``(batch, cols, go_batch)`` for cache-sized slices of the batch: the columns of
    those images (``im2col_flat``'s layout if ``flat``, else ``im2col``'s) and ``go`` laid out
    to match them."""
    N, C_in = x.shape[:2]
    kernel = tuple(w.shape[2:])
    if flat:
        x_flat, padded_size = pad_flat(x, pads, kernel, dilation)
        columns = padded_size[0] * padded_size[1]
    else:
        columns = out_size[0] * out_size[1]
    for batch in batch_chunks(N, w[0].size * groups * columns * x.dtype.itemsize):
        if flat:
            yield (batch,
                   im2col_flat(x_flat, range(N)[batch], C_in, padded_size, kernel, dilation,
                               groups),
                   on_padded_grid(go[batch], *out_size, padded_size))
        else:
            yield batch, im2col(x[batch], kernel, stride, pads, dilation, groups)[0], go[batch]
