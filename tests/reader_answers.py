"""Hypothesis strategies for the odd things a reader may hand an exercise's ``check``.

Shared by ``test_exercises_core.py`` (the exercise kinds) and ``test_exercises_all.py`` (every
chapter's exercises): None, Ellipsis, booleans, numbers (NaN and inf among the floats), complex
numbers, strings, bytes, nested lists / tuples / dicts of those, and small arrays of any
numeric or boolean dtype and 0 to 4 dimensions.
"""

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

_leaves = (
    st.none()
    | st.just(...)
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.complex_numbers()
    | st.text(max_size=8)
    | st.binary(max_size=4)
)
_objects = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=16,
)
_arrays = hnp.arrays(
    hnp.floating_dtypes() | hnp.integer_dtypes() | hnp.boolean_dtypes(),
    hnp.array_shapes(min_dims=0, max_dims=4, max_side=4),
)
answers = _objects | _arrays
