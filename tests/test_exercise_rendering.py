"""Solutions stay hidden where students work: each chapter rendered as Jupyter front-ends render
it (nbconvert's HTML: Markdown, no MyST, no JupyterLab-only metadata) shows no solution text
outside a closed ``<details>`` toggle, and every exercise's solution is inside one.

JupyterLab, Notebook 7, Colab, VS Code and GitHub all render a raw ``<details>`` block closed,
with the Markdown inside it; the HTML book does the same (tests/test_book.py builds it).
"""

import html
import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from cnn_lib.exercises.core import FunctionExercise

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))


class _Splitter(HTMLParser):
    """Split a page's text into what is visible and what sits inside closed <details>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # nesting inside closed <details>
        self.open_details = 0
        self.visible, self.hidden, self.blocks, self.current = [], [], [], None
        self.skip = 0  # inside <script> or <style>: not text a reader sees

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "details":
            if "open" in dict(attrs):
                self.open_details += 1
            self.depth += 1
            if self.depth == 1:
                self.current = []

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag == "details" and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self.blocks.append(" ".join("".join(self.current).split()))

    def handle_data(self, data):
        if self.skip:
            return
        (self.hidden if self.depth else self.visible).append(data)
        if self.depth:
            self.current.append(data)


def _plain(markdown):
    """A solution's words, as they read once rendered (no Markdown marks, no maths)."""
    text = re.sub(r"\$[^$]*\$", " ", markdown)
    text = re.sub(r"[*`\\]", "", text)
    return " ".join(html.unescape(text).split())


def _snippets(q):
    """What must not be in sight: the solution's prose, and for a function exercise the body of
    the reference (the answer cell shows only its ``def`` line)."""
    found = [_plain(q.solution_text)]
    if isinstance(q, FunctionExercise):
        body = q.reference_source.strip().split("\n", 1)[1]
        found.append(_plain(body))
    return found


@pytest.fixture(scope="module")
def exporter():
    return HTMLExporter(template_name="lab")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_in_sight_in_jupyter(path, exporter):
    chapter = int(path.name[:2])
    module = importlib.import_module(f"cnn_lib.exercises.chapter{chapter}")
    page, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
    splitter = _Splitter()
    splitter.feed(page)
    visible = " ".join(html.unescape("".join(splitter.visible)).split())
    assert splitter.open_details == 0
    solutions = [b for b in splitter.blocks if b.startswith("Solution to Exercise")]
    assert len(solutions) == len(module.EXERCISES)
    for q, block in zip(module.EXERCISES, solutions):
        assert block.startswith(f"Solution to {q.label}")
        for snippet in _snippets(q):
            assert snippet in _plain(block), (q.label, snippet)
            assert snippet not in _plain(visible), (q.label, snippet)
