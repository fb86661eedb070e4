"""Batch normalization over (N, C, H, W) input, forward and backward, as in PyTorch.

Forward, per channel c, over the N * H * W values of that channel in the batch::

    mean = x.mean(),  var = ((x - mean) ** 2).mean()          (the biased variance)
    x_hat = (x - mean) / sqrt(var + eps),  out = weight * x_hat + bias

In training mode the batch's own statistics are used, and the running statistics move towards
them: ``running = (1 - momentum) * running + momentum * batch_value``, where the variance that
goes into ``running_var`` is the *unbiased* one (divided by n - 1, n = N * H * W), as PyTorch
does. In evaluation mode the running statistics replace the batch's.

Backward (training mode), with n = N * H * W and g = grad_output, sums over (N, H, W)::

    grad_bias = sum(g),  grad_weight = sum(g * x_hat)
    grad_input = weight / sqrt(var + eps) * (g - grad_bias / n - x_hat * grad_weight / n)

The two subtracted terms are the gradient flowing through the mean and through the variance:
every value of the channel helped compute them, so each gets a share.
"""


import numpy as np

from cnn_lib.checks import as_real_array, check_bool, check_ndim, check_real, float_dtype

AXES = (0, 2, 3)  # everything but the channel axis


def _channel_vector(v, name, fn, C, default):
    if v is None:
        return np.full(C, default, dtype=np.float32)  # takes the input's precision
    a = as_real_array(v, name, fn)
    if a.shape != (C,):
        raise ValueError(f"{fn}: {name} must have shape ({C},), one value per channel of "
                         f"input, got shape {a.shape}")
    return a


def _check_input(input, fn):
    x = as_real_array(input, "input", fn)
    check_ndim(x, "input", fn, (4,), "a batch of shape (N, C, H, W)")
    return x


def _per_channel_count(x, fn):
    n = x.shape[0] * x.shape[2] * x.shape[3]
    if n < 2:
        raise ValueError(f"{fn}: training mode needs more than 1 value per channel "
                         f"(N * H * W > 1), got input of shape {x.shape}")
    return n


def _check_running(v, name, fn, C):
    if v is None:
        return None
    if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be a float NumPy array (it is updated in place), "
                        f"got {type(v).__name__}"
                        + (f" of dtype {v.dtype}" if isinstance(v, np.ndarray) else ""))
    if v.shape != (C,):
        raise ValueError(f"{fn}: {name} must have shape ({C},), one value per channel of "
                         f"input, got shape {v.shape}")
    return v


def batch_norm2d(input, running_mean, running_var, weight=None, bias=None, training=False,
                 momentum=0.1, eps=1e-5):
    """``torch.nn.functional.batch_norm`` on a batch of shape (N, C, H, W).

    Parameters
    ----------
    input : array (N, C, H, W)
    running_mean, running_var : float arrays (C,), or None (only when ``training``). In
        training mode they are updated in place, the variance with Bessel's correction.
    weight, bias : arrays (C,), the learned scale gamma and shift beta; None means 1 and 0
    training : use the batch's statistics (True) or the running ones (False)
    momentum : how far the running statistics move towards the batch's, in [0, 1]
    eps : added to the variance before the square root

    Returns
    -------
    array (N, C, H, W): ``weight * (input - mean) / sqrt(var + eps) + bias``, per channel
    """
    fn = "batch_norm2d"
    x = _check_input(input, fn)
    C = x.shape[1]
    rm = _check_running(running_mean, "running_mean", fn, C)
    rv = _check_running(running_var, "running_var", fn, C)
    training = check_bool(training, "training", fn)
    momentum = check_real(momentum, "momentum", fn, 0, 1)
    eps = check_real(eps, "eps", fn, low=0)
    gamma = _channel_vector(weight, "weight", fn, C, 1.0)
    beta = _channel_vector(bias, "bias", fn, C, 0.0)
    dtype = float_dtype(x, gamma, beta)
    x = x.astype(dtype, copy=False)
    if training:
        n = _per_channel_count(x, fn)
        mean, var = x.mean(axis=AXES), x.var(axis=AXES)
        if rm is not None:
            rm[...] = (1 - momentum) * rm + momentum * mean
        if rv is not None:
            rv[...] = (1 - momentum) * rv + momentum * var * n / (n - 1)
    else:
        if rm is None or rv is None:
            raise ValueError(f"{fn}: evaluation mode (training=False) needs running_mean "
                             f"and running_var, got None")
        mean, var = rm, rv
    shape = (1, C, 1, 1)
    x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return out.astype(dtype, copy=False)


def batch_norm2d_backward(grad_output, input, weight=None, eps=1e-5):
    """Gradients of ``batch_norm2d(input, ..., weight, bias, training=True, eps=eps)``.

    Parameters
    ----------
    grad_output : array (N, C, H, W), dL/d(output)
    input : array (N, C, H, W), the forward pass's input
    weight : array (C,) or None (a scale of 1)
    eps : as in the forward pass

    Returns
    -------
    (grad_input, grad_weight, grad_bias) : arrays (N, C, H, W), (C,), (C,). grad_weight and
        grad_bias are what a weight and a bias would receive (returned also when the
        forward pass had none).
    """
    fn = "batch_norm2d_backward"
    x = _check_input(input, fn)
    g = as_real_array(grad_output, "grad_output", fn)
    if g.shape != x.shape:
        raise ValueError(f"{fn}: grad_output must have the shape of input, {x.shape}, "
                         f"got shape {g.shape}")
    C = x.shape[1]
    gamma = _channel_vector(weight, "weight", fn, C, 1.0)
    eps = check_real(eps, "eps", fn, low=0)
    n = _per_channel_count(x, fn)
    dtype = float_dtype(x, g, gamma)
    x, g = x.astype(dtype, copy=False), g.astype(dtype, copy=False)
    mean, var = x.mean(axis=AXES, keepdims=True), x.var(axis=AXES, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    grad_bias = g.sum(axis=AXES)
    grad_weight = (g * x_hat).sum(axis=AXES)
    shape = (1, C, 1, 1)
    grad_input = gamma.reshape(shape) * inv_std * (
        g - grad_bias.reshape(shape) / n - x_hat * grad_weight.reshape(shape) / n)
    return (grad_input.astype(dtype, copy=False), grad_weight.astype(dtype, copy=False),
            grad_bias.astype(dtype, copy=False))
