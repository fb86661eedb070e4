"""Running a reader's function safely: a time limit, and its printed output captured and cut.

>>> run = run_reader_function(lambda x: x + 1, (1,))
>>> run.result, run.error, run.timed_out, run.printed
(2, None, False, '')

A function that never returns is stopped after ``seconds`` (with SIGALRM in the main thread, as
in a Jupyter kernel; elsewhere with a trace function that checks the clock on every line), so a
check can never hang the reader's kernel.
"""

import contextlib
import io
import signal
import sys
import threading
import time

__all__ = ["Run", "run_reader_function", "TIME_LIMIT"]

TIME_LIMIT = 3.0  # seconds per call of a reader's function
_PASS_THROUGH = (KeyboardInterrupt, SystemExit)


class _TooSlow(BaseException):
    """Raised inside a reader's function when its time is up (a BaseException, so that a bare
    ``except Exception`` in the reader's code does not swallow it)."""


class _CappedText(io.TextIOBase):
    """A text stream that keeps the first ``max_chars`` characters and counts the lines."""

    def __init__(self, max_chars=600):
        self.max_chars = max_chars
        self.kept = []
        self.size = 0
        self.lines = 0
        self.open_line = False  # the last line has no newline yet

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.max_chars - self.size
        if room > 0:
            self.kept.append(text[:room])
        self.size += len(text)
        self.lines += text.count("\n")
        if text:
            self.open_line = not text.endswith("\n")
        return len(text)

    def text(self):
        return "".join(self.kept)


class Run:
    """What happened when a reader's function was called.

    Attributes:
        result: what it returned (None if it raised or ran out of time).
        error: the exception it raised, or None.
        timed_out: True if it was stopped after the time limit.
        printed: the first few hundred characters it printed (stdout and stderr).
        printed_lines: how many lines it printed in all.
        printed_chars: how many characters it printed in all.
    """

    def __init__(self, result, error, timed_out, stream):
        self.result, self.error, self.timed_out = result, error, timed_out
        self.printed = stream.text()
        self.printed_lines = stream.lines + stream.open_line
        self.printed_chars = stream.size


@contextlib.contextmanager
def _alarm(seconds):
    def stop(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _traced_clock(seconds):
    deadline = time.monotonic() + seconds

    def tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TooSlow
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _limit(seconds):
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _alarm(seconds)
    return _traced_clock(seconds)


def run_reader_function(fn, args, seconds=TIME_LIMIT, *, use_alarm=None):
    """Call ``fn(*args)`` with a time limit and its output captured; never raises (except for
    KeyboardInterrupt and SystemExit, which are the reader's own stop).

    Args:
        fn: the reader's function.
        args: a tuple of arguments.
        seconds: the time limit for this call.
        use_alarm: force SIGALRM (True) or the trace-based clock (False); default: SIGALRM
            where it can work (the main thread of a Unix process).
    Returns:
        a :class:`Run`.
    """
    stream = _CappedText()
    if use_alarm is None:
        limit = _limit(seconds)
    else:
        limit = _alarm(seconds) if use_alarm else _traced_clock(seconds)
    result, error, timed_out = None, None, False
    try:
        with limit, contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            result = fn(*args)
    except _TooSlow:
        timed_out = True
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # noqa: BLE001 - a reader's code may raise anything
        error = exc
    return Run(result, error, timed_out, stream)
