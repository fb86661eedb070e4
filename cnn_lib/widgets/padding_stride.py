"""Explorers for the padding-and-stride chapter.

Two explorers, each in three parts (a plain update function the tests call, an ipywidgets front
end for a live kernel, and a twin with play / step controls for the static HTML book):

- **padding / stride / dilation**: :func:`conv_geometry` computes where the kernel goes on the
  padded input, what every window sums to and which input cells are never read;
  :func:`padding_stride_explorer` puts it on sliders; :func:`conv_arithmetic_animation` plays it
  in the style of Dumoulin and Visin's convolution-arithmetic figures.
- **receptive field**: :func:`receptive_field_update` finds the input cells one output unit of a
  stack of layers depends on; :func:`receptive_field_explorer` lets you pick the unit;
  :func:`receptive_field_animation` walks a unit across the output.
"""

from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from cnn_lib import arithmetic, plot, scratch
from cnn_lib.checks import check_int
from cnn_lib.widgets.cells import (
    MARGIN,
    RGB,
    Canvas,
    UnrunRepr,
    closed_animation,
    cross,
    draw_cells,
    figure_dpi,
    figure_png_bytes,
    image_animation,
    image_view,
    lines_width,
    number_size,
    outline_cell,
    panel_row,
    png_bytes,
    scaled_frames,
    wrapping_row,
)

__all__ = [
    "ConvGeometry",
    "PaddingStrideExplorer",
    "RECEPTIVE_FIELD_STACKS",
    "ReceptiveFieldExplorer",
    "ReceptiveFieldState",
    "conv_arithmetic_animation",
    "conv_geometry",
    "example_input",
    "geometry_image",
    "padding_stride_explorer",
    "receptive_field_animation",
    "receptive_field_explorer",
    "receptive_field_update",
    "render_geometry_png",
    "render_receptive_field_png",
]

MODES = ("zeros", "reflect", "replicate", "circular")


# --------------------------------------------------------------------------- geometry
def example_input(size):
    """The explorer's input: the numbers 1 .. size*size in reading order, shape (size, size).

    Distinct numbers make each padding mode's copies easy to trace back to their source.
    """
    size = check_int(size, "size", low=1)
    return np.arange(1, size * size + 1, dtype=float).reshape(size, size)


@dataclass
class ConvGeometry:
    """Everything the padding / stride explorer shows for one setting (square input and kernel).

    Attributes:
        size, kernel_size, padding, stride, dilation, mode: the setting.
        span: cells one window covers, D(F - 1) + 1.
        padded: (size + 2P, size + 2P) array, :func:`example_input` padded with ``mode``.
        is_padding: boolean mask of the cells that padding added.
        output_size: H_out = floor((H + 2P - D(F - 1) - 1) / S) + 1 (0 if nothing fits).
        corners: top-left (row, col) of every window in the padded input, in reading order.
        taps: (row, col) offsets of the F x F kernel cells inside a window (spaced by D).
        coverage: int array like ``padded``: how many windows read each cell.
        unread: boolean (size, size) mask of input cells no window reads, neither where they
            are nor through a copy that the padding made (reflect, replicate, circular).
        output: (output_size, output_size) window sums (an all-ones kernel), as
            ``torch.nn.Conv2d(1, 1, F, S, P, D, bias=False, padding_mode=mode)`` with weights 1.
        fits: True if at least one window fits; whole: True if the windows tile the padded
            input exactly ((H + 2P - D(F - 1) - 1) is a multiple of S).
        formula: the size formula with the numbers filled in.
        message: a sentence on the setting (fits evenly, drops cells, or does not fit).
    """

    size: int
    kernel_size: int
    padding: int
    stride: int
    dilation: int
    mode: str
    span: int
    padded: np.ndarray
    is_padding: np.ndarray
    output_size: int
    corners: list
    taps: list
    coverage: np.ndarray
    unread: np.ndarray
    output: np.ndarray
    fits: bool
    whole: bool
    formula: str
    message: str


def _check_setting(size, kernel_size, padding, stride, dilation, mode):
    size = check_int(size, "size", low=1)
    kernel_size = check_int(kernel_size, "kernel_size", low=1)
    padding = check_int(padding, "padding", low=0)
    stride = check_int(stride, "stride", low=1)
    dilation = check_int(dilation, "dilation", low=1)
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "reflect" and padding >= size:
        raise ValueError(f"mode='reflect' needs padding < size (it mirrors the input without "
                         f"repeating the edge), got padding={padding} for size={size}")
    if mode == "circular" and padding > size:
        raise ValueError(f"mode='circular' needs padding <= size, got padding={padding} for "
                         f"size={size}")
    return size, kernel_size, padding, stride, dilation, mode


def _size_formula(size, kernel_size, padding, stride, dilation, span):
    """'floor((7 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = 4' with the real numbers."""
    top = size + 2 * padding - span
    out = top // stride + 1
    text = (f"H_out = ⌊({size} + 2·{padding} − {dilation}·({kernel_size} − 1) − 1) / {stride}⌋ "
            f"+ 1 = ⌊{top}/{stride}⌋ + 1 = {out}")
    return text if out >= 1 else text + ": less than 1, no output"


def conv_geometry(size=7, kernel_size=3, padding=0, stride=1, dilation=1, mode="zeros"):
    """The update function of the padding / stride explorer: see :class:`ConvGeometry`.

    Parameters
    ----------
    size : int >= 1, the side of the square input
    kernel_size, stride, dilation : ints >= 1; padding : int >= 0
    mode : 'zeros', 'reflect', 'replicate' or 'circular' (PyTorch's ``padding_mode``)

    Returns
    -------
    ConvGeometry
    """
    size, kernel_size, padding, stride, dilation, mode = _check_setting(
        size, kernel_size, padding, stride, dilation, mode)
    span = dilation * (kernel_size - 1) + 1
    padded = scratch.pad(example_input(size), padding, mode=mode)
    is_padding = np.ones(padded.shape, dtype=bool)
    is_padding[padding:padding + size, padding:padding + size] = False
    taps = [(a * dilation, b * dilation) for a in range(kernel_size) for b in range(kernel_size)]
    fits = span <= size + 2 * padding
    formula = _size_formula(size, kernel_size, padding, stride, dilation, span)
    coverage = np.zeros(padded.shape, dtype=int)
    if not fits:
        message = (f"Does not fit: the kernel spans {span} cells but the padded input is only "
                   f"{size} + 2·{padding} = {size + 2 * padding} wide, so there is no output.")
        return ConvGeometry(size, kernel_size, padding, stride, dilation, mode, span, padded,
                            is_padding, 0, [], taps, coverage, np.ones((size, size), bool),
                            np.zeros((0, 0)), False, False, formula, message)

    output_size = arithmetic.conv_output_size(size, kernel_size, stride, padding, dilation)
    corners = [(i * stride, j * stride) for i in range(output_size) for j in range(output_size)]
    reach = stride * (output_size - 1) + 1
    for a, b in taps:  # each tap reads one strided grid of cells, once per window
        coverage[a:a + reach:stride, b:b + reach:stride] += 1
    # Padding cells of the non-zero modes are copies of input cells: follow each cell back to
    # the input cell it holds (pad the cells' indices the same way; -1 marks a zero) and count
    # the windows that read every input cell, directly or through a copy.
    index = np.arange(size * size, dtype=float).reshape(size, size)
    source = scratch.pad(index, padding, mode=mode, **({"value": -1.0} if mode == "zeros"
                                                          else {})).astype(int)
    reads = np.bincount(source[source >= 0], weights=coverage[source >= 0],
                        minlength=size * size)
    unread = reads.reshape(size, size) == 0
    ones = np.ones((1, 1, kernel_size, kernel_size))
    output = scratch.conv2d(padded[None, None], ones, stride=stride, dilation=dilation)[0, 0]
    try:
        arithmetic.conv_output_size(size, kernel_size, stride, padding, dilation, strict=True)
        whole = True
        message = (f"Fits evenly: {output_size} x {output_size} windows cover the padded input "
                   f"from edge to edge.")
    except ValueError as err:  # the strict check explains (N - F + 2P)/S + 1 = 2.33
        whole = False
        dropped = size + 2 * padding - (corners[-1][1] + span)
        message = (f"{err}. PyTorch floors it to {output_size}: the last "
                   f"{dropped} row(s) and column(s) of the padded input are never read.")
    return ConvGeometry(size, kernel_size, padding, stride, dilation, mode, span, padded,
                        is_padding, output_size, corners, taps, coverage, unread, output, fits,
                        whole, formula, message)


# --------------------------------------------------------------------------- drawing
# Drawn with PIL (see cnn_lib.widgets.cells): a redraw takes a few milliseconds.


def geometry_image(geometry, position=0, title=True, cell=None, scale=1.0):
    """A ``PIL.Image`` of ``geometry`` with window ``position`` outlined.

    Left, the padded input: input cells blue, padding grey, each with its value; a red cross on
    input cells no window reads; the window's frame in orange and its kernel cells (taps)
    shaded. Right, the output: the window sums computed so far, the current one outlined.
    ``scale``: pixels per layout unit (1 for the explorer; more for the animation's frames).
    """
    if not isinstance(geometry, ConvGeometry):
        raise TypeError(f"geometry must be a ConvGeometry (from conv_geometry), "
                        f"got {type(geometry).__name__}")
    g = geometry
    Hp, n = g.padded.shape[0], g.output_size
    position = check_int(position, "position", low=0)
    cell = check_int((28 if max(Hp, n) <= 9 else 24) if cell is None else cell, "cell",
                     low=8, high=64)
    top = 44 if title else 22
    labels = [f"input {g.size}x{g.size}, padding {g.padding} ({g.mode})", f"output {n}x{n}"]
    (x_in, x_out), right = panel_row([Hp * cell, max(n, 4) * cell], labels)
    width = max(right + MARGIN, lines_width([g.formula]) if title else 0)
    canvas = Canvas(width, top + max(Hp, n) * cell + MARGIN, scale)
    if title:
        canvas.text((MARGIN, 6), g.formula)
    canvas.text((x_in, top - 18), labels[0])
    taps = set()
    if g.fits:
        position = position % len(g.corners)
        r0, c0 = g.corners[position]
        taps = {(r0 + a, c0 + b) for a, b in g.taps}
    _draw_padded_input(canvas, g, (x_in, top), cell, taps)
    if not g.fits:
        canvas.text((x_out, top + cell), "no output:\nthe kernel\ndoes not fit",
                    fill=RGB["unread"])
        return canvas.finish()
    outline_cell(canvas, (x_in, top), r0, c0, cell, g.span, g.span)
    shown = np.full((n, n), np.nan)
    shown.flat[:position + 1] = g.output.flat[:position + 1]
    canvas.text((x_out, top - 18), labels[1])
    draw_cells(canvas, (x_out, top), shown, cell,
               lambda r, c: RGB["done"] if np.isfinite(shown[r, c]) else RGB["background"],
               number_size(cell), lambda r, c: RGB["text"])
    outline_cell(canvas, (x_out, top), *divmod(position, n), cell)
    return canvas.finish()


def _draw_padded_input(canvas, g, origin, cell, taps):
    """The padded input of ``g``: input cells blue, padding grey, the kernel's ``taps``
    shaded, the input framed, a red cross on every input cell no window reads."""
    def fill(r, c):
        if (r, c) in taps:
            return RGB["tap"]
        return RGB["padding"] if g.is_padding[r, c] else RGB["input"]

    draw_cells(canvas, origin, g.padded, cell, fill, number_size(cell),
               lambda r, c: RGB["pad_text"] if g.is_padding[r, c] else RGB["text"])
    p = g.padding
    outline_cell(canvas, origin, p, p, cell, g.size, g.size, color=RGB["frame"], width=2)
    x0, y0 = origin
    for r, c in zip(*np.nonzero(g.unread)):
        cross(canvas, x0 + (c + p) * cell, y0 + (r + p) * cell, cell, RGB["unread"])


def render_geometry_png(geometry, position=0):
    """PNG bytes of :func:`geometry_image`: the redraw path of the explorer."""
    return png_bytes(geometry_image(geometry, position, title=False))


def conv_arithmetic_animation(size, kernel_size, padding=0, stride=1, dilation=1,
                              mode="zeros", interval=500):
    """The kernel-free twin of the explorer: one frame per window, with play / step controls,
    as wide as the text column.

    In the spirit of Dumoulin and Visin's figures: for example ``(4, 3)`` is "no padding, unit
    strides", ``(5, 3, padding=1)`` half padding, ``(5, 3, padding=2)`` full padding,
    ``(5, 3, stride=2)`` and ``(5, 3, padding=1, stride=2)`` strides, and
    ``(7, 3, dilation=2)`` a dilated kernel. Show it with ``plot.animation_html(anim)``.

    Returns
    -------
    matplotlib.animation.FuncAnimation (its figure closed)
    """
    g = conv_geometry(size, kernel_size, padding, stride, dilation, mode)
    if not g.fits:
        raise ValueError(f"nothing to animate: {g.message}")
    interval = check_int(interval, "interval", low=1)
    # 16 colours keep the page light
    frames = scaled_frames(lambda p, scale: geometry_image(g, p, scale=scale), len(g.corners))
    return image_animation(frames, interval, colors=16)


# --------------------------------------------------------------------------- explorer
class PaddingStrideExplorer(UnrunRepr, w.VBox):
    """Live padding / stride / dilation explorer (an ``ipywidgets.VBox``); build it with
    :func:`padding_stride_explorer`.

    Attributes: the sliders ``size``, ``kernel_size``, ``padding``, ``stride``, ``dilation`` and
    ``position`` (which window to outline), the dropdown ``mode``, ``view``
    (``ipywidgets.Image``), ``formula`` and ``message`` (``HTML``), ``geometry`` (the last
    :class:`ConvGeometry`, or None if the setting was refused).
    """

    title = "Padding, stride and dilation explorer"

    def __init__(self, size=7, kernel_size=3, padding=0, stride=1, dilation=1, mode="zeros"):
        super().__init__()
        slider = dict(continuous_update=True, style={"description_width": "90px"})
        self.size = w.IntSlider(size, 3, 9, description="input size", **slider)
        self.kernel_size = w.IntSlider(kernel_size, 1, 5, description="kernel size", **slider)
        self.padding = w.IntSlider(padding, 0, 3, description="padding", **slider)
        self.stride = w.IntSlider(stride, 1, 3, description="stride", **slider)
        self.dilation = w.IntSlider(dilation, 1, 3, description="dilation", **slider)
        self.mode = w.Dropdown(options=MODES, value=mode, description="padding mode",
                               style={"description_width": "90px"})
        self.position = w.IntSlider(0, 0, 0, description="window", **slider)
        self.view = image_view()
        self.formula, self.message = w.HTML(), w.HTML()
        self.geometry = None
        for control in (self.size, self.kernel_size, self.padding, self.stride, self.dilation,
                        self.mode):
            control.observe(lambda change: self.update(), names="value")
        self.position.observe(lambda change: self.redraw(), names="value")
        controls = w.VBox([self.size, self.kernel_size, self.padding, self.stride,
                           self.dilation, self.mode, self.position])
        self.children = [wrapping_row([controls, self.view]), self.formula, self.message]
        self.update()

    def update(self):
        """Recompute :func:`conv_geometry` from the controls and redraw; returns it (or None)."""
        try:
            self.geometry = conv_geometry(self.size.value, self.kernel_size.value,
                                          self.padding.value, self.stride.value,
                                          self.dilation.value, self.mode.value)
        except ValueError as err:
            self.geometry = None
            self.message.value = f"<span style='color:#b00'>{err}</span>"
            return None
        n = max(1, len(self.geometry.corners))
        if self.position.value >= n:
            self.position.value = 0  # observed: redraws
        self.position.max = n - 1
        self.redraw()
        return self.geometry

    def redraw(self):
        g = self.geometry
        if g is None:
            return
        self.view.value = render_geometry_png(g, self.position.value)
        self.formula.value = f"<code>{g.formula}</code>"
        color = "#1b5e20" if g.whole else "#b00"
        self.message.value = f"<span style='color:{color}'>{g.message}</span>"


def padding_stride_explorer(size=7, kernel_size=3, padding=0, stride=1, dilation=1,
                            mode="zeros"):
    """A live explorer: sliders for input size, kernel size, padding, stride, dilation and the
    window, a padding-mode menu; it draws the padded input, the windows, the output grid and the
    size formula with the numbers filled in, and says when a setting does not fit.

    Returns a :class:`PaddingStrideExplorer`. Its static twin: :func:`conv_arithmetic_animation`.
    """
    conv_geometry(size, kernel_size, padding, stride, dilation, mode)  # refuse bad input now
    return PaddingStrideExplorer(size, kernel_size, padding, stride, dilation, mode)


# --------------------------------------------------------------------------- receptive field
# name -> (input size, layers as (kernel_size, stride, padding, dilation)), first layer first
RECEPTIVE_FIELD_STACKS = {
    "three 3x3 convolutions": (11, [(3, 1, 1, 1)] * 3),
    "3x3 conv, 2x2 pool (stride 2), 3x3 conv": (16, [(3, 1, 1, 1), (2, 2, 0, 1), (3, 1, 1, 1)]),
    "dilated 3x3 convolutions (D = 1, 2, 4)": (17, [(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)]),
    "ResNet stem: 7x7 conv / 2, 3x3 pool / 2": (32, [(7, 2, 3, 1), (3, 2, 1, 1)]),
}


@dataclass
class ReceptiveFieldState:
    """What the receptive-field explorer shows for one output unit.

    Attributes:
        layers: the stack, (kernel_size, stride, padding, dilation) per layer.
        sizes: the side of the input, then of each layer's output.
        unit: (row, col) of the chosen unit in the last layer's output.
        paths: one int array per level (input first, output last): how many paths lead from
            each cell to the unit (non-zero = the unit depends on that cell).
        region: (top, bottom, left, right), inclusive, of the input cells the unit depends on.
        field: :func:`cnn_lib.arithmetic.receptive_field` of the stack (size and jump).
        text: one sentence for readers.
    """

    layers: list
    sizes: list
    unit: tuple
    paths: list
    region: tuple
    field: arithmetic.ReceptiveField
    text: str


def _check_layers(layers, input_size):
    input_size = check_int(input_size, "input_size", low=1)
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers must be a non-empty list of (kernel_size, stride, padding, "
                        f"dilation) tuples, got {layers!r:.60}")
    checked, sizes = [], [input_size]
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) != 4:
            raise ValueError(f"layers[{i}] must be (kernel_size, stride, padding, dilation), "
                             f"got {layer!r}")
        k, s, p, d = (check_int(v, f"layers[{i}] {name}", low=low) for v, name, low in
                      zip(layer, ("kernel_size", "stride", "padding", "dilation"), (1, 1, 0, 1)))
        try:
            sizes.append(arithmetic.conv_output_size(sizes[-1], k, s, p, d))
        except ValueError as err:
            raise ValueError(f"layers[{i}] does not fit its {sizes[-1]}x{sizes[-1]} input: "
                             f"{err}") from None
        checked.append((k, s, p, d))
    return checked, sizes


def receptive_field_update(layers, input_size, row, col):
    """The update function of the receptive-field explorer: see :class:`ReceptiveFieldState`.

    The unit depends on exactly the input cells where its gradient with respect to the input is
    non-zero when all weights are 1; ``cnn_lib.scratch.conv2d_backward`` computes that
    gradient layer by layer (its value counts the paths from a cell to the unit).

    Parameters
    ----------
    layers : list of (kernel_size, stride, padding, dilation), first layer first
    input_size : int, the side of the square input
    row, col : the unit in the last layer's output
    """
    layers, sizes = _check_layers(layers, input_size)
    n = sizes[-1]
    row, col = check_int(row, "row", low=0, high=n - 1), check_int(col, "col", low=0, high=n - 1)
    grad = np.zeros((1, 1, n, n))
    grad[0, 0, row, col] = 1.0
    paths = [grad[0, 0]]
    for (k, s, p, d), size in zip(reversed(layers), reversed(sizes[:-1])):
        grad, _, _ = scratch.conv2d_backward(grad, np.zeros((1, 1, size, size)),
                                             np.ones((1, 1, k, k)), stride=s, padding=p,
                                             dilation=d)
        paths.insert(0, grad[0, 0])
    rows, cols = np.nonzero(paths[0])
    region = (int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max()))
    field = arithmetic.receptive_field([(k, s, d) for k, s, p, d in layers])
    h, wd = region[1] - region[0] + 1, region[3] - region[2] + 1
    clipped = "" if (h, wd) == (field.size, field.size) else (
        f"; the rest of its {field.size}x{field.size} field lies on the padding")
    text = (f"Output unit ({row}, {col}) depends on input rows {region[0]}–{region[1]} and "
            f"columns {region[2]}–{region[3]}: {h}x{wd} cells{clipped}. "
            f"Receptive field {field.size}, jump {field.jump} (neighbouring units' fields are "
            f"{field.jump} cell(s) apart).")
    return ReceptiveFieldState(layers, sizes, (row, col), paths, region, field, text)


def _grid(ax, shape):
    """Thin cell borders on an Axes that shows a ``shape`` grid with ``imshow``."""
    rows, cols = shape
    ax.vlines(np.arange(-0.5, cols, 1), -0.5, rows - 0.5, color="0.6", linewidth=0.6)
    ax.hlines(np.arange(-0.5, rows, 1), -0.5, cols - 0.5, color="0.6", linewidth=0.6)
    ax.set_xlim(-0.6, cols - 0.4)
    ax.set_ylim(rows - 0.4, -0.6)
    ax.set_axis_off()


def _receptive_figure(levels, new_figure=Figure):
    """One panel per level, as wide as the text column (at most 100 dpi): titles of 9 pt are
    11 px or more. ``new_figure``: ``Figure`` for the explorer, ``plt.figure`` for the
    animation (which pyplot must know to play)."""
    width = 2.0 * levels + 0.4
    fig = new_figure(figsize=(width, 2.6), dpi=figure_dpi(width))
    axes = fig.subplots(1, levels)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.76, wspace=0.12)
    return fig, list(np.atleast_1d(axes))


def draw_receptive_field(axes, state):
    """Draw one panel per level (input ... output): cells the unit depends on in orange,
    darker where more paths lead to the unit; the chosen unit outlined. Axes that show the
    same stack already are updated in place (a slider's redraw)."""
    titles = []
    for level, paths in enumerate(state.paths):
        name = "input" if level == 0 else "layer {} (F={}, S={}, P={}, D={})".format(
            level, *state.layers[level - 1])
        titles.append(f"{name}\n{paths.shape[0]}x{paths.shape[0]}")
    drawn = all(len(ax.images) == 1 and ax.get_title() == title
                for ax, title in zip(axes, titles))
    for ax, paths, title in zip(axes, state.paths, titles):
        shade = paths / paths.max()
        colors = np.where(shade[..., None] > 0,
                          1 - shade[..., None] * (1 - np.array([1.0, 0.5, 0.05])),
                          np.array([0.776, 0.859, 0.937]))
        if drawn:
            ax.images[0].set_data(colors)
            for patch in list(ax.patches):
                patch.remove()
            continue
        ax.clear()
        ax.imshow(colors, interpolation="nearest")
        if paths.shape[0] <= 20:
            _grid(ax, paths.shape)
        else:
            ax.set_axis_off()
        ax.set_title(title, fontsize=9)
    r, c = state.unit
    axes[-1].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                 edgecolor=plot.HIGHLIGHT_COLOR, linewidth=2.5))
    top, bottom, left, right = state.region
    axes[0].add_patch(Rectangle((left - 0.5, top - 0.5), right - left + 1, bottom - top + 1,
                                fill=False, edgecolor=plot.HIGHLIGHT_COLOR, linewidth=2))


def render_receptive_field_png(state, fig_axes=None):
    """PNG bytes of :func:`draw_receptive_field`: the explorer's redraw path."""
    if not isinstance(state, ReceptiveFieldState):
        raise TypeError(f"state must be a ReceptiveFieldState (from receptive_field_update), "
                        f"got {type(state).__name__}")
    fig, axes = _receptive_figure(len(state.paths)) if fig_axes is None else fig_axes
    draw_receptive_field(axes, state)
    fig.suptitle(f"receptive field of unit {state.unit}: {state.field.size}x{state.field.size}",
                 fontsize=10)
    return figure_png_bytes(fig)


class ReceptiveFieldExplorer(UnrunRepr, w.VBox):
    """Live receptive-field explorer; build it with :func:`receptive_field_explorer`.

    Attributes: ``stack`` (``Dropdown`` of :data:`RECEPTIVE_FIELD_STACKS`), ``row`` and ``col``
    (``IntSlider``: the output unit), ``view`` (``Image``), ``caption`` (``HTML``), ``state``.
    """

    title = "Receptive-field explorer"

    def __init__(self, stacks):
        super().__init__()
        self.stacks = stacks
        self.stack = w.Dropdown(options=list(stacks), description="stack",
                                layout=w.Layout(width="420px"))
        self.row = w.IntSlider(0, 0, 0, description="unit row")
        self.col = w.IntSlider(0, 0, 0, description="unit col")
        self.view, self.caption = image_view(), w.HTML()
        self.state, self._fig_axes, self._busy = None, None, False
        self.stack.observe(lambda change: self.choose_stack(), names="value")
        for slider in (self.row, self.col):
            slider.observe(lambda change: self.update(), names="value")
        self.children = [self.stack, w.HBox([self.row, self.col]), self.view, self.caption]
        self.choose_stack()

    def choose_stack(self):
        input_size, layers = self.stacks[self.stack.value]
        _, sizes = _check_layers(layers, input_size)
        self._fig_axes = _receptive_figure(len(layers) + 1)
        self._busy = True  # set both sliders before drawing once
        try:
            for slider in (self.row, self.col):
                slider.max = sizes[-1] - 1
                slider.value = sizes[-1] // 2
        finally:
            self._busy = False
        return self.update()

    def update(self):
        """Recompute :func:`receptive_field_update` for the chosen unit and redraw."""
        if self._busy:
            return self.state
        input_size, layers = self.stacks[self.stack.value]
        self.state = receptive_field_update(layers, input_size, self.row.value, self.col.value)
        self.view.value = render_receptive_field_png(self.state, self._fig_axes)
        self.caption.value = self.state.text
        return self.state


def receptive_field_explorer(stacks=None):
    """A live explorer: pick a stack of layers and an output unit; see the input cells it
    depends on, layer by layer. ``stacks``: dict name -> (input size, layers), default
    :data:`RECEPTIVE_FIELD_STACKS`. Its static twin: :func:`receptive_field_animation`.
    """
    stacks = RECEPTIVE_FIELD_STACKS if stacks is None else stacks
    if not isinstance(stacks, dict) or not stacks:
        raise TypeError(f"stacks must be a non-empty dict name -> (input_size, layers), "
                        f"got {type(stacks).__name__}")
    for name, entry in stacks.items():
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise ValueError(f"stacks[{name!r}] must be (input_size, layers), got {entry!r:.60}")
        _check_layers(entry[1], entry[0])
    return ReceptiveFieldExplorer(dict(stacks))


def receptive_field_animation(layers, input_size, interval=600):
    """The kernel-free twin: the chosen unit walks along the output's diagonal, one frame per
    step, and its field moves by the jump. Show it with ``plot.animation_html(anim)``."""
    layers, sizes = _check_layers(layers, input_size)
    interval = check_int(interval, "interval", low=1)
    fig, axes = _receptive_figure(len(layers) + 1, new_figure=plt.figure)
    field = arithmetic.receptive_field([(k, s, d) for k, s, p, d in layers])
    fig.suptitle(f"receptive field {field.size}x{field.size}, jump {field.jump}", fontsize=10)

    def draw(frame):
        draw_receptive_field(axes, receptive_field_update(layers, input_size, frame, frame))
        return []

    return closed_animation(fig, draw, sizes[-1], interval, colors=256)
