"""From-scratch NumPy versions of ``torch.nn.functional`` operations, one short module per idea.

Names, argument names, defaults and layouts (NCHW input, OIHW weights) mirror PyTorch, so each
function can be checked against PyTorch on the same arguments:

- ``corr2d(X, K)``: 2-D cross-correlation with plain loops (``conv``)
- ``conv2d(input, weight, bias, stride, padding, dilation, groups)`` (``conv``)
- ``conv2d_backward(grad_output, input, weight, stride, padding, dilation, groups)``
  -> ``(grad_input, grad_weight, grad_bias)`` (``conv_backward``: the three lines of im2col);
  ``fast_conv.conv2d_backward_fast``, same arguments and gradients, is the NumPy trainer's
- ``conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)``
  (scatter form) and ``conv_transpose2d_as_conv`` (zero insertion + ``conv2d``), same arguments
  (``conv_transpose``)
- ``pad(input, padding, mode, value)`` (``padding``)
- ``max_pool2d``, ``avg_pool2d``, ``lp_pool2d`` (``pooling``);
  ``adaptive_avg_pool2d``, ``adaptive_max_pool2d`` (``adaptive_pooling``)
- ``max_pool2d_backward``, ``avg_pool2d_backward`` -> ``grad_input`` (``pooling_backward``)
- ``batch_norm2d(input, running_mean, running_var, weight, bias, training, momentum, eps)``
  and ``batch_norm2d_backward(grad_output, input, weight, eps)`` (``batch_norm``)
- ``dropout(input, p, training, rng)``, inverted dropout (``dropout``)
- ``interpolate(input, size, scale_factor, mode, align_corners)`` ('nearest', 'bilinear'),
  ``max_unpool2d(input, indices, kernel_size, stride, padding, output_size)`` and
  ``bed_of_nails(input, scale_factor)`` (``upsampling``)
"""

from .adaptive_pooling import adaptive_avg_pool2d, adaptive_max_pool2d
from .batch_norm import batch_norm2d, batch_norm2d_backward
from .conv import conv2d, corr2d
from .conv_backward import conv2d_backward
from .conv_transpose import conv_transpose2d, conv_transpose2d_as_conv
from .dropout import dropout
from .padding import PADDING_MODES, pad
from .pooling import avg_pool2d, lp_pool2d, max_pool2d
from .pooling_backward import avg_pool2d_backward, max_pool2d_backward
from .upsampling import bed_of_nails, interpolate, max_unpool2d

__all__ = [
    "PADDING_MODES",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "avg_pool2d_backward",
    "batch_norm2d",
    "batch_norm2d_backward",
    "bed_of_nails",
    "conv2d",
    "conv2d_backward",
    "conv_transpose2d",
    "conv_transpose2d_as_conv",
    "corr2d",
    "dropout",
    "interpolate",
    "lp_pool2d",
    "max_pool2d",
    "max_pool2d_backward",
    "max_unpool2d",
    "pad",
]
