"""The exercise kinds behind ``ex.q1.check(answer)``, ``ex.q1.hint()`` and ``ex.q1.solution()``.

One class per kind of answer:

- :class:`NumberExercise`: a single number (a size, a count), with a tolerance.
- :class:`ArrayExercise`: an array (nested lists, tuples or NumPy); shape first, then values.
- :class:`ChoiceExercise`: multiple choice; the reader answers with a letter or the option text.
- :class:`FunctionExercise`: the reader writes a function; it is run against a reference, with
  a time limit per case and its printed output captured (:mod:`.running`).

``check`` shows and returns a :class:`Feedback`; ``hint`` and ``solution`` a :class:`Note`
(:mod:`.feedback`): each is displayed where it is called, even mid-cell, and not repeated as the
cell's result. Any kind may be a "predict, then run" exercise: its ``experiment`` is the code the
reader runs after predicting.

A reader's answer never produces a traceback: wrong types, wrong shapes, NaN, ragged lists, text,
functions that raise, hang, print or return garbage all get a message. ``...`` (the placeholder
the notebooks write: ``answer = ...  # your answer here``) and ``None`` read as "not attempted
yet", and so does a function whose body is still ``...``; a function with a body that returns
None is told to ``return``.
"""

import ast
import copy
import decimal
import inspect
import numbers
import re
import textwrap
import warnings

import numpy as np

from .feedback import Feedback, Note, Progress, show
from .running import TIME_LIMIT, run_reader_function

__all__ = [
    "Feedback",
    "Note",
    "Progress",
    "number_exercises",
    "progress",
    "markdown_text",
    "tolerance",
    "Exercise",
    "NumberExercise",
    "ArrayExercise",
    "ChoiceExercise",
    "FunctionExercise",
]

# What a reader's code may raise and we report: everything except a deliberate stop.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit)


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
    if isinstance(obj, str) and re.fullmatch(r"\s*[-+]?\d{1,3}(,\d{3})+(\.\d*)?\s*", obj):
        plain = obj.strip().replace(",", "")
        return None, f"got the text {_short(obj, 40)}; write the number without quotes or " \
            f"commas: {plain} (Python also reads {obj.strip().replace(',', '_')})"
    if isinstance(obj, (str, bytes)):
        return None, f"got text ({_short(obj, 40)}), not numbers; remove the quotes"
    if hasattr(obj, "detach") and hasattr(obj, "cpu") and callable(obj.detach):
        obj, problem = _call(lambda t: t.detach().cpu().numpy(), obj)  # a PyTorch tensor
        if problem is not None:
            return None, f"could not read a {kind} as numbers ({_describe_exception(problem)})"
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


def _differ(expected, got, rtol):
    """"expected E, got G", with more digits and the relative difference when the two would
    print the same."""
    if _fmt(expected) != _fmt(got):
        return f"expected {_fmt(expected)}, got {_fmt(got)}"
    relative = abs(float(got) - float(expected)) / max(abs(float(expected)), 1e-300)
    return (
        f"expected {float(expected):.12g}, got {float(got):.12g} (a relative difference of "
        f"{relative:.1e}, more than the {rtol:.0e} allowed)"
    )


def tolerance(dtype, rtol, atol, expected):
    """The tolerance for an answer of ``dtype``: the exercise's own for float64 and integers.
    A right algorithm computed in float32 (or float16) differs in its last digits, so its
    tolerance is wider, relative to the size of the expected values."""
    if dtype is None or dtype.kind != "f" or dtype.itemsize >= 8:
        return rtol, atol
    eps = 1e-4 if dtype.itemsize >= 4 else 1e-2
    scale = float(np.max(np.abs(expected), initial=1.0))
    return max(rtol, eps), max(atol, eps * scale)


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
        return _differ(expected, got, rtol)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (
        f"{int(wrong.sum())} of {got.size} entries are wrong; the first is at index {index}: "
        f"{_differ(expected[index], got[index], rtol)}"
    )


def _answer_dtype(obj):
    """The dtype a reader's answer was computed in (float32 from NumPy or PyTorch, ...)."""
    if hasattr(obj, "detach") and hasattr(obj, "dtype"):
        text = str(obj.dtype)  # torch.float32 -> float32
        return np.dtype(text.split(".")[-1]) if text.split(".")[-1] in (
            "float16", "float32", "float64") else None
    dtype = getattr(obj, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(obj, (list, tuple)) and obj:
        return _answer_dtype(obj[0])
    return None


def markdown_text(text):
    """``text`` for a Markdown renderer: a single ``*`` (multiplication) is escaped, outside code
    spans and ``$...$`` maths, so that ``6 * (331 + 1)`` does not turn into italics; ``**bold**``
    stays bold."""
    parts = re.split(r"(`[^`]*`|\$[^$]*\$)", text)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?<![*\\])\*(?!\*)", r"\\*", parts[i])
    return "".join(parts)


def _as_hints(hint_text):
    if isinstance(hint_text, str):
        return [hint_text]
    return list(hint_text)


# --------------------------------------------------------------------------- exercise kinds

_MISSING = object()  # check() called with no answer


class Exercise:
    """What every kind shares: name, title, question, hints, solution, the placeholder rule, the
    display of each verdict, and the record that ``progress()`` reads. The keyword arguments
    shape the notebook's exercise cells, which ``tools/exercise_cells.py`` writes.

    Keyword Args:
        level: ``"easy"``, ``"medium"``, ``"harder"`` or ``"code"``.
        placeholder: the comment of the answer cell (``# your answer here (an integer)``).
        experiment: for a "predict, then run" exercise, the code the reader runs after the
            prediction (a notebook cell written under the answer cell).
    """

    default_placeholder = "your answer here"

    def __init__(
        self, name, title, question, hint_text, solution_text, *, level="easy",
        placeholder=None, experiment=None,
    ):
        self.name = name
        self.title = title
        self.question = textwrap.dedent(question).strip()
        self.hint_text = _as_hints(hint_text)
        self.solution_text = textwrap.dedent(solution_text).strip()
        self.level = level
        self.placeholder = placeholder or self.default_placeholder
        self.experiment = textwrap.dedent(experiment).strip() if experiment else None
        self.chapter = None  # set by number_exercises()
        self.status = "not yet"  # "right", "attempted" or "not yet", for progress()
        self._hints_shown = 0

    @property
    def number(self):
        return int(self.name[1:])

    @property
    def label(self):
        """``"Exercise 2.3"`` (``"Exercise q3"`` before the chapter is known)."""
        return f"Exercise {self.chapter}.{self.number}" if self.chapter else f"Exercise {self.name}"

    @property
    def call(self):
        """How the notebooks call this exercise: ``ex.q3``."""
        return f"ex.{self.name}"

    def _missing_message(self):
        return f"pass your answer: `{self.call}.check(answer)`."

    def check(self, answer=_MISSING):
        """Show and return a :class:`Feedback` on ``answer``; never raises on a reader's answer."""
        if answer is _MISSING:
            return show(self._feedback(None, self._missing_message()))
        if answer is ... or answer is None:
            return show(self._feedback(
                None, "replace the `...` with your answer, then run the cell again."
            ))
        feedback = self._check(answer)
        if feedback.correct is True:
            self.status = "right"
        elif feedback.correct is False and self.status != "right":
            self.status = "attempted"
        return show(feedback)

    def _check(self, answer):
        raise NotImplementedError

    def _feedback(self, correct, message):
        return Feedback(correct, message, name=self.name)

    def _nudge(self):
        return f"Try `{self.call}.hint()` for a nudge."

    def hint(self, n=None):
        """Show the next hint (each call reveals one more), or hint ``n`` (1, 2, ...)."""
        total = len(self.hint_text)
        if n is None:
            self._hints_shown = min(self._hints_shown + 1, total)
            shown = list(enumerate(self.hint_text[: self._hints_shown], start=1))
        elif isinstance(n, numbers.Integral) and not isinstance(n, bool) and 1 <= n <= total:
            shown = [(int(n), self.hint_text[int(n) - 1])]
        else:
            which = "1" if total == 1 else f"1 to {total}"
            return show(Note(
                f"Hints for {self.label}",
                f"{self.label} has {total} hint{'s' * (total > 1)}: `{self.call}.hint()` shows "
                f"the next one, `{self.call}.hint(n)` hint n for n = {which} "
                f"(got {_short(n, 40)}).",
            ))
        if total == 1:
            title = f"Hint for {self.label}"
        elif len(shown) == 1:
            title = f"Hint {shown[0][0]} of {total} for {self.label}"
        else:
            title = f"Hints 1 to {len(shown)} of {total} for {self.label}"
        if n is None and len(shown) < total:
            title += f" (`{self.call}.hint()` again for the next)"
        if total == 1:
            return show(Note(title, markdown_text(shown[0][1]), plain=shown[0][1]))
        lines = [f"{i}. {text}" for i, text in shown]
        return show(Note(title, markdown_text("\n".join(lines)), plain="\n".join(lines)))

    def solution(self):
        """Show the answer and one line of why."""
        return show(Note(f"Solution to {self.label}", markdown_text(self.solution_text),
                         plain=self.solution_text))

    def __repr__(self):
        return f"{self.label}. {self.title}\n{self.question}"

    def _repr_markdown_(self):
        return f"**{self.label}. {self.title}**\n\n{self.question}"


def number_exercises(chapter, exercises):
    """Give each of a chapter's exercises its chapter number (for "Exercise 2.3"); check they
    are named q1, q2, ... in order. Returns the list."""
    exercises = list(exercises)
    for i, q in enumerate(exercises, start=1):
        if q.name != f"q{i}":
            raise ValueError(f"exercise {i} of chapter {chapter} is named {q.name!r}, not 'q{i}'")
        q.chapter = chapter
    return exercises


def progress(chapter, exercises):
    """Show and return a :class:`Progress`: which exercises this kernel has seen answered right,
    attempted (checked, not right yet) or not yet."""
    rows = [(q.label, q.title, q.status) for q in exercises]
    return show(Progress(chapter, rows))


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
        **kwargs,
    ):
        kwargs.setdefault("placeholder", "your answer here (an integer)" if integer else None)
        super().__init__(name, title, question, hint_text, solution_text, **kwargs)
        self.answer = answer
        self.rtol, self.atol = rtol, atol
        self.common_mistakes = dict(common_mistakes or {})
        self.integer = integer
        self.say_direction = say_direction

    def _close(self, a, b, rtol=None, atol=None):
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        return abs(a - b) <= atol + rtol * abs(b)

    def _check(self, answer):
        if (
            isinstance(answer, tuple)
            and len(answer) >= 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in answer)
            and all(0 <= v < 1000 for v in answer[1:])
        ):
            digits = str(answer[0]) + "".join(f"{v:03d}" for v in answer[1:])
            return self._feedback(
                False,
                f"got {_short(answer, 40)}: in Python, commas separate values. Write the number "
                f"without commas: {digits} (or with underscores, {int(digits):_}).",
            )
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
        rtol, atol = tolerance(_answer_dtype(answer), self.rtol, self.atol, self.answer)
        if self._close(value, self.answer, rtol, atol):
            return self._feedback(True, f"{_fmt(value)} is right.")
        for wrong, message in self.common_mistakes.items():
            if self._close(value, wrong):
                return self._feedback(False, f"{_fmt(value)}: {message}")
        parts = []
        if self.answer != 0 and self._close(value / 100, self.answer):
            parts.append(
                f"{_fmt(value)} looks like a percentage; give it as a fraction: "
                f"{_fmt(value / 100)}."
            )
        elif self.answer != 0 and self._close(value * 100, self.answer):
            parts.append(
                f"{_fmt(value)} looks like a fraction; give it as a percentage: "
                f"{_fmt(value * 100)}."
            )
        else:
            if self.integer and value != round(value):
                parts.append(f"expected a whole number (a count), got {_fmt(value)}.")
            if self.say_direction:
                parts.append(f"{_fmt(value)} is too {'high' if value > self.answer else 'low'}.")
            else:
                parts.append(f"{_fmt(value)} is not it.")
            parts.append(self._nudge())
        return self._feedback(False, " ".join(parts))


def _expected_words(shape):
    """``(3,)`` -> "a list of 3 numbers", ``(2, 2)`` -> "a 2x2 array"."""
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"a {'x'.join(map(str, shape))} array"


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
        **kwargs,
    ):
        self.answer = np.asarray(answer, dtype=float)
        self.answer.setflags(write=False)
        shape = "x".join(map(str, self.answer.shape))
        kwargs.setdefault("placeholder", f"your {shape} answer here")
        super().__init__(name, title, question, hint_text, solution_text, **kwargs)
        self.rtol, self.atol = rtol, atol
        self.common_mistakes = [(np.asarray(a, dtype=float), msg) for a, msg in common_mistakes]

    def _check(self, answer):
        expected = _expected_words(self.answer.shape)
        arr, problem = _as_numeric_array(answer)
        if problem is not None:
            return self._feedback(False, f"expected {expected}; {problem}.")
        for wrong, message in self.common_mistakes:
            if arr.shape == wrong.shape and np.allclose(arr, wrong, rtol=self.rtol, atol=self.atol):
                return self._feedback(False, message)
        rtol, atol = tolerance(_answer_dtype(answer), self.rtol, self.atol, self.answer)
        problem = _compare_arrays(arr, self.answer, rtol, atol)
        if problem is None:
            return self._feedback(True, f"{_compact(self.answer)} is right.")
        return self._feedback(False, problem + ".")


class ChoiceExercise(Exercise):
    """Multiple choice. Options are shown as a), b), ...; the reader answers with a letter (any
    case, also "(b)" or "b)") or with the option's text (copied with or without its letter).

    Args:
        question: the statement without the options (they are appended).
        options: the options' texts, in display order.
        answer: the letter of the right option (``"c"``).
        explanations: ``{letter: "why this option is wrong"}``.
    """

    def __init__(
        self, name, title, question, options, answer, hint_text, solution_text, *,
        explanations=None, **kwargs,
    ):
        self.options = list(options)
        self.letters = [chr(ord("a") + i) for i in range(len(self.options))]
        listing = "\n".join(
            f"- {letter}) {text}" for letter, text in zip(self.letters, self.options)
        )
        last = ", ".join(f'"{x}"' for x in self.letters[:-1]) + f' or "{self.letters[-1]}"'
        kwargs.setdefault("placeholder", last)
        super().__init__(
            name,
            title,
            textwrap.dedent(question).strip() + "\n\n" + listing,
            hint_text,
            solution_text,
            **kwargs,
        )
        self.answer = answer.lower()
        if self.answer not in self.letters:
            raise ValueError(f"answer {answer!r} is not one of the letters {self.letters}")
        self.explanations = {k.lower(): v for k, v in (explanations or {}).items()}

    @staticmethod
    def _normal(text):
        """Lower case, no spaces, no quotes or backticks, no final full stop."""
        return "".join(text.lower().split()).strip("\"'`").rstrip(".")

    def _letter(self, answer):
        text = answer.strip().strip("\"'`").strip().lower()
        bare = text.strip("()").rstrip(").").strip()
        if bare in self.letters:
            return bare
        # the option's text, maybe copied with its bullet and letter ("- c) the same, 100")
        prefix = re.match(r"^[-*]?\s*\(?([a-z])[).:]\s+(.*)$", text, re.S)
        candidates = [answer]
        if prefix and prefix.group(1) in self.letters:
            candidates.append(prefix.group(2))
        for candidate in candidates:
            for letter, option in zip(self.letters, self.options):
                if self._normal(candidate) == self._normal(option):
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
        why = self.explanations.get(letter, f"that is not the one. {self._nudge()}")
        return self._feedback(False, f"{letter}) — {why}")


def _untouched(fn):
    """True if ``fn``'s body is still only ``...`` or ``pass`` (and maybe a docstring)."""
    source, problem = _call(inspect.getsource, fn)
    if problem is not None or not isinstance(source, str):
        return False
    tree, problem = _call(ast.parse, textwrap.dedent(source))
    if problem is not None:
        return False
    defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defs:
        return False  # a lambda always has a body
    body = defs[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(
        getattr(body[0].value, "value", None), str
    ):
        body = body[1:]
    return all(
        isinstance(stmt, ast.Pass)
        or (isinstance(stmt, ast.Expr) and getattr(stmt.value, "value", None) is ...)
        for stmt in body
    )


def _printed(run):
    """A note on what the reader's function printed: the first 5 lines, and how many in all."""
    if not run.printed_chars:
        return ""
    lines = run.printed.splitlines()[:5]
    shown = "\n".join("    " + line[:100] for line in lines)
    total = run.printed_lines
    more = f" (the first {len(lines)} shown)" if total > len(lines) else ""
    return f"\nYour function printed {total} line{'s' * (total != 1)}{more}:\n{shown}"


class FunctionExercise(Exercise):
    """The reader writes a function; it is run against ``reference`` on every case, in order.

    Args:
        reference: the reference function (its source is shown by ``solution()``).
        cases: ``[(label, args_tuple), ...]``, e.g. ``("1x1 kernel", (X, K))``. Each call gets
            fresh deep copies of the arguments, so a function that mutates its input cannot
            spoil the next case; ``cases`` and ``expected_outputs()`` hand out copies too.
        common_mistakes: ``[(wrong_function, "message"), ...]``: the message is added when the
            reader's output equals the wrong function's on every case.
        rtol, atol: tolerance for the values (wider for float32 answers: see ``tolerance``).
        time_limit: seconds per case before the reader's function is stopped.
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
        time_limit=TIME_LIMIT,
        **kwargs,
    ):
        kwargs.setdefault("placeholder", "your code here")
        kwargs.setdefault("level", "code")
        super().__init__(name, title, question, hint_text, solution_text, **kwargs)
        self.reference = reference
        self.func_name = reference.__name__
        self.params = list(inspect.signature(reference).parameters)
        self._cases = copy.deepcopy(list(cases))
        self.common_mistakes = list(common_mistakes)
        self.rtol, self.atol = rtol, atol
        self.time_limit = time_limit
        self.reference_source = reference_source or textwrap.dedent(inspect.getsource(reference))
        self._expected = None
        self._mistake_outputs = None

    @property
    def cases(self):
        """A copy of the cases: ``[(label, args_tuple), ...]``."""
        return copy.deepcopy(self._cases)

    def _expected_outputs(self):
        if self._expected is None:
            self._expected = [
                np.asarray(self.reference(*copy.deepcopy(args)), dtype=float)
                for _, args in self._cases
            ]
            for out in self._expected:
                out.setflags(write=False)
        return self._expected

    def expected_outputs(self):
        """The reference's output on each case (copies: changing them changes nothing)."""
        return [out.copy() for out in self._expected_outputs()]

    def describe_input(self, label, args):
        shown = ", ".join(f"{p}={_describe_argument(a)}" for p, a in zip(self.params, args))
        return f"“{label}” ({shown})"

    def _missing_message(self):
        return f"pass your function itself: `{self.call}.check({self.func_name})`."

    def _signature_problem(self, fn):
        n = len(self._cases[0][1])
        passed = self.params[:n]
        call = f"{self.func_name}({', '.join(passed)})"
        signature, problem = _call(inspect.signature, fn)
        if problem is not None:
            return None
        _, wrong_arity = _call(signature.bind, *self._cases[0][1])
        if wrong_arity is None:
            return None
        return (
            f"your function takes the parameters {signature}, but the check calls it with "
            f"{n} argument{'s' * (n != 1)}, as {call}: give it exactly these parameters "
            f"(an extra one needs a default value)."
        )

    def _run_all(self, fn):
        """Run ``fn`` on every case. Returns (outputs, failure): outputs read as float arrays
        (None where unreadable); failure is None or ``(index, message, correct)``."""
        outputs, failure = [], None
        for i, ((label, args), expected) in enumerate(zip(self._cases, self._expected_outputs())):
            where = f"on the test {self.describe_input(label, args)}"
            run = run_reader_function(fn, copy.deepcopy(args), self.time_limit)
            printed = _printed(run)
            if run.timed_out:
                message = (
                    f"{where}, your function ran for more than {self.time_limit:g} s and was "
                    f"stopped: is a loop not ending, or the input much larger than it needs?"
                )
                return outputs, (i, message + printed, False)
            if run.error is not None:
                message = f"{where}, your function raised {_describe_exception(run.error)}."
                return outputs, (i, message + printed, False)
            out = run.result
            if out is None or out is ...:
                if i == 0 and _untouched(fn):
                    message = (
                        f"the body of {self.func_name} is still `...`: write it and return "
                        f"the result, then run the cell again."
                    )
                    return outputs, (i, message, None)
                if run.printed_chars:
                    why = "print shows a value but does not return it: end with `return`."
                else:
                    why = "is a `return` missing (on some path)?"
                message = f"{where}, your function returned None; {why}"
                return outputs, (i, message + printed, False)
            got, problem = _as_numeric_array(out)
            if problem is not None:
                problem = f"your function's result is not an array of numbers: {problem}"
            else:
                rtol, atol = tolerance(_answer_dtype(out), self.rtol, self.atol, expected)
                problem = _compare_arrays(got, expected, rtol, atol)
            outputs.append(got)
            if problem is not None and failure is None:
                message = f"{where}: {problem}."
                if got is not None and got.size <= 25 and expected.size <= 25:
                    message += f"\nExpected {_compact(expected)},\n     got {_compact(got)}."
                failure = (i, message + printed, False)
        return outputs, failure

    def _check(self, fn):
        if not callable(fn) or isinstance(fn, type):
            return self._feedback(
                False,
                f"expected your function itself (`{self.call}.check({self.func_name})`, "
                f"no parentheses after the name); got {_short(fn, 40)}.",
            )
        problem = self._signature_problem(fn)
        if problem is not None:
            return self._feedback(False, problem)
        outputs, failure = self._run_all(fn)
        if failure is None:
            labels = "; ".join(label for label, _ in self._cases)
            return self._feedback(
                True,
                f"Your {self.func_name} matches the reference on all "
                f"{len(self._cases)} inputs ({labels}).",
            )
        _, message, correct = failure
        if correct is False:
            diagnosis = self._diagnose(outputs)
            if diagnosis:
                message += "\n" + diagnosis
            message += " " + self._nudge() if "\n" not in message else "\n" + self._nudge()
        return self._feedback(correct, message)

    def _mistakes(self):
        """Each common mistake's outputs on every case (computed once)."""
        if self._mistake_outputs is None:
            self._mistake_outputs = []
            for wrong_fn, message in self.common_mistakes:
                outs = []
                for _, args in self._cases:
                    out, problem = _call(wrong_fn, *copy.deepcopy(args))
                    arr = None if problem is not None else _as_numeric_array(out)[0]
                    outs.append(arr)
                self._mistake_outputs.append((outs, message))
        return self._mistake_outputs

    def _diagnose(self, outputs):
        """The message of the common mistake whose outputs the reader's equal on every case."""
        if len(outputs) != len(self._cases) or any(o is None for o in outputs):
            return ""
        for wrong_outputs, message in self._mistakes():
            if all(
                w is not None
                and w.shape == got.shape
                and np.all(np.isfinite(got))
                and np.allclose(got, w, rtol=max(self.rtol, 1e-4), atol=max(self.atol, 1e-6))
                for got, w in zip(outputs, wrong_outputs)
            ):
                return message
        return ""

    def solution(self):
        return show(Note(
            f"Solution to {self.label}",
            f"{markdown_text(self.solution_text)}\n\n```python\n"
            f"{self.reference_source.rstrip()}\n```",
            plain=f"{self.solution_text}\n\n{self.reference_source.rstrip()}",
        ))
