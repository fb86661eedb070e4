"""The integer-argument check shared by ``arithmetic``, ``layers``, ``models`` and the explorers.

(``cnn_lib.scratch`` has its own, whose messages start with the function's name, as
PyTorch's do.)
"""

from numbers import Integral


def check_int(value, name, low=1, high=None):
    """``value`` as a Python int in ``low..high`` (``high=None``: no upper limit), or a
    TypeError / ValueError that names ``name``, says what it got and what it expected.

    >>> check_int(3, "stride")
    3
    >>> check_int(0, "padding", 0)
    0
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < low or (high is not None and value > high):
        limits = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{name} must be an int {limits}, got {value}")
    return int(value)
