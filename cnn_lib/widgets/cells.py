"""Small grids of numbered cells drawn with PIL, shared by the explorers.

A slider update must redraw in under 100 ms. Matplotlib lays out each number of a grid as a text
artist (about 0.6 ms each), so a 15 x 15 grid with its numbers would take too long; PIL draws the
same picture in a few milliseconds, with matplotlib's own DejaVu Sans font so it matches the
book's other figures. :func:`image_animation` turns a list of such pictures into a matplotlib
animation with play / step controls (``plot.animation_html``) for the static HTML book.
"""

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

RGB = {"input": (198, 219, 239), "padding": (240, 240, 240), "line": (150, 150, 150),
       "frame": (8, 81, 156), "window": (255, 127, 14), "tap": (255, 205, 150),
       "unread": (214, 39, 40), "done": (199, 233, 192), "text": (0, 0, 0),
       "pad_text": (128, 128, 128), "background": (255, 255, 255)}


@functools.lru_cache(maxsize=16)
def font(size):
    """Matplotlib's DejaVu Sans as a PIL font of ``size`` pixels."""
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


def draw_cells(draw, origin, values, cell, fill, text_font, text_color, fmt=".0f"):
    """Draw ``values`` (2-D) as a grid of ``cell``-pixel squares from ``origin`` (x, y).

    ``fill(r, c)`` and ``text_color(r, c)`` give each cell's colours; NaN cells stay blank.
    """
    x0, y0 = origin
    for (r, c), v in np.ndenumerate(values):
        box = (x0 + c * cell, y0 + r * cell, x0 + (c + 1) * cell, y0 + (r + 1) * cell)
        draw.rectangle(box, fill=fill(r, c), outline=RGB["line"])
        if np.isfinite(v):
            text = format(v, fmt)
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                      "0" if text == "-0" else text, font=text_font, fill=text_color(r, c),
                      anchor="mm")


def cross(draw, x, y, cell, color, inset=4):
    """An X over the cell whose top-left corner is (x, y)."""
    draw.line((x + inset, y + inset, x + cell - inset, y + cell - inset), fill=color, width=2)
    draw.line((x + inset, y + cell - inset, x + cell - inset, y + inset), fill=color, width=2)


def image_animation(frames, interval, dpi=72):
    """A ``FuncAnimation`` that shows a list of PIL images, pixel for pixel. Frames narrower or
    lower than the largest (a caption of another length, say) are padded on the right and at
    the bottom with the background colour.

    Its figure is closed; show it with ``plot.animation_html(anim)``.
    """
    from PIL import Image

    width, height = max(f.size[0] for f in frames), max(f.size[1] for f in frames)
    padded = []
    for f in frames:
        canvas = Image.new("RGB", (width, height), RGB["background"])
        canvas.paste(f, (0, 0))
        padded.append(canvas)
    frames = padded
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    shown = ax.imshow(np.asarray(frames[0]), interpolation="nearest")

    def draw(frame):
        shown.set_data(np.asarray(frames[frame]))
        return [shown]

    anim = animation.FuncAnimation(fig, draw, frames=len(frames), interval=interval,
                                   blit=False, repeat=False)
    plt.close(fig)
    anim._draw_was_started = True  # shown with to_jshtml, never plt.show() (see plot.py)
    return anim


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
