"""A small page that mounts every live explorer of ``book/_static/live-explorers.js``, for the
browser tests (tests/test_live_explorers.py) and the speed benchmark (benchmarks/live.py).

The page mimics what myst-nb renders for a notebook cell tagged ``live-NAME``:
``<div class="cell tag_live-NAME"><div class="cell_output">...</div></div>``, and loads the
explorers' script, data and style exactly as the book does (from ``_static/``).
"""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "book" / "_static"
FILES = ("live-gallery.js", "live-explorers.js", "live-explorers.css", "book.css")
NAMES = ("filter", "sliding-window", "padding", "pooling", "iou", "nms", "conv-transpose")

PAGE = """<!DOCTYPE html>
<html lang="en" data-theme="{theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live explorers</title>
<style>
  html[data-theme="light"] {{ --pst-color-text-base: #222832; --pst-color-text-muted: #646b72;
    --pst-color-background: #ffffff; --pst-color-surface: #f3f4f5;
    --pst-color-border: #d1d5da; --pst-color-primary: #0a7d91; }}
  html[data-theme="dark"] {{ --pst-color-text-base: #ced6dd; --pst-color-text-muted: #9ca4af;
    --pst-color-background: #121212; --pst-color-surface: #29313d;
    --pst-color-border: #48566b; --pst-color-primary: #3fb1c5; }}
  body {{ background: var(--pst-color-background); color: var(--pst-color-text-base);
    font-family: sans-serif; margin: 0 auto; max-width: 760px; padding: 8px; }}
</style>
<link rel="stylesheet" href="_static/live-explorers.css">
<script src="_static/live-gallery.js"></script>
<script src="_static/live-explorers.js"></script>
</head>
<body>
<a href="#top" id="start">start</a>
{cells}
</body>
</html>
"""

CELL = """<h2>{name}</h2>
<div class="cell tag_live-{name} docutils container">
<div class="cell_input docutils container"><pre>explorer()</pre></div>
<div class="cell_output docutils container"><p>(saved widget view)</p></div>
</div>"""


def write_fixture(folder, theme="light"):
    """Write ``index.html`` and its ``_static/`` files into ``folder``; returns the file name."""
    folder = Path(folder)
    (folder / "_static").mkdir(parents=True, exist_ok=True)
    for name in FILES:
        shutil.copy(STATIC / name, folder / "_static" / name)
    cells = "\n".join(CELL.format(name=name) for name in NAMES)
    (folder / "index.html").write_text(PAGE.format(theme=theme, cells=cells), encoding="utf-8")
    return "index.html"
