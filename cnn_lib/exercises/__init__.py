"""Exercises with check / hint / solution, one module per chapter (``chapter2``, ...).

>>> from cnn_lib.exercises import chapter2 as ex
>>> ex.q3.check(...)          # the notebooks' placeholder: "not attempted yet", never wrong
… Not attempted yet: replace the `...` with your answer, then run the cell again.

``check`` returns a :class:`~cnn_lib.exercises.core.Feedback` (``.correct`` is True, False or
None; ``.message`` is plain text); ``hint()`` and ``solution()`` return a
:class:`~cnn_lib.exercises.core.Note`. The exercise kinds live in :mod:`cnn_lib.exercises.core`.
"""
