"""Every number of chapter 5 (CURRICULUM.md §5), computed with cnn_lib and asserted here,
independently of the notebook's stored outputs (which nbval checks). The networks are trained
here as in the notebook; accuracies and losses are asserted with margins. (Training times are
measured by benchmarks/, never asserted.)"""

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import cnn_lib
from cnn_lib import augment, data, layers, models, train, widgets

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
    """Section 3's augmentation experiment, seed 0: on 300 training images, random crops (three
    augmented copies, the same number of steps) lift the accuracy on shifted test digits by more
    than 20 points and leave the clean accuracy within 5."""
    X_small, y_small = X_TRAIN[:300], Y_TRAIN[:300]
    shifted = augment.random_crop(X_TEST, 1, seed=999)
    scores = {}
    for name in ("none", "crop"):
        copies = [] if name == "none" else [augment.random_crop(X_small, 1, seed=k)
                                            for k in range(3)]
        X = np.concatenate([X_small, *copies])
        cnn_lib.set_seed(0)
        model = torch_net()
        fit(model, X, np.tile(y_small, len(X) // 300), epochs=8 if copies else 32)
        scores[name] = (train.accuracy(model, X_TEST, Y_TEST),
                        train.accuracy(model, shifted, Y_TEST))
    assert scores["crop"][1] > scores["none"][1] + 0.2
    assert abs(scores["crop"][0] - scores["none"][0]) < 0.05


def test_mirrored_digits_are_not_the_same_digits():
    """The augmentation figure's point: a mirrored 3 or 7 is a different picture (unlike an
    all-symmetric one), so mirroring can change what a digit looks like to the network."""
    for digit in (3, 7):
        image = X_TRAIN[int(np.flatnonzero(Y_TRAIN == digit)[0])]
        mirrored = augment.mirror(image[None], p=1.0)[0]
        assert np.abs(mirrored - image).sum() > 0.25 * image.sum()


def _deep_net(activation, depth=8, channels=8):
    stack, c_in = [], 1
    for k in range(depth):
        conv = nn.Conv2d(c_in, channels, 3, padding=1)
        nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
        nn.init.zeros_(conv.bias)
        stack += [conv, activation()]
        if k == depth // 2 - 1:
            stack.append(nn.MaxPool2d(2))
        c_in = channels
    return nn.Sequential(*stack, nn.Flatten(), nn.Linear(channels * 4 * 4, 10))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_starves_the_early_layers_of_gradient(seed):
    """The activation figure at initialization (no training): the RMS gradient of the first
    layer's weights over the last's is below 1e-3 with sigmoid, between 0.1 and 10 with tanh
    and ReLU (the same He initialization for all three)."""
    ratios = {}
    for name, activation in {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU}.items():
        cnn_lib.set_seed(seed)
        model = _deep_net(activation)
        nn.functional.cross_entropy(model(torch.tensor(X_TRAIN[:256])),
                                    torch.tensor(Y_TRAIN[:256])).backward()
        rms = [m.weight.grad.pow(2).mean().sqrt().item()
               for m in model if isinstance(m, nn.Conv2d)]
        ratios[name] = rms[0] / rms[-1]
    assert ratios["sigmoid"] < 1e-3
    assert 0.1 < ratios["tanh"] < 10 and 0.1 < ratios["ReLU"] < 10
    # the derivatives behind it: sigmoid's is at most 1/4, tanh's at most 1
    x = torch.linspace(-6, 6, 1201, requires_grad=True)
    torch.sigmoid(x).sum().backward()
    assert x.grad.max().item() == pytest.approx(0.25)


def test_opening_figure_counts():
    """The opening figure's parameter counts, from the chapter's models (meta device)."""
    with torch.device("meta"):
        nets = {"LeNet-5": models.LeNet5(), "AlexNet": models.AlexNet2012(),
                "VGG-16": models.VGG16(), "GoogLeNet": models.GoogLeNet(),
                "ResNet-18": models.ResNet18()}
    counts = {name: _count(model) for name, model in nets.items()}
    assert counts == {"LeNet-5": 61_706, "AlexNet": 60_965_224, "VGG-16": 138_357_544,
                      "GoogLeNet": 6_624_904, "ResNet-18": 11_689_512}


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


def _count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


def test_one_by_one_reduction_and_global_average_pooling_counts():
    """Section 5's counts, by PyTorch's own layers: Inception 3a's 5x5 branch (192 channels of
    28x28 -> 32, with and without a 1x1 reduction to 16) and heads with and without GAP."""
    direct = nn.Conv2d(192, 32, 5)
    reduced = (nn.Conv2d(192, 16, 1), nn.Conv2d(16, 32, 5))
    assert _count(direct) == 153_632 and _count(*reduced) == 15_920
    # multiplications: outputs times the weights each reads (28x28 outputs, padding kept)
    assert 28 * 28 * 32 * 192 * 25 == 120_422_400
    assert 28 * 28 * (16 * 192 + 32 * 16 * 25) == 12_443_648
    assert _count(nn.Linear(1024 * 7 * 7, 1000)) == 50_177_000
    assert _count(nn.Linear(1024, 1000)) == 1_025_000
    vgg_head = (nn.Linear(25_088, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000))
    assert _count(*vgg_head) == 123_642_856 and _count(nn.Linear(512, 1000)) == 513_000


def test_depthwise_separable_counts():
    standard = nn.Conv2d(64, 128, 3, padding=1)
    separable = (nn.Conv2d(64, 64, 3, padding=1, groups=64), nn.Conv2d(64, 128, 1))
    assert _count(standard) == 73_856 and _count(*separable) == 8_960
    flops = FlopCounterMode(display=False)
    x = torch.zeros(1, 64, 56, 56)
    with flops:
        standard(x)
    standard_mults = flops.get_total_flops() // 2  # PyTorch counts a multiply and an add
    with flops:
        separable[1](separable[0](x))
    separable_mults = flops.get_total_flops() // 2
    assert (standard_mults, separable_mults) == (231_211_008, 27_496_448)
    assert separable_mults / standard_mults == pytest.approx(1 / 128 + 1 / 9)


def test_decoupled_weight_decay_toy():
    """Weights with zero data gradient: AdamW shrinks each by (1 - lr * wd) per step; Adam's
    L2 term, divided by sqrt(v), moves each by about lr per step and takes small ones to 0."""
    def decay_only(optimizer):
        w = torch.tensor([1.0, 0.1, 0.01], requires_grad=True)
        opt = optimizer([w], lr=3e-3, weight_decay=0.05)
        for _ in range(210):
            opt.zero_grad()
            (0 * w).sum().backward()
            opt.step()
        return w.detach().numpy()

    np.testing.assert_allclose(decay_only(torch.optim.AdamW),
                               np.array([1.0, 0.1, 0.01]) * (1 - 3e-3 * 0.05) ** 210,
                               rtol=1e-5)
    adam = decay_only(torch.optim.Adam)
    assert 0.4 < adam[0] < 0.5 and np.all(np.abs(adam[1:]) < 1e-3)


def test_init_scales_through_depth():
    """The initialization figure: the mean square of the signal changes by n Var(w) / 2 per
    conv + ReLU layer; PyTorch's default Conv2d init has Var(w) = 1 / (3n)."""
    conv = nn.Conv2d(16, 16, 3)
    n = 16 * 9
    bound = conv.weight.detach().abs().max().item()
    assert bound <= 1 / np.sqrt(n) and bound > 0.95 / np.sqrt(n)
    assert conv.weight.detach().var().item() == pytest.approx(1 / (3 * n), rel=0.05)
    for var_w, factor in ((1 / (3 * n), 1 / 6), (2 / n, 1.0), (8 / n, 4.0)):
        assert n * var_w / 2 == pytest.approx(factor)
