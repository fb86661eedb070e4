"""Every number of chapter 5 (CURRICULUM.md §5), computed with cnn_lib and asserted here,
independently of the notebook's stored outputs (which nbval checks). The networks are trained
here as in the notebook; accuracies and losses are asserted with margins. (Training times are
measured by benchmarks/, never asserted.)"""

import numpy as np
import pytest
import torch
from torch import nn

import cnn_lib
from cnn_lib import data, layers, models, train, widgets

X_TRAIN, X_TEST, Y_TRAIN, Y_TEST = data.load_digits()


def numpy_net(seed=0):
    r = np.random.default_rng(seed)
    return layers.Sequential(
        layers.Conv2d(1, 8, 5, padding=2, rng=r), layers.ReLU(), layers.MaxPool2d(2),
        layers.Conv2d(8, 16, 3, padding=1, rng=r), layers.ReLU(), layers.MaxPool2d(2),
        layers.Flatten(), layers.Linear(64, 10, rng=r))


def torch_net():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10))


def fit(model, X=X_TRAIN, y=Y_TRAIN, **kwargs):
    options = dict(epochs=20, lr=0.05, optimizer="sgd", momentum=0.9)
    options.update(kwargs)
    return train.fit(model, X, y, **options)


def test_one_cnn_two_implementations_reach_97_percent():
    cnn_lib.set_seed(0)
    pytorch_model = torch_net()
    fit(pytorch_model, batch_size=32)
    numpy_model = numpy_net()
    history = layers.fit(numpy_model, X_TRAIN, Y_TRAIN, epochs=20, lr=0.05, momentum=0.9,
                         batch_size=32)
    assert train.accuracy(pytorch_model, X_TEST, Y_TEST) >= 0.97
    assert layers.accuracy(numpy_model, X_TEST, Y_TEST) >= 0.97
    assert history["loss"][-1] < 0.01


def test_batch_normalization_gets_past_the_plateau():
    def conv_stack(batch_norm):
        def block(c_in, c_out):
            return [nn.Conv2d(c_in, c_out, 3, padding=1)] + (
                [nn.BatchNorm2d(c_out)] if batch_norm else []) + [nn.ReLU()]
        return nn.Sequential(*block(1, 16), *block(16, 16), nn.MaxPool2d(2),
                             *block(16, 32), *block(32, 32), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(128, 10))

    losses = {}
    for batch_norm in (False, True):
        cnn_lib.set_seed(0)
        losses[batch_norm] = fit(conv_stack(batch_norm), epochs=8)["loss"]
    assert min(losses[False][:2]) > 2.2  # stuck near ln 10 for two epochs
    assert losses[True][0] < 1.0 and losses[True][-1] < losses[False][-1]


def test_augmentation_buys_robustness():
    moved = data.augment(X_TEST, seed=1)
    copies = [X_TRAIN, data.augment(X_TRAIN, seed=2), data.augment(X_TRAIN, seed=3)]
    scores = {}
    for name, (X, y, epochs) in {"without": (X_TRAIN, Y_TRAIN, 20),
                                 "with": (np.concatenate(copies), np.tile(Y_TRAIN, 3), 7)
                                 }.items():
        cnn_lib.set_seed(0)
        model = torch_net()
        fit(model, X, y, epochs=epochs)
        scores[name] = (train.accuracy(model, X_TEST, Y_TEST), train.accuracy(model, moved,
                                                                               Y_TEST))
    assert abs(scores["with"][0] - scores["without"][0]) < 0.02  # clean digits: the same
    assert scores["with"][1] > scores["without"][1] + 0.3  # turned and moved: far better


def test_the_optimizer_matters():
    final = {}
    for name, (optimizer, lr, momentum) in {"sgd": ("sgd", 0.05, 0.0),
                                            "momentum": ("sgd", 0.05, 0.9),
                                            "adam": ("adam", 3e-3, 0.0)}.items():
        cnn_lib.set_seed(0)
        final[name] = fit(torch_net(), epochs=10, lr=lr, optimizer=optimizer,
                          momentum=momentum)["loss"][-1]
    assert final["sgd"] > 1.0 and final["momentum"] < 0.2 and final["adam"] < 0.5


@pytest.mark.parametrize("blocks", [1, 10])
def test_residual_connections_let_deep_networks_train(blocks):
    final = {}
    for residual in (False, True):
        cnn_lib.set_seed(0)
        final[residual] = fit(models.ResidualStack(blocks, residual=residual), epochs=6,
                              lr=0.02)["loss"][-1]
    if blocks == 1:
        assert final[False] < 0.3 and final[True] < 0.3
    else:  # 21 convolution layers: the plain network stays at chance, not overfitting
        assert final[False] > 2.2 and final[True] < 0.2


def test_first_layer_filters_and_a_fixed_gabor_layer():
    cnn_lib.set_seed(0)
    model = torch_net()
    fit(model)
    phases = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    bank = np.stack([widgets.gabor_filter(a, 5, wavelength, phase)
                     for a in range(0, 180, 15) for wavelength in (3.0, 4.0, 6.0)
                     for phase in phases]).reshape(-1, 25)

    def best_match(filters):
        f = filters.reshape(len(filters), -1)
        f = f - f.mean(axis=1, keepdims=True)
        f = f / np.linalg.norm(f, axis=1, keepdims=True)
        return np.abs(f @ bank.T).max(axis=1).mean()

    learned = model[0].weight.detach().numpy()[:, 0]
    random = np.random.default_rng(0).standard_normal((1000, 5, 5))
    assert best_match(learned) > best_match(random) + 0.15
    gabors = [widgets.gabor_filter(a, 5, 4.0, phase) for a in (0, 45, 90, 135)
              for phase in (0, np.pi / 2)]
    cnn_lib.set_seed(0)
    fixed = torch_net()
    with torch.no_grad():
        fixed[0].weight.copy_(torch.tensor(np.stack(gabors))[:, None])
    fixed[0].weight.requires_grad_(False)
    fit(fixed)
    assert abs(train.accuracy(fixed, X_TEST, Y_TEST) - train.accuracy(model, X_TEST, Y_TEST)
               ) < 0.02  # on 8x8 digits the two are level
    # saliency: the gradient of the winning score, one map per digit, largest on the digit
    model.eval()
    x = torch.tensor(X_TEST[:4], requires_grad=True)
    scores = model(x)
    scores[torch.arange(4), scores.argmax(dim=1)].sum().backward()
    saliency = x.grad.abs().numpy()[:, 0]
    assert saliency.shape == (4, 8, 8) and saliency.max() > 0
