"""Exercises for chapter 6, Detection and upsampling (``notebooks/06_detection_upsampling.ipynb``),
easy to hard.

>>> from cnn_lib.exercises import chapter6 as ex
>>> ex.q5.check(20)
✓ Correct! 20 is right.

Boxes are (x1, y1, x2, y2) corners ('xyxy'), x along the width and y along the height, with
continuous coordinates: a box's width is x2 - x1 (no "+ 1"). The reference solutions are plain
NumPy and self-contained (no other ``cnn_lib`` module).
"""

import numpy as np

from .core import ArrayExercise, ChoiceExercise, FunctionExercise, NumberExercise, number_exercises
from .core import progress as _progress

__all__ = [f"q{i}" for i in range(1, 20)]


# --------------------------------------------------------------------------- reference functions


def box_iou(boxes1, boxes2):
    """Intersection over union of every pair of 'xyxy' boxes: boxes1 (N, 4), boxes2 (M, 4)
    -> (N, M), entry (i, j) = area(overlap) / area(union) of boxes1[i] and boxes2[j]."""
    b1, b2 = np.asarray(boxes1, dtype=float), np.asarray(boxes2, dtype=float)
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    top_left = np.maximum(b1[:, None, :2], b2[None, :, :2])  # (N, M, 2): the overlap's corners
    bottom_right = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(bottom_right - top_left, 0, None)  # boxes apart: no overlap, not a negative one
    inter = wh[..., 0] * wh[..., 1]
    return inter / (area1[:, None] + area2[None, :] - inter)


def max_unpool(Y, indices, shape):
    """Max unpooling: an array of the given shape (H, W), zero everywhere except that each
    pooled value Y[i, j] goes back to the flat position indices[i, j] = row * W + col where
    max pooling found it."""
    out = np.zeros(shape)
    out.flat[np.asarray(indices).ravel()] = np.asarray(Y, dtype=float).ravel()
    return out


def decode_score_map(score_map, threshold, window, stride):
    """The 'xyxy' boxes (K, 4) of the score-map cells whose score is >= threshold, in reading
    order: cell (i, j) scored the window whose top-left corner is (x, y) = (j*stride, i*stride),
    so its box is (j*stride, i*stride, j*stride + window, i*stride + window)."""
    rows, cols = np.nonzero(np.asarray(score_map) >= threshold)  # row by row, left to right
    x1, y1 = cols * stride, rows * stride  # the column gives x, the row gives y
    return np.stack([x1, y1, x1 + window, y1 + window], axis=1).astype(float).reshape(-1, 4)


def nms(boxes, scores, iou_threshold):
    """Non-maximum suppression: the indices of the kept boxes, by decreasing score. Take the
    boxes from the highest score down (equal scores in index order); keep a box unless a box
    kept before it overlaps it with IoU > iou_threshold."""
    boxes, scores = np.asarray(boxes, dtype=float), np.asarray(scores, dtype=float)
    keep = []
    for i in np.argsort(-scores, kind="stable"):  # a stable sort keeps ties in index order
        if all(box_iou(boxes[[i]], boxes[[k]])[0, 0] <= iou_threshold for k in keep):
            keep.append(i)
    return np.array(keep, dtype=int)


def conv_transpose2d_single(X, K, stride):
    """Transposed convolution of a 2-D array X (H, W) with a kernel K (kh, kw), scatter form:
    each input value times the kernel is added into the output at (i*stride, j*stride);
    overlapping copies add up. Output shape ((H - 1)*stride + kh, (W - 1)*stride + kw)."""
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    (H, W), (kh, kw) = X.shape, K.shape
    Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
    for i in range(H):
        for j in range(W):
            Y[i * stride : i * stride + kh, j * stride : j * stride + kw] += X[i, j] * K
    return Y


def upsample_nearest(X, scale):
    """Nearest-neighbour upsampling of a 2-D array X (H, W) by an integer factor: every pixel
    becomes a scale x scale block of copies. Output shape (H * scale, W * scale)."""
    X = np.asarray(X, dtype=float)
    return np.repeat(np.repeat(X, scale, axis=0), scale, axis=1)


def _max_pool_with_indices(X, k):
    """k x k max pooling with stride k of a 2-D array X, and the flat index (row * W + col) in
    X of each window's first maximum: what max_pool2d(..., return_indices=True) gives."""
    X = np.asarray(X, dtype=float)
    H, W = X.shape
    values, indices = np.zeros((H // k, W // k)), np.zeros((H // k, W // k), dtype=int)
    for i in range(H // k):
        for j in range(W // k):
            window = X[i * k : (i + 1) * k, j * k : (j + 1) * k]
            a, b = np.unravel_index(np.argmax(window), window.shape)
            values[i, j], indices[i, j] = window[a, b], (i * k + a) * W + (j * k + b)
    return values, indices


# Typical wrong answers, recognised in the feedback.
def _inter_and_areas(boxes1, boxes2, clip=True, plus_one=0.0):
    b1, b2 = np.asarray(boxes1, dtype=float), np.asarray(boxes2, dtype=float)
    area1 = (b1[:, 2] - b1[:, 0] + plus_one) * (b1[:, 3] - b1[:, 1] + plus_one)
    area2 = (b2[:, 2] - b2[:, 0] + plus_one) * (b2[:, 3] - b2[:, 1] + plus_one)
    wh = np.minimum(b1[:, None, 2:], b2[None, :, 2:]) - np.maximum(b1[:, None, :2],
                                                                   b2[None, :, :2]) + plus_one
    if clip:
        wh = np.clip(wh, 0, None)
    return wh[..., 0] * wh[..., 1], area1[:, None], area2[None, :]


def _iou_without_clipping(boxes1, boxes2):
    inter, area1, area2 = _inter_and_areas(boxes1, boxes2, clip=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return inter / (area1 + area2 - inter)


def _iou_over_first_area(boxes1, boxes2):
    inter, area1, area2 = _inter_and_areas(boxes1, boxes2)
    return inter / area1 + 0 * area2


def _iou_over_both_areas(boxes1, boxes2):
    inter, area1, area2 = _inter_and_areas(boxes1, boxes2)
    return inter / (area1 + area2)


def _iou_plus_one(boxes1, boxes2):
    inter, area1, area2 = _inter_and_areas(boxes1, boxes2, plus_one=1.0)
    return inter / (area1 + area2 - inter)


def _iou_as_xywh(boxes1, boxes2):
    b1, b2 = np.asarray(boxes1, dtype=float), np.asarray(boxes2, dtype=float)
    b1 = np.hstack([b1[:, :2], b1[:, :2] + b1[:, 2:]])  # (x, y, w, h) read as corners
    b2 = np.hstack([b2[:, :2], b2[:, :2] + b2[:, 2:]])
    return box_iou(b1, b2)


def _iou_clipping_the_product(boxes1, boxes2):
    inter, area1, area2 = _inter_and_areas(boxes1, boxes2, clip=False)
    inter = np.clip(inter, 0, None)  # a negative width times a negative height is positive
    return inter / (area1 + area2 - inter)


def _unpool_into_a_copy(Y, indices, shape):
    out = np.zeros(shape)
    out.flatten()[np.asarray(indices).ravel()] = np.asarray(Y, dtype=float).ravel()
    return out


def _unpool_pooled_width(Y, indices, shape):
    out = np.zeros(shape)
    Y, indices = np.asarray(Y, dtype=float), np.asarray(indices)
    rows, cols = indices // Y.shape[1], indices % Y.shape[1]  # the pooled map's width
    keep = (rows < shape[0]) & (cols < shape[1])
    out[rows[keep], cols[keep]] = Y[keep]
    return out


def _unpool_top_left(Y, indices, shape):
    Y = np.asarray(Y, dtype=float)
    k = shape[0] // Y.shape[0]
    out = np.zeros(shape)
    out[: Y.shape[0] * k : k, : Y.shape[1] * k : k] = Y
    return out


def _unpool_whole_window(Y, indices, shape):
    Y = np.asarray(Y, dtype=float)
    k = shape[0] // Y.shape[0]
    out = np.zeros(shape)
    out[: Y.shape[0] * k, : Y.shape[1] * k] = np.kron(Y, np.ones((k, k)))
    return out


def _unpool_column_major(Y, indices, shape):
    out = np.zeros(shape)
    rows, cols = np.unravel_index(np.asarray(indices).ravel(), shape, order="F")
    out[rows, cols] = np.asarray(Y, dtype=float).ravel()
    return out


def _decode(score_map, threshold, window, stride, keep=np.greater_equal, layout="xyxy",
            step=None):
    rows, cols = np.nonzero(keep(np.asarray(score_map), threshold))
    step = stride if step is None else step
    x1, y1 = cols * step, rows * step
    if layout == "yx":
        x1, y1 = y1, x1
    if layout == "xywh":
        size = (np.full_like(x1, window), np.full_like(y1, window))
    else:
        size = (x1 + window, y1 + window)
    return np.stack([x1, y1, *size], axis=1).astype(float).reshape(-1, 4)


def _decode_x_from_row(score_map, threshold, window, stride):
    return _decode(score_map, threshold, window, stride, layout="yx")


def _decode_xywh(score_map, threshold, window, stride):
    return _decode(score_map, threshold, window, stride, layout="xywh")


def _decode_strict(score_map, threshold, window, stride):
    return _decode(score_map, threshold, window, stride, keep=np.greater)


def _decode_without_stride(score_map, threshold, window, stride):
    return _decode(score_map, threshold, window, stride, step=1)


def _decode_step_by_window(score_map, threshold, window, stride):
    return _decode(score_map, threshold, window, stride, step=window)


def _nms_greedy(boxes, scores, iou_threshold, order, suppresses, only_kept_suppress=True):
    boxes = np.asarray(boxes, dtype=float)
    keep, seen = [], []
    for i in order:
        others = keep if only_kept_suppress else seen
        if not any(suppresses(box_iou(boxes[[i]], boxes[[k]])[0, 0], iou_threshold)
                   for k in others):
            keep.append(i)
        seen.append(i)
    return np.array(keep, dtype=int)


def _nms_greater_or_equal(boxes, scores, iou_threshold):
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    return _nms_greedy(boxes, scores, iou_threshold, order, np.greater_equal)


def _nms_suppressed_boxes_suppress(boxes, scores, iou_threshold):
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    return _nms_greedy(boxes, scores, iou_threshold, order, np.greater, only_kept_suppress=False)


def _nms_ties_reversed(boxes, scores, iou_threshold):
    order = np.argsort(np.asarray(scores, dtype=float), kind="stable")[::-1]
    return _nms_greedy(boxes, scores, iou_threshold, order, np.greater)


def _nms_in_index_order(boxes, scores, iou_threshold):
    return np.sort(nms(boxes, scores, iou_threshold))


def _nms_lowest_first(boxes, scores, iou_threshold):
    order = np.argsort(np.asarray(scores, dtype=float), kind="stable")
    return _nms_greedy(boxes, scores, iou_threshold, order, np.greater)


def _transpose_conv_no_stride(X, K, stride):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    (H, W), (kh, kw) = X.shape, K.shape
    Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
    for i in range(H):
        for j in range(W):
            Y[i : i + kh, j : j + kw] += X[i, j] * K
    return Y


def _upsample_tiled(X, scale):
    return np.tile(np.asarray(X, dtype=float), (scale, scale))


def _upsample_zeros_between(X, scale):
    X = np.asarray(X, dtype=float)
    out = np.zeros((X.shape[0] * scale, X.shape[1] * scale))
    out[::scale, ::scale] = X
    return out


def _upsample_rows_twice(X, scale):
    return np.repeat(np.repeat(np.asarray(X, dtype=float), scale, axis=0), scale, axis=0)


def _upsample_interleaved(X, scale):
    X = np.asarray(X, dtype=float)
    return np.repeat(X, scale * scale).reshape(X.shape[0] * scale, X.shape[1] * scale)


def _upsample_transposed(X, scale):
    return upsample_nearest(X, scale).T


def _transpose_conv_overwriting(X, K, stride):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    (H, W), (kh, kw) = X.shape, K.shape
    Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
    for i in range(H):
        for j in range(W):
            Y[i * stride : i * stride + kh, j * stride : j * stride + kw] = X[i, j] * K
    return Y


def _transpose_conv_kron(X, K, stride):
    return np.kron(np.asarray(X, dtype=float), np.asarray(K, dtype=float))


def _transpose_conv_kernel_not_flipped(X, K, stride):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    (H, W), (kh, kw) = X.shape, K.shape
    Z = np.zeros(((H - 1) * stride + 1, (W - 1) * stride + 1))
    Z[::stride, ::stride] = X  # zero insertion
    Z = np.pad(Z, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    Y = np.zeros((Z.shape[0] - kh + 1, Z.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(Z[i : i + kh, j : j + kw] * K)  # K as it is: not flipped
    return Y


# --------------------------------------------------------------------------- the exercises

q1 = NumberExercise(
    "q1",
    "IoU by hand",
    """
    Box A has corners (x1, y1, x2, y2) = (0, 0, 4, 4) and box B = (2, 2, 6, 6). What is their
    intersection over union (IoU)? Give a number: a fraction such as `1 / 3`, or a decimal with
    at least three digits after the point.
    """,
    answer=1 / 7,
    atol=1e-3,
    rtol=0,
    hint_text=[
        "IoU = area of the overlap / area of the union of the two boxes.",
        "The overlap is the square from (2, 2) to (4, 4). The union counts it only once: "
        "area(A) + area(B) - area(overlap).",
    ],
    solution_text="**1/7 ≈ 0.143**: the overlap is 2 x 2 = 4 and the union is 16 + 16 - 4 = 28 "
    "(the overlap belongs to both boxes, so it is subtracted once); 4 / 28 = 1/7.",
    common_mistakes={
        4: "that is the area of the overlap; IoU divides it by the area of the union of the two "
        "boxes.",
        1 / 4: "4/16 divides the overlap by the area of one box; divide by the union: "
        "16 + 16 - 4.",
        1 / 8: "4/32 divides by the sum of the two areas, which counts the overlap twice; the "
        "union is 16 + 16 - 4.",
        9 / 41: "that counts pixels with a '+ 1' (a 5x5 box); the coordinates are continuous: "
        "the width of A is x2 - x1 = 4.",
        0.14: "close, but more than 0.001 away: give the exact fraction, or a decimal "
        "rounded (not cut off) to three digits after the point.",
    },
    placeholder="your answer here (a number, e.g. 1 / 3)",
)

q2 = ArrayExercise(
    "q2",
    "From corners to centre",
    """
    Convert the box (x1, y1, x2, y2) = (2, 3, 10, 7) to the centre format (cx, cy, w, h).
    Answer with four numbers, e.g. `answer = [1, 2, 3, 4]`.
    """,
    answer=[6, 5, 8, 4],
    hint_text=[
        "The centre is halfway between the corners: cx = (x1 + x2) / 2.",
        "The width is x2 - x1 and the height y2 - y1.",
    ],
    solution_text="**(6, 5, 8, 4)**: cx = (2 + 10)/2 = 6, cy = (3 + 7)/2 = 5, w = 10 - 2 = 8, "
    "h = 7 - 3 = 4.",
    common_mistakes=[
        ([2, 3, 8, 4], "that is (x1, y1, w, h), the top-left corner and the size; cxcywh "
         "starts with the centre."),
        ([6, 5, 4, 2], "w and h are the full width and height (x2 - x1, y2 - y1), not half of "
         "them."),
        ([5, 6, 4, 8], "x comes first: (cx, cy, w, h), with x along the width."),
        ([4, 2, 8, 4], "the centre is the mean of the corners, (x1 + x2)/2, not half the "
         "width."),
    ],
    placeholder="[cx, cy, w, h], four numbers",
)

q3 = NumberExercise(
    "q3",
    "How many windows?",
    """
    A detector slides a 16x16 window over a 64x64 image, 4 pixels at a time across and down,
    and classifies every window (no padding). How many windows does it classify? Give an
    integer.
    """,
    answer=169,
    hint_text=[
        "A window position is the output position of a convolution with a 16x16 kernel and "
        "stride 4: count them along one side first.",
        "Along one side: (64 - 16) / 4 + 1 positions; the windows form a grid.",
    ],
    solution_text="**169** = 13 * 13: along each side the window starts at 0, 4, ..., 48, "
    "which is (64 - 16)/4 + 1 = 13 positions.",
    common_mistakes={
        13: "that is along one side; the windows form a 13 x 13 grid.",
        256: "(64/4)^2 counts starts up to 60, but a window starting after 48 sticks out of "
        "the image: (64 - 16)/4 + 1 per side.",
        144: "(64 - 16)/4 = 12 counts the steps between positions; add 1 per side.",
        2401: "that is stride 1; the window moves 4 pixels at a time.",
        16: "that is windows side by side (stride 16); these move 4 pixels and overlap.",
    },
    integer=True,
)

_q4_boxes = np.array([[6, 0, 16, 10], [0, 0, 10, 10], [20, 20, 30, 30], [3, 0, 13, 10]])
_q4_scores = np.array([0.7, 0.9, 0.6, 0.8])

q4 = ArrayExercise(
    "q4",
    "Non-maximum suppression by hand",
    """
    A detector returns four boxes (x1, y1, x2, y2) with scores:

    | index | box | score |
    |---|---|---|
    | 0 | (6, 0, 16, 10) | 0.7 |
    | 1 | (0, 0, 10, 10) | 0.9 |
    | 2 | (20, 20, 30, 30) | 0.6 |
    | 3 | (3, 0, 13, 10) | 0.8 |

    Run non-maximum suppression with IoU threshold 0.5: from the highest score down, keep a
    box unless a box already kept overlaps it with IoU > 0.5. Which indices are kept? Answer
    with a list of indices by decreasing score, e.g. `answer = [2, 0]`.
    """,
    answer=nms(_q4_boxes, _q4_scores, 0.5),
    hint_text=[
        "Take the boxes in the order 1, 3, 0, 2 (by score). Box 1 is always kept.",
        "All four boxes 0, 1, 3 are 10 high; IoU(1, 3) = 70/130 and IoU(1, 0) = 40/160. Only "
        "boxes that were kept can suppress another.",
    ],
    solution_text="**[1, 0, 2]**: box 1 (0.9) is kept; box 3 overlaps it with IoU "
    "70/130 ≈ 0.54 > 0.5 and goes; box 0 overlaps box 1 with IoU 40/160 = 0.25 and stays (box 3 "
    "overlaps it more, but box 3 was suppressed); box 2 overlaps nothing.",
    common_mistakes=[
        ([1, 2], "box 0 overlaps box 3 a lot, but box 3 was suppressed itself: only boxes that "
         "were kept suppress others, and box 0 overlaps the kept box 1 with IoU 0.25."),
        ([1, 3, 0, 2], "box 3 overlaps box 1 with IoU 70/130 ≈ 0.54 > 0.5: suppress it."),
        ([0, 1, 2], "the right boxes, in index order; list them by decreasing score."),
        ([1, 2, 0], "the right boxes; list them by decreasing score (box 0 has 0.7, box 2 "
         "0.6)."),
        ([0.9, 0.7, 0.6], "give the indices of the kept boxes, not their scores."),
    ],
    level="medium",
    placeholder="the kept indices, by decreasing score",
)

q5 = NumberExercise(
    "q5",
    "The size of a transposed convolution",
    """
    A 7x7 feature map goes through `nn.ConvTranspose2d(C, C, kernel_size=5, stride=3,
    padding=2, output_padding=1)`. What is the output's height? Give an integer.
    """,
    answer=(7 - 1) * 3 - 2 * 2 + 5 + 1,
    hint_text=[
        "The input's pixels land stride apart: the first and the last are (i - 1) * s apart; "
        "the kernel adds its size; padding is cropped on each side.",
        "H_out = (i - 1)*s - 2p + k + output_padding.",
    ],
    solution_text="**20** = (7 - 1)*3 - 2*2 + 5 + 1: the copies of the kernel span "
    "(7 - 1)*3 + 5 = 23 rows, padding crops 2 from each side, and output_padding adds 1 at the "
    "bottom.",
    common_mistakes={
        19: "output_padding adds its rows at the end: + 1.",
        22: "padding is cropped from both sides: - 2p.",
        24: "padding is cropped from the result: subtract 2p.",
        23: "the first and the last of 7 input pixels are (7 - 1) strides apart, not 7.",
        21: "a transposed convolution does not multiply the size by the stride exactly: use "
        "(i - 1)*s - 2p + k + output_padding.",
        3: "that is the output of an ordinary convolution, which shrinks the map; a transposed "
        "one runs the arrows backwards and grows it.",
    },
    integer=True,
    level="medium",
)

_deck_x = np.array([[1, 0], [2, 3]])
_deck_k = np.array([[0, 1], [1, 0]])

q6 = ArrayExercise(
    "q6",
    "The deck's transposed convolution",
    """
    A lecture deck computes the transposed convolution of `X = [[1, 0], [2, 3]]` with the
    kernel `w = [[0, 1], [1, 0]]`, stride 2, no padding, and prints an answer that does not
    follow from its own steps. Compute it yourself: add each input value times w into a 4x4
    output, with the copy of X[i, j] starting at row 2i, column 2j. Give the 4x4 result as a
    nested list or an array.
    """,
    answer=conv_transpose2d_single(_deck_x, _deck_k, 2),
    hint_text=[
        "Start from a 4x4 array of zeros. X[0, 0] = 1 adds 1 * w into rows 0-1, columns 0-1.",
        "X[1, 0] = 2 adds 2 * w into rows 2-3, columns 0-1; X[1, 1] = 3 adds 3 * w into rows "
        "2-3, columns 2-3. With stride 2 and a 2x2 kernel the copies do not overlap.",
    ],
    solution_text="`[[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 3], [2, 0, 3, 0]]`: each value times "
    "w, in its own 2x2 block (what `torch.nn.functional.conv_transpose2d` gives). The deck's "
    "`[[0, 1, 0, 0], [1, 0, 0, 0], [2, 2, 3, 0], [0, 3, 0, 0]]` is not what its own "
    "zero-inserted grid gives.",
    common_mistakes=[
        ([[0, 1, 0, 0], [1, 0, 0, 0], [2, 2, 3, 0], [0, 3, 0, 0]],
         "that is the deck's printed answer, the one that does not follow: the copy of "
         "X[1, 0] = 2 is 2 * w = [[0, 2], [2, 0]] in rows 2-3, columns 0-1."),
        ([[1, 0, 0, 0], [0, 0, 0, 0], [2, 0, 3, 0], [0, 0, 0, 0]],
         "that puts each value in its block's corner (bed of nails); a transposed convolution "
         "adds value * w there instead."),
        (conv_transpose2d_single(_deck_x, _deck_k, 1),
         "that is stride 1 (the copies overlap); with stride 2 they start 2 cells apart."),
        (conv_transpose2d_single(_deck_x, _deck_k, 2).T,
         "rows and columns are swapped: the copy of X[i, j] starts at row 2i and column 2j."),
    ],
    level="medium",
)

_q7_x = np.array([[1, 3], [5, 7]])

q7 = ArrayExercise(
    "q7",
    "Bilinear upsampling by hand",
    """
    Upsample `X = [[1, 3], [5, 7]]` to 3x3 with bilinear interpolation, the corners of the
    output on the corners of the input (`align_corners=True`): the new pixels lie halfway
    between the old ones. Give the 3x3 result as a nested list or an array.
    """,
    answer=[[1, 2, 3], [3, 4, 5], [5, 6, 7]],
    hint_text=[
        "The four corners keep their values; every other output pixel sits halfway between "
        "input pixels.",
        "A pixel halfway between two input pixels takes their mean; the centre pixel is "
        "halfway between all four.",
    ],
    solution_text="`[[1, 2, 3], [3, 4, 5], [5, 6, 7]]`: the corners stay, each edge midpoint "
    "is the mean of its two neighbours (e.g. (1 + 3)/2 = 2), and the centre is the mean of all "
    "four, 4.",
    common_mistakes=[
        ([[1, 1, 3], [1, 1, 3], [5, 5, 7]], "that is nearest-neighbour upsampling (copies); "
         "bilinear interpolation mixes the neighbours, weighted by how close they are."),
        ([[1, 0, 3], [0, 0, 0], [5, 0, 7]], "those are zeros inserted between the values; "
         "bilinear interpolation fills the new pixels with means of their neighbours."),
    ],
    level="medium",
)

q8 = ChoiceExercise(
    "q8",
    "Checkerboard artifacts",
    """
    A decoder upsamples with a transposed convolution, kernel size 3 and stride 2. Even on a
    constant input, its output shows a checkerboard pattern. Why, and what is a common fix?
    Answer with a letter as a string.
    """,
    options=[
        "Kernel copies overlap unevenly (3 is not a multiple of 2); resize, then convolve.",
        "The weights start random, so neighbours differ; initialise them all to zero.",
        "Zero padding darkens the borders of the map; pad by reflection instead.",
        "Max pooling in the encoder lost the maxima's places; use average pooling.",
    ],
    answer="a",
    explanations={
        "b": "the pattern comes from the layout of the copies, not from the values: with all "
        "weights equal to 1, a 3x3 kernel at stride 2 still gives 1, 2, 1, 2, ... copies per "
        "row. (Zero weights would also give zero output and zero gradients.)",
        "c": "the pattern covers the whole map, not just its border.",
        "d": "a constant input shows it too: it comes from the upsampling layer itself.",
    },
    hint_text="Count, along one row, how many copies of a 3-wide kernel placed 2 cells apart "
    "cover each output pixel.",
    solution_text="**a**: with k = 3 and s = 2 the copies overlap on every other pixel (1, 2, 1, "
    "2, ... copies per row, 1, 2, 4 in 2-D), so even a constant input comes out striped. A "
    "kernel size divisible by the stride spreads the overlap evenly; resizing and then "
    "convolving avoids the uneven overlap altogether.",
    level="medium",
)

q9 = ChoiceExercise(
    "q9",
    "What skip connections carry",
    """
    In a U-Net, each level of the decoder concatenates its upsampled features with the
    encoder's feature map of the same resolution. What do these skip connections give the
    decoder? Answer with a letter as a string.
    """,
    options=[
        "The image's class scores, so that every pixel knows what the image shows.",
        "Fine detail (where edges are) that downsampling lost on the way down.",
        "More parameters, so that the network can memorise the training masks.",
        "A path for the gradient only; the forward pass does not use them.",
    ],
    answer="b",
    explanations={
        "a": "the skip connections come from the encoder's early, high-resolution layers, which "
        "see small regions; the global context comes up through the bottleneck.",
        "c": "concatenation adds input channels to the decoder's convolutions, but that is not "
        "their purpose; what they add is information the bottleneck no longer has.",
        "d": "the encoder's maps are concatenated into the decoder's input, so they change the "
        "forward pass; shorter gradient paths are a side effect.",
    },
    hint_text="What does a feature map at 1/16 of the input's resolution no longer know "
    "exactly?",
    solution_text="**b**: downsampling trades resolution for context, so the bottleneck knows "
    "what is in the image but only roughly where. The encoder's maps at the same resolution "
    "still hold the exact positions, and the decoder combines the two.",
    level="medium",
)

_rng = np.random.default_rng(6)


def _random_boxes(n, size=20.0):
    corners = _rng.uniform(0, size, size=(n, 2))
    return np.round(np.hstack([corners, corners + _rng.uniform(1, size / 2, size=(n, 2))]), 2)


q10 = FunctionExercise(
    "q10",
    "IoU in code",
    """
    Write `box_iou(boxes1, boxes2)`: `boxes1` is an (N, 4) NumPy array of boxes
    (x1, y1, x2, y2), `boxes2` an (M, 4) one. Return the (N, M) float array whose entry
    (i, j) is the IoU of `boxes1[i]` and `boxes2[j]` (0 for boxes that do not overlap, also
    when they only touch). Check it with `ex.q10.check(box_iou)`.
    """,
    reference=box_iou,
    cases=[
        ("q1's two boxes", (np.array([[0, 0, 4, 4]]), np.array([[2, 2, 6, 6]]))),
        ("a box and itself", (np.array([[1, 2, 5, 9]]), np.array([[1, 2, 5, 9]]))),
        ("boxes that touch along an edge", (np.array([[0, 0, 4, 4]]), np.array([[4, 0, 8, 4]]))),
        ("boxes apart along x", (np.array([[0, 0, 4, 4]]), np.array([[6, 0, 10, 4]]))),
        ("boxes apart along x and y", (np.array([[0, 0, 2, 2]]), np.array([[5, 5, 7, 7]]))),
        ("a box inside another", (np.array([[1, 1, 3, 3]]), np.array([[0, 0, 4, 4]]))),
        ("3 boxes against 4, float coordinates", (_random_boxes(3), _random_boxes(4))),
    ],
    common_mistakes=[
        (_iou_without_clipping, "Clip the overlap's width and height at 0 "
         "(`np.clip(..., 0, None)`): for boxes apart, x2 - x1 of the 'overlap' is negative, and "
         "two negative sides even multiply to a positive area."),
        (_iou_over_first_area, "That divides the overlap by the area of the first box; IoU "
         "divides by the area of the union, area1 + area2 - overlap."),
        (_iou_over_both_areas, "That divides by area1 + area2, which counts the overlap twice; "
         "the union is area1 + area2 - overlap."),
        (_iou_plus_one, "No '+ 1': the coordinates are continuous, so a box is x2 - x1 wide."),
        (_iou_as_xywh, "The boxes are corners (x1, y1, x2, y2), not (x, y, width, height): "
         "the width is x2 - x1."),
        (_iou_clipping_the_product, "Clip the overlap's width and height at 0 each, before "
         "multiplying: for boxes apart along x and y both are negative, and their product is a "
         "positive 'area'."),
    ],
    hint_text=[
        "The overlap of two boxes runs from the larger of the two x1 to the smaller of the "
        "two x2 (likewise for y); if that is negative, there is no overlap.",
        "For all pairs at once, broadcast: `np.maximum(boxes1[:, None, :2], boxes2[None, :, "
        ":2])` is the (N, M, 2) array of the overlaps' top-left corners.",
    ],
    solution_text="The overlap's corners by broadcasting, its sides clipped at 0, divided by "
    "the union:",
)

_deck_pool = np.array([[2, 2, 7, 3], [9, 4, 6, 1], [8, 5, 2, 4], [3, 1, 2, 6]])
_odd = np.round(_rng.normal(size=(5, 5)), 2)
_six = np.round(_rng.normal(size=(6, 6)), 2)
_wide = np.round(_rng.normal(size=(4, 6)), 2)

q11 = FunctionExercise(
    "q11",
    "Max unpooling in code",
    """
    Write `max_unpool(Y, indices, shape)`. `Y` is an (h, w) NumPy array of max-pooled values,
    `indices` an (h, w) int array: the flat position `row * W + col` in the map BEFORE
    pooling (of shape `shape = (H, W)`) where each maximum was found. Return the (H, W)
    float array that holds each value of `Y` at its position and 0 everywhere else. Check it
    with `ex.q11.check(max_unpool)`.
    """,
    reference=max_unpool,
    cases=[
        ("the decks' 4x4 example, 2x2 pooling", (*_max_pool_with_indices(_deck_pool, 2), (4, 4))),
        ("a 5x5 map, 2x2 pooling (the last row and column were never pooled)",
         (*_max_pool_with_indices(_odd, 2), (5, 5))),
        ("a 6x6 map, 3x3 pooling", (*_max_pool_with_indices(_six, 3), (6, 6))),
        ("negative values", (*_max_pool_with_indices(-np.abs(_six), 2), (6, 6))),
        ("a 4x6 map, 2x2 pooling", (*_max_pool_with_indices(_wide, 2), (4, 6))),
    ],
    common_mistakes=[
        (_unpool_top_left, "That puts each value in its window's top-left corner (bed of "
         "nails); max unpooling puts it back where the maximum was, at its index."),
        (_unpool_whole_window, "That copies each value over its whole window (nearest "
         "upsampling); max unpooling writes it once, at its index, and 0 elsewhere."),
        (_unpool_column_major, "The flat index counts row by row: index = row * W + col, so "
         "row = index // W and col = index % W (`np.unravel_index(indices, shape)`)."),
        (_unpool_into_a_copy, "Your result is all zeros: `out.flatten()` returns a copy, so "
         "writing into it leaves `out` unchanged; write with `out.flat[...] = ...` (or "
         "`np.put`)."),
        (_unpool_pooled_width, "The index counts in the map BEFORE pooling: row = index // W "
         "with W = shape[1], the width of the output, not the width of Y."),
    ],
    hint_text=[
        "Start from `np.zeros(shape)`.",
        "`out.flat[i] = v` writes v at the flat (row-by-row) position i; it takes arrays of "
        "positions and values too.",
    ],
    solution_text="Each value goes back to its flat position, the rest stays 0:",
)

_map13 = np.round(_rng.uniform(size=(13, 13)), 2)

q12 = FunctionExercise(
    "q12",
    "From a score map to boxes",
    """
    A fully convolutional detector scores every `window` x `window` window at once: cell
    (i, j) of its score map (row i, column j) scored the window whose top-left corner is
    x = j * stride, y = i * stride. Write `decode_score_map(score_map, threshold, window,
    stride)`: return the boxes (x1, y1, x2, y2) of the windows whose score is >= `threshold`,
    in reading order (row by row, left to right), as a float array of shape (K, 4) ((0, 4) if
    none). Check it with `ex.q12.check(decode_score_map)`.
    """,
    reference=decode_score_map,
    cases=[
        ("a 2x2 map, threshold 0.5, window 4, stride 2",
         (np.array([[0.1, 0.9], [0.7, 0.2]]), 0.5, 4, 2)),
        ("a score equal to the threshold is kept",
         (np.array([[0.2, 0.8, 0.5, 0.1], [0.5, 0.3, 0.9, 0.4], [0.0, 0.6, 0.1, 0.7]]), 0.5, 3,
          1)),
        ("no score reaches the threshold", (np.array([[0.1, 0.2], [0.3, 0.4]]), 0.5, 8, 4)),
        ("q3's detector: a 13x13 map, window 16, stride 4", (_map13, 0.9, 16, 4)),
        ("a 3x5 map, window 6, stride 3", (np.round(_rng.uniform(size=(3, 5)), 2), 0.6, 6, 3)),
    ],
    common_mistakes=[
        (_decode_x_from_row, "x runs along the width, so it comes from the column: cell (i, j) "
         "is at x = j * stride, y = i * stride."),
        (_decode_xywh, "Give corners (x1, y1, x2, y2): x2 = x1 + window, y2 = y1 + window."),
        (_decode_strict, "Keep scores >= threshold: a score equal to it counts."),
        (_decode_without_stride, "Neighbouring cells are `stride` pixels apart in the image: "
         "multiply the cell's row and column by the stride."),
        (_decode_step_by_window, "Windows start `stride` pixels apart, not `window` pixels: "
         "they overlap."),
    ],
    hint_text=[
        "`rows, cols = np.nonzero(score_map >= threshold)` gives the cells in reading order.",
        "The column gives x and the row gives y; stack x1, y1, x2, y2 as columns with "
        "`np.stack(..., axis=1)`, and `.reshape(-1, 4)` keeps the shape (0, 4) when nothing "
        "passes.",
    ],
    solution_text="The column gives x, the row gives y, both times the stride:",
)

q13 = FunctionExercise(
    "q13",
    "Non-maximum suppression in code",
    """
    Write `nms(boxes, scores, iou_threshold)`: `boxes` is an (N, 4) NumPy array of boxes
    (x1, y1, x2, y2) and `scores` an (N,) array. Take the boxes from the highest score down
    (equal scores in index order); keep a box unless a box kept before it overlaps it with IoU
    strictly greater than `iou_threshold` (IoU equal to it is kept, as in torchvision). Return
    the kept indices as an int array, by decreasing score. You may call your `box_iou` of the
    previous exercise. Check it with `ex.q13.check(nms)`.
    """,
    reference=nms,
    cases=[
        ("q4's four boxes, threshold 0.5", (_q4_boxes, _q4_scores, 0.5)),
        ("two shifted boxes and one apart", (np.array([[0, 0, 10, 10], [1, 0, 11, 10],
                                                       [20, 20, 30, 30]]),
                                             np.array([0.9, 0.8, 0.7]), 0.5)),
        ("an IoU exactly at the threshold is kept",
         (np.array([[0, 0, 3, 1], [1, 0, 4, 1]]), np.array([0.9, 0.8]), 0.5)),
        ("equal scores: the lower index goes first",
         (np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]]),
          np.array([0.5, 0.5, 0.5]), 0.5)),
        ("threshold 0: any overlap suppresses, touching does not",
         (np.array([[0, 0, 2, 2], [1, 1, 3, 3], [2, 0, 4, 2]]), np.array([0.3, 0.2, 0.1]),
          0.0)),
        ("12 random boxes, threshold 0.3",
         (_random_boxes(12), np.round(_rng.uniform(size=12), 3), 0.3)),
        ("no boxes at all (an empty result)", (np.zeros((0, 4)), np.zeros(0), 0.5)),
    ],
    common_mistakes=[
        (_nms_suppressed_boxes_suppress, "Only boxes that were KEPT suppress others: a box "
         "that was itself suppressed does not remove the boxes it overlaps."),
        (_nms_in_index_order, "Return the kept indices by decreasing score, not sorted by "
         "index."),
        (_nms_greater_or_equal, "Suppress only when the IoU is strictly greater than the "
         "threshold (`>`, not `>=`): an IoU equal to it is kept."),
        (_nms_ties_reversed, "Equal scores go in index order: sort with "
         "`np.argsort(-scores, kind='stable')`; `np.argsort(scores)[::-1]` reverses ties."),
        (_nms_lowest_first, "Start from the HIGHEST score: `np.argsort(scores)` goes from the "
         "lowest up; sort by `-scores`."),
    ],
    hint_text=[
        "`order = np.argsort(-scores, kind='stable')` lists the boxes from the highest score "
        "down, equal scores in index order.",
        "Walk through `order` with a list `keep`: append a box if its IoU with every box "
        "already in `keep` is <= the threshold.",
    ],
    solution_text="Greedy, from the best box down; only kept boxes suppress (`box_iou` is the "
    "one of the previous exercise):",
)

q14 = FunctionExercise(
    "q14",
    "Transposed convolution in code",
    """
    Write `conv_transpose2d_single(X, K, stride)`: the transposed convolution of a 2-D NumPy
    array `X` (H, W) with a kernel `K` (kh, kw), no padding. Add `X[i, j] * K` into the output
    with its top-left corner at row `i * stride`, column `j * stride`; overlapping copies add
    up. Return a float array of shape ((H - 1) * stride + kh, (W - 1) * stride + kw). Check it
    with `ex.q14.check(conv_transpose2d_single)`.
    """,
    reference=conv_transpose2d_single,
    cases=[
        ("the deck's example: 2x2 input, 2x2 kernel, stride 2", (_deck_x, _deck_k, 2)),
        ("stride 1: overlapping copies add up",
         (np.array([[1.0, 2], [3, 4]]), np.array([[1.0, 2], [3, 4]]), 1)),
        ("a 3x3 kernel of ones at stride 2 (the checkerboard)", (np.ones((3, 3)), np.ones((3, 3)),
                                                                  2)),
        ("stride 3, 2x2 kernel: gaps between the copies",
         (np.array([[1.0, -1], [2, 0.5]]), np.array([[1.0, 2], [0, -1]]), 3)),
        ("a 2x3 input and a 3x2 kernel, stride 2",
         (np.round(_rng.normal(size=(2, 3)), 2), np.round(_rng.normal(size=(3, 2)), 2), 2)),
        ("a 1x1 kernel: zeros between the values", (np.arange(1.0, 7).reshape(2, 3),
                                                     np.array([[2.0]]), 2)),
    ],
    common_mistakes=[
        (_transpose_conv_overwriting, "Overlapping copies ADD up: use `+=`, not `=`."),
        (_transpose_conv_no_stride, "The copy of X[i, j] starts at row i * stride, column "
         "j * stride: multiply the input's position by the stride."),
        (_transpose_conv_kron, "`np.kron` puts the copies side by side, kh rows apart; here "
         "they start `stride` rows and columns apart and may overlap or leave gaps."),
        (_transpose_conv_kernel_not_flipped, "That correlates the zero-inserted input with K "
         "as it is; the zero-insertion form needs K flipped (K[::-1, ::-1]). Or scatter "
         "directly: add X[i, j] * K at (i*stride, j*stride)."),
    ],
    hint_text=[
        "Start from zeros of the output's shape, then loop over the input's pixels.",
        "The copy of X[i, j] fills `Y[i*stride : i*stride + kh, j*stride : j*stride + kw]`.",
    ],
    solution_text="Scatter: every input value stamps a scaled copy of the kernel, stride "
    "apart:",
)

q15 = NumberExercise(
    "q15",
    "What the skips cost",
    """
    The chapter's U-Net, `models.UNet(width=8, batch_norm=True)`, concatenates the encoder's
    maps into the decoder: the first 3x3 convolution after each upsampling takes 32 input
    channels (16 upsampled + 16 skipped) at the lower level and 16 (8 + 8) at the top, and
    has 16 and 8 output channels. `skip=False` drops the concatenations and changes nothing
    else. How many parameters fewer does the U-Net without skips have? Predict an integer,
    then run the experiment below.
    """,
    answer=(32 - 16) * 9 * 16 + (16 - 8) * 9 * 8,
    hint_text=[
        "Only the two convolutions that take the concatenated maps change: each loses the "
        "weights for the skipped channels.",
        "A 3x3 convolution has 3 * 3 * in_channels * out_channels weights; its biases and "
        "the batch norm after it do not depend on the input channels.",
    ],
    solution_text="**2,880** = 16 * 9 * 16 + 8 * 9 * 8: the lower merge convolution loses "
    "its 16 skipped input channels (2,304 weights), the top one its 8 (576). The skips cost "
    "10% of the parameters (29,668 against 26,788) and buy the fine detail of Exercise 6.9.",
    common_mistakes={
        2304: "that is the lower level only; the top level's convolution loses the 8 skipped "
        "channels too: 8 * 9 * 8 more.",
        576: "that is the top level only; the lower one loses 16 skipped channels: "
        "16 * 9 * 16 more.",
        0: "concatenation itself has no parameters, but the convolution after it has weights "
        "for every input channel, the skipped ones too.",
        2904: "the biases stay: their number depends on the output channels only.",
        5760: "each merge block has two convolutions, but only the first takes the "
        "concatenation; the second sees the first's outputs either way.",
    },
    integer=True,
    level="harder",
    placeholder="your prediction here (an integer)",
    experiment="""
    from cnn_lib import models

    counts = {}
    for skip in (True, False):
        unet = models.UNet(width=8, skip=skip, batch_norm=True)
        counts[skip] = sum(p.numel() for p in unet.parameters())
        print(f"skip={skip!s:<5}: {counts[skip]:,} parameters; first merge convolution "
              f"{tuple(unet.merge2[0].weight.shape)}")
    print(f"difference: {counts[True] - counts[False]:,}")
    """,
)

q16 = NumberExercise(
    "q16",
    "How many windows are positive?",
    """
    To train a window classifier, every 16x16 window of a 48x48 scene (stride 2, so 17 x 17
    = 289 windows with corners x, y = 0, 2, ..., 32) is labelled positive when its IoU with
    the object's box is at least 0.5. The scene has one object, the box (10, 10, 26, 26): a
    16x16 box too. How many windows are labelled positive? Predict an integer, then run the
    experiment below (try the thresholds 0.3 and 0.7 too).
    """,
    answer=13,
    hint_text=[
        "A window shifted by (dx, dy) from the box overlaps it in (16 - |dx|) * (16 - |dy|) "
        "pixels, and the union is 512 minus the overlap.",
        "IoU >= 0.5 means overlap >= union / 2, so overlap >= 512 / 3 ≈ 171; with even "
        "shifts, try |dx| = 0, 2, 4 and find how far |dy| may go for each.",
    ],
    solution_text="**13**: the IoU is at least 0.5 when the overlap (16 - |dx|) * (16 - |dy|) "
    "is at least 512/3 ≈ 171. With dx = 0, dy may be 0, ±2, ±4 (5 windows); with dx = ±2, "
    "dy = 0, ±2 (6); with dx = ±4, only dy = 0 (2). IoU falls fast: a 16x16 window shifted "
    "by 6 pixels along one axis already scores 160/352 ≈ 0.45.",
    common_mistakes={
        1: "only the window exactly on the box has IoU 1, but shifted windows may still reach "
        "0.5: a shift of 2 pixels keeps 14 * 16 = 224 of the 256 pixels.",
        25: "that counts every shift up to 4 pixels along both axes; shifted along both, the "
        "overlap shrinks twice: (16 - 4) * (16 - 4) = 144 < 171.",
        9: "check the shifts along one axis only: dx = 0 with |dy| = 4 keeps 16 * 12 = 192 "
        "pixels, IoU 192/320 = 0.6.",
        49: "that is the count at threshold 0.3; at 0.5 the overlap must be at least 512/3.",
    },
    integer=True,
    level="harder",
    placeholder="your prediction here (an integer)",
    experiment="""
    from cnn_lib import detection

    windows = detection.sliding_windows((48, 48), 16, stride=2)    # (289, 4), xyxy
    iou = detection.box_iou(windows, [[10, 10, 26, 26]])[:, 0]
    for threshold in (0.3, 0.5, 0.7):                               # add your own
        positive = int((iou >= threshold).sum())
        print(f"IoU >= {threshold}: {positive} of {len(windows)} windows")
    """,
)

q17 = FunctionExercise(
    "q17",
    "Nearest-neighbour upsampling in code",
    """
    Write `upsample_nearest(X, scale)`: nearest-neighbour upsampling of a 2-D NumPy array
    `X` (H, W) by an integer factor `scale`, as `F.interpolate(..., scale_factor=scale,
    mode="nearest")` does: every pixel becomes a `scale` x `scale` block of copies of itself.
    Return a float array of shape (H * scale, W * scale). Check it with
    `ex.q17.check(upsample_nearest)`.
    """,
    reference=upsample_nearest,
    cases=[
        ("a 2x2 map, scale 2", (np.array([[1.0, 2.0], [3.0, 4.0]]), 2)),
        ("a non-square 2x3 map, scale 2", (np.arange(1.0, 7.0).reshape(2, 3), 2)),
        ("scale 3", (np.array([[1.0, -1.0], [0.5, 2.0]]), 3)),
        ("scale 1 leaves the map as it is", (np.array([[1.0, 2.0, 3.0]]), 1)),
        ("a 3x1 column, scale 2", (np.array([[4.0], [5.0], [6.0]]), 2)),
        ("a random 3x4 map, scale 2", (np.round(_rng.normal(size=(3, 4)), 2), 2)),
    ],
    common_mistakes=[
        (_upsample_tiled, "`np.tile` puts copies of the WHOLE map side by side; nearest "
         "upsampling repeats each pixel: `np.repeat`, along axis 0 and then axis 1."),
        (_upsample_zeros_between, "That puts each value in the top-left corner of its block "
         "and zeros elsewhere (bed of nails); nearest upsampling fills the whole block with "
         "copies."),
        (_upsample_rows_twice, "Repeat the rows (axis 0) and then the columns (axis 1), not "
         "the rows twice."),
        (_upsample_interleaved, "`np.repeat` without `axis` flattens the map first, so the "
         "copies land in the wrong rows; repeat along axis 0, then along axis 1."),
        (_upsample_transposed, "Rows and columns are swapped: output pixel (i, j), row i, "
         "copies input pixel (i // scale, j // scale)."),
    ],
    hint_text=[
        "Output pixel (i, j) copies input pixel (i // scale, j // scale).",
        "`np.repeat(X, scale, axis=0)` repeats every row `scale` times; do the same for the "
        "columns.",
    ],
    solution_text="Repeat every row, then every column:",
)



def average_precision(matched, num_targets):
    """All-point average precision (PASCAL VOC since 2010) of detections ranked by decreasing
    score: ``matched[k]`` is True when the k-th best detection is a true positive, and
    ``num_targets`` is the number of true boxes. AP = sum over the ranks k of
    (r_k - r_(k-1)) * max_(j >= k) p_j, with r_k - r_(k-1) = matched[k] / num_targets."""
    matched = np.asarray(matched, dtype=bool)
    tp = np.cumsum(matched)
    precision = tp / np.arange(1, len(matched) + 1)               # p_k = TP_k / k
    envelope = np.maximum.accumulate(precision[::-1])[::-1]       # max of p_j for j >= k
    return float(np.sum(matched * envelope) / num_targets)


def _ap_without_envelope(matched, num_targets):
    matched = np.asarray(matched, dtype=bool)
    precision = np.cumsum(matched) / np.arange(1, len(matched) + 1)
    return float(np.sum(matched * precision) / num_targets)


def _ap_over_found(matched, num_targets):
    matched = np.asarray(matched, dtype=bool)
    precision = np.cumsum(matched) / np.arange(1, len(matched) + 1)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(matched * envelope) / max(matched.sum(), 1))


def _ap_envelope_from_the_left(matched, num_targets):
    matched = np.asarray(matched, dtype=bool)
    precision = np.cumsum(matched) / np.arange(1, len(matched) + 1)
    return float(np.sum(matched * np.maximum.accumulate(precision)) / num_targets)


def _ap_mean_precision(matched, num_targets):
    matched = np.asarray(matched, dtype=bool)
    precision = np.cumsum(matched) / np.arange(1, len(matched) + 1)
    return float(precision.mean()) if len(matched) else 0.0


q18 = NumberExercise(
    "q18",
    "Average precision by hand",
    """
    A detector's detections of one class, from all test images together, ranked by decreasing
    score, are: wrong, right, right, wrong, right ("right": it matched a true box at IoU 0.5).
    The test images hold 4 objects of the class. What is the all-point average precision, the
    sum over the ranks k of (r_k - r_(k-1)) times the best precision at rank k or below,
    max over j >= k of p_j? Give a number: a fraction such as `1 / 3`, or a decimal with at
    least three digits after the point.
    """,
    answer=29 / 60,
    atol=1e-3,
    rtol=0,
    hint_text=[
        "After the k best detections, precision p_k = (right so far) / k and recall r_k = "
        "(right so far) / 4. Write both down for k = 1..5.",
        "Only the ranks of right detections add area, 1/4 of recall each. At each of them take "
        "the best precision from that rank on, not the precision at the rank itself.",
    ],
    solution_text="**29/60 ≈ 0.483**: the precisions are 0, 1/2, 2/3, 2/4, 3/5 and the "
    "recalls 0, 1/4, 2/4, 2/4, 3/4. Recall grows at ranks 2, 3 and 5, where the best precision "
    "from there on is 2/3, 2/3 and 3/5: AP = (2/3 + 2/3 + 3/5) / 4 = 29/60. The fourth object, "
    "never found, adds nothing.",
    common_mistakes={
        53 / 120: "that uses the precision at each right detection (1/2, 2/3, 3/5); AP uses "
        "the best precision at that rank or below: 2/3 at rank 2, since rank 3 has 2/3.",
        29 / 45: "that divides by the 3 objects found; AP divides the recall by all 4 objects, "
        "so the one never found costs its quarter.",
        53 / 90: "that averages the precisions at the 3 right detections; AP weighs each by its "
        "recall step, 1/4, uses the best precision from that rank on, and counts all 4 objects.",
        (0 + 1 / 2 + 2 / 3 + 2 / 4 + 3 / 5) / 5: "that averages the precision over all five "
        "ranks; AP adds area only where the recall grows.",
        3 / 4: "that is the final recall, 3 of 4 objects; AP is an area under the "
        "precision-recall curve.",
    },
    placeholder="your answer here (a number, e.g. 1 / 3)",
)

q19 = FunctionExercise(
    "q19",
    "Average precision in code",
    """
    Write `average_precision(matched, num_targets)`: `matched` is a bool NumPy array (D,),
    True where the k-th best detection (ranked by decreasing score) matched a true box, and
    `num_targets` the number of true boxes (an int >= 1). Return the all-point average
    precision as a float: the sum over k of (r_k - r_(k-1)) times max over j >= k of p_j,
    with p_k = TP_k / k and r_k = TP_k / num_targets (0 when there are no detections). Check
    it with `ex.q19.check(average_precision)`.
    """,
    reference=average_precision,
    cases=[
        ("Exercise 6.18's ranking", (np.array([False, True, True, False, True]), 4)),
        ("the chapter's example", (np.array([True, False, True, False, True]), 4)),
        ("all right, all found", (np.array([True, True, True]), 3)),
        ("all right, half found", (np.array([True, True]), 4)),
        ("all wrong", (np.array([False, False, False]), 2)),
        ("no detections", (np.zeros(0, dtype=bool), 3)),
        ("right detections late", (np.array([False, False, True, True, False, True]), 3)),
        ("12 detections, 8 objects", (np.array([True, False, True, True, False, False, True,
                                                 False, True, True, False, True]), 8)),
    ],
    common_mistakes=[
        (_ap_without_envelope, "That uses the precision at each right detection; AP uses "
         "the best precision at that rank or any later one (`np.maximum.accumulate` on the "
         "reversed precisions, reversed back)."),
        (_ap_over_found, "That divides by the number of right detections; divide by "
         "`num_targets`, all the true boxes, so that objects never found lower the AP."),
        (_ap_envelope_from_the_left, "The envelope runs from the right: the best precision "
         "at rank k or LATER (higher recall), not at rank k or earlier."),
        (_ap_mean_precision, "That averages the precision over all ranks; AP adds "
         "(r_k - r_(k-1)) * precision, so only the ranks where the recall grows count."),
    ],
    hint_text=[
        "`np.cumsum(matched)` gives TP_k; divide by `np.arange(1, D + 1)` for p_k. The recall "
        "grows by 1 / num_targets at each right detection and not at all elsewhere.",
        "The best precision at rank k or later: `np.maximum.accumulate(p[::-1])[::-1]`.",
    ],
    solution_text="Precisions, their envelope from the right, summed where the recall grows:",
)


EXERCISES = number_exercises(6, [q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14,
                                 q15, q16, q17, q18, q19])


def progress():
    """Show which of this chapter's exercises this kernel has seen answered right, attempted,
    or not yet."""
    return _progress(6, EXERCISES)
