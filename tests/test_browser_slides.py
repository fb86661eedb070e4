"""The chapters' reveal.js decks (``tools/slides.py``) in headless Chromium, with no network.

The decks are written into a temporary folder and served on 127.0.0.1; every request off this
machine is blocked (and fails the test), so the decks must load reveal.js, require.js and
MathJax from the local copies next to them. Each deck is stepped through, every slide and
fragment, in a 1280x720 window: no slide may be taller or wider than the 1280x720 slide, and
the console must stay clean.
"""

import sys
from pathlib import Path

import pytest
from browser_support import ErrorLog, StaticServer, new_context

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import slides  # noqa: E402

MEASURE = """() => {
  const s = Reveal.getCurrentSlide();
  const i = Reveal.getIndices();
  const math = s.querySelectorAll('mjx-container').length;
  const raw = /\\$[^$\\s][^$]*\\$/.test(s.innerText);
  return {where: `${i.h}/${i.v || 0}`, height: s.scrollHeight, width: s.scrollWidth,
          math: math, raw_math: raw,
          last: Reveal.isLastSlide() && !Reveal.availableFragments().next};
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    slides.main(["--out", str(out)])
    return out


def test_each_deck_opens_offline_and_fits(browser, decks):
    context, handler = new_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": slides.WIDTH, "height": slides.HEIGHT})
    errors = ErrorLog(page)
    problems, counts = [], {}
    with StaticServer(decks) as server:
        for deck in sorted(decks.glob("*.slides.html")):
            page.goto(server.url + deck.name)
            page.wait_for_function("window.Reveal && Reveal.isReady && Reveal.isReady()",
                                   timeout=20000)
            page.wait_for_function("window.MathJax && MathJax.startup && "
                                   "MathJax.startup.document && "
                                   "MathJax.startup.document.processed !== undefined",
                                   timeout=20000)
            page.wait_for_timeout(300)
            steps, saw_math = 0, 0
            while True:
                m = page.evaluate(MEASURE)
                saw_math += m["math"]
                if m["height"] > slides.HEIGHT or m["width"] > slides.WIDTH:
                    problems.append(f"{deck.name} slide {m['where']}: {m['width']}x{m['height']}")
                if m["raw_math"]:
                    problems.append(f"{deck.name} slide {m['where']}: math not typeset")
                if m["last"] or steps > 400:
                    break
                page.evaluate("Reveal.next()")
                page.wait_for_timeout(30)
                steps += 1
            counts[deck.name] = (page.evaluate("Reveal.getTotalSlides()"), steps, saw_math)
    context.close()
    assert len(counts) == len(slides.CHAPTERS)
    for name, (total, steps, _) in counts.items():
        assert total >= 8 and steps >= total - 1, (name, total, steps)
    assert sum(math for _, _, math in counts.values()) > 0, "no formula typeset in any deck"
    assert handler.blocked == [] and handler.served == [], handler.blocked
    assert errors.messages == [], errors.messages
    assert problems == [], problems


@pytest.mark.parametrize("chapter", slides.CHAPTERS)
def test_deck_follows_the_rules(chapter):
    """tools/slides.py's rules on the chapter itself (no browser): a slide per section, no
    solutions, no answer cells, no live widgets, short prose."""
    import importlib

    import nbformat

    [path] = (ROOT / "notebooks").glob(f"{chapter:02d}_*.ipynb")
    chapter_nb = nbformat.read(path, as_version=4)
    deck = slides.pick(chapter_nb)
    sections = [c.source.splitlines()[0] for c in chapter_nb.cells
                if c.cell_type == "markdown" and c.source.startswith("## ")
                and not c.source.startswith(("## Exercises", "## References", "## Summary"))]
    titles = [c.source.splitlines()[0] for c in deck.cells
              if c.metadata["slideshow"]["slide_type"] == "slide"]
    assert titles[0] == chapter_nb.cells[0].source.splitlines()[0]
    assert [t for t in titles if t in sections] == sections
    assert "## Summary" in titles and "## Exercises" in titles
    exercises = [c for c in deck.cells if c.source.startswith("**Exercise")]
    total = len(importlib.import_module(f"cnn_lib.exercises.chapter{chapter}").EXERCISES)
    assert len(exercises) == min(len(sections), total)
    assert "widgets" not in deck.metadata
    for cell in deck.cells:
        assert "<details" not in cell.source  # a solution, or the hints
        if cell.cell_type == "code":
            assert ".check(" not in cell.source and "answer = ..." not in cell.source
        if cell.cell_type == "markdown" and cell is not deck.cells[0]:  # [0]: title, goals
            assert len(cell.source) <= 600, cell.source[:80]
        for out in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {})
    figures = [c for c in deck.cells if c.cell_type == "code" and "slides-no-input" in
               c.metadata.get("tags", [])]
    assert 1 <= len(figures) <= slides.FIGURES_PER_SECTION * len(sections)
