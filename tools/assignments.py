"""Write each chapter's otter-grader assignment from its exercises in ``cnn_lib.exercises``.

The exercises are written once, in ``cnn_lib/exercises/chapterC.py``; this script turns a
chapter's list into an otter "master notebook" (otter assign's format) and runs ``otter assign``
on it, which writes ``_build/assignments/<chapter>/``:

- ``student/<chapter>.ipynb``: the statements and empty answer cells, the public tests under
  ``student/tests/``; no solutions, no hidden tests;
- ``<chapter>-student.zip``: the ``student/`` folder in one file, to hand out;
- ``autograder/<chapter>.ipynb``: the same with the solutions, and
  ``autograder/<chapter>-autograder.zip`` for ``otter run`` (or Gradescope).

The master notebook, per exercise:

- a question block (``# BEGIN QUESTION``, name ``qN``, its points): the statement as in the
  book, with the hints behind a closed ``<details>`` block;
- the answer cell: ``qN_answer = <answer>  # SOLUTION`` for a number, an array or a choice (each
  answer has its own name: otter re-runs every test at the end), or, for a function exercise,
  the reference's source between ``# BEGIN SOLUTION`` / ``# END SOLUTION`` with the prompt
  ``def f(...): ...`` the book's notebook shows;
- the tests. **Public** (the student sees and runs them): the exercise's own check,
  ``assert ex.qN.check(answer)``, the check the book's notebook runs. **Hidden** (function
  exercises only): the student's function against the reference on inputs the student never
  sees, drawn the way the wrong-answer catalogue draws them (``tests/mutants.py``: every case's
  float arrays redrawn, integer arrays redrawn in their own range, other arguments kept; seed
  fixed, so every student gets the same inputs; an input the reference raises on or has no
  finite answer for is skipped).

Points: 1 for a number, array or choice; 3 for a function (2 for the public check, 1 for the
hidden inputs). The notebook's first cell states them.

Usage: ``python tools/assignments.py [chapters...] [--out DIR]`` (default: all chapters, into
``_build/assignments``); ``--master-only`` writes only the master notebooks.
"""

import argparse
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnn_lib.exercises.core import (  # noqa: E402
    ArrayExercise,
    ChoiceExercise,
    FunctionExercise,
    markdown_text,
)

CHAPTERS = [1, 2, 3, 4, 5, 6]
POINTS_OTHER = 1
POINTS_PUBLIC, POINTS_HIDDEN = 2, 1
POINTS_FUNCTION = POINTS_PUBLIC + POINTS_HIDDEN
HIDDEN_DRAWS = 3  # hidden inputs per case of a function exercise
OTTER = Path(sys.executable).with_name("otter")


def chapter_name(chapter):
    """``2`` -> ``"02_convolution"`` (the notebook's stem)."""
    [path] = (ROOT / "notebooks").glob(f"{chapter:02d}_*.ipynb")
    return path.stem


def points(q):
    return POINTS_FUNCTION if isinstance(q, FunctionExercise) else POINTS_OTHER


def total_points(exercises):
    return sum(points(q) for q in exercises)


def answer_name(q):
    """The name the student's answer is bound to (a function's own name)."""
    return q.func_name if isinstance(q, FunctionExercise) else f"{q.name}_answer"


def _literal(q):
    if isinstance(q, ChoiceExercise):
        return repr(q.answer)
    if isinstance(q, ArrayExercise):
        arr = q.answer
        values = arr.astype(int).tolist() if np.all(arr == np.round(arr)) else arr.tolist()
        return repr(values)
    value = float(q.answer)
    return repr(int(value)) if value == round(value) and abs(value) < 1e15 else repr(value)


def _raw(source):
    return nbformat.v4.new_raw_cell(source)


def _md(source):
    return nbformat.v4.new_markdown_cell(source)


def _code(source):
    return nbformat.v4.new_code_cell(source)


def _config_header(hidden, n_points):
    return (
        '""" # BEGIN TEST CONFIG\n'
        f"hidden: {'true' if hidden else 'false'}\n"
        f"points: {n_points}\n"
        '""" # END TEST CONFIG\n'
    )


def _helpers(q, module, defined):
    """Module-level names the reference uses that the notebook does not define itself."""
    names = set(q.reference.__code__.co_names)
    for const in q.reference.__code__.co_consts:  # nested functions and comprehensions
        if inspect.iscode(const):
            names |= set(const.co_names)
    return sorted(
        n for n in names
        if n not in defined and n != "np" and n in vars(module)
        and (inspect.isfunction(vars(module)[n]) or not callable(vars(module)[n]))
        and not n.startswith("__")
    )


def _answer_cell(q, module, defined):
    name = answer_name(q)
    if not isinstance(q, FunctionExercise):
        return f"{name} = {_literal(q)}  # SOLUTION"
    helpers = _helpers(q, module, defined)
    lines = ["# BEGIN SOLUTION NO PROMPT"]
    if helpers:
        lines.append(f"from {module.__name__} import {', '.join(helpers)}")
    lines.append(q.reference_source.rstrip())
    lines.append("# END SOLUTION")
    signature = str(inspect.signature(q.reference))
    lines += ['""" # BEGIN PROMPT', f"def {q.func_name}{signature}:",
              f"    ...  # {q.placeholder}", '""" # END PROMPT']
    return "\n".join(lines)


def _public_test(q, module):
    return (
        _config_header(False, POINTS_PUBLIC if isinstance(q, FunctionExercise) else POINTS_OTHER)
        + f"from {module.__package__} import {module.__name__.rsplit('.', 1)[1]} as _ex\n"
        f"assert _ex.{q.name}.check({answer_name(q)}), \"{q.label}: see the message above\""
    )


def _hidden_test(q, module, seed):
    return _config_header(True, POINTS_HIDDEN) + textwrap.dedent(f"""\
        import copy as _copy
        import numpy as _np
        from {module.__package__} import {module.__name__.rsplit('.', 1)[1]} as _ex

        def _redraw(args, rng):
            out = []
            for a in args:
                if isinstance(a, _np.ndarray) and a.dtype.kind == "f" and a.size:
                    out.append(_np.round(rng.normal(size=a.shape), 2).astype(a.dtype))
                elif isinstance(a, _np.ndarray) and a.dtype.kind in "iu" and a.size:
                    out.append(rng.integers(a.min(), a.max() + 1, size=a.shape).astype(a.dtype))
                else:
                    out.append(_copy.deepcopy(a))
            return tuple(out)

        _rng = _np.random.default_rng({seed})
        for _label, _args in _ex.{q.name}.cases:
            for _ in range({HIDDEN_DRAWS}):
                _trial = _redraw(_args, _rng)
                try:
                    with _np.errstate(all="ignore"):
                        _want = _np.asarray(_ex.{q.name}.reference(*_copy.deepcopy(_trial)),
                                            dtype=float)
                except Exception:
                    continue  # an input the reference itself does not take
                if not _np.all(_np.isfinite(_want)):
                    continue  # nor one it has no finite answer for
                _got = _np.asarray({q.func_name}(*_copy.deepcopy(_trial)), dtype=float)
                assert _got.shape == _want.shape and _np.allclose(
                    _got, _want, rtol=max(_ex.{q.name}.rtol, 1e-4),
                    atol=max(_ex.{q.name}.atol, 1e-6)), "{q.label}: a hidden input differs"
        """)


def master_notebook(chapter):
    """The otter assign master notebook for ``chapter`` (an ``nbformat`` notebook)."""
    module = importlib.import_module(f"cnn_lib.exercises.chapter{chapter}")
    name = chapter_name(chapter)
    exercises = module.EXERCISES
    n_fun = sum(isinstance(q, FunctionExercise) for q in exercises)
    config = {
        "name": name,
        "init_cell": True,
        "check_all_cell": True,
        "export_cell": False,
        "run_tests": True,
        "generate": True,
        "tests": {"files": True},
        "requirements": "requirements.txt",
        "show_question_points": True,
    }
    cells = [_raw("# ASSIGNMENT CONFIG\n" + "\n".join(
        f"{k}: {json.dumps(v)}" for k, v in config.items()))]
    title = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source
    heading = next((line.lstrip("# ").strip() for line in title.splitlines()
                    if line.startswith("# ")), name)
    cells.append(_md(
        f"# Assignment: {heading}\n\n"
        f"The exercises of chapter {chapter} of *Convolutional Neural Networks: An Executable "
        f"Textbook*, for grading with otter-grader. There are {len(exercises)} exercises worth "
        f"{total_points(exercises)} points: {POINTS_OTHER} point for each number, array or "
        f"choice, {POINTS_FUNCTION} points for each of the {n_fun} functions "
        f"({POINTS_PUBLIC} for the check you can run, {POINTS_HIDDEN} for inputs the grader "
        f"keeps hidden). Replace each `...` with your answer and run `grader.check(\"qN\")` "
        f"under it to see the public check. Where a statement says `answer = ...`, each answer "
        f"here has its own name, `qN_answer` (for exercise N); a choice is answered with its "
        f"letter as a string (`\"b\"`)."))
    cells.append(_code("import numpy as np"))
    defined = set()
    for i, q in enumerate(exercises):
        kind = "predict, then run" if q.experiment else q.level
        cells.append(_raw(f"# BEGIN QUESTION\nname: {q.name}"))
        hints = "\n".join(f"{k}. {markdown_text(h)}" for k, h in enumerate(q.hint_text, 1))
        cells.append(_md(
            f"**{q.label} · {q.title}** ({kind}, {points(q)} "
            f"point{'s' * (points(q) > 1)})\n\n{markdown_text(q.question)}\n\n"
            f"<details>\n<summary>Hints</summary>\n\n{hints}\n\n</details>"))
        cells.append(_raw("# BEGIN SOLUTION"))
        cells.append(_code(_answer_cell(q, module, defined)))
        cells.append(_raw("# END SOLUTION"))
        cells.append(_raw("# BEGIN TESTS"))
        cells.append(_code(_public_test(q, module)))
        if isinstance(q, FunctionExercise):
            cells.append(_code(_hidden_test(q, module, seed=100 * chapter + i)))
        cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
        if q.experiment:
            cells.append(_md("Now run the experiment and compare it with your prediction:"))
            cells.append(_code(q.experiment))
        defined.add(answer_name(q))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def grader_requirements():
    """What a grading machine (Gradescope) installs besides otter: ``cnn_lib``, from the
    repository the book names in ``_config.yml`` (or ``CNN_LIB_SOURCE``), as the chapters'
    Colab set-up cell does; ``otter run`` on this machine uses ``.venv`` as it is."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    source = os.environ.get("CNN_LIB_SOURCE") or f"git+{url}"
    return f"cnn_lib @ {source}\n" if "://" in source else f"{source}\n"


def assign(chapter, out, run_tests=True):
    """Write ``out/<chapter>/`` with ``otter assign``; return that folder. With ``run_tests``
    otter runs every test on the solutions (all must pass). The autograder zip, which otter
    names with a time stamp, is renamed ``<chapter>-autograder.zip`` (a stable link)."""
    name = chapter_name(chapter)
    dest = Path(out) / name
    if dest.exists():
        shutil.rmtree(dest)
    with tempfile.TemporaryDirectory() as tmp:
        master = Path(tmp) / f"{name}.ipynb"
        (Path(tmp) / "requirements.txt").write_text(grader_requirements())
        nbformat.write(master_notebook(chapter), master)
        flags = [] if run_tests else ["--no-run-tests"]
        subprocess.run([str(OTTER), "assign", "--no-pdfs", *flags, str(master), str(dest)],
                       check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    [zipped] = (dest / "autograder").glob("*.zip")
    zipped.rename(dest / "autograder" / f"{name}-autograder.zip")
    shutil.make_archive(str(dest / f"{name}-student"), "zip", dest / "student")
    return dest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=int, default=CHAPTERS)
    parser.add_argument("--out", default=str(ROOT / "_build" / "assignments"))
    parser.add_argument("--master-only", action="store_true",
                        help="write the master notebooks only (no otter assign)")
    args = parser.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for chapter in args.chapters:
        if args.master_only:
            path = Path(args.out) / f"{chapter_name(chapter)}-master.ipynb"
            nbformat.write(master_notebook(chapter), path)
        else:
            path = assign(chapter, args.out)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
