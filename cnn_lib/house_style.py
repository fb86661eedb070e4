"""The book's house style for figures, and the stamp that lets a test check it.

``use_house_style()`` sets matplotlib's sizes (dpi, fonts, default width, colour map) once per
chapter, and makes every figure a notebook shows carry, inside its PNG, the height in pixels of
its smallest text: a tEXt chunk with the keyword ``cnn_lib:smallest_text_px`` (``"none"`` for a
figure without text). The book's browser test reads that stamp from each picture on the page and
scales it by the picture's shown width over its natural width, so it can say whether the smallest
text a reader sees is at least ``MIN_TEXT_PX`` CSS pixels on a 1366 px wide page, whose output
column is ``COLUMN_PX`` wide.

Rule of thumb at the house dpi (100): 1 pt = 1.39 px, so 8 pt is the smallest font a figure may
use, and a figure up to ``COLUMN_PX`` wide is shown at its natural size.
"""

import base64
import io
import struct
import zlib

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

__all__ = [
    "COLUMN_PX",
    "HOUSE_STYLE",
    "MIN_TEXT_PX",
    "STAMP_KEY",
    "figure_png",
    "note_raster_text",
    "read_stamp",
    "smallest_text_px",
    "stamp_data_uri",
    "stamp_png",
    "use_house_style",
]

COLUMN_PX = 757  # width of a notebook output in the book's text column, on a 1366 px page
MIN_TEXT_PX = 10  # the smallest text a reader should have to read, in CSS pixels
STAMP_KEY = "cnn_lib:smallest_text_px"

HOUSE_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": "figure",
    "figure.figsize": (7.2, 3.6),  # 720 px wide: inside the column, never shrunk
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 12,
    "image.cmap": "gray",  # images: sequential grey; signed data: plot.SIGNED_CMAP (RdBu_r)
    "image.interpolation": "nearest",  # a pixel stays a square
}

_RASTER_TEXT = "_cnn_lib_raster_text_px"


class _TextRecorder(RendererAgg):
    """An Agg renderer that notes the size (in points) of every text it draws; with
    ``pixels=False`` it draws nothing else, which is all ``smallest_text_px`` needs."""

    def __init__(self, width, height, dpi, pixels=True):
        super().__init__(width, height, dpi)
        self.points = []
        if not pixels:
            for method in ("draw_path", "draw_markers", "draw_path_collection", "draw_image",
                           "draw_quad_mesh", "draw_gouraud_triangles"):
                setattr(self, method, self._skip)
        self._pixels = pixels

    def _skip(self, *args, **kwargs):
        pass

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            self.points.append(prop.get_size_in_points())
        if self._pixels:
            super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

    def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
        if str(s).strip():
            self.points.append(prop.get_size_in_points())
        if self._pixels:
            super().draw_tex(gc, x, y, s, prop, angle, mtext=mtext)


class _RecordingCanvas(FigureCanvasAgg):
    """Agg's canvas, drawing with a ``_TextRecorder``: one draw gives the PNG and the sizes."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _TextRecorder(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def _check_figure(fig, fn):
    if not isinstance(fig, Figure):
        raise TypeError(f"{fn}: fig must be a matplotlib Figure, got {type(fig).__name__}")


def note_raster_text(fig, px):
    """Record that ``fig`` shows text drawn into an image (e.g. PIL frames), ``px`` pixels high
    at the figure's dpi, so that ``smallest_text_px`` counts it. Returns ``fig``."""
    _check_figure(fig, "note_raster_text")
    if isinstance(px, bool) or not isinstance(px, (int, float)) or not px > 0:
        raise ValueError(f"note_raster_text: px must be a positive number, got {px!r}")
    setattr(fig, _RASTER_TEXT, min(float(px), getattr(fig, _RASTER_TEXT, float("inf"))))
    return fig


def smallest_text_px(fig, dpi=None):
    """Height in pixels of the smallest text ``fig`` draws at ``dpi`` (default: its own), or
    ``None`` when it draws no text. Counts what is drawn (hidden axes and empty labels are not),
    and text noted with ``note_raster_text``."""
    _check_figure(fig, "smallest_text_px")
    dpi = fig.dpi if dpi is None else float(dpi)
    width, height = fig.get_size_inches() * fig.dpi
    recorder = _TextRecorder(max(int(width), 1), max(int(height), 1), fig.dpi, pixels=False)
    fig.draw(recorder)
    return _smallest(fig, recorder.points, dpi, fig.dpi)


def _smallest(fig, points, dpi, figure_dpi):
    sizes = [pt * dpi / 72 for pt in points]
    raster = getattr(fig, _RASTER_TEXT, None)
    if raster is not None:
        sizes.append(raster * dpi / figure_dpi)
    return round(min(sizes), 2) if sizes else None


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def stamp_png(png, px):
    """``png`` (bytes) with a tEXt chunk saying its smallest text is ``px`` pixels high (a
    number, or None for no text), put right after the header; an older stamp is replaced."""
    if not isinstance(png, (bytes, bytearray)) or png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("stamp_png: png must be the bytes of a PNG file")
    value = "none" if px is None else f"{float(px):g}"
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, end = png[pos + 4:pos + 8], pos + 12 + length
        if not (kind == b"tEXt" and png[pos + 8:end - 4].startswith(STAMP_KEY.encode() + b"\0")):
            chunks.append(bytes(png[pos:end]))
        pos = end
    stamp = _chunk(b"tEXt", STAMP_KEY.encode() + b"\0" + value.encode())
    return b"\x89PNG\r\n\x1a\n" + chunks[0] + stamp + b"".join(chunks[1:])


def read_stamp(png):
    """The stamp of ``png`` (bytes): a float, ``"none"``, or None when it carries no stamp."""
    pos = 8
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"tEXt" and data.startswith(STAMP_KEY.encode() + b"\0"):
            value = data.split(b"\0", 1)[1].decode()
            return value if value == "none" else float(value)
        pos += 12 + length
    return None


def figure_png(fig, **savefig_kwargs):
    """``fig`` as PNG bytes (tight bounding box, as notebooks show it), stamped."""
    _check_figure(fig, "figure_png")
    savefig_kwargs.setdefault("bbox_inches", "tight")
    buffer, shown_on = io.BytesIO(), fig.canvas
    canvas = _RecordingCanvas(fig)  # the figure's canvas until put back below
    try:
        canvas.print_figure(buffer, format="png", **savefig_kwargs)
    finally:
        fig.set_canvas(shown_on)
    points = canvas.renderer.points if hasattr(canvas, "renderer") else []
    dpi = savefig_kwargs.get("dpi") or fig.dpi
    return stamp_png(buffer.getvalue(), _smallest(fig, points, dpi, fig.dpi))


def stamp_data_uri(uri, px):
    """A ``data:image/png;base64,...`` URI with its PNG stamped (see ``stamp_png``)."""
    head, _, data = uri.partition(",")
    return head + "," + base64.b64encode(stamp_png(base64.b64decode(data), px)).decode()


def use_house_style():
    """Set the house style (``HOUSE_STYLE``) and, inside IPython, show every figure as a stamped
    PNG (the browser test's check of text sizes). Call once, in a chapter's import cell."""
    mpl.rcParams.update(HOUSE_STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: the style alone
        return
    shell = get_ipython()
    if shell is not None:
        if "inline" in mpl.get_backend(auto_select=False):
            # load it now: loading the inline backend registers its own PNG printer
            import matplotlib_inline.backend_inline  # noqa: F401
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type(Figure, lambda fig: figure_png(fig) if fig.axes or fig.texts else None)
