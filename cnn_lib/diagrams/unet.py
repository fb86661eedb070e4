"""The chapter's U-Net (:class:`cnn_lib.models.UNet`) drawn as a U: the encoder down the
left, the bottom, the decoder up the right, the skip connections across. Every shape is
read off a forward pass of the model itself."""

import torch

from cnn_lib import models
from cnn_lib.diagrams._canvas import SKIP_COLOR, Canvas, box_height, shape_text
from cnn_lib.memory import layer_label

PARTS = ("down1", "down2", "bottom", "up2", "merge2", "up1", "merge1", "head")


def unet_shapes(model, input_shape):
    """The input and output shape (C, H, W) of every part of a :class:`cnn_lib.models.UNet`
    run on one input of shape ``input_shape``: a dict with keys 'down1', 'down1.in', ...,
    'head', 'head.in' (so 'down2.in' is the first max pooling's output and 'merge2.in' the
    concatenation). Hooks on the parts record the shapes; the model is left as it was."""
    if not isinstance(model, models.UNet):
        raise TypeError(f"model must be a cnn_lib.models.UNet, got {type(model).__name__}")
    if (not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3
            or not all(isinstance(n, int) and n > 0 for n in input_shape)):
        raise ValueError(f"input_shape must be (C, H, W) of positive ints, got {input_shape!r}")
    shapes, hooks = {}, []
    for name in PARTS:
        part = getattr(model, name)
        hooks.append(part.register_forward_pre_hook(
            lambda mod, args, name=name: shapes.__setitem__(f"{name}.in",
                                                            tuple(args[0].shape[1:]))))
        hooks.append(part.register_forward_hook(
            lambda mod, args, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:]))))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros((1, *input_shape)))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return shapes


def draw_unet(model=None, input_shape=(1, 32, 32)):
    """Draw a :class:`cnn_lib.models.UNet` (default: the chapter's,
    ``UNet(width=8, batch_norm=True)``) on an input of shape ``input_shape`` (C, H, W; H and
    W divisible by 4): down the left, two 3x3 convolutions then 2x2 max pooling, twice; the
    two convolutions at the bottom; up the right, a 2x2 transposed convolution ("up-conv") of
    stride 2, the concatenation with the encoder's maps of the same size (the skip
    connections, orange), two convolutions; twice; then the 1x1 convolution that gives the
    class scores of every pixel. Each box gives its output shape C×H×W. A model built with
    ``skip=False`` is drawn without the skips and the concatenations.

    Returns:
        matplotlib.figure.Figure
    """
    if model is None:
        model = models.UNet(width=8, batch_norm=True)
    s = unet_shapes(model, input_shape)
    has_bn = any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    double = "2 × (conv 3×3, BN, ReLU)" if has_bn else "2 × (conv 3×3, ReLU)"
    total = sum(p.numel() for p in model.parameters())

    width, w = 5.4, 2.05
    xe, xd, xm = 1.15, 4.25, 2.7
    pitch, top = 0.82, 0.55
    height = top + 8 * pitch + 0.6
    title = "U-Net: down, across, up" if model.skip else "U-Net without its skips"
    canvas = Canvas(width, height, title)

    def y(slot):
        return height - top - box_height(2) / 2 - slot * pitch

    def box(name, x, slot, lines, kind):
        return canvas.box(name, x, y(slot), w, lines, kind)

    # the encoder, top to bottom
    inp = box("input", xe, 1, ["input image", shape_text(input_shape)], "input")
    d1 = box("down1", xe, 2, [double, shape_text(s["down1"])], "conv")
    p1 = box("pool1", xe, 3.5, ["max pool 2×2, stride 2", shape_text(s["down2.in"])], "pool")
    d2 = box("down2", xe, 5, [double, shape_text(s["down2"])], "conv")
    p2 = box("pool2", xe, 6, ["max pool 2×2, stride 2", shape_text(s["bottom.in"])], "pool")
    bottom = box("bottom", xm, 7, [double, shape_text(s["bottom"])], "conv")
    for a, b in ((inp, d1), (d1, p1), (p1, d2), (d2, p2)):
        canvas.arrow(a.bottom, b.top)
    canvas.arrow(p2.bottom, (xe, bottom.y), bottom.left)
    # the decoder, bottom to top
    up2 = box("up2", xd, 6, [layer_label(model.up2), shape_text(s["up2"])], "up")
    canvas.arrow(bottom.right, (xd, bottom.y), up2.bottom)
    previous = up2
    for level, (skipped, up_name, merge_name, slots) in enumerate(
            ((d2, "up2", "merge2", (5, 4, 3)), (d1, "up1", "merge1", (2, 1, 0)))):
        if level == 1:
            up = box("up1", xd, slots[0] + 1, [layer_label(model.up1), shape_text(s["up1"])],
                     "up")
            canvas.arrow(previous.top, up.bottom)
            previous = up
        if model.skip:
            c_up, c_skip = s[up_name][0], s[f"down{2 - level}"][0]
            cat = box(f"concat{2 - level}", xd, slots[0],
                      [f"concatenate {c_up} + {c_skip}", shape_text(s[f"{merge_name}.in"])],
                      "merge")
            canvas.arrow(previous.top, cat.bottom)
            canvas.arrow(skipped.right, cat.left, color=SKIP_COLOR, width=1.6)
            canvas.note((skipped.right[0] + cat.left[0]) / 2, skipped.y + 0.14, "skip: copy",
                        va="bottom", name=f"skip{2 - level}")
            previous = cat
        merge = box(merge_name, xd, slots[1], [double, shape_text(s[merge_name])], "conv")
        canvas.arrow(previous.top, merge.bottom)
        previous = merge
    head = box("head", xd, 0, ["conv 1×1: class scores", shape_text(s["head"])], "conv")
    canvas.arrow(previous.top, head.bottom)
    canvas.note(xm, bottom.bottom[1] - 0.15, f"{total:,} parameters", va="top", name="total")
    return canvas.finish()
