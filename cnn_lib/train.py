"""Training PyTorch models on small data sets: :func:`fit`, :func:`accuracy`, :func:`plot_history`.

A plain loop: shuffle, cut into mini-batches, cross-entropy loss, backward, optimizer step. It
runs on a GPU when one is present and on the CPU otherwise, keeps a history of the loss and the
accuracies per epoch, and can show a progress bar (tqdm). It is the book's one PyTorch training
loop: with its ``loss_fn`` hook it also trains chapter 6's detectors
(``detector.fit_detector``, ``anchor_detector.fit_anchor_detector``); ``layers.fit`` is its
NumPy twin. Importing this module imports PyTorch.
"""

import time

import numpy as np
import torch
from torch import nn

from cnn_lib.checks import check_int, check_real

__all__ = ["OPTIMIZERS", "accuracy", "default_device", "fit", "plot_history", "predict",
           "spread"]

OPTIMIZERS = ("adam", "adamw", "sgd")


def default_device():
    """``torch.device('cuda')`` if a GPU is present, else ``torch.device('cpu')``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _inputs(X, name="X"):
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    X = np.asarray(X)
    if X.dtype.kind not in "iuf" or X.ndim < 2:
        raise TypeError(f"{name} must be an array of numbers with a batch axis first, "
                        f"got dtype {X.dtype} and shape {X.shape}")
    return torch.as_tensor(X, dtype=torch.float32)


def _labels(y, n, name="y"):
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n or y.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold one integer class per example, shape ({n},), or "
                         f"per pixel, shape ({n}, H, W); got dtype {y.dtype} and shape {y.shape}")
    return torch.as_tensor(y, dtype=torch.long)


def _check_model(model):
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def predict(model, X, batch_size=1024):
    """The model's class predictions for ``X`` (N, ...): an int64 NumPy array of shape (N,),
    or (N, H, W) for a segmentation model (scores (N, classes, H, W): a class per pixel)."""
    device = _check_model(model)
    X = _inputs(X)
    model.eval()
    with torch.no_grad():
        scores = [model(X[i:i + batch_size].to(device)).argmax(dim=1).cpu()
                  for i in range(0, len(X), batch_size)]
    return torch.cat(scores).numpy() if scores else np.zeros(0, dtype=np.int64)


def accuracy(model, X, y, batch_size=1024):
    """The fraction of the examples of ``X`` that the model classifies as ``y`` (a float); for
    a segmentation model and masks ``y`` (N, H, W), the fraction of pixels (pixel accuracy)."""
    predictions = predict(model, X, batch_size)
    y = _labels(y, len(predictions)).numpy()
    return float((predictions == y).mean()) if len(y) else 0.0


def _optimizer(name, parameters, lr, momentum, weight_decay):
    if name == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(parameters, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum, weight_decay=weight_decay)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")


class _CrossEntropy:
    """``fit``'s default loss: the cross-entropy of ``model(xb)`` against the classes ``yb``,
    counting the right predictions on the way (the epoch's training accuracy, for free)."""

    def __init__(self):
        self.loss, self.correct, self.total = nn.CrossEntropyLoss(), 0, 0

    def __call__(self, model, xb, yb):
        scores = model(xb)
        self.correct += (scores.argmax(dim=1) == yb).sum().item()
        self.total += yb.numel()  # examples, or pixels for masks
        return self.loss(scores, yb)

    def accuracy(self):
        """The accuracy since the last call, then start counting again."""
        value, self.correct, self.total = self.correct / self.total, 0, 0
        return value


def _take(data, index, device):
    """``data[index]`` on ``device``, where ``data`` is a tensor or a (nested) list of them."""
    if isinstance(data, (list, tuple)):
        return [_take(d, index, device) for d in data]
    return data[index].to(device)


def _examples(data, name):
    """The number of examples (first axis) of a tensor or of a (nested) list of tensors, all
    the same; anything else is refused."""
    if isinstance(data, (list, tuple)) and data:
        sizes = {_examples(d, name) for d in data}
        if len(sizes) == 1:
            return sizes.pop()
        raise ValueError(f"{name}: every tensor must hold the same number of examples, got "
                         f"{sorted(sizes)}")
    if not isinstance(data, torch.Tensor) or data.ndim == 0:
        raise TypeError(f"{name} must be a tensor (examples first) or a list of them, got "
                        f"{type(data).__name__}")
    return len(data)


def fit(model, X, y, epochs=10, lr=1e-3, batch_size=64, optimizer="adam", momentum=0.9,
        weight_decay=0.0, X_val=None, y_val=None, seed=0, device=None, progress=False,
        loss_fn=None, metrics=None):
    """Train ``model`` on (X, y) with mini-batches: the one PyTorch training loop of the book.

    Args:
        model: a ``torch.nn.Module`` mapping (N, ...) inputs to (N, classes) scores.
        X, y: inputs (N, ...) and integer labels (N,) (NumPy arrays or tensors); for a
            segmentation model (scores (N, classes, H, W)), masks (N, H, W) of classes.
        epochs, batch_size: passes over the data and examples per step.
        lr, optimizer, momentum, weight_decay: 'adam', 'adamw' or 'sgd' (with ``momentum``).
        X_val, y_val: optional held-out data, scored after every epoch.
        seed: seeds the shuffling (and PyTorch's generator) so that a run can be repeated.
        device: where to train; default :func:`default_device` (a GPU if there is one).
        progress: show a tqdm progress bar over the epochs.
        loss_fn: ``None``, the cross-entropy of ``model(X[batch])`` against ``y[batch]``; or
            a function ``loss_fn(model, X[batch], y[batch])`` that returns the batch's mean
            loss, for models that are not plain classifiers (chapter 6's detectors). Then
            ``X`` and ``y`` are tensors, or lists of tensors, with the examples first; each
            is cut into the same batches.
        metrics: optional dict name -> function(model) -> float, called after every epoch
            (``history[name]`` lists the values).

    Returns:
        dict with lists ``loss`` (mean training loss per epoch), ``train_accuracy`` (per
        epoch; empty with a ``loss_fn``) and ``val_accuracy`` (per epoch; empty without
        validation data), one list per metric, and ``seconds`` (the training time) and
        ``device`` (where it ran). The model is trained in place and left on ``device``.
    """
    _check_model(model)
    if loss_fn is None:
        X = _inputs(X)
        y = _labels(y, len(X))
        loss_fn = _CrossEntropy()
    elif not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function (model, X_batch, y_batch) -> loss, got "
                        f"{type(loss_fn).__name__}")
    elif _examples(X, "X") != _examples(y, "y"):
        raise ValueError(f"X and y must hold the same number of examples, got "
                         f"{_examples(X, 'X')} and {_examples(y, 'y')}")
    if metrics is not None and not (isinstance(metrics, dict)
                                    and all(callable(f) for f in metrics.values())):
        raise TypeError(f"metrics must be a dict name -> function(model), got {metrics!r}")
    metrics = dict(metrics or {})
    if X_val is not None or y_val is not None:
        X_val = _inputs(X_val, "X_val")
        y_val = _labels(y_val, len(X_val), "y_val")
        metrics = {"val_accuracy": lambda m: accuracy(m, X_val, y_val), **metrics}
    epochs, batch_size = check_int(epochs, "epochs"), check_int(batch_size, "batch_size")
    seed = check_int(seed, "seed", low=0)
    check_real(lr, "lr", low=0, low_open=True)
    device = default_device() if device is None else torch.device(device)
    torch.manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed)
    model.to(device)
    opt = _optimizer(optimizer, model.parameters(), lr, momentum, weight_decay)
    history = {"loss": [], "train_accuracy": [], "val_accuracy": [], **{k: [] for k in metrics},
               "seconds": 0.0, "device": str(device)}
    epochs_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs_iter = tqdm(epochs_iter, desc="training", unit="epoch")
    start = time.perf_counter()
    for _ in epochs_iter:
        order = torch.randperm(_examples(X, "X"), generator=shuffle)
        history["loss"].append(_train_epoch(model, X, y, loss_fn, opt, order, batch_size,
                                            device))
        if isinstance(loss_fn, _CrossEntropy):
            history["train_accuracy"].append(loss_fn.accuracy())
        for name, metric in metrics.items():
            history[name].append(metric(model))
        if progress:
            epochs_iter.set_postfix(loss=f"{history['loss'][-1]:.3f}")
    history["seconds"] = time.perf_counter() - start
    return history


def _train_epoch(model, X, y, loss_fn, opt, order, batch_size, device):
    """One pass over the examples in the order ``order``, a step per batch: the mean loss."""
    model.train()
    loss_sum = 0.0
    for i in range(0, len(order), batch_size):
        batch = order[i:i + batch_size]
        loss = loss_fn(model, _take(X, batch, device), _take(y, batch, device))
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(batch)
    return loss_sum / len(order)


def spread(values, fmt=".2f"):
    """A few runs' results (e.g. one per seed) as 'mean (lowest to highest)', each number
    formatted with ``fmt``: ``spread([0.96, 0.97, 0.98], ".0%")`` gives '97% (96% to 98%)'.

    Trained results differ from seed to seed (and, in the last digits, from one processor to
    another); the chapters report them this way instead of quoting one run's digits.
    """
    try:
        values = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"values must be a list or array of numbers, got {values!r}") from None
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"values must be one or more finite numbers, got {values.tolist()}")
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a str such as '.2f', got {type(fmt).__name__} {fmt!r}")
    try:
        format(0.5, fmt)
    except ValueError:
        raise ValueError(f"fmt must be a format spec for floats such as '.2f', got {fmt!r}"
                         ) from None
    mean, low, high = (format(float(v), fmt) for v in (values.mean(), values.min(),
                                                        values.max()))
    return f"{mean} ({low} to {high})"


def plot_history(history, title="Training"):
    """Loss (left) and accuracies (right) per epoch, from :func:`fit`'s history. Returns the
    matplotlib Figure."""
    import matplotlib.pyplot as plt

    if not isinstance(history, dict) or not history.get("loss"):
        raise ValueError("history must be the dict returned by fit, with a non-empty 'loss'")
    epochs = np.arange(1, len(history["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7, 2.6))
    left.plot(epochs, history["loss"], marker=".")
    left.set(xlabel="epoch", ylabel="training loss", title=f"{title}: loss")
    right.plot(epochs, history["train_accuracy"], marker=".", label="training")
    if history.get("val_accuracy"):
        right.plot(epochs, history["val_accuracy"], marker=".", label="held out")
    right.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), title=f"{title}: accuracy")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig
