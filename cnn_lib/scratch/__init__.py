"""From-scratch NumPy versions of ``torch.nn.functional`` operations, one short module per idea.

Names, argument names, defaults and layouts (NCHW input, OIHW weights) mirror PyTorch, so each
function can be checked against PyTorch on the same arguments:

- ``corr2d(X, K)``: 2-D cross-correlation with plain loops (``conv``)
- ``conv2d(input, weight, bias, stride, padding, dilation, groups)`` (``conv``)
- ``conv2d_backward(grad_output, input, weight, stride, padding, dilation, groups)``
  -> ``(grad_input, grad_weight, grad_bias)`` (``conv_backward``)
- ``pad(input, padding, mode, value)`` (``padding``)
- ``max_pool2d``, ``avg_pool2d``, ``lp_pool2d`` (``pooling``);
  ``adaptive_avg_pool2d``, ``adaptive_max_pool2d`` (``adaptive_pooling``)
- ``max_pool2d_backward``, ``avg_pool2d_backward`` -> ``grad_input`` (``pooling_backward``)
"""

from .adaptive_pooling import adaptive_avg_pool2d, adaptive_max_pool2d
from .conv import conv2d, corr2d
from .conv_backward import conv2d_backward
from .padding import PADDING_MODES, pad
from .pooling import avg_pool2d, lp_pool2d, max_pool2d
from .pooling_backward import avg_pool2d_backward, max_pool2d_backward

__all__ = [
    "PADDING_MODES",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "avg_pool2d",
    "avg_pool2d_backward",
    "conv2d",
    "conv2d_backward",
    "corr2d",
    "lp_pool2d",
    "max_pool2d",
    "max_pool2d_backward",
    "pad",
]
