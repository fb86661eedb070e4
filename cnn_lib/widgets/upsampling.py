"""The upsampling chapter's explorer: a transposed convolution, one input pixel at a time.

A transposed convolution with stride S spreads every input value over the output: X[i, j]
times the whole kernel K is added into the output with its top-left corner at (i*S, j*S), and
where copies overlap they add up (the **scatter** view). The full output is
((H - 1)S + kh) x ((W - 1)S + kw); padding P then crops P rows and columns off each side, so
H_out = (H - 1)S - 2P + kh.

- :func:`conv_transpose_update` (the plain update function): the partial sums after the first
  ``step`` input pixels; at the last step they equal ``scratch.conv_transpose2d``;
- :func:`conv_transpose_explorer`: the same on sliders (example, stride, padding, step);
- :func:`conv_transpose_animation`: the kernel-free twin, one frame per step.
"""

from dataclasses import dataclass

import ipywidgets as w
import numpy as np

from cnn_lib import arithmetic
from cnn_lib.checks import check_int
from cnn_lib.widgets.cells import (
    BIG,
    MARGIN,
    RGB,
    Canvas,
    UnrunRepr,
    draw_cells,
    image_animation,
    image_view,
    lines_width,
    number_size,
    outline_cell,
    panel_row,
    png_bytes,
    scaled_frames,
)

__all__ = [
    "DECK_K",
    "DECK_X",
    "TRANSPOSE_EXAMPLES",
    "ConvTransposeExplorer",
    "ConvTransposeStep",
    "conv_transpose_animation",
    "conv_transpose_explorer",
    "conv_transpose_image",
    "conv_transpose_update",
    "render_conv_transpose_png",
]

# The deck's worked example [004]; with stride 2 the output is
# [[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 3], [2, 0, 3, 0]] (not the deck's printed answer).
DECK_X = np.array([[1, 0], [2, 3]])
DECK_K = np.array([[0, 1], [1, 0]])
TRANSPOSE_EXAMPLES = {
    "deck: X 2x2, K 2x2": (DECK_X, DECK_K),
    "ones: X 3x3, K 3x3 (overlaps add up)": (np.ones((3, 3), int), np.ones((3, 3), int)),
    "X 1..9, K 2x2 of ones": (np.arange(1, 10).reshape(3, 3), np.ones((2, 2), int)),
}


def _matrix(a, name):
    """``a`` as a non-empty 2-D float array of finite real numbers."""
    try:
        arr = np.asarray(a)
    except ValueError:  # ragged nested lists
        raise TypeError(f"{name} must be a 2-D array of numbers, got a ragged "
                        f"{type(a).__name__}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows, cols), "
                         f"got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers")
    return arr.astype(float)


@dataclass
class ConvTransposeStep:
    """What the transposed-convolution explorer shows after ``step`` input pixels.

    Attributes:
        X: (H, W) input; K: (kh, kw) kernel; stride, padding: S and P.
        step: how many input pixels have been scattered, 0 .. H*W (reading order).
        position: (i, j) of the pixel added at this step (None at step 0); value: X[i, j].
        contribution: (kh, kw), X[i, j] * K, the copy added at this step (zeros at step 0).
        corner: (i*S, j*S), where the copy's top-left cell lands in the full output.
        full: ((H - 1)S + kh, (W - 1)S + kw), the sums so far, before cropping.
        written: boolean mask like ``full``: the cells this step added to.
        output: ``full`` with P rows / columns cropped off each side, (H_out, W_out); at the
            last step ``scratch.conv_transpose2d(X[None, None], K[None, None], stride=S,
            padding=P)[0, 0]``.
        formula: the output size, e.g. "H_out = (2 − 1)·2 − 2·0 + 2 = 4".
        text: one sentence for readers.
    """

    X: np.ndarray
    K: np.ndarray
    stride: int
    padding: int
    step: int
    position: tuple
    value: float
    contribution: np.ndarray
    corner: tuple
    full: np.ndarray
    written: np.ndarray
    output: np.ndarray
    formula: str
    text: str

    @property
    def steps(self):
        """The number of steps, H*W (one per input pixel)."""
        return self.X.size


def _fmt(v):
    return f"{v:g}"


def _size_formula(X, K, stride, padding, out):
    (H, W), (kh, kw) = X.shape, K.shape
    rows = f"H_out = ({H} − 1)·{stride} − 2·{padding} + {kh} = {out[0]}"
    if (H, kh) == (W, kw):
        return rows
    return rows + f", W_out = ({W} − 1)·{stride} − 2·{padding} + {kw} = {out[1]}"


def conv_transpose_update(X, K, stride=1, padding=0, step=None):
    """The update function of the transposed-convolution explorer.

    Parameters
    ----------
    X : (H, W) array, the input; K : (kh, kw) array, the kernel
    stride : int >= 1; padding : int >= 0, cropped off each side of the full output
    step : int in 0 .. H*W, how many input pixels (in reading order) to add; None: all

    Returns
    -------
    ConvTransposeStep
    """
    X, K = _matrix(X, "X"), _matrix(K, "K")
    stride, padding = check_int(stride, "stride", low=1), check_int(padding, "padding", low=0)
    step = X.size if step is None else check_int(step, "step", low=0, high=X.size)
    try:
        out = arithmetic.conv_transpose_output_size(X.shape, K.shape, stride, padding)
    except ValueError as err:
        raise ValueError(f"padding={padding} crops away the whole output: {err}") from None
    (H, W), (kh, kw) = X.shape, K.shape
    full = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
    for t in range(step):  # the scatter: input pixel t, times K, added at (i*S, j*S)
        i, j = divmod(t, W)
        full[i * stride:i * stride + kh, j * stride:j * stride + kw] += X[i, j] * K
    written = np.zeros(full.shape, dtype=bool)
    output = full[padding:padding + out[0], padding:padding + out[1]]
    formula = _size_formula(X, K, stride, padding, out)
    if step == 0:
        text = (f"Step 0 of {X.size}: the full output starts at zero; each step adds one input "
                f"value times K, {stride} cell(s) to the right of the last.")
        return ConvTransposeStep(X, K, stride, padding, 0, None, None, np.zeros_like(K),
                                 None, full, written, output, formula, text)
    i, j = divmod(step - 1, W)
    r, c = i * stride, j * stride
    written[r:r + kh, c:c + kw] = True
    text = (f"Step {step} of {X.size}: X[{i}, {j}] = {_fmt(X[i, j])} times K is added at rows "
            f"{r}–{r + kh - 1}, columns {c}–{c + kw - 1} of the full output (corner "
            f"({i}·{stride}, {j}·{stride}) = ({r}, {c})).")
    if step == X.size:
        crop = (f"cropping P = {padding} off each side leaves" if padding
                else "with no padding to crop, that is")
        text += f" Done: {crop} the {out[0]}x{out[1]} output."
    return ConvTransposeStep(X, K, stride, padding, step, (i, j), float(X[i, j]),
                             X[i, j] * K, (r, c), full, written, output, formula, text)


# --------------------------------------------------------------------------- drawing
def conv_transpose_image(state, title=True, cell=None, scale=1.0):
    """A ``PIL.Image`` of ``state``, left to right: X (the pixels added so far green, the
    current one orange), K, the copy X[i, j]·K, and the full output with the sums so far (the
    cells this step wrote orange, earlier ones green, zeros not yet written grey); a blue frame
    marks the part that survives the crop, cropped cells are shaded grey. ``scale``: pixels
    per layout unit."""
    if not isinstance(state, ConvTransposeStep):
        raise TypeError(f"state must be a ConvTransposeStep (from conv_transpose_update), "
                        f"got {type(state).__name__}")
    s = state
    Hf, Wf = s.full.shape
    cell = check_int((30 if max(Hf, Wf) <= 9 else 24) if cell is None else cell, "cell",
                     low=12, high=64)
    where = f"X[{s.position[0]},{s.position[1]}]·K" if s.position else "X[i,j]·K"
    labels = [f"input X {s.X.shape[0]}x{s.X.shape[1]}", "kernel K", where,
              f"full output {Hf}x{Wf}" + (f", crop P={s.padding}" if s.padding else "")]
    grids = [s.X, s.K, s.contribution if s.position else np.full(s.K.shape, np.nan), s.full]
    lefts, right = panel_row([g.shape[1] * cell for g in grids], labels, gap=34)
    head = [f"step {s.step} of {s.steps}: " + (
        f"X[{s.position[0]},{s.position[1]}] = {_fmt(s.value)}, times K, added at "
        f"({s.corner[0]}, {s.corner[1]})" if s.position else "nothing added yet"), s.formula]
    top = 66 if title else 22
    width = max(right + MARGIN, lines_width(head) if title else 0)
    canvas = Canvas(width, top + max(g.shape[0] for g in grids) * cell + MARGIN, scale)
    for k, line in enumerate(head if title else []):
        canvas.text((MARGIN, 6 + 20 * k), line)
    for left, label in zip(lefts, labels):
        canvas.text((left, top - 18), label)
    for k, sign in enumerate("×=→"):
        canvas.text((lefts[k + 1] - 17, top + cell * min(2, grids[k].shape[0]) / 2), sign,
                    BIG, anchor="mm")
    _draw_operands(canvas, s, grids[2], lefts[:3], top, cell)
    _draw_full_output(canvas, s, (lefts[3], top), cell)
    return canvas.finish()


def _draw_operands(canvas, s, copy, lefts, top, cell):
    """X (added already green, added now orange, still to come blue), K and the copy."""
    fmt, numbers = _number_format(s), number_size(cell)
    W = s.X.shape[1]

    def input_fill(r, c):
        t = r * W + c
        return RGB["tap"] if t == s.step - 1 else RGB["done"] if t < s.step else RGB["input"]

    black = lambda r, c: RGB["text"]  # noqa: E731
    draw_cells(canvas, (lefts[0], top), s.X, cell, input_fill, numbers, black, fmt)
    if s.position:
        outline_cell(canvas, (lefts[0], top), *s.position, cell)
    draw_cells(canvas, (lefts[1], top), s.K, cell, lambda r, c: RGB["input"], numbers, black,
               fmt)
    draw_cells(canvas, (lefts[2], top), copy, cell, lambda r, c: RGB["tap"], numbers, black,
               fmt)


def _draw_full_output(canvas, s, origin, cell):
    """The full output: the cells this step wrote orange, earlier ones green, cropped ones
    grey; the part that survives the crop framed in blue, this step's copy in orange."""
    touched = np.zeros(s.full.shape, dtype=bool)  # which cells any step so far has written
    kh, kw = s.K.shape
    for t in range(s.step):
        i, j = divmod(t, s.X.shape[1])
        touched[i * s.stride:i * s.stride + kh, j * s.stride:j * s.stride + kw] = True
    p = s.padding
    cropped = np.ones(s.full.shape, dtype=bool)
    cropped[p:p + s.output.shape[0], p:p + s.output.shape[1]] = False

    def fill(r, c):
        if s.written[r, c]:
            return RGB["tap"]
        if cropped[r, c]:
            return RGB["padding"]
        return RGB["done"] if touched[r, c] else RGB["background"]

    draw_cells(canvas, origin, s.full, cell, fill, number_size(cell),
               lambda r, c: RGB["text"] if touched[r, c] else RGB["pad_text"],
               _number_format(s))
    outline_cell(canvas, origin, p, p, cell, *s.output.shape, color=RGB["frame"], width=2)
    if s.position:
        outline_cell(canvas, origin, *s.corner, cell, kh, kw)


def _number_format(s):
    whole = all(float(v).is_integer() for v in (*s.X.flat, *s.K.flat))
    return ".0f" if whole else ".1f"


def render_conv_transpose_png(state):
    """PNG bytes of :func:`conv_transpose_image` (no title: the caption has it)."""
    return png_bytes(conv_transpose_image(state, title=False))


def conv_transpose_animation(X=DECK_X, K=DECK_K, stride=2, padding=0, interval=1200):
    """The kernel-free twin: one frame per step, from the empty output (step 0) to the result
    (default: the deck's worked example with stride 2, five frames), as wide as the text
    column. Show it with ``plot.animation_html(anim, alt=...)``."""
    interval = check_int(interval, "interval", low=1)
    last = conv_transpose_update(X, K, stride, padding)
    steps = [conv_transpose_update(last.X, last.K, stride, padding, t)
             for t in range(last.steps + 1)]
    frames = scaled_frames(lambda t, scale: conv_transpose_image(steps[t], scale=scale),
                           len(steps))
    return image_animation(frames, interval, colors=16)


# --------------------------------------------------------------------------- explorer
class ConvTransposeExplorer(UnrunRepr, w.VBox):
    """Live transposed-convolution explorer; build it with :func:`conv_transpose_explorer`.

    Attributes: ``example`` (``Dropdown`` of ``examples``), the sliders ``stride``,
    ``padding`` and ``step`` (with ``play``, linked to it), ``view`` (``Image``), ``formula``
    and ``caption`` (``HTML``), ``state`` (the last :class:`ConvTransposeStep`, or None if
    the setting was refused, e.g. a padding that crops everything away).
    """

    title = "Transposed-convolution explorer"

    def __init__(self, examples, example, stride, padding):
        super().__init__()
        self.examples = examples
        style = {"description_width": "70px"}
        self.example = w.Dropdown(options=list(examples), value=example, description="example",
                                  style=style, layout=w.Layout(width="360px"))
        self.stride = w.IntSlider(stride, 1, 3, description="stride", style=style)
        self.padding = w.IntSlider(padding, 0, 2, description="padding", style=style)
        n = np.size(examples[example][0])
        self.step = w.IntSlider(n, 0, n, description="step", style=style)
        self.play = w.Play(value=n, min=0, max=n, interval=1000, description="play")
        w.jslink((self.play, "value"), (self.step, "value"))
        self.view, self.formula, self.caption = image_view(), w.HTML(), w.HTML()
        self.state, self._busy = None, False
        for control in (self.example, self.stride, self.padding, self.step):
            control.observe(lambda change: self.update(), names="value")
        controls = w.VBox([self.example, self.stride, self.padding,
                           w.HBox([self.play, self.step])])
        self.children = [controls, self.view, self.formula, self.caption]
        self.update()

    def update(self):
        """Recompute :func:`conv_transpose_update` from the controls and redraw; returns the
        state (None if the setting was refused: the caption says why)."""
        if self._busy:  # the step slider is being reset below
            return self.state
        X, K = self.examples[self.example.value]
        n = np.size(X)
        if self.step.max != n:  # a new example: show it complete
            self._busy = True
            try:
                self.step.max = self.play.max = n
                self.step.value = self.play.value = n
            finally:
                self._busy = False
        try:
            self.state = conv_transpose_update(X, K, self.stride.value, self.padding.value,
                                               min(self.step.value, n))
        except ValueError as err:
            self.state = None
            self.caption.value = f"<span style='color:#b00'>{err}</span>"
            return None
        self.view.value = render_conv_transpose_png(self.state)
        self.formula.value = f"<code>{self.state.formula}</code>"
        self.caption.value = self.state.text
        return self.state


def conv_transpose_explorer(examples=None, example=None, stride=2, padding=0):
    """A live explorer: pick an input and kernel, set the stride and padding, and step through
    the scatter (or press play): each input value times K is added into the output, S cells
    further on; the last step is ``scratch.conv_transpose2d``.

    ``examples``: {name: (X, K)} (default :data:`TRANSPOSE_EXAMPLES`); ``example``: the name to
    start with (default the first). Returns a :class:`ConvTransposeExplorer`. Its static twin:
    :func:`conv_transpose_animation`.
    """
    examples = dict(TRANSPOSE_EXAMPLES if examples is None else examples)
    if not examples:
        raise ValueError("examples must hold at least one (X, K) pair")
    example = next(iter(examples)) if example is None else example
    if example not in examples:
        raise ValueError(f"example must be one of {list(examples)}, got {example!r}")
    checked = {}
    for name, pair in examples.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"examples[{name!r}] must be a pair (X, K), got {pair!r:.60}")
        state = conv_transpose_update(*pair, stride=1)
        checked[name] = (state.X, state.K)
    check_int(stride, "stride", low=1, high=3)
    check_int(padding, "padding", low=0, high=2)
    conv_transpose_update(*checked[example], stride, padding)  # refuse bad input now
    return ConvTransposeExplorer(checked, example, stride, padding)
