"""The PyTorch models of the book's chapters, written plainly (importing this module imports
PyTorch).

- :class:`MLP`: a fully connected network (chapter 1).
- :class:`TinyCNN`: two small convolution layers and a global max pooling (chapter 1).
- :class:`SimpleCNN`, :class:`LeNet5`, :class:`AlexNet`, :class:`AlexNet2012` (the paper's
  two-GPU network, 60,965,224 parameters), :class:`VGG11`, :class:`VGG16`,
  :class:`GoogLeNet`, :class:`ResNet18` (chapter 5). The large ones follow torchvision's
  definitions layer for layer, so that their parameter counts equal torchvision's published ones
  (AlexNet 61,100,840; VGG-16 138,357,544; GoogLeNet without auxiliary heads 6,624,904;
  ResNet-18 11,689,512 for 1000 classes).
- :class:`ResidualStack`: a deep stack of convolutions with or without residual connections,
  to see why plain deep networks are hard to train (chapter 5).
- :class:`WindowDetector`: a classifier of 16x16 windows built from convolutions only, so that
  it also runs on a whole image and returns a score map (chapter 6).
- :class:`UNet`: a small U-Net for segmentation masks, with or without its skip connections
  (chapter 6).
- :func:`summary` and :func:`summary_table`: every layer's output shape and parameters.
"""


import functools

import torch
from torch import nn

from cnn_lib.checks import check_int

__all__ = [
    "AlexNet",
    "AlexNet2012",
    "GoogLeNet",
    "LeNet5",
    "MLP",
    "ResNet18",
    "ResidualStack",
    "SimpleCNN",
    "TinyCNN",
    "UNet",
    "VGG11",
    "VGG16",
    "WindowDetector",
    "summary",
    "summary_table",
]


class MLP(nn.Sequential):
    """A fully connected network: flatten, then Linear + ReLU layers, then a Linear output.

    Args:
        in_features: the number of inputs (an image of shape (C, H, W) has C*H*W).
        hidden: the widths of the hidden layers, e.g. ``(64,)``.
        num_classes: the number of outputs.

    Input (N, ...) with prod(...) = in_features; output (N, num_classes) scores.
    """

    def __init__(self, in_features, hidden=(64,), num_classes=10):
        in_features = check_int(in_features, "in_features")
        num_classes = check_int(num_classes, "num_classes")
        if not isinstance(hidden, (list, tuple)):
            raise TypeError(f"hidden must be a tuple of ints, got {type(hidden).__name__}")
        widths = [in_features] + [check_int(h, "hidden width") for h in hidden]
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
        channels = check_int(channels, "channels")
        num_classes = check_int(num_classes, "num_classes")
        pool_stride = check_int(pool_stride, "pool_stride")
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, stride=pool_stride),
            nn.Conv2d(channels, 2 * channels, 3, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Linear(2 * channels, num_classes)

    def forward(self, x):
        maps = self.features(x)                # (N, 2C, H', W')
        pooled = torch.amax(maps, dim=(2, 3))   # global max pooling: (N, 2C)
        return self.classifier(pooled)


# --------------------------------------------------------------------------- chapter 5
class SimpleCNN(nn.Module):
    """The Berkeley deck's small network for a 1x28x28 image: conv 3x3 (1 -> 6) + ReLU + 2x2
    max pooling, conv 3x3 (6 -> 16) + ReLU + 2x2 max pooling, then fully connected layers
    16*7*7 -> 120 -> 84 -> ``num_classes``. Input (N, 1, 28, 28); output (N, num_classes)."""

    def __init__(self, num_classes=10):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        self.conv1 = nn.Conv2d(1, 6, kernel_size=3, stride=1, padding=1)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=3, stride=1, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(16 * 7 * 7, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))  # (N, 6, 14, 14)
        x = self.pool(torch.relu(self.conv2(x)))  # (N, 16, 7, 7)
        x = self.flatten(x)                       # (N, 784)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class LeNet5(nn.Sequential):
    """LeNet-5 (LeCun et al., 1998) in its common modern form, for a 1x32x32 image: conv 5x5
    (1 -> 6) + tanh, 2x2 average pooling, conv 5x5 (6 -> 16) + tanh, 2x2 average pooling, then
    fully connected 16*5*5 -> 120 -> 84 -> ``num_classes`` with tanh. (The original's S-layers
    had a trainable weight and bias per map and C3 connected to only some of S2's maps.)"""

    def __init__(self, num_classes=10):
        num_classes = check_int(num_classes, "num_classes")
        super().__init__(
            nn.Conv2d(1, 6, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
            nn.Linear(120, 84), nn.Tanh(),
            nn.Linear(84, num_classes),
        )


class AlexNet(nn.Module):
    """AlexNet (Krizhevsky et al., 2012) as torchvision defines it, for a 3x224x224 image: five
    convolution layers (11x11 stride 4, 5x5, then three 3x3) with overlapping 3x3 max pooling,
    and three fully connected layers with dropout. (The original had 96 first-layer kernels,
    split over two GPUs; torchvision's single-GPU version has 64.)"""

    def __init__(self, num_classes=1000):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class AlexNet2012(nn.Module):
    """AlexNet as Krizhevsky et al. (2012) describe it, for a 3x227x227 image (the size its
    first layer's arithmetic needs: (227 - 11) / 4 + 1 = 55): 96, 256, 384, 384 and 256
    kernels; the network was split over two GPUs, and its second, fourth and fifth convolution
    layers see only the kernel maps of their own GPU, which ``groups=2`` reproduces (conv2's
    kernels are 5x5x48, not 5x5x96); conv3 and the fully connected layers connect across both.
    Local response normalization after the first two layers, overlapping 3x3 max pooling with
    stride 2, dropout in the first two fully connected layers. 60,965,224 parameters."""

    def __init__(self, num_classes=1000):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        norm = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # noqa: E731
        self.features = nn.Sequential(
            nn.Conv2d(3, 96, kernel_size=11, stride=4), nn.ReLU(inplace=True), norm(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2, groups=2), nn.ReLU(inplace=True),
            norm(), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, kernel_size=3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1, groups=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class _VGG(nn.Module):
    """VGG (Simonyan and Zisserman, 2015) as torchvision defines it: stacks of 3x3 convolutions
    (padding 1) + ReLU separated by 2x2 max pooling ('M' in the configuration), then three fully
    connected layers with dropout."""

    def __init__(self, config, num_classes=1000):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        layers, channels = [], 3
        for item in config:
            if item == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(channels, item, kernel_size=3, padding=1),
                           nn.ReLU(inplace=True)]
                channels = item
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(p=0.5),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class VGG11(_VGG):
    """VGG-11 (configuration A): 8 convolution layers and 3 fully connected ones."""

    def __init__(self, num_classes=1000):
        super().__init__([64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
                         num_classes)


class VGG16(_VGG):
    """VGG-16 (configuration D): 13 convolution layers and 3 fully connected ones."""

    def __init__(self, num_classes=1000):
        super().__init__([64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                          512, 512, 512, "M"], num_classes)


def _conv_bn(in_channels, out_channels, **kwargs):
    """torchvision's BasicConv2d for GoogLeNet: a convolution without bias, batch
    normalization (eps 0.001) and ReLU."""
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, bias=False, **kwargs),
                         nn.BatchNorm2d(out_channels, eps=0.001), nn.ReLU(inplace=True))


class Inception(nn.Module):
    """An Inception block: four branches side by side, concatenated along the channels:
    a 1x1 convolution; 1x1 then 3x3; 1x1 then a second 3x3 (the paper has 5x5 there,
    torchvision 3x3); and 3x3 max pooling then 1x1. The 1x1 convolutions before the larger ones
    reduce the channels first, which is what keeps GoogLeNet small."""

    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = _conv_bn(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(_conv_bn(in_channels, ch3x3red, kernel_size=1),
                                     _conv_bn(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(_conv_bn(in_channels, ch5x5red, kernel_size=1),
                                     _conv_bn(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     _conv_bn(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)],
                         dim=1)


class GoogLeNet(nn.Module):
    """GoogLeNet (Szegedy et al., 2015) as torchvision defines it, without the two auxiliary
    classifiers: a stem of convolutions and max pooling, nine Inception blocks, global average
    pooling, dropout and one fully connected layer. 22 layers with weights."""

    def __init__(self, num_classes=1000):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        self.stem = nn.Sequential(
            _conv_bn(3, 64, kernel_size=7, stride=2, padding=3),
            nn.MaxPool2d(3, stride=2, ceil_mode=True),
            _conv_bn(64, 64, kernel_size=1),
            _conv_bn(64, 192, kernel_size=3, padding=1),
            nn.MaxPool2d(3, stride=2, ceil_mode=True),
        )
        self.inception3 = nn.Sequential(Inception(192, 64, 96, 128, 16, 32, 32),
                                        Inception(256, 128, 128, 192, 32, 96, 64),
                                        nn.MaxPool2d(3, stride=2, ceil_mode=True))
        self.inception4 = nn.Sequential(Inception(480, 192, 96, 208, 16, 48, 64),
                                        Inception(512, 160, 112, 224, 24, 64, 64),
                                        Inception(512, 128, 128, 256, 24, 64, 64),
                                        Inception(512, 112, 144, 288, 32, 64, 64),
                                        Inception(528, 256, 160, 320, 32, 128, 128),
                                        nn.MaxPool2d(2, stride=2, ceil_mode=True))
        self.inception5 = nn.Sequential(Inception(832, 256, 160, 320, 32, 128, 128),
                                        Inception(832, 384, 192, 384, 48, 128, 128))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=0.2)
        self.fc = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = self.inception5(self.inception4(self.inception3(self.stem(x))))
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))


class BasicBlock(nn.Module):
    """ResNet's basic residual block: out = ReLU(F(x) + shortcut(x)), where F is two 3x3
    convolutions with batch normalization and the shortcut is x itself, or a 1x1 convolution
    (+ batch normalization) when the block changes the size or the number of channels."""

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 (He et al., 2016) as torchvision defines it: a 7x7 stride-2 convolution and 3x3
    max pooling, four stages of two :class:`BasicBlock` each (64, 128, 256, 512 channels; the
    last three start with stride 2), global average pooling and one fully connected layer."""

    def __init__(self, num_classes=1000):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )
        stages, channels = [], 64
        for width, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            stages.append(nn.Sequential(BasicBlock(channels, width, stride),
                                        BasicBlock(width, width)))
            channels = width
        self.stages = nn.Sequential(*stages)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.stages(self.stem(x))), 1))


def _conv3x3(in_channels, out_channels, batch_norm=False):
    """A 3x3 convolution that keeps the size (padding 1), then batch normalization if asked:
    a list of layers, to unpack into an nn.Sequential."""
    norm = [nn.BatchNorm2d(out_channels)] if batch_norm else []
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1), *norm]


class _TwoConvs(nn.Module):
    """Two 3x3 convolutions with a ReLU between and after; with ``residual`` the input is added
    before the last ReLU: ReLU(conv(ReLU(conv(x))) + x). With ``batch_norm`` each convolution
    is followed by batch normalization, as in ResNet: ReLU(BN(conv(ReLU(BN(conv(x)))) + x)).
    A residual block's last batch normalization starts with a zero scale, so that the block
    starts as the identity (Goyal et al., 2017; torchvision's ``zero_init_residual``)."""

    def __init__(self, channels, residual, batch_norm=False):
        super().__init__()
        self.conv1 = nn.Sequential(*_conv3x3(channels, channels, batch_norm))
        self.conv2 = nn.Sequential(*_conv3x3(channels, channels, batch_norm))
        self.residual = residual
        if residual and batch_norm:
            nn.init.zeros_(self.conv2[1].weight)

    def forward(self, x):
        out = self.conv2(torch.relu(self.conv1(x)))
        return torch.relu(out + x if self.residual else out)


class ResidualStack(nn.Module):
    """A deep, narrow network for 1-channel images: a 3x3 convolution to ``channels`` maps, then
    ``blocks`` pairs of 3x3 convolutions (2 * blocks + 1 convolution layers in all), flattening
    and a fully connected layer. With ``residual=True`` each pair adds its input to its output
    (a residual connection, as in ResNet); with False the network is "plain". With
    ``batch_norm=True`` every convolution is followed by batch normalization (as in He et al.'s
    plain and residual networks; each residual block then starts as the identity). Input
    (N, 1, H, W) of the ``size`` given; output (N, num_classes)."""

    def __init__(self, blocks, residual=True, channels=16, size=8, num_classes=10,
                 batch_norm=False):
        super().__init__()
        blocks = check_int(blocks, "blocks", low=0)
        channels, size = check_int(channels, "channels"), check_int(size, "size")
        self.stem = nn.Sequential(*_conv3x3(1, channels, batch_norm), nn.ReLU())
        self.blocks = nn.Sequential(*[_TwoConvs(channels, bool(residual), bool(batch_norm))
                                      for _ in range(blocks)])
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(channels * size * size,
                                                          check_int(num_classes, "num_classes")))

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


class WindowDetector(nn.Module):
    """A classifier of 16x16 grey windows into ``num_classes`` classes (class 0: background)
    that also says where in the window the object is, written with convolutions only: its
    "fully connected" layers are a 4x4 and a 1x1 convolution.

    On one window (N, 1, 16, 16) it returns (N, num_classes + 4, 1, 1): the class scores, then
    four box offsets (dx, dy, dw, dh) from the window's central 12x12 box to the object's box
    (``cnn_lib.detection.encode_boxes``). On a whole image (N, 1, H, W) it returns the same for
    every 16x16 window at stride 2, in one pass: maps of shape
    (N, num_classes + 4, (H - 16) // 2 + 1, (W - 16) // 2 + 1) (OverFeat's idea, Sermanet
    et al., 2014).

    Shapes on one window: 16 -> conv 5x5 -> 12 -> max pool 2 -> 6 -> conv 3x3 -> 4 ->
    conv 4x4 ("fully connected") -> 1 -> conv 1x1 -> 1.
    """

    window = 16  # the window each output looks at, in pixels
    stride = 2   # the step between neighbouring windows (the max pooling's stride)
    margin = 2   # the window's central box, window - 2 * margin = 12 pixels wide

    def __init__(self, num_classes=4, channels=16, hidden=64):
        super().__init__()
        self.num_classes = check_int(num_classes, "num_classes", low=2)
        channels = check_int(channels, "channels")
        self.features = nn.Sequential(
            nn.Conv2d(1, channels, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, 3), nn.ReLU())
        self.classifier = nn.Sequential(
            nn.Conv2d(2 * channels, check_int(hidden, "hidden"), 4), nn.ReLU(),
            nn.Conv2d(hidden, self.num_classes + 4, 1))

    def forward(self, x):
        return self.classifier(self.features(x))


def _double_conv(in_channels, out_channels, batch_norm=False):
    return nn.Sequential(*_conv3x3(in_channels, out_channels, batch_norm), nn.ReLU(),
                         *_conv3x3(out_channels, out_channels, batch_norm), nn.ReLU())


class UNet(nn.Module):
    """A small U-Net (Ronneberger et al., 2015) for (N, in_channels, H, W) images, H and W
    divisible by 4; output (N, num_classes, H, W): a score per class for every pixel.

    Down: two 3x3 convolutions, 2x2 max pooling, twice (H -> H/2 -> H/4), then two convolutions
    at the bottom. Up: a 2x2 transposed convolution of stride 2 doubles the size, the feature
    maps of the same size from the way down are concatenated (the skip connections), two 3x3
    convolutions mix them; twice. A 1x1 convolution gives the class scores. ``skip=False``
    drops the concatenations (a plain encoder-decoder), to see what the skips are for;
    ``batch_norm=True`` puts batch normalization after every 3x3 convolution (as most U-Nets
    since the original do), which makes training far less dependent on the seed.
    """

    def __init__(self, in_channels=1, num_classes=4, width=16, skip=True, batch_norm=False):
        super().__init__()
        c = check_int(width, "width")
        self.skip = bool(skip)
        block = functools.partial(_double_conv, batch_norm=bool(batch_norm))
        self.down1 = block(check_int(in_channels, "in_channels"), c)
        self.down2 = block(c, 2 * c)
        self.bottom = block(2 * c, 4 * c)
        self.up2 = nn.ConvTranspose2d(4 * c, 2 * c, 2, stride=2)
        self.merge2 = block(4 * c if self.skip else 2 * c, 2 * c)
        self.up1 = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.merge1 = block(2 * c if self.skip else c, c)
        self.head = nn.Conv2d(c, check_int(num_classes, "num_classes", low=2), 1)

    def forward(self, x):
        if x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"UNet: the input's height and width must be divisible by 4, got "
                             f"{tuple(x.shape[-2:])}")
        d1 = self.down1(x)                                   # (N, c, H, W)
        d2 = self.down2(torch.max_pool2d(d1, 2))             # (N, 2c, H/2, W/2)
        u2 = self.up2(self.bottom(torch.max_pool2d(d2, 2)))  # (N, 2c, H/2, W/2)
        u2 = self.merge2(torch.cat([u2, d2], 1) if self.skip else u2)
        u1 = self.up1(u2)                                    # (N, c, H, W)
        u1 = self.merge1(torch.cat([u1, d1], 1) if self.skip else u1)
        return self.head(u1)


def summary(model, input_shape, depth=None):
    """A table of the layers of ``model`` run on one input of shape ``input_shape`` (C, H, W).

    Every module without children (a convolution, a pooling, a ReLU, ...) gets a row: its name,
    its type, its output shape and its number of parameters, in the order it runs. With
    ``depth``, modules ``depth`` levels below the model count as leaves (their parameters
    summed). The input runs on the model's own device; to summarise a large model at once,
    without memory for its weights, build it on PyTorch's "meta" device, which tracks shapes
    only: ``with torch.device("meta"): model = VGG16()``.

    Returns:
        (rows, total): ``rows`` a list of dicts with keys 'layer', 'type', 'output',
        'params'; ``total`` the model's parameter count (an int).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or not all(isinstance(n, int) and n > 0 for n in input_shape)):
        raise ValueError(f"input_shape must be (C, H, W) of positive ints, got {input_shape!r}")
    if depth is not None:
        depth = check_int(depth, "depth")
    def level(name):  # 1 for the model's children, 2 for theirs, ...
        return name.count(".") + 1

    leaves = [(name, module) for name, module in model.named_modules() if name
              and (depth is None or level(name) <= depth)
              and (next(module.children(), None) is None or level(name) == depth)]
    rows, hooks = [], []
    for name, module in leaves:
        def record(mod, inputs, output, name=name):
            out = output[0] if isinstance(output, (tuple, list)) else output
            rows.append({"layer": name, "type": type(mod).__name__,
                         "output": tuple(out.shape[1:]),
                         "params": sum(p.numel() for p in mod.parameters())})
        hooks.append(module.register_forward_hook(record))
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), device=device))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    total = sum(p.numel() for p in model.parameters())
    return rows, total


def summary_table(model, input_shape, depth=None):
    """:func:`summary` as text: one line per layer (name, type, output shape, parameters) and
    the total. Returns a str, ready to print."""
    rows, total = summary(model, input_shape, depth)
    width = max([len(r["layer"]) for r in rows] + [5])
    lines = [f"{'layer':<{width}}  {'type':<17} {'output shape':<16} {'parameters':>12}"]
    for r in rows:
        shape = " x ".join(map(str, r["output"]))
        lines.append(f"{r['layer']:<{width}}  {r['type']:<17} {shape:<16} {r['params']:>12,}")
    lines.append(f"{'total':<{width}}  {'':<17} {'':<16} {total:>12,}")
    return "\n".join(lines)
