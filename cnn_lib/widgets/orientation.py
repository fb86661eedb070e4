"""Orientation tuning, after Hubel and Wiesel: a model "simple cell" and bars at every angle.

A simple cell of the visual cortex fires most for a bar of light at one orientation, inside its
receptive field, and less and less as the bar turns away. The model cell here is a filter: an
elongated excitatory centre along its preferred orientation, inhibitory flanks on both sides
(:func:`oriented_filter`); its response to a stimulus is the rectified weighted sum of the
stimulus under it, a convolution and a ReLU.

- :func:`orientation_update` (the explorer's update function): the response to a bar at an angle,
  and the whole tuning curve;
- :func:`orientation_explorer`: an angle slider (a live kernel);
- :func:`orientation_animation`: the kernel-free twin, the bar turning through 180 degrees.
"""

import functools
from dataclasses import dataclass
from numbers import Real

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnn_lib import data, plot, scratch
from cnn_lib.widgets.cells import (
    UnrunRepr,
    closed_animation,
    figure_dpi,
    figure_png_bytes,
    image_view,
    wrapping_row,
)

__all__ = [
    "ANGLES",
    "OrientationExplorer",
    "OrientationState",
    "orientation_animation",
    "orientation_explorer",
    "orientation_update",
    "oriented_filter",
    "gabor_filter",
    "render_orientation_png",
    "simple_cell_response",
    "tuning_curve",
]

ANGLES = np.arange(0, 180, 5)  # the tuning curve's angles, in degrees


def _angle(value, name="angle"):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a number of degrees, got {value!r}")
    return float(value)


def oriented_filter(angle, size=9, sigma=1.2, elongation=2.5):
    """A model simple cell's receptive field, preferring bars at ``angle`` degrees.

    Across the preferred orientation it is a "Mexican hat" (the negated second derivative of a
    Gaussian of width ``sigma``): positive in a stripe along the preferred orientation, negative
    on both sides; along it, a Gaussian ``elongation`` times wider. The weights sum to 0, so an
    even field of light gives no response.

    Returns a float64 array of shape (size, size).
    """
    angle = _angle(angle)
    if isinstance(size, bool) or not isinstance(size, int) or size < 3:
        raise ValueError(f"size must be an int >= 3, got {size!r}")
    for name, value in (("sigma", sigma), ("elongation", elongation)):
        if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    along, across = data.rotated_grid(size, angle)
    field = (1 - (across / sigma) ** 2) * np.exp(-(across**2) / (2 * sigma**2)
                                                 - along**2 / (2 * (elongation * sigma) ** 2))
    return field - field.mean()


def gabor_filter(angle, size=5, wavelength=4.0, phase=0.0, sigma=None):
    """A Gabor filter: a cosine grating at ``angle`` degrees under a Gaussian envelope.

    g(x, y) = exp(-(u^2 + v^2) / (2 sigma^2)) * cos(2 pi v / wavelength + phase), where v runs
    across the preferred orientation and u along it. The classic model of a simple cell, and
    what the first layer of a network trained on natural images tends to learn. Normalised to
    zero mean and unit norm.

    Returns a float64 array of shape (size, size).
    """
    angle = _angle(angle)
    if isinstance(size, bool) or not isinstance(size, int) or size < 2:
        raise ValueError(f"size must be an int >= 2, got {size!r}")
    sigma = size / 4 if sigma is None else sigma
    for name, value in (("wavelength", wavelength), ("sigma", sigma)):
        if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    along, across = data.rotated_grid(size, angle)
    g = np.exp(-(along**2 + across**2) / (2 * sigma**2)) * np.cos(
        2 * np.pi * across / wavelength + _angle(phase, "phase"))
    g = g - g.mean()
    return g / np.linalg.norm(g)


def simple_cell_response(stimulus, field):
    """The response map of a model cell: ReLU of the 'same' cross-correlation of ``stimulus``
    (H, W) with ``field`` (k, k), computed with ``cnn_lib.scratch.conv2d``. Shape (H, W)."""
    x = np.asarray(stimulus, dtype=float)[None, None]
    k = np.asarray(field, dtype=float)[None, None]
    return np.maximum(scratch.conv2d(x, k, padding="same")[0, 0], 0.0)


def tuning_curve(preferred=0, angles=ANGLES, size=25, length=15, width=3):
    """The model cell's response at the centre of a bar through the centre, for each angle.

    Returns a float64 array like ``angles``: the orientation tuning curve, largest at
    ``preferred`` (and at ``preferred + 180``, the same orientation).
    """
    field = oriented_filter(_angle(preferred, "preferred"))
    centre = size // 2
    return np.array([simple_cell_response(data.bar(a, size, length, width), field)[centre, centre]
                     for a in np.asarray(angles, dtype=float)])


@dataclass
class OrientationState:
    """What the orientation explorer shows: the bar at ``angle``, the cell preferring
    ``preferred``, its receptive field, its response map and its response at the centre, and
    the tuning curve (``angles``, ``curve``)."""

    angle: float
    preferred: float
    stimulus: np.ndarray
    field: np.ndarray
    response_map: np.ndarray
    response: float
    angles: np.ndarray
    curve: np.ndarray


def orientation_update(angle, preferred=0):
    """The update function of the orientation explorer: see :class:`OrientationState`."""
    angle, preferred = _angle(angle), _angle(preferred, "preferred")
    stimulus = data.bar(angle)
    field = oriented_filter(preferred)
    response_map = simple_cell_response(stimulus, field)
    centre = stimulus.shape[0] // 2
    return OrientationState(angle, preferred, stimulus, field, response_map,
                            float(response_map[centre, centre]), ANGLES,
                            _tuning_curve(preferred).copy())


@functools.lru_cache(maxsize=64)
def _tuning_curve(preferred):
    """:func:`tuning_curve` at the explorer's angles, kept: moving the bar's slider does not
    change it (36 convolutions, most of a redraw's time)."""
    curve = tuning_curve(preferred)
    curve.setflags(write=False)
    return curve


# --------------------------------------------------------------------------- drawing
def _figure(new_figure=Figure):
    """Four panels as wide as the text column: titles of 9 pt are 12 px. ``new_figure``:
    ``Figure`` for the explorer, ``plt.figure`` for the animation (which pyplot must know to
    play)."""
    fig = new_figure(figsize=(7.4, 2.3), dpi=figure_dpi(7.4))
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.6]})
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.22, top=0.86, wspace=0.45)
    return fig, axes


def draw_orientation(axes, state):
    """Four panels: the stimulus, the receptive field (red excites, blue inhibits), the
    response map, and the tuning curve with the current angle marked. Axes drawn on before
    are updated in place (a slider's redraw: four times faster than drawing them again)."""
    stim, field, resp, curve = axes
    top = max(state.curve.max(), 1e-12)
    vmax = float(np.abs(state.field).max())
    panels = ((stim, state.stimulus, "gray", (0, 1), f"bar at {state.angle:g}°"),
              (field, state.field, plot.SIGNED_CMAP, (-vmax, vmax),
               f"cell preferring {state.preferred:g}°"),
              (resp, state.response_map, "magma", (0, top), f"response {state.response:.2f}"))
    drawn = len(stim.images) == len(field.images) == len(resp.images) == 1 and len(
        curve.lines) == 2
    if not drawn:
        for ax in axes:
            ax.clear()
    for ax, image, cmap, (lo, hi), title in panels:
        if drawn:
            ax.images[0].set_data(image)
            ax.images[0].set_clim(lo, hi)
        else:
            ax.imshow(image, cmap=cmap, vmin=lo, vmax=hi)
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_title(title, fontsize=9)
    if drawn:
        curve.lines[0].set_data(state.angles, state.curve)
        curve.lines[1].set_data([state.angle % 180], [state.response])
    else:
        curve.plot(state.angles, state.curve, color="0.3")
        curve.plot([state.angle % 180], [state.response], "o", color=plot.HIGHLIGHT_COLOR)
        curve.set(xlabel="bar angle (degrees)", ylabel="response",
                  xticks=[0, 45, 90, 135, 180])
        curve.set_title("tuning curve", fontsize=9)
    curve.set_ylim(0, 1.1 * top)


def render_orientation_png(state, fig_axes=None):
    """PNG bytes of :func:`draw_orientation`: the explorer's redraw path."""
    if not isinstance(state, OrientationState):
        raise TypeError(f"state must be an OrientationState (from orientation_update), "
                        f"got {type(state).__name__}")
    fig, axes = _figure() if fig_axes is None else fig_axes
    draw_orientation(axes, state)
    return figure_png_bytes(fig)


class OrientationExplorer(UnrunRepr, w.VBox):
    """Live orientation explorer; build it with :func:`orientation_explorer`.

    Attributes: ``angle`` and ``preferred`` (``IntSlider``, degrees), ``view`` (``Image``),
    ``caption`` (``HTML``), ``state`` (the last :class:`OrientationState`).
    """

    title = "Orientation-tuning explorer"

    def __init__(self, preferred=0):
        super().__init__()
        style = {"description_width": "110px"}
        self.angle = w.IntSlider(0, 0, 180, step=5, description="bar angle (°)", style=style)
        self.preferred = w.IntSlider(int(preferred), 0, 175, step=5,
                                     description="cell prefers (°)", style=style)
        self.view, self.caption = image_view(), w.HTML()
        self._fig_axes = _figure()
        for slider in (self.angle, self.preferred):
            slider.observe(lambda change: self.update(), names="value")
        self.children = [wrapping_row([self.angle, self.preferred]), self.view, self.caption]
        self.update()

    def update(self):
        """Recompute :func:`orientation_update` and redraw; returns the state."""
        self.state = orientation_update(self.angle.value, self.preferred.value)
        self.view.value = render_orientation_png(self.state, self._fig_axes)
        peak = self.state.curve.max()
        self.caption.value = (f"A bar at {self.state.angle:g}° gives {self.state.response:.2f}, "
                              f"{self.state.response / peak:.0%} of the cell's best response "
                              f"(at {self.state.preferred:g}°).")
        return self.state


def orientation_explorer(preferred=0):
    """A live explorer: turn the bar with a slider (and choose the cell's preferred
    orientation); see the response and where it falls on the tuning curve. Returns an
    :class:`OrientationExplorer`. Its static twin: :func:`orientation_animation`."""
    _angle(preferred, "preferred")
    return OrientationExplorer(preferred)


def orientation_animation(preferred=0, step=15, interval=500):
    """The kernel-free twin: the bar turns from 0 to 180 degrees, ``step`` degrees per frame.
    Show it with ``plot.animation_html(anim)``."""
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 90:
        raise ValueError(f"step must be an int in 1..90 (degrees), got {step!r}")
    fig, axes = _figure(new_figure=plt.figure)
    angles = list(range(0, 181, step))

    def draw(frame):
        draw_orientation(axes, orientation_update(angles[frame], preferred))
        return []

    return closed_animation(fig, draw, len(angles), interval, colors=256)
