"""A fully convolutional network for segmentation (Long et al., 2015) whose upsampling is a
transposed convolution that starts out as bilinear interpolation (chapter 6); imports PyTorch.

- :func:`bilinear_kernel`: the (k, k) kernel of the FCN code's ``upsample_filt``, for an
  integer factor f: k = 2f - f % 2, weights ``(1 - abs(a - c) / f) * (1 - abs(b - c) / f)``
  around the centre c = f - 0.5 (k even) or f - 1 (k odd).
- :func:`bilinear_upsampling`: an ``nn.ConvTranspose2d`` with that kernel on every channel
  (and nothing across channels), stride f and padding (k - f) // 2, so an H x W map becomes
  fH x fW. It equals ``F.interpolate(x, scale_factor=f, mode='bilinear',
  align_corners=False)`` except in the outermost f // 2 rows and columns: there interpolate
  clamps the sampling position to the image and repeats the edge pixel, while the transposed
  convolution sees zeros beyond the edge. Pad the input by one pixel that repeats its edge
  (``F.pad(x, (1, 1, 1, 1), mode='replicate')``) and crop f more on each side (padding
  (k - f) // 2 + f) and the two are equal everywhere (``replicate_edges=True``).
- :class:`FCN`: convolutions and two poolings down to a map of class scores at 1/4 of the
  image's size, then one bilinear-initialised transposed convolution back up by 4, learned
  with the rest (FCN-32s's single upsampling, at a small scale; no skips).
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cnn_lib.checks import check_int

__all__ = ["FCN", "BilinearUpsampling", "bilinear_kernel", "bilinear_upsampling"]


def bilinear_kernel(factor):
    """The 2-D kernel (k, k) of bilinear upsampling by the integer ``factor`` f, k = 2f - f % 2.

    >>> bilinear_kernel(2)[0]  # its first row: 0.25 times (0.25, 0.75, 0.75, 0.25)
    array([0.0625, 0.1875, 0.1875, 0.0625])
    """
    f = check_int(factor, "factor")
    k = 2 * f - f % 2
    centre = f - 1 if k % 2 else f - 0.5
    line = 1 - np.abs(np.arange(k) - centre) / f
    return np.outer(line, line)


class BilinearUpsampling(nn.ConvTranspose2d):
    """A transposed convolution (C -> C channels, stride ``factor``) whose weights start as
    bilinear interpolation (:func:`bilinear_kernel` on each channel, zero across channels,
    zero bias) and can then be learned. (N, C, H, W) -> (N, C, factor H, factor W).

    ``replicate_edges=True`` pads the input by its edge pixels first and crops ``factor``
    more on each side, so that before training it equals
    ``F.interpolate(x, scale_factor=factor, mode='bilinear', align_corners=False)``
    everywhere, borders included; with the default False it equals it everywhere but the
    outermost factor // 2 rows and columns.
    """

    def __init__(self, channels, factor, replicate_edges=False):
        c, f = check_int(channels, "channels"), check_int(factor, "factor")
        kernel = bilinear_kernel(f)
        k = len(kernel)
        padding = (k - f) // 2 + (f if replicate_edges else 0)
        super().__init__(c, c, k, stride=f, padding=padding)
        self.replicate_edges = bool(replicate_edges)
        with torch.no_grad():
            self.weight.zero_()
            for i in range(c):
                self.weight[i, i] = torch.as_tensor(kernel, dtype=self.weight.dtype)
            self.bias.zero_()

    def forward(self, x):
        if self.replicate_edges:
            x = F.pad(x, (1, 1, 1, 1), mode="replicate")
        return super().forward(x)


def bilinear_upsampling(channels, factor, replicate_edges=False):
    """A :class:`BilinearUpsampling` layer: ``channels`` maps upsampled by ``factor``."""
    return BilinearUpsampling(channels, factor, replicate_edges)


class FCN(nn.Module):
    """A small fully convolutional network for (N, in_channels, H, W) images, H and W
    divisible by 4; output (N, num_classes, H, W) class scores for every pixel.

    Down: a 3x3 convolution (``width`` channels), 2x2 max pooling, two 3x3 convolutions
    (2 ``width``), 2x2 max pooling, two 3x3 convolutions (4 ``width``), each followed by batch
    normalization and a ReLU; a 1x1 convolution gives class scores at H/4 x W/4. Up: one
    :class:`BilinearUpsampling` by 4 (kernel 8, stride 4, padding 2), learned.
    """

    def __init__(self, in_channels=1, num_classes=4, width=8):
        super().__init__()
        c = check_int(width, "width")
        n = check_int(num_classes, "num_classes", low=2)

        def conv(c_in, c_out):
            return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                    nn.ReLU()]

        self.features = nn.Sequential(
            *conv(check_int(in_channels, "in_channels"), c), nn.MaxPool2d(2),
            *conv(c, 2 * c), *conv(2 * c, 2 * c), nn.MaxPool2d(2),
            *conv(2 * c, 4 * c), *conv(4 * c, 4 * c))
        self.score = nn.Conv2d(4 * c, n, 1)
        self.upsample = BilinearUpsampling(n, 4)

    def forward(self, x):
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"FCN: the input's height and width must be divisible by 4, got "
                             f"{tuple(x.shape[-2:])}")
        return self.upsample(self.score(self.features(x)))
