"""Tests for cnn_lib.layers: every layer's backward pass by gradient checking (finite
differences) and against autograd, SGD against torch.optim.SGD, and the training loop."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import layers as L

RNG = np.random.default_rng(0)


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar function f at x (x is changed and restored)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + eps
        up = f()
        x[index] = old - eps
        down = f()
        x[index] = old
        grad[index] = (up - down) / (2 * eps)
    return grad


def check_layer(layer, x):
    """Compare the layer's backward pass with finite differences of sum(out * g)."""
    g = RNG.normal(size=layer.forward(x).shape)
    loss = lambda: float((layer.forward(x) * g).sum())  # noqa: E731
    layer.forward(x)
    grad_x = layer.backward(g)
    np.testing.assert_allclose(grad_x, numerical_gradient(loss, x), rtol=1e-5, atol=1e-7)
    for name, param in layer.params.items():
        layer.forward(x)
        layer.backward(g)
        analytic = layer.grads[name].copy()
        np.testing.assert_allclose(analytic, numerical_gradient(loss, param), rtol=1e-5,
                                   atol=1e-7, err_msg=name)


@pytest.mark.parametrize("make, shape", [
    (lambda: L.Conv2d(2, 3, 3, padding=1, rng=1), (2, 2, 5, 5)),
    (lambda: L.Conv2d(1, 2, 2, stride=2, rng=2), (1, 1, 6, 6)),
    (lambda: L.MaxPool2d(2), (2, 3, 4, 4)),
    (lambda: L.MaxPool2d(3, stride=2, padding=1), (1, 2, 5, 5)),
    (lambda: L.ReLU(), (3, 4)),
    (lambda: L.Flatten(), (2, 3, 2, 2)),
    (lambda: L.Linear(6, 4, rng=3), (5, 6)),
    (lambda: L.Sequential(L.Conv2d(1, 2, 3, padding=1, rng=4), L.ReLU(), L.MaxPool2d(2),
                          L.Flatten(), L.Linear(8, 3, rng=5)), (2, 1, 4, 4)),
])
def test_backward_by_gradient_checking(make, shape):
    x = RNG.normal(size=shape)
    x[np.abs(x) < 1e-3] = 0.5  # no input exactly at a ReLU's kink
    check_layer(make(), x)


def test_softmax_cross_entropy_gradient_and_value():
    scores, labels = RNG.normal(size=(4, 5)), np.array([0, 3, 3, 1])
    loss, grad = L.softmax_cross_entropy(scores, labels)
    assert loss == pytest.approx(F.cross_entropy(torch.tensor(scores), torch.tensor(labels)).item())
    numeric = numerical_gradient(lambda: L.softmax_cross_entropy(scores, labels)[0], scores)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    big = L.softmax_cross_entropy(np.array([[1000.0, 0.0]]), np.array([1]))[0]
    assert np.isfinite(big) and big == pytest.approx(1000)  # no overflow


def numpy_and_torch_nets():
    net = L.Sequential(L.Conv2d(1, 4, 3, padding=1, rng=6), L.ReLU(), L.MaxPool2d(2),
                       L.Conv2d(4, 8, 3, padding=1, rng=7), L.ReLU(), L.MaxPool2d(2),
                       L.Flatten(), L.Linear(8 * 2 * 2, 10, rng=8))
    twin = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(8 * 2 * 2, 10)).double()
    with torch.no_grad():
        for (layer, name), ours in zip(net.parameters(), twin.parameters()):
            ours.copy_(torch.tensor(layer.params[name]))
    return net, twin


def test_a_whole_network_equals_autograd():
    net, twin = numpy_and_torch_nets()
    x, labels = RNG.normal(size=(5, 1, 8, 8)), np.array([0, 1, 2, 3, 9])
    scores = net.forward(x)
    loss, grad = L.softmax_cross_entropy(scores, labels)
    grad_x = net.backward(grad)
    xt = torch.tensor(x, requires_grad=True)
    loss_t = F.cross_entropy(twin(xt), torch.tensor(labels))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-12)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), atol=1e-12)
    for (layer, name), param in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(layer.grads[name], param.grad.numpy(), atol=1e-12)


def test_sgd_with_momentum_and_weight_decay_equals_torch():
    net, twin = numpy_and_torch_nets()
    ours = L.SGD(net, lr=0.1, momentum=0.9, weight_decay=1e-3)
    theirs = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    x, labels = RNG.normal(size=(6, 1, 8, 8)), RNG.integers(0, 10, size=6)
    for _ in range(3):
        _, grad = L.softmax_cross_entropy(net.forward(x), labels)
        net.backward(grad)
        ours.step()
        theirs.zero_grad()
        F.cross_entropy(twin(torch.tensor(x)), torch.tensor(labels)).backward()
        theirs.step()
    for (layer, name), param in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(layer.params[name], param.detach().numpy(), atol=1e-12)


def test_fit_lowers_the_loss_and_accuracy_counts():
    net, _ = numpy_and_torch_nets()
    X = RNG.normal(size=(64, 1, 8, 8))
    y = (X[:, 0, :4].sum(axis=(1, 2)) > 0).astype(int)  # brighter top half: class 1
    history = L.fit(net, X, y, epochs=30, lr=0.05, batch_size=16, seed=1)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert L.accuracy(net, X, y) >= 0.9 and history["seconds"] > 0
    again, _ = numpy_and_torch_nets()
    assert L.fit(again, X, y, epochs=30, lr=0.05, batch_size=16, seed=1)["loss"] == (
        history["loss"])  # the same seed repeats the run


@pytest.mark.parametrize("call, error, words", [
    (lambda: L.Conv2d(0, 2, 3), ValueError, "in_channels"),
    (lambda: L.Linear(3, 2.0), TypeError, "out_features"),
    (lambda: L.Sequential(L.ReLU(), "relu"), TypeError, r"layers\[1\]"),
    (lambda: L.SGD(L.ReLU(), lr=0.1), TypeError, "Sequential"),
    (lambda: L.SGD(L.Sequential(), lr=0), ValueError, "lr"),
    (lambda: L.softmax_cross_entropy(np.zeros(3), np.zeros(3, int)), ValueError, "scores"),
    (lambda: L.fit(L.Sequential(), np.zeros((3, 2)), np.zeros(2, int)), ValueError,
     r"y \(N,\)"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
