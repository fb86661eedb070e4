"""Write reveal.js slides for each chapter: ``_build/slides/<chapter>.slides.html``.

The chapters are never edited: each is read into memory, its cells are picked and trimmed by
the rules below (the ``slideshow`` metadata nbconvert reads is set on this copy only), and
``nbconvert``'s SlidesExporter writes the deck. The rules:

1. **Title**: the chapter's first cell, its "# " heading and its bulleted learning goals.
2. **Sections**: each "## " heading starts a slide, with the first sentence of its **Why.**
   paragraph (no other prose).
3. **Key figures and animations**: a code cell whose output is an image or an animation (the
   kernel-free twins) is a sub-slide, without its code; at most ``FIGURES_PER_SECTION`` per
   section, with its caption (the first paragraph of the "*Figure: ...*" cell after it,
   trimmed to ``MAX_CAPTION`` characters). Live widgets (they need a kernel) are left out.
4. **Worked examples**: a **By hand.** paragraph (wherever it sits) is a sub-slide, trimmed
   to ``MAX_PROSE`` characters, followed by the next code cell with printed output (code and
   output, as a fragment).
5. **Exercises**: one exercise per section of the chapter, the first of each kind (easy,
   medium, harder, code, predict then run) until there are as many as sections: the statement
   only, no answer cell, no solution.
6. **Summary**: the first ``SUMMARY_LINES`` lines of the "## Summary" list.
7. Everything else (set-up cells, other prose, long outputs, the references) is skipped.
   MyST roles the slides cannot render are written out: ``{term}`x``` as x, ``{cite}`...```
   dropped.

reveal.js, require.js and MathJax load from local copies next to the decks (``reveal.js/``,
``vendor/``), copied from the npm packages in ``tests/browser/node_modules`` (reveal.js 4.0.2,
the version nbconvert's template expects), so the decks open offline, from a file or a server.

Usage: ``python tools/slides.py [chapters...] [--out DIR]`` (default: all, ``_build/slides``).
"""

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
TEMPLATES = Path(__file__).resolve().parent / "slides_template"  # cnn_reveal/index.html.j2
CHAPTERS = [1, 2, 3, 4, 5, 6]
FIGURES_PER_SECTION = 2
MAX_PROSE = 420
MAX_CAPTION = 200
SUMMARY_LINES = 6
WIDTH, HEIGHT = 1280, 720
KINDS = ("easy", "medium", "harder", "code", "predict, then run")


def _myst(text):
    """MyST roles and comments written out for plain Markdown."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\s*\{cite(:\w+)?\}`[^`]*`", "", text)
    text = re.sub(r"\{(term|ref|doc|numref)\}`([^`<]*?)\s*(<[^`]*>)?`", r"\2", text)
    return re.sub(r"\{\w+\}`([^`]*)`", r"\1", text).strip()


def _trim(text, limit=MAX_PROSE):
    """``text`` cut at the last sentence end before ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind(".\n"))
    cut = cut[: end + 1] if end > 0 else cut.rsplit(" ", 1)[0] + " …"
    if cut.count("$") % 2:  # never cut inside a formula
        cut = cut[: cut.rfind("$")].rstrip() + " …"
    return cut


def _list_items(text):
    """The items of the numbered or bulleted lists in ``text``, each on one line."""
    items = []
    for line in text.splitlines():
        if re.match(r"\s*([-*]|\d+\.) ", line):
            items.append(line.rstrip())
        elif items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
    return items


def _first_sentence(paragraph):
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph.replace("\n", " "))
    return match.group(1) if match else paragraph


def _is_figure(cell):
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            return False
        if "image/png" in data or "<img" in data.get("text/html", "") or (
                "animation" in data.get("text/html", "").lower()):
            return True
    return False


def _is_printout(cell):
    outs = cell.get("outputs", [])
    text = "".join(o.get("text", "") for o in outs if o.get("output_type") == "stream")
    return bool(outs) and all(o.get("output_type") == "stream" for o in outs) and (
        0 < len(text.splitlines()) <= 8 and len(cell.source.splitlines()) <= 8)


def _slide(cell, kind):
    cell = copy.deepcopy(cell)
    cell.metadata["slideshow"] = {"slide_type": kind}
    for out in cell.get("outputs", []):
        html = out.get("data", {}).get("text/html")
        if html:
            text = "".join(html) if isinstance(html, list) else html
            out["data"]["text/html"] = _DATA_SRC.sub(
                lambda m: m.group(0).replace("\\\n", ""), text)
    return cell


# An <img src="data:..."> copied out of a JavaScript string keeps the string's line
# continuations (backslash, newline), which no browser reads as a URL: they are removed.
_DATA_SRC = re.compile(r'src="data:[^"]*"')


def _md(source, kind):
    return _slide(nbformat.v4.new_markdown_cell(source), kind)


def _no_input(cell):
    cell.metadata.setdefault("tags", [])
    cell.metadata["tags"] = [*cell.metadata["tags"], "slides-no-input"]
    cell.metadata.pop("jupyter", None)
    return cell


def pick(nb):
    """A copy of ``nb`` holding only its slides' cells, each with ``slideshow`` metadata."""
    cells, figures, exercises, sections = [], 0, [], 0
    in_exercises = False
    pending_example = False
    source_cells = nb.cells
    last_was_figure = False
    for i, cell in enumerate(source_cells):
        text = cell.source
        previous_was_figure, last_was_figure = last_was_figure, False
        tags = cell.metadata.get("tags", [])
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "markdown":
            pending_example = False
            if i == 0 and text.startswith("# "):
                title = text.splitlines()[0]
                goals = _list_items(text)
                cells.append(_md(_myst("\n".join([title, "", *goals[:5]])), "slide"))
            elif text.startswith("## Exercises"):
                in_exercises = True
            elif text.startswith("## Summary"):
                in_exercises = False
                lines = [ln for ln in text.splitlines()[1:] if ln.strip()][:SUMMARY_LINES]
                cells.append(_md(_myst("\n".join(["## Summary", "", *lines])), "slide"))
            elif text.startswith("## References"):
                in_exercises = False
            elif text.startswith("## "):
                in_exercises = False
                sections += 1
                figures = 0
                lines = text.splitlines()
                why = next((p for p in text.split("\n\n") if p.startswith("**Why.**")), "")
                body = _first_sentence(why) if why else ""
                cells.append(_md(_myst("\n\n".join(x for x in (lines[0], body) if x)), "slide"))
            elif in_exercises and text.startswith("**Exercise"):
                exercises.append(text)
            else:
                paragraphs = text.split("\n\n")
                if text.startswith("*Figure") and previous_was_figure:
                    cells.append(_md(_trim(_myst(paragraphs[0]), MAX_CAPTION), "-"))
                by_hand = next((p for p in paragraphs if p.startswith("**By hand.**")), None)
                if by_hand and not in_exercises:
                    cells.append(_md(_trim(_myst(by_hand)), "subslide"))
                    pending_example = True
        elif cell.cell_type == "code" and not in_exercises:
            if _is_figure(cell) and figures < FIGURES_PER_SECTION:
                figures += 1
                cells.append(_no_input(_slide(cell, "subslide")))
                pending_example, last_was_figure = False, True
            elif pending_example and _is_printout(cell):
                cells.append(_slide(cell, "fragment"))
                pending_example = False
    chosen, seen = [], set()
    for kind in KINDS * 3:  # the first of each kind, again until one per section
        for text in exercises:
            heading = text.splitlines()[0]
            if text not in seen and f"({kind})" in heading:
                chosen.append(text)
                seen.add(text)
                break
        if len(chosen) >= max(sections, 1):
            break
    order = {t: k for k, t in enumerate(exercises)}
    if chosen:
        cells.append(_md("## Exercises", "slide"))
        for text in sorted(chosen, key=order.get):
            cells.append(_md(_trim(_myst(text)), "subslide"))
    out = copy.deepcopy(nb)
    out.cells = cells
    out.metadata.pop("widgets", None)
    return out


def exporter():
    ex = SlidesExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="cnn_reveal")
    ex.reveal_url_prefix = "reveal.js"
    ex.reveal_theme = "white"
    ex.reveal_transition = "none"
    ex.reveal_width, ex.reveal_height = str(WIDTH), str(HEIGHT)
    ex.require_js_url = "vendor/require.js"
    ex.mathjax_url = "vendor/tex-svg-full.js"
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.register_preprocessor(_remove_input_preprocessor(), enabled=True)
    return ex


def _remove_input_preprocessor():
    from nbconvert.preprocessors import TagRemovePreprocessor

    pre = TagRemovePreprocessor()
    pre.remove_input_tags = {"slides-no-input"}
    pre.enabled = True
    return pre


def copy_assets(out):
    """reveal.js (dist and plugins), require.js and MathJax's SVG build, next to the decks."""
    reveal = NODE_MODULES / "reveal.js"
    if not (reveal / "dist" / "reveal.js").exists():
        raise SystemExit("reveal.js is missing: run `make browser` (npm ci in tests/browser)")
    for part in ("dist", "plugin", "LICENSE"):
        target = out / "reveal.js" / part
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        (shutil.copytree if (reveal / part).is_dir() else shutil.copy)(reveal / part, target)
    (out / "vendor").mkdir(exist_ok=True)
    shutil.copy(NODE_MODULES / "requirejs" / "require.js", out / "vendor" / "require.js")
    shutil.copy(NODE_MODULES / "mathjax" / "es5" / "tex-svg-full.js",
                out / "vendor" / "tex-svg-full.js")


def write(chapter, out):
    [path] = (ROOT / "notebooks").glob(f"{chapter:02d}_*.ipynb")
    nb = pick(nbformat.read(path, as_version=4))
    body, _ = exporter().from_notebook_node(nb)
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=int, default=CHAPTERS)
    parser.add_argument("--out", default=str(ROOT / "_build" / "slides"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    for chapter in args.chapters:
        print(f"wrote {write(chapter, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
