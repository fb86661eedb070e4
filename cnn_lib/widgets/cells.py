"""What every explorer draws with: PIL pictures of numbered grids, their layout, their PNG
bytes and their animations.

A slider update must redraw in under 100 ms. Matplotlib lays out each number of a grid as a text
artist (about 0.6 ms each), so a 15 x 15 grid with its numbers would take too long; PIL draws the
same picture in a few milliseconds, with matplotlib's own DejaVu Sans font so it matches the
book's other figures.

A new explorer is its update function, its drawing and a few lines of glue:

- :class:`Canvas`: a picture drawn in layout units (pixels at ``scale`` 1), which notes the
  smallest text it draws; :func:`panel_row` places labelled panels side by side;
  :func:`draw_cells` and :func:`cross` draw numbered grids on it;
- :func:`png_bytes` (a PIL picture) and :func:`figure_png_bytes` (a matplotlib figure): the
  PNG an ``ipywidgets.Image`` shows, stamped with the height of its smallest text (the tEXt
  chunk ``cnn_lib:smallest_text_px`` that the book's browser test reads);
- :func:`image_animation`: a list of pictures as an animation with play / step controls for
  the static HTML book (``plot.animation_html``), as wide as the text column;
  :func:`closed_animation`: the same for a figure redrawn by a function;
- :func:`image_view`, :func:`wrapping_row` and :class:`UnrunRepr`: the ipywidgets side.

The readability rule (issue 17): the smallest text is at least ``MIN_TEXT_PX`` (10) pixels
where the picture is shown, and pictures are never wider than the ``COLUMN_PX`` (757) pixels of
the book's text column, so the page never shrinks them (which would shrink their text).
"""

import base64
import functools
import io
import itertools
import pathlib
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

from cnn_lib import plot
from cnn_lib.house_style import STAMP_KEY, stamp_png

RGB = {"input": (198, 219, 239), "padding": (240, 240, 240), "line": (150, 150, 150),
       "frame": (8, 81, 156), "window": (255, 127, 14), "tap": (255, 205, 150),
       "unread": (214, 39, 40), "done": (199, 233, 192), "text": (0, 0, 0),
       "pad_text": (110, 110, 110), "background": (255, 255, 255)}

# Text sizes in pixels at scale 1: every label is at least MIN_TEXT_PX (10) pixels high.
TEXT, SMALL, BIG = 13, 11, 20
MARGIN = 8
ANIMATION_PX = 740  # an animation as wide as the text column (757 px), and no wider
ANIMATION_MAX_HEIGHT = 720  # ... unless that makes it taller than a laptop's screen


@functools.lru_cache(maxsize=64)
def font(size):
    """Matplotlib's DejaVu Sans as a PIL font of ``size`` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


def text_width(text, size=TEXT):
    """The width in pixels of ``text`` drawn ``size`` pixels high (scale 1)."""
    return font(size).getlength(text)


class Canvas:
    """A white picture drawn in layout units: ``scale`` pixels per unit, so one drawing gives
    an explorer's picture (scale 1) and an animation's frames as wide as the text column
    (scale > 1), with crisp text. It notes the smallest text it draws, in pixels.

    ``image`` is the ``PIL.Image``; :meth:`finish` returns it with that size in
    ``image.info[STAMP_KEY]``, which :func:`png_bytes` and :func:`image_animation` read.
    """

    def __init__(self, width, height, scale=1.0):
        from PIL import Image, ImageDraw

        self.scale = float(scale)
        self.image = Image.new("RGB", (self.px(width), self.px(height)), RGB["background"])
        self.draw = ImageDraw.Draw(self.image)
        self.smallest = None

    def px(self, v):
        """Layout units to pixels."""
        return int(round(v * self.scale))

    def _box(self, xy):
        return tuple(self.px(v) for v in xy)

    def text(self, xy, text, size=TEXT, fill=RGB["text"], anchor=None):
        """Write ``text`` at ``xy`` in a font ``size`` units high (``anchor`` as in PIL)."""
        px = max(1, self.px(size))
        self.draw.text(self._box(xy), text, font=font(px), fill=fill, anchor=anchor)
        if str(text).strip():
            self.smallest = px if self.smallest is None else min(self.smallest, px)

    def rectangle(self, box, fill=None, outline=None, width=1):
        self.draw.rectangle(self._box(box), fill=fill, outline=outline,
                            width=max(1, self.px(width)))

    def line(self, xy, fill, width=1):
        self.draw.line(self._box(xy), fill=fill, width=max(1, self.px(width)))

    def paste(self, picture, xy, size):
        """Paste a ``PIL.Image`` at ``xy``, resized (nearest) to ``size`` = (width, height)."""
        from PIL import Image

        w, h = self.px(xy[0] + size[0]) - self.px(xy[0]), self.px(xy[1] + size[1]) - self.px(
            xy[1])
        self.image.paste(picture.resize((w, h), Image.NEAREST).convert("RGB"), self._box(xy))

    def finish(self):
        """The picture, its smallest text (pixels, or "none") in ``info[STAMP_KEY]``."""
        self.image.info[STAMP_KEY] = "none" if self.smallest is None else f"{self.smallest:g}"
        return self.image


def panel_row(widths, labels=(), size=TEXT, gap=24, left=MARGIN):
    """Lay out panels side by side, each as wide as its content or its label, whichever is
    wider (so labels never overlap): returns the panels' left edges and the row's right edge.

    >>> panel_row([40, 60], gap=10, left=0)
    ([0, 50], 110)
    """
    labels = list(labels) + [""] * (len(widths) - len(labels))
    widths = [max(w, text_width(t, size) if t else 0) for w, t in zip(widths, labels)]
    lefts = list(itertools.accumulate([left] + [w + gap for w in widths[:-1]]))
    return lefts, lefts[-1] + widths[-1]


def wrap(text, width, size=TEXT):
    """``text`` broken into lines (at spaces) no wider than ``width`` units."""
    lines = []
    for word in str(text).split(" "):
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def number_size(cell):
    """The size of the numbers in a grid of ``cell``-unit squares: about half a cell, and at
    least 10 (pixels at scale 1)."""
    return max(10, round(cell * 0.45))


def lines_width(lines, size=TEXT, margin=MARGIN):
    """The width a picture needs to show each of ``lines`` on one line, margins included."""
    return 2 * margin + max((text_width(t, size) for t in lines), default=0)


def draw_cells(canvas, origin, values, cell, fill, text_size, text_color, fmt=".0f"):
    """Draw ``values`` (2-D) on ``canvas`` as a grid of ``cell``-unit squares from ``origin``
    (x, y), each with its number ``text_size`` units high.

    ``fill(r, c)`` and ``text_color(r, c)`` give each cell's colours; NaN cells stay blank.
    """
    x0, y0 = origin
    for (r, c), v in np.ndenumerate(values):
        box = (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
        canvas.rectangle(box, fill=fill(r, c), outline=RGB["line"])
        if np.isfinite(v):
            text = format(v, fmt)
            canvas.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                        "0" if text == "-0" else text, text_size, fill=text_color(r, c),
                        anchor="mm")


def cross(canvas, x, y, cell, color, inset=4):
    """An X over the cell whose top-left corner is (x, y)."""
    canvas.line((x + inset, y + inset, x + cell - inset, y + cell - inset), color, width=2)
    canvas.line((x + inset, y + cell - inset, x + cell - inset, y + inset), color, width=2)


def outline_cell(canvas, origin, row, col, cell, rows=1, cols=1, color=RGB["window"],
                 width=3):
    """Outline the ``rows`` x ``cols`` block of cells whose top-left cell is (row, col)."""
    x0, y0 = origin
    canvas.rectangle((x0 + col * cell, y0 + row * cell, x0 + (col + cols) * cell,
                      y0 + (row + rows) * cell), outline=color, width=width)


# --------------------------------------------------------------------------- PNG bytes
def recorded_text_px(image):
    """The smallest text of a picture drawn on a :class:`Canvas` (a float), or None if it has
    none (or was not drawn on one)."""
    value = image.info.get(STAMP_KEY, "none")
    return None if value == "none" else float(value)


def png_bytes(image, smallest_text_px=None, compress_level=1):
    """PNG bytes of a ``PIL.Image``, stamped with a tEXt chunk ``cnn_lib:smallest_text_px``:
    ``smallest_text_px`` (pixels) or, if None, what the picture's :class:`Canvas` noted,
    ``"none"`` for a picture without text. ``compress_level`` 1 (the fastest) suits a slider's
    redraw; an animation's frames, saved in the page, take 6 (a quarter smaller)."""
    from PIL.PngImagePlugin import PngInfo

    if smallest_text_px is None:
        smallest_text_px = recorded_text_px(image)
    info = PngInfo()
    info.add_text(STAMP_KEY, "none" if smallest_text_px is None else f"{smallest_text_px:g}")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=compress_level, pnginfo=info)
    return buf.getvalue()


def figure_png_bytes(fig):
    """PNG bytes of a matplotlib ``fig`` (the explorers that draw with matplotlib), stamped
    like :func:`png_bytes`. The smallest text is measured on the first call and kept on the
    figure: an explorer redraws one figure with the same fonts."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast, as png_bytes
    if not hasattr(fig, "_cnn_lib_text_px"):
        fig._cnn_lib_text_px = plot.smallest_text_px(fig)
    return stamp_png(buf.getvalue(), fig._cnn_lib_text_px)


# --------------------------------------------------------------------------- animations
def closed_animation(fig, draw, frames, interval, colors=None):
    """A ``FuncAnimation`` of ``fig``, ``draw(frame)`` for frame 0 .. ``frames`` - 1, played
    once; the figure is closed, so a notebook shows only what ``plot.animation_html(anim)``
    makes of it. ``colors``: its HTML embeds each frame as a PNG of the ``colors`` colours
    the frames use most (:func:`shared_palette`), stamped with the figure's smallest text,
    instead of matplotlib's full-colour PNGs (a page about half as heavy)."""
    if colors is None:
        return _closed(animation.FuncAnimation(fig, draw, frames=frames, interval=interval,
                                               blit=False, repeat=False))
    return _closed(_PictureAnimation(fig, draw, frames, interval, colors=colors))


def _closed(anim):
    plt.close(anim._fig)
    # Shown with to_jshtml, never plt.show(): skip matplotlib's "Animation was deleted without
    # rendering anything" warning, which would land in a notebook's stderr.
    anim._draw_was_started = True
    return anim


def animation_scale(width, height):
    """The scale at which a ``width`` x ``height`` picture (at scale 1) becomes an animation
    frame as wide as the text column (``ANIMATION_PX``), unless that makes it taller than
    ``ANIMATION_MAX_HEIGHT``; never below 1 (the explorers' pictures are readable at 1)."""
    return max(1.0, min(ANIMATION_PX / width, ANIMATION_MAX_HEIGHT / height))


def scaled_frames(draw, n, sample=8):
    """Frames ``draw(k, scale)`` (PIL pictures drawn on a :class:`Canvas`) for k in 0..n-1,
    all at the scale that makes the largest as wide as the text column
    (:func:`animation_scale`); the largest of ``sample`` frames evenly spread from the first
    to the last, which is enough when frames differ only in a line of text."""
    picks = sorted(set(np.linspace(0, n - 1, min(n, sample)).round().astype(int)))
    sizes = [draw(int(k), 1.0).size for k in picks]
    scale = animation_scale(max(w for w, h in sizes), max(h for w, h in sizes))
    return [draw(k, scale) for k in range(n)]


def shared_palette(frames, colors):
    """A palette image (mode "P") of the ``colors`` colours most used in ``frames`` (RGB
    pictures, a sample of their pixels): the flat fills of a drawing keep their exact colour
    (a light grey stays apart from white, as a quantizer's averaging would not keep it), and
    the soft edges of text go to the nearest of them."""
    from PIL import Image

    pixels = np.concatenate([np.asarray(f).reshape(-1, 3)[::17] for f in frames])
    codes = pixels.astype(np.int32) @ _RGB_CODE
    values, counts = np.unique(codes, return_counts=True)
    top = values[np.argsort(-counts, kind="stable")[:colors]]
    palette = Image.new("P", (1, 1))
    palette.putpalette(np.stack([top >> 16, (top >> 8) & 255, top & 255], 1).astype(
        np.uint8).tobytes())
    return palette


def to_palette(picture, palette):
    """``picture`` (RGB) in the colours of ``palette`` (from :func:`shared_palette`): every
    pixel whose colour is in the palette keeps it exactly (PIL's own mapping goes through a
    coarse colour cache and turned white into 251-grey), the others take a near one."""
    from PIL import Image

    mapped = picture.quantize(palette=palette, dither=Image.Dither.NONE)
    colours = np.frombuffer(bytes(mapped.getpalette()), np.uint8).reshape(-1, 3)
    codes = colours.astype(np.int32) @ _RGB_CODE
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    pixels = np.asarray(picture).astype(np.int32) @ _RGB_CODE
    k = np.searchsorted(ranked, pixels).clip(0, len(ranked) - 1)
    exact = ranked[k] == pixels
    index = np.array(mapped)
    index[exact] = order[k[exact]]
    result = Image.fromarray(index, "P")
    result.putpalette(mapped.getpalette())
    return result


_RGB_CODE = np.array([1 << 16, 1 << 8, 1])


class _PngFrames(animation.HTMLWriter):
    """matplotlib's HTML player, fed PNG bytes instead of drawings of the figure."""

    def add_png(self, png):
        self._saved_frames.append(base64.encodebytes(png).decode("ascii"))


class _PictureAnimation(animation.FuncAnimation):
    """An animation whose ``to_jshtml`` embeds PNGs encoded once by PIL, in few colours: the
    pictures' own (``pngs``, from :func:`image_animation`: no drawing of the figure at all),
    or the figure drawn by ``draw`` for each frame, reduced to ``colors`` colours. The same
    player as matplotlib's, faster and lighter."""

    def __init__(self, fig, draw, frames, interval, pngs=None, colors=256):
        super().__init__(fig, draw, frames=frames, interval=interval, blit=False, repeat=False)
        self._pngs, self._colors, self._count = pngs, colors, frames

    def _frame_pngs(self):
        if self._pngs is not None:
            return self._pngs
        from PIL import Image

        pictures = []
        for frame in range(self._count):
            self._func(frame)
            buf = io.BytesIO()
            self._fig.savefig(buf, format="png", dpi=self._fig.dpi, bbox_inches=None)
            pictures.append(Image.open(buf).convert("RGB"))
        palette = shared_palette(pictures, self._colors)
        px = plot.smallest_text_px(self._fig)
        return [png_bytes(to_palette(p, palette), px, compress_level=6) for p in pictures]

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None):
        if not embed_frames:
            return super().to_jshtml(fps, embed_frames, default_mode)
        if not hasattr(self, "_html_representation"):
            pngs = self._frame_pngs()
            writer = _PngFrames(fps=1000 / self._interval if fps is None else fps,
                                embed_frames=True, default_mode=default_mode or "once")
            with tempfile.TemporaryDirectory() as folder:
                path = pathlib.Path(folder, "animation.html")
                writer.setup(self._fig, path, dpi=self._fig.dpi)
                for png in pngs:
                    writer.add_png(png)
                writer.finish()
                self._html_representation = path.read_text()
        return self._html_representation


def image_animation(frames, interval, dpi=72, colors=None):
    """An animation that shows a list of PIL images, pixel for pixel, with play / step
    controls once shown with ``plot.animation_html(anim)`` (its figure is closed). Frames
    narrower or lower than the largest (a caption of another length, say) are padded on the
    right and at the bottom with the background colour; ``colors``: reduce the frames to the
    ``colors`` colours they use most (:func:`shared_palette`: a lighter page). The smallest
    text of the frames (as their :class:`Canvas` noted it) is noted on the figure
    (``plot.note_raster_text``) and stamped on each frame.
    """
    from PIL import Image

    width, height = max(f.size[0] for f in frames), max(f.size[1] for f in frames)
    text_px = [px for px in map(recorded_text_px, frames) if px is not None]
    padded = []
    for f in frames:
        canvas = Image.new("RGB", (width, height), RGB["background"])
        canvas.paste(f, (0, 0))
        padded.append(canvas)
    if colors:
        palette = shared_palette(padded, colors)
        padded = [to_palette(f, palette) for f in padded]
    smallest = min(text_px) if text_px else None
    pngs = [png_bytes(f, smallest, compress_level=6) for f in padded]
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    if smallest is not None:
        plot.note_raster_text(fig, smallest)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    shown = ax.imshow(np.asarray(padded[0].convert("RGB")), interpolation="nearest")

    def draw(frame):
        shown.set_data(np.asarray(padded[frame].convert("RGB")))
        return [shown]

    return _closed(_PictureAnimation(fig, draw, len(frames), interval, pngs=pngs))


def figure_dpi(width_inches, target=ANIMATION_PX, most=100):
    """The dpi that draws a figure ``width_inches`` wide ``target`` pixels wide (at most
    ``most``): a matplotlib explorer or animation as wide as the text column, never wider."""
    return min(most, target / width_inches)


# --------------------------------------------------------------------------- ipywidgets
def image_view():
    """An ``ipywidgets.Image`` for an explorer's picture, shown at its natural size.

    A ``VBox`` stretches its children to its own width, which blew a 518-pixel picture up to
    the 753-pixel text column and blurred it; ``align_self`` keeps the picture's own width,
    and ``max_width`` shrinks it (never enlarges it) on a narrow screen.
    """
    import ipywidgets as w

    return w.Image(format="png", layout=w.Layout(width="auto", max_width="100%",
                                                 align_self="flex-start"))


def wrapping_row(children):
    """An ``ipywidgets.HBox`` whose children wrap onto the next line when the row is too
    narrow (controls above the picture on a phone, instead of the picture covering them)."""
    import ipywidgets as w

    return w.HBox(children, layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))


class UnrunRepr:
    """Mixin for the explorers: what a notebook shows where the widget cannot be drawn.

    A widget output carries a plain-text twin of its view, the object's ``repr``; a notebook
    opened before it runs (or untrusted, as on Colab and Binder) shows that text instead of
    the explorer. Python's default, ``PoolingExplorer(children=(VBox(...``, says nothing to a
    reader; this says what the cell holds and what to do. Set ``title`` in the subclass.
    """

    title = "An interactive explorer"

    def __repr__(self):
        return f"{self.title}: run this cell (Jupyter, Colab or Binder) to use it."

