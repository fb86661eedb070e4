"""The otter-grader assignments that ``tools/assignments.py`` writes from ``cnn_lib.exercises``.

- Every chapter, in this process (no otter, fast): the master notebook's solutions pass every
  public and hidden test; each function exercise's first common mistake (the wrong-answer
  catalogue's) fails its tests; the points add up as the notebook states.
- One chapter, the whole round trip: ``otter assign``, then ``otter run`` with the autograder
  zip (no Docker) on the solution notebook (full marks), the blank student notebook (zero for
  every answer) and a notebook with one typical mistake per function exercise (those lose
  exactly their points); and the student notebook holds no solution text and no hidden test.
"""

import importlib
import json
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import assignments  # noqa: E402

from cnn_lib.exercises.core import FunctionExercise  # noqa: E402

ROUND_TRIP_CHAPTER = 2
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # random hidden inputs


def _module(chapter):
    return importlib.import_module(f"cnn_lib.exercises.chapter{chapter}")


def _solution_code(source):
    """A master answer cell as the autograder notebook has it (solution kept, prompt dropped)."""
    source = re.sub(r'""" # BEGIN PROMPT.*?""" # END PROMPT', "", source, flags=re.S)
    return "\n".join(ln for ln in source.splitlines()
                     if ln.strip() not in ("# BEGIN SOLUTION NO PROMPT", "# END SOLUTION"))


def _questions(nb):
    """{name: (answer_code, [test_code, ...], [hidden, ...], [points, ...])} of a master."""
    out, name, block = {}, None, None
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "raw":
            if text.startswith("# BEGIN QUESTION"):
                name = re.search(r"name: (\w+)", text).group(1)
                out[name] = ["", [], [], []]
            elif text.startswith("# BEGIN"):
                block = text.split()[2]
            elif text.startswith("# END"):
                block = None
        elif block == "SOLUTION":
            out[name][0] = _solution_code(text)
        elif block == "TESTS":
            header, body = text.split('""" # END TEST CONFIG\n')
            out[name][1].append(body)
            out[name][2].append("hidden: true" in header)
            out[name][3].append(int(re.search(r"points: (\d+)", header).group(1)))
    return out


def _score(namespace, tests, points):
    got = 0
    for code, pts in zip(tests, points):
        try:
            exec(code, dict(namespace))  # noqa: S102 - our own generated tests
        except AssertionError:
            continue
        got += pts
    return got


@pytest.mark.parametrize("chapter", assignments.CHAPTERS)
def test_master_notebook_grades_solutions_and_mistakes(chapter):
    module = _module(chapter)
    nb = assignments.master_notebook(chapter)
    questions = _questions(nb)
    assert list(questions) == [q.name for q in module.EXERCISES]
    total = assignments.total_points(module.EXERCISES)
    assert f"worth {total} points" in nb.cells[1].source
    namespace = {}
    exec("import numpy as np", namespace)  # noqa: S102
    earned = 0
    for q in module.EXERCISES:
        answer, tests, hidden, points = questions[q.name]
        exec(answer, namespace)  # noqa: S102 - the solution, as the autograder notebook runs it
        assert sum(points) == assignments.points(q)
        assert any(hidden) == isinstance(q, FunctionExercise)
        earned += _score(namespace, tests, points)
        if isinstance(q, FunctionExercise):
            wrong = dict(namespace)
            wrong[q.func_name] = q.common_mistakes[0][0]
            assert _score(wrong, tests, points) == 0, f"{q.label}: the typical mistake scores"
    assert earned == total


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """otter assign, then three otter runs in parallel: {kind: results.json}, and the paths."""
    tmp = tmp_path_factory.mktemp("otter")
    dest = assignments.assign(ROUND_TRIP_CHAPTER, tmp / "assignments", run_tests=False)
    name = dest.name
    autograder = dest / "autograder" / f"{name}-autograder.zip"
    solution = nbformat.read(dest / "autograder" / f"{name}.ipynb", as_version=4)
    mistakes = nbformat.read(dest / "autograder" / f"{name}.ipynb", as_version=4)
    for q in _module(ROUND_TRIP_CHAPTER).EXERCISES:
        if isinstance(q, FunctionExercise):
            [cell] = [c for c in mistakes.cells
                      if c.cell_type == "code" and f"def {q.func_name}(" in c.source]
            wrong = q.common_mistakes[0][0]
            cell.source = (f"from {wrong.__module__} import {wrong.__name__} as {q.func_name}"
                           "  # a typical mistake")
    notebooks = {"solution": solution, "mistakes": mistakes,
                 "blank": nbformat.read(dest / "student" / f"{name}.ipynb", as_version=4)}
    runs = {}
    for kind, nb in notebooks.items():
        folder = tmp / kind
        folder.mkdir()
        nbformat.write(nb, folder / f"{name}.ipynb")
        runs[kind] = subprocess.Popen(
            [str(assignments.OTTER), "run", "--no-logo", "-a", str(autograder),
             "-o", str(folder), str(folder / f"{name}.ipynb")],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = {}
    for kind, proc in runs.items():
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output[-3000:]
        results[kind] = json.loads((tmp / kind / "results.json").read_text())
    return dest, results


def _scores(results):
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t}


def test_solution_notebook_gets_full_marks(round_trip):
    _, results = round_trip
    exercises = _module(ROUND_TRIP_CHAPTER).EXERCISES
    scores = _scores(results["solution"])
    assert scores == {q.name: assignments.points(q) for q in exercises}
    assert sum(scores.values()) == assignments.total_points(exercises)


def test_blank_student_notebook_gets_zero(round_trip):
    _, results = round_trip
    scores = _scores(results["blank"])
    assert set(scores) == {q.name for q in _module(ROUND_TRIP_CHAPTER).EXERCISES}
    assert all(score == 0 for score in scores.values()), scores


def test_each_typical_mistake_loses_its_points(round_trip):
    _, results = round_trip
    scores = _scores(results["mistakes"])
    for q in _module(ROUND_TRIP_CHAPTER).EXERCISES:
        expected = 0 if isinstance(q, FunctionExercise) else assignments.points(q)
        assert scores[q.name] == expected, (q.label, scores[q.name])


def test_student_notebook_holds_no_solutions(round_trip):
    dest, _ = round_trip
    name = dest.name
    student = (dest / "student" / f"{name}.ipynb").read_text()
    text = "\n".join(c.source for c in nbformat.reads(student, as_version=4).cells)
    for q in _module(ROUND_TRIP_CHAPTER).EXERCISES:
        assert q.solution_text[:60] not in text, q.label
        if isinstance(q, FunctionExercise):
            body = textwrap.dedent(q.reference_source).strip().splitlines()[-1].strip()
            assert body not in text, (q.label, body)
            assert f"def {q.func_name}(" in text  # the prompt is there
        else:
            assert re.search(rf"^{q.name}_answer = \.\.\.$", text, flags=re.M), q.label
    assert "BEGIN SOLUTION" not in student and "hidden: true" not in student
    public = sorted(p.name for p in (dest / "student" / "tests").iterdir())
    assert len(public) == len(_module(ROUND_TRIP_CHAPTER).EXERCISES)
    for path in (dest / "student" / "tests").iterdir():
        assert "'hidden': True" not in path.read_text(), path.name
    graded = (dest / "autograder" / "tests" / "q8.py").read_text()
    assert "'hidden': True" in graded
    with zipfile.ZipFile(dest / f"{name}-student.zip") as handout:
        names = sorted(n for n in handout.namelist() if not n.endswith("/"))
    assert names == sorted([f"{name}.ipynb", *(f"tests/{p}" for p in public)]), names
