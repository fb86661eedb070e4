"""What every chapter's exercises must do, whatever the chapter: the reference answers pass,
placeholders read as "not attempted yet", every exercise has a statement, hints and a solution,
odd answers never raise, and the notebook shows the same statement and solution as the module.

Chapter-specific checks (answers verified independently, typical wrong answers and their
messages) live in ``test_exercises_chapterN.py``.
"""

import html
import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reader_answers import answers

import cnn_lib.exercises
from cnn_lib.exercises.core import Exercise, Feedback, FunctionExercise, Note

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(m.name.rsplit("chapter", 1)[1] for m in pkgutil.iter_modules(
    cnn_lib.exercises.__path__) if m.name.startswith("chapter"))
MODULES = {n: importlib.import_module(f"cnn_lib.exercises.chapter{n}") for n in CHAPTERS}
EXERCISES = [getattr(MODULES[n], name) for n in CHAPTERS for name in MODULES[n].__all__]
FUNCTIONS = [q for q in EXERCISES if isinstance(q, FunctionExercise)]


def exercise_id(q):
    chapter = next(n for n in CHAPTERS if q in [getattr(MODULES[n], a) for a in
                                                 MODULES[n].__all__])
    return f"ch{chapter}-{q.name}"


def reference_answer(q):
    """What a reader who solved ``q`` would pass to ``check``."""
    return q.reference if isinstance(q, FunctionExercise) else q.answer


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_enough_exercises(chapter):
    module = MODULES[chapter]
    exercises = [getattr(module, name) for name in module.__all__]
    assert module.__all__ == [f"q{i}" for i in range(1, len(exercises) + 1)]
    assert all(isinstance(q, Exercise) and q.name == name
               for q, name in zip(exercises, module.__all__))
    assert len(exercises) >= 8
    functions = sum(isinstance(q, FunctionExercise) for q in exercises)
    assert functions >= 2 and 3 * functions >= len(exercises)  # a third ask for code


@pytest.mark.parametrize("q", EXERCISES, ids=exercise_id)
def test_every_reference_passes(q):
    fb = q.check(reference_answer(q))
    assert fb.correct is True, fb.message
    assert isinstance(fb, Feedback) and "✓" in str(fb)
    assert html.escape(fb.message) in fb._repr_html_()


@pytest.mark.parametrize("q", EXERCISES, ids=exercise_id)
def test_placeholders_read_as_not_attempted(q):
    for placeholder in (..., None):
        fb = q.check(placeholder)
        assert fb.correct is None and "Not attempted yet" in str(fb)


@pytest.mark.parametrize("q", EXERCISES, ids=exercise_id)
def test_statement_hint_solution(q):
    assert q.name in repr(q) and q.title and len(q.question) > 40
    hint, solution = q.hint(), q.solution()
    assert isinstance(hint, Note) and isinstance(solution, Note)
    assert q.hint_text[0] in str(hint) and q.solution_text in str(solution)
    assert solution._repr_markdown_().startswith("**Solution")


@pytest.mark.parametrize("q", FUNCTIONS, ids=exercise_id)
def test_function_exercises_name_the_check_and_show_the_reference(q):
    assert f"def {q.reference.__name__}(" in str(q.solution())
    assert f"ex.{q.name}.check({q.reference.__name__})" in q.question
    assert f"`{q.reference.__name__}(" in q.question
    assert len(q.cases) >= 4


# --------------------------------------------------------------------------- the notebooks


def normalised(text):
    return " ".join(text.split())


def notebook_blocks(chapter):
    """{label: (statement cell, solution cell)} of a chapter notebook's exercise blocks."""
    [path] = (ROOT / "notebooks").glob(f"{int(chapter):02d}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    statements, solutions = {}, {}
    for cell in cells:
        source = "".join(cell["source"])
        if m := re.match(r":::\{exercise\}.*\n:label: (ch\d+-q\d+)", source):
            statements[m.group(1)] = source
        if m := re.match(r"::::\{solution\} (ch\d+-q\d+)\n:class: dropdown", source):
            solutions[m.group(1)] = source
    return statements, solutions


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_states_and_solves_each_exercise_like_the_module(chapter):
    """The HTML book shows the module's statement and, behind a toggle, its solution."""
    statements, solutions = notebook_blocks(chapter)
    module = MODULES[chapter]
    labels = {f"ch{int(chapter)}-{name}" for name in module.__all__}
    assert set(statements) == labels == set(solutions)
    for name in module.__all__:
        q, label = getattr(module, name), f"ch{int(chapter)}-{name}"
        assert normalised(q.question) in normalised(statements[label]), label
        assert normalised(q.solution_text) in normalised(solutions[label]), label
        if isinstance(q, FunctionExercise):
            assert normalised(q.reference_source) in normalised(solutions[label]), label


# --------------------------------------------------------------------------- fuzzing
# (``answers``: every odd thing a reader may type, from reader_answers.py)

@settings(max_examples=80, deadline=None)
@given(answer=answers)
def test_fuzzed_answers_never_raise(answer):
    for q in EXERCISES:
        fb = q.check(answer)
        if isinstance(q, FunctionExercise):
            assert fb.correct in (False, None)
        assert fb.message and fb.message in str(fb) and isinstance(fb._repr_html_(), str)


@settings(max_examples=40, deadline=None)
@given(value=answers, exc=st.sampled_from([ZeroDivisionError, ValueError, IndexError, TypeError]))
def test_fuzzed_functions_never_raise(value, exc):
    def raising(*args):
        raise exc("fuzz")

    for q in FUNCTIONS:
        for fn in (lambda *args: value, raising):
            fb = q.check(fn)
            assert fb.correct in (False, None) and fb.message


def test_html_escapes_reader_strings():
    for q in EXERCISES:
        page = q.check("<script>alert('x')</script>")._repr_html_()
        assert "<script>" not in page and "&lt;script&gt;" in page
