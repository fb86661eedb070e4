"""Anchor boxes: fixed reference boxes tiled over a feature map, as in Faster R-CNN (Ren et al.,
2015) and SSD (Liu et al., 2016). A detector then only has to say, for every anchor, which
class it holds and how to move it onto the object (``cnn_lib.detection.encode_boxes``, the
offsets of R-CNN, which Faster R-CNN uses for anchors too). Only NumPy is used.

- :func:`anchor_shapes`: the (width, height) of A anchors from sizes and aspect ratios;
- :func:`generate_anchors`: the A anchors of every cell of an H' x W' feature map of stride S;
- :func:`label_anchors`: each anchor's class (an object's class, 0 background, -1 ignored) and
  the true box it belongs to, by IoU;
- :func:`anchor_targets`: the class and offset targets of every anchor of an image.

Anchor k of cell (i, j) is number (i * W' + j) * A + k: cells row by row, the A shapes of a cell
together. A cell's anchors are centred on the cell's centre ((j + 0.5) S, (i + 0.5) S) in the
image's pixels. (torchvision's ``AnchorGenerator`` centres them on the cell's top-left corner
(j S, i S) and rounds their corners to whole pixels; the original Faster R-CNN code centres them
on the cell, as here.)
"""

import numbers

import numpy as np

from cnn_lib import detection
from cnn_lib.checks import check_real, pair

__all__ = ["anchor_shapes", "anchor_targets", "generate_anchors", "label_anchors"]


def _positive_numbers(values, name, fn):
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    try:
        a = np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: {name} must be a number or a sequence of numbers, got "
                        f"{type(values).__name__} {values!r}") from None
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"{fn}: {name} must be one or more positive numbers, got "
                         f"{np.asarray(values).tolist()}")
    return a


def anchor_shapes(sizes, aspect_ratios=(1.0,)):
    """The widths and heights of the anchors of one cell: for every size s (the square root of
    the area) and every aspect ratio r = h / w, the box of area s**2 with h / w = r:
    w = s / sqrt(r), h = s * sqrt(r). Sizes vary slowest.

    Args:
        sizes: a number or a sequence of positive numbers (pixels).
        aspect_ratios: a number or a sequence of positive numbers (height / width).

    Returns:
        array (A, 2) of (w, h), A = len(sizes) * len(aspect_ratios).

    >>> anchor_shapes([8, 16], [0.5, 1.0, 2.0]).round(2)
    array([[11.31,  5.66],
           [ 8.  ,  8.  ],
           [ 5.66, 11.31],
           [22.63, 11.31],
           [16.  , 16.  ],
           [11.31, 22.63]])
    """
    s = _positive_numbers(sizes, "sizes", "anchor_shapes")
    r = _positive_numbers(aspect_ratios, "aspect_ratios", "anchor_shapes")
    root = np.sqrt(r)
    return np.stack([(s[:, None] / root).ravel(), (s[:, None] * root).ravel()], axis=1)


def generate_anchors(feature_size, stride, sizes, aspect_ratios=(1.0,)):
    """Every anchor of a feature map, as 'xyxy' boxes in the image's pixels.

    Cell (i, j) of an H' x W' map of total stride S looks at the image around
    ((j + 0.5) S, (i + 0.5) S); it gets A anchors there, one per shape of :func:`anchor_shapes`.

    Args:
        feature_size: H', or (H', W'): the size of the feature map.
        stride: S, the map's total stride in pixels (a positive number).
        sizes, aspect_ratios: as in :func:`anchor_shapes`.

    Returns:
        float64 array (H' * W' * A, 4); anchor k of cell (i, j) is row (i * W' + j) * A + k.

    >>> generate_anchors((1, 2), 4, sizes=4)
    array([[0., 0., 4., 4.],
           [4., 0., 8., 4.]])
    """
    fn = "generate_anchors"
    h, w = pair(feature_size, "feature_size", fn)
    stride = _positive_numbers(stride, "stride", fn)
    if stride.size != 1:
        raise ValueError(f"{fn}: stride must be one positive number, got {stride.tolist()}")
    wh = anchor_shapes(sizes, aspect_ratios)                          # (A, 2)
    rows, cols = np.divmod(np.arange(h * w), w)
    centres = np.stack([cols + 0.5, rows + 0.5], axis=1) * stride[0]  # (H'W', 2) as (x, y)
    top_left = centres[:, None, :] - wh[None] / 2                     # (H'W', A, 2)
    return np.concatenate([top_left, top_left + wh[None]], axis=2).reshape(-1, 4)


def label_anchors(anchors, boxes, labels, positive=0.5, negative=0.4, best_anchor=True):
    """Which object each anchor should detect, by IoU with the true boxes.

    An anchor whose best IoU with a true box is >= ``positive`` is **positive**: it takes
    that box's class. One whose best IoU is < ``negative`` is **background** (class 0). Anything
    in between is **ignored** (class -1): the loss does not use it. With ``best_anchor`` (as in
    Faster R-CNN) the anchor(s) with the highest IoU for each true box are positive for it
    too, whatever that IoU (if above 0), so that no object is left without an anchor.
    Faster R-CNN's region proposal network uses ``positive=0.7, negative=0.3``; SSD makes
    every anchor with IoU above 0.5 positive.

    Args:
        anchors: (N, 4) 'xyxy'.
        boxes: (G, 4) 'xyxy', the true boxes; labels: (G,) their classes, ints >= 1.
        positive, negative: IoU thresholds, 0 < negative <= positive <= 1.
        best_anchor: give every true box its best anchor.

    Returns:
        (classes, matched): int64 arrays (N,): the class target of each anchor (-1, 0 or a
        label) and the index of the true box it belongs to (-1 for background and ignored).

    >>> anchors = [[0, 0, 4, 4], [2, 0, 6, 4], [8, 8, 12, 12]]
    >>> label_anchors(anchors, [[1, 0, 5, 4]], [3])  # IoUs 0.6, 0.6, 0
    (array([3, 3, 0]), array([ 0,  0, -1]))
    """
    fn = "label_anchors"
    a = detection.as_boxes(anchors, "anchors", fn)
    g = detection.as_boxes(boxes, "boxes", fn)
    lab = np.asarray(labels).reshape(-1) if np.size(labels) else np.zeros(0, np.int64)
    if lab.shape != (len(g),) or lab.dtype.kind not in "iu" or (lab.size and lab.min() < 1):
        raise ValueError(f"{fn}: labels must be (G,) = ({len(g)},) ints >= 1, one class per "
                         f"box (0 is the background), got {np.asarray(labels).tolist()}")
    for name, value in (("positive", positive), ("negative", negative)):
        check_real(value, name, fn)
    if not 0 < negative <= positive <= 1:
        raise ValueError(f"{fn}: the thresholds must satisfy 0 < negative <= positive <= 1, "
                         f"got negative={negative}, positive={positive}")
    classes = np.zeros(len(a), np.int64)
    matched = np.full(len(a), -1, np.int64)
    if len(g) == 0:
        return classes, matched
    iou = np.nan_to_num(detection.box_iou(a, g), nan=0.0)  # (N, G)
    best, which = iou.max(axis=1), iou.argmax(axis=1)
    classes[(best >= negative) & (best < positive)] = -1
    found = best >= positive
    if best_anchor:
        top = iou.max(axis=0)                                 # (G,) each box's best IoU
        is_best = (iou == top[None]) & (top[None] > 0)        # (N, G); ties: all of them
        extra = is_best.any(axis=1) & ~found
        which[extra] = np.argmax(is_best[extra], axis=1)      # the box it is best for
        found |= extra
    matched[found] = which[found]
    classes[found] = lab[which[found]]
    return classes, matched


def anchor_targets(anchors, boxes, labels, positive=0.5, negative=0.4, best_anchor=True):
    """The targets of every anchor of one image: its class (:func:`label_anchors`), the
    offsets (dx, dy, dw, dh) that move a positive anchor onto its box
    (``detection.encode_boxes``; zeros elsewhere, never used), and whether a background anchor
    is "hard" (it overlaps an object at all: IoU > 0), as ``cnn_lib.detector`` weighs them.

    Returns:
        classes (N,) int64, deltas (N, 4) float32, hard (N,) bool.
    """
    classes, matched = label_anchors(anchors, boxes, labels, positive, negative, best_anchor)
    a = np.asarray(anchors, dtype=float).reshape(-1, 4)
    g = np.asarray(boxes, dtype=float).reshape(-1, 4)
    deltas = np.zeros((len(a), 4), np.float32)
    found = matched >= 0
    if found.any():
        deltas[found] = detection.encode_boxes(a[found], g[matched[found]])
    hard = np.zeros(len(a), bool)
    if len(g):
        hard = (classes == 0) & (detection.box_iou(a, g).max(axis=1) > 0)
    return classes, deltas, hard
