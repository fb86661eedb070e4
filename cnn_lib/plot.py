"""Figures in the book's style: matrices with their numbers, image grids, sliding windows.

Conventions (STYLE.md, Figures):

- images in grey (``cmap="gray"``);
- signed data (kernels, feature maps, edge responses) in the diverging map ``RdBu_r``
  centred at zero (``vmin = -vmax``), so white means 0, red positive and blue negative;
- small matrices drawn as a grid with their numbers in the cells, the current window outlined;
- the house style (``use_house_style``, from ``cnn_lib.house_style``): 100 dpi, text of at least
  8 pt (11 px), figures no wider than the book's text column, so nothing is shrunk or enlarged.

Every function returns the matplotlib object it drew (an ``Axes``, a ``Figure`` or a
``FuncAnimation``), so a notebook can add to it.
"""

import re
from html import escape
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation as _animation
from matplotlib import colors as _colors
from matplotlib.patches import Rectangle
from matplotlib.ticker import NullLocator

from . import checks
from .checks import check_int
from .house_style import (  # noqa: F401  (the house style is part of cnn_lib.plot's API)
    COLUMN_PX,
    MIN_TEXT_PX,
    figure_png,
    note_raster_text,
    smallest_text_px,
    stamp_data_uri,
    use_house_style,
)

__all__ = [
    "animation_html",
    "draw_boxes",
    "show_feature_maps",
    "show_images",
    "show_kernels",
    "show_matrix",
    "sliding_window_animation",
]

HIGHLIGHT_COLOR = "#ff7f0e"  # orange: visible on both the blue and the red end of RdBu_r
SIGNED_CMAP = "RdBu_r"
MATRIX_CMAP = "Blues"


# --------------------------------------------------------------------------- helpers
def as_real_array(x, name, fn=None, ndim=None):
    """``x`` as a float array to draw (bools as 0 and 1), not empty, with ``ndim`` dimensions
    when given: ``checks.as_real_array`` (TypeError / ValueError naming ``name``)."""
    return checks.as_real_array(x, name, fn, ndim, bool_ok=True, empty_ok=False).astype(float)


def _is_signed(a):
    finite = a[np.isfinite(a)]
    return finite.size > 0 and bool(finite.min() < 0)


def _symmetric_limit(a):
    finite = np.abs(a[np.isfinite(a)])
    vmax = float(finite.max()) if finite.size else 1.0
    return vmax if vmax > 0 else 1.0


def formatter(a, fmt):
    """The function that writes a value of ``a`` in its cell: ints without decimals, other
    values rounded to 2 places, or ``fmt`` (e.g. ``".1f"``) when given."""
    if fmt is not None:
        if not isinstance(fmt, str):
            raise TypeError(f"fmt must be a format string such as '.2f' or '{{:.2f}}', got {fmt!r}")
        if "{" in fmt:
            return fmt.format
        return lambda v: format(v, fmt)
    finite = a[np.isfinite(a)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e15:
        return lambda v: f"{v + 0.0:.0f}"  # + 0.0 turns -0 into 0

    def fmt_float(v):
        text = f"{v:.2f}"
        return "0" if text in ("0.00", "-0.00") else text

    return fmt_float


def _text_color(rgba):
    r, g, b = rgba[:3]
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.5 else "white"


# --------------------------------------------------------------------------- matrices
def _check_highlight(highlight, H, W):
    """``highlight`` as ints (row, col, height, width) of a window inside an H x W matrix."""
    if not isinstance(highlight, (tuple, list)) or len(highlight) != 4:
        raise TypeError(
            f"highlight must be a tuple (row, col, height, width), got {highlight!r}")
    names = ("row", "col", "height", "width")
    r, c, h, w = (check_int(v, f"highlight {n}", low=None)
                  for v, n in zip(highlight, names))
    if h < 1 or w < 1:
        raise ValueError(f"highlight height and width must be >= 1, got {h} x {w}")
    if r < 0 or c < 0 or r + h > H or c + w > W:
        raise ValueError(
            f"highlight={tuple(highlight)!r} covers rows {r}..{r + h - 1} and columns "
            f"{c}..{c + w - 1}, outside the {H}x{W} matrix A (rows 0..{H - 1}, "
            f"columns 0..{W - 1})")
    return r, c, h, w


def _write_numbers(ax, A, text_of, fontsize, cmap, norm):
    """Each finite value of ``A`` written in its cell, dark or light to stand out from it."""
    for (i, j), v in np.ndenumerate(A):
        if np.isfinite(v):
            ax.text(j, i, text_of(v), ha="center", va="center", fontsize=fontsize,
                    color=_text_color(cmap(norm(v))))


def _draw_grid(ax, H, W):
    """Cell borders as two line collections (much faster to draw than a grid of ticks)."""
    ax.set_axis_off()
    ax.xaxis.set_major_locator(NullLocator())  # no ticks to lay out when placing the title
    ax.yaxis.set_major_locator(NullLocator())
    ax.vlines(np.arange(-0.5, W, 1), -0.5, H - 0.5, color="0.55", linewidth=0.8, clip_on=False)
    ax.hlines(np.arange(-0.5, H, 1), -0.5, W - 0.5, color="0.55", linewidth=0.8, clip_on=False)


def show_matrix(A, ax=None, title=None, highlight=None, fmt=None, cmap=None, fontsize=None,
                colorbar=False):
    """Draw a small matrix as a grid of coloured cells with its numbers written in them.

    Parameters
    ----------
    A : array-like, shape (H, W)
        Real numbers. NaN cells are left blank (e.g. outputs not computed yet).
    ax : matplotlib Axes, optional
        Where to draw; a new small figure if None.
    title : str, optional
    highlight : tuple (row, col, height, width), optional
        A window to outline with a thick orange rectangle; it must lie inside ``A``.
    fmt : str, optional
        Format for the numbers, e.g. ``".1f"`` or ``"{:.1f}"``. Default: ints without
        decimals, other values rounded to 2 decimals.
    cmap : str or Colormap, optional
        Default ``RdBu_r`` centred at zero when ``A`` has negative values, else a light ``Blues``.
    fontsize : float, optional
        Size of the numbers; default shrinks with the matrix size.
    colorbar : bool
        Add a colour bar.

    Returns
    -------
    matplotlib.axes.Axes
    """
    A = as_real_array(A, "A", ndim=2)
    H, W = A.shape
    if highlight is not None:
        r, c, h, w = _check_highlight(highlight, H, W)
    if fontsize is not None and (isinstance(fontsize, bool) or not isinstance(fontsize, Real)
                                 or fontsize <= 0):
        raise ValueError(f"fontsize must be a positive number, got {fontsize!r}")
    if not isinstance(colorbar, bool):
        raise TypeError(f"colorbar must be True or False, got {colorbar!r}")

    if ax is None:
        side = 0.45
        extra = 0.9 if colorbar else 0.0
        _, ax = plt.subplots(figsize=(max(1.6, side * W + 0.6) + extra, max(1.4, side * H + 0.5)))
    signed = _is_signed(A)
    if signed:
        vmax = _symmetric_limit(A)
        norm = _colors.Normalize(-vmax, vmax)
        cmap = plt.get_cmap(cmap or SIGNED_CMAP)
    else:
        finite = A[np.isfinite(A)]
        top = float(finite.max()) if finite.size else 1.0
        top = top if top > 0 else 1.0
        # a light map: the largest value gets a mid tone, so black text stays readable
        norm = _colors.Normalize(0.0, top * 1.6) if cmap is None else _colors.Normalize(0.0, top)
        cmap = plt.get_cmap(cmap or MATRIX_CMAP)
    cmap = cmap.with_extremes(bad="white")
    masked = np.ma.masked_invalid(A)
    im = ax.imshow(masked, cmap=cmap, norm=norm, interpolation="nearest")

    if fontsize is None:
        fontsize = float(np.clip(15 - 0.8 * max(H, W), 8, 12))  # >= 8 pt: 11 px at 100 dpi
    _write_numbers(ax, A, formatter(A, fmt), fontsize, cmap, norm)
    _draw_grid(ax, H, W)

    if highlight is not None:
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor=HIGHLIGHT_COLOR,
                               linewidth=3.5, zorder=5, clip_on=False))
    if title is not None:
        ax.set_title(str(title), fontsize=max(fontsize, 9))
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


# --------------------------------------------------------------------------- image grids
def _image_list(images, name="images"):
    """A list of 2-D float arrays from a list of 2-D arrays or an (N,H,W) / (N,1,H,W) array."""
    if isinstance(images, np.ndarray):
        if images.ndim == 2:
            return [as_real_array(images, name, ndim=2)]
        if images.ndim == 4:
            if images.shape[1] != 1:
                raise ValueError(
                    f"{name} as a 4-D array must have shape (N, 1, H, W), got {images.shape}")
            images = images[:, 0]
        if images.ndim != 3:
            raise ValueError(f"{name} must be a list of 2-D arrays or an array of shape "
                             f"(N, H, W) or (N, 1, H, W), got shape {images.shape}")
        return [as_real_array(im, f"{name}[{i}]", ndim=2) for i, im in enumerate(images)]
    if not isinstance(images, (list, tuple)):
        raise TypeError(f"{name} must be a list of 2-D arrays or an ndarray, "
                        f"got {type(images).__name__}")
    if len(images) == 0:
        raise ValueError(f"{name} must hold at least one image, "
                         f"got an empty {type(images).__name__}")
    return [as_real_array(im, f"{name}[{i}]", ndim=2) for i, im in enumerate(images)]


def show_images(images, titles=None, ncols=None, cmap="gray", suptitle=None, signed=None,
                colorbar=False, size=2.0):
    """Draw images side by side in a grid.

    Parameters
    ----------
    images : list of 2-D arrays, or an array of shape (N, H, W) or (N, 1, H, W)
    titles : list of str, optional
        One per image.
    ncols : int, optional
        Panels per row; default ``min(N, 4)``.
    cmap : str
        Map for unsigned images (default grey).
    suptitle : str, optional
        Title of the whole figure (also a short description for readers).
    signed : bool or None
        True: draw every image in ``RdBu_r`` centred at zero; False: always ``cmap``;
        None: decide per image (signed if it has negative values).
    colorbar : bool
        A colour bar beside every panel.
    size : float
        Side of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ims = _image_list(images)
    n = len(ims)
    if titles is not None:
        if isinstance(titles, str) or not isinstance(titles, (list, tuple)):
            raise TypeError(f"titles must be a list of str, one per image, got {titles!r:.60}")
        if len(titles) != n:
            raise ValueError(f"titles must have one entry per image: got {len(titles)} titles "
                             f"for {n} images")
    if ncols is None:
        ncols = min(n, 4)
    ncols = check_int(ncols, "ncols")
    ncols = min(ncols, n)
    if signed not in (None, True, False):
        raise TypeError(f"signed must be True, False or None, got {signed!r}")
    if not isinstance(colorbar, bool):
        raise TypeError(f"colorbar must be True or False, got {colorbar!r}")
    if isinstance(size, bool) or not isinstance(size, Real) or not 0 < size <= 20:
        raise ValueError(f"size must be a number of inches in (0, 20], got {size!r}")
    try:
        plt.get_cmap(cmap)
    except (ValueError, TypeError) as err:
        raise ValueError(f"cmap must be a matplotlib colour map name, got {cmap!r}") from err

    nrows = -(-n // ncols)
    per_panel = 1.25 if colorbar else 1.0
    size = min(size, COLUMN_PX / 100 / (ncols * per_panel))  # the row fits the text column
    width = size * ncols * per_panel
    height = size * nrows + (0.35 if suptitle else 0) + (0.25 if titles else 0) * nrows
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), dpi=100, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.axis("off")
            continue
        im = ims[k]
        is_signed = _is_signed(im) if signed is None else signed
        if is_signed:
            vmax = _symmetric_limit(im)
            art = ax.imshow(im, cmap=SIGNED_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest")
        else:
            art = ax.imshow(im, cmap=cmap, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(str(titles[k]), fontsize=9)
        if colorbar:
            cb = fig.colorbar(art, ax=ax, fraction=0.046, pad=0.04)
            cb.ax.tick_params(labelsize=8)
    if suptitle:
        fig.suptitle(str(suptitle), fontsize=11)
    fig.tight_layout()
    return fig


def show_kernels(weight, suptitle="Kernels (rows: output channels, columns: input channels)",
                 **kwargs):
    """Draw an OIHW weight tensor: one row per output channel, one column per input channel.

    ``weight`` has shape (out_channels, in_channels, kH, kW) (a 2-D kernel is also accepted).
    Other keyword arguments go to :func:`show_images`. Returns the Figure.
    """
    w = as_real_array(weight, "weight", ndim=(2, 4))
    if w.ndim == 2:
        w = w[None, None]
    n_out, n_in = w.shape[:2]
    kwargs.setdefault("titles", [f"out {o}, in {c}" for o in range(n_out) for c in range(n_in)])
    kwargs.setdefault("size", 1.3)
    if "ncols" in kwargs:
        raise TypeError("show_kernels sets ncols to the number of input channels; "
                        "do not pass ncols")
    return show_images(list(w.reshape(n_out * n_in, *w.shape[2:])), ncols=n_in,
                       suptitle=suptitle, **kwargs)


def show_feature_maps(maps, suptitle="Feature maps", **kwargs):
    """Draw feature maps of shape (C, H, W) or (1, C, H, W), one panel per channel.

    Other keyword arguments go to :func:`show_images`. Returns the Figure.
    """
    m = as_real_array(maps, "maps", ndim=(2, 3, 4))
    if m.ndim == 4:
        if m.shape[0] != 1:
            raise ValueError(f"maps as a 4-D array must hold one sample, shape (1, C, H, W), "
                             f"got {m.shape}; pass maps[i] for sample i")
        m = m[0]
    if m.ndim == 2:
        m = m[None]
    kwargs.setdefault("titles", [f"channel {c}" for c in range(m.shape[0])])
    return show_images(list(m), suptitle=suptitle, **kwargs)


# --------------------------------------------------------------------------- animation
def _window_steps(X, K, stride=1):
    """Top-left corners (row, col) of every window, in reading order, and the output shape."""
    H, W = X.shape
    kh, kw = K.shape
    out_h, out_w = (H - kh) // stride + 1, (W - kw) // stride + 1
    corners = [(i * stride, j * stride) for i in range(out_h) for j in range(out_w)]
    return corners, (out_h, out_w)


def draw_step(axes, X, K, r, c, output, out_index):
    """Draw one step of a sliding window on three Axes: input, products, output so far.

    ``(r, c)`` is the window's top-left corner; ``output`` holds NaN where nothing is computed
    yet; ``out_index = (i, j)`` is the output cell being filled. Shared by the animation and
    the stepper widget (``cnn_lib.widgets``).
    """
    kh, kw = K.shape
    window = X[r:r + kh, c:c + kw]
    products = window * K
    total = products.sum()
    text_x, text_k = formatter(X, None), formatter(K, None)
    for ax in axes:  # remove what the last step drew (cheaper than ax.clear())
        for artist in [*ax.images, *ax.texts, *ax.patches, *ax.collections]:
            artist.remove()
    show_matrix(X, ax=axes[0], title="input X", highlight=(r, c, kh, kw))
    show_matrix(products, ax=axes[1], fontsize=8,
                title=f"window × K, sum = {formatter(products, None)(total)}")
    for t, x, k in zip(axes[1].texts, window.flat, K.flat):
        t.set_text(f"{text_x(x)}×{text_k(k)}")
    i, j = out_index
    show_matrix(output, ax=axes[2], title=f"output [{i}, {j}]", highlight=(i, j, 1, 1))


def sliding_window_animation(X, K, interval=600, stride=1):
    """Animate a 'valid' cross-correlation of ``X`` with ``K``: one frame per output value.

    Three panels: the input with the current window outlined, the element-wise products
    ``x * k`` of that window (the cell texts read ``x×k``, the title gives their sum), and the
    output filled so far. For a 5x5 input and a 3x3 kernel there are 9 frames.

    Parameters
    ----------
    X : array-like, shape (H, W)
    K : array-like, shape (kH, kW), no larger than X
    interval : int
        Milliseconds between frames.
    stride : int
        Step of the window.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Its figure is closed, so a notebook shows only what you display, e.g.
        ``animation_html(anim)``.
    """
    X = as_real_array(X, "X", ndim=2)
    K = as_real_array(K, "K", ndim=2)
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(f"K (shape {K.shape}) must fit inside X (shape {X.shape})")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(K))):
        raise ValueError("X and K must hold finite numbers (no NaN or inf)")
    interval = check_int(interval, "interval")
    stride = check_int(stride, "stride")
    corners, out_shape = _window_steps(X, K, stride)
    kh, kw = K.shape
    output = np.full(out_shape, np.nan)

    fig, axes = plt.subplots(1, 3, figsize=(7.4, 2.7), dpi=100,  # as wide as the text column
                             gridspec_kw={"width_ratios": [X.shape[1], kw, out_shape[1]]})
    fig.suptitle("Sliding a kernel over the input (valid cross-correlation)", fontsize=10)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.78, wspace=0.25)

    def draw(frame):
        r, c = corners[frame]
        output.flat[frame] = float((X[r:r + kh, c:c + kw] * K).sum())
        output.flat[frame + 1:] = np.nan
        draw_step(axes, X, K, r, c, output, divmod(frame, out_shape[1]))
        return []

    anim = _animation.FuncAnimation(fig, draw, frames=len(corners), interval=interval,
                                    blit=False, repeat=False)
    plt.close(fig)
    # It is shown with animation_html (to_jshtml), never plt.show(): skip matplotlib's
    # "Animation was deleted without rendering anything" warning, which would otherwise
    # land in a notebook's stderr whenever an animation is built but not displayed.
    anim._draw_was_started = True
    return anim


# matplotlib's player draws its buttons with Font Awesome 4 icons from a CDN stylesheet; the
# book draws them with plain characters instead, so the player works offline and on any page.
_FIRST_FRAME = re.compile(r'frames\[0\] = "(data:image/[a-z]+;base64,[^"]*)"')
_PNG_FRAME = re.compile(r'(frames\[\d+\] = ")(data:image/png;base64,[^"]*)"')
_FA_STYLESHEET = re.compile(r'<link rel="stylesheet"\s+href="[^"]*font-awesome[^"]*">\s*')
_BUTTON_ICONS = {
    "fa-minus": "\u2212", "fa-fast-backward": "|\u25c1", "fa-step-backward": "\u25c1",
    "fa-play fa-flip-horizontal": "\u25c0\ufe0e", "fa-pause": "\u2016",
    "fa-play": "\u25b6\ufe0e", "fa-step-forward": "\u25b7", "fa-fast-forward": "\u25b7|",
    "fa-plus": "+",
}


def draw_boxes(ax, boxes, labels=None, color=HIGHLIGHT_COLOR, linestyle="-", linewidth=1.5):
    """Draw 'xyxy' boxes (N, 4) on an image drawn by ``imshow`` in ``ax``, with an optional
    text label above each (``labels``: N strings or numbers). Pixel (r, c) covers
    [c, c + 1) x [r, r + 1) in box coordinates (as in ``cnn_lib.detection``), while ``imshow``
    centres it on (c, r), hence the half-pixel shift. Returns ``ax``."""
    if not isinstance(boxes, (str, bytes)) and np.size(boxes) == 0:
        return ax  # no boxes: nothing to draw
    boxes = as_real_array(boxes, "boxes")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4) in 'xyxy' format, got {boxes.shape}")
    if labels is not None and len(labels) != len(boxes):
        raise ValueError(f"labels must have one entry per box ({len(boxes)}), got {len(labels)}")
    for k, (x1, y1, x2, y2) in enumerate(boxes):
        ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False,
                               edgecolor=color, linestyle=linestyle, linewidth=linewidth))
        if labels is not None:
            ax.text(x1 - 0.5, y1 - 1, str(labels[k]), color=color, fontsize=9, va="bottom")
    return ax


def animation_html(anim, alt=None):
    """The animation as HTML + JavaScript with play / step controls (works with no kernel).

    ``anim.to_jshtml(default_mode='once')``, self-contained: the buttons show plain characters
    (outlined triangles step, solid ones play; each keeps its title) instead of icons from a
    CDN stylesheet, and ``alt`` (a str, optional) becomes the frame's alt text, which says
    what the animation shows. Returns an ``IPython.display.HTML``.
    """
    if not isinstance(anim, _animation.Animation):
        raise TypeError(f"anim must be a matplotlib Animation (e.g. from "
                        f"sliding_window_animation), got {type(anim).__name__}")
    if alt is not None and (not isinstance(alt, str) or not alt.strip()):
        raise TypeError(f"alt must be a non-empty str describing the animation, got {alt!r}")
    from IPython.display import HTML

    html = _FA_STYLESHEET.sub("", anim.to_jshtml(default_mode="once"), count=1)
    for icon, text in _BUTTON_ICONS.items():
        html = html.replace(f'<i class="fa {icon}"></i>', text)
    if alt is not None:
        html = html.replace("<img ", f'<img alt="{escape(alt)}" ', 1)
    # Every PNG frame is stamped with the figure's smallest text (the book's test of text sizes
    # reads the picture shown, which the player swaps frame by frame); the JavaScript string
    # breaks its base64 over lines with backslash-newlines.
    px = smallest_text_px(anim._fig)
    html = _PNG_FRAME.sub(lambda m: m.group(1) + stamp_data_uri(
        m.group(2).replace("\\\n", ""), px) + '"', html)
    # The first frame as the picture's own src: without it the <img> is blank until the player's
    # JavaScript runs, which an untrusted notebook (every one opened on Colab or Binder) never
    # does, and a reader sees a broken image with dead controls.
    first = _FIRST_FRAME.search(html)
    if first:
        html = html.replace("<img ", f'<img src="{first.group(1)}" ', 1)
    return HTML(html)
