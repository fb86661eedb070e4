"""Layers in NumPy, with a forward and a backward pass each: enough to train a small CNN without
PyTorch.

Every layer has ``forward(x)``, which remembers what the backward pass needs, and
``backward(grad_out)``, which returns the gradient with respect to its input and stores the
gradients of its parameters in ``grads`` (same keys as ``params``). The heavy lifting is done by
``cnn_lib.scratch`` (``conv2d``, ``conv2d_backward``, ``max_pool2d``, ...). Names, arguments and
weight layouts follow ``torch.nn``, so weights can be copied from a PyTorch model and back.

- :class:`Conv2d`, :class:`MaxPool2d`, :class:`ReLU`, :class:`Flatten`, :class:`Linear`
- :class:`Sequential`: layers one after the other
- :func:`softmax_cross_entropy`: the loss and its gradient with respect to the scores
- :class:`SGD`: stochastic gradient descent, with momentum and weight decay
- :func:`fit`: a training loop like ``cnn_lib.train.fit``; :func:`accuracy`
"""

import time

import numpy as np

from cnn_lib import scratch
from cnn_lib.checks import check_int, check_real
from cnn_lib.scratch.fast_conv import conv2d_backward_fast

__all__ = [
    "Conv2d",
    "Flatten",
    "Layer",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "SGD",
    "Sequential",
    "accuracy",
    "fit",
    "softmax_cross_entropy",
]


def _rng(rng):
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(check_int(rng, "rng seed", low=0))


class Layer:
    """What every layer has: ``params`` and ``grads`` (dicts of arrays, empty if the layer has
    no weights), ``forward`` and ``backward``."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def __repr__(self):
        shapes = ", ".join(f"{k}: {v.shape}" for k, v in self.params.items())
        return f"{type(self).__name__}({shapes})"


class Conv2d(Layer):
    """A convolution layer, like ``torch.nn.Conv2d``: weight (out, in, k, k), bias (out,).

    Weights start from He initialisation (normal, variance 2 / (in * k * k)), biases at 0.
    Input (N, in, H, W); output (N, out, H_out, W_out).
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, rng=None):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels")
        self.out_channels = check_int(out_channels, "out_channels")
        k = check_int(kernel_size, "kernel_size")
        self.stride, self.padding = stride, padding
        fan_in = self.in_channels * k * k
        self.params["weight"] = _rng(rng).normal(0, np.sqrt(2 / fan_in),
                                                 (self.out_channels, self.in_channels, k, k))
        self.params["bias"] = np.zeros(self.out_channels)

    def forward(self, x):
        self.x = x
        return scratch.conv2d(x, self.params["weight"], self.params["bias"], self.stride,
                              self.padding)

    def backward(self, grad_out):
        # scratch.conv2d_backward's gradients, computed faster (scratch/fast_conv.py)
        grad_x, self.grads["weight"], self.grads["bias"] = conv2d_backward_fast(
            grad_out, self.x, self.params["weight"], self.stride, self.padding)
        return grad_x


class MaxPool2d(Layer):
    """Max pooling, like ``torch.nn.MaxPool2d`` (no parameters); the backward pass sends each
    gradient to its window's maximum."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        self.x = x
        return scratch.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def backward(self, grad_out):
        return scratch.max_pool2d_backward(grad_out, self.x, self.kernel_size, self.stride,
                                           self.padding)


class ReLU(Layer):
    """max(x, 0); the backward pass lets the gradient through where x > 0."""

    def forward(self, x):
        self.positive = x > 0
        return x * self.positive

    def backward(self, grad_out):
        return grad_out * self.positive


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W), like ``torch.nn.Flatten``; the backward pass reshapes back."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad_out):
        return grad_out.reshape(self.shape)


class Linear(Layer):
    """A fully connected layer, like ``torch.nn.Linear``: weight (out, in), bias (out,);
    out = x @ weight.T + bias. Weights start from He initialisation, biases at 0."""

    def __init__(self, in_features, out_features, rng=None):
        super().__init__()
        in_features = check_int(in_features, "in_features")
        out_features = check_int(out_features, "out_features")
        self.params["weight"] = _rng(rng).normal(0, np.sqrt(2 / in_features),
                                                 (out_features, in_features))
        self.params["bias"] = np.zeros(out_features)

    def forward(self, x):
        self.x = x
        return x @ self.params["weight"].T + self.params["bias"]

    def backward(self, grad_out):
        self.grads["weight"] = grad_out.T @ self.x
        self.grads["bias"] = grad_out.sum(axis=0)
        return grad_out @ self.params["weight"]


class Sequential(Layer):
    """Layers one after the other: ``forward`` runs them in order, ``backward`` in reverse."""

    def __init__(self, *layers):
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a cnn_lib.layers.Layer, "
                                f"got {type(layer).__name__}")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out):
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def parameters(self):
        """(layer, name) pairs of every parameter, e.g. to copy weights or to step them."""
        return [(layer, name) for layer in self.layers for name in layer.params]

    def __repr__(self):
        return "Sequential(\n" + "\n".join(f"  {layer!r}" for layer in self.layers) + "\n)"


def softmax_cross_entropy(scores, labels):
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    Args:
        scores: (N, classes) array; labels: (N,) ints.

    Returns:
        (loss, grad): a float, and dLoss/dScores of shape (N, classes), which is
        (softmax(scores) - one_hot(labels)) / N.
    """
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels)
    if scores.ndim != 2 or labels.shape != (len(scores),):
        raise ValueError(f"scores must be (N, classes) and labels (N,), got {scores.shape} and "
                         f"{labels.shape}")
    shifted = scores - scores.max(axis=1, keepdims=True)  # the same softmax, no overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(scores)
    loss = -log_probs[np.arange(n), labels].mean()
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1
    return float(loss), grad / n


class SGD:
    """Stochastic gradient descent on a :class:`Sequential`'s parameters, like
    ``torch.optim.SGD``: v = momentum * v + (g + weight_decay * w); w -= lr * v."""

    def __init__(self, model, lr, momentum=0.0, weight_decay=0.0):
        if not isinstance(model, Sequential):
            raise TypeError(f"model must be a cnn_lib.layers.Sequential, "
                            f"got {type(model).__name__}")
        check_real(lr, "lr", low=0, low_open=True)
        self.model, self.lr = model, float(lr)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)
        self.velocity = {}

    def step(self):
        for layer, name in self.model.parameters():
            grad = layer.grads[name] + self.weight_decay * layer.params[name]
            key = (id(layer), name)
            if self.momentum and key in self.velocity:
                grad = self.momentum * self.velocity[key] + grad
            self.velocity[key] = grad
            layer.params[name] -= self.lr * grad


def accuracy(model, X, y, batch_size=512):
    """The fraction of ``X`` that ``model`` classifies as ``y`` (a float)."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    predictions = np.concatenate([model.forward(X[i:i + batch_size]).argmax(axis=1)
                                  for i in range(0, len(X), batch_size)])
    return float((predictions == y).mean())


def fit(model, X, y, epochs=10, lr=0.05, momentum=0.9, weight_decay=0.0, batch_size=32,
        seed=0):
    """Train a :class:`Sequential` with mini-batch SGD and the softmax cross-entropy loss.

    The NumPy twin of ``cnn_lib.train.fit``. Returns a dict with the mean training loss per
    epoch (``loss``), the training accuracy per epoch (``train_accuracy``) and ``seconds``.
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim < 2 or y.shape != (len(X),):
        raise ValueError(f"X must be (N, ...) and y (N,), got {X.shape} and {y.shape}")
    epochs, batch_size = check_int(epochs, "epochs"), check_int(batch_size, "batch_size")
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    optimizer = SGD(model, lr, momentum, weight_decay)
    history = {"loss": [], "train_accuracy": [], "seconds": 0.0}
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(X))
        losses, correct = [], 0
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            scores = model.forward(X[batch])
            loss, grad = softmax_cross_entropy(scores, y[batch])
            model.backward(grad)
            optimizer.step()
            losses.append(loss * len(batch))
            correct += int((scores.argmax(axis=1) == y[batch]).sum())
        history["loss"].append(sum(losses) / len(X))
        history["train_accuracy"].append(correct / len(X))
    history["seconds"] = time.perf_counter() - start
    return history
