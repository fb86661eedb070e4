"""Chapter 6's detector end to end, on the synthetic scenes of ``cnn_lib.data.make_scenes``.

A :class:`cnn_lib.models.WindowDetector` looks at every 16x16 window of an image at stride 2
and, for each, scores the classes and proposes a box; to find objects of every size it looks at
an image pyramid. This module holds the steps around the network (it imports PyTorch):

- :func:`window_boxes`: the central box of every window, the box each output refers to;
- :func:`level_targets`: what the network should output on one pyramid level of one image:
  a class per window (background, a shape, or -1 "don't care"), box offsets, hard negatives;
- :func:`detection_loss`: weighted cross-entropy on the classes + smooth L1 on the offsets;
- :func:`fit_detector`: the training loop over every level of every training scene;
- :func:`score_maps` and :func:`detect`: pyramid -> score maps -> boxes -> NMS;
- :func:`evaluate`: precision and recall at IoU 0.5, and the share of right shapes.
"""

from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from cnn_lib import detection, train
from cnn_lib.checks import check_real
from cnn_lib.models import WindowDetector

__all__ = [
    "Detections",
    "check_scenes",
    "detect",
    "detection_loss",
    "evaluate",
    "fit_detector",
    "level_targets",
    "score_maps",
    "window_boxes",
]

SCALE, MIN_SIZE = 0.7, 24  # the pyramid: each level 0.7 times the last, none under 24 pixels


class Detections(NamedTuple):
    """What :func:`detect` found in one image: ``boxes`` (K, 4) 'xyxy' in the image's pixels,
    ``scores`` (K,) (the probability that the window holds an object) and ``labels`` (K,)
    (the most likely shape, 1..num_classes - 1), by decreasing score."""
    boxes: np.ndarray
    scores: np.ndarray
    labels: np.ndarray


def _check_model(model):
    if not isinstance(model, WindowDetector):
        raise TypeError(f"model must be a cnn_lib.models.WindowDetector, got "
                        f"{type(model).__name__}")
    return next(model.parameters()).device


def window_boxes(map_size):
    """The central 12x12 box of every window scored by a score map of ``map_size`` (H', W')
    cells: cell (i, j) looks at the window with top-left corner (2j, 2i); its box is that window
    without a 2-pixel margin. Returns (H' * W', 4) 'xyxy' boxes, row-major, in the pixels of
    the image the network saw.

    >>> window_boxes((1, 2))
    array([[ 2.,  2., 14., 14.],
           [ 4.,  2., 16., 14.]])
    """
    h, w = map_size
    m, s = WindowDetector.margin, WindowDetector.stride
    windows = detection.sliding_windows((s * (h - 1) + 16, s * (w - 1) + 16), 16, s)
    return windows + [m, m, -m, -m]


def level_targets(boxes, labels, map_size, factor, positive=0.5, negative=0.3):
    """The outputs a detector should give on one image seen at pyramid scale ``factor``.

    Each window's central box (:func:`window_boxes`, mapped back by ``factor``) is compared
    with every true box. IoU >= ``positive``: the window holds that object: its class, and the
    offsets that move the window's box onto the object's (``detection.encode_boxes``). IoU <
    ``negative``: background; "hard" when it still overlaps an object (a part of one, or one
    too big for this level). In between: -1, the loss ignores the window.

    Args:
        boxes, labels: the image's true boxes (G, 4) 'xyxy' and classes (G,), 1 and up.
        map_size: (H', W') of the score map; factor: the level's scale (0 < factor <= 1).

    Returns:
        classes (H', W') int64, deltas (4, H', W') float32 (zero off objects), hard (H', W')
        bool.
    """
    windows = window_boxes(map_size)
    classes = np.zeros(len(windows), np.int64)
    deltas = np.zeros((len(windows), 4), np.float32)
    hard = np.zeros(len(windows), bool)
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if len(boxes):
        iou = detection.box_iou(windows / factor, boxes)
        best, which = iou.max(axis=1), iou.argmax(axis=1)
        hard = (best > 0) & (best < negative)
        classes[(best >= negative) & (best < positive)] = -1
        found = best >= positive
        classes[found] = np.asarray(labels)[which[found]]
        deltas[found] = detection.encode_boxes(windows[found], boxes[which[found]] * factor)
    h, w = map_size
    return classes.reshape(h, w), deltas.T.reshape(4, h, w), hard.reshape(h, w)


def detection_loss(output, classes, deltas, hard, positive_weight=4.0, hard_weight=4.0):
    """The loss of a batch of score maps: cross-entropy on every window's class, weighted (1 for
    background, ``hard_weight`` for hard negatives, ``positive_weight`` for windows on an
    object, 0 for "don't care"), plus the smooth L1 loss of the box offsets of the windows on
    an object. ``output`` (N, C + 4, H', W'); the targets as from :func:`level_targets`,
    stacked: (N, H', W'), (N, 4, H', W'), (N, H', W')."""
    num_classes = output.shape[1] - 4
    weight = torch.where(classes > 0, positive_weight, 1.0)
    weight = torch.where(hard, hard_weight, weight) * (classes >= 0)
    loss = F.cross_entropy(output[:, :num_classes], classes.clamp(min=0), reduction="none")
    loss = (loss * weight).sum() / weight.sum()
    on_object = classes > 0
    if on_object.any():
        predicted = output[:, num_classes:].permute(0, 2, 3, 1)[on_object]
        loss = loss + F.smooth_l1_loss(predicted, deltas.permute(0, 2, 3, 1)[on_object])
    return loss


def _levels(images, scale, min_size):
    """Pyramid levels of a stack (N, H, W): a list of (tensor (N, 1, h, w), factor)."""
    return [(torch.as_tensor(level[:, None], dtype=torch.float32), f)
            for level, f in detection.image_pyramid(images, scale, min_size)]


def check_scenes(scenes):
    """The images (N, H, W) of ``scenes`` (a ``data.Scenes``), or a TypeError / ValueError."""
    fields = ("images", "boxes", "labels")
    if not all(hasattr(scenes, f) for f in fields):
        raise TypeError(f"scenes must be a cnn_lib.data.Scenes (from make_scenes), got "
                        f"{type(scenes).__name__}")
    images = np.asarray(scenes.images)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"scenes.images must have shape (N, 1, H, W), got {images.shape}")
    return images[:, 0]


def fit_detector(model, scenes, epochs=15, lr=2e-3, batch_size=32, seed=0, device=None,
                 progress=False):
    """Train a :class:`~cnn_lib.models.WindowDetector` on ``scenes`` (from
    ``data.make_scenes``) with Adam: every step takes a batch of scenes and adds up
    :func:`detection_loss` over the levels of their pyramids (0.7 per level, down to 24
    pixels). The loop is ``train.fit``'s. Returns its history dict: ``loss`` (mean per
    epoch), ``seconds``, ``device``."""
    _check_model(model)
    inputs, targets = [], []
    for x, factor in _levels(check_scenes(scenes), SCALE, MIN_SIZE):
        map_size = ((x.shape[2] - 16) // 2 + 1, (x.shape[3] - 16) // 2 + 1)
        per_image = [level_targets(b, lab, map_size, factor)
                     for b, lab in zip(scenes.boxes, scenes.labels)]
        inputs.append(x)
        targets.append([torch.as_tensor(np.stack(t)) for t in zip(*per_image)])
    history = train.fit(model, inputs, targets, epochs, lr, batch_size, seed=seed,
                        device=device, progress=progress, loss_fn=_pyramid_loss)
    model.eval()
    return history


def _pyramid_loss(model, inputs, targets):
    """:func:`detection_loss` of a batch of scenes, added up over their pyramid levels."""
    return sum(detection_loss(model(x), *t) for x, t in zip(inputs, targets))


def score_maps(model, image):
    """The network's outputs on every level of the image's pyramid: a list of
    (probabilities (C, H', W'), offsets (4, H', W'), factor), one per level, as NumPy arrays.
    ``image``: (H, W) or (1, H, W)."""
    device = _check_model(model)
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[0] == 1:
        image = image[0]
    if image.ndim != 2:
        raise ValueError(f"image must have shape (H, W) or (1, H, W), got {image.shape}")
    maps = []
    model.eval()
    with torch.no_grad():
        for x, factor in _levels(image[None], SCALE, MIN_SIZE):
            out = model(x.to(device))[0].cpu()
            probabilities = torch.softmax(out[:model.num_classes], 0).numpy()
            maps.append((probabilities, out[model.num_classes:].numpy(), factor))
    return maps


def detect(model, image, threshold=0.5, iou_threshold=0.3):
    """Find the objects in one image: every window, at every level of the pyramid, whose
    probability of holding an object (1 - P(background)) is >= ``threshold`` gives a box
    (its central box moved by its predicted offsets, mapped back to the image's pixels); NMS
    with ``iou_threshold`` then keeps the best of overlapping boxes. Returns
    :class:`Detections`."""
    check_real(threshold, "threshold", low=0, high=1)
    boxes, scores, labels = [], [], []
    for probabilities, offsets, factor in score_maps(model, image):
        score = 1 - probabilities[0]
        rows, cols = np.nonzero(score >= threshold)
        windows = window_boxes(score.shape).reshape(*score.shape, 4)[rows, cols]
        boxes.append(detection.decode_boxes(windows, offsets[:, rows, cols].T) / factor)
        scores.append(score[rows, cols])
        labels.append(probabilities[1:, rows, cols].argmax(axis=0) + 1)
    boxes, scores, labels = (np.concatenate(a) for a in (boxes, scores, labels))
    keep = detection.nms(boxes, scores, iou_threshold)
    return Detections(boxes[keep], scores[keep], labels[keep])


def evaluate(model, scenes, threshold=0.5, iou_threshold=0.5, nms_threshold=0.3):
    """Detect on every scene (:func:`detect` with ``threshold`` and ``nms_threshold``) and
    compare with the true boxes: returns (``detection.PrecisionRecall`` at ``iou_threshold``,
    the fraction of the true positives whose shape is right)."""
    images = check_scenes(scenes)
    found = [detect(model, image, threshold, nms_threshold) for image in images]
    result = detection.precision_recall_over_images(
        [d.boxes for d in found], [d.scores for d in found], list(scenes.boxes), iou_threshold)
    right = matched = 0
    for d, true_boxes, true_labels in zip(found, scenes.boxes, scenes.labels):
        match = detection.match_detections(d.boxes, d.scores, true_boxes, iou_threshold)
        matched += int((match >= 0).sum())
        right += int((np.asarray(true_labels)[match[match >= 0]] == d.labels[match >= 0]).sum())
    return result, right / matched if matched else float("nan")
