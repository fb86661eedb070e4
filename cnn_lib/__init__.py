"""cnn_lib: the small library behind the book *Convolutional Neural Networks, Executable*.

Modules (import the one you need; ``import cnn_lib`` stays light and never imports PyTorch;
only ``models``, ``train``, ``detector``, ``anchor_detector``, ``fcn``, ``memory`` and
``diagrams`` do):

- ``cnn_lib.checks``: every argument check, one convention ``check(value, name, fn)``.
- ``cnn_lib.scratch``: from-scratch NumPy versions of ``torch.nn.functional`` operations.
- ``cnn_lib.arithmetic``: output sizes, parameter counts, storage and operation counts.
- ``cnn_lib.layers``: NumPy layers with forward and backward passes, SGD and a training loop.
- ``cnn_lib.models``: the chapters' PyTorch models, LeNet-5 to ResNet-18, and ``summary``.
- ``cnn_lib.train``: a training loop for PyTorch models (GPU when present), history plots.
- ``cnn_lib.detection``: boxes, IoU, non-maximum suppression, sliding windows, image pyramids.
- ``cnn_lib.detector``: chapter 6's detector end to end (targets, loss, training, detection).
- ``cnn_lib.anchors``: anchor boxes: generate them, label them by IoU, their targets.
- ``cnn_lib.anchor_detector``: chapter 6's one-pass detector with anchors at two scales.
- ``cnn_lib.fcn``: a fully convolutional network with bilinear-initialised upsampling.
- ``cnn_lib.memory``: layer tables (shapes, parameters) and memory per layer (CS231n-style).
- ``cnn_lib.plot``: matrices with their numbers, image and kernel grids, animations.
- ``cnn_lib.diagrams``: architecture diagrams drawn by code (LeNet-5 to U-Net).
- ``cnn_lib.widgets``: ipywidgets explorers and their kernel-free twins.
- ``cnn_lib.exercises``: the check / hint / solution system, one module per chapter.
- ``cnn_lib.data``: data that ships with installed packages (no downloads).
- ``cnn_lib.augment``: data augmentation of digit images (crop, mirror, brightness and
  contrast, noise).

``cnn_lib/README.md`` draws the module map: what lives where, and where a new function goes.
"""

import random

import numpy as np

__version__ = "0.1.0"

__all__ = ["set_seed", "__version__"]


def set_seed(seed=0):
    """Seed Python's, NumPy's and (if it is already imported) PyTorch's random generators.

    Returns a ``numpy.random.Generator`` seeded with ``seed`` for code that prefers one.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
    return np.random.default_rng(seed)
