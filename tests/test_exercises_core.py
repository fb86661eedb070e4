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
    number_exercises,
    progress,
)
from cnn_lib.exercises.running import run_reader_function


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
    # readable in dark themes too: the text keeps the page's colour over a faint tint
    for fb, tint in ((right, "rgba(46, 125, 50, 0.12)"), (todo, "rgba(178, 106, 0, 0.12)")):
        assert "color: inherit" in fb._repr_html_() and f"background: {tint}" in fb._repr_html_()
    shown = Feedback(None, "Replace `...` with your answer")._repr_html_()
    assert "<code>...</code>" in shown and "`" not in shown  # no stray backticks
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
    assert fb.correct is None and "still `...`" in fb.message
    fb = ex.check(lambda x: None)  # a body, but nothing returned
    assert fb.correct is False and "returned None" in fb.message
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
    solution = _function().solution()
    assert "def double(x):" in str(solution) and "```python" in solution._repr_markdown_()


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


# --------------------------------------------------------------------------- issue 14's cases


def test_function_with_a_body_but_no_return_is_told_to_return():
    ex = _function()

    def double(x):
        y = 2 * x  # noqa: F841 - the reader forgot the return

    fb = ex.check(double)
    assert fb.correct is False and "returned None" in fb.message and "return" in fb.message

    def double_printing(x):
        print(2 * x)

    fb = ex.check(double_printing)
    assert fb.correct is False and "print shows a value but does not return it" in fb.message


@pytest.mark.parametrize("use_alarm", [True, False])
def test_a_function_that_never_returns_is_stopped(use_alarm):
    def forever(x):
        while True:
            pass

    run = run_reader_function(forever, (1,), seconds=0.3, use_alarm=use_alarm)
    assert run.timed_out and run.error is None and run.result is None
    ex = _function()
    ex.time_limit = 0.3
    fb = ex.check(forever)
    assert fb.correct is False and "stopped" in fb.message and "a vector" in fb.message


def test_printed_output_is_captured_and_cut():
    ex = _function()

    def chatty(x):
        for i in range(2000):
            print("step", i)
        return 3 * x

    fb = ex.check(chatty)
    assert fb.correct is False and "printed 2000 lines (the first 5 shown)" in fb.message
    assert "step 4" in fb.message and "step 5" not in fb.message and len(fb.message) < 1200


def test_float32_answers_of_a_right_algorithm_pass():
    ex = FunctionExercise(
        "q5", "mean", "Write mean_rows(x).", reference=_mean_rows,
        cases=[("random", (np.random.default_rng(1).normal(size=(50, 300)),))] * 4,
        hint_text="h", solution_text="s")
    assert ex.check(lambda x: np.asarray(x, dtype=np.float32).mean(axis=1)).correct is True
    ex._cases = [("0.432", (np.full((3, 4), 0.432),))] * 4
    ex._expected = None
    fb = ex.check(lambda x: _mean_rows(x) + 4.9e-7)  # prints as 0.432, but off in the 7th digit
    assert fb.correct is False and "expected 0.432, got 0.43200049" in fb.message
    assert "a relative difference of 1.1e-06, more than the 1e-06 allowed" in fb.message
    number = _count()
    assert number.check(np.float32(28.000001)).correct is True


def _mean_rows(x):
    return np.asarray(x, dtype=float).mean(axis=1)


def test_cases_and_expected_outputs_cannot_be_changed_from_outside():
    ex = _function()
    ex.expected_outputs()[0][...] = 0
    ex.cases[0][1][0][...] = 7
    assert ex.check(double).correct is True


def test_a_diagnosis_needs_the_mistake_on_every_case():
    ex = _function()

    def tripled_once(x):  # equals the "tripled" mistake on the first case only
        return 3 * x if x.size == 2 else 5 * x

    fb = ex.check(tripled_once)
    assert fb.correct is False and "tripled" not in fb.message
    assert "tripled" in ex.check(_double_wrong).message


def test_check_without_an_answer_and_hints_by_number():
    count, fn = _count(), _function()
    fb = count.check()
    assert fb.correct is None and "ex.q1.check(answer)" in fb.message
    assert "ex.q4.check(double)" in fn.check().message
    assert "second" in str(count.hint(2)) and "first" not in str(count.hint(2))
    for bad in (5, 0, "2", 1.5, True):
        note = count.hint(bad)
        assert "ex.q1.hint(n)" in str(note) and "has 2 hints" in str(note)


def test_messages_name_the_full_call_and_the_number():
    count = _count()
    count.chapter = 3
    assert "ex.q1.hint()" in count.check(5).message
    assert str(count.solution()).startswith("Solution to Exercise 3.1")
    assert "Exercise 3.1" in str(count.hint())


def test_progress_records_right_attempted_and_not_yet():
    a, b, c = _count(), _array(), _choice()
    a.name, b.name, c.name = "q1", "q2", "q3"
    exercises = number_exercises(4, [a, b, c])
    a.check(27)
    a.check(28)
    a.check(27)  # a later slip does not undo a right answer
    b.check([[9, 9], [9, 9]])
    shown = progress(4, exercises)
    assert shown.counts() == {"right": 1, "attempted": 1, "not yet": 1}
    assert "Chapter 4: 1 of 3 right" in str(shown) and "Exercise 4.3" in str(shown)
    assert "<table>" in shown._rich()[1]
    with pytest.raises(ValueError, match="named 'q3', not 'q2'"):
        number_exercises(4, [a, c])


def test_messages_that_used_to_mislead():
    count = _count()
    fb = count.check((10, 0, 0))  # answer = 10,000
    assert fb.correct is False and "commas separate values" in fb.message
    assert "10000" in fb.message
    fb = count.check("1,000")
    assert "without quotes or commas" in fb.message
    fraction = NumberExercise("q1", "f", "A fraction?", answer=0.25, hint_text="h",
                              solution_text="s")
    assert "percentage" in fraction.check(25).message
    percent = NumberExercise("q1", "p", "A percentage?", answer=25, hint_text="h",
                             solution_text="s")
    assert "looks like a fraction" in percent.check(0.25).message
    vector = ArrayExercise("q1", "v", "Three numbers.", answer=[1, 2, 3], hint_text="h",
                           solution_text="s")
    assert "expected a list of 3 numbers" in vector.check("abc").message

    def two(x, y):
        return x

    fb = _function().check(two)
    assert "calls it with 1 argument" in fb.message and "give it 1" not in fb.message


def test_choice_accepts_the_option_copied_with_its_letter():
    choice = _choice()
    for answer in ("b) Pears and plums", "- b) Pears and plums.", "'b'", "Pears and plums.",
                   "(b)", " B "):
        assert choice.check(answer).correct is True, answer
    assert choice.check("a) Pears and plums").correct is True  # the text decides
    assert choice.check("Apples").correct is False


def test_verdicts_display_at_once_in_ipython():
    """check() then hint() in one cell shows both; the cell's result does not repeat them."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.user_ns["q"] = _count()
    try:
        with capture_output() as captured:
            shell.run_cell("for a in (27, 28): q.check(a)\nq.hint()\nq.check(28)",
                           store_history=True)
    finally:
        InteractiveShell.clear_instance()  # later tests run without IPython again
    texts = [o.data.get("text/plain", "") for o in captured.outputs]
    assert sum("off by one" in t for t in texts) == 1
    assert sum("Correct" in t for t in texts) == 2  # two checks of 28, each shown once
    assert sum("Hint" in t for t in texts) == 1
