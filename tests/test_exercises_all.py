"""What every chapter's exercises must do, whatever the chapter: the reference answers pass,
placeholders read as "not attempted yet", every exercise has a statement, hints and a solution,
odd answers never raise, and the notebook shows the same statement and solution as the module.

Chapter-specific checks (answers verified independently, typical wrong answers and their
messages) live in ``test_exercises_chapterN.py``.
"""

import html
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from reader_answers import answers

import cnn_lib.exercises
from cnn_lib.exercises.core import (
    ChoiceExercise,
    Exercise,
    Feedback,
    FunctionExercise,
    Note,
    NumberExercise,
    markdown_text,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import exercise_cells  # noqa: E402

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
    assert module.EXERCISES == exercises
    assert [q.label for q in exercises] == [f"Exercise {int(chapter)}.{i}"
                                            for i in range(1, len(exercises) + 1)]
    assert len(exercises) >= 12
    functions = sum(isinstance(q, FunctionExercise) for q in exercises)
    assert functions >= 2 and 3 * functions >= len(exercises)  # a third ask for code
    assert sum(q.experiment is not None for q in exercises) >= 2  # predict, then run
    assert any(isinstance(q, ChoiceExercise) and q.experiment is None
               for q in exercises)  # a conceptual question
    assert all(q.level in ("easy", "medium", "harder", "code") for q in exercises)


@pytest.mark.parametrize("q", [q for q in EXERCISES if isinstance(q, ChoiceExercise)],
                         ids=exercise_id)
def test_the_right_option_is_not_given_away_by_its_length(q):
    right = len(q.options[q.letters.index(q.answer)])
    wrong = [len(o) for o, letter in zip(q.options, q.letters) if letter != q.answer]
    assert right <= 1.3 * max(wrong), (right, wrong)
    assert set(q.explanations) == set(q.letters) - {q.answer}  # every wrong option explained


@pytest.mark.parametrize("q", [q for q in EXERCISES if q.experiment], ids=exercise_id)
def test_experiments_run_and_print(q, capsys):
    """A "predict, then run" exercise's experiment runs on its own (the notebook runs it after
    the chapter's cells; here only numpy and the exercise module are there) and prints."""
    namespace = {"np": np, "ex": MODULES[str(q.chapter)]}
    exec(compile(q.experiment, f"<experiment of {exercise_id(q)}>", "exec"), namespace)  # noqa: S102
    assert capsys.readouterr().out.strip()


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
    assert q.label in repr(q) and q.title and len(q.question) > 40
    hint, solution = q.hint(), q.solution()
    assert isinstance(hint, Note) and isinstance(solution, Note)
    assert q.hint_text[0] in str(hint) and q.solution_text in str(solution)
    assert solution._repr_markdown_().startswith(f"**Solution to {q.label}**")


@pytest.mark.parametrize("q", FUNCTIONS, ids=exercise_id)
def test_function_exercises_name_the_check_and_show_the_reference(q):
    assert f"def {q.reference.__name__}(" in str(q.solution())
    assert f"ex.{q.name}.check({q.reference.__name__})" in q.question
    assert f"`{q.reference.__name__}(" in q.question
    assert len(q.cases) >= 4


# --------------------------------------------------------------------------- the notebooks
# (tools/exercise_cells.py writes each chapter's exercise section from its module)


def test_notebooks_are_what_the_generator_writes():
    """Adding or changing an exercise means editing its module and running the script."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "exercise_cells.py"),
                             "--check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_generated_section_states_every_exercise_in_order(chapter):
    module = MODULES[chapter]
    cells = exercise_cells.section(module)
    statements = [s for kind, s in cells if kind == "markdown" and s.startswith("**Exercise")]
    labels = [re.match(r"\*\*Exercise (\d+\.\d+) ·", s).group(1) for s in statements]
    assert labels == [f"{int(chapter)}.{i}" for i in range(1, len(module.EXERCISES) + 1)]
    calls = [s for kind, s in cells if kind == "code" and ".check(" in s]
    assert [re.search(r"ex\.(q\d+)\.check", c).group(1) for c in calls] == module.__all__
    solutions = [s for kind, s in cells if kind == "markdown" and s.startswith("<details")]
    assert len(solutions) == len(module.EXERCISES)
    for q, text in zip(module.EXERCISES, solutions):
        assert text.startswith(
            f'<details class="solution">\n<summary>Solution to {q.label}</summary>\n\n')
        assert text.endswith("\n\n</details>") and "<details open" not in text


def _markdown_to_text(source):
    """What a reader sees of a Markdown source: the rendered HTML's text (markdown-it, the
    CommonMark parser MyST uses)."""
    rendered = MarkdownIt("commonmark").render(source)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@pytest.mark.parametrize("q", EXERCISES, ids=exercise_id)
def test_hints_and_solutions_keep_their_stars(q):
    """``6 * (331 + 1)`` stays a product in Markdown (Jupyter, the book), not italics."""
    texts = [q.solution_text, q.question] + list(q.hint_text)
    for text in texts:
        unbolded = re.sub(r"\*\*(\S[^*]*?\S|\S)\*\*", r"\1", text)  # **bold** is meant
        stars = unbolded.count("*")
        seen = _markdown_to_text(markdown_text(text))
        assert "<em>" not in MarkdownIt("commonmark").render(markdown_text(text)), text
        assert seen.count("*") == stars, text


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


# --------------------------------------------------------------------------- the exercises' own
# Every wrong answer an exercise lists (a number, an array, a function or a wrong option) gets
# that exercise's own message, and only that one: one test driven by the lists themselves, so a
# chapter's tests need not restate them.
def _listed_mistakes():
    for q in EXERCISES:
        if isinstance(q, ChoiceExercise):
            yield from ((q, letter, why) for letter, why in q.explanations.items())
        elif isinstance(q, NumberExercise):
            yield from ((q, wrong, why) for wrong, why in q.common_mistakes.items())
        else:  # ArrayExercise, FunctionExercise: (wrong, message) pairs
            yield from ((q, wrong, why) for wrong, why in q.common_mistakes)


LISTED = list(_listed_mistakes())


@pytest.mark.parametrize(("q", "wrong", "why"), LISTED,
                         ids=[f"{exercise_id(q)}-{k}" for k, (q, _, _) in enumerate(LISTED)])
def test_every_listed_mistake_gets_its_own_message(q, wrong, why):
    fb = q.check(wrong)
    assert fb.correct is False, fb.message
    assert why in fb.message, fb.message
    others = [m for _, m in q.common_mistakes if m != why and m in fb.message] if isinstance(
        q, FunctionExercise) else []
    assert others == [], f"another mistake's diagnosis is named too: {others}"


def test_mistakes_are_listed_for_every_kind():
    kinds = {type(q).__name__ for q, _, _ in LISTED}
    assert kinds == {"ChoiceExercise", "NumberExercise", "ArrayExercise", "FunctionExercise"}
    assert len(LISTED) >= 150, len(LISTED)
