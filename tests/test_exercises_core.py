"""The exercise kinds: verdicts, messages, renderings, and no traceback for any reader's answer."""

import decimal
import fractions

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reader_answers import answers

from cnn_lib.exercises.core import (
    ArrayExercise,
    ChoiceExercise,
    Feedback,
    FunctionExercise,
    Note,
    NumberExercise,
)


def _count():
    return NumberExercise(
        "q1",
        "A count",
        "How many?",
        answer=28,
        hint_text=["first", "second"],
        solution_text="**28** because.",
        common_mistakes={27: "off by one."},
        integer=True,
    )


def _array():
    return ArrayExercise(
        "q2",
        "An array",
        "Give a 2x2 array.",
        answer=[[0, -1], [-1, 1]],
        hint_text="one hint",
        solution_text="`[[0, -1], [-1, 1]]`",
        common_mistakes=[
            ([[0, 1], [1, -1]], "that is the flipped one."),
            (np.ones((3, 3)), "wrong variable."),
        ],
    )


def _choice():
    return ChoiceExercise(
        "q3",
        "A choice",
        "Which one?",
        options=["Apples", "Pears  and plums", "Figs"],
        answer="b",
        explanations={"a": "apples are not pears."},
        hint_text="h",
        solution_text="**b**",
    )


def double(x):
    return 2 * np.asarray(x, dtype=float)


def _double_wrong(x):
    return 3 * np.asarray(x, dtype=float)


def _function():
    return FunctionExercise(
        "q4",
        "Double",
        "Write double(x).",
        reference=double,
        cases=[
            ("a vector", (np.array([1.0, 2.0]),)),
            ("a matrix", (np.arange(6.0).reshape(2, 3),)),
            ("an empty-ish edge", (np.array([0.0]),)),
        ],
        hint_text="multiply",
        solution_text="Multiply by two:",
        common_mistakes=[(_double_wrong, "you tripled it.")],
    )


ALL = [_count, _array, _choice, _function]


class Weird:
    """An object that raises from everything a checker might call."""

    def __eq__(self, other):
        raise RuntimeError("no eq")

    __hash__ = None

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array")

    def __float__(self):
        raise RuntimeError("no float")

    def __repr__(self):
        raise RuntimeError("no repr")

    def __len__(self):
        raise RuntimeError("no len")


class Boom(BaseException):
    pass


ODD_ANSWERS = [
    None,
    ...,
    float("nan"),
    float("inf"),
    -float("inf"),
    "28",
    "<script>alert(1)</script>",
    "",
    True,
    False,
    {},
    {"a": 1},
    set(),
    [],
    [[]],
    [1, [2, 3]],
    [[1, 2], [3]],
    1 + 2j,
    [[1 + 1j, 0], [0, 0]],
    10**400,
    [[10**400, 0], [0, 0]],
    fractions.Fraction(28),
    decimal.Decimal("28"),
    decimal.Decimal("NaN"),
    np.float32(28),
    np.array(28),
    np.zeros((2000, 2000)),
    np.array([[np.nan, 0], [0, 0]]),
    np.array(["a", "b"]),
    np.array([[True, False], [True, True]]),
    (x for x in range(3)),
    Weird(),
    [[Weird(), 0], [0, 0]],
    object(),
    int,
    print,
    b"28",
    np.datetime64("2024-01-01"),
    [[None, 1], [2, 3]],
]


# --------------------------------------------------------------------------- Feedback and Note


def test_feedback_renderings_and_bool():
    right, wrong, todo = Feedback(True, "fine"), Feedback(False, "off <b>"), Feedback(None, "fill")
    assert str(right) == "✓ Correct! fine" and repr(right) == str(right)
    assert str(wrong).startswith("✗ Not quite:") and str(todo).startswith("… Not attempted yet:")
    assert bool(right) and not bool(wrong) and not bool(todo)
    assert "#2e7d32" in right._repr_html_() and "✓" in right._repr_html_()
    assert "#c62828" in wrong._repr_html_() and "off &lt;b&gt;" in wrong._repr_html_()
    assert "#b26a00" in todo._repr_html_() and "fill" in todo._repr_html_()
    with pytest.raises(ValueError):
        Feedback("yes", "x")


def test_note_renderings():
    note = Note("Hint (q1)", "look `here`")
    assert "look `here`" in str(note) and "**Hint (q1)**" in note._repr_markdown_()


# --------------------------------------------------------------------------- NumberExercise


def test_number_right_wrong_and_mistakes():
    ex = _count()
    assert ex.check(28).correct is True and ex.check(28.0).correct is True
    assert ex.check(np.int64(28)).correct is True and ex.check([28]).correct is True
    assert "too high" in ex.check(30).message and "too low" in ex.check(3).message
    fb = ex.check(27)
    assert fb.correct is False and "off by one" in fb.message
    assert "whole number" in ex.check(28.5).message
    assert ex.check(...).correct is None and ex.check(None).correct is None
    assert "quotes" in ex.check("28").message
    assert "boolean" in ex.check(True).message
    assert "finite" in ex.check(float("nan")).message
    assert "single number" in ex.check([1, 2]).message


def test_number_tolerance():
    ex = NumberExercise("q", "t", "?", answer=0.5, hint_text="h", solution_text="s", rtol=1e-3)
    assert ex.check(0.5004).correct is True and ex.check(0.51).correct is False


# --------------------------------------------------------------------------- ArrayExercise


def test_array_accepts_lists_tuples_arrays():
    ex = _array()
    for answer in (
        [[0, -1], [-1, 1]],
        ((0, -1), (-1, 1)),
        np.array([[0, -1], [-1, 1]]),
        np.array([[0.0, -1.0], [-1.0, 1.0 + 1e-12]]),
    ):
        assert ex.check(answer).correct is True


def test_array_shape_first_then_values():
    ex = _array()
    fb = ex.check([0, -1, -1, 1])
    assert fb.correct is False and "shape" in fb.message and "(2, 2)" in fb.message
    fb = ex.check([[0, -1], [5, 1]])
    assert "index (1, 0)" in fb.message and "expected -1, got 5" in fb.message
    assert "1 of 4" in fb.message
    assert "flipped" in ex.check([[0, 1], [1, -1]]).message
    assert "wrong variable" in ex.check(np.ones((3, 3))).message
    assert "ragged" in ex.check([[0, 1], [1]]).message
    assert "nan" in ex.check([[np.nan, 1], [1, 1]]).message
    assert "complex" in ex.check([[1j, 1], [1, 1]]).message
    assert "shape" in ex.check(np.zeros((2000, 2000))).message


# --------------------------------------------------------------------------- ChoiceExercise


def test_choice_letters_and_text():
    ex = _choice()
    assert "a) Apples" in ex.question and "c) Figs" in ex.question
    for answer in ("b", "B", " (b) ", "b)", "pears and PLUMS"):
        assert ex.check(answer).correct is True, answer
    fb = ex.check("a")
    assert fb.correct is False and "apples are not pears" in fb.message
    assert ex.check("c").correct is False
    assert "not one of the options" in ex.check("z").message
    assert "letter" in ex.check(1).message
    assert ex.check(...).correct is None


# --------------------------------------------------------------------------- FunctionExercise


def test_function_reference_and_typical_wrong():
    ex = _function()
    assert ex.check(double).correct is True
    fb = ex.check(_double_wrong)
    assert fb.correct is False and "a vector" in fb.message and "tripled" in fb.message


def test_function_placeholders():
    ex = _function()

    def double(x): ...

    fb = ex.check(double)
    assert fb.correct is None and "returned None" in fb.message
    assert ex.check(lambda x: None).correct is None
    assert ex.check(...).correct is None and ex.check(None).correct is None


def test_function_none_on_a_later_case_is_wrong():
    ex = _function()
    fb = ex.check(lambda x: double(x) if x.ndim == 1 and x[0] == 1 else None)
    assert fb.correct is False and "a matrix" in fb.message and "return" in fb.message


def test_function_misbehaving_readers():
    ex = _function()
    fb = ex.check(lambda x: 1 / 0)
    assert fb.correct is False and "ZeroDivisionError" in fb.message and "a vector" in fb.message
    assert "Traceback" not in fb.message
    fb = ex.check(lambda x: "abc")
    assert fb.correct is False and "text" in fb.message
    fb = ex.check(lambda x, y: x)
    assert fb.correct is False and "parameters" in fb.message
    fb = ex.check(lambda x: x[:1] * 2)
    assert "shape" in fb.message
    fb = ex.check(lambda x: (v for v in x))
    assert fb.correct is False and "generator" in fb.message

    def raises_base(x):
        raise Boom("custom")

    assert "Boom" in ex.check(raises_base).message
    assert ex.check(lambda x: Weird()).correct is False
    assert ex.check(lambda x: np.zeros((3000, 3000))).correct is False
    assert ex.check(42).correct is False and "function" in ex.check(42).message
    assert ex.check(int).correct is False
    assert ex.check(max).correct is False  # a builtin: no signature, raises when called


def test_function_that_mutates_its_input_cannot_spoil_the_next_case():
    ex = _function()
    seen = []

    def double_and_wreck(x):
        seen.append(x.copy())
        out = 2 * x
        x[...] = 99.0
        return out

    assert ex.check(double_and_wreck).correct is True
    assert ex.check(double_and_wreck).correct is True
    assert all(not np.any(s == 99.0) for s in seen)
    assert ex.check(double).correct is True


def test_keyboard_interrupt_passes_through():
    ex = _function()

    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ex.check(interrupted)


def test_function_solution_shows_reference_source():
    text = str(_function().solution())
    assert "def double(x):" in text and "```python" in text


# --------------------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize("make", ALL)
def test_hints_reveal_one_more_each_call(make):
    ex = make()
    first = ex.hint()
    assert isinstance(first, Note) and ex.hint_text[0] in str(first)
    assert ex.hint_text[0] in first._repr_markdown_()
    ex.hint()
    last = ex.hint()
    assert all(h in str(last) for h in ex.hint_text)
    sol = ex.solution()
    assert ex.solution_text in str(sol) and ex.solution_text in sol._repr_markdown_()
    assert ex.name in repr(ex) and ex.question in ex._repr_markdown_()


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("answer", ODD_ANSWERS, ids=lambda a: type(a).__name__)
def test_odd_answers_never_raise(make, answer):
    fb = make().check(answer)
    assert fb.correct in (True, False, None)
    assert fb.message and fb.message in str(fb)
    assert isinstance(fb._repr_html_(), str)


def test_html_escapes_a_readers_string():
    for make in ALL:
        html = make().check("<script>alert(1)</script>")._repr_html_()
        assert "<script>" not in html


_exceptions = st.sampled_from(
    [
        ZeroDivisionError,
        ValueError,
        TypeError,
        IndexError,
        Boom,
        RecursionError,
        MemoryError,
        StopIteration,
        GeneratorExit,
    ]
)


@settings(max_examples=150, deadline=None)
@given(answer=answers)
def test_fuzzed_answers_never_raise(answer):
    for make in ALL:
        fb = make().check(answer)
        assert fb.correct in (True, False, None) and fb.message


@settings(max_examples=80, deadline=None)
@given(value=answers, exc=_exceptions)
def test_fuzzed_functions_never_raise(value, exc):
    ex = _function()

    def raising(x):
        raise exc("fuzz")

    for fn in (lambda x: value, raising):
        fb = ex.check(fn)
        assert fb.correct in (True, False, None) and fb.message


def test_function_cases_with_ragged_list_arguments_are_described():
    def first_length(layers):
        return len(layers[0])

    q = FunctionExercise("qx", "ragged", "Write first_length(layers) returning len(layers[0]).",
                         reference=first_length,
                         cases=[("two tuples", ([("conv", 6, 3, 1, 1), ("pool", 2, 2)],))],
                         hint_text="len", solution_text="len of the first")
    fb = q.check(lambda layers: 0)
    assert fb.correct is False and "('conv', 6, 3, 1, 1)" in fb.message
    assert q.check(first_length).correct is True
