"""What a trained network sees: the feature maps of any layer, for any image (chapter 5).

- :func:`feature_maps`: run a PyTorch model on one image and keep the output of one layer;
- :func:`feature_maps_update` (the explorer's update function) and :func:`feature_maps_image`;
- :func:`feature_explorer`: pick an image and a layer with the mouse (a live kernel);
- :func:`feature_maps_animation`: the kernel-free twin, one frame per layer.
"""

from dataclasses import dataclass
from numbers import Integral

import ipywidgets as w
import numpy as np

from cnn_lib.widgets.cells import (
    MARGIN,
    RGB,
    SMALL,
    Canvas,
    UnrunRepr,
    image_animation,
    image_view,
    lines_width,
    png_bytes,
    scaled_frames,
    text_width,
    wrapping_row,
)

__all__ = [
    "FeatureExplorer",
    "FeatureMaps",
    "feature_explorer",
    "feature_maps",
    "feature_maps_animation",
    "feature_maps_image",
    "feature_maps_update",
    "layer_names",
    "render_feature_maps_png",
]


def _torch():
    import torch

    return torch


def layer_names(model):
    """The names of the model's layers without children (``'0'``, ``'features.3'``, ...), in
    order: the layers whose maps can be shown."""
    if not isinstance(model, _torch().nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [name for name, m in model.named_modules() if name and next(m.children(), None) is None]


def feature_maps(model, image, layer):
    """The output of layer ``layer`` (a name from :func:`layer_names`) when ``model`` runs on
    ``image`` (an array of shape (C, H, W)). Returns a NumPy array (channels, h, w), or (n,) for
    a fully connected layer, and the model's predicted class."""
    torch = _torch()
    names = layer_names(model)
    if layer not in names:
        raise ValueError(f"layer must be one of {names}, got {layer!r}")
    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"image must have shape (C, H, W), got {x.shape}")
    module = dict(model.named_modules())[layer]
    kept = {}
    hook = module.register_forward_hook(lambda m, i, out: kept.setdefault("out", out.detach()))
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else "cpu"
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = model(torch.tensor(x[None], device=device))
    finally:
        hook.remove()
        model.train(was_training)
    return kept["out"][0].cpu().numpy(), int(scores.argmax(dim=1).item())


@dataclass
class FeatureMaps:
    """What the feature explorer shows: the image, the layer's name and type, its maps
    (channels, h, w) and the predicted class."""

    image: np.ndarray
    layer: str
    kind: str
    maps: np.ndarray
    prediction: int
    last: bool = False  # the model's last layer: its values are the class scores


def feature_maps_update(model, images, index, layer):
    """The update function of the feature explorer: the maps of ``layer`` for ``images[index]``
    (``images`` of shape (N, C, H, W))."""
    if isinstance(index, bool) or not isinstance(index, Integral) or not 0 <= index < len(images):
        raise ValueError(f"index must be an int in 0..{len(images) - 1}, got {index!r}")
    maps, prediction = feature_maps(model, images[index], layer)
    if maps.ndim == 1:  # a fully connected layer: one row of numbers
        maps = maps[None, None, :]
    kind = type(dict(model.named_modules())[layer]).__name__
    return FeatureMaps(np.asarray(images[index], dtype=float), layer, kind, maps, prediction,
                       last=layer == layer_names(model)[-1])


def _grey(array):
    """An array scaled to 0..255 for display: 0 is black, its largest value white."""
    top = float(array.max())
    return (np.clip(array / top, 0, 1) * 255).astype(np.uint8) if top > 0 else np.zeros(
        array.shape, np.uint8)


def _viridis(levels):
    """uint8 levels (any shape) as RGB through matplotlib's viridis: the feature maps' colours,
    unlike the input's grey, so that a reader never takes a map for the image."""
    from matplotlib import colormaps

    lut = (colormaps["viridis"](np.arange(256))[:, :3] * 255).astype(np.uint8)
    return lut[levels]


def _paper(image):
    """The input as ink on paper: its largest value black, 0 white (how digits are drawn)."""
    return 255 - _grey(image)


def _bars(canvas, origin, values, highlight, width):
    """A fully connected layer's values (at most 20) as labelled bars from a zero line, negative
    to the left; bar ``highlight`` (the class the network picks) in the accent colour."""
    x0, y0 = origin
    top = float(np.abs(values).max()) or 1.0
    label_w, row = 28, 17
    axis = x0 + label_w + (width - label_w) // 2
    half = (width - label_w) // 2 - 48
    for k, v in enumerate(values):
        y = y0 + k * row
        canvas.text((x0, y + 1), f"{k}", SMALL)
        length = max(abs(v) / top * half, 1)
        colour = RGB["window"] if k == highlight else RGB["frame"]
        text = f"{v:.2f}"
        if v >= 0:
            canvas.rectangle((axis, y + 2, axis + length, y + row - 3), fill=colour)
            canvas.text((axis + length + 4, y + 1), text, SMALL)
        else:
            canvas.rectangle((axis - length, y + 2, axis, y + row - 3), fill=colour)
            canvas.text((axis - length - 4 - text_width(text, SMALL), y + 1), text, SMALL)
    canvas.line((axis, y0, axis, y0 + len(values) * row), RGB["line"])
    return y0 + len(values) * row


def feature_maps_image(state, scale=None, zoom=1.0):
    """A ``PIL.Image``: the input (ink on paper), then the layer's output: each map (up to 32)
    in viridis, scaled so that its largest value is yellow; a fully connected layer's values
    (at most 20) as labelled bars, the largest highlighted, longer vectors as a grid of cells.
    ``scale``: pixels per map pixel (default: maps about 48 pixels wide); ``zoom``: pixels
    per layout unit (more for the animation's frames).
    """
    from PIL import Image

    if not isinstance(state, FeatureMaps):
        raise TypeError(f"state must be a FeatureMaps (from feature_maps_update), "
                        f"got {type(state).__name__}")
    lay = _feature_layout(state, scale)
    canvas = Canvas(lay["width"], lay["height"], zoom)
    top, image_side = lay["top"], lay["image_side"]
    canvas.text((MARGIN, 6), lay["title"])
    canvas.text((MARGIN, top - 19), "input", SMALL)
    canvas.text((lay["left"], top - 19), lay["output"], SMALL)
    canvas.paste(Image.fromarray(_paper(state.image[0])), (MARGIN, top),
                 (image_side, image_side))
    canvas.rectangle((MARGIN - 1, top - 1, MARGIN + image_side, top + image_side),
                     outline=RGB["line"])
    if lay["bars"]:
        values = state.maps[0, 0]
        _bars(canvas, (lay["left"], top), values, int(np.argmax(values)), lay["body_w"])
        return canvas.finish()
    (h, w), gap = lay["cell"], lay["gap"]
    for k, m in enumerate(lay["maps"]):
        r, c = divmod(k, lay["columns"])
        canvas.paste(Image.fromarray(_viridis(_grey(m))),
                     (lay["left"] + c * (w + gap), top + r * (h + gap)), (w, h))
    return canvas.finish()


def _feature_layout(state, scale):
    """What :func:`feature_maps_image` draws where: maps, tiles, title, size."""
    vector = state.maps.shape[:2] == (1, 1)
    values = state.maps[0, 0] if vector else None
    bars = vector and len(values) <= 20
    if vector and not bars:  # a long vector: rows of 32 cells
        maps = np.pad(values, (0, -len(values) % 32)).reshape(1, -1, 32)
    else:
        maps = state.maps[:32]
    h, wd = maps.shape[1:]
    scale = scale or max(2, 48 // max(h, wd, 1))
    if vector and not bars:
        scale = 8
    cell, gap, top, image_side = (h * scale, wd * scale), 6, 48, 64
    columns = min(len(maps), 8)
    rows = -(-len(maps) // columns)
    left = MARGIN + image_side + 4 * gap
    what = f"{len(values)} values" if vector else f"{len(state.maps)} map(s) of {h}x{wd}"
    title = f"layer {state.layer} ({state.kind}): {what}; the network says {state.prediction}"
    body_w = 320 if bars else columns * (cell[1] + gap)
    body_h = len(values) * 17 if bars else rows * (cell[0] + gap)
    output = ("the class scores (the network picks the largest)" if bars and state.last
              else "its values" if bars else "each map scaled to its own maximum"
              if not vector else "its values, 32 per row")
    return {"maps": maps, "bars": bars, "cell": cell, "gap": gap, "top": top,
            "image_side": image_side, "columns": columns, "left": left, "title": title,
            "output": output, "body_w": body_w,
            "width": max(left + body_w + MARGIN, lines_width([title])),
            "height": max(top + body_h + MARGIN, top + image_side + MARGIN)}


def render_feature_maps_png(state):
    """PNG bytes of :func:`feature_maps_image`: the explorer's redraw path."""
    return png_bytes(feature_maps_image(state))


class FeatureExplorer(UnrunRepr, w.VBox):
    """Live feature explorer; build it with :func:`feature_explorer`. Attributes: ``index``
    (``IntSlider``: which image), ``layer`` (``Dropdown``: each layer's name and type, e.g.
    "3: MaxPool2d"; its value is the name), ``view`` (``Image``), ``state``."""

    title = "Feature-map explorer"

    def __init__(self, model, images, layers):
        super().__init__()
        self.model, self.images = model, images
        self.index = w.IntSlider(0, 0, len(images) - 1, description="image")
        kinds = {name: type(m).__name__ for name, m in model.named_modules()}
        self.layer = w.Dropdown(options=[(f"{name}: {kinds[name]}", name) for name in layers],
                                value=layers[0], description="layer")
        self.view = image_view()
        for control in (self.index, self.layer):
            control.observe(lambda change: self.update(), names="value")
        self.children = [wrapping_row([self.index, self.layer]), self.view]
        self.update()

    def update(self):
        """Recompute :func:`feature_maps_update` and redraw; returns the state."""
        self.state = feature_maps_update(self.model, self.images, self.index.value,
                                         self.layer.value)
        self.view.value = render_feature_maps_png(self.state)
        return self.state


def feature_explorer(model, images, layers=None):
    """A live explorer: pick an image (slider) and a layer (menu) of a trained PyTorch model and
    see the layer's feature maps. ``images``: array (N, C, H, W); ``layers``: names from
    :func:`layer_names` (default: all). Its static twin: :func:`feature_maps_animation`."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"images must have shape (N, C, H, W) with N >= 1, got {images.shape}")
    names = layer_names(model)
    layers = names if layers is None else list(layers)
    for layer in layers:
        if layer not in names:
            raise ValueError(f"layers must be names from layer_names(model) {names}, "
                             f"got {layer!r}")
    return FeatureExplorer(model, images, layers)


def feature_maps_animation(model, image, layers=None, interval=1200):
    """The kernel-free twin: one frame per layer, the same image going up the network. Show it
    with ``plot.animation_html(anim)``."""
    layers = layer_names(model) if layers is None else list(layers)
    images = np.asarray(image, dtype=np.float32)[None]
    states = [feature_maps_update(model, images, 0, layer) for layer in layers]
    frames = scaled_frames(lambda k, zoom: feature_maps_image(states[k], zoom=zoom),
                           len(states))
    return image_animation(frames, interval, colors=64)
