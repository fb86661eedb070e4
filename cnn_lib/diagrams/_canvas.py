"""The drawing kit of the diagrams: a canvas measured in inches, labelled boxes, arrows.

The axes fill the figure and its data units are inches (x to the right, y up), so a box of
width 2 is 2 inches wide on the page and a 9 pt line of text is 0.125 inch high: the layout
code can check that its text fits. Every box's text artist and patch share a ``gid``
(``"box:<name>"``), so the tests can find a box's label and check it lies inside the box.
"""

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from cnn_lib.plot import HIGHLIGHT_COLOR

DPI = 80           # the book's figure dpi (cnn_lib.plot): 9 pt = 10 px at natural size
FONT_SIZE = 9      # the smallest text in a diagram, in points
TITLE_SIZE = 11
LINE = 0.16        # inches per line of 9 pt text
PAD = 0.13         # inches of air above and below a box's text
EDGE = "#404040"
COLORS = {         # fill colour per kind of layer (light, so black text reads on all)
    "input": "#ffffff",
    "conv": "#c6dbef",      # light blue: layers with weights that slide
    "fc": "#c7e9c0",        # light green: fully connected
    "pool": "#fdd0a2",      # light orange: pooling (no weights)
    "norm": "#e8e3f3",      # light violet: normalization
    "act": "#f2f2f2",       # light grey: activation
    "merge": "#fff2cc",     # light yellow: concatenation, addition
    "up": "#d9f0f0",        # light teal: upsampling
}


def shape_text(shape):
    """``(64, 56, 56)`` -> ``"64×56×56"`` (C×H×W, the book's order)."""
    return "×".join(str(int(n)) for n in shape)


@dataclass
class Box:
    """A drawn box: centre (x, y), width w and height h, in inches."""

    x: float
    y: float
    w: float
    h: float
    name: str = ""

    @property
    def top(self):
        return (self.x, self.y + self.h / 2)

    @property
    def bottom(self):
        return (self.x, self.y - self.h / 2)

    @property
    def left(self):
        return (self.x - self.w / 2, self.y)

    @property
    def right(self):
        return (self.x + self.w / 2, self.y)


def box_height(lines):
    """The height (inches) of a box holding ``lines`` lines of text."""
    return LINE * lines + 2 * PAD


class Canvas:
    """A figure of ``width`` x ``height`` inches with one axes in inch units and a title."""

    def __init__(self, width, height, title=None):
        self.width, self.height = width, height
        self.fig = plt.figure(figsize=(width, height), dpi=DPI)
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.axis("off")
        self.boxes = {}
        if title is not None:
            self.ax.text(width / 2, height - 0.08, title, fontsize=TITLE_SIZE,
                         fontweight="bold", ha="center", va="top", gid="title")

    def box(self, name, x, y, w, lines, kind="conv", h=None, bold=True):
        """A rounded box centred at (x, y), ``w`` wide, with ``lines`` of text (the first in
        bold when ``bold``); its height fits the text unless ``h`` is given."""
        h = box_height(len(lines)) if h is None else h
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                               boxstyle="round,pad=0,rounding_size=0.06",
                               facecolor=COLORS[kind], edgecolor=EDGE, linewidth=1.0,
                               gid=f"box:{name}", zorder=2)
        self.ax.add_patch(patch)
        # one text artist per line, LINE apart: the first (the layer) in bold when ``bold``
        n = len(lines)
        for i, line in enumerate(lines):
            self.ax.text(x, y + ((n - 1) / 2 - i) * LINE, line, fontsize=FONT_SIZE,
                         fontweight="bold" if bold and i == 0 else "normal", ha="center",
                         va="center_baseline", gid=f"box:{name}", zorder=3)
        self.boxes[name] = Box(x, y, w, h, name)
        return self.boxes[name]

    def circle(self, name, x, y, symbol="+", r=0.15):
        """A small circle with a symbol in it (an addition, ``+``)."""
        self.ax.add_patch(Circle((x, y), r, facecolor=COLORS["merge"], edgecolor=EDGE,
                                 linewidth=1.0, gid=f"box:{name}", zorder=2))
        self.ax.text(x, y, symbol, fontsize=TITLE_SIZE, fontweight="bold", ha="center",
                     va="center_baseline", gid=f"box:{name}", zorder=3)
        self.boxes[name] = Box(x, y, 2 * r, 2 * r, name)
        return self.boxes[name]

    def arrow(self, *points, color=EDGE, style="-", width=1.1, head=True, name=None):
        """A line through ``points`` ((x, y) pairs, inches) with an arrowhead at the end;
        ``name`` (e.g. ``"conv1->pool1"``) becomes the arrowhead's gid ``"arrow:<name>"``."""
        if len(points) < 2:
            raise ValueError(f"an arrow needs at least 2 points, got {len(points)}")
        for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
            self.ax.plot([x0, x1], [y0, y1], color=color, linestyle=style, linewidth=width,
                         solid_capstyle="butt", zorder=1)
        self.ax.add_patch(FancyArrowPatch(
            points[-2], points[-1], arrowstyle="-|>" if head else "-", mutation_scale=11,
            shrinkA=0, shrinkB=0, color=color, linestyle=style, linewidth=width, zorder=1,
            gid=None if name is None else f"arrow:{name}"))

    def finish(self, margin=0.15):
        """Crop the empty space below the lowest text, box or line (keeping at least
        ``margin`` inches; the height is a whole number of eighths of an inch, 10 px, so
        the figure's size is the same round number on every machine) and return the
        Figure."""
        get_renderer = getattr(self.fig.canvas, "get_renderer", None)  # Agg-based canvases
        renderer = get_renderer() if get_renderer else self.fig._get_renderer()
        artists = [*self.ax.texts, *self.ax.patches, *self.ax.lines]
        lowest = min(a.get_window_extent(renderer).y0 for a in artists) / DPI
        low = self.height - math.ceil((self.height - lowest + margin) * 8) / 8
        self.ax.set_ylim(low, self.height)
        self.fig.set_size_inches(self.width, self.height - low)
        self.height -= low
        return self.fig

    def note(self, x, y, text, ha="center", va="center", color="black", italic=False,
             size=FONT_SIZE, name="note"):
        """Free text (a caption, an arrow's label) at (x, y)."""
        return self.ax.text(x, y, text, fontsize=size, ha=ha, va=va, color=color,
                            fontstyle="italic" if italic else "normal", gid=name,
                            linespacing=1.3, zorder=3)


SKIP_COLOR = HIGHLIGHT_COLOR  # shortcuts and skip connections, in the book's highlight colour
