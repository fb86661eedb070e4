"""Argument checks for every public function of ``cnn_lib``: one module, one convention.

Each check is called as ``check(value, name, fn, ...)``: the argument's value, its name, and
the name of the public function that was called (``fn``; ``None`` leaves it out of the
message). It returns the value in the form the caller computes with (an ``int``, a pair, an
array), or raises:

- ``TypeError`` when the value has the wrong kind (a ``str`` where an int is needed, a bool
  where a number is needed);
- ``ValueError`` when the kind is right but the value is not (a negative size, a NaN).

The message starts with ``fn:`` (as PyTorch's do), names the argument, says what it got and
what it expected: ``conv2d: stride must be an int >= 1, got 0``.

>>> check_int(3, "stride", "conv2d")
3
>>> pair(2, "kernel_size", "max_pool2d")
(2, 2)
"""

import numbers

import numpy as np

__all__ = [
    "as_batch",
    "as_real_array",
    "check_bool",
    "check_int",
    "check_ndim",
    "check_real",
    "float_dtype",
    "is_int",
    "pair",
]


def _prefix(fn):
    return f"{fn}: " if fn else ""


def is_int(value):
    """True for Python and NumPy integers, but not for ``True`` / ``False``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, fn=None, low=1, high=None):
    """``value`` as a Python int in ``low..high`` (``None``: no limit on that side).

    >>> check_int(0, "padding", low=0)
    0
    """
    if not is_int(value):
        raise TypeError(f"{_prefix(fn)}{name} must be an int, got {type(value).__name__} "
                        f"{value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        limits = (f">= {low}" if high is None else f"<= {high}" if low is None
                  else f"in {low}..{high}")
        raise ValueError(f"{_prefix(fn)}{name} must be an int {limits}, got {value}")
    return int(value)


def check_real(value, name, fn=None, low=None, high=None, low_open=False):
    """``value`` (a real number, not a bool, not NaN) as a float, in ``[low, high]`` when
    they are given (``(low, high]`` with ``low_open``; either end may be None).

    >>> check_real(0.5, "iou_threshold", "nms", 0, 1)
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_prefix(fn)}{name} must be a number, got {type(value).__name__} "
                        f"{value!r}")
    if np.isnan(value):
        raise ValueError(f"{_prefix(fn)}{name} must be a number, got NaN")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        if low is None:
            limits = f"<= {high}"
        elif high is None:
            limits = f"{'>' if low_open else '>='} {low}"
        else:
            limits = f"in {'(' if low_open else '['}{low}, {high}]"
        raise ValueError(f"{_prefix(fn)}{name} must be {limits}, got {value}")
    return value


def check_bool(value, name, fn=None):
    """``value`` (``True``, ``False`` or a NumPy bool) as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_prefix(fn)}{name} must be True or False, got "
                        f"{type(value).__name__} {value!r}")
    return bool(value)


def pair(value, name, fn=None, low=1):
    """An int, or a pair of ints (height, width), as a tuple of two Python ints ``>= low``.

    >>> pair((3, 1), "stride")
    (3, 1)
    """
    if not (isinstance(value, (tuple, list)) or np.ndim(value) == 1):
        value = check_int(value, name, fn, low)
        return value, value
    if len(value) != 2:
        raise ValueError(f"{_prefix(fn)}{name} must be an int or a pair of ints "
                         f"(height, width), got {value!r} of length {len(value)}")
    try:
        return tuple(check_int(v, f"{name}[{i}]", fn, low) for i, v in enumerate(value))
    except (TypeError, ValueError) as err:  # name the whole pair too
        raise type(err)(f"{err} (in {name} = {value!r})") from None


def as_real_array(x, name, fn=None, ndim=None, bool_ok=False, empty_ok=True):
    """``x`` as a NumPy array of real numbers (ints or floats), its dtype kept.

    Strings, objects and complex numbers are refused (TypeError), bools too unless
    ``bool_ok``. ``ndim``: the allowed number(s) of dimensions (ValueError otherwise);
    ``empty_ok=False`` refuses an array with no elements.
    """
    try:
        a = np.asarray(x)
    except Exception as err:  # ragged nested lists, for example
        raise TypeError(f"{_prefix(fn)}{name} must be an array of real numbers, got "
                        f"{type(x).__name__} that NumPy cannot turn into one ({err})"
                        ) from None
    if (a.dtype == bool and not bool_ok) or a.dtype.kind not in "biuf":
        raise TypeError(f"{_prefix(fn)}{name} must hold real numbers (int or float), "
                        f"got dtype {a.dtype}")
    if ndim is not None and a.ndim not in np.atleast_1d(ndim):
        want = " or ".join(f"{d}-D" for d in np.atleast_1d(ndim))
        raise ValueError(f"{_prefix(fn)}{name} must be a {want} array, got shape {a.shape} "
                         f"({a.ndim}-D)")
    if not empty_ok and a.size == 0:
        raise ValueError(f"{_prefix(fn)}{name} must not be empty, got shape {a.shape}")
    return a


def check_ndim(a, name, fn, allowed, meaning):
    """Refuse an array whose ``ndim`` is not in ``allowed``; ``meaning`` describes the layouts
    (``"(N, C, H, W) or unbatched (C, H, W)"``)."""
    if a.ndim not in allowed:
        raise ValueError(f"{_prefix(fn)}{name} must be {meaning}, got an array with {a.ndim} "
                         f"dimension(s) of shape {a.shape}")


def as_batch(input, fn, name="input", channels="C"):
    """The prologue of every function that takes images (N, C, H, W) or one unbatched image
    (C, H, W), as PyTorch's do: returns ``(x, batched)``, ``x`` a real array of shape
    (N, C, H, W) (a batch of one for an unbatched input) with a non-empty height and width.
    ``channels`` names the channel axis in the message (``"C_in"`` for a convolution).

    >>> x, batched = as_batch(np.zeros((3, 4, 4)), "max_pool2d")
    >>> x.shape, batched
    ((1, 3, 4, 4), False)
    """
    x = as_real_array(input, name, fn)
    check_ndim(x, name, fn, (3, 4), f"(N, {channels}, H, W) or unbatched ({channels}, H, W)")
    if min(x.shape[-2:]) == 0:
        raise ValueError(f"{_prefix(fn)}{name} must have a non-empty height and width, got "
                         f"shape {x.shape}")
    batched = x.ndim == 4
    return (x if batched else x[None]), batched


def float_dtype(*arrays):
    """The dtype a result is computed in: float32 stays float32, anything else float64.

    float16 is computed in float32; integer arrays are computed in float64 (like ``1 / 2``).
    """
    dtype = np.result_type(*arrays)
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)
