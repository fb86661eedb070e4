"""The pooling chapter's explorer: shift an image and see which pooled outputs change.

- :func:`pooling_shift_update` (the plain update function): pool an image and a copy shifted
  right by a few pixels with max, average or L2 pooling, and mark the outputs that differ;
- :func:`pooling_explorer`: the same on sliders (a live kernel);
- :func:`pooling_shift_animation`: the kernel-free twin, the image sliding one pixel per frame.

:func:`shift_right` and :func:`relative_change` are also what the chapter's experiment on the
digits uses; :func:`fraction_changed` (an exact count of changed outputs) is the explorer's
and chapter 1's.
"""

from dataclasses import dataclass

import ipywidgets as w
import numpy as np

from cnn_lib import scratch
from cnn_lib.checks import check_int
from cnn_lib.widgets.cells import (
    ANIMATION_PX,
    MARGIN,
    RGB,
    Canvas,
    UnrunRepr,
    draw_cells,
    image_animation,
    image_view,
    number_size,
    outline_cell,
    panel_row,
    png_bytes,
    scaled_frames,
    wrap,
)

__all__ = [
    "POOLINGS",
    "PoolingExplorer",
    "PoolingShift",
    "fraction_changed",
    "pooling_explorer",
    "pooling_shift_animation",
    "pooling_shift_image",
    "pooling_shift_update",
    "relative_change",
    "render_pooling_shift_png",
    "shift_right",
]

POOLINGS = ("max", "average", "L2")
CHANGED = (214, 39, 40)


def shift_right(images, pixels):
    """Move the content of ``images`` (..., H, W) ``pixels`` to the right; zeros come in on the
    left and the rightmost columns fall off (a real shift, not a wrap-around)."""
    pixels = check_int(pixels, "pixels", low=0)
    images = np.asarray(images, dtype=float)
    out = np.zeros_like(images)
    out[..., pixels:] = images[..., :images.shape[-1] - pixels]
    return out


def fraction_changed(before, after, tol=1e-9):
    """The fraction of outputs that change, among the outputs that are not zero before or after.

    Outputs that are zero in both (background far from the digit) would count as "unchanged"
    and make any layer look stable, so they are left out. Returns a float in [0, 1] (0 if no
    output is active).
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        raise ValueError(f"before and after must have the same shape, got {before.shape} "
                         f"and {after.shape}")
    active = (np.abs(before) > tol) | (np.abs(after) > tol)
    if not active.any():
        return 0.0
    return float((np.abs(before - after) > tol)[active].mean())


def relative_change(before, after):
    """How much a representation changes, relative to its size, averaged over a batch.

    For each sample ``n`` (the first axis), ``||after[n] - before[n]|| / ||before[n]||`` with
    the Euclidean norm over all other axes, position by position; the mean over the samples.
    0 means unchanged; a small change of a value counts as small (no tolerance), and a map that
    only moves counts as changed (this measures invariance, not equivariance). Samples whose
    ``before`` is all zero are left out; returns 0.0 if none is left.
    """
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape or before.ndim < 1:
        raise ValueError(f"before and after must have the same shape, with a batch axis "
                         f"first, got {before.shape} and {after.shape}")
    axes = tuple(range(1, before.ndim))
    size = np.sqrt((before ** 2).sum(axis=axes))
    change = np.sqrt(((after - before) ** 2).sum(axis=axes))
    keep = size > 0
    if not keep.any():
        return 0.0
    return float((change[keep] / size[keep]).mean())


def _pool(x, kind, kernel_size, stride):
    x = x[None, None]
    if kind == "max":
        return scratch.max_pool2d(x, kernel_size, stride)[0, 0]
    if kind == "average":
        return scratch.avg_pool2d(x, kernel_size, stride)[0, 0]
    return scratch.lp_pool2d(x, 2, kernel_size, stride)[0, 0]


@dataclass
class PoolingShift:
    """What the pooling explorer shows for one setting.

    Attributes:
        kind, kernel_size, stride, shift: the setting.
        image, shifted: the input and the input shifted ``shift`` pixels to the right.
        pooled, pooled_shifted: the pooling of each.
        changed: boolean mask of the outputs that differ.
        fraction: :func:`fraction_changed` of the two pooled maps (active outputs only).
        input_fraction: the same for the input pixels themselves.
        text: one sentence for readers: the share of active input pixels that change, and
            how many of the active outputs change (count, share), out of how many outputs.
    """

    kind: str
    kernel_size: int
    stride: int
    shift: int
    image: np.ndarray
    shifted: np.ndarray
    pooled: np.ndarray
    pooled_shifted: np.ndarray
    changed: np.ndarray
    fraction: float
    input_fraction: float
    text: str


def pooling_shift_update(image, kind="max", kernel_size=2, stride=2, shift=1):
    """The update function of the pooling explorer.

    Parameters
    ----------
    image : 2-D array (H, W), e.g. a digit on a blank border
    kind : 'max', 'average' or 'L2' (``scratch.max_pool2d``, ``avg_pool2d``, ``lp_pool2d``)
    kernel_size, stride : ints >= 1; shift : int >= 0, pixels to the right

    Returns
    -------
    PoolingShift
    """
    image = np.asarray(image, dtype=float)
    if image.ndim != 2 or min(image.shape, default=0) < 1:
        raise ValueError(f"image must be a non-empty 2-D array (H, W), got shape {image.shape}")
    if not isinstance(kind, str) or kind not in POOLINGS:
        raise ValueError(f"kind must be one of {POOLINGS}, got {kind!r}")
    kernel_size = check_int(kernel_size, "kernel_size", low=1, high=min(image.shape))
    stride = check_int(stride, "stride", low=1)
    shift = check_int(shift, "shift", low=0, high=image.shape[1])
    shifted = shift_right(image, shift)
    pooled = _pool(image, kind, kernel_size, stride)
    pooled_shifted = _pool(shifted, kind, kernel_size, stride)
    changed = np.abs(pooled - pooled_shifted) > 1e-9
    fraction = fraction_changed(pooled, pooled_shifted)
    input_fraction = fraction_changed(image, shifted)
    # the outputs fraction_changed counts: not zero before or after
    active = int(((np.abs(pooled) > 1e-9) | (np.abs(pooled_shifted) > 1e-9)).sum())
    text = (f"{kind} pooling {kernel_size}x{kernel_size}, stride {stride}, shift {shift}: "
            f"{input_fraction:.0%} of the active input pixels change; "
            f"{int(changed.sum())} of the {active} active outputs change ({fraction:.0%}), "
            f"of {changed.size} outputs in all.")
    return PoolingShift(kind, kernel_size, stride, shift, image, shifted, pooled, pooled_shifted,
                        changed, fraction, input_fraction, text)


# --------------------------------------------------------------------------- drawing
def _number_format(state):
    """How the pooled cells print their values: whole numbers (max pooling of the 0..16
    digits) without decimals; anything else (averages, norms, images scaled to [0, 1]) with
    one, so that 0.8 and 0.9 do not both print as 1."""
    whole = all(np.allclose(v, np.round(v)) for v in (state.pooled, state.pooled_shifted))
    return ".0f" if whole else ".1f"


def pooling_shift_image(state, cell=None, title=True, scale=1.0):
    """A ``PIL.Image`` of ``state``: the shifted input in grey, then the pooled map of the
    original and of the shifted input, with the outputs that changed outlined in red; above
    them (``title``), ``state.text``. ``cell``: the side of a cell (default 24, less when
    the three panels would not fit the text column); ``scale``: pixels per layout unit."""
    if not isinstance(state, PoolingShift):
        raise TypeError(f"state must be a PoolingShift (from pooling_shift_update), "
                        f"got {type(state).__name__}")
    H, W = state.image.shape
    h, wd = state.pooled.shape
    if cell is None:  # the row of panels fits the text column (2 gaps, 2 margins)
        cell = int(np.clip((ANIMATION_PX - 2 * 26 - 2 * MARGIN) // (W + 2 * wd), 16, 24))
    cell = check_int(cell, "cell", low=8, high=64)
    labels = [f"input shifted by {state.shift}", "pooled: original", "pooled: shifted"]
    lefts, right = panel_row([W * cell, wd * cell, wd * cell], labels, gap=26)
    head = wrap(state.text, right - MARGIN) if title else []
    top = 8 + 18 * max(2, len(head)) + 22 if title else 22  # panels stay put in frames
    canvas = Canvas(right + MARGIN, top + max(H, h) * cell + MARGIN, scale)
    for k, line in enumerate(head):
        canvas.text((MARGIN, 6 + 18 * k), line)
    for left, label in zip(lefts, labels):
        canvas.text((left, top - 18), label)
    grey = np.clip(state.shifted / max(float(state.image.max()), 1e-12), 0, 1)
    draw_cells(canvas, (lefts[0], top), np.full((H, W), np.nan), cell,
               lambda r, c: (int(255 * (1 - grey[r, c])),) * 3, number_size(cell),
               lambda r, c: RGB["text"])
    fmt = _number_format(state)
    for left, values in zip(lefts[1:], (state.pooled, state.pooled_shifted)):
        draw_cells(canvas, (left, top), values, cell, lambda r, c: RGB["input"],
                   number_size(cell), lambda r, c: RGB["text"], fmt=fmt)
    for r, c in zip(*np.nonzero(state.changed)):
        outline_cell(canvas, (lefts[2], top), r, c, cell, color=CHANGED)
    return canvas.finish()


def render_pooling_shift_png(state):
    """PNG bytes of :func:`pooling_shift_image` (no sentence on top: the explorer's caption
    says it): the explorer's redraw path."""
    return png_bytes(pooling_shift_image(state, title=False))


def pooling_shift_animation(image, kind="max", kernel_size=2, stride=2, shifts=4,
                            interval=800):
    """The kernel-free twin: the image moves right one pixel per frame (shift 0, 1, ...,
    ``shifts``), and the pooled outputs that differ from the unshifted ones are outlined.
    Show it with ``plot.animation_html(anim)``."""
    shifts = check_int(shifts, "shifts", low=1)
    interval = check_int(interval, "interval", low=1)
    states = [pooling_shift_update(image, kind, kernel_size, stride, s)
              for s in range(shifts + 1)]
    frames = scaled_frames(lambda k, scale: pooling_shift_image(states[k], scale=scale),
                           len(states))
    return image_animation(frames, interval, colors=32)


# --------------------------------------------------------------------------- explorer
def _digit_images(border=2):
    """The first example of each digit 0..9 of scikit-learn's digits, on a blank border."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    firsts = [digits.images[np.argmax(digits.target == d)] for d in range(10)]
    return [np.pad(im, border) for im in firsts]


class PoolingExplorer(UnrunRepr, w.VBox):
    """Live pooling explorer; build it with :func:`pooling_explorer`.

    Attributes: ``kind`` (``ToggleButtons``), the sliders ``kernel_size``, ``stride``, ``shift``
    and ``digit``, ``view`` (``Image``), ``caption`` (``HTML``), ``state`` (the last
    :class:`PoolingShift`).
    """

    title = "Pooling explorer"

    def __init__(self, images):
        super().__init__()
        self.images = images
        style = {"description_width": "80px"}
        self.kind = w.ToggleButtons(options=POOLINGS, value="max", description="pooling",
                                    style=style)
        self.kernel_size = w.IntSlider(2, 1, 4, description="kernel size", style=style)
        self.stride = w.IntSlider(2, 1, 4, description="stride", style=style)
        self.shift = w.IntSlider(1, 0, 4, description="shift", style=style)
        self.digit = w.IntSlider(0, 0, len(images) - 1, description="digit", style=style)
        self.view, self.caption = image_view(), w.HTML()
        self.state = None
        for control in (self.kind, self.kernel_size, self.stride, self.shift, self.digit):
            control.observe(lambda change: self.update(), names="value")
        controls = w.VBox([self.kind, self.kernel_size, self.stride, self.shift, self.digit])
        self.children = [controls, self.view, self.caption]
        self.update()

    def update(self):
        """Recompute :func:`pooling_shift_update` from the controls and redraw."""
        self.state = pooling_shift_update(self.images[self.digit.value], self.kind.value,
                                          self.kernel_size.value, self.stride.value,
                                          self.shift.value)
        self.view.value = render_pooling_shift_png(self.state)
        self.caption.value = self.state.text
        return self.state


def pooling_explorer(images=None):
    """A live explorer: pick max, average or L2 pooling, the kernel and the stride, shift the
    input with a slider, and see which pooled outputs change (outlined in red).

    ``images``: a list of 2-D arrays (default: one digit of each class, on a blank border of 2
    pixels). Returns a :class:`PoolingExplorer`. Its static twin:
    :func:`pooling_shift_animation`.
    """
    images = _digit_images() if images is None else list(images)
    if not images:
        raise ValueError("images must hold at least one 2-D array")
    for i, im in enumerate(images):
        if np.ndim(im) != 2 or min(np.shape(im)) < 4:
            raise ValueError(f"images[{i}] must be a 2-D array of at least 4x4, "
                             f"got shape {np.shape(im)}")
    return PoolingExplorer([np.asarray(im, dtype=float) for im in images])
