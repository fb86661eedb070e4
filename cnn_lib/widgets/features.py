"""What a trained network sees: the feature maps of any layer, for any image (chapter 5).

- :func:`feature_maps`: run a PyTorch model on one image and keep the output of one layer;
- :func:`feature_maps_update` (the explorer's update function) and :func:`feature_maps_image`;
- :func:`feature_explorer`: pick an image and a layer with the mouse (a live kernel);
- :func:`feature_maps_animation`: the kernel-free twin, one frame per layer.
"""

import io
from dataclasses import dataclass
from numbers import Integral

import ipywidgets as w
import numpy as np

from cnn_lib.widgets.cells import RGB, font, image_animation

__all__ = [
    "FeatureExplorer",
    "FeatureMaps",
    "feature_explorer",
    "feature_maps",
    "feature_maps_animation",
    "feature_maps_image",
    "feature_maps_update",
    "layer_names",
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


def feature_maps_update(model, images, index, layer):
    """The update function of the feature explorer: the maps of ``layer`` for ``images[index]``
    (``images`` of shape (N, C, H, W))."""
    if isinstance(index, bool) or not isinstance(index, Integral) or not 0 <= index < len(images):
        raise ValueError(f"index must be an int in 0..{len(images) - 1}, got {index!r}")
    maps, prediction = feature_maps(model, images[index], layer)
    if maps.ndim == 1:  # a fully connected layer: one row of numbers
        maps = maps[None, None, :]
    kind = type(dict(model.named_modules())[layer]).__name__
    return FeatureMaps(np.asarray(images[index], dtype=float), layer, kind, maps, prediction)


def _grey(array):
    """An array scaled to 0..255 for display: 0 is black, its largest value white."""
    top = float(array.max())
    return (np.clip(array / top, 0, 1) * 255).astype(np.uint8) if top > 0 else np.zeros(
        array.shape, np.uint8)


def feature_maps_image(state, scale=None):
    """A ``PIL.Image``: the input image, then each map of the layer (up to 32), each scaled so
    that its largest value is white (signed maps: negative values black)."""
    from PIL import Image, ImageDraw

    if not isinstance(state, FeatureMaps):
        raise TypeError(f"state must be a FeatureMaps (from feature_maps_update), "
                        f"got {type(state).__name__}")
    maps = state.maps[:32]
    h, wd = maps.shape[1:]
    scale = scale or max(2, 48 // max(h, wd, 1))
    cell, gap, top, margin = (h * scale, wd * scale), 6, 34, 8
    columns = min(len(maps), 8)
    rows = -(-len(maps) // columns)
    image_side = 64
    width = 2 * margin + image_side + 3 * gap + columns * (cell[1] + gap)
    height = max(top + rows * (cell[0] + gap) + margin, top + image_side + margin)
    picture = Image.new("RGB", (width, height), RGB["background"])
    draw = ImageDraw.Draw(picture)
    text = (f"layer {state.layer} ({state.kind}): {len(state.maps)} map(s) of {h}x{wd}; "
            f"the network says {state.prediction}")
    draw.text((margin, 6), text, font=font(12), fill=RGB["text"])
    source = Image.fromarray(_grey(state.image[0])).resize((image_side, image_side),
                                                             Image.NEAREST)
    picture.paste(source.convert("RGB"), (margin, top))
    left = margin + image_side + 3 * gap
    for k, m in enumerate(maps):
        r, c = divmod(k, columns)
        tile = Image.fromarray(_grey(m)).resize((cell[1], cell[0]), Image.NEAREST)
        picture.paste(tile.convert("RGB"), (left + c * (cell[1] + gap), top + r * (cell[0] + gap)))
    return picture


def _png(picture):
    buf = io.BytesIO()
    picture.save(buf, format="png", compress_level=1)
    return buf.getvalue()


class FeatureExplorer(w.VBox):
    """Live feature explorer; build it with :func:`feature_explorer`. Attributes: ``index``
    (``IntSlider``: which image), ``layer`` (``Dropdown``), ``view`` (``Image``), ``state``."""

    def __init__(self, model, images, layers):
        super().__init__()
        self.model, self.images = model, images
        self.index = w.IntSlider(0, 0, len(images) - 1, description="image")
        self.layer = w.Dropdown(options=layers, value=layers[0], description="layer")
        self.view = w.Image(format="png")
        for control in (self.index, self.layer):
            control.observe(lambda change: self.update(), names="value")
        self.children = [w.HBox([self.index, self.layer]), self.view]
        self.update()

    def update(self):
        """Recompute :func:`feature_maps_update` and redraw; returns the state."""
        self.state = feature_maps_update(self.model, self.images, self.index.value,
                                         self.layer.value)
        self.view.value = _png(feature_maps_image(self.state))
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
    frames = [feature_maps_image(feature_maps_update(model, images, 0, layer))
              for layer in layers]
    width = max(f.size[0] for f in frames)
    height = max(f.size[1] for f in frames)
    from PIL import Image

    padded = []
    for f in frames:  # all frames the same size
        canvas = Image.new("RGB", (width, height), RGB["background"])
        canvas.paste(f, (0, 0))
        padded.append(canvas.quantize(64).convert("RGB"))
    return image_animation(padded, interval)
