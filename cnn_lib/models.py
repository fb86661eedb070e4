"""The PyTorch models of the book's chapters, written plainly (importing this module imports
PyTorch).

- :class:`MLP`: a fully connected network (chapter 1).
- :class:`TinyCNN`: two small convolution layers and a global max pooling (chapter 1).
"""

import numbers

import torch
from torch import nn

__all__ = ["MLP", "TinyCNN"]


def _check_int(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return int(value)


class MLP(nn.Sequential):
    """A fully connected network: flatten, then Linear + ReLU layers, then a Linear output.

    Args:
        in_features: the number of inputs (an image of shape (C, H, W) has C*H*W).
        hidden: the widths of the hidden layers, e.g. ``(64,)``.
        num_classes: the number of outputs.

    Input (N, ...) with prod(...) = in_features; output (N, num_classes) scores.
    """

    def __init__(self, in_features, hidden=(64,), num_classes=10):
        in_features = _check_int("in_features", in_features)
        num_classes = _check_int("num_classes", num_classes)
        if not isinstance(hidden, (list, tuple)):
            raise TypeError(f"hidden must be a tuple of ints, got {type(hidden).__name__}")
        widths = [in_features] + [_check_int("hidden width", h) for h in hidden]
        layers = [nn.Flatten()]
        for a, b in zip(widths, widths[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], num_classes))
        super().__init__(*layers)


class TinyCNN(nn.Module):
    """A small convolutional network that does not care where its pattern is.

    conv 3x3 (1 -> ``channels``) + ReLU, 2x2 max pooling with stride ``pool_stride``, conv 3x3
    (-> 2 * ``channels``) + ReLU, a global max pooling over all positions, and a Linear layer to
    ``num_classes`` scores. Input (N, 1, H, W) for any H, W >= 2; output (N, num_classes).

    With ``pool_stride=1`` every layer before the global pooling is equivariant to shifts, so
    the network's output does not change when the pattern moves (away from the border). With
    ``pool_stride=2`` it is only equivariant to shifts by 2: odd shifts change its features.
    """

    def __init__(self, channels=16, num_classes=10, pool_stride=1):
        super().__init__()
        channels = _check_int("channels", channels)
        num_classes = _check_int("num_classes", num_classes)
        pool_stride = _check_int("pool_stride", pool_stride)
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, stride=pool_stride),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Linear(2 * channels, num_classes)

    def forward(self, x):
        maps = self.features(x)                # (N, 2C, H', W')
        pooled = torch.amax(maps, dim=(2, 3))   # global max pooling: (N, 2C)
        return self.classifier(pooled)
