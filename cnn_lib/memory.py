"""Layer tables and memory per layer: what each layer outputs, what it holds, what it costs.

- :func:`layer_table`: :func:`cnn_lib.models.summary` with each layer's kernel, stride,
  padding and number of output values (its activations) added, and a short label
  ("conv 3×3", "max pool 2×2, stride 2") that the diagrams of :mod:`cnn_lib.diagrams` use.
- :func:`vgg16_table`, :func:`inception_table`, :func:`residual_table`,
  :func:`bottleneck_table`: VGG-16 at full depth, one Inception block (GoogLeNet's
  inception 3a), ResNet's basic block and its bottleneck block.
- :func:`memory_table` and :func:`vgg16_memory`: activations and weights per layer, in the
  style of CS231n's "VGGNet in detail", with what the backward pass adds.
- :func:`format_table`: any of these tables as aligned text, ready to print.

A table is a list of dicts, one per layer (the same form as :func:`cnn_lib.models.summary`),
so a notebook can print it, sum a column or turn it into a pandas DataFrame.
"""

import math

import torch
from torch import nn

from cnn_lib import arithmetic
from cnn_lib.checks import check_int, pair
from cnn_lib.models import VGG16, BasicBlock, Inception, summary

__all__ = [
    "bottleneck_table",
    "format_table",
    "inception_table",
    "layer_label",
    "layer_table",
    "memory_table",
    "residual_table",
    "vgg16_memory",
    "vgg16_table",
]

_NAMES = {"Conv2d": "conv", "ConvTranspose2d": "up-conv", "MaxPool2d": "max pool",
          "AvgPool2d": "avg pool", "Linear": "fully connected", "BatchNorm2d": "BN",
          "LocalResponseNorm": "LRN", "ReLU": "ReLU", "Tanh": "tanh", "Dropout": "dropout",
          "Flatten": "flatten", "Identity": "identity", "AdaptiveAvgPool2d": "adaptive avg pool"}


def _size_text(size):
    h, w = pair(size, "size")
    return f"{h}×{w}"


def layer_label(module):
    """A short label for one layer, as the diagrams write it: ``"conv 3×3"``,
    ``"conv 11×11, stride 4"``, ``"max pool 2×2, stride 2"``, ``"fully connected"``,
    ``"BN"``, ``"ReLU"``... (a stride of 1 is not written; padding is not written).

    >>> layer_label(nn.Conv2d(3, 96, kernel_size=11, stride=4))
    'conv 11×11, stride 4'
    >>> layer_label(nn.MaxPool2d(2))
    'max pool 2×2, stride 2'
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    kind = type(module).__name__
    name = _NAMES.get(kind, kind)
    kernel = getattr(module, "kernel_size", None)
    if kernel is None:
        return name
    text = f"{name} {_size_text(kernel)}"
    stride = pair(getattr(module, "stride", 1) or kernel, "stride")
    if stride != (1, 1):
        text += f", stride {stride[0] if stride[0] == stride[1] else _size_text(stride)}"
    return text


def layer_table(model, input_shape, depth=None):
    """Every layer of ``model`` run on one input of shape ``input_shape`` (C, H, W).

    The rows of :func:`cnn_lib.models.summary` ('layer', 'type', 'output', 'params') with
    'label' (:func:`layer_label`), 'kernel_size', 'stride', 'padding', 'groups' (pairs or
    ints as the module stores them; None where the layer has none) and 'activations' (the
    number of values in the layer's output for one input, the product of 'output').
    Run a large model on PyTorch's "meta" device to skip the memory for its weights.

    Returns:
        (rows, total): a list of dicts and the model's parameter count (an int).
    """
    rows, total = summary(model, input_shape, depth)
    for row in rows:
        module = model.get_submodule(row["layer"])
        row["label"] = layer_label(module)
        for key in ("kernel_size", "stride", "padding", "groups"):
            row[key] = getattr(module, key, None)
        row["activations"] = math.prod(row["output"])
    return rows, total


def vgg16_table():
    """:func:`layer_table` of :class:`cnn_lib.models.VGG16` (1000 classes) at 224x224, at full
    depth: 13 convolutions, 13 + 2 ReLUs, 5 max poolings, the adaptive average pooling,
    3 fully connected layers and 2 dropouts; built on the "meta" device (no memory for
    the weights). 138,357,544 parameters, torchvision's count for ``vgg16``.

    Returns:
        (rows, total)
    """
    with torch.device("meta"):
        model = VGG16()
    return layer_table(model, (3, 224, 224))


def inception_table(size=28):
    """GoogLeNet's first Inception block, inception 3a (``Inception(192, 64, 96, 128, 16, 32,
    32)`` of :mod:`cnn_lib.models`), on a 192 x ``size`` x ``size`` input (28 in GoogLeNet):
    :func:`layer_table` rows of its four branches, each convolution followed by batch
    normalization and ReLU as in torchvision. Output 256 x size x size.

    Returns:
        (rows, total)
    """
    size = check_int(size, "size")
    return layer_table(Inception(192, 64, 96, 128, 16, 32, 32), (192, size, size))


def residual_table(in_channels=64, out_channels=64, stride=1, size=56):
    """ResNet's basic block (:class:`cnn_lib.models.BasicBlock`) on an input of shape
    (in_channels, size, size): :func:`layer_table` rows of conv1, bn1, conv2, bn2 and the
    shortcut (an identity, or a 1x1 convolution + batch normalization when the block changes
    the channels or the size). The two ReLUs and the addition hold no parameters and are
    functions in the forward pass, so they have no row. With the defaults, ResNet-18's
    conv2_x block: 64 x 56 x 56 in and out, 73,984 parameters.

    Returns:
        (rows, total)
    """
    in_channels, out_channels = (check_int(in_channels, "in_channels"),
                                 check_int(out_channels, "out_channels"))
    stride, size = check_int(stride, "stride"), check_int(size, "size")
    return layer_table(BasicBlock(in_channels, out_channels, stride), (in_channels, size, size))


def _row(layer, kind, label, output, params, kernel_size=None, stride=None, padding=None,
         groups=None):
    return {"layer": layer, "type": kind, "output": tuple(output), "params": params,
            "label": label, "kernel_size": kernel_size, "stride": stride, "padding": padding,
            "groups": groups, "activations": math.prod(output)}


def _conv_row(layer, c_in, c_out, k, stride, size):
    padding = k // 2
    out = arithmetic.conv_output_size(size, k, stride, padding)
    params = arithmetic.conv_params(c_in, c_out, k, bias=False)
    label = f"conv {k}×{k}" + (f", stride {stride}" if stride != 1 else "")
    return _row(layer, "Conv2d", label, (c_out, out, out), params, (k, k), (stride, stride),
                (padding, padding), 1), out


def _bn_row(layer, shape):
    return _row(layer, "BatchNorm2d", "BN", shape, 2 * shape[0])


def _relu_row(layer, shape):
    return _row(layer, "ReLU", "ReLU", shape, 0)


def bottleneck_table(in_channels=256, mid_channels=64, out_channels=256, stride=1, size=56):
    """ResNet's bottleneck block (He et al., 2016, figure 5 right; ResNet-50/101/152), on an
    input of shape (in_channels, size, size): a 1x1 convolution to ``mid_channels``, a 3x3
    convolution (with the ``stride``, where torchvision puts it), a 1x1 convolution back up to
    ``out_channels``, each without bias and followed by batch normalization (2 parameters per
    channel), the first two by ReLU; the shortcut is the identity, or a 1x1 convolution with
    the stride + batch normalization when the channels or the size change; then the addition
    and a ReLU. Computed with :mod:`cnn_lib.arithmetic` (the library has no bottleneck
    module; the tests build one in PyTorch and compare). The defaults, 256-64-64-256 at
    56 x 56 (conv2_x of ResNet-50), give 70,400 parameters.

    >>> rows, total = bottleneck_table()
    >>> total, [r["output"][0] for r in rows if r["type"] == "Conv2d"]
    (70400, [64, 64, 256])

    Returns:
        (rows, total): rows as in :func:`layer_table` (shortcut rows after the main path,
        then 'add' and 'relu'), and the block's parameter count.
    """
    c_in, mid = check_int(in_channels, "in_channels"), check_int(mid_channels, "mid_channels")
    c_out, stride = check_int(out_channels, "out_channels"), check_int(stride, "stride")
    size = check_int(size, "size")
    rows = []
    conv, s = _conv_row("conv1", c_in, mid, 1, 1, size)
    rows += [conv, _bn_row("bn1", conv["output"]), _relu_row("relu1", conv["output"])]
    conv, s = _conv_row("conv2", mid, mid, 3, stride, s)
    rows += [conv, _bn_row("bn2", conv["output"]), _relu_row("relu2", conv["output"])]
    conv, s = _conv_row("conv3", mid, c_out, 1, 1, s)
    rows += [conv, _bn_row("bn3", conv["output"])]
    if stride != 1 or c_in != c_out:
        conv, _ = _conv_row("shortcut.0", c_in, c_out, 1, stride, size)
        rows += [conv, _bn_row("shortcut.1", conv["output"])]
    else:
        rows.append(_row("shortcut", "Identity", "identity", (c_in, size, size), 0))
    rows += [_row("add", "add", "+", (c_out, s, s), 0), _relu_row("relu3", (c_out, s, s))]
    return rows, sum(r["params"] for r in rows)


# ----------------------------------------------------------------------------- memory
def memory_table(model, input_shape, layer_types=("Conv2d", "MaxPool2d", "Linear"),
                 bytes_per_value=4):
    """Memory per layer, CS231n-style, for one input of shape ``input_shape`` (C, H, W).

    Rows: the input, then every layer whose type is in ``layer_types`` (by default the
    convolutions, max poolings and fully connected layers, as CS231n lists VGG-16). A ReLU
    that works in place writes over its input and holds no memory of its own, so it is left
    out; so are layers that copy their input unchanged at this size (dropout at test time,
    VGG's adaptive average pooling to 7x7 at 224x224). Each row holds:

    - 'activations': the values of the layer's output (what the forward pass keeps for the
      backward pass), 'weights' and 'biases': its parameters, 'params' their sum;
    - 'activation_grads' and 'param_grads': what the backward pass adds, a gradient for each
      output value (none for the input image) and for each parameter.

    Returns:
        (rows, totals): ``totals`` a dict with the sums 'activations', 'weights', 'biases',
        'params', 'activation_grads', 'param_grads', and in bytes ('bytes_per_value' each,
        4 for float32): 'forward_bytes' (activations), 'weight_bytes' (parameters),
        'backward_bytes' (the two kinds of gradients) and 'training_bytes' (all four).
    """
    if not isinstance(layer_types, (tuple, list)) or not all(
            isinstance(t, str) for t in layer_types):
        raise TypeError(f"layer_types must be a tuple of layer type names such as "
                        f"('Conv2d', 'Linear'), got {layer_types!r}")
    bytes_per_value = check_int(bytes_per_value, "bytes_per_value")
    rows, _ = layer_table(model, input_shape)
    first = math.prod(input_shape)
    table = [{"layer": "input", "type": "Input", "output": tuple(input_shape),
              "activations": first, "weights": 0, "biases": 0, "params": 0,
              "activation_grads": 0, "param_grads": 0}]
    for row in rows:
        if row["type"] not in layer_types:
            continue
        module = model.get_submodule(row["layer"])
        weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
        weights = weight.numel() if isinstance(weight, torch.Tensor) else 0
        biases = bias.numel() if isinstance(bias, torch.Tensor) else 0
        table.append({"layer": row["layer"], "type": row["type"], "output": row["output"],
                      "activations": row["activations"], "weights": weights,
                      "biases": biases, "params": row["params"],
                      "activation_grads": row["activations"], "param_grads": row["params"]})
    keys = ("activations", "weights", "biases", "params", "activation_grads", "param_grads")
    totals = {key: sum(r[key] for r in table) for key in keys}
    totals["bytes_per_value"] = bytes_per_value
    totals["forward_bytes"] = bytes_per_value * totals["activations"]
    totals["weight_bytes"] = bytes_per_value * totals["params"]
    totals["backward_bytes"] = bytes_per_value * (totals["activation_grads"]
                                                  + totals["param_grads"])
    totals["training_bytes"] = (totals["forward_bytes"] + totals["weight_bytes"]
                                + totals["backward_bytes"])
    return table, totals


def vgg16_memory(bytes_per_value=4):
    """:func:`memory_table` of :class:`cnn_lib.models.VGG16` (1000 classes) on one
    3 x 224 x 224 image: 22 rows (input, 13 convolutions, 5 max poolings, 3 fully connected
    layers), as in CS231n's "VGGNet in detail". The model is built on PyTorch's "meta"
    device, so this takes no memory for its 138 million weights.

    The totals: 15,237,608 activation values (60,950,432 bytes, 61.0 MB at float32, forward
    only) and 138,357,544 parameters (553.4 MB): 138,344,128 weights + 13,416 biases
    (CS231n's weights column leaves the biases out). The backward pass adds a gradient for
    every activation but the image's (15,087,080 values, 60.3 MB) and for every parameter
    (553.4 MB): 1.23 GB for one image in all, before any optimizer state. CS231n's notes
    give "TOTAL memory: 24M * 4 bytes ~= 93MB / image (only forward! ~*2 for bwd)" (the
    lecture slides: 96MB), but their own column of activations adds up to the 15.2 million
    here, as this table does, row for row (an open question on their repository,
    cs231n.github.io issue #88). Counting each ReLU's output apart (ReLUs not in place)
    would add the 13,547,520 values of the 13 convolutions' outputs: 28.8 million, not 24.

    Returns:
        (rows, totals)
    """
    with torch.device("meta"):
        model = VGG16()
    return memory_table(model, (3, 224, 224), bytes_per_value=bytes_per_value)


# ----------------------------------------------------------------------------- text
_FORMATS = {"output": lambda v: "×".join(map(str, v)) if isinstance(v, tuple) else str(v)}


def format_table(rows, columns=("layer", "label", "output", "params"), total=None):
    """``rows`` (a list of dicts, e.g. from :func:`layer_table` or :func:`memory_table`) as
    aligned text: one line per row with the given ``columns`` (numbers with thousands
    separators, shapes as C×H×W), and a last line with the sum of every numeric column
    (or ``total`` under 'params' when it is given). Returns a str."""
    if not isinstance(rows, (list, tuple)) or not rows or not all(
            isinstance(r, dict) for r in rows):
        raise TypeError("rows must be a non-empty list of dicts (a table from layer_table "
                        f"or memory_table), got {type(rows).__name__}")
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise ValueError(f"columns {missing} are not in the table; it has {list(rows[0])}")

    def text(column, value):
        if value is None:
            return ""
        if column in _FORMATS:
            return _FORMATS[column](value)
        return f"{value:,}" if isinstance(value, int) else str(value)

    numeric = [c for c in columns if all(isinstance(r[c], int) for r in rows)
               and c not in ("groups",)]
    body = [[text(c, r[c]) for c in columns] for r in rows]
    sums = {c: sum(r[c] for r in rows) for c in numeric}
    if total is not None and "params" in sums:
        sums["params"] = total
    last = ["total" if i == 0 else (f"{sums[c]:,}" if c in sums else "")
            for i, c in enumerate(columns)]
    widths = [max(len(c), *(len(line[i]) for line in body + [last]))
              for i, c in enumerate(columns)]

    def line(cells):
        return "  ".join(cell.rjust(w) if c in numeric else cell.ljust(w)
                         for cell, w, c in zip(cells, widths, columns)).rstrip()

    return "\n".join([line(list(columns))] + [line(b) for b in body] + [line(last)])
