"""The backward pass of ``conv2d``: the gradients that autograd would return.

The forward pass is ``out = w_rows @ cols`` (see ``conv.im2col``), one matrix product, so:

- ``grad_weight = grad_out @ cols.T``, summed over the batch;
- ``grad_cols = w_rows.T @ grad_out``, then **col2im** adds every column back onto the pixels
  its window came from (a pixel seen by several windows collects several contributions;
  a pixel no window touches, e.g. the last rows when the stride does not fit, gets zero);
- ``grad_bias`` sums ``grad_out`` over everything but the output channel.

``conv2d_backward`` below is those three lines. ``fast_conv.conv2d_backward_fast`` gives the
same gradients about 1.2-1.4x faster (cache-sized chunks, and for stride 1 a layout in which
every kernel tap is one contiguous slice); the NumPy trainer (``cnn_lib.layers``) uses it.
"""

import numpy as np

from cnn_lib.checks import as_real_array, float_dtype

from .conv import conv_arguments, im2col, output_size


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


def backward_arguments(fn, grad_output, input, weight, stride, padding, dilation, groups):
    """Check the arguments of a conv2d backward pass and bring them to one float dtype.

    Returns ``(go, x, w, batched, stride, pads, dilation, groups, (H_out, W_out))`` with ``go``
    of shape (N, groups, C_out / groups, H_out * W_out), ``x`` (N, C_in, H, W), ``w`` as given.
    """
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
    return go, x, w, batched, stride, pads, dilation, groups, (H_out, W_out)


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
    go, x, w, batched, stride, pads, dilation, groups, _ = backward_arguments(
        "conv2d_backward", grad_output, input, weight, stride, padding, dilation, groups)
    C_out = w.shape[0]
    cols, _ = im2col(x, w.shape[2:], stride, pads, dilation, groups)  # (N, G, C/G*kh*kw, P)
    w_rows = w.reshape(groups, C_out // groups, -1)                  # (G, C_out/G, C/G*kh*kw)

    grad_weight = (go @ cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w.shape)
    grad_input = col2im(w_rows.transpose(0, 2, 1) @ go, x.shape, w.shape[2:], stride, pads,
                        dilation)
    grad_bias = go.sum(axis=(0, 3)).reshape(C_out)
    return (grad_input if batched else grad_input[0]), grad_weight, grad_bias
