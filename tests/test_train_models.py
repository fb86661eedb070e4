"""Tests for cnn_lib.models (the small models of chapter 1), cnn_lib.train and
cnn_lib.data.digits_on_canvas."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from cnn_lib import arithmetic, data, models, train


def test_digits_on_canvas_places_and_refuses():
    digits = np.arange(1, 2 * 64 + 1, dtype=np.float32).reshape(2, 1, 8, 8)
    out = data.digits_on_canvas(digits, canvas=12, row=3, col=4)
    assert out.shape == (2, 1, 12, 12) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, :, 3:11, 4:12], digits)
    assert out.sum() == digits.sum()
    with pytest.raises(ValueError, match="row must be in 0..4"):
        data.digits_on_canvas(digits, canvas=12, row=5)
    with pytest.raises(ValueError, match=r"\(N, 1, h, w\)"):
        data.digits_on_canvas(digits[:, 0], canvas=12)
    with pytest.raises(TypeError, match="col must be an int"):
        data.digits_on_canvas(digits, canvas=12, col=1.0)


def test_mlp_shapes_and_parameters():
    mlp = models.MLP(400, (64, 32), 10)
    assert mlp(torch.zeros(5, 1, 20, 20)).shape == (5, 10)
    count = sum(p.numel() for p in mlp.parameters())
    assert count == arithmetic.mlp_params([400, 64, 32, 10], bias=True)
    with pytest.raises(TypeError, match="hidden"):
        models.MLP(400, 64)
    with pytest.raises(ValueError, match="in_features"):
        models.MLP(0)


def test_tiny_cnn_is_shift_invariant_with_stride_one_pooling():
    """Untrained, with random weights: the output is exactly the same wherever the digits sit,
    as long as their influence stays off the maps' borders (placements 4..12 on a 24x24
    canvas), where zero padding differs from the biased background."""
    torch.manual_seed(0)
    digits = data.load_digits()[0][:4]
    placed = lambda r, c: torch.tensor(data.digits_on_canvas(digits, 24, r, c))  # noqa: E731
    invariant = models.TinyCNN(pool_stride=1).eval()
    strided = models.TinyCNN(pool_stride=2).eval()
    with torch.no_grad():
        base = invariant(placed(4, 4))
        for r, c in [(5, 4), (4, 9), (8, 12), (12, 12)]:
            torch.testing.assert_close(invariant(placed(r, c)), base, rtol=0, atol=0)
        assert not torch.allclose(invariant(placed(3, 4)), base)  # too close to the border
        # a stride-2 pooling inside is only equivariant to even shifts
        torch.testing.assert_close(strided(placed(8, 10)), strided(placed(6, 6)))
        assert not torch.allclose(strided(placed(7, 6)), strided(placed(6, 6)))
    assert invariant(torch.zeros(2, 1, 9, 13)).shape == (2, 10)


def test_fit_learns_reproducibly_and_reports():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 1, 4, 4)).astype(np.float32)
    y = (X[:, 0, 0, 0] > 0).astype(np.int64)  # one pixel decides the class
    histories = []
    for _ in range(2):
        torch.manual_seed(1)
        model = models.MLP(16, (8,), 2)
        histories.append(train.fit(model, X, y, epochs=25, lr=0.05, batch_size=32,
                                   X_val=X[:50], y_val=y[:50], device="cpu"))
    first, second = histories
    assert first["loss"] == second["loss"]  # same seed, same run
    assert first["loss"][-1] < 0.25 * first["loss"][0]
    assert first["train_accuracy"][-1] >= 0.95 and len(first["val_accuracy"]) == 25
    assert train.accuracy(model, X, y) >= 0.95 and first["device"] == "cpu"
    assert train.predict(model, X).shape == (200,) and first["seconds"] > 0


def test_fit_with_a_loss_fn_and_metrics_trains_on_lists_of_tensors():
    """The hooks the detectors use: inputs and targets as lists of tensors cut into the same
    batches, a loss_fn(model, X_batch, y_batch), and metrics after every epoch. With the
    cross-entropy as loss_fn, the run is the default run, step for step."""
    rng = np.random.default_rng(0)
    X = torch.as_tensor(rng.normal(size=(60, 1, 2, 2)), dtype=torch.float32)
    y = (X[:, 0, 0, 0] > 0).long()
    batches = []

    def loss_fn(model, xs, ys):
        batches.append(len(xs[0]))
        assert len(xs) == 2 and torch.equal(xs[0], xs[1]) and len(ys[0]) == len(xs[0])
        return torch.nn.functional.cross_entropy(model(xs[0]), ys[0])

    runs = []
    for hooks in (dict(), dict(loss_fn=loss_fn, metrics={"w": lambda m: 1.5})):
        torch.manual_seed(3)
        model = models.MLP(4, (6,), 2)
        args = (X, y) if not hooks else ([X, X], [y])
        runs.append(train.fit(model, *args, epochs=3, batch_size=25, lr=0.05, device="cpu",
                              **hooks))
    plain, hooked = runs
    assert hooked["loss"] == plain["loss"]
    assert batches == [25, 25, 10] * 3
    assert hooked["w"] == [1.5] * 3 and hooked["train_accuracy"] == []
    assert len(plain["train_accuracy"]) == 3 and "w" not in plain


@pytest.mark.parametrize("optimizer", train.OPTIMIZERS)
def test_every_optimizer_lowers_the_loss(optimizer):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(128, 1, 3, 3)).astype(np.float32)
    y = (X.sum(axis=(1, 2, 3)) > 0).astype(np.int64)
    torch.manual_seed(2)
    history = train.fit(models.MLP(9, (8,), 2), X, y, epochs=20, lr=0.02, optimizer=optimizer)
    assert history["loss"][-1] < history["loss"][0]


def test_plot_history():
    history = {"loss": [1.0, 0.5], "train_accuracy": [0.5, 0.8], "val_accuracy": [0.4, 0.7]}
    fig = train.plot_history(history, title="toy")
    assert len(fig.axes) == 2 and fig.axes[1].get_legend() is not None
    plt.close(fig)
    with pytest.raises(ValueError, match="history"):
        train.plot_history({})


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(model="mlp"), TypeError, "torch.nn.Module"),
    (dict(epochs=0), ValueError, "epochs must be an int >= 1"),
    (dict(epochs=1.5), TypeError, "epochs must be an int, got float"),
    (dict(seed="0"), TypeError, "seed must be an int"),
    (dict(lr=-1), ValueError, "lr must be > 0, got -1"),
    (dict(lr="fast"), TypeError, "lr must be a number"),
    (dict(loss_fn="mse"), TypeError, "loss_fn must be a function"),
    (dict(metrics=["accuracy"]), TypeError, "metrics must be a dict name -> function"),
    (dict(X=[torch.zeros(4, 2)], y=[torch.zeros(3)], loss_fn=lambda m, x, y: 0), ValueError,
     "same number of examples, got 4 and 3"),
    (dict(X=[np.zeros((4, 2))], y=[torch.zeros(4)], loss_fn=lambda m, x, y: 0), TypeError,
     "X must be a tensor"),
    (dict(optimizer="rmsprop"), ValueError, "optimizer must be one of"),
    (dict(y=np.zeros(3, dtype=np.int64)), ValueError, "y must hold one integer class"),
    (dict(X=np.array([["a"]])), TypeError, "X must be an array of numbers"),
    (dict(X_val=np.zeros((2, 1, 2, 2)), y_val=np.zeros(3, dtype=np.int64)), ValueError, "y_val"),
])
def test_fit_bad_input(kwargs, error, words):
    args = dict(model=models.MLP(4, (2,), 2), X=np.zeros((4, 1, 2, 2), np.float32),
                y=np.zeros(4, dtype=np.int64), epochs=1)
    args.update(kwargs)
    with pytest.raises(error, match=words):
        train.fit(**args)


def test_spread_reports_the_mean_and_the_range_of_runs():
    assert train.spread([0.96, 0.97, 0.98], ".0%") == "97% (96% to 98%)"
    assert train.spread([0.5]) == "0.50 (0.50 to 0.50)"
    assert train.spread(np.array([[1.0, 4.0]]), ".1f") == "2.5 (1.0 to 4.0)"
    with pytest.raises(ValueError, match="values must be one or more finite numbers"):
        train.spread([])
    with pytest.raises(ValueError, match="finite"):
        train.spread([1.0, float("nan")])
    with pytest.raises(TypeError, match="values must be a list or array of numbers"):
        train.spread(["a", "b"])
    with pytest.raises(TypeError, match="fmt must be a str"):
        train.spread([1.0], 2)
    with pytest.raises(ValueError, match="fmt must be a format spec"):
        train.spread([1.0], ".2q")


def test_residual_stack_with_batch_norm_starts_each_block_as_the_identity():
    torch.manual_seed(0)
    plain = models.ResidualStack(2, residual=False, batch_norm=True).eval()
    residual = models.ResidualStack(2, residual=True, batch_norm=True).eval()
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in plain.modules()) == 5
    x = torch.randn(3, 16, 8, 8).relu()
    for block in residual.blocks:  # zero last scale: ReLU(0 * ... + bias 0 + x) = x
        assert torch.equal(block(x), x)
    assert not torch.equal(plain.blocks[0](x), x)
    count = sum(p.numel() for p in residual.parameters())
    assert count == 160 + 32 + 4 * (2320 + 32) + 1024 * 10 + 10
