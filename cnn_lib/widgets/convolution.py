"""Explorers for the convolution chapter: a filter explorer and a sliding-window stepper.

Each explorer comes in three parts:

- a plain update function that computes what the widget shows (the tests call it directly):
  :func:`filter_explorer_update`, :func:`stepper_state`;
- an ipywidgets front end for a live kernel: :func:`filter_explorer`,
  :func:`sliding_window_stepper`;
- a twin that works in the static HTML book with no kernel: :func:`filter_gallery` (a figure)
  and :func:`cnn_lib.plot.sliding_window_animation` (a JavaScript animation).

Section 8's animation of many channels and many filters, :func:`multichannel_animation`, is
drawn from :func:`multichannel_step` (the numbers of one frame, which the tests check against
``F.conv2d``) by :func:`multichannel_image`.
"""

from collections import OrderedDict
from dataclasses import dataclass
from numbers import Integral, Real

import ipywidgets as w
import numpy as np

from cnn_lib import plot
from cnn_lib.checks import check_int
from cnn_lib.widgets.cells import (
    BIG,
    MARGIN,
    RGB,
    Canvas,
    UnrunRepr,
    draw_cells,
    figure_png_bytes,
    image_animation,
    image_view,
    lines_width,
    outline_cell,
    panel_row,
    png_bytes,
    scaled_frames,
    text_width,
    wrapping_row,
)

__all__ = [
    "KERNELS",
    "MC_BIAS",
    "MC_WEIGHT",
    "MC_X",
    "FilterExplorer",
    "MultiChannelStep",
    "SlidingWindowStepper",
    "StepperState",
    "TOY_K",
    "TOY_X",
    "default_images",
    "filter_explorer",
    "filter_explorer_update",
    "filter_gallery",
    "kernel_is_signed",
    "multichannel_animation",
    "multichannel_image",
    "multichannel_step",
    "render_filter_png",
    "render_stepper_png",
    "sliding_window_stepper",
    "stepper_state",
]

# name -> (3x3 integer kernel, divisor): the kernel applied is kernel / divisor
KERNELS = OrderedDict([
    ("identity", (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), 1)),
    ("edge (diagonal)", (np.array([[1, 0, -1], [0, 0, 0], [-1, 0, 1]]), 1)),
    ("edge (Laplacian)", (np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]), 1)),
    ("edge (all directions)", (np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]), 1)),
    ("sharpen", (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), 1)),
    ("box blur", (np.ones((3, 3), dtype=int), 9)),
    ("Gaussian blur", (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]), 16)),
    ("vertical edge", (np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]), 1)),
    ("horizontal edge", (np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]]), 1)),
    ("custom sharpen / 9", (np.array([[0, -3, 0], [-3, 21, -3], [0, -3, 0]]), 9)),
])
for _k, _ in KERNELS.values():
    _k.setflags(write=False)

# the toy example of the CU Boulder deck: the valid correlation is [[4,3,4],[2,4,3],[2,3,4]]
TOY_X = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                  [0, 1, 1, 0, 0]])
TOY_K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
TOY_X.setflags(write=False)
TOY_K.setflags(write=False)

_BOX_LIMIT = 99  # the 3x3 boxes of the filter explorer accept -99..99
# The filter explorer's menu entry for typed weights that match no kernel of the gallery.
YOUR_KERNEL = "your kernel"


# --------------------------------------------------------------------------- images
def default_images(size=128):
    """The explorer's images: the Grace Hopper photo and three synthetic shapes, ``size`` square.

    Returns an ordered dict name -> 2-D float array in [0, 1].
    """
    size = check_int(size, "size", low=8)
    from cnn_lib import data

    images = OrderedDict()
    images["photo (Grace Hopper)"] = data.load_photo(size=size)
    for name in ("checkerboard", "circle", "square"):
        images[name] = data.load_image(name, size=size)
    return images


# --------------------------------------------------------------------------- filter explorer
def _check_kernel(kernel, divisor):
    K = plot.as_real_array(kernel, "kernel", ndim=2)
    if K.shape[0] % 2 == 0 or K.shape[1] % 2 == 0:
        raise ValueError(f"kernel must have odd height and width (so it has a centre pixel), "
                         f"got shape {K.shape}")
    if not np.all(np.isfinite(K)):
        raise ValueError("kernel must hold finite numbers, got NaN or inf")
    if isinstance(divisor, bool) or not isinstance(divisor, Real):
        raise TypeError(f"divisor must be a number, got {type(divisor).__name__} {divisor!r}")
    if divisor == 0 or not np.isfinite(divisor):
        raise ValueError(f"divisor must be a finite non-zero number (the kernel is divided by "
                         f"it), got {divisor!r}")
    return K / float(divisor)


def _check_strength(strength):
    if isinstance(strength, bool) or not isinstance(strength, Real):
        raise TypeError(f"strength must be a number, got {type(strength).__name__} {strength!r}")
    if not np.isfinite(strength):
        raise ValueError(f"strength must be a finite number, got {strength!r}")
    return float(strength)


def filter_explorer_update(image, kernel, divisor=1, strength=1.0):
    """Filter ``image`` with ``kernel / divisor``: 'same'-size cross-correlation, zero padding.

    Computed with ``cnn_lib.scratch.conv2d(..., padding='same')``, i.e. what
    ``torch.nn.functional.conv2d`` does. ``strength`` blends the image with its filtered
    version: ``(1 - strength) * image + strength * filtered``. Correlation is linear, so this
    is the same as filtering with the blended kernel ``(1 - strength) * identity + strength *
    kernel / divisor``: 0 gives the image back, 1 the plain filter, 2 doubles the change the
    kernel makes (sharpen twice as hard, for instance).

    Parameters
    ----------
    image : array-like, shape (H, W)
    kernel : array-like, shape (kh, kw), kh and kw odd
    divisor : non-zero number
    strength : finite number, default 1.0

    Returns
    -------
    ndarray, shape (H, W), float64
    """
    from cnn_lib import scratch

    X = plot.as_real_array(image, "image", ndim=2)
    if not np.all(np.isfinite(X)):
        raise ValueError("image must hold finite numbers, got NaN or inf")
    K = _check_kernel(kernel, divisor)
    strength = _check_strength(strength)
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"kernel (shape {K.shape}) must not be larger than image "
                         f"(shape {X.shape})")
    filtered = scratch.conv2d(X[None, None], K[None, None], padding="same")[0, 0]
    if strength == 1.0:
        return filtered
    return (1.0 - strength) * X + strength * filtered


def kernel_is_signed(kernel, divisor=1, strength=1.0):
    """True if the filtered image is best shown signed (RdBu_r centred at 0), not as an image.

    That is when the weights of the kernel applied, ``(1 - strength) * identity + strength *
    kernel / divisor``, sum to 0 or less (edge detectors at full strength: a flat region gives
    0, edges give positive and negative values). A kernel whose weights sum to a positive
    number (identity, blurs, sharpen, or an edge detector blended with the image) keeps the
    image's brightness (times the sum): grey in [0, 1].
    """
    strength = _check_strength(strength)
    total = np.sum(np.asarray(kernel, dtype=float)) / float(divisor)
    return bool((1.0 - strength) + strength * total <= 1e-12)


def _robust_limit(A):
    """The colour limit for signed results: the 99.5th percentile of |A| (or max |A| if 0).

    Zero padding makes strong edges along the image border; with the plain maximum they
    would wash out every other edge.
    """
    limit = float(np.percentile(np.abs(A), 99.5))
    return limit if limit > 0 else float(np.abs(A).max()) or 1.0


def _rgba_bytes(A, signed):
    """Colour-map a 2-D array to uint8 RGBA: grey in [0, 1] (clipped), or RdBu_r centred at 0."""
    import matplotlib

    if signed:
        vmax = _robust_limit(A)
        A = np.clip(A, -vmax, vmax)
        return matplotlib.colormaps[plot.SIGNED_CMAP]((A / vmax + 1) / 2, bytes=True)
    grey = (np.clip(A, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def render_filter_png(A, signed=None, scale=2):
    """PNG bytes of a 2-D array, each pixel drawn as a ``scale`` x ``scale`` block.

    Unsigned values are shown in grey on the fixed range [0, 1] (values outside are clipped,
    so a blur keeps its brightness); signed values (any < 0, or ``signed=True``) in RdBu_r
    centred at zero, saturating at the 99.5th percentile of ``|A|``. This is the redraw path of
    :func:`filter_explorer`.
    """
    from PIL import Image

    A = plot.as_real_array(A, "A", ndim=2)
    scale = check_int(scale, "scale", low=1)
    signed = bool(A.min() < 0) if signed is None else bool(signed)
    rgba = _rgba_bytes(A, signed)
    if scale > 1:
        rgba = np.repeat(np.repeat(rgba, scale, axis=0), scale, axis=1)
    return png_bytes(Image.fromarray(rgba, mode="RGBA"))  # no text: stamped "none"


def _range_text(A, signed):
    lo, hi = float(np.min(A)), float(np.max(A))
    if signed:
        return (f"output range {lo:.2f} … {hi:.2f}; colours: blue negative, white 0, "
                f"red positive (RdBu_r, saturating at ±{_robust_limit(A):.2f})")
    return f"output range {lo:.2f} … {hi:.2f}; grey from 0 (black) to 1 (white), clipped"


class FilterExplorer(UnrunRepr, w.VBox):
    """Live filter explorer (an ``ipywidgets.VBox``); build it with :func:`filter_explorer`.

    Attributes the tests and notebooks use: ``image_dropdown``, ``kernel_dropdown``,
    ``boxes`` (3x3 list of ``BoundedIntText``), ``divisor_box``, ``strength_slider``
    (``FloatSlider``, 0 to 2: how much of the filter to apply, see
    :func:`filter_explorer_update`), ``input_view`` and ``output_view``
    (``ipywidgets.Image``), ``message`` (``HTML``), ``result`` (the last filtered array).
    """

    title = "Filter explorer"

    def __init__(self, images):
        super().__init__()
        self.images = images
        self.result = None
        self._filling = False
        self.image_dropdown = w.Dropdown(options=list(images), description="image")
        self.kernel_dropdown = w.Dropdown(options=list(KERNELS) + [YOUR_KERNEL],
                                          value="edge (Laplacian)", description="kernel")
        box_layout = w.Layout(width="64px")
        self.boxes = [[w.BoundedIntText(value=0, min=-_BOX_LIMIT, max=_BOX_LIMIT,
                                        layout=box_layout) for _ in range(3)] for _ in range(3)]
        self.divisor_box = w.BoundedIntText(value=1, min=-_BOX_LIMIT, max=_BOX_LIMIT,
                                            description="÷", layout=w.Layout(width="110px"),
                                            style={"description_width": "initial"})
        self.strength_slider = w.FloatSlider(value=1.0, min=0.0, max=2.0, step=0.1,
                                             description="strength", readout_format=".1f",
                                             layout=w.Layout(width="250px"),
                                             style={"description_width": "60px"})
        self.input_view, self.output_view = image_view(), image_view()
        self.message = w.HTML()

        self.image_dropdown.observe(self._on_change, names="value")
        self.kernel_dropdown.observe(self._on_kernel, names="value")
        for box in (b for row in self.boxes for b in row):
            box.observe(self._on_change, names="value")
        self.divisor_box.observe(self._on_change, names="value")
        self.strength_slider.observe(self._on_change, names="value")

        grid = w.GridBox([b for row in self.boxes for b in row],
                         layout=w.Layout(grid_template_columns="repeat(3, 70px)"))
        controls = w.VBox([self.image_dropdown, self.kernel_dropdown, w.HTML("kernel values:"),
                           grid, self.divisor_box, self.strength_slider])
        views = w.HBox([w.VBox([w.HTML("<b>input</b>"), self.input_view]),
                        w.VBox([w.HTML("<b>output</b>"), self.output_view])])
        self.children = [wrapping_row([controls, views]), self.message]
        self._fill_boxes(self.kernel_dropdown.value)
        self.update()

    def kernel(self):
        """The kernel (3x3 int array) and divisor currently in the boxes."""
        K = np.array([[b.value for b in row] for row in self.boxes], dtype=int)
        return K, self.divisor_box.value

    def _fill_boxes(self, name):
        K, divisor = KERNELS[name]
        self._filling = True
        try:
            for row, krow in zip(self.boxes, K):
                for box, v in zip(row, krow):
                    box.value = int(v)
            self.divisor_box.value = int(divisor)
        finally:
            self._filling = False

    def _on_kernel(self, change):
        if self._filling:
            return
        if change["new"] != YOUR_KERNEL:
            self._fill_boxes(change["new"])
        self.update()

    def _name_of(self, K, divisor):
        """The gallery's name for this kernel and divisor, or YOUR_KERNEL."""
        return next((name for name, (k, d) in KERNELS.items()
                     if np.array_equal(K, k) and divisor == d), YOUR_KERNEL)

    def _on_change(self, change):
        if not self._filling:
            self.update()

    def update(self):
        """Recompute the filtered image and redraw both views; returns the result (or None)."""
        image = self.images[self.image_dropdown.value]
        K, divisor = self.kernel()
        strength = self.strength_slider.value
        try:
            self.result = filter_explorer_update(image, K, divisor, strength)
        except (ValueError, TypeError) as err:
            self.message.value = f"<span style='color:#b00'>{err}</span>"
            return None
        self.input_view.value = render_filter_png(image, signed=False)
        signed = kernel_is_signed(K, divisor, strength)
        self.output_view.value = render_filter_png(self.result, signed=signed)
        label = self._name_of(K, divisor)
        if self.kernel_dropdown.value != label:  # typed weights: the menu says whose they are
            self._filling = True
            try:
                self.kernel_dropdown.value = label
            finally:
                self._filling = False
        if not np.isclose(strength, 1.0):
            label += (f" at strength {strength:.1f} "
                      f"({1 - strength:.1f} × image + {strength:.1f} × filtered)")
        self.message.value = f"{label}: {_range_text(self.result, signed)}"
        return self.result


def filter_explorer(images=None):
    """A live filter explorer: pick an image and a kernel, edit the 3x3 values and divisor,
    and slide the strength from 0 (the image) through 1 (the filter) to 2 (twice the change).

    Any change recomputes :func:`filter_explorer_update` and redraws at once. ``images`` is a
    dict name -> 2-D array (default: :func:`default_images`). Returns a
    :class:`FilterExplorer` (an ``ipywidgets.VBox``).
    Its static twin for the HTML book is :func:`filter_gallery`.
    """
    if images is None:
        images = default_images()
    if not isinstance(images, dict) or not images:
        raise TypeError(f"images must be a non-empty dict name -> 2-D array, "
                        f"got {type(images).__name__}")
    checked = OrderedDict()
    for name, im in images.items():
        A = plot.as_real_array(im, f"images[{name!r}]", ndim=2)
        if min(A.shape) < 3:
            raise ValueError(f"images[{name!r}] must be at least 3x3, got shape {A.shape}")
        checked[str(name)] = A
    return FilterExplorer(checked)


def filter_gallery(image=None, kernels=None, ncols=4):
    """The static twin of the filter explorer: ``image`` under every gallery kernel.

    Parameters
    ----------
    image : 2-D array, optional
        Default: the Grace Hopper photo at 128 x 128.
    kernels : list of names from ``KERNELS``, optional (default: all of them)
    ncols : int

    Returns
    -------
    matplotlib.figure.Figure
        The input first, then one panel per kernel titled with its name; results of kernels
        whose weights sum to 0 (edge detectors) in RdBu_r centred at 0 (clipped at the 99.5th
        percentile of their magnitude, as zero padding makes strong edges along the border),
        the others in grey, clipped to [0, 1] (see :func:`kernel_is_signed`).
    """
    if image is None:
        image = default_images()["photo (Grace Hopper)"]
    X = plot.as_real_array(image, "image", ndim=2)
    names = list(KERNELS) if kernels is None else list(kernels)
    for name in names:
        if name not in KERNELS:
            raise ValueError(f"kernels must name gallery kernels {list(KERNELS)}, got {name!r}")
    panels, titles = [X], ["input"]
    for name in names:
        K, divisor = KERNELS[name]
        out = filter_explorer_update(X, K, divisor)
        if kernel_is_signed(K, divisor):
            limit = _robust_limit(out)
            panels.append(np.clip(out, -limit, limit))
        else:
            panels.append(np.clip(out, 0.0, 1.0))
        titles.append(name)
    return plot.show_images(panels, titles=titles, ncols=ncols, size=1.9,
                            suptitle="One image under each kernel of the gallery")


# --------------------------------------------------------------------------- stepper
@dataclass
class StepperState:
    """What the sliding-window stepper shows at one position.

    row, col: top-left corner of the window in X; window: the (kh, kw) patch of X under the
    kernel; products: window * K element-wise; total: their sum (the output value);
    output_so_far: output-shaped array, NaN where not computed yet; position, n_positions:
    this step (0-based, reading order) and the number of steps; output_index: (i, j) in the
    output.
    """

    position: int
    n_positions: int
    row: int
    col: int
    output_index: tuple
    window: np.ndarray
    products: np.ndarray
    total: float
    output_so_far: np.ndarray


def _check_xk(X, K):
    X = plot.as_real_array(X, "X", ndim=2)
    K = plot.as_real_array(K, "K", ndim=2)
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K (shape {K.shape}) must fit inside X (shape {X.shape})")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(K))):
        raise ValueError("X and K must hold finite numbers (no NaN or inf)")
    return X, K


def stepper_state(X, K, position):
    """The state of a 'valid' cross-correlation of X with K after ``position + 1`` steps.

    Windows are visited in reading order (stride 1): position p has its top-left corner at
    ``divmod(p, W - kw + 1)``. Returns a :class:`StepperState`.
    """
    X, K = _check_xk(X, K)
    kh, kw = K.shape
    out_h, out_w = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    n = out_h * out_w
    if isinstance(position, bool) or not isinstance(position, Integral):
        raise TypeError(f"position must be an int, got {type(position).__name__} {position!r}")
    if not 0 <= position < n:
        raise ValueError(f"position must be in 0..{n - 1} (a {out_h}x{out_w} output has {n} "
                         f"positions), got {position}")
    position = int(position)
    out = np.full((out_h, out_w), np.nan)
    for p in range(position + 1):
        i, j = divmod(p, out_w)
        out[i, j] = float((X[i:i + kh, j:j + kw] * K).sum())
    r, c = divmod(position, out_w)
    window = X[r:r + kh, c:c + kw].copy()
    products = window * K
    return StepperState(position=position, n_positions=n, row=r, col=c, output_index=(r, c),
                        window=window, products=products, total=float(products.sum()),
                        output_so_far=out)


def _stepper_figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 2.4), dpi=100)  # 720 px: the products' 8 pt are 11 px
    axes = fig.subplots(1, 3)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.85, wspace=0.25)
    return fig, axes


def render_stepper_png(X, K, state, fig_axes=None):
    """PNG bytes of the stepper's three panels for ``state``: the widget's redraw path.

    ``fig_axes`` = (Figure, 3 Axes) to reuse between calls (faster); a new figure if None.
    """
    X, K = _check_xk(X, K)
    fig, axes = _stepper_figure() if fig_axes is None else fig_axes
    plot.draw_step(axes, X, K, state.row, state.col, state.output_so_far, state.output_index)
    return figure_png_bytes(fig)


def _sum_text(state):
    fp = plot.formatter(state.products, None)
    i, j = state.output_index
    terms = " + ".join(f"({fp(p)})" if p < 0 else fp(p) for p in state.products.flat)
    return (f"step {state.position + 1} of {state.n_positions}: output[{i}, {j}] = "
            f"sum of window × K = {terms} = <b>{fp(state.total)}</b>")


class SlidingWindowStepper(UnrunRepr, w.VBox):
    """Live sliding-window stepper (an ``ipywidgets.VBox``); build it with
    :func:`sliding_window_stepper`.

    Attributes: ``slider`` (``IntSlider``, the step 1..n, as the caption counts them),
    ``play`` (``Play``, linked to the slider),
    ``view`` (``ipywidgets.Image``), ``caption`` (``HTML``), ``state`` (the last
    :class:`StepperState`).
    """

    title = "Sliding-window stepper"

    def __init__(self, X, K):
        super().__init__()
        self.X, self.K = X, K
        n = (X.shape[0] - K.shape[0] + 1) * (X.shape[1] - K.shape[1] + 1)
        self.slider = w.IntSlider(value=1, min=1, max=n, description="step",
                                  continuous_update=True)
        self.play = w.Play(value=1, min=1, max=n, interval=800, description="play")
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.view = image_view()
        self.caption = w.HTML()
        self._fig_axes = _stepper_figure()
        self.slider.observe(lambda change: self.update(change["new"] - 1), names="value")
        self.children = [w.HBox([self.play, self.slider]), self.view, self.caption]
        self.update(0)

    def update(self, position):
        """Compute :func:`stepper_state` at ``position`` and redraw; returns the state."""
        self.state = stepper_state(self.X, self.K, position)
        self.view.value = render_stepper_png(self.X, self.K, self.state, self._fig_axes)
        self.caption.value = _sum_text(self.state)
        return self.state


def sliding_window_stepper(X=None, K=None):
    """A live stepper: move the slider (or press play) to slide K over X one position at a time.

    Shows the input with the window outlined, the element-wise products, their sum and the
    output filled so far. Default X, K: the 5x5 toy example (``TOY_X``, ``TOY_K``), whose
    output is [[4, 3, 4], [2, 4, 3], [2, 3, 4]]. Returns a :class:`SlidingWindowStepper`.
    Its static twin: ``plot.animation_html(plot.sliding_window_animation(X, K))``.
    """
    X = TOY_X if X is None else X
    K = TOY_K if K is None else K
    X, K = _check_xk(X, K)
    return SlidingWindowStepper(X, K)


# --------------------------------------------------------------------------- many channels
# Section 8's drawn example: a 3-channel 4x4 input, filter 0 is the 3x2x2 filter of the
# figure (bias 1, map [[8, 5, 3], [5, 6, 9], [7, 6, 6]]); filter 1 is a second one (bias -1).
MC_X = np.array([[[1, 0, 2, 1], [0, 1, 1, 0], [2, 1, 0, 1], [1, 0, 1, 2]],
                 [[0, 2, 1, 0], [1, 1, 0, 2], [0, 1, 2, 1], [2, 0, 1, 1]],
                 [[1, 1, 0, 0], [0, 2, 1, 1], [1, 0, 1, 0], [0, 1, 2, 2]]])
MC_WEIGHT = np.array([[[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[1, 1], [0, 0]]],
                      [[[0, 1], [1, 1]], [[1, 0], [0, 0]], [[0, 0], [1, 1]]]])
MC_BIAS = np.array([1, -1])
for _a in (MC_X, MC_WEIGHT, MC_BIAS):
    _a.setflags(write=False)

_MC_LIMITS = {"channels": 4, "filters": 4, "size": 8}  # what fits a phone-width frame


@dataclass
class MultiChannelStep:
    """One step of a convolution with C input channels and K filters (valid, stride 1).

    filter: k, the filter at work; position, n_positions: the window's place in reading order
    (0-based) and the number of places, H_out * W_out; row, col: its top-left corner;
    windows: (C, kh, kw), the window on every input channel; products: (C, kh, kw),
    windows * weight[k]; channel_sums: (C,), one sum per channel; bias: b[k]; total:
    channel_sums.sum() + bias, the output value Y[k, row, col]; output_so_far:
    (K, H_out, W_out), NaN where not computed yet (maps of earlier filters are complete).
    """

    filter: int
    n_filters: int
    position: int
    n_positions: int
    row: int
    col: int
    windows: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    bias: float
    total: float
    output_so_far: np.ndarray


def _check_multichannel(X, weight, bias):
    X = plot.as_real_array(X, "X", ndim=3)
    weight = plot.as_real_array(weight, "weight", ndim=4)
    K, C, kh, kw = weight.shape
    if X.shape[0] != C:
        raise ValueError(f"weight has {C} input channel(s) (shape {weight.shape}, "
                         f"(K, C, kh, kw)) but X has {X.shape[0]} (shape {X.shape}, (C, H, W))")
    if kh > X.shape[1] or kw > X.shape[2]:
        raise ValueError(f"the kernel ({kh}x{kw}) must fit inside X ({X.shape[1]}x"
                         f"{X.shape[2]})")
    if bias is None:
        bias = np.zeros(K)
    bias = plot.as_real_array(bias, "bias", ndim=1)
    if bias.shape != (K,):
        raise ValueError(f"bias must have one value per filter, shape ({K},), got {bias.shape}")
    for name, a in (("X", X), ("weight", weight), ("bias", bias)):
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must hold finite numbers (no NaN or inf)")
    return X, weight, bias


def multichannel_step(X, weight, bias=None, k=0, position=0):
    """The state of ``F.conv2d(X, weight, bias)`` (valid, stride 1) at one window position.

    Parameters
    ----------
    X : array-like, shape (C, H, W)
    weight : array-like, shape (K, C, kh, kw): K filters, each spanning all C channels
    bias : array-like, shape (K,), or None (zeros)
    k : int in 0..K-1, the filter at work
    position : int in 0..H_out*W_out - 1, the window's place in reading order

    Returns
    -------
    MultiChannelStep
        ``total`` is ``scratch.conv2d(X, weight, bias)[k, row, col]``: the C channel sums
        plus the bias.
    """
    X, weight, bias = _check_multichannel(X, weight, bias)
    K, C, kh, kw = weight.shape
    out_h, out_w = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    n = out_h * out_w
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise TypeError(f"k must be an int (the filter), got {type(k).__name__} {k!r}")
    if not 0 <= k < K:
        raise ValueError(f"k must be in 0..{K - 1} (weight holds {K} filters), got {k}")
    if isinstance(position, bool) or not isinstance(position, Integral):
        raise TypeError(f"position must be an int, got {type(position).__name__} {position!r}")
    if not 0 <= position < n:
        raise ValueError(f"position must be in 0..{n - 1} (a {out_h}x{out_w} map has {n} "
                         f"positions), got {position}")
    k, position = int(k), int(position)
    out = np.full((K, out_h, out_w), np.nan)
    for f in range(k + 1):  # filters before k are complete, filter k up to this position
        for p in range(n if f < k else position + 1):
            i, j = divmod(p, out_w)
            out[f, i, j] = float((X[:, i:i + kh, j:j + kw] * weight[f]).sum() + bias[f])
    r, c = divmod(position, out_w)
    windows = X[:, r:r + kh, c:c + kw].copy()
    products = windows * weight[k]
    sums = products.sum(axis=(1, 2))
    return MultiChannelStep(filter=k, n_filters=K, position=position, n_positions=n, row=r,
                            col=c, windows=windows, products=products, channel_sums=sums,
                            bias=float(bias[k]), total=float(sums.sum() + bias[k]),
                            output_so_far=out)


def _number(v, whole):
    text = f"{v:.0f}" if whole else f"{v:.1f}"
    return "0" if text in ("-0", "-0.0") else text


def multichannel_image(X, weight, state, bias=None, cell=28, scale=1.0):
    """A ``PIL.Image`` of ``state`` (from :func:`multichannel_step`), about 500 px wide for
    3 channels of 4x4 and 2x2 kernels, with 14-pixel text (``scale``: pixels per unit).

    One row per input channel c: the channel with the window outlined, the slice
    ``weight[k, c]``, their element-wise products and the products' sum. On the right the K
    output maps (done cells green, the current one orange, NaN blank); under it all, the sum
    of the channel sums plus the bias, the number written into the map.
    """
    X, weight, bias = _check_multichannel(X, weight, bias)
    if not isinstance(state, MultiChannelStep):
        raise TypeError(f"state must be a MultiChannelStep (from multichannel_step), "
                        f"got {type(state).__name__}")
    K, C, kh, kw = weight.shape
    if (C > _MC_LIMITS["channels"] or K > _MC_LIMITS["filters"]
            or max(X.shape[1:]) > _MC_LIMITS["size"]):
        raise ValueError(f"the picture fits at most {_MC_LIMITS['channels']} channels, "
                         f"{_MC_LIMITS['filters']} filters and an "
                         f"{_MC_LIMITS['size']}x{_MC_LIMITS['size']} input; got X "
                         f"{X.shape} and weight {weight.shape}")
    cell = check_int(cell, "cell", low=16)
    whole = all(float(v).is_integer() for v in (*X.flat, *weight.flat, *bias.flat))
    lay = _mc_layout(X, weight, state, cell, whole)
    canvas = Canvas(lay["width"], lay["height"], scale)
    s, k, b = state, state.filter, _number(state.bias, whole)
    canvas.text((MARGIN, 6), f"filter k = {k} of K = {K}: {C}x{kh}x{kw} weights, bias "
                f"b[{k}] = {b}", _MC_TEXT)
    canvas.text((MARGIN, 26), f"window at row {s.row}, column {s.col} of all {C} channels "
                f"→ Y[{k}, {s.row}, {s.col}]", _MC_TEXT)
    _draw_channel_rows(canvas, X, weight, s, cell, whole, lay)
    _draw_output_maps(canvas, s, cell, whole, lay)
    for y, line in zip((4, 24), lay["footer"]):
        canvas.text((MARGIN, lay["top"] + lay["body_h"] + y), line, _MC_TEXT)
    return canvas.finish()


_MC_TEXT = 14  # the multichannel picture's text size (pixels at scale 1)
_MC_LABEL_H, _MC_GAP, _MC_ROW_GAP = 20, 28, 12


def _mc_layout(X, weight, s, cell, whole):
    """Where the columns of :func:`multichannel_image` go, its size and its two last lines."""
    K, C, kh, kw = weight.shape
    H, W = X.shape[1:]
    out_h, out_w = s.output_so_far.shape[1:]
    sums = [f"Σ = {_number(v, whole)}" for v in s.channel_sums]
    (x_in, x_w, x_p), right = panel_row([W * cell, kw * cell, kw * cell], gap=_MC_GAP)
    x_sum = right + 8
    x_out = x_sum + max(text_width(t, _MC_TEXT) for t in sums) + 2 * _MC_GAP
    out_labels = [f"map {f}: Y[{f}]" for f in range(K)]
    _, right = panel_row([out_w * cell], [max(out_labels, key=len)], _MC_TEXT, left=x_out)
    terms = " + ".join(_number(v, whole) if v >= 0 else f"({_number(v, whole)})"
                       for v in s.channel_sums)
    b = _number(s.bias, whole)
    footer = [f"Y[{s.filter}, {s.row}, {s.col}] = {terms} + b[{s.filter}] "
              f"= {_number(s.total - s.bias, whole)} + {b if s.bias >= 0 else f'({b})'}"
              f" = {_number(s.total, whole)}",
              f"the K = {K} maps, stacked, are the output Y of shape ({K}, {out_h}, {out_w})"]
    row_h = _MC_LABEL_H + max(H, kh) * cell + _MC_ROW_GAP
    map_h = _MC_LABEL_H + out_h * cell + _MC_ROW_GAP
    body_h = max(C * row_h, K * map_h)
    top = 8 + 2 * 20  # two lines of title
    return {"x": (x_in, x_w, x_p, x_sum, x_out), "sums": sums, "out_labels": out_labels,
            "row_h": row_h, "map_h": map_h, "top": top, "body_h": body_h, "footer": footer,
            "width": max(right + MARGIN, lines_width(footer, _MC_TEXT)),
            "height": top + body_h + 48}


def _draw_channel_rows(canvas, X, weight, s, cell, whole, lay):
    """One row per channel: X[c] with the window, w[k, c], the products and their sum."""
    x_in, x_w, x_p, x_sum, _ = lay["x"]
    kh, kw = weight.shape[2:]
    fmt, numbers = (".0f" if whole else ".1f"), int(cell * 0.5)
    black = lambda r, c: RGB["text"]  # noqa: E731
    for c in range(X.shape[0]):
        y = lay["top"] + c * lay["row_h"]
        for x, label in ((x_in, f"X, channel {c}"), (x_w, f"w[{s.filter},{c}]"),
                         (x_p, "products")):
            canvas.text((x, y), label, _MC_TEXT)
        y += _MC_LABEL_H
        for x, values, colour in ((x_in, X[c], "input"), (x_w, weight[s.filter, c], "padding"),
                                  (x_p, s.products[c], "tap")):
            draw_cells(canvas, (x, y), values, cell, lambda r, cc, f=RGB[colour]: f, numbers,
                       black, fmt)
        outline_cell(canvas, (x_in, y), s.row, s.col, cell, kh, kw)
        middle = y + kh * cell / 2
        canvas.text((x_w - _MC_GAP / 2, middle), "×", BIG, anchor="mm")
        canvas.text((x_p - _MC_GAP / 2, middle), "=", BIG, anchor="mm")
        canvas.text((x_sum, middle), lay["sums"][c], _MC_TEXT, anchor="lm")


def _draw_output_maps(canvas, s, cell, whole, lay):
    """The K output maps: done cells green, the current one orange, an arrow pointing at it."""
    x_out = lay["x"][4]
    fmt, numbers = (".0f" if whole else ".1f"), int(cell * 0.5)
    for f in range(s.n_filters):
        y = lay["top"] + f * lay["map_h"]
        canvas.text((x_out, y), lay["out_labels"][f], _MC_TEXT)
        y += _MC_LABEL_H
        done = np.isfinite(s.output_so_far[f])

        def fill(r, cc, f=f, done=done):
            if f == s.filter and (r, cc) == (s.row, s.col):
                return RGB["tap"]
            return RGB["done"] if done[r, cc] else RGB["background"]

        draw_cells(canvas, (x_out, y), s.output_so_far[f], cell, fill, numbers,
                   lambda r, cc: RGB["text"], fmt)
        if f == s.filter:
            outline_cell(canvas, (x_out, y), s.row, s.col, cell)
    arrow_y = (lay["top"] + _MC_LABEL_H + s.row * cell + cell / 2
               + s.filter * lay["map_h"])
    canvas.text((x_out - _MC_GAP, arrow_y), "→", BIG, anchor="mm")


def multichannel_animation(X=None, weight=None, bias=None, interval=900):
    """The kernel-free picture of section 8: K filters of shape C x kh x kw slide over a
    C-channel input, one frame per output value (K * H_out * W_out frames). Each frame shows
    the window on all C channels, the C products and their sums, and the sum plus the bias
    written into map k; the K maps stack into the (K, H_out, W_out) output.

    X (C, H, W), weight (K, C, kh, kw), bias (K,) or None (zeros); with neither X nor weight
    given, section 8's example ``MC_X``, ``MC_WEIGHT``, ``MC_BIAS`` (18 frames). Show it with
    ``plot.animation_html(anim, alt=...)``.
    """
    interval = check_int(interval, "interval", low=1)
    if X is None and weight is None:
        X, weight, bias = MC_X, MC_WEIGHT, MC_BIAS if bias is None else bias
    elif X is None or weight is None:
        raise TypeError("give both X and weight (or neither, for section 8's example)")
    X, weight, bias = _check_multichannel(X, weight, bias)
    multichannel_image(X, weight, multichannel_step(X, weight, bias), bias)  # size limits
    K = weight.shape[0]
    n = (X.shape[1] - weight.shape[2] + 1) * (X.shape[2] - weight.shape[3] + 1)
    steps = [multichannel_step(X, weight, bias, k, p) for k in range(K) for p in range(n)]
    frames = scaled_frames(
        lambda t, scale: multichannel_image(X, weight, steps[t], bias, scale=scale),
        len(steps))
    return image_animation(frames, interval, colors=16)
