"""The exercise kinds behind ``ex.q1.check(answer)``, ``ex.q1.hint()`` and ``ex.q1.solution()``.

One class per kind of answer:

- :class:`NumberExercise`: a single number (a size, a count), with a tolerance.
- :class:`ArrayExercise`: an array (nested lists, tuples or NumPy); shape first, then values.
- :class:`ChoiceExercise`: multiple choice; the reader answers with a letter or the option text.
- :class:`FunctionExercise`: the reader writes a function; it is run against a reference.

``check`` returns a :class:`Feedback`; ``hint`` and ``solution`` return a :class:`Note`. Both
display themselves: coloured HTML / Markdown in Jupyter, plain text in a terminal.

A reader's answer never produces a traceback: wrong types, wrong shapes, NaN, ragged lists, text,
functions that raise or return garbage all get a message. ``...`` (the placeholder the notebooks
write: ``answer = ...  # your answer here``) and ``None`` read as "not attempted yet", and so does
a function whose body is still ``...`` (it returns ``None``).
"""

import copy
import decimal
import html
import inspect
import numbers
import textwrap
import warnings

import numpy as np

__all__ = [
    "Feedback",
    "Note",
    "Exercise",
    "NumberExercise",
    "ArrayExercise",
    "ChoiceExercise",
    "FunctionExercise",
]

# What a reader's code may raise and we report: everything except a deliberate stop.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit)


# --------------------------------------------------------------------------- display objects


class Feedback:
    """The verdict on one answer.

    Attributes:
        correct: ``True`` (right), ``False`` (wrong) or ``None`` (not attempted yet).
        message: plain text saying what is right or wrong.
        name: the exercise's name (``"q1"``).

    ``bool(feedback)`` is ``feedback.correct is True``, so ``assert ex.q1.check(x)`` works and a
    "not attempted" answer counts as not passed.
    """

    _STYLES = {
        True: ("✓", "Correct!", "#1b5e20", "#e8f5e9", "#2e7d32"),
        False: ("✗", "Not quite:", "#b71c1c", "#ffebee", "#c62828"),
        None: ("…", "Not attempted yet:", "#5d4037", "#fff8e1", "#b26a00"),
    }

    def __init__(self, correct, message, name=""):
        if correct not in (True, False, None):
            raise ValueError(f"correct must be True, False or None, got {correct!r}")
        self.correct = correct
        self.message = str(message)
        self.name = name

    def __bool__(self):
        return self.correct is True

    def __str__(self):
        mark, label, *_ = self._STYLES[self.correct]
        return f"{mark} {label} {self.message}"

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        mark, label, fg, bg, border = self._STYLES[self.correct]
        return (
            f'<div role="status" style="border-left: 5px solid {border}; background: {bg}; '
            f"color: {fg}; padding: 0.5em 0.8em; margin: 0.3em 0; white-space: pre-wrap; "
            f'font-family: sans-serif;"><strong>{mark} {html.escape(label)}</strong> '
            f"{html.escape(self.message)}</div>"
        )


class Note:
    """A hint or a solution: Markdown in Jupyter, plain text in a terminal."""

    def __init__(self, title, text):
        self.title = title
        self.text = text

    def __str__(self):
        return f"{self.title}\n{self.text}"

    def __repr__(self):
        return str(self)

    def _repr_markdown_(self):
        return f"**{self.title}**\n\n{self.text}"


# --------------------------------------------------------------------------- helpers


def _call(fn, *args):
    """Run ``fn(*args)``; return ``(result, None)`` or ``(None, exception)``."""
    try:
        return fn(*args), None
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's code may raise anything
        return None, exc


def _describe_exception(exc):
    text, problem = _call(str, exc)
    text = "" if problem is not None else text
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _short(obj, limit=80):
    """A short, safe description of any object (a reader's ``__repr__`` may raise or be huge)."""
    if isinstance(obj, np.ndarray) and obj.size > 25:
        return f"an array of shape {tuple(obj.shape)}"
    text, problem = _call(repr, obj)
    if problem is not None or not isinstance(text, str):
        return f"a {type(obj).__name__} object"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fmt(x):
    """A number for a message: ints without a decimal point, floats with 6 significant digits."""
    x = float(x)
    if np.isfinite(x) and x == round(x) and abs(x) < 1e15:
        return str(int(round(x)))
    return f"{x:.6g}"


def _compact(value, limit=25):
    """Arrays on one line with their numbers if small, else their shape; other values by repr."""
    if isinstance(value, np.ndarray):
        if value.size > limit:
            return f"an array of shape {tuple(value.shape)}"
        if value.dtype.kind in "iuf" and np.all(np.isfinite(value)):
            if np.all(value == np.round(value)) and np.all(np.abs(value) < 1e15):
                return str(value.astype(np.int64).tolist())
            return str(np.round(value.astype(float), 4).tolist())
        return " ".join(np.array2string(value, separator=", ").split())
    return _short(value)


def _describe_argument(value):
    """A test input for a message: lists of numbers like arrays, anything else (a ragged list
    of tuples, say) by its short repr."""
    if isinstance(value, list):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr, problem = _call(np.asarray, value)
        if problem is None and arr.dtype.kind in "iuf":
            return _compact(arr)
        return _short(value)
    return _compact(value)


def _shape_words(shape):
    if shape == ():
        return "a single number"
    return f"shape {tuple(int(n) for n in shape)}"


def _is_real(x):
    return isinstance(x, (numbers.Real, decimal.Decimal)) and not isinstance(x, (bool, np.bool_))


def _as_numeric_array(obj):
    """Read a reader's answer as a float array: ``(array, None)`` or ``(None, problem)``."""
    kind = type(obj).__name__
    if isinstance(obj, (str, bytes)):
        return None, f"got text ({_short(obj, 40)}), not numbers; remove the quotes"
    if isinstance(obj, (bool, np.bool_)):
        return None, f"got the boolean {obj}, not a number"
    if isinstance(obj, (dict, set, frozenset)):
        return None, f"got a {kind}; give numbers (a list of lists or a NumPy array)"
    if inspect.isgenerator(obj) or inspect.iscoroutine(obj):
        if inspect.iscoroutine(obj):
            obj.close()
        return None, f"got a {kind}; build a list or a NumPy array instead"
    if callable(obj) and not isinstance(obj, np.ndarray):
        return None, f"got a function ({_short(obj, 40)}); call it and pass the result"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr, exc = _call(np.asarray, obj)
    if exc is not None:
        if isinstance(exc, ValueError) and "inhomogeneous" in str(exc):
            return (
                None,
                "got rows of different lengths (a ragged list); every row needs as many numbers",
            )
        return None, f"could not read {_short(obj, 40)} as numbers ({_describe_exception(exc)})"
    if not isinstance(arr, np.ndarray):
        return None, f"could not read a {kind} as numbers"
    dkind = arr.dtype.kind
    if dkind == "b":
        return None, "got booleans (True/False), not numbers"
    if dkind == "c":
        return None, "got complex numbers; the answer is real"
    if dkind in "US":
        return None, "got text (strings) among the entries, not numbers"
    if dkind == "O":
        for index, item in np.ndenumerate(arr):
            if not _is_real(item):
                if arr.ndim == 0:
                    return None, f"got {_short(obj, 40)} (of type {kind}), not a number"
                where = tuple(int(i) for i in index)
                what = "None" if item is None else f"of type {type(item).__name__}"
                return None, f"the entry at index {where} is {what}, not a number"
    if dkind not in "iufO":
        return None, f"got entries of type {arr.dtype}, not numbers"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr, exc = _call(np.asarray, arr, float)
    if exc is not None:
        return None, f"could not read the entries as numbers ({_describe_exception(exc)})"
    return arr, None


def _compare_arrays(got, expected, rtol, atol):
    """``None`` if ``got`` matches ``expected`` (same shape, close values), else the problem."""
    if got.shape != expected.shape:
        hint = ""
        if got.size == expected.size and got.ndim > 0:
            hint = " (the right number of entries: check how you arranged them)"
        want, have = _shape_words(expected.shape), _shape_words(got.shape)
        return f"wrong shape: expected {want}, got {have}{hint}"
    finite = np.isfinite(got)
    if not finite.all():
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        value = got[index]
        return f"the entry at index {index} is {value}; every entry should be a finite number"
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not wrong.any():
        return None
    if got.ndim == 0:
        return f"expected {_fmt(expected)}, got {_fmt(got)}"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (
        f"{int(wrong.sum())} of {got.size} entries are wrong; the first is at index {index}: "
        f"expected {_fmt(expected[index])}, got {_fmt(got[index])}"
    )


def _as_hints(hint_text):
    if isinstance(hint_text, str):
        return [hint_text]
    return list(hint_text)


# --------------------------------------------------------------------------- exercise kinds


class Exercise:
    """What every kind shares: name, title, question, hints, solution, the placeholder rule."""

    def __init__(self, name, title, question, hint_text, solution_text):
        self.name = name
        self.title = title
        self.question = textwrap.dedent(question).strip()
        self.hint_text = _as_hints(hint_text)
        self.solution_text = textwrap.dedent(solution_text).strip()
        self._hints_shown = 0

    def check(self, answer):
        """Return a :class:`Feedback` on ``answer``; never raises on a reader's answer."""
        if answer is ... or answer is None:
            return self._feedback(
                None, "replace the `...` with your answer, then run the cell again."
            )
        return self._check(answer)

    def _check(self, answer):
        raise NotImplementedError

    def _feedback(self, correct, message):
        return Feedback(correct, message, name=self.name)

    def hint(self):
        """The next hint (each call reveals one more, until all are shown)."""
        self._hints_shown = min(self._hints_shown + 1, len(self.hint_text))
        n = len(self.hint_text)
        shown = self.hint_text[: self._hints_shown]
        if n == 1:
            return Note(f"Hint ({self.name})", shown[0])
        lines = [f"{i}. {text}" for i, text in enumerate(shown, start=1)]
        more = " (call hint() again for the next)" if self._hints_shown < n else ""
        return Note(f"Hints {self._hints_shown} of {n} ({self.name}){more}", "\n".join(lines))

    def solution(self):
        """The answer and one line of why."""
        return Note(f"Solution ({self.name})", self.solution_text)

    def __repr__(self):
        return f"{self.name}. {self.title}\n{self.question}"

    def _repr_markdown_(self):
        return f"**{self.name}. {self.title}**\n\n{self.question}"


class NumberExercise(Exercise):
    """An answer that is one number.

    Args:
        answer: the reference number.
        rtol, atol: tolerance, as in ``numpy.isclose`` (defaults: exact up to rounding).
        common_mistakes: ``{wrong_number: "message"}``, recognised with the same tolerance.
        integer: the answer is a count; a non-whole answer is told so.
        say_direction: say "too high" / "too low" for other wrong answers.
    """

    def __init__(
        self,
        name,
        title,
        question,
        answer,
        hint_text,
        solution_text,
        *,
        rtol=1e-9,
        atol=1e-9,
        common_mistakes=None,
        integer=False,
        say_direction=True,
    ):
        super().__init__(name, title, question, hint_text, solution_text)
        self.answer = answer
        self.rtol, self.atol = rtol, atol
        self.common_mistakes = dict(common_mistakes or {})
        self.integer = integer
        self.say_direction = say_direction

    def _close(self, a, b):
        return abs(a - b) <= self.atol + self.rtol * abs(b)

    def _check(self, answer):
        arr, problem = _as_numeric_array(answer)
        if problem is not None:
            return self._feedback(False, f"expected a single number; {problem}.")
        if arr.ndim != 0:
            if arr.size != 1:
                return self._feedback(
                    False, f"expected a single number, got {_shape_words(arr.shape)}."
                )
            arr = arr.reshape(())
        value = float(arr)
        if not np.isfinite(value):
            return self._feedback(False, f"got {value}; the answer is a finite number.")
        if self._close(value, self.answer):
            return self._feedback(True, f"{_fmt(value)} is right.")
        for wrong, message in self.common_mistakes.items():
            if self._close(value, wrong):
                return self._feedback(False, f"{_fmt(value)}: {message}")
        parts = []
        if self.integer and value != round(value):
            parts.append(f"expected a whole number (a count), got {_fmt(value)}.")
        if self.say_direction:
            parts.append(f"{_fmt(value)} is too {'high' if value > self.answer else 'low'}.")
        else:
            parts.append(f"{_fmt(value)} is not it.")
        parts.append("Try hint() for a nudge.")
        return self._feedback(False, " ".join(parts))


class ArrayExercise(Exercise):
    """An answer that is an array (NumPy, or lists/tuples nested to the right depth).

    Args:
        answer: the reference array.
        rtol, atol: tolerance for the values.
        common_mistakes: ``[(wrong_array, "message"), ...]`` (a wrong array may have another
            shape than the answer, e.g. a gradient w.r.t. the wrong variable).
    """

    def __init__(
        self,
        name,
        title,
        question,
        answer,
        hint_text,
        solution_text,
        *,
        rtol=1e-6,
        atol=1e-8,
        common_mistakes=(),
    ):
        super().__init__(name, title, question, hint_text, solution_text)
        self.answer = np.asarray(answer, dtype=float)
        self.rtol, self.atol = rtol, atol
        self.common_mistakes = [(np.asarray(a, dtype=float), msg) for a, msg in common_mistakes]

    def _check(self, answer):
        expected = f"a {'x'.join(map(str, self.answer.shape))} array"
        arr, problem = _as_numeric_array(answer)
        if problem is not None:
            return self._feedback(False, f"expected {expected}; {problem}.")
        for wrong, message in self.common_mistakes:
            if arr.shape == wrong.shape and np.allclose(arr, wrong, rtol=self.rtol, atol=self.atol):
                return self._feedback(False, message)
        problem = _compare_arrays(arr, self.answer, self.rtol, self.atol)
        if problem is None:
            return self._feedback(True, f"{_compact(self.answer)} is right.")
        return self._feedback(False, problem + ".")


class ChoiceExercise(Exercise):
    """Multiple choice. Options are shown as a), b), ...; the reader answers with a letter (any
    case, also "(b)" or "b)") or with the option's text.

    Args:
        question: the statement without the options (they are appended).
        options: the options' texts, in display order.
        answer: the letter of the right option (``"c"``).
        explanations: ``{letter: "why this option is wrong"}``.
    """

    def __init__(
        self, name, title, question, options, answer, hint_text, solution_text, *, explanations=None
    ):
        self.options = list(options)
        self.letters = [chr(ord("a") + i) for i in range(len(self.options))]
        listing = "\n".join(
            f"- {letter}) {text}" for letter, text in zip(self.letters, self.options)
        )
        super().__init__(
            name,
            title,
            textwrap.dedent(question).strip() + "\n\n" + listing,
            hint_text,
            solution_text,
        )
        self.answer = answer.lower()
        if self.answer not in self.letters:
            raise ValueError(f"answer {answer!r} is not one of the letters {self.letters}")
        self.explanations = {k.lower(): v for k, v in (explanations or {}).items()}

    @staticmethod
    def _normal(text):
        return "".join(text.lower().split())

    def _letter(self, answer):
        text = answer.strip().lower().strip("()").rstrip(")").strip()
        if text in self.letters:
            return text
        for letter, option in zip(self.letters, self.options):
            if self._normal(answer) == self._normal(option):
                return letter
        return None

    def _check(self, answer):
        choices = f"{self.letters[0]}–{self.letters[-1]}"
        if not isinstance(answer, str):
            return self._feedback(
                False,
                f"answer with a letter {choices} as a string, e.g. "
                f"'{self.letters[0]}'; got {_short(answer, 40)}.",
            )
        letter = self._letter(answer)
        if letter is None:
            return self._feedback(
                False,
                f"{_short(answer, 40)} is not one of the options; answer with a letter {choices}.",
            )
        if letter == self.answer:
            return self._feedback(True, f"{letter}) {self.options[self.letters.index(letter)]}")
        why = self.explanations.get(letter, "that is not the one. Try hint() for a nudge.")
        return self._feedback(False, f"{letter}) — {why}")


class FunctionExercise(Exercise):
    """The reader writes a function; it is run against ``reference`` on every case, in order.

    Args:
        reference: the reference function (its source is shown by ``solution()``).
        cases: ``[(label, args_tuple), ...]``, e.g. ``("1x1 kernel", (X, K))``. Each call gets
            fresh deep copies of the arguments, so a function that mutates its input cannot
            spoil the next case.
        common_mistakes: ``[(wrong_function, "message"), ...]``: if the reader's output on the
            failing case equals the wrong function's, the message is added.
        rtol, atol: tolerance for the values.
    """

    def __init__(
        self,
        name,
        title,
        question,
        reference,
        cases,
        hint_text,
        solution_text,
        *,
        common_mistakes=(),
        rtol=1e-6,
        atol=1e-8,
        reference_source=None,
    ):
        super().__init__(name, title, question, hint_text, solution_text)
        self.reference = reference
        self.func_name = reference.__name__
        self.params = list(inspect.signature(reference).parameters)
        self.cases = list(cases)
        self.common_mistakes = list(common_mistakes)
        self.rtol, self.atol = rtol, atol
        self.reference_source = reference_source or textwrap.dedent(inspect.getsource(reference))
        self._expected = None

    def expected_outputs(self):
        """The reference's output on each case (computed once)."""
        if self._expected is None:
            self._expected = [
                np.asarray(self.reference(*copy.deepcopy(args)), dtype=float)
                for _, args in self.cases
            ]
        return self._expected

    def describe_input(self, label, args):
        shown = ", ".join(f"{p}={_describe_argument(a)}" for p, a in zip(self.params, args))
        return f"“{label}” ({shown})"

    def _check(self, fn):
        passed = self.params[:len(self.cases[0][1])]  # the arguments the cases pass
        call = f"{self.func_name}({', '.join(passed)})"
        if not callable(fn) or isinstance(fn, type):
            return self._feedback(
                False,
                f"expected your function itself (check({self.func_name}), "
                f"no parentheses after the name); got {_short(fn, 40)}.",
            )
        signature, problem = _call(inspect.signature, fn)
        if problem is None:
            _, wrong_arity = _call(signature.bind, *self.cases[0][1])
            if wrong_arity is not None:
                return self._feedback(
                    False,
                    f"your function takes the parameters {signature}, but "
                    f"it is called as {call}; give it {len(passed)}.",
                )
        for i, ((label, args), expected) in enumerate(zip(self.cases, self.expected_outputs())):
            where = f"on the test {self.describe_input(label, args)}"
            out, exc = _call(fn, *copy.deepcopy(args))
            if exc is not None:
                return self._feedback(
                    False, f"{where}, your function raised {_describe_exception(exc)}."
                )
            if out is None or out is ...:
                if i == 0:
                    return self._feedback(
                        None,
                        "your function returned None — fill in its body and return the result.",
                    )
                return self._feedback(
                    False,
                    f"{where}, your function returned None; is a `return` missing on some path?",
                )
            got, problem = _as_numeric_array(out)
            if problem is not None:
                problem = f"your function's result is not an array of numbers: {problem}"
            else:
                problem = _compare_arrays(got, expected, self.rtol, self.atol)
            if problem is None:
                continue
            message = f"{where}: {problem}."
            if got is not None and got.size <= 25 and expected.size <= 25:
                message += f"\nExpected {_compact(expected)},\n     got {_compact(got)}."
            diagnosis = self._diagnose(got, args)
            if diagnosis:
                message += "\n" + diagnosis
            return self._feedback(False, message)
        labels = "; ".join(label for label, _ in self.cases)
        return self._feedback(
            True,
            f"Your {self.func_name} matches the reference on all "
            f"{len(self.cases)} inputs ({labels}).",
        )

    def _diagnose(self, got, args):
        if got is None:
            return ""
        for wrong_fn, message in self.common_mistakes:
            wrong = np.asarray(wrong_fn(*copy.deepcopy(args)), dtype=float)
            if (
                wrong.shape == got.shape
                and np.all(np.isfinite(got))
                and np.allclose(got, wrong, rtol=self.rtol, atol=self.atol)
            ):
                return message
        return ""

    def solution(self):
        return Note(
            f"Solution ({self.name})",
            f"{self.solution_text}\n\n```python\n{self.reference_source.rstrip()}\n```",
        )
