"""Networks that are one chain of layers, drawn top to bottom: LeNet-5, AlexNet on its two
GPUs, and one stage of VGG-16. Every shape and parameter count written in a box comes from
running the model of :mod:`cnn_lib.models` (through :func:`cnn_lib.memory.layer_table`)."""

import textwrap

import torch

from cnn_lib import models
from cnn_lib.checks import check_int
from cnn_lib.diagrams._canvas import LINE, Canvas, box_height, shape_text
from cnn_lib.memory import layer_table

WEIGHTED = {"Conv2d": "conv", "Linear": "fc", "ConvTranspose2d": "up"}
POOLS = {"MaxPool2d", "AvgPool2d"}
FOLDED = {"ReLU": "ReLU", "Tanh": "tanh", "LocalResponseNorm": "LRN", "BatchNorm2d": "BN",
          "Dropout": "dropout"}
PARAMS_COLOR = "#555555"


def fold(rows):
    """Group the rows of a layer table into the boxes of a chain: each convolution, fully
    connected, pooling or flatten layer starts a box; the activations, normalizations and
    dropouts after it join its box ('ops'), except a dropout, which belongs to the box of
    the layer it feeds ('before'; PyTorch's networks put it before a fully connected
    layer). Returns a list of
    dicts with 'row' (the layer that starts the box), 'before' and 'ops' (names of the
    folded layers, in order), 'output' (the shape after the last of them) and 'params'
    (summed)."""
    groups, pending = [], []
    for row in rows:
        name = FOLDED.get(row["type"])
        if name == "dropout":
            pending.append(name)  # it acts on the input of the next layer
        elif name is not None and groups:
            groups[-1]["ops"].append(name)
            groups[-1]["output"] = row["output"]
            groups[-1]["params"] += row["params"]
        else:
            groups.append({"row": row, "before": pending, "ops": [], "output": row["output"],
                           "params": row["params"]})
            pending = []
    return groups


def kind_of(row):
    """The colour kind of a layer-table row."""
    if row["type"] in WEIGHTED:
        return WEIGHTED[row["type"]]
    return "pool" if row["type"] in POOLS else "act"


def detail_line(group):
    """The second line of a box: padding (when not 0) and the folded layers."""
    parts = []
    padding = group["row"].get("padding")
    if group["row"]["type"] == "Conv2d" and padding not in (None, 0, (0, 0)):
        p = padding[0] if isinstance(padding, tuple) else padding
        parts.append(f"padding {p}")
    parts += [f"{name} on input" for name in group.get("before", [])] + group["ops"]
    return ", ".join(parts)


def lines_of(group, shape=None):
    """A box's lines: the layer's label, its details (if any) and its output shape."""
    shape = group["output"] if shape is None else shape
    label = group["row"]["label"]
    if group["row"]["type"] == "Linear":
        label = f"fully connected, {shape[0]}"
    lines = [label]
    detail = detail_line(group)
    if detail:
        lines.append(detail)
    lines.append(shape_text(shape))
    return lines


def _chain(canvas, groups, x, y_top, w, gap, params_x=None, input_shape=None,
           input_label="input"):
    """Draw ``groups`` as boxes from y_top down, joined by arrows; returns the last box."""
    y = y_top
    previous = None
    if input_shape is not None:
        h = box_height(2)
        previous = canvas.box("input", x, y - h / 2, w, [input_label, shape_text(input_shape)],
                              "input")
        y -= h + gap
    for i, group in enumerate(groups):
        lines = lines_of(group)
        h = box_height(len(lines))
        box = canvas.box(f"layer{i}", x, y - h / 2, w, lines, kind_of(group["row"]))
        if params_x is not None and group["params"]:
            canvas.note(params_x, box.y, f"{group['params']:,} params", ha="left",
                        color=PARAMS_COLOR, name=f"params{i}")
        if previous is not None:
            canvas.arrow(previous.bottom, box.top)
        previous = box
        y -= h + gap
    return previous


def _height(groups, gap, extra_boxes=1):
    return (sum(box_height(len(lines_of(g))) for g in groups)
            + extra_boxes * box_height(2) + gap * (len(groups) + extra_boxes - 1))


def draw_lenet5():
    """LeNet-5 (:class:`cnn_lib.models.LeNet5`, 10 classes) on a 1x32x32 image, top to
    bottom: each box gives the layer (kernel, stride), the activation after it and its
    output shape C×H×W; the parameters of each layer are written beside it.

    Returns:
        matplotlib.figure.Figure
    """
    rows, total = layer_table(models.LeNet5(), (1, 32, 32))
    groups = fold(rows)
    gap = 0.24
    height = _height(groups, gap) + 0.95
    canvas = Canvas(4.4, height, "LeNet-5 (modern form)")
    last = _chain(canvas, groups, 1.45, height - 0.45, 2.5, gap, params_x=2.82,
                  input_shape=(1, 32, 32), input_label="input image")
    canvas.note(2.2, last.bottom[1] - 0.15,
                f"{total:,} parameters in all\n(the modern form: C3 sees all 6 maps, "
                "pooling\nhas no weights; LeCun et al. 1998 differ)", va="top", name="total")
    return canvas.finish()


def draw_alexnet():
    """AlexNet as Krizhevsky et al. (2012) trained it, split over two GPUs
    (:class:`cnn_lib.models.AlexNet2012`, 3x227x227 input): one column per GPU, each box with
    the layer, what follows it and the output shape on that GPU (half of the model's
    channels). Arrows that cross between the columns mark where the GPUs exchange maps: into
    the third convolution and into every fully connected layer; elsewhere each GPU sees only
    its own half (``groups=2`` in the model).

    Returns:
        matplotlib.figure.Figure
    """
    with torch.device("meta"):
        model = models.AlexNet2012()
    input_shape = (3, 227, 227)
    rows, _ = layer_table(model, input_shape)
    groups = fold(rows)
    # a layer reads both GPUs' maps when it is fully connected or an ungrouped convolution
    # after the first one: conv3 and fc6, fc7, fc8
    crossing = [g["row"]["type"] == "Linear" or (g["row"]["type"] == "Conv2d" and i > 0
                                                 and g["row"]["groups"] == 1)
                for i, g in enumerate(groups)]
    gap, cross_gap, w = 0.24, 0.5, 2.3
    xs = (1.45, 3.95)
    heights = [box_height(len(lines_of(g))) for g in groups]
    caption = textwrap.fill(
        "Each column is one GPU, holding half of every layer's maps. Arrows that cross "
        "between the columns: the layers that read the maps of both GPUs (conv 3, and the "
        "fully connected layers). Input 227×227, the size the first layer's arithmetic "
        "needs (the paper says 224).", 66)
    n_caption = caption.count("\n") + 1
    height = (0.75 + box_height(2) + sum(heights)
              + sum(cross_gap if c else gap for c in crossing) + LINE * n_caption + 0.35)
    canvas = Canvas(5.4, height, "AlexNet (2012), split over two GPUs")
    y = height - 0.62
    for x, name in zip(xs, ("GPU 1", "GPU 2")):
        canvas.note(x, y, name, name=name.lower().replace(" ", ""), italic=True)
    y -= 0.2
    h = box_height(2)
    previous = [canvas.box("input", 2.7, y - h / 2, 2.3,
                           ["input image", shape_text(input_shape)],
                           "input")]
    y -= h
    last = len(groups) - 1
    for i, (group, h, cross) in enumerate(zip(groups, heights, crossing)):
        y -= cross_gap if cross else gap
        if i == last:  # the 1000 class scores: one layer across both GPUs
            boxes = [canvas.box(f"layer{i}", 2.7, y - h / 2, w, lines_of(group), "fc")]
        else:
            c, *rest = group["output"]
            half = (c // 2, *rest)
            boxes = [canvas.box(f"layer{i}.gpu{k}", x, y - h / 2, w, lines_of(group, half),
                                kind_of(group["row"])) for k, x in enumerate(xs)]
        for k, box in enumerate(boxes):
            for j, before in enumerate(previous):
                if cross or len(previous) == 1 or len(boxes) == 1 or j == k:
                    canvas.arrow(before.bottom, box.top, name=f"{before.name}->{box.name}")
        previous = boxes
        y -= h
    canvas.note(2.7, y - 0.2, caption, va="top", name="caption")
    return canvas.finish()


def draw_vgg_stage(stage=3):
    """One stage of VGG-16 (:class:`cnn_lib.models.VGG16` at 224x224): its 3x3 convolutions
    (padding 1, each followed by ReLU), which keep the size, then the 2x2 max pooling of
    stride 2, which halves it; the parameters of each convolution beside it. ``stage`` is
    1 to 5 (2, 2, 3, 3 and 3 convolutions; 64, 128, 256, 512 and 512 channels).

    Returns:
        matplotlib.figure.Figure
    """
    stage = check_int(stage, "stage", low=1, high=5)
    with torch.device("meta"):
        model = models.VGG16()
    rows, _ = layer_table(model, (3, 224, 224))
    stages, current = [], []
    for group in fold([r for r in rows if r["layer"].startswith("features.")]):
        current.append(group)
        if group["row"]["type"] == "MaxPool2d":
            stages.append(current)
            current = []
    groups = stages[stage - 1]
    input_shape = (3, 224, 224) if stage == 1 else stages[stage - 2][-1]["output"]
    convs = sum(g["params"] for g in groups)
    gap = 0.24
    height = _height(groups, gap) + 0.95
    canvas = Canvas(4.6, height, f"VGG-16, stage {stage} of 5")
    first = f"from stage {stage - 1}" if stage > 1 else "input image"
    last = _chain(canvas, groups, 1.5, height - 0.45, 2.6, gap, params_x=2.92,
                  input_shape=input_shape, input_label=first)
    n = len(groups) - 1
    canvas.note(2.3, last.bottom[1] - 0.15,
                f"{n} convolutions, {convs:,} parameters;\ntogether they see a "
                f"{2 * n + 1}×{2 * n + 1} window of the stage's input", va="top", name="total")
    return canvas.finish()
