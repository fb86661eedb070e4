"""The backward passes of max and average pooling: the gradients that autograd would return.

- Max pooling passes each output's gradient to the one input cell that was the window's
  maximum; the other cells get nothing. Where windows overlap, a cell that is the maximum of
  several windows collects all their gradients.
- Average pooling spreads each output's gradient evenly over its window: every input cell in
  it gets ``grad / divisor`` (the same divisor as the forward pass).
"""

import numpy as np

from cnn_lib.checks import as_real_array, check_bool, float_dtype, is_int

from .pooling import avg_divisors, max_pool2d, pool_arguments


def _check_grad(fn, grad_output, expected_shape, batched):
    go = as_real_array(grad_output, "grad_output", fn)
    expected = expected_shape if batched else expected_shape[1:]
    if go.shape != expected:
        raise ValueError(f"{fn}: grad_output must have the shape of the pooling's output, "
                         f"{expected}, got shape {go.shape}")
    return go if batched else go[None]


def max_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, dilation=1,
                        ceil_mode=False):
    """Gradient of ``max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)``.

    Parameters
    ----------
    grad_output : array shaped like the pooling's output, dL/d(output)
    input, kernel_size, stride, padding, dilation, ceil_mode : as in ``max_pool2d``

    Returns
    -------
    grad_input : array shaped like ``input``: each output's gradient added to the input cell
        that was its window's maximum. A window whose maximum is -inf (only -inf values, or,
        with dilation, only padding) passes nothing back.
    """
    fn = "max_pool2d_backward"
    x, batched, *_ = pool_arguments(fn, input, kernel_size, stride, padding, dilation,
                                    ceil_mode)
    out, indices = max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode,
                              return_indices=True)
    go = _check_grad(fn, grad_output, out.shape, batched)
    N, C, H, W = x.shape
    # the maximum of output (n, c, i, j) sits at flat position (n*C + c)*H*W + index
    channel = np.arange(N * C).reshape(N, C, 1, 1) * (H * W)
    real = out > -np.inf  # a window of nothing but padding (possible with dilation) passes nothing
    grad = np.bincount((channel + indices)[real], weights=go[real], minlength=N * C * H * W)
    grad = grad.reshape(N, C, H, W).astype(float_dtype(go, x), copy=False)
    return grad if batched else grad[0]


def avg_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0,
                        ceil_mode=False, count_include_pad=True, divisor_override=None):
    """Gradient of ``avg_pool2d(input, kernel_size, stride, padding, ceil_mode,
    count_include_pad, divisor_override)``.

    Parameters
    ----------
    grad_output : array shaped like the pooling's output, dL/d(output)
    input and the rest : as in ``avg_pool2d``

    Returns
    -------
    grad_input : array shaped like ``input``: each output's gradient divided by its window's
        divisor and added to every input cell of the window (padding cells get nothing)
    """
    fn = "avg_pool2d_backward"
    x, batched, kernel, stride, padding, _, out_size = pool_arguments(
        fn, input, kernel_size, stride, padding, 1, ceil_mode)
    go = _check_grad(fn, grad_output, x.shape[:2] + out_size, batched)
    count_include_pad = check_bool(count_include_pad, "count_include_pad", fn)
    if divisor_override is not None:
        if not is_int(divisor_override) or divisor_override == 0:
            raise ValueError(f"{fn}: divisor_override must be a non-zero int or None, "
                             f"got {divisor_override!r}")
        share = go / divisor_override
    else:
        share = go / avg_divisors(x.shape[2:], kernel, stride, padding, out_size,
                                  count_include_pad)
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    N, C, H, W = x.shape
    rows = (out_size[0] - 1) * sh + kh  # enough room for every window, ceil_mode included
    cols = (out_size[1] - 1) * sw + kw
    grad = np.zeros((N, C, max(rows, H + 2 * ph), max(cols, W + 2 * pw)),
                    dtype=float_dtype(go, x))
    for a in range(kh):  # kernel cell (a, b) of window (i, j) is padded cell (i*sh+a, j*sw+b)
        for b in range(kw):
            grad[:, :, a:a + sh * (out_size[0] - 1) + 1:sh,
                 b:b + sw * (out_size[1] - 1) + 1:sw] += share
    grad = grad[:, :, ph:ph + H, pw:pw + W]
    return grad if batched else grad[0]
