"""The detection chapter's explorers: intersection over union (IoU) and non-maximum suppression.

Each in three parts: a plain update function the tests call, an ipywidgets front end for a live
kernel, and a twin with play / step controls for the static HTML book.

- **IoU**: :func:`iou_update` measures two boxes on a small grid: their intersection, their
  union and IoU = intersection / union; :func:`iou_explorer` moves box B with sliders;
  :func:`iou_animation` slides B across A.
- **NMS**: :func:`nms_example` is a fixed set of ten scored boxes around three objects;
  :func:`nms_update` runs :func:`cnn_lib.detection.nms` and says which kept box suppressed
  each other box; :func:`nms_explorer` puts the IoU threshold (and a score threshold) on
  sliders; :func:`nms_animation` steps through thresholds.

Boxes are 'xyxy', (x1, y1, x2, y2), as in :mod:`cnn_lib.detection`: x runs right along the
columns, y down along the rows, and grid cell (r, c) is the unit square [c, c + 1) x [r, r + 1).
"""

from dataclasses import dataclass
from numbers import Integral

import ipywidgets as w
import numpy as np

from cnn_lib import detection
from cnn_lib.checks import check_int, check_real
from cnn_lib.widgets.cells import (
    MARGIN,
    RGB,
    SMALL,
    Canvas,
    UnrunRepr,
    image_animation,
    image_view,
    lines_width,
    panel_row,
    png_bytes,
    scaled_frames,
    text_width,
    wrapping_row,
)

__all__ = [
    "BOX_A",
    "BOX_B",
    "IoUExplorer",
    "IoUState",
    "NMSExplorer",
    "NMSState",
    "iou_animation",
    "iou_explorer",
    "iou_image",
    "iou_update",
    "nms_animation",
    "nms_example",
    "nms_explorer",
    "nms_image",
    "nms_update",
    "render_iou_png",
    "render_nms_png",
]

CANVAS = 20  # the IoU grid is CANVAS x CANVAS cells
BOX_A = (5, 5, 13, 11)  # 8 wide, 6 tall: area 48
BOX_B = (9, 7, 15, 13)  # 6 x 6: overlaps A in a 4 x 4 square, IoU = 16 / 68
COLORS = {"a": (198, 219, 239), "a_edge": (8, 81, 156), "b": (253, 208, 162),
          "b_edge": (230, 85, 13), "both": (188, 158, 205), "grid": (232, 232, 232),
          "grid5": (200, 200, 200), "union": (0, 0, 0), "dropped": (170, 170, 170)}
# one colour per box of the NMS picture, so a box keeps its colour as the threshold moves
# (matplotlib's tab10, with black for its grey: grey means "dropped" here)
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (0, 0, 0), (188, 189, 34), (23, 190, 207)]


def _grid_box(box, name, canvas):
    """``box`` as a tuple of 4 ints (x1, y1, x2, y2) with an area, on the canvas."""
    try:
        values = list(box)
    except TypeError:
        values = None
    if (isinstance(box, (str, bytes)) or values is None or len(values) != 4
            or any(isinstance(v, bool) or not isinstance(v, Integral) for v in values)):
        raise TypeError(f"{name} must be 4 ints (x1, y1, x2, y2), got {box!r}")
    x1, y1, x2, y2 = (int(v) for v in values)
    if not (x1 < x2 and y1 < y2):
        raise ValueError(f"{name} = {(x1, y1, x2, y2)} needs x1 < x2 and y1 < y2 (a box with "
                         f"an area); an (x, y, w, h) box is (x, y, x + w, y + h)")
    if min(x1, y1) < 0 or max(x2, y2) > canvas:
        raise ValueError(f"{name} = {(x1, y1, x2, y2)} must lie on the {canvas}x{canvas} grid: "
                         f"0 <= x1 < x2 <= {canvas} and 0 <= y1 < y2 <= {canvas}")
    return x1, y1, x2, y2


# --------------------------------------------------------------------------- IoU
@dataclass
class IoUState:
    """What the IoU explorer shows for two boxes.

    Attributes:
        box_a, box_b: the boxes, (x1, y1, x2, y2) ints.
        overlap: the intersection as a box (x1, y1, x2, y2), or None if the boxes do not
            overlap (boxes that only touch do not).
        area_a, area_b: their areas, width * height.
        intersection: the area of "A and B"; union: the area of "A or B",
            area_a + area_b - intersection (the overlap would otherwise count twice).
        iou: intersection / union, from :func:`cnn_lib.detection.box_iou`.
        canvas: the side of the grid.
        text: the numbers in one line, e.g. "intersection 4·4 = 16, union 48 + 36 − 16 = 68,
            IoU = 16/68 = 0.24".
    """

    box_a: tuple
    box_b: tuple
    overlap: tuple
    area_a: int
    area_b: int
    intersection: int
    union: int
    iou: float
    canvas: int
    text: str


def iou_update(box_a=BOX_A, box_b=BOX_B, canvas=CANVAS):
    """The update function of the IoU explorer.

    Parameters
    ----------
    box_a, box_b : 4 ints (x1, y1, x2, y2) with x1 < x2 and y1 < y2, on the grid
    canvas : int, the side of the square grid (0 <= x, y <= canvas)

    Returns
    -------
    IoUState
    """
    canvas = check_int(canvas, "canvas", low=1, high=100)
    a, b = _grid_box(box_a, "box_a", canvas), _grid_box(box_b, "box_b", canvas)
    area_a, area_b = (int(v) for v in detection.box_area([a, b]))
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    overlap = (x1, y1, x2, y2) if x1 < x2 and y1 < y2 else None
    width, height = (x2 - x1, y2 - y1) if overlap else (0, 0)
    intersection = width * height
    union = area_a + area_b - intersection
    iou = float(detection.box_iou(a, b)[0, 0])
    inter = f"{width}·{height} = {intersection}" if overlap else "0 (no overlap)"
    text = (f"intersection {inter}, union {area_a} + {area_b} − {intersection} = {union}, "
            f"IoU = {intersection}/{union} = {iou:.2f}")
    return IoUState(a, b, overlap, area_a, area_b, intersection, union, iou, canvas, text)


# --------------------------------------------------------------------------- drawing helpers
def _grid(canvas, origin, extent, cell, labels=True):
    """Light grid lines every cell, darker every 5, and coordinates every 5 along the top and
    left; ``extent`` = (x_min, y_min, x_max, y_max) in grid units, drawn from ``origin``."""
    ox, oy = origin
    x0, y0, x1, y1 = extent
    for x in range(x0, x1 + 1):
        color = COLORS["grid5"] if x % 5 == 0 else COLORS["grid"]
        canvas.line((ox + (x - x0) * cell, oy, ox + (x - x0) * cell, oy + (y1 - y0) * cell),
                    color)
        if labels and x % 5 == 0:
            canvas.text((ox + (x - x0) * cell, oy - 3), str(x), SMALL, RGB["pad_text"],
                        anchor="mb")
    for y in range(y0, y1 + 1):
        color = COLORS["grid5"] if y % 5 == 0 else COLORS["grid"]
        canvas.line((ox, oy + (y - y0) * cell, ox + (x1 - x0) * cell, oy + (y - y0) * cell),
                    color)
        if labels and y % 5 == 0:
            canvas.text((ox - 3, oy + (y - y0) * cell), str(y), SMALL, RGB["pad_text"],
                        anchor="rm")


def _outline(canvas, origin, mask, cell, color, width):
    """Draw the boundary of the cells where ``mask`` (rows, cols) is True."""
    ox, oy = origin
    m = np.pad(mask, 1)
    half = width / 2
    for r, c in zip(*np.nonzero(m[1:-1, 1:] != m[1:-1, :-1])):  # an edge at x = c, row r
        x = ox + c * cell
        canvas.line((x, oy + r * cell - half, x, oy + (r + 1) * cell + half), color, width)
    for r, c in zip(*np.nonzero(m[1:, 1:-1] != m[:-1, 1:-1])):  # an edge at y = r, column c
        y = oy + r * cell
        canvas.line((ox + c * cell - half, y, ox + (c + 1) * cell + half, y), color, width)


def _dashed_rectangle(canvas, box, color, width=1, dash=4):
    """A rectangle (x1, y1, x2, y2), drawn with dashes ``dash`` units long."""
    x1, y1, x2, y2 = box
    for a, b in (((x1, y1), (x2, y1)), ((x2, y1), (x2, y2)), ((x2, y2), (x1, y2)),
                 ((x1, y2), (x1, y1))):
        length = max(abs(b[0] - a[0]), abs(b[1] - a[1]))
        for start in np.arange(0, length, 2 * dash):
            end = min(start + dash, length)
            p = [a[k] + (b[k] - a[k]) * start / length for k in (0, 1)]
            q = [a[k] + (b[k] - a[k]) * end / length for k in (0, 1)]
            canvas.line((*p, *q), color, width)


# --------------------------------------------------------------------------- IoU drawing
def iou_image(state, title=True, cell=14, scale=1.0):
    """A ``PIL.Image`` of ``state``: the grid with box A (blue) and box B (orange), their
    intersection shaded purple and their union outlined in black; on the right a legend with
    the areas and a bar showing the IoU between 0 and 1 (the usual match threshold 0.5 marked).
    ``scale``: pixels per layout unit.
    """
    if not isinstance(state, IoUState):
        raise TypeError(f"state must be an IoUState (from iou_update), "
                        f"got {type(state).__name__}")
    cell = check_int(cell, "cell", low=4, high=40)
    s, n = state, state.canvas
    top = 44 if title else 22
    (left, legend), right = panel_row([n * cell, 230], left=MARGIN + 18)
    width = max(right + MARGIN, lines_width([s.text]) if title else 0)
    canvas = Canvas(width, top + n * cell + MARGIN, scale)
    if title:
        canvas.text((MARGIN, 6), s.text)
    _draw_boxes(canvas, s, (left, top), cell)
    _draw_iou_legend(canvas, s, legend, top)
    return canvas.finish()


def _draw_boxes(canvas, s, origin, cell):
    """Boxes A and B on the grid: their intersection shaded, their union outlined."""
    left, top = origin

    def pixels(box):
        return (left + box[0] * cell, top + box[1] * cell, left + box[2] * cell,
                top + box[3] * cell)

    canvas.rectangle(pixels(s.box_a), fill=COLORS["a"])
    canvas.rectangle(pixels(s.box_b), fill=COLORS["b"])
    if s.overlap:
        canvas.rectangle(pixels(s.overlap), fill=COLORS["both"])
    _grid(canvas, origin, (0, 0, s.canvas, s.canvas), cell)
    for box, edge in ((s.box_a, COLORS["a_edge"]), (s.box_b, COLORS["b_edge"])):
        x1, y1, x2, y2 = pixels(box)
        canvas.rectangle((x1 + 2, y1 + 2, x2 - 2, y2 - 2), outline=edge, width=2)
    union = np.zeros((s.canvas, s.canvas), dtype=bool)
    for x1, y1, x2, y2 in (s.box_a, s.box_b):
        union[y1:y2, x1:x2] = True
    _outline(canvas, origin, union, cell, COLORS["union"], 3)
    for box, name, edge in ((s.box_a, "A", COLORS["a_edge"]), (s.box_b, "B", COLORS["b_edge"])):
        x1, y1, x2, y2 = pixels(box)
        canvas.text((x1 + 5, y1 + 3), name, fill=edge)


def _draw_iou_legend(canvas, s, lx, ly):
    """Swatches with the areas, then the IoU and its bar from 0 to 1 (0.5 marked)."""
    (ax1, ay1, ax2, ay2), (bx1, by1, bx2, by2) = s.box_a, s.box_b
    rows = [(COLORS["a"], COLORS["a_edge"], f"box A: {ax2 - ax1}·{ay2 - ay1} = {s.area_a}"),
            (COLORS["b"], COLORS["b_edge"], f"box B: {bx2 - bx1}·{by2 - by1} = {s.area_b}"),
            (COLORS["both"], COLORS["both"], f"A ∩ B (shaded): {s.intersection}"),
            (RGB["background"], COLORS["union"], f"A ∪ B (outlined): {s.union}")]
    for k, (fill, edge, label) in enumerate(rows):
        y = ly + 22 * k
        canvas.rectangle((lx, y, lx + 14, y + 14), fill=fill, outline=edge, width=2)
        canvas.text((lx + 22, y + 7), label, anchor="lm")
    y = ly + 22 * len(rows) + 12
    canvas.text((lx, y), f"IoU = {s.intersection}/{s.union} = {s.iou:.2f}", 16)
    bar_top, bar_width = y + 28, 180
    canvas.rectangle((lx, bar_top, lx + bar_width, bar_top + 14), outline=RGB["line"])
    if s.iou > 0:
        canvas.rectangle((lx, bar_top, lx + round(bar_width * s.iou), bar_top + 14),
                         fill=COLORS["both"], outline=RGB["line"])
    for value in (0, 0.5, 1):
        x = lx + round(bar_width * value)
        canvas.line((x, bar_top - 3, x, bar_top + 17), RGB["text"])
        canvas.text((x, bar_top + 19), f"{value:g}", anchor="mt")
    verdict = "a match at threshold 0.5" if s.iou >= 0.5 else "no match at threshold 0.5"
    canvas.text((lx, bar_top + 38), verdict, fill=RGB["pad_text"])


def render_iou_png(state):
    """PNG bytes of :func:`iou_image` (no title: the explorer's caption has the numbers)."""
    return png_bytes(iou_image(state, title=False))


def iou_animation(box_a=BOX_A, size=(6, 6), y=7, interval=600):
    """The kernel-free twin: box B (``size`` = (width, height), top edge at ``y``) slides from
    the left edge of the grid to the right edge, one cell per frame, across box A; the IoU
    rises from 0 to its peak and falls back. Show it with ``plot.animation_html(anim, alt=...)``.
    """
    interval = check_int(interval, "interval", low=1)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"size must be (width, height), got {size!r}")
    bw = check_int(size[0], "size[0] (width)", low=1, high=CANVAS)
    bh = check_int(size[1], "size[1] (height)", low=1, high=CANVAS)
    y = check_int(y, "y", low=0, high=CANVAS - bh)
    states = [iou_update(box_a, (x, y, x + bw, y + bh)) for x in range(CANVAS - bw + 1)]
    frames = scaled_frames(lambda k, scale: iou_image(states[k], scale=scale), len(states))
    return image_animation(frames, interval, colors=16)


# --------------------------------------------------------------------------- IoU explorer
class IoUExplorer(UnrunRepr, w.VBox):
    """Live IoU explorer; build it with :func:`iou_explorer`.

    Attributes: the sliders ``x``, ``y``, ``width`` and ``height`` (box B as (x, y, w, h); box
    B always stays on the grid), ``view`` (``Image``), ``caption`` (``HTML``), ``state`` (the
    last :class:`IoUState`), ``box_a`` (fixed).
    """

    title = "IoU explorer"

    def __init__(self, box_a, box_b, canvas):
        super().__init__()
        self.box_a, self.canvas = box_a, canvas
        x1, y1, x2, y2 = box_b
        style = {"description_width": "80px"}
        self.x = w.IntSlider(x1, 0, canvas - (x2 - x1), description="B: x", style=style)
        self.y = w.IntSlider(y1, 0, canvas - (y2 - y1), description="B: y", style=style)
        self.width = w.IntSlider(x2 - x1, 1, canvas - x1, description="B: width", style=style)
        self.height = w.IntSlider(y2 - y1, 1, canvas - y1, description="B: height", style=style)
        self.view, self.caption = image_view(), w.HTML()
        self.state = None
        for slider in (self.x, self.y, self.width, self.height):
            slider.observe(lambda change: self.update(), names="value")
        self.children = [wrapping_row([w.VBox([self.x, self.y]),
                                       w.VBox([self.width, self.height])]),
                         self.view, self.caption]
        self.update()

    def update(self):
        """Recompute :func:`iou_update` from the sliders and redraw; returns the state."""
        x, y, bw, bh = self.x.value, self.y.value, self.width.value, self.height.value
        # x + width <= canvas always: each slider's range leaves room for the other
        self.x.max, self.width.max = self.canvas - bw, self.canvas - x
        self.y.max, self.height.max = self.canvas - bh, self.canvas - y
        self.state = iou_update(self.box_a, (x, y, x + bw, y + bh), self.canvas)
        self.view.value = render_iou_png(self.state)
        s = self.state
        self.caption.value = (f"Box A = {s.box_a}, box B = {s.box_b} (x1, y1, x2, y2): "
                              f"{s.text}.")
        return s


def iou_explorer(box_a=BOX_A, box_b=BOX_B, canvas=CANVAS):
    """A live explorer: move and resize box B with sliders over the fixed box A and watch the
    intersection (shaded), the union (outlined) and IoU = intersection / union change.

    ``box_a``, ``box_b``: (x1, y1, x2, y2) ints on a ``canvas`` x ``canvas`` grid. Returns an
    :class:`IoUExplorer`. Its static twin: :func:`iou_animation`.
    """
    state = iou_update(box_a, box_b, canvas)  # refuse bad input now
    return IoUExplorer(state.box_a, state.box_b, state.canvas)


# --------------------------------------------------------------------------- NMS
def nms_example():
    """Ten candidate boxes with scores around three objects, as a detector might return them.

    Returns ``(boxes, scores)``: float arrays of shape (10, 4) ('xyxy' on a 24x24 grid) and
    (10,). Boxes 0-3 surround object 1 (top left), boxes 4-6 object 2 (top right), boxes 7-8
    object 3 (just below and right of object 2, overlapping it a little); box 9 (score 0.30) is
    a false alarm. Fixed numbers (no randomness), chosen so that each threshold teaches
    something (``detection.nms(boxes, scores, t)`` keeps):

    - t = 0.1: boxes 0, 4, 9. Object 3 is lost: box 4 suppresses box 7 (IoU 0.12).
    - t = 0.2 or 0.3: 0, 4, 7, 9: one box per object, and the false alarm, which a score
      threshold of 0.4 removes.
    - t = 0.4 or 0.5: 0, 2, 4, 7, 9. Box 2 survives as a duplicate: box 1 overlaps it (IoU
      0.62) but was itself suppressed by box 0, and a suppressed box suppresses nothing.
    - t = 0.6: also 6 and 8; t >= 0.7: all ten (no pair overlaps more than 0.69).
    """
    table = [  # x1, y1, x2, y2, score
        (2, 2, 10, 10, 0.95), (3, 3, 11, 11, 0.85), (4, 4, 12, 12, 0.70), (1, 3, 9, 10, 0.60),
        (13, 3, 19, 12, 0.90), (14, 4, 20, 12, 0.75), (12, 2, 18, 11, 0.55),
        (17, 6, 23, 15, 0.80), (16, 7, 22, 16, 0.65),
        (4, 17, 9, 21, 0.30),
    ]
    table = np.array(table, dtype=float)
    return table[:, :4], table[:, 4]


@dataclass
class NMSState:
    """What the NMS explorer shows for one threshold.

    Attributes:
        boxes: (N, 4) 'xyxy' boxes; scores: (N,) their scores.
        iou_threshold: a kept box suppresses every later box it overlaps with IoU above it.
        score_threshold: boxes scoring below it are dropped before NMS.
        kept: int64 (K,), the kept boxes by decreasing score: ``detection.nms`` of the boxes
            that pass the score threshold (as indices into ``boxes``).
        suppressed_by: {suppressed box: the kept box that suppressed it}, by decreasing score
            of the suppressed box; that kept box is the first one, in score order, whose IoU
            with it is above ``iou_threshold``.
        below_score: int64 indices of the boxes dropped by the score threshold.
        iou: (N, N) IoU of every pair of boxes (``detection.box_iou``).
        order: int64 (N,), all boxes by decreasing score: the order NMS visits them.
        summary: one short line; text: the whole story, one clause per suppressed box.
    """

    boxes: np.ndarray
    scores: np.ndarray
    iou_threshold: float
    score_threshold: float
    kept: np.ndarray
    suppressed_by: dict
    below_score: np.ndarray
    iou: np.ndarray
    order: np.ndarray
    summary: str
    text: str


def nms_update(boxes, scores, iou_threshold=0.5, score_threshold=0.0):
    """The update function of the NMS explorer.

    Parameters
    ----------
    boxes : (N, 4) array of 'xyxy' boxes; scores : (N,) array
    iou_threshold : number in [0, 1]; score_threshold : number (boxes scoring below it are
        dropped first; 0 keeps every box with a score >= 0)

    Returns
    -------
    NMSState
    """
    fn = "nms_update"
    b = detection.as_boxes(boxes, "boxes", fn)
    s = detection.as_scores(scores, len(b), "scores", fn).astype(float)
    t = check_real(iou_threshold, "iou_threshold", fn, 0, 1)
    score_threshold = check_real(score_threshold, "score_threshold", fn)
    candidates = np.flatnonzero(s >= score_threshold)
    kept = candidates[detection.nms(b[candidates], s[candidates], t)]
    iou = detection.box_iou(b, b)
    order = np.argsort(-s, kind="stable")
    suppressed_by = {}
    for j in order:
        if j in candidates and j not in kept:  # the first kept box (by score) above t
            suppressed_by[int(j)] = next(int(k) for k in kept if iou[k, j] > t)
    below = np.setdiff1d(np.arange(len(b)), candidates)
    summary = (f"IoU threshold {t:.2f}, score threshold {score_threshold:.2f}: "
               f"{len(kept)} of {len(b)} boxes kept")
    clauses = [f"{j} by {k} (IoU {iou[k, j]:.2f} > {t:.2f})" for j, k in suppressed_by.items()]
    text = (summary + ": " + (", ".join(f"{k} ({s[k]:.2f})" for k in kept) or "none")
            + ". Suppressed: " + (", ".join(clauses) or "none") + ".")
    if len(below):
        text += (f" Below the score threshold: {', '.join(str(i) for i in below)}.")
    return NMSState(b, s, t, score_threshold, kept, suppressed_by, below, iou, order,
                    summary, text)


def _status(state, i):
    """The table line of box ``i``: kept, suppressed by which box, or dropped."""
    if i in state.suppressed_by:
        k = state.suppressed_by[i]
        return f"suppressed by {k} (IoU {state.iou[k, i]:.2f})"
    return "kept" if i in state.kept else "below score threshold"


def nms_image(state, title=True, cell=12, scale=1.0):
    """A ``PIL.Image`` of ``state``: on a grid, the kept boxes solid (each in its own colour,
    with its number and score), the suppressed boxes dashed in the colour of the box that
    suppressed them, the boxes below the score threshold dotted grey; on the right, every box
    in the order NMS visits them (by decreasing score) with what happened to it. ``scale``:
    pixels per layout unit."""
    if not isinstance(state, NMSState):
        raise TypeError(f"state must be an NMSState (from nms_update), "
                        f"got {type(state).__name__}")
    cell = check_int(cell, "cell", low=4, high=40)
    s = state
    lo = int(np.floor(min(0.0, s.boxes.min(initial=0.0))))
    hi = int(np.ceil(max(1.0, s.boxes.max(initial=1.0))))
    top = 44 if title else 22
    lines = [f"{i}  {s.scores[i]:.2f}  {_status(s, i)}" for i in s.order]
    table = 26 + max([text_width(t) for t in lines] + [240])
    (left, tx), right = panel_row([(hi - lo) * cell, table], gap=20, left=MARGIN + 18)
    height = top + max((hi - lo) * cell, 20 * (len(lines) + 1)) + MARGIN
    canvas = Canvas(right + MARGIN, height, scale)
    if title:
        canvas.text((MARGIN, 6), s.summary)
    _grid(canvas, (left, top), (lo, lo, hi, hi), cell)
    _draw_nms_boxes(canvas, s, (left - lo * cell, top - lo * cell), cell)
    _draw_nms_table(canvas, s, lines, tx, top)
    return canvas.finish()


def _color(i):
    return PALETTE[i % len(PALETTE)]


def _draw_nms_boxes(canvas, s, origin, cell):
    """Kept boxes solid with number and score, suppressed ones dashed in the colour of the
    box that suppressed them, boxes below the score threshold dotted grey."""
    def pixels(i):
        return tuple(o + v * cell for o, v in zip(origin * 2, s.boxes[i]))

    for i in s.below_score:
        _dashed_rectangle(canvas, pixels(i), COLORS["dropped"], dash=2)
    for i, k in s.suppressed_by.items():
        _dashed_rectangle(canvas, pixels(i), _color(k), width=1)
        x1, y1, x2, y2 = pixels(i)
        canvas.text((x2 - 3, y2 - 2), str(i), SMALL, _color(k), anchor="rd")
    for i in s.kept[::-1]:  # highest score drawn last, on top
        x1, y1, x2, y2 = pixels(i)
        canvas.rectangle((x1, y1, x2, y2), outline=_color(i), width=3)
        label = f"{i}: {s.scores[i]:.2f}"
        canvas.rectangle((x1, y1, x1 + text_width(label) + 6, y1 + 16), fill=_color(i))
        canvas.text((x1 + 3, y1 + 1), label, fill=RGB["background"])


def _draw_nms_table(canvas, s, lines, tx, top):
    """Every box in the order NMS visits them, a swatch and what happened to it."""
    canvas.text((tx, top - 18), "by score (the order NMS visits them)")
    for row, (i, line) in enumerate(zip(s.order, lines)):
        y = top + 20 * row + 3
        box = (tx, y, tx + 16, y + 12)
        if i in s.suppressed_by:
            _dashed_rectangle(canvas, box, _color(s.suppressed_by[i]), dash=2)
        elif i in s.kept:
            canvas.rectangle(box, outline=_color(i), width=3)
        else:
            _dashed_rectangle(canvas, box, COLORS["dropped"], dash=2)
        canvas.text((tx + 24, y + 6), line, anchor="lm",
                    fill=RGB["text"] if i in s.kept else RGB["pad_text"])


def render_nms_png(state):
    """PNG bytes of :func:`nms_image` (no title: the explorer's caption says it all)."""
    return png_bytes(nms_image(state, title=False))


def nms_animation(boxes=None, scores=None, thresholds=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
                  score_threshold=0.0, interval=1200):
    """The kernel-free twin: one frame per IoU threshold (default: :func:`nms_example`),
    showing which boxes NMS keeps and which it suppresses. Show it with
    ``plot.animation_html(anim, alt=...)``."""
    if boxes is None and scores is None:
        boxes, scores = nms_example()
    interval = check_int(interval, "interval", low=1)
    if not isinstance(thresholds, (tuple, list)) or not thresholds:
        raise TypeError(f"thresholds must be a non-empty list of numbers in [0, 1], "
                        f"got {thresholds!r}")
    states = [nms_update(boxes, scores, t, score_threshold) for t in thresholds]
    frames = scaled_frames(lambda k, scale: nms_image(states[k], scale=scale), len(states))
    return image_animation(frames, interval, colors=32)


class NMSExplorer(UnrunRepr, w.VBox):
    """Live NMS explorer; build it with :func:`nms_explorer`.

    Attributes: the sliders ``iou_threshold`` and ``score_threshold`` (``FloatSlider``),
    ``view`` (``Image``), ``caption`` (``HTML``), ``state`` (the last :class:`NMSState`).
    """

    title = "Non-maximum suppression explorer"

    def __init__(self, boxes, scores, iou_threshold, score_threshold):
        super().__init__()
        self.boxes, self.scores = boxes, scores
        style = {"description_width": "110px"}
        self.iou_threshold = w.FloatSlider(iou_threshold, min=0.05, max=0.95, step=0.05,
                                           readout_format=".2f", description="IoU threshold",
                                           style=style)
        self.score_threshold = w.FloatSlider(score_threshold, min=0.0, max=0.95, step=0.05,
                                             readout_format=".2f",
                                             description="score threshold", style=style)
        self.view, self.caption = image_view(), w.HTML()
        self.state = None
        for slider in (self.iou_threshold, self.score_threshold):
            slider.observe(lambda change: self.update(), names="value")
        self.children = [wrapping_row([self.iou_threshold, self.score_threshold]), self.view,
                         self.caption]
        self.update()

    def update(self):
        """Recompute :func:`nms_update` from the sliders and redraw; returns the state."""
        self.state = nms_update(self.boxes, self.scores, self.iou_threshold.value,
                                self.score_threshold.value)
        self.view.value = render_nms_png(self.state)
        self.caption.value = self.state.text
        return self.state


def nms_explorer(boxes=None, scores=None, iou_threshold=0.5, score_threshold=0.0):
    """A live explorer: move the IoU threshold (and a score threshold) and see which boxes
    non-maximum suppression keeps (solid) and which it suppresses (dashed, in the colour of the
    box that suppressed them).

    ``boxes`` (N, 4) and ``scores`` (N,): default :func:`nms_example`. Returns an
    :class:`NMSExplorer`. Its static twin: :func:`nms_animation`.
    """
    if boxes is None and scores is None:
        boxes, scores = nms_example()
    state = nms_update(boxes, scores, iou_threshold, score_threshold)  # refuse bad input now
    for name, value, low in (("iou_threshold", state.iou_threshold, 0.05),
                             ("score_threshold", state.score_threshold, 0.0)):
        if not low <= value <= 0.95:
            raise ValueError(f"{name} must be in {low}..0.95 (the slider's range), got {value}")
    return NMSExplorer(state.boxes, state.scores, state.iou_threshold, state.score_threshold)
