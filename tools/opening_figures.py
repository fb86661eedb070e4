"""Draw the introduction's opening figure, ``book/images/intro_opening.png``.

The book's first page is Markdown, so its figure is a PNG made here from ``cnn_lib``: a digit of
scikit-learn's digits, the four edge maps of chapter 2's kernels (a convolution and a ReLU), their
2x2 max pooling (chapter 4), and where the rest of the book takes them. Every picture in it is
computed, none drawn by hand. The figure uses the house style (``cnn_lib.plot``): 720 px wide,
text of 10 pt or more, and its PNG carries the smallest-text stamp the browser test reads.

Usage: ``python tools/opening_figures.py`` writes the PNG; ``--check`` exits 1 if the committed
PNG differs from what this script would draw (tests/test_opening_figures.py runs it).
"""

import argparse
import io
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "book" / "images" / "intro_opening.png"
KERNELS = ["vertical edge", "horizontal edge", "edge (diagonal)", "edge (Laplacian)"]
ALT = ("A digit 3 on the left; an arrow labelled 'convolution, ch. 2 and 3' leads to a "
       "stack of its four edge maps, an arrow labelled 'pooling, ch. 4' to a stack of four "
       "smaller pooled maps, and an arrow labelled 'more layers, ch. 5' to a box saying "
       "'a 3', with 'and where: ch. 6' below it.")


def stages():
    """The digit (12x12, 0..1), its four ReLU edge maps (4, 12, 12) and their 2x2 max pooling
    (4, 6, 6), as numpy arrays."""
    from sklearn.datasets import load_digits

    from cnn_lib import scratch, widgets

    digit = np.pad(load_digits().images[3], 2) / 16.0
    bank = np.stack([np.asarray(widgets.KERNELS[n][0], float) for n in KERNELS])[:, None]
    maps = np.maximum(scratch.conv2d(digit[None, None], bank, padding=1), 0)
    return digit, maps[0], scratch.max_pool2d(maps, 2)[0]


def _stack(ax, maps, x, y, size, step):
    """Draw ``maps`` as a stack of squares of side ``size``, the first with its corner at
    (x, y), each next one ``step`` further right and up, behind it."""
    for k, m in reversed(list(enumerate(maps))):
        x0, y0 = x + k * step, y + k * step
        ax.imshow(m, cmap="gray", extent=(x0, x0 + size, y0, y0 + size), vmin=0,
                  vmax=max(m.max(), 1e-9), zorder=10 - k)
        ax.add_patch(_rect(x0, y0, size, zorder=10 - k))


def _rect(x, y, size, zorder):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), size, size, fill=False, ec="0.4", lw=0.8, zorder=zorder + 0.5)


def _arrow(ax, x0, x1, y, label):
    ax.annotate("", xy=(x1, y), xytext=(x0, y),
                arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 1.4})
    ax.text((x0 + x1) / 2, y + 0.3, label, ha="center", va="bottom", fontsize=10,
            zorder=20)


def figure():
    """The opening figure (a matplotlib Figure, in the house style)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cnn_lib import plot

    plot.use_house_style()
    digit, maps, pooled = stages()
    fig, ax = plt.subplots(figsize=(9.0, 2.6))
    ax.imshow(digit, cmap="gray", extent=(0, 3, 0.15, 3.15))
    ax.add_patch(_rect(0, 0.15, 3, zorder=1))
    ax.text(1.5, -0.2, "image", ha="center", va="top", fontsize=10)
    _arrow(ax, 3.2, 6.0, 1.65, "convolution\nch. 2 and 3")
    _stack(ax, maps, 6.2, 0, 2.4, 0.3)
    ax.text(7.85, -0.2, "feature maps", ha="center", va="top", fontsize=10)
    _arrow(ax, 9.7, 12.0, 1.65, "pooling\nch. 4")
    _stack(ax, pooled, 12.2, 0.45, 1.5, 0.3)
    ax.text(13.4, -0.2, "pooled maps", ha="center", va="top", fontsize=10)
    _arrow(ax, 14.8, 17.6, 1.65, "more layers\nch. 5")
    ax.text(18.9, 1.65, "“a 3”", ha="center", va="center", fontsize=13,
            bbox={"boxstyle": "round", "fc": "#fdd0a2", "ec": "0.4"})
    ax.text(18.9, -0.2, "and where:\nch. 6", ha="center", va="top", fontsize=10)
    ax.set(xlim=(-0.1, 20.2), ylim=(-1.3, 4.0), aspect="equal")
    ax.axis("off")
    return fig


def png_bytes():
    """The figure as stamped PNG bytes (``cnn_lib.plot.figure_png``)."""
    import matplotlib.pyplot as plt

    from cnn_lib import plot

    fig = figure()
    try:
        return plot.figure_png(fig, metadata={"Software": None})
    finally:
        plt.close(fig)


def pixels(png):
    """RGB pixels of PNG bytes, as an int array (H, W, 3)."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def is_current(png=None, tolerance=8):
    """True if the committed PNG shows what this script draws now: the same size, and no pixel
    differs by more than ``tolerance`` grey levels (anti-aliasing may differ by a level or two
    between machines; a changed figure differs by far more)."""
    if not TARGET.exists():
        return False
    new, old = pixels(png or png_bytes()), pixels(TARGET.read_bytes())
    return new.shape == old.shape and int(np.abs(new - old).max()) <= tolerance


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the committed PNG is stale")
    args = parser.parse_args(argv)
    png = png_bytes()
    if args.check:
        if not is_current(png):
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/opening_figures.py")
            return 1
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(png)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
