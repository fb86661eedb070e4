"""Argument checks shared by the functions in ``cnn_lib.scratch``.

Every check raises a ``TypeError`` or ``ValueError`` whose message starts with the name of the
public function (``fn``), names the argument, says what it got and what it expected.
"""

import numpy as np


def as_real_array(x, name, fn):
    """Return ``x`` as a NumPy array with a real numeric dtype (ints, unsigned ints or floats).

    Booleans, complex numbers, strings and objects are refused with a ``TypeError``.
    """
    try:
        a = np.asarray(x)
    except Exception as err:  # ragged nested lists, for example
        raise TypeError(
            f"{fn}: {name} must be an array of real numbers, "
            f"got {type(x).__name__} that NumPy cannot turn into one ({err})"
        ) from None
    if a.dtype == bool or a.dtype.kind not in "iuf":
        raise TypeError(
            f"{fn}: {name} must have a real numeric dtype (int or float), got dtype {a.dtype}"
        )
    return a


def float_dtype(*arrays):
    """The dtype the result is computed in: float32 stays float32, anything else becomes float64.

    float16 is computed in float32; integer arrays are computed in float64 (like ``1 / 2``).
    """
    dtype = np.result_type(*arrays)
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def check_ndim(a, name, fn, allowed, meaning):
    """Refuse an array whose ``ndim`` is not in ``allowed``; ``meaning`` describes the layouts."""
    if a.ndim not in allowed:
        raise ValueError(
            f"{fn}: {name} must be {meaning}, got an array with {a.ndim} dimension(s) "
            f"of shape {a.shape}"
        )


def is_int(v):
    """True for Python and NumPy integers, but not for ``True`` / ``False``."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def check_int(v, name, fn, minimum):
    """Return ``v`` as an int, refusing non-integers and values below ``minimum``."""
    if not is_int(v):
        raise TypeError(f"{fn}: {name} must be an int, got {type(v).__name__} {v!r}")
    if v < minimum:
        raise ValueError(f"{fn}: {name} must be an int >= {minimum}, got {v}")
    return int(v)


def pair(v, name, fn, minimum):
    """Turn an int or a pair of ints into a tuple ``(for_height, for_width)``, each ``>= minimum``.

    >>> pair(2, "stride", "conv2d", 1)
    (2, 2)
    """
    what = "positive" if minimum == 1 else "non-negative"
    expected = f"a {what} int or a pair of {what} ints (height, width)"
    if is_int(v):
        v = (v, v)
    elif isinstance(v, (tuple, list)) and len(v) == 2 and all(is_int(x) for x in v):
        v = tuple(v)
    elif isinstance(v, (tuple, list, np.ndarray)) and len(v) != 2:
        raise ValueError(f"{fn}: {name} must be {expected}, got {v!r} of length {len(v)}")
    else:
        raise TypeError(f"{fn}: {name} must be {expected}, got {type(v).__name__} {v!r}")
    if min(v) < minimum:
        raise ValueError(f"{fn}: {name} must be {expected}, got {v!r}")
    return int(v[0]), int(v[1])
