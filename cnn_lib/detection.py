"""Object detection with boxes: IoU, non-maximum suppression, sliding windows, image pyramids.

The NumPy twins of ``torchvision.ops.box_convert``, ``box_area``, ``box_iou``, ``nms`` and
``batched_nms`` (same names, arguments, formulas and results), plus the pieces of a sliding-window
detector: every window position, an image pyramid, the decoder that turns a fully convolutional
network's score map into boxes, and precision / recall against the true boxes. Only NumPy (and
SciPy, for resampling) is used; PyTorch is never imported here.

Boxes
-----
A box is four numbers, and a set of N boxes an array of shape (N, 4). Three formats:

- ``'xyxy'``: corners (x1, y1, x2, y2), top-left and bottom-right. Every function here that does
  not take a format expects this one, as torchvision does.
- ``'xywh'``: top-left corner and size (x1, y1, w, h).
- ``'cxcywh'``: centre and size (cx, cy, w, h).

x runs along the width (columns) and y along the height (rows), so a box is (x, y, ...) while
an image and a window size are (H, W) = (rows, columns): the order flips. Coordinates are
continuous: pixel (r, c) covers the unit square [c, c + 1) x [r, r + 1), so the box of the
pixels in rows 2..4 and columns 5..6 is (5, 2, 7, 5), its width x2 - x1 = 2 and its area
(x2 - x1) * (y2 - y1) = 6 (no "+ 1", as in torchvision). A box needs x1 <= x2 and y1 <= y2;
a box with x1 == x2 or y1 == y2 has zero area.

Floating point: float32 boxes are computed in float32 (as torchvision does for float32
tensors), everything else (ints, float64) in float64.
"""

from typing import NamedTuple

import numpy as np

from cnn_lib import arithmetic
from cnn_lib.checks import as_real_array, check_real, float_dtype, is_int, pair

__all__ = [
    "BOX_FORMATS",
    "COCO_IOU_THRESHOLDS",
    "MeanAveragePrecision",
    "PrecisionRecall",
    "as_boxes",
    "as_scores",
    "average_precision",
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "decode_boxes",
    "encode_boxes",
    "image_pyramid",
    "mask_iou",
    "match_detections",
    "mean_average_precision",
    "nms",
    "precision_recall",
    "precision_recall_curve",
    "precision_recall_over_images",
    "score_map_to_boxes",
    "sliding_windows",
]

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


# --------------------------------------------------------------------------------------------
# Argument checking: every message names the function, the argument, what it got and expected
# --------------------------------------------------------------------------------------------
def as_boxes(boxes, name, fn, fmt="xyxy", single_ok=False):
    """Check a set of boxes in format ``fmt``; return it as a float array of shape (N, 4).

    An empty array (``[]``) is zero boxes. With ``single_ok`` a single box of shape (4,) is
    accepted too, as one row.
    """
    a = as_real_array(boxes, name, fn)
    if a.size == 0:
        a = a.reshape(0, 4)
    if single_ok and a.shape == (4,):
        a = a[None]
    if a.ndim != 2 or a.shape[1] != 4:
        single = " or (4,)" if single_ok else ""
        raise ValueError(f"{fn}: {name} must have shape (N, 4){single}, got {a.shape}")
    a = a.astype(float_dtype(a))
    bad = ~np.isfinite(a).all(axis=1)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{fn}: {name} must hold finite numbers, got {a[i].tolist()} "
                         f"(box {i})")
    if fmt == "xyxy":
        checks = [(a[:, 2] < a[:, 0], "x2 < x1"), (a[:, 3] < a[:, 1], "y2 < y1")]
        hint = ("boxes must be (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2; (x, y, w, h) "
                "boxes can be converted with box_convert(boxes, 'xywh', 'xyxy')")
    else:
        checks = [(a[:, 2] < 0, "a negative width w"), (a[:, 3] < 0, "a negative height h")]
        hint = f"'{fmt}' boxes need a width w >= 0 and a height h >= 0"
    for bad, what in checks:
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{fn}: {name}[{i}] = {a[i].tolist()} has {what}: {hint}")
    return a


def as_scores(scores, n, name, fn):
    """Check ``n`` scores: shape (n,), real numbers, no NaN (a NaN score cannot be ranked)."""
    s = as_real_array(scores, name, fn)
    if s.shape != (n,):
        raise ValueError(f"{fn}: {name} must have shape (N,) = ({n},), one per box, "
                         f"got {s.shape}")
    if np.isnan(s).any():
        raise ValueError(f"{fn}: {name} must not contain NaN (a NaN cannot be ranked), "
                         f"got NaN at index {int(np.argmax(np.isnan(s)))}")
    return s


# --------------------------------------------------------------------------------------------
# Box formats and areas
# --------------------------------------------------------------------------------------------
def _to_xyxy(b, fmt):
    if fmt == "xywh":
        x, y, w, h = b.T
        return np.stack([x, y, x + w, y + h], axis=1)
    if fmt == "cxcywh":
        cx, cy, w, h = b.T
        return np.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], axis=1)
    return b


def _from_xyxy(b, fmt):
    x1, y1, x2, y2 = b.T
    if fmt == "xywh":
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)
    if fmt == "cxcywh":
        return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=1)
    return b


def box_convert(boxes, in_fmt, out_fmt):
    """Convert boxes between formats, like ``torchvision.ops.box_convert``.

    Formats (``BOX_FORMATS``): 'xyxy' (x1, y1, x2, y2), 'xywh' (x1, y1, w, h) and
    'cxcywh' (cx, cy, w, h). As in torchvision, a conversion goes through 'xyxy':
    x2 = x1 + w, cx = (x1 + x2) / 2, x1 = cx - 0.5 * w, and so on.

    Args:
        boxes: array of shape (N, 4), or (4,) for a single box, in format ``in_fmt``.
        in_fmt, out_fmt: one of ``BOX_FORMATS``.

    Returns:
        a new float array of the same shape, in format ``out_fmt``.

    >>> box_convert([[10, 20, 4, 6]], "xywh", "xyxy")
    array([[10., 20., 14., 26.]])
    >>> box_convert([10, 20, 14, 26], "xyxy", "cxcywh")
    array([12., 23.,  4.,  6.])
    """
    fn = "box_convert"
    for name, fmt in (("in_fmt", in_fmt), ("out_fmt", out_fmt)):
        if not isinstance(fmt, str) or fmt not in BOX_FORMATS:
            raise ValueError(f"{fn}: {name} must be one of {BOX_FORMATS}, got {fmt!r} "
                             "(rotated boxes are not supported)")
    single = np.shape(boxes) == (4,)
    b = as_boxes(boxes, "boxes", fn, fmt=in_fmt, single_ok=True)
    out = _from_xyxy(_to_xyxy(b, in_fmt), out_fmt).copy()
    return out[0] if single else out


def box_area(boxes):
    """Areas of 'xyxy' boxes, like ``torchvision.ops.box_area``: (x2 - x1) * (y2 - y1).

    Args:
        boxes: array of shape (N, 4) in 'xyxy' format, or (4,) for a single box.

    Returns:
        array of shape (N,), or a 0-d float for a single box.

    >>> box_area([[0, 0, 2, 3], [1, 1, 1, 5]])
    array([6., 0.])
    """
    single = np.shape(boxes) == (4,)
    b = as_boxes(boxes, "boxes", "box_area", single_ok=True)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return area[0] if single else area


# --------------------------------------------------------------------------------------------
# Intersection over union
# --------------------------------------------------------------------------------------------
def _iou(b1, b2):
    """Pairwise IoU of checked (N, 4) and (M, 4) xyxy arrays, with torchvision's formula."""
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    top_left = np.maximum(b1[:, None, :2], b2[None, :, :2])  # (N, M, 2) corners of the overlap
    bottom_right = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(bottom_right - top_left, 0, None)  # apart: no overlap, not a negative one
    inter = wh[..., 0] * wh[..., 1]
    union = area1[:, None] + area2[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / union  # 0 / 0 = NaN when both boxes have zero area


def box_iou(boxes1, boxes2):
    """Intersection over union of every pair of boxes, like ``torchvision.ops.box_iou``.

    IoU(A, B) = area(A and B) / area(A or B), with area(A or B) = area(A) + area(B) -
    area(A and B): 1 for identical boxes, 0 for boxes that do not overlap (touching edges
    included: the overlap has zero area). As in torchvision, the IoU of two zero-area boxes
    is 0 / 0 = NaN (without a warning); a zero-area box and a box with an area give 0.

    Args:
        boxes1: array of shape (N, 4) in 'xyxy' format ((4,) counts as N = 1).
        boxes2: array of shape (M, 4) in 'xyxy' format ((4,) counts as M = 1).

    Returns:
        array of shape (N, M): ``iou[i, j]`` is the IoU of ``boxes1[i]`` and ``boxes2[j]``.

    Two 2x2 boxes that overlap in a 1x1 square: IoU = 1 / (4 + 4 - 1) = 1/7.

    >>> box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3], [0, 0, 2, 2], [2, 0, 4, 2]]).round(4)
    array([[0.1429, 1.    , 0.    ]])
    """
    b1 = as_boxes(boxes1, "boxes1", "box_iou", single_ok=True)
    b2 = as_boxes(boxes2, "boxes2", "box_iou", single_ok=True)
    return _iou(b1, b2)


# --------------------------------------------------------------------------------------------
# Box regression: a box as offsets from a reference box
# --------------------------------------------------------------------------------------------
def encode_boxes(reference, boxes):
    """The offsets that move each ``reference`` box onto the matching box of ``boxes``, in the
    parametrisation of R-CNN (Girshick et al., 2014) that most detectors regress:

    dx = (cx - cx_r) / w_r, dy = (cy - cy_r) / h_r, dw = log(w / w_r), dh = log(h / h_r),

    with (cx, cy) the centre and (w, h) the size. The shifts are in units of the reference's
    size and the sizes are log ratios, so a detector learns the same numbers for small and
    large objects. ``decode_boxes`` undoes it.

    Args:
        reference, boxes: arrays of shape (N, 4) in 'xyxy' format, boxes of positive size.

    Returns:
        array (N, 4) of (dx, dy, dw, dh).

    >>> encode_boxes([[0, 0, 10, 10]], [[2, 0, 12, 20]])  # 2 px right, twice as tall
    array([[0.2       , 0.5       , 0.        , 0.69314718]])
    """
    fn = "encode_boxes"
    r, b = as_boxes(reference, "reference", fn), as_boxes(boxes, "boxes", fn)
    if len(r) != len(b):
        raise ValueError(f"{fn}: reference and boxes must have the same number of boxes, "
                         f"got {len(r)} and {len(b)}")
    for name, a in (("reference", r), ("boxes", b)):
        if ((a[:, 2:] - a[:, :2]) <= 0).any():
            raise ValueError(f"{fn}: {name} must have positive widths and heights")
    r, b = _from_xyxy(r, "cxcywh"), _from_xyxy(b, "cxcywh")
    return np.concatenate([(b[:, :2] - r[:, :2]) / r[:, 2:], np.log(b[:, 2:] / r[:, 2:])], 1)


def decode_boxes(reference, deltas):
    """The boxes that the offsets ``deltas`` (N, 4) (dx, dy, dw, dh, see ``encode_boxes``) make
    of the ``reference`` boxes (N, 4, 'xyxy'). Returns an array (N, 4) in 'xyxy' format.

    >>> decode_boxes([[0, 0, 10, 10]], [[0.2, 0.5, 0.0, np.log(2)]])
    array([[ 2.,  0., 12., 20.]])
    """
    fn = "decode_boxes"
    r = _from_xyxy(as_boxes(reference, "reference", fn), "cxcywh")
    d = as_real_array(deltas, "deltas", fn).astype(r.dtype)
    if d.shape != r.shape:
        raise ValueError(f"{fn}: deltas must have shape {r.shape}, one (dx, dy, dw, dh) per "
                         f"reference box, got {d.shape}")
    centre = r[:, :2] + d[:, :2] * r[:, 2:]
    size = r[:, 2:] * np.exp(np.clip(d[:, 2:], -10, 10))  # clipped: no overflow to inf
    return np.concatenate([centre - size / 2, centre + size / 2], 1)


# --------------------------------------------------------------------------------------------
# Non-maximum suppression
# --------------------------------------------------------------------------------------------
def _by_decreasing_score(scores):
    """Indices that sort ``scores`` from highest to lowest; equal scores keep their index order
    (a stable sort, as torchvision's CPU kernel uses since version 0.12)."""
    return np.argsort(-scores.astype(np.float64), kind="stable")


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression, like ``torchvision.ops.nms``.

    Greedy: take the boxes from the highest score down; keep a box unless a box kept before it
    overlaps it with IoU strictly greater than ``iou_threshold`` (IoU exactly equal to the
    threshold is kept). Boxes with equal scores are taken in index order. A NaN IoU (two
    zero-area boxes) suppresses nothing, as in torchvision.

    Args:
        boxes: array of shape (N, 4) in 'xyxy' format.
        scores: array of shape (N,), no NaN.
        iou_threshold: a number in [0, 1] (torchvision accepts any number; 0 suppresses every
            box that overlaps a kept one at all, 1 suppresses nothing).

    Returns:
        int64 array of shape (K,): the indices of the kept boxes, by decreasing score.

    >>> boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]]
    >>> nms(boxes, [0.9, 0.8, 0.7], iou_threshold=0.5)  # IoU(box 0, box 1) = 90/110
    array([0, 2])
    """
    fn = "nms"
    b = as_boxes(boxes, "boxes", fn)
    s = as_scores(scores, len(b), "scores", fn)
    iou_threshold = check_real(iou_threshold, "iou_threshold", fn, 0, 1)
    suppressed = np.zeros(len(b), dtype=bool)
    keep = []
    for i in _by_decreasing_score(s):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= _iou(b[i:i + 1], b)[0] > iou_threshold  # NaN > t is False
    return np.array(keep, dtype=np.int64)


def batched_nms(boxes, scores, idxs, iou_threshold):
    """Non-maximum suppression class by class, like ``torchvision.ops.batched_nms``: a box
    only suppresses boxes of its own class (``idxs``), never those of another.

    Args:
        boxes: array of shape (N, 4) in 'xyxy' format.
        scores: array of shape (N,), no NaN.
        idxs: int array of shape (N,): the class (or image) of each box.
        iou_threshold: a number in [0, 1].

    Returns:
        int64 array of shape (K,): the indices of the kept boxes, by decreasing score
        (equal scores in index order).

    >>> boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [1, 0, 11, 10]]
    >>> batched_nms(boxes, [0.9, 0.8, 0.7], [0, 0, 1], iou_threshold=0.5)
    array([0, 2])
    """
    fn = "batched_nms"
    b = as_boxes(boxes, "boxes", fn)
    s = as_scores(scores, len(b), "scores", fn)
    classes = as_real_array(idxs, "idxs", fn)
    if classes.size == 0:  # [] is a float array: no boxes, no classes
        classes = classes.astype(np.int64)
    if classes.shape != (len(b),) or classes.dtype.kind not in "iu":
        raise ValueError(f"{fn}: idxs must be an int array of shape (N,) = ({len(b)},), one "
                         f"class per box, got {classes.dtype} of shape {classes.shape}")
    iou_threshold = check_real(iou_threshold, "iou_threshold", fn, 0, 1)
    keep = np.zeros(len(b), dtype=bool)
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        keep[members[nms(b[members], s[members], iou_threshold)]] = True
    kept = np.flatnonzero(keep)
    return kept[_by_decreasing_score(s[kept])].astype(np.int64)


# --------------------------------------------------------------------------------------------
# Sliding windows, image pyramids and score maps
# --------------------------------------------------------------------------------------------
def _windows_per_axis(fn, image_size, window, stride):
    """(out_h, out_w): how many windows fit, as ``arithmetic.conv_output_size`` counts them."""
    if window[0] > image_size[0] or window[1] > image_size[1]:
        raise ValueError(f"{fn}: the window (height, width) = {window} does not fit in the "
                         f"image of size {image_size}: no window position exists")
    return arithmetic.conv_output_size(image_size, window, stride)


def _cell_boxes(rows, cols, window, stride, offset=(0.0, 0.0), scale=1.0):
    """xyxy boxes (K, 4) of the windows at score-map cells (rows[k], cols[k])."""
    x1 = cols * stride[1] + offset[1]
    y1 = rows * stride[0] + offset[0]
    boxes = np.stack([x1, y1, x1 + window[1], y1 + window[0]], axis=1).astype(np.float64)
    return (boxes / scale).reshape(-1, 4)


def sliding_windows(image_size, window_size, stride=1):
    """Every position of a window slid over an image, as 'xyxy' boxes.

    A window is the receptive field of one output of a convolution (no padding): the windows
    are as many as that convolution's outputs, out_h * out_w with
    (out_h, out_w) = ``arithmetic.conv_output_size(image_size, window_size, stride)``.
    Window k = i * out_w + j (row-major: left to right, then top to bottom) is
    (j * S, i * S, j * S + w, i * S + h) for a window of height h and width w.

    Args:
        image_size: H, or (H, W).
        window_size: h, or (h, w), at most the image size.
        stride: S, or (S_h, S_w): how far the window moves at each step.

    Returns:
        float64 array of shape (out_h * out_w, 4).

    >>> sliding_windows((4, 5), 3, stride=2)  # out_h, out_w = 1, 2
    array([[0., 0., 3., 3.],
           [2., 0., 5., 3.]])
    """
    fn = "sliding_windows"
    size = pair(image_size, "image_size", fn)
    window = pair(window_size, "window_size", fn)
    stride = pair(stride, "stride", fn)
    out_h, out_w = _windows_per_axis(fn, size, window, stride)
    rows, cols = np.divmod(np.arange(out_h * out_w), out_w)
    return _cell_boxes(rows, cols, window, stride)


def score_map_to_boxes(score_map, threshold, window_size, stride=1, scale=1.0, offset=0):
    """Decode a fully convolutional detector's score map into boxes with their scores.

    Cell (i, j) of the score map scored the window whose top-left corner is
    (x, y) = (j * S + offset, i * S + offset) in the image the network saw, the window number
    i * W' + j of ``sliding_windows``. Every cell whose score is >= ``threshold`` becomes the
    box (x, y, x + w, y + h), divided by ``scale``: a box found in a pyramid level that was
    downscaled by ``scale`` is returned in the original image's coordinates.

    Args:
        score_map: array of shape (H', W'): one image's map, one class.
        threshold: a number; cells with a score >= threshold are kept (NaN scores never are).
        window_size: h, or (h, w): the network's receptive field (the window it scores).
        stride: S, or (S_h, S_w): the network's total stride (product of its strides).
        scale: the factor the image was scaled by before the network saw it (> 0).
        offset: where window (0, 0) starts, a number or a (y, x) pair; e.g. -P when the
            network pads its input by P in all.

    Returns:
        (boxes, scores): float64 array (K, 4) in 'xyxy' format and the K scores, in the
        row-major order of their cells (not sorted by score; ``nms`` sorts).

    >>> score_map = [[0.1, 0.9],
    ...              [0.7, 0.2]]
    >>> boxes, scores = score_map_to_boxes(score_map, 0.5, window_size=4, stride=2, scale=0.5)
    >>> boxes, scores
    (array([[ 4.,  0., 12.,  8.],
           [ 0.,  4.,  8., 12.]]), array([0.9, 0.7]))
    """
    fn = "score_map_to_boxes"
    m = as_real_array(score_map, "score_map", fn)
    if m.ndim != 2:
        raise ValueError(f"{fn}: score_map must have shape (H', W'), one image and one class, "
                         f"got {m.shape} (for a network output (N, C, H', W') pass out[n, c])")
    threshold = check_real(threshold, "threshold", fn)
    window = pair(window_size, "window_size", fn)
    stride = pair(stride, "stride", fn)
    scale = check_real(scale, "scale", fn)
    if not 0 < scale < np.inf:
        raise ValueError(f"{fn}: scale must be a positive number, got {scale}")
    if isinstance(offset, (tuple, list)) and len(offset) == 2:
        offset = (check_real(offset[0], "offset[0]", fn), check_real(offset[1], "offset[1]", fn))
    else:
        offset = (check_real(offset, "offset", fn),) * 2
    rows, cols = np.nonzero(m >= threshold)
    return _cell_boxes(rows, cols, window, stride, offset, scale), m[rows, cols]


def image_pyramid(image, scale=0.75, min_size=8):
    """An image and ever smaller copies of it, for detecting objects of every size with a
    window of one size: a big object fits the window in a small copy.

    Level k is the image resized by the factor f = scale**k, to round(H * f) x round(W * f)
    pixels (halves rounded up), for k = 0, 1, 2, ... while both sides stay >= ``min_size`` (a
    level whose size rounds to the previous one's is skipped). Resampling is bilinear
    (``scipy.ndimage.zoom`` with order=1 and grid_mode=True: each new pixel interpolates the
    image at its centre), so halving an even size averages 2x2 blocks of pixels. A box found
    in level k maps back to the original image by dividing by f
    (``score_map_to_boxes(..., scale=f)``); as the size was rounded, that is exact to within
    half a pixel of the level.

    Args:
        image: array of shape (H, W), or (C, H, W) (each channel resized alike).
        scale: the factor between two levels, 0 < scale < 1.
        min_size: m, or (m_h, m_w): the smallest level allowed; usually the window size.

    Returns:
        list of (image_k, f) pairs, image_k a float array (float32 stays float32, others
        become float64) of shape (..., round(H * f), round(W * f)), starting with (image, 1.0).

    >>> levels = image_pyramid(np.ones((40, 30)), scale=0.5, min_size=8)
    >>> [(level.shape, f) for level, f in levels]
    [((40, 30), 1.0), ((20, 15), 0.5), ((10, 8), 0.25)]
    """
    fn = "image_pyramid"
    a = as_real_array(image, "image", fn)
    if a.ndim not in (2, 3):
        raise ValueError(f"{fn}: image must have shape (H, W) or (C, H, W), got {a.shape}")
    scale = check_real(scale, "scale", fn)
    if not 0 < scale < 1:
        raise ValueError(f"{fn}: scale must be between 0 and 1 (each level smaller than the "
                         f"last), got {scale}")
    min_h, min_w = pair(min_size, "min_size", fn)
    height, width = a.shape[-2:]
    if height < min_h or width < min_w:
        raise ValueError(f"{fn}: the image of height and width {(height, width)} is already "
                         f"smaller than min_size {(min_h, min_w)} (is it (H, W, C) instead of "
                         f"(C, H, W)?)")
    from scipy import ndimage  # imported here so that `import cnn_lib.detection` stays light

    a = a.astype(float_dtype(a))
    levels = [(a.copy(), 1.0)]
    k = 1
    while True:  # ends: scale**k shrinks towards 0
        f = scale ** k
        h, w = int(np.floor(height * f + 0.5)), int(np.floor(width * f + 0.5))  # halves up
        if h < min_h or w < min_w:
            return levels
        if (h, w) != levels[-1][0].shape[-2:]:
            zoom = (1.0,) * (a.ndim - 2) + (h / height, w / width)
            levels.append((ndimage.zoom(a, zoom, order=1, mode="nearest", grid_mode=True), f))
        k += 1


# --------------------------------------------------------------------------------------------
# Precision and recall
# --------------------------------------------------------------------------------------------
class PrecisionRecall(NamedTuple):
    """Detection quality: precision = TP / (TP + FP), recall = TP / (TP + FN), and the counts.
    A 0 / 0 (no predictions, or no true boxes) gives NaN: it is undefined, not 0 or 1."""

    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int


def _ratio(a, b):
    return a / b if b else float("nan")


def _counts(tp, fp, fn):
    return PrecisionRecall(_ratio(tp, tp + fp), _ratio(tp, tp + fn), tp, fp, fn)


def match_detections(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Match predicted boxes to true boxes, for one image.

    Greedy, from the highest score down (equal scores in index order): each prediction takes
    the unmatched true box it overlaps most, if that IoU is >= ``iou_threshold`` (equal IoUs:
    the lowest index). A true box is matched at most once, so a second detection of the same
    object is a false positive. (PASCAL VOC instead compares each prediction with its best true
    box even when that one is taken; COCO, as here, tries the remaining ones.) Two zero-area
    boxes (IoU 0 / 0) never match.

    Args:
        pred_boxes: array of shape (P, 4) in 'xyxy' format.
        pred_scores: array of shape (P,), no NaN.
        true_boxes: array of shape (G, 4) in 'xyxy' format.
        iou_threshold: a number in (0, 1]; 0.5 is the usual ("AP50").

    Returns:
        int64 array of shape (P,): the index of the true box each prediction matched, or -1
        for a false positive.

    >>> match_detections([[0, 0, 2, 2], [0, 0, 2, 3], [5, 5, 6, 6]], [0.6, 0.9, 0.8],
    ...                  [[0, 0, 2, 2]])
    array([-1,  0, -1])
    """
    return _match(pred_boxes, pred_scores, true_boxes, iou_threshold, "match_detections")[0]


def _match(pred_boxes, pred_scores, true_boxes, iou_threshold, fn):
    """``match_detections``, its arguments checked under the name ``fn``; returns
    ``(matched, number of true boxes)``."""
    pred = as_boxes(pred_boxes, "pred_boxes", fn)
    scores = as_scores(pred_scores, len(pred), "pred_scores", fn)
    true = as_boxes(true_boxes, "true_boxes", fn)
    iou_threshold = check_real(iou_threshold, "iou_threshold", fn, 0, 1, low_open=True)
    iou = np.nan_to_num(_iou(pred, true), nan=0.0)
    matched = np.full(len(pred), -1, dtype=np.int64)
    taken = np.zeros(len(true), dtype=bool)
    for p in _by_decreasing_score(scores):
        if taken.all():
            break
        free = np.where(taken, -1.0, iou[p])
        g = int(np.argmax(free))
        if free[g] >= iou_threshold:
            matched[p], taken[g] = g, True
    return matched, len(true)


def precision_recall(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Precision and recall of the predictions of one image (see ``match_detections``).

    A prediction matched to a true box is a true positive (TP), an unmatched prediction a false
    positive (FP), and an unmatched true box a false negative (FN, a missed object).

    Returns:
        ``PrecisionRecall(precision, recall, true_positives, false_positives,
        false_negatives)``; precision or recall is NaN when its denominator is 0.

    >>> precision_recall([[0, 0, 2, 2], [0, 0, 2, 3], [5, 5, 6, 6]], [0.6, 0.9, 0.8],
    ...                  [[0, 0, 2, 2], [8, 8, 9, 9]])
    PrecisionRecall(precision=0.333..., recall=0.5, true_positives=1, false_positives=2,
    false_negatives=1)
    """
    matched, n_true = _match(pred_boxes, pred_scores, true_boxes, iou_threshold,
                             "precision_recall")
    tp = int((matched >= 0).sum())
    return _counts(tp, len(matched) - tp, n_true - tp)


def precision_recall_over_images(pred_boxes, pred_scores, true_boxes, iou_threshold=0.5):
    """Precision and recall over many images: the counts of ``precision_recall`` summed over
    the images, then divided (not an average of the images' precisions).

    Args:
        pred_boxes, pred_scores, true_boxes: lists with one entry per image, each as in
            ``precision_recall`` ((P_n, 4), (P_n,) and (G_n, 4) arrays).
        iou_threshold: a number in (0, 1].

    Returns:
        ``PrecisionRecall`` of all the images together.

    >>> precision_recall_over_images([[[0, 0, 2, 2]], []], [[0.9], []],
    ...                              [[[0, 0, 2, 2]], [[1, 1, 3, 3]]])
    PrecisionRecall(precision=1.0, recall=0.5, true_positives=1, false_positives=0,
    false_negatives=1)
    """
    fn = "precision_recall_over_images"
    lists = {"pred_boxes": pred_boxes, "pred_scores": pred_scores, "true_boxes": true_boxes}
    for name, value in lists.items():
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{fn}: {name} must be a list with one entry per image, "
                            f"got {type(value).__name__}")
    if not len(pred_boxes) == len(pred_scores) == len(true_boxes):
        raise ValueError(f"{fn}: pred_boxes, pred_scores and true_boxes must have one entry "
                         f"per image, got lengths {len(pred_boxes)}, {len(pred_scores)} and "
                         f"{len(true_boxes)}")
    tp = n_pred = n_true = 0
    for n, (boxes, scores, true) in enumerate(zip(pred_boxes, pred_scores, true_boxes)):
        matched, g = _match(boxes, scores, true, iou_threshold, f"{fn} (image {n})")
        tp, n_pred, n_true = tp + int((matched >= 0).sum()), n_pred + len(matched), n_true + g
    return _counts(tp, n_pred - tp, n_true - tp)


# --------------------------------------------------------------------------------------------
# IoU of segmentation masks
# --------------------------------------------------------------------------------------------
def mask_iou(predicted, target, num_classes):
    """IoU of each class between two segmentation masks: for class k, the pixels that both
    masks give class k, over the pixels that either gives class k (the box IoU, with pixel
    sets instead of rectangles). The mean of the result is the "mean IoU" of segmentation.

    Args:
        predicted, target: integer arrays of the same shape, (H, W) or (N, H, W), classes
            0..num_classes - 1 (a stack of masks counts its pixels together).
        num_classes: the number of classes.

    Returns:
        array (num_classes,): IoU per class; NaN for a class that neither mask contains.

    >>> mask_iou([[0, 1, 1], [0, 0, 1]], [[0, 1, 0], [0, 0, 1]], 2)
    array([0.75      , 0.66666667])
    """
    fn = "mask_iou"
    p, t = as_real_array(predicted, "predicted", fn), as_real_array(target, "target", fn)
    if p.shape != t.shape:
        raise ValueError(f"{fn}: predicted and target must have the same shape, got {p.shape} "
                         f"and {t.shape}")
    if not is_int(num_classes) or num_classes < 1:
        raise ValueError(f"{fn}: num_classes must be a positive int, got {num_classes!r}")
    for name, a in (("predicted", p), ("target", t)):
        if a.dtype.kind == "f" or (a.size and (a.min() < 0 or a.max() >= num_classes)):
            raise ValueError(f"{fn}: {name} must hold integer classes 0..{num_classes - 1}")
    ious = np.full(num_classes, np.nan)
    for k in range(num_classes):
        union = np.sum((p == k) | (t == k))
        if union:
            ious[k] = np.sum((p == k) & (t == k)) / union
    return ious


# --------------------------------------------------------------------------------------------
# Average precision: the area under the precision-recall curve
# --------------------------------------------------------------------------------------------
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)  # 0.50, 0.55, ..., 0.95 (COCO's "AP")


def _ranked(scores, matched, num_targets, fn):
    """Check the arguments of the AP functions; return ``matched`` (bool) sorted by decreasing
    score (a stable sort: equal scores keep their order) and ``num_targets`` as an int."""
    s = as_real_array(scores, "scores", fn).reshape(-1) if np.size(scores) else np.zeros(0)
    if np.ndim(scores) > 1:
        raise ValueError(f"{fn}: scores must have shape (D,), got {np.shape(scores)}")
    s = as_scores(s, len(s), "scores", fn)
    m = np.asarray(matched)
    if m.size == 0:
        m = m.astype(bool).reshape(0)
    if m.shape != s.shape or not (m.dtype == bool or m.dtype.kind in "iu"):
        raise ValueError(f"{fn}: matched must be a bool array of shape (D,) = {s.shape}, one "
                         f"per detection (True for a true positive), got {m.dtype} of shape "
                         f"{m.shape}")
    if m.dtype != bool and not np.isin(m, (0, 1)).all():
        raise ValueError(f"{fn}: matched must hold True/False (or 1/0), got "
                         f"{np.unique(m).tolist()}")
    if not is_int(num_targets) or num_targets < 0:
        raise ValueError(f"{fn}: num_targets must be an int >= 0 (the number of true boxes), "
                         f"got {num_targets!r}")
    m = m.astype(bool)
    if m.sum() > num_targets:
        raise ValueError(f"{fn}: {int(m.sum())} detections are matched, more than the "
                         f"num_targets={num_targets} true boxes (each true box matches once)")
    return m[_by_decreasing_score(s)], int(num_targets)


def precision_recall_curve(scores, matched, num_targets):
    """The precision and recall after each detection, from the highest score down.

    After the k best detections (k = 1..D), with TP_k of them true positives:
    precision_k = TP_k / k and recall_k = TP_k / num_targets.

    Args:
        scores: array (D,): every detection's score (all images of the data set together).
        matched: bool array (D,): True where the detection is a true positive (it matched a
            true box, e.g. ``match_detections(...) >= 0``), False for a false positive.
        num_targets: the number of true boxes G (found or not), an int >= 0.

    Returns:
        (precision, recall): two float arrays (D,), in the order of decreasing score. Recall
        is NaN when ``num_targets`` is 0.

    >>> precision_recall_curve([0.9, 0.8, 0.7], [True, False, True], 4)
    (array([1.        , 0.5       , 0.66666667]), array([0.25, 0.25, 0.5 ]))
    """
    m, g = _ranked(scores, matched, num_targets, "precision_recall_curve")
    tp = np.cumsum(m)
    precision = tp / np.arange(1, len(m) + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = tp / g if g else np.full(len(m), np.nan)
    return precision.astype(float), recall.astype(float)


def average_precision(scores, matched, num_targets, recall_points=None):
    """Average precision (AP) of one class: the area under its precision-recall curve, after
    the curve is made monotone (each precision replaced by the highest precision at that
    recall or any higher one).

    ``recall_points=None`` (default): all points, as the PASCAL VOC devkit computes it since
    2010 (Everingham et al., 2015): AP = sum over the ranks k where the recall grows of
    (recall_k - recall_{k-1}) * max_{j >= k} precision_j; recall beyond the last detection
    adds nothing. ``recall_points=101``: COCO's interpolation (Lin et al., 2014): the mean of
    the monotone precision at the recalls 0, 0.01, ..., 1 (0 where the recall is never
    reached). (VOC 2007 used 11 points, ``recall_points=11``.)

    Args:
        scores, matched, num_targets: as in :func:`precision_recall_curve`.
        recall_points: None, or an int n >= 2: n recall levels evenly from 0 to 1.

    Returns:
        a float in [0, 1]; NaN when ``num_targets`` is 0 (AP is undefined), 0 when there are
        true boxes but no detections.

    Three detections ranked right, wrong, right, and four true boxes: the curve is
    (recall, precision) = (0.25, 1), (0.25, 0.5), (0.5, 2/3), so AP = 0.25 * 1 + 0.25 * 2/3.

    >>> round(average_precision([0.9, 0.8, 0.7], [True, False, True], 4), 4)
    0.4167
    """
    fn = "average_precision"
    m, g = _ranked(scores, matched, num_targets, fn)
    if recall_points is not None and (not is_int(recall_points) or recall_points < 2):
        raise ValueError(f"{fn}: recall_points must be None (all points) or an int >= 2, got "
                         f"{recall_points!r}")
    if g == 0:
        return float("nan")
    tp = np.cumsum(m)
    precision = tp / np.arange(1, len(m) + 1)
    recall = tp / g
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # max precision at recall >= r
    if recall_points is None:
        step = np.diff(np.concatenate([[0.0], recall]))  # > 0 exactly where a TP comes
        return float(np.sum(step * envelope))
    levels = np.linspace(0.0, 1.0, recall_points)
    first = np.searchsorted(recall, levels, side="left")  # first rank reaching each level
    reached = first < len(m)
    return float(np.where(reached, envelope[np.minimum(first, len(m) - 1)], 0.0).mean()
                 if len(m) else 0.0)


class MeanAveragePrecision(NamedTuple):
    """What :func:`mean_average_precision` measured: ``mean`` (the mAP), ``per_class`` (K,)
    (each class's AP, averaged over the IoU thresholds; NaN for a class without true boxes)
    and ``classes`` (K,), the class of each entry."""

    mean: float
    per_class: np.ndarray
    classes: np.ndarray


def mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes, true_labels,
                           iou_threshold=0.5, recall_points=None):
    """Mean average precision (mAP) of a detector over a data set: the AP of every class,
    averaged over the classes (and over the IoU thresholds, if several).

    For each class and IoU threshold t, the class's detections in each image are matched to
    the image's true boxes of that class (:func:`match_detections`: best score first, a true
    box at most once, IoU >= t); then the detections of all images are ranked together by
    score and :func:`average_precision` measures them against the class's true boxes.

    ``iou_threshold=0.5`` gives PASCAL VOC's mAP ("mAP@0.5", "AP50");
    ``iou_threshold=COCO_IOU_THRESHOLDS`` (0.50:0.05:0.95) with ``recall_points=101`` is
    COCO's "AP" (without its limit of 100 detections per image and its crowd boxes). COCO
    matches as here; the VOC devkit compares each detection only with its best-overlapping true
    box, so the two can differ when true boxes overlap.

    Args:
        pred_boxes, pred_scores, pred_labels: lists with one entry per image: (P_n, 4) 'xyxy'
            boxes, (P_n,) scores and (P_n,) integer classes.
        true_boxes, true_labels: lists with one entry per image: (G_n, 4) boxes, (G_n,) classes.
        iou_threshold: a number in (0, 1], or a sequence of them (averaged).
        recall_points: as in :func:`average_precision`.

    Returns:
        :class:`MeanAveragePrecision` over the classes that have a true box or a detection;
        classes without true boxes get NaN and are left out of the mean (as COCO does).

    >>> result = mean_average_precision(
    ...     [[[0, 0, 2, 2], [5, 5, 7, 7]]], [[0.9, 0.8]], [[1, 2]],
    ...     [[[0, 0, 2, 2], [5, 5, 7, 8]]], [[1, 2]])
    >>> float(result.mean), result.per_class.tolist(), result.classes.tolist()
    (1.0, [1.0, 1.0], [1, 2])
    """
    fn = "mean_average_precision"
    lists = {"pred_boxes": pred_boxes, "pred_scores": pred_scores, "pred_labels": pred_labels,
             "true_boxes": true_boxes, "true_labels": true_labels}
    for name, value in lists.items():
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{fn}: {name} must be a list with one entry per image, got "
                            f"{type(value).__name__}")
    lengths = [len(v) for v in lists.values()]
    if len(set(lengths)) != 1:
        raise ValueError(f"{fn}: {', '.join(lists)} must have one entry per image, got "
                         f"lengths {lengths}")
    thresholds = np.atleast_1d(np.asarray(iou_threshold, dtype=float))
    if thresholds.ndim != 1 or thresholds.size == 0:
        raise ValueError(f"{fn}: iou_threshold must be a number or a 1-D sequence of numbers, "
                         f"got {iou_threshold!r}")
    for t in thresholds:
        check_real(float(t), "iou_threshold", fn, 0, 1, low_open=True)
    images = []
    for n in range(lengths[0]):
        where = f"{fn} (image {n})"
        boxes = as_boxes(pred_boxes[n], "pred_boxes", where)
        scores = as_scores(pred_scores[n], len(boxes), "pred_scores", where)
        labels = _labels(pred_labels[n], len(boxes), "pred_labels", where)
        truth = as_boxes(true_boxes[n], "true_boxes", where)
        images.append((boxes, scores, labels, truth,
                       _labels(true_labels[n], len(truth), "true_labels", where)))
    classes = np.unique(np.concatenate([np.concatenate([im[2], im[4]]) for im in images]
                                       + [np.zeros(0, np.int64)]))
    per_class = np.full(len(classes), np.nan)
    for k, c in enumerate(classes):
        ap = []
        for t in thresholds:
            scores, matched, count = [], [], 0
            for boxes, s, labels, truth, truth_labels in images:
                mine, theirs = labels == c, truth[truth_labels == c]
                match, g = _match(boxes[mine], s[mine], theirs, float(t), fn)
                scores.append(s[mine])
                matched.append(match >= 0)
                count += g
            ap.append(average_precision(np.concatenate(scores), np.concatenate(matched),
                                        count, recall_points))
        per_class[k] = np.mean(ap)
    mean = float(np.nanmean(per_class)) if np.isfinite(per_class).any() else float("nan")
    return MeanAveragePrecision(mean, per_class, classes.astype(np.int64))


def _labels(labels, n, name, fn):
    a = as_real_array(labels, name, fn)
    if a.size == 0:
        a = a.astype(np.int64).reshape(0)
    if a.shape != (n,) or a.dtype.kind not in "iu":
        raise ValueError(f"{fn}: {name} must be an int array of shape ({n},), one class per "
                         f"box, got {a.dtype} of shape {a.shape}")
    return a.astype(np.int64)

