"""Blocks with branches and shortcuts: GoogLeNet's Inception block, ResNet's basic and
bottleneck residual blocks. The shapes and parameter counts come from
:mod:`cnn_lib.memory`'s tables (a forward pass through the library's modules, or, for the
bottleneck block, the arithmetic the tests check against a PyTorch module)."""

from cnn_lib.checks import check_int
from cnn_lib.diagrams._canvas import SKIP_COLOR, Canvas, box_height, shape_text
from cnn_lib.memory import bottleneck_table, inception_table, residual_table

SLIM = 0.3  # the height of a one-line box (BN, ReLU), inches
F_NOTE = "the layers from the first conv to the last BN"


def _padding(row):
    p = row.get("padding")
    p = p[0] if isinstance(p, tuple) else p
    return f"padding {p}" if p else None


def draw_inception_block(size=28):
    """GoogLeNet's inception 3a block (:func:`cnn_lib.memory.inception_table`, on a
    192 x ``size`` x ``size`` input): the four branches side by side, a 1x1 convolution (64);
    1x1 (96) then 3x3 (128); 1x1 (16) then a second 3x3 (32; 5x5 in the paper); 3x3 max
    pooling then 1x1 (32); and their concatenation along the channels (256). Each
    convolution is followed by batch normalization and ReLU, as in torchvision.

    Returns:
        matplotlib.figure.Figure
    """
    size = check_int(size, "size")
    rows, total = inception_table(size)
    by_name = {r["layer"]: r for r in rows}
    branches = [["branch1.0"], ["branch2.0.0", "branch2.1.0"], ["branch3.0.0", "branch3.1.0"],
                ["branch4.0", "branch4.1.0"]]
    width, w, step = 5.6, 1.3, 1.36
    xs = [width / 2 + (k - 1.5) * step for k in range(4)]
    h3, gap = box_height(3), 0.34
    height = 0.5 + box_height(2) + 2 * gap + 2 * h3 + gap + 0.3 + box_height(2) + 0.95
    canvas = Canvas(width, height, "Inception block (GoogLeNet's inception 3a)")
    y = height - 0.5
    inp = canvas.box("input", width / 2, y - box_height(2) / 2, 2.4,
                     ["input", shape_text((192, size, size))], "input")
    bus = inp.bottom[1] - gap / 2
    canvas.arrow(inp.bottom, (inp.x, bus), head=False)
    canvas.arrow((xs[0], bus), (xs[-1], bus), head=False)
    rows_y = (bus - gap / 2 - h3 / 2, bus - gap / 2 - h3 - gap - h3 / 2)
    last_boxes = []
    for x, names in zip(xs, branches):
        # branch 1 has one layer: it sits on the second row, level with the others' last
        slots = rows_y[2 - len(names):]
        previous = None
        for name, y_box in zip(names, slots):
            row = by_name[name]
            label = row["label"] + ("*" if name == "branch3.1.0" else "")
            details = [_padding(row)] if row["type"] == "MaxPool2d" else ["BN, ReLU"]
            box = canvas.box(name, x, y_box, w, [label, *details, shape_text(row["output"])],
                             "pool" if row["type"] == "MaxPool2d" else "conv")
            start = previous.bottom if previous is not None else (x, bus)
            canvas.arrow(start, box.top)
            previous = box
        last_boxes.append(previous)
    y_cat = rows_y[1] - h3 / 2 - gap - box_height(2) / 2
    channels = [by_name[names[-1]]["output"][0] for names in branches]
    out = (sum(channels), size, size)
    cat = canvas.box("concat", width / 2, y_cat, width - 0.5,
                     ["concatenate along channels: " + " + ".join(map(str, channels)),
                      shape_text(out)], "merge")
    for box in last_boxes:
        canvas.arrow(box.bottom, (box.x, cat.top[1]))
    canvas.note(width / 2, cat.bottom[1] - 0.22,
                f"{total:,} parameters (convolutions and batch normalization)", name="total")
    canvas.note(width / 2, cat.bottom[1] - 0.5,
                "* 5×5 in the paper; 3×3 in torchvision and cnn_lib", italic=True,
                name="footnote")
    return canvas.finish()


def _residual(title, main, shortcut, output, total, note):
    """The vertical layout of a residual block. ``main``: (name, lines, kind) from the input
    down to the last batch normalization; ``shortcut``: None (identity) or the lines of
    the projection's boxes; ``output``: the output shape."""
    w, x, x_short = 2.4, 1.65, 3.85
    gap = 0.22
    sizes = [SLIM if len(lines) == 1 else box_height(len(lines)) for _, lines, _ in main]
    height = (0.5 + sum(sizes) + gap * (len(main) + 2) + 0.3 + SLIM + box_height(2)
              + 2 * gap + 0.55)
    canvas = Canvas(4.8, height, title)
    y = height - 0.5
    boxes = []
    for (name, lines, kind), h in zip(main, sizes):
        box = canvas.box(name, x, y - h / 2, w, lines, kind, h=h)
        if boxes:
            canvas.arrow(boxes[-1].bottom, box.top)
        boxes.append(box)
        y -= h + gap
    add = canvas.circle("add", x, y - 0.15)
    canvas.arrow(boxes[-1].bottom, add.top)
    canvas.note(x - 0.3, add.y, "$F(x) + x$" if shortcut is None else "$F(x) + W_s x$",
                ha="right", name="sum")
    relu = canvas.box("relu_out", x, add.bottom[1] - gap - SLIM / 2, w, ["ReLU"], "act",
                      h=SLIM)
    canvas.arrow(add.bottom, relu.top)
    out = canvas.box("output", x, relu.bottom[1] - gap - box_height(2) / 2, w,
                     ["output", shape_text(output)], "input")
    canvas.arrow(relu.bottom, out.top)
    # the shortcut: leaves the input's arrow, runs down the right, enters the addition
    start_y = boxes[0].bottom[1] - gap / 2
    canvas.ax.plot([x, x_short], [start_y, start_y], color=SKIP_COLOR, linewidth=1.6,
                   zorder=1)
    if shortcut is None:
        canvas.arrow((x_short, start_y), (x_short, add.y), (add.right[0], add.y),
                     color=SKIP_COLOR, width=1.6)
        canvas.note(x_short + 0.1, (start_y + add.y) / 2, "identity\nshortcut x",
                    ha="left", color="black", name="shortcut")
    else:
        h = box_height(len(shortcut))
        y_mid = (start_y + add.y) / 2
        proj = canvas.box("shortcut", x_short, y_mid, 1.62, shortcut, "conv", h=h)
        canvas.arrow((x_short, start_y), proj.top, color=SKIP_COLOR, width=1.6)
        canvas.arrow(proj.bottom, (x_short, add.y), (add.right[0], add.y), color=SKIP_COLOR,
                     width=1.6)
        canvas.note(x_short, proj.top[1] + 0.16, "projection shortcut", name="shortcut")
    canvas.note(x, out.bottom[1] - 0.1, f"$F$: {note}\n{total:,} parameters", va="top",
                name="total")
    return canvas.finish()


def _main_path(rows, stop):
    """(name, lines, kind) for the rows of a block's main path, up to the layer ``stop``."""
    main = []
    for row in rows:
        if row["type"] == "Conv2d":
            main.append((row["layer"], [row["label"], shape_text(row["output"])], "conv"))
        elif row["type"] == "BatchNorm2d":
            main.append((row["layer"], ["BN"], "norm"))
        elif row["type"] == "ReLU":
            main.append((row["layer"], ["ReLU"], "act"))
        if row["layer"] == stop:
            return main
    raise ValueError(f"no layer {stop!r} in the block")


def _projection(rows):
    conv = next((r for r in rows if r["layer"] == "shortcut.0"), None)
    if conv is None:
        return None
    return [conv["label"], "BN", shape_text(conv["output"])]


def draw_residual_block(in_channels=64, out_channels=64, stride=1, size=56):
    """ResNet's basic block (:class:`cnn_lib.models.BasicBlock`, through
    :func:`cnn_lib.memory.residual_table`) on an (in_channels, size, size) input: 3x3
    convolution, batch normalization (BN), ReLU, 3x3 convolution, BN, the addition of the
    shortcut, ReLU. The shortcut is the identity, or (when the block changes the channels or
    the size) a 1x1 convolution with the stride and BN. Defaults: 64 channels at 56x56.

    Returns:
        matplotlib.figure.Figure
    """
    rows, total = residual_table(in_channels, out_channels, stride, size)
    rows = rows[:2] + [{"layer": "relu1", "type": "ReLU"}] + rows[2:]  # torch.relu in forward
    main = [("input", ["input x", shape_text((in_channels, size, size))], "input")]
    main += _main_path(rows, "bn2")
    output = next(r for r in rows if r["layer"] == "bn2")["output"]
    title = f"Basic residual block, {in_channels} → {out_channels} channels"
    return _residual(title, main, _projection(rows), output, total, F_NOTE)


def draw_bottleneck_block(in_channels=256, mid_channels=64, out_channels=256, stride=1,
                          size=56):
    """ResNet's bottleneck block (:func:`cnn_lib.memory.bottleneck_table`) on an
    (in_channels, size, size) input: a 1x1 convolution that reduces the channels, a 3x3
    convolution, a 1x1 convolution that restores them, each followed by batch normalization
    (BN), the first two by ReLU; the addition of the shortcut (identity, or a 1x1
    convolution with BN when the channels or size change) and a ReLU. Defaults:
    256-64-64-256 at 56x56 (ResNet-50's conv2_x).

    Returns:
        matplotlib.figure.Figure
    """
    rows, total = bottleneck_table(in_channels, mid_channels, out_channels, stride, size)
    main = [("input", ["input x", shape_text((in_channels, size, size))], "input")]
    main += _main_path(rows, "bn3")
    output = next(r for r in rows if r["layer"] == "add")["output"]
    title = f"Bottleneck block, {in_channels}-{mid_channels}-{mid_channels}-{out_channels}"
    return _residual(title, main, _projection(rows), output, total, F_NOTE)
