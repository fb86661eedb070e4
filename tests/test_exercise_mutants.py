"""Every function exercise rejects every point mutant of its reference solution that computes
something else (``mutants.py``: constants +-1, ``<`` / ``<=``, ``+`` / ``-``, max / min,
sum / mean, shortened ranges and slices).

A mutant "computes something else" when, on the exercise's own cases or on random inputs of the
same shapes (8 draws per case), its output differs from the reference's or it raises where the
reference does not. Such a mutant must fail ``check``; a mutant equal to the reference on all
of them (``range(n)`` vs ``range(0, n)``, say) may pass. A survivor means the cases do not
separate a mistake a student can make: add a case that does.
"""

import importlib
import pkgutil

import numpy as np
import pytest
from mutants import mutants, random_inputs

import cnn_lib.exercises
from cnn_lib.exercises.core import FunctionExercise
from cnn_lib.exercises.running import run_reader_function

# a mutant may overflow or divide by zero: that shows as a wrong answer, not as a warning
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

CHAPTERS = sorted(m.name for m in pkgutil.iter_modules(cnn_lib.exercises.__path__)
                  if m.name.startswith("chapter"))
FUNCTIONS = [
    (f"{name}-{q.name}", q)
    for name in CHAPTERS
    for q in importlib.import_module(f"cnn_lib.exercises.{name}").EXERCISES
    if isinstance(q, FunctionExercise)
]


def _output(fn, args):
    with np.errstate(all="ignore"):  # a mutant may divide by zero: that is a difference
        run = run_reader_function(fn, args, seconds=1.0)
    if run.error is not None or run.timed_out:
        return "raised"
    try:
        return np.asarray(run.result, dtype=float)
    except (TypeError, ValueError):
        return "unreadable"


def _same(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-8, equal_nan=True)


def _differs(q, mutant, rng):
    for _, args in q.cases:
        trials = [args] + [random_inputs(args, rng) for _ in range(8)]
        for trial in trials:
            expected = _output(q.reference, trial)
            if isinstance(expected, str):
                continue  # an input the reference itself does not take
            if not _same(expected, _output(mutant, trial)):
                return True
    return False


@pytest.mark.parametrize("q", [q for _, q in FUNCTIONS], ids=[i for i, _ in FUNCTIONS])
def test_every_differing_mutant_is_rejected(q):
    rng = np.random.default_rng(0)
    survivors, tried = [], 0
    for description, mutant in mutants(q.reference):
        if not _differs(q, mutant, rng):
            continue
        tried += 1
        feedback = q.check(mutant)
        if feedback.correct is not False:
            survivors.append(description)
    assert not survivors, f"{len(survivors)} of {tried} differing mutants pass: {survivors}"


def test_the_mutants_are_many():
    """The harness finds mutation sites (a broken harness would pass every exercise)."""
    total = sum(1 for _, q in FUNCTIONS for _ in mutants(q.reference))
    assert total >= 250, total
