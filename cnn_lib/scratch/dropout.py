"""Inverted dropout, as ``torch.nn.functional.dropout``.

In training, every value is kept with probability 1 - p and set to zero otherwise; the kept
values are divided by 1 - p, so that the expected value of every output equals its input and
nothing has to change at test time. When not training, dropout is the identity.

The backward pass is the same mask and the same scale: ``grad_input = grad_output * mask /
(1 - p)``, i.e. ``grad_output * (output / input)`` wherever the input is not zero.
"""

import numbers

import numpy as np

from cnn_lib.checks import as_real_array, check_bool, check_real, float_dtype


def dropout(input, p=0.5, training=True, rng=None):
    """Zero each value of ``input`` with probability ``p`` and scale the rest by 1 / (1 - p).

    Parameters
    ----------
    input : array of any shape
    p : probability of dropping a value, in [0, 1] (p = 1 drops everything)
    training : if False, return ``input`` unchanged (as a float array)
    rng : a ``numpy.random.Generator``, an int seed, or None (a fresh generator)

    Returns
    -------
    array shaped like ``input``
    """
    fn = "dropout"
    x = as_real_array(input, "input", fn)
    p = check_real(p, "p", fn, 0, 1)  # the probability of dropping a value
    training = check_bool(training, "training", fn)
    if rng is not None and (isinstance(rng, bool) or not isinstance(
            rng, (np.random.Generator, numbers.Integral))):
        raise TypeError(f"{fn}: rng must be a numpy.random.Generator, an int seed or None, "
                        f"got {type(rng).__name__}")
    x = x.astype(float_dtype(x), copy=False)
    if not training or p == 0:
        return x
    if p == 1:
        return np.zeros_like(x)
    rng = np.random.default_rng(rng)
    keep = rng.random(x.shape) >= p
    return np.where(keep, x / (1 - p), 0).astype(x.dtype, copy=False)
