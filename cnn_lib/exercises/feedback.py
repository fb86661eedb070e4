"""What a check, a hint, a solution and ``progress()`` show: :class:`Feedback`, :class:`Note`,
:class:`Progress`.

Each displays itself as soon as it is made, wherever the call sits in a cell (inside a loop, or
before a ``hint()`` in the same cell), and is also returned, so tests and scripts can read it.
Displayed once, it is not shown a second time as the cell's result. Outside IPython nothing is
displayed: the returned object prints as plain text.
"""

import html
import re

__all__ = ["Feedback", "Note", "Progress", "show"]


def _ipython():
    """The running IPython shell, or None (plain Python, pytest, a terminal script)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return None
    return get_ipython()


class _Shown:
    """Displays itself once per cell: ``show`` publishes it, the cell's result does not repeat
    it. Subclasses give ``__str__`` and one rich format in ``_rich()``."""

    _shown_in = None

    def _bundle(self):
        mime, data = self._rich()
        return {mime: data, "text/plain": str(self)}

    def _ipython_display_(self):
        from IPython.display import display

        shell = _ipython()
        if shell is not None and self._shown_in == shell.execution_count:
            return  # already shown by the call that made it, in this cell
        display(self._bundle(), raw=True)

    def __repr__(self):
        return str(self)


def show(obj):
    """Display ``obj`` now if IPython is running; return it either way."""
    shell = _ipython()
    if shell is not None and getattr(shell, "display_pub", None) is not None:
        from IPython.display import display

        display(obj._bundle(), raw=True)
        obj._shown_in = shell.execution_count
    return obj


class Feedback(_Shown):
    """The verdict on one answer.

    Attributes:
        correct: ``True`` (right), ``False`` (wrong) or ``None`` (not attempted yet).
        message: plain text saying what is right or wrong.
        name: the exercise's name (``"q1"``).

    ``bool(feedback)`` is ``feedback.correct is True``, so ``assert ex.q1.check(x)`` works and a
    "not attempted" answer counts as not passed.
    """

    # mark, label, accent colour (the left border and, faint, the background). The text keeps
    # the page's own colour, so the box reads the same in light and dark themes (JupyterLab,
    # Colab, VS Code and the book all have both).
    _STYLES = {
        True: ("✓", "Correct!", "#2e7d32"),
        False: ("✗", "Not quite:", "#c62828"),
        None: ("…", "Not attempted yet:", "#b26a00"),
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

    def _repr_html_(self):
        mark, label, accent = self._STYLES[self.correct]
        tint = "rgba({}, {}, {}, 0.12)".format(*(int(accent[i:i + 2], 16) for i in (1, 3, 5)))
        message = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.message))
        return (
            f'<div role="status" class="exercise-feedback" style="border-left: 5px solid '
            f"{accent}; background: {tint}; color: inherit; padding: 0.5em 0.8em; "
            f'margin: 0.3em 0; white-space: pre-wrap; font-family: sans-serif;">'
            f'<strong style="color: {accent}">{mark}</strong> <strong>{html.escape(label)}'
            f"</strong> {message}</div>"
        )

    def _rich(self):
        return "text/html", self._repr_html_()


class Note(_Shown):
    """A hint or a solution: Markdown in Jupyter, plain text in a terminal.

    Args:
        title: plain text (backticks for code are kept in both renderings).
        text: the Markdown body.
        plain: the body for a terminal, if it differs (no Markdown escapes).
    """

    def __init__(self, title, text, plain=None):
        self.title = title
        self.text = text
        self.plain = text if plain is None else plain

    def __str__(self):
        return f"{self.title}\n{self.plain}"

    def _repr_markdown_(self):
        return f"**{self.title}**\n\n{self.text}"

    def _rich(self):
        return "text/markdown", self._repr_markdown_()


class Progress(_Shown):
    """Which of a chapter's exercises this kernel has seen answered right, attempted, or not yet.

    Attributes:
        rows: ``[(label, title, status), ...]`` with status ``"right"``, ``"attempted"`` or
            ``"not yet"``.
    """

    _MARKS = {"right": "✓ right", "attempted": "✗ attempted", "not yet": "· not yet"}

    def __init__(self, chapter, rows):
        self.chapter = chapter
        self.rows = list(rows)

    def counts(self):
        """``{"right": n, "attempted": n, "not yet": n}``."""
        return {s: sum(r[2] == s for r in self.rows) for s in ("right", "attempted", "not yet")}

    def _summary(self):
        c = self.counts()
        return (
            f"Chapter {self.chapter}: {c['right']} of {len(self.rows)} right, "
            f"{c['attempted']} attempted, {c['not yet']} not yet"
        )

    def __str__(self):
        width = max(len(label) for label, _, _ in self.rows)
        lines = [self._summary()]
        lines += [f"  {label:<{width}}  {self._MARKS[s]:<12} {t}" for label, t, s in self.rows]
        return "\n".join(lines)

    def _rich(self):
        rows = "".join(
            f"<tr><td>{html.escape(label)}</td><td>{html.escape(title)}</td>"
            f"<td>{html.escape(self._MARKS[status])}</td></tr>"
            for label, title, status in self.rows
        )
        return "text/html", (
            f"<p><strong>{html.escape(self._summary())}</strong></p>"
            f"<table><thead><tr><th>Exercise</th><th>Title</th><th>Status</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
