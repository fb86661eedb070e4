"""Training time of chapter 5's small CNN on the digits: cnn_lib.layers (NumPy) vs PyTorch.

Both train the same network (conv 5x5 -> pool -> conv 3x3 -> pool -> linear) for 20 epochs of
SGD with momentum on the 1,347 training digits, batch 32. Budget (issue 6): the NumPy version
under 20 s on 2 cores, with at least 97% test accuracy (the accuracy is asserted in
tests/test_chapter5_figures.py; the time only here). Run ``python -m benchmarks.training``.
"""

import time

import numpy as np


def run(epochs=20):
    """Train once with each implementation; a list of dict rows (seconds, test accuracy)."""
    import torch
    from torch import nn

    import cnn_lib
    from cnn_lib import data, layers, train

    X_train, X_test, y_train, y_test = data.load_digits()
    rng = np.random.default_rng(0)
    numpy_model = layers.Sequential(
        layers.Conv2d(1, 8, 5, padding=2, rng=rng), layers.ReLU(), layers.MaxPool2d(2),
        layers.Conv2d(8, 16, 3, padding=1, rng=rng), layers.ReLU(), layers.MaxPool2d(2),
        layers.Flatten(), layers.Linear(64, 10, rng=rng))
    start = time.perf_counter()
    layers.fit(numpy_model, X_train, y_train, epochs=epochs, lr=0.05, momentum=0.9,
               batch_size=32)
    numpy_seconds = time.perf_counter() - start

    cnn_lib.set_seed(0)
    torch_model = nn.Sequential(
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 10))
    start = time.perf_counter()
    train.fit(torch_model, X_train, y_train, epochs=epochs, lr=0.05, optimizer="sgd",
              momentum=0.9, batch_size=32, progress=False)
    torch_seconds = time.perf_counter() - start
    return [
        {"implementation": "cnn_lib.layers (NumPy)", "seconds": numpy_seconds,
         "accuracy": layers.accuracy(numpy_model, X_test, y_test)},
        {"implementation": f"PyTorch {torch.__version__} ({train.default_device()})",
         "seconds": torch_seconds, "accuracy": train.accuracy(torch_model, X_test, y_test)},
    ]


def main():
    print(f"{'implementation':<34} {'time (s)':>9} {'test acc.':>10}   budget: NumPy < 20 s")
    for row in run():
        print(f"{row['implementation']:<34} {row['seconds']:>9.1f} {row['accuracy']:>10.1%}")


if __name__ == "__main__":
    main()
