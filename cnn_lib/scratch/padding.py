"""Padding an image on its four sides: ``pad``, the NumPy twin of ``torch.nn.functional.pad``.

Modes (PyTorch's ``padding_mode`` names), shown on one row ``a b c d`` padded by 2 on each side:

=============  =======================  ==================================
mode           result                   rule
=============  =======================  ==================================
``zeros``      ``0 0 | a b c d | 0 0``  a constant (``value``, default 0)
``reflect``    ``c b | a b c d | c b``  mirror, edge pixel not repeated
``replicate``  ``a a | a b c d | d d``  repeat the edge pixel
``circular``   ``c d | a b c d | a b``  wrap around (the image tiles the plane)
=============  =======================  ==================================
"""

import numpy as np

from cnn_lib.checks import as_real_array, check_ndim, is_int

PADDING_MODES = ("zeros", "constant", "reflect", "replicate", "circular")

# PyTorch's names -> NumPy's names for the same rule.
_NUMPY_MODE = {
    "zeros": "constant",
    "constant": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def _four_sides(padding, fn):
    """Turn ``padding`` into ``(left, right, top, bottom)``, as ``torch...pad`` reads it.

    An int pads all four sides; ``(left, right)`` pads only the width, like PyTorch's 2-tuple.
    """
    expected = "an int, (left, right) or (left, right, top, bottom) of non-negative ints"
    if is_int(padding):
        sides = (padding,) * 4
    elif isinstance(padding, (tuple, list)) and all(is_int(p) for p in padding):
        if len(padding) == 4:
            sides = tuple(padding)
        elif len(padding) == 2:
            sides = (padding[0], padding[1], 0, 0)
        else:
            raise ValueError(
                f"{fn}: padding must be {expected}, got {padding!r} of length {len(padding)}"
            )
    else:
        raise TypeError(f"{fn}: padding must be {expected}, got {type(padding).__name__} "
                        f"{padding!r}")
    if min(sides) < 0:
        raise ValueError(f"{fn}: padding must be {expected}, got {padding!r} "
                         "(negative padding, i.e. cropping, is not supported)")
    return tuple(int(p) for p in sides)


def pad(input, padding, mode="zeros", value=0.0):
    """Pad the last two dimensions (height, width) of ``input``.

    Parameters
    ----------
    input : array of shape (H, W), (C, H, W) or (N, C, H, W)
    padding : int or (left, right) or (left, right, top, bottom)
        How many pixels to add on each side; the order is ``torch.nn.functional.pad``'s
        (last dimension first). An int pads all four sides equally.
    mode : 'zeros' (alias 'constant'), 'reflect', 'replicate' or 'circular'
    value : float
        The fill value for 'zeros' / 'constant' (other modes refuse a non-zero value).

    Returns
    -------
    array of shape (..., H + top + bottom, W + left + right), same dtype as ``input``.

    ``reflect`` needs each pad smaller than the side it mirrors (``pad < H`` or ``pad < W``),
    ``circular`` at most that side, and ``replicate`` a non-empty side, as in PyTorch.
    """
    fn = "pad"
    x = as_real_array(input, "input", fn)
    check_ndim(x, "input", fn, (2, 3, 4), "(H, W), (C, H, W) or (N, C, H, W)")
    if not isinstance(mode, str) or mode not in PADDING_MODES:
        raise ValueError(f"{fn}: mode must be one of {', '.join(map(repr, PADDING_MODES))}, "
                         f"got {mode!r}")
    if _NUMPY_MODE[mode] != "constant" and value != 0:
        raise ValueError(f"{fn}: value={value!r} is only used by mode='zeros' / 'constant', "
                         f"got mode={mode!r} (PyTorch refuses this too)")
    left, right, top, bottom = _four_sides(padding, fn)
    H, W = x.shape[-2:]
    for side, amount, size, dim in (("left", left, W, "width"), ("right", right, W, "width"),
                                    ("top", top, H, "height"), ("bottom", bottom, H, "height")):
        if mode == "reflect" and amount >= size and amount > 0:
            raise ValueError(f"{fn}: mode='reflect' needs each pad < the size it mirrors, got "
                             f"{side} padding {amount} for input {dim} {size}; "
                             f"use a pad <= {size - 1} or mode='replicate'")
        if mode == "circular" and amount > size:
            raise ValueError(f"{fn}: mode='circular' needs each pad <= the size it wraps, got "
                             f"{side} padding {amount} for input {dim} {size}")
        if mode == "replicate" and amount > 0 and size == 0:
            raise ValueError(f"{fn}: mode='replicate' needs a non-empty {dim} to repeat, got "
                             f"input of shape {x.shape}")
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if _NUMPY_MODE[mode] == "constant":
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode=_NUMPY_MODE[mode])
