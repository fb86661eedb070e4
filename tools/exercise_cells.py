"""Write each chapter's "Exercises" section from its module in ``cnn_lib.exercises``.

Every exercise is written once, in ``cnn_lib/exercises/chapterC.py`` (statement, hints,
solution, reference, placeholder, experiment); this script writes the notebook's cells from it:

- a Markdown cell: **Exercise C.N · Title** (level) and the statement;
- the answer cell: ``answer = ...  # placeholder`` or ``def f(...): ...``, then the check;
- after the first exercise, a cell that calls its ``hint()``;
- for a "predict, then run" exercise, the experiment's code cell;
- the solution, inside a closed ``<details>`` block: closed in the HTML book and in JupyterLab,
  Colab, VS Code and GitHub alike, none of which render MyST directives;
- at the end, ``ex.progress()``.

The section runs from the "## Exercises" heading to the next "## " heading. Cells whose source
does not change keep their outputs; re-execute the notebook after a change, then run this
script again: answer cells are stored without outputs (run with ``...`` they only say "not
attempted yet"), tagged ``nbval-ignore-output``.

Usage: ``python tools/exercise_cells.py`` (all chapters) or ``--check`` (exit 1 and name the
notebooks that differ from what this script would write; tests/test_exercise_cells.py runs it).
"""

import argparse
import hashlib
import importlib
import inspect
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnn_lib.exercises.core import FunctionExercise, markdown_text  # noqa: E402

LEVELS = {"easy": "easy", "medium": "medium", "harder": "harder", "code": "code"}


def intro():
    return (
        "## Exercises\n\n"
        "Each exercise has a check: fill in your answer and run the cell. `ex.q1.hint()` gives a "
        "nudge (call it again for the next one, or `ex.q1.hint(2)` for the second), "
        "`ex.q1.solution()` shows the answer, and `ex.progress()` lists what you have solved. "
        "Under each exercise its solution waits behind a closed **Solution** toggle: try first, "
        "then open it."
    )


def statement(q):
    kind = "predict, then run" if q.experiment else LEVELS.get(q.level, q.level)
    return f"**{q.label} · {q.title}** ({kind})\n\n{markdown_text(q.question)}"


def answer_cell(q):
    if isinstance(q, FunctionExercise):
        signature = str(inspect.signature(q.reference))
        return (
            f"def {q.func_name}{signature}:\n"
            f"    ...  # {q.placeholder}\n\n"
            f"{q.call}.check({q.func_name})"
        )
    return f"answer = ...  # {q.placeholder}\n{q.call}.check(answer)"


def solution(q):
    body = markdown_text(q.solution_text)
    if isinstance(q, FunctionExercise):
        body += f"\n\n```python\n{q.reference_source.rstrip()}\n```"
    return (
        f'<details class="solution">\n<summary>Solution to {q.label}</summary>\n\n'
        f"{body}\n\n</details>"
    )


def section(module):
    """The section's cells as (cell_type, source) pairs."""
    cells = [("markdown", intro())]
    for i, q in enumerate(module.EXERCISES):
        cells.append(("markdown", statement(q)))
        cells.append(("code", answer_cell(q)))
        if i == 0:
            cells.append(("markdown", "Stuck? A hint costs nothing; call it again for the next "
                                      "one:"))
            cells.append(("code", f"{q.call}.hint()"))
        if q.experiment:
            cells.append(("markdown", "Now run the experiment and compare it with your "
                                      "prediction:"))
            cells.append(("code", q.experiment))
        cells.append(("markdown", solution(q)))
    cells.append(("markdown", "Which exercises of this chapter you have solved so far (this "
                              "kernel's record):"))
    cells.append(("code", "ex.progress()"))
    return cells


def notebook_path(chapter):
    [path] = (ROOT / "notebooks").glob(f"{chapter:02d}_*.ipynb")
    return path


def bounds(cells):
    """(start, end): the cells of the "## Exercises" section."""
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## Exercises"))
    end = next((i for i in range(start + 1, len(cells))
                if cells[i].cell_type == "markdown" and cells[i].source.startswith("## ")),
               len(cells))
    return start, end


def rewrite(chapter):
    """The chapter's notebook with its exercise section written from the module; and whether
    that changed anything."""
    module = importlib.import_module(f"cnn_lib.exercises.chapter{chapter}")
    path = notebook_path(chapter)
    nb = nbformat.read(path, as_version=4)
    start, end = bounds(nb.cells)
    old = list(nb.cells[start:end])
    before = [(c.cell_type, c.source) for c in old]
    new = []
    for k, (kind, source) in enumerate(section(module)):
        reuse = next((c for c in old if c.cell_type == kind and c.source == source), None)
        if reuse is not None:
            old.remove(reuse)
            new.append(reuse)
            continue
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source)
        digest = hashlib.sha1(f"{k}:{source}".encode()).hexdigest()[:10]
        cell.id = f"ch{chapter}-ex-{digest}"  # stable, and unique within the notebook
        new.append(cell)
    changed = before != [(c.cell_type, c.source) for c in new]
    answers = {answer_cell(q) for q in module.EXERCISES}
    for cell in new:
        if cell.cell_type == "code" and cell.source in answers:
            changed |= _store_empty(cell)
    nb.cells[start:end] = new
    return path, nb, changed


def _store_empty(cell):
    """An answer cell is stored without its output: run with ``...`` it only says "not attempted
    yet", which is noise in the book and in a notebook the student has not run. nbval still
    runs it (and ignores the output). Returns whether the cell changed."""
    tags = cell.metadata.setdefault("tags", [])
    changed = bool(cell.get("outputs")) or cell.get("execution_count") is not None
    if "nbval-ignore-output" not in tags:
        tags.append("nbval-ignore-output")
        changed = True
    cell.outputs, cell.execution_count = [], None
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ")
    parser.add_argument("chapters", nargs="*", type=int, default=[1, 2, 3, 4, 5, 6])
    args = parser.parse_args(argv)
    differ = []
    for chapter in args.chapters:
        path, nb, changed = rewrite(chapter)
        if changed:
            differ.append(path.name)
            if not args.check:
                nbformat.write(nb, path)
                print(f"wrote {path.relative_to(ROOT)}")
    if args.check and differ:
        print("differ from cnn_lib.exercises: " + ", ".join(differ)
              + " (run python tools/exercise_cells.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
