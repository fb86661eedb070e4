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

import io
from dataclasses import dataclass

import ipywidgets as w
import numpy as np

from cnn_lib import arithmetic
from cnn_lib._checks import check_int
from cnn_lib.widgets.cells import RGB, UnrunRepr, draw_cells, font, image_animation, image_view

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
    stride, padding = check_int(stride, "stride", 1), check_int(padding, "padding", 0)
    step = X.size if step is None else check_int(step, "step", 0, X.size)
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
def conv_transpose_image(state, title=True, cell=None):
    """A ``PIL.Image`` of ``state``, left to right: X (the pixels added so far green, the
    current one orange), K, the copy X[i, j]·K, and the full output with the sums so far (the
    cells this step wrote orange, earlier ones green, zeros not yet written grey); a blue frame
    marks the part that survives the crop, cropped cells are shaded grey."""
    from PIL import Image, ImageDraw

    if not isinstance(state, ConvTransposeStep):
        raise TypeError(f"state must be a ConvTransposeStep (from conv_transpose_update), "
                        f"got {type(state).__name__}")
    s = state
    Hf, Wf = s.full.shape
    if cell is None:
        cell = 30 if max(Hf, Wf) <= 9 else 22
    cell = check_int(cell, "cell", 12, 64)
    whole = all(float(v).is_integer() for v in (*s.X.flat, *s.K.flat))
    fmt = ".0f" if whole else ".1f"
    numbers, small, big = font(int(cell * 0.42)), font(12), font(20)
    margin, gap = 8, 34
    top = 58 if title else 22
    where = f"X[{s.position[0]},{s.position[1]}]·K" if s.position else "X[i,j]·K"
    labels = [f"input X {s.X.shape[0]}x{s.X.shape[1]}", "kernel K", where,
              f"full output {Hf}x{Wf}" + (f", crop P={s.padding}" if s.padding else "")]
    grids = [s.X, s.K, s.contribution if s.position else np.full(s.K.shape, np.nan), s.full]
    widths = [max(g.shape[1] * cell, int(small.getlength(t))) for g, t in zip(grids, labels)]
    lefts = [margin]
    for width in widths[:-1]:
        lefts.append(lefts[-1] + width + gap)
    width = lefts[-1] + widths[-1] + margin
    head = (f"step {s.step} of {s.steps}: " + (
        f"X[{s.position[0]},{s.position[1]}] = {_fmt(s.value)}, times K, added at "
        f"({s.corner[0]}, {s.corner[1]})" if s.position else "nothing added yet"))
    if title:
        width = max(width, 2 * margin + int(small.getlength(head)),
                    2 * margin + int(small.getlength(s.formula)))
    height = top + max(g.shape[0] for g in grids) * cell + margin
    image = Image.new("RGB", (width, height), RGB["background"])
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((margin, 4), head, font=small, fill=RGB["text"])
        draw.text((margin, 20), s.formula, font=small, fill=RGB["text"])
    for left, label in zip(lefts, labels):
        draw.text((left, top - 17), label, font=small, fill=RGB["text"])
    for k, sign in enumerate("×=→"):
        x = lefts[k + 1] - gap / 2
        draw.text((x, top + cell * min(2, grids[k].shape[0]) / 2), sign, font=big,
                  fill=RGB["text"], anchor="mm")

    done = s.step
    W = s.X.shape[1]

    def input_fill(r, c):  # added already (green), added now (orange), still to come (blue)
        t = r * W + c
        return RGB["tap"] if t == done - 1 else RGB["done"] if t < done else RGB["input"]

    draw_cells(draw, (lefts[0], top), s.X, cell, input_fill, numbers, lambda r, c: RGB["text"],
               fmt)
    if s.position:
        i, j = s.position
        x, y = lefts[0] + j * cell, top + i * cell
        draw.rectangle((x, y, x + cell, y + cell), outline=RGB["window"], width=3)
    draw_cells(draw, (lefts[1], top), s.K, cell, lambda r, c: RGB["input"], numbers,
               lambda r, c: RGB["text"], fmt)
    draw_cells(draw, (lefts[2], top), grids[2], cell, lambda r, c: RGB["tap"], numbers,
               lambda r, c: RGB["text"], fmt)

    # the full output: which cells any step so far has written
    touched = np.zeros(s.full.shape, dtype=bool)
    kh, kw = s.K.shape
    for t in range(done):
        i, j = divmod(t, W)
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

    draw_cells(draw, (lefts[3], top), s.full, cell, fill, numbers,
               lambda r, c: RGB["text"] if touched[r, c] else RGB["pad_text"], fmt)
    x0 = lefts[3]
    draw.rectangle((x0 + p * cell, top + p * cell, x0 + (p + s.output.shape[1]) * cell,
                    top + (p + s.output.shape[0]) * cell), outline=RGB["frame"], width=2)
    if s.position:
        r, c = s.corner
        draw.rectangle((x0 + c * cell, top + r * cell, x0 + (c + kw) * cell,
                        top + (r + kh) * cell), outline=RGB["window"], width=3)
    return image


def render_conv_transpose_png(state):
    """PNG bytes of :func:`conv_transpose_image` (no title: the caption has it)."""
    buf = io.BytesIO()
    conv_transpose_image(state, title=False).save(buf, format="png", compress_level=1)
    return buf.getvalue()


def conv_transpose_animation(X=DECK_X, K=DECK_K, stride=2, padding=0, interval=1200):
    """The kernel-free twin: one frame per step, from the empty output (step 0) to the result
    (default: the deck's worked example with stride 2, five frames). Show it with
    ``plot.animation_html(anim, alt=...)``."""
    interval = check_int(interval, "interval", 1)
    last = conv_transpose_update(X, K, stride, padding)
    frames = [conv_transpose_image(conv_transpose_update(last.X, last.K, stride, padding, t),
                                   cell=26).quantize(16).convert("RGB")
              for t in range(last.steps + 1)]
    return image_animation(frames, interval)  # pads frames whose title line is shorter


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
    check_int(stride, "stride", 1, 3)
    check_int(padding, "padding", 0, 2)
    conv_transpose_update(*checked[example], stride, padding)  # refuse bad input now
    return ConvTransposeExplorer(checked, example, stride, padding)
