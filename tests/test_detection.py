"""Tests of cnn_lib.detection: boxes, IoU, NMS, sliding windows, pyramids, precision / recall.

torchvision is not installable on the CI machine (no CPU build of it loads next to our PyTorch),
so nothing here calls ``torchvision.ops``. Instead each test pins one documented torchvision
behaviour with a hand-worked example whose answer is known, or compares with a brute-force
plain-Python reference written below that follows torchvision's code line by line
(``torchvision/ops/boxes.py``, ``_box_convert.py`` and the CPU kernel
``torchvision/csrc/ops/cpu/nms_kernel.cpp``):

- box_iou: area (x2 - x1) * (y2 - y1) with no "+ 1", overlap clipped at 0 (touching = 0),
  union = area1 + area2 - inter, and 0 / 0 = NaN for two zero-area boxes.
- nms: a stable sort by decreasing score (equal scores in index order), a box suppressed when
  its IoU with a kept box is strictly greater than the threshold (``ovr > iou_threshold``,
  so IoU == threshold is kept, and a NaN IoU suppresses nothing), int64 indices by decreasing
  score, and an empty int64 result for no boxes.
- batched_nms: the same as nms run class by class; on boxes with non-negative integer
  coordinates it equals torchvision's "coordinate trick" (nms of boxes shifted by
  class * (max coordinate + 1)), which torchvision uses for small inputs on the CPU.
- box_convert: torchvision's formulas (conversions go through 'xyxy').
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from cnn_lib.arithmetic import conv_output_size
from cnn_lib.detection import (
    BOX_FORMATS,
    PrecisionRecall,
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    image_pyramid,
    match_detections,
    nms,
    precision_recall,
    precision_recall_over_images,
    score_map_to_boxes,
    sliding_windows,
)

SETTINGS = settings(max_examples=150, deadline=None)


# --------------------------------------------------------------------------------------------
# Brute-force references (plain Python floats, torchvision's formulas in torchvision's order)
# --------------------------------------------------------------------------------------------
def iou_ref(a, b):
    """IoU of two xyxy boxes, as the nms kernel computes it: inter / (area_a + area_b - inter)."""
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = area_a + area_b - inter
    return inter / union if union != 0 else math.nan


def nms_ref(boxes, scores, threshold):
    """O(N^2) greedy NMS, the loop of torchvision's CPU kernel: Python's sort is stable."""
    boxes = [[float(v) for v in box] for box in boxes]
    order = sorted(range(len(boxes)), key=lambda i: -float(scores[i]))
    suppressed = [False] * len(boxes)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[pos + 1:]:
            if not suppressed[j] and iou_ref(boxes[i], boxes[j]) > threshold:  # NaN > t: False
                suppressed[j] = True
    return keep


def batched_nms_ref(boxes, scores, idxs, threshold):
    """NMS class by class, then all kept boxes by decreasing score (ties in index order)."""
    keep = []
    for c in set(idxs):
        members = [i for i in range(len(boxes)) if idxs[i] == c]
        kept = nms_ref([boxes[i] for i in members], [scores[i] for i in members], threshold)
        keep += [members[k] for k in kept]
    return sorted(keep, key=lambda i: (-scores[i], i))


@st.composite
def box_sets(draw, max_boxes=12, grid=False):
    """(boxes (N, 4) xyxy, scores (N,)): on a small integer grid when ``grid`` (many exact ties,
    equal boxes, touching edges and IoUs exactly at simple thresholds), else continuous."""
    n = draw(st.integers(0, max_boxes))
    if grid:
        coord = st.integers(0, 6)
        score = st.sampled_from([0.1, 0.5, 0.5, 0.9])  # repeated scores: ties
    else:
        coord = st.floats(0, 20, allow_nan=False, width=64)
        score = st.floats(0, 1, allow_nan=False)
    boxes = []
    for _ in range(n):
        x = sorted([draw(coord), draw(coord)])
        y = sorted([draw(coord), draw(coord)])
        boxes.append([x[0], y[0], x[1], y[1]])
    scores = [draw(score) for _ in range(n)]
    return np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(scores, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# box_convert and box_area
# --------------------------------------------------------------------------------------------
def test_box_convert_known_values():
    xyxy = np.array([[10.0, 20.0, 14.0, 26.0], [0.0, 0.0, 1.0, 3.0]])
    xywh = np.array([[10.0, 20.0, 4.0, 6.0], [0.0, 0.0, 1.0, 3.0]])
    cxcywh = np.array([[12.0, 23.0, 4.0, 6.0], [0.5, 1.5, 1.0, 3.0]])
    table = {"xyxy": xyxy, "xywh": xywh, "cxcywh": cxcywh}
    for a in BOX_FORMATS:
        for b in BOX_FORMATS:
            np.testing.assert_array_equal(box_convert(table[a], a, b), table[b])


@SETTINGS
@given(box_sets(), st.sampled_from(BOX_FORMATS), st.sampled_from(BOX_FORMATS))
def test_box_convert_round_trip(boxes_scores, fmt1, fmt2):
    boxes = boxes_scores[0]
    there = box_convert(boxes, "xyxy", fmt1)
    back = box_convert(box_convert(there, fmt1, fmt2), fmt2, "xyxy")
    np.testing.assert_allclose(back, boxes, rtol=0, atol=1e-12)


def test_box_convert_shapes_and_dtypes():
    single = box_convert([0, 0, 2, 4], "xyxy", "cxcywh")
    assert single.shape == (4,) and single.tolist() == [1.0, 2.0, 2.0, 4.0]
    assert box_convert(np.ones((3, 4), np.float32), "xywh", "xyxy").dtype == np.float32
    assert box_convert([[1, 2, 3, 4]], "xywh", "xyxy").dtype == np.float64  # ints -> float64
    assert box_convert([], "xyxy", "xywh").shape == (0, 4)
    boxes = np.array([[0.0, 0.0, 1.0, 1.0]])
    same = box_convert(boxes, "xyxy", "xyxy")
    same[0, 0] = 5.0
    assert boxes[0, 0] == 0.0  # a copy, as torchvision's clone()


def test_box_area():
    np.testing.assert_array_equal(box_area([[0, 0, 2, 3], [1, 1, 1, 5], [0.5, 0, 1, 0.5]]),
                                  [6.0, 0.0, 0.25])
    assert box_area([5, 2, 7, 5]) == 6.0  # rows 2..4, columns 5..6 of an image: 6 pixels
    assert box_area(np.zeros((0, 4))).shape == (0,)


# --------------------------------------------------------------------------------------------
# box_iou
# --------------------------------------------------------------------------------------------
def test_box_iou_hand_worked():
    a = [0, 0, 2, 2]
    others = [[1, 1, 3, 3],    # two 2x2 boxes overlapping in a 1x1 square: 1 / (4 + 4 - 1)
              [0, 0, 2, 2],    # identical: 1
              [5, 5, 6, 6],    # disjoint: 0
              [2, 0, 4, 2],    # touching along an edge: the overlap has zero area
              [2, 2, 3, 3],    # touching at a corner: 0
              [0, 0, 1, 1],    # inside: 1 / 4
              [1, 0, 3, 2]]    # half-overlap: 2 / (4 + 4 - 2) = 1/3
    expected = [1 / 7, 1.0, 0.0, 0.0, 0.0, 0.25, 1 / 3]
    np.testing.assert_allclose(box_iou([a], others)[0], expected, rtol=1e-15)


def test_box_iou_zero_area_boxes_give_nan_like_torchvision():
    iou = box_iou([[1, 1, 1, 1], [0, 0, 0, 3]], [[1, 1, 1, 1], [0, 0, 2, 2], [5, 5, 5, 5]])
    assert np.isnan(iou[0, 0]) and np.isnan(iou[0, 2]) and np.isnan(iou[1, 2])  # 0 / 0
    assert iou[0, 1] == 0.0 and iou[1, 1] == 0.0  # a point or a line against an area: 0


@SETTINGS
@given(box_sets(grid=True), box_sets())
def test_box_iou_against_reference(set1, set2):
    for a in (set1[0], set2[0]):
        for b in (set1[0], set2[0]):
            iou = box_iou(a, b)
            assert iou.shape == (len(a), len(b))
            ref = np.array([[iou_ref(p, q) for q in b] for p in a]).reshape(len(a), len(b))
            np.testing.assert_array_equal(iou, ref)  # same formula, same order: bit for bit
            finite = iou[np.isfinite(iou)]
            assert np.all((finite >= 0) & (finite <= 1))
            np.testing.assert_array_equal(box_iou(b, a), iou.T)  # symmetric


def test_box_iou_shapes_and_dtypes():
    assert box_iou([0, 0, 1, 1], [[0, 0, 1, 1], [0, 0, 2, 1]]).shape == (1, 2)  # (4,) = 1 box
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert box_iou([], []).shape == (0, 0)
    f32 = np.array([[0, 0, 2, 2]], np.float32)
    assert box_iou(f32, f32).dtype == np.float32
    assert box_iou(f32, [[0, 0, 1, 1]]).dtype == np.float64


# --------------------------------------------------------------------------------------------
# nms and batched_nms
# --------------------------------------------------------------------------------------------
def test_nms_hand_examples():
    a, b, far = [0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]  # IoU(a, b) = 90 / 110
    assert nms([a, b, far], [0.9, 0.8, 0.7], 0.5).tolist() == [0, 2]
    assert nms([a, b, far], [0.9, 0.8, 0.7], 0.85).tolist() == [0, 1, 2]  # 0.818 <= 0.85
    assert nms([b, a, far], [0.8, 0.9, 0.7], 0.5).tolist() == [1, 2]  # the higher score wins
    # disjoint boxes are all kept, by decreasing score
    assert nms([[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]], [0.1, 0.9, 0.5], 0.3).tolist() == \
        [1, 2, 0]


def test_nms_threshold_is_strict():
    # IoU([0,0,3,1], [1,0,4,1]) = 2 / (3 + 3 - 2) = 0.5 exactly
    boxes, scores = [[0, 0, 3, 1], [1, 0, 4, 1]], [0.9, 0.8]
    assert box_iou(boxes[:1], boxes[1:])[0, 0] == 0.5
    assert nms(boxes, scores, 0.5).tolist() == [0, 1]  # IoU == threshold: kept (ovr > t)
    assert nms(boxes, scores, 0.4999).tolist() == [0]


def test_nms_threshold_ends():
    boxes = [[0, 0, 2, 2], [0, 0, 2, 2], [2, 0, 4, 2], [1, 0, 3, 2]]
    scores = [0.9, 0.8, 0.7, 0.6]
    assert nms(boxes, scores, 1.0).tolist() == [0, 1, 2, 3]  # identical boxes: 1 > 1 is False
    # threshold 0: any real overlap suppresses; the touching box (IoU 0) survives
    assert nms(boxes, scores, 0.0).tolist() == [0, 2]


def test_nms_ties_keep_the_lowest_index():
    same = [[0, 0, 2, 2]] * 3
    assert nms(same, [0.5, 0.5, 0.5], 0.5).tolist() == [0]  # stable sort: index order
    assert nms(same, [0.5, 0.7, 0.7], 0.5).tolist() == [1]
    disjoint = [[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]]
    assert nms(disjoint, [0.5, 0.9, 0.5], 0.5).tolist() == [1, 0, 2]


def test_nms_is_greedy_not_transitive():
    # a suppresses b, b would suppress c, but b is gone, so c (not touching a) stays
    boxes = [[0, 0, 4, 4], [2, 0, 6, 4], [4, 0, 8, 4]]
    assert nms(boxes, [0.9, 0.8, 0.7], 0.3).tolist() == [0, 2]


def test_nms_zero_area_boxes_are_never_suppressed():
    # two identical points: IoU 0 / 0 = NaN, and NaN > t is False in torchvision's kernel
    assert nms([[1, 1, 1, 1], [1, 1, 1, 1]], [0.9, 0.8], 0.5).tolist() == [0, 1]


def test_nms_empty_and_dtypes():
    for empty in ([], np.zeros((0, 4)), np.zeros((0, 4), np.float32)):
        keep = nms(empty, [], 0.5)
        assert keep.shape == (0,) and keep.dtype == np.int64
    keep = nms(np.array([[0, 0, 1, 1]], np.float32), np.array([1.0], np.float32), 0.5)
    assert keep.dtype == np.int64 and keep.tolist() == [0]
    assert nms([[0, 0, 1, 1], [0, 0, 1, 1]], [1, 2], 0.5).tolist() == [1]  # int scores


@SETTINGS
@given(box_sets(grid=True), st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.75, 1.0]))
def test_nms_against_reference_on_a_grid(boxes_scores, threshold):
    boxes, scores = boxes_scores
    assert nms(boxes, scores, threshold).tolist() == nms_ref(boxes, scores, threshold)


@SETTINGS
@given(box_sets(max_boxes=25), st.floats(0, 1))
def test_nms_against_reference_continuous(boxes_scores, threshold):
    boxes, scores = boxes_scores
    keep = nms(boxes, scores, threshold)
    assert keep.tolist() == nms_ref(boxes, scores, threshold)
    # what torchvision promises: decreasing scores, and no two kept boxes overlap too much
    assert np.all(np.diff(scores[keep]) <= 0)
    iou = box_iou(boxes[keep], boxes[keep])
    assert not np.any(np.triu(iou, k=1) > threshold)


def test_nms_many_random_boxes_seeded():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(1, 120))
        xy = rng.uniform(0, 50, size=(n, 2))
        boxes = np.hstack([xy, xy + rng.uniform(1, 15, size=(n, 2))])
        scores = rng.uniform(size=n).round(1)  # one decimal: many ties
        threshold = float(rng.uniform(0, 1))
        assert nms(boxes, scores, threshold).tolist() == nms_ref(boxes, scores, threshold)


def test_batched_nms_hand_example():
    boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [1, 0, 11, 10], [0, 0, 10, 10]]
    scores = [0.9, 0.8, 0.7, 0.95]
    # class 0: boxes 0 and 1 (0 suppresses 1); class 1: boxes 2 and 3 (3 suppresses 2)
    assert batched_nms(boxes, scores, [0, 0, 1, 1], 0.5).tolist() == [3, 0]
    assert batched_nms(boxes, scores, [0, 1, 2, 3], 0.5).tolist() == [3, 0, 1, 2]
    assert nms(boxes, scores, 0.5).tolist() == [3]  # one class: only the best survives
    keep = batched_nms([], [], [], 0.5)
    assert keep.dtype == np.int64 and keep.shape == (0,)


@SETTINGS
@given(box_sets(grid=True), st.data(), st.sampled_from([0.0, 0.25, 0.5, 1.0]))
def test_batched_nms_against_references(boxes_scores, data, threshold):
    boxes, scores = boxes_scores
    idxs = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(boxes),
                                       max_size=len(boxes))), dtype=np.int64)
    keep = batched_nms(boxes, scores, idxs, threshold).tolist()
    assert keep == batched_nms_ref(boxes.tolist(), scores.tolist(), idxs.tolist(), threshold)
    if len(boxes):  # torchvision's coordinate trick: shift each class far away, one nms
        shifted = boxes + (idxs * (boxes.max() + 1))[:, None]
        assert keep == nms_ref(shifted, scores, threshold)


# --------------------------------------------------------------------------------------------
# Sliding windows and score maps
# --------------------------------------------------------------------------------------------
def test_sliding_windows_known_values():
    np.testing.assert_array_equal(sliding_windows((4, 5), 3, stride=2),
                                  [[0, 0, 3, 3], [2, 0, 5, 3]])
    boxes = sliding_windows(3, 2)  # 2x2 windows of a 3x3 image, stride 1: row-major
    np.testing.assert_array_equal(boxes, [[0, 0, 2, 2], [1, 0, 3, 2],
                                          [0, 1, 2, 3], [1, 1, 3, 3]])
    tall = sliding_windows((5, 3), (3, 1), stride=(2, 1))  # window 3 tall, 1 wide
    np.testing.assert_array_equal(tall, [[0, 0, 1, 3], [1, 0, 2, 3], [2, 0, 3, 3],
                                         [0, 2, 1, 5], [1, 2, 2, 5], [2, 2, 3, 5]])
    assert sliding_windows(7, 7).tolist() == [[0, 0, 7, 7]]
    assert sliding_windows(8, 3).dtype == np.float64


@st.composite
def window_settings(draw):
    size = (draw(st.integers(1, 30)), draw(st.integers(1, 30)))
    window = (draw(st.integers(1, size[0])), draw(st.integers(1, size[1])))
    stride = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    return size, window, stride


@SETTINGS
@given(window_settings())
def test_sliding_windows_agree_with_conv_output_size_and_the_score_map(args):
    size, window, stride = args
    boxes = sliding_windows(size, window, stride)
    out_h, out_w = conv_output_size(size, window, stride)
    assert boxes.shape == (out_h * out_w, 4)
    # every window lies in the image and has the window's size
    assert boxes[:, :2].min() >= 0 and np.all(boxes[:, 2] <= size[1])
    assert np.all(boxes[:, 3] <= size[0])
    np.testing.assert_array_equal(boxes[:, 2] - boxes[:, 0], window[1])
    np.testing.assert_array_equal(boxes[:, 3] - boxes[:, 1], window[0])
    # cell (i, j) of a score map of size (out_h, out_w) is window i * out_w + j
    scores = np.arange(out_h * out_w, dtype=float).reshape(out_h, out_w)
    decoded, kept = score_map_to_boxes(scores, -np.inf, window, stride)
    np.testing.assert_array_equal(decoded, boxes)
    np.testing.assert_array_equal(kept, np.arange(out_h * out_w))


@SETTINGS
@given(window_settings(), st.integers(0, 10_000))
def test_windows_are_the_receptive_fields_of_a_convolution(args, seed):
    """A window-sum "detector" run as a convolution (all windows at once, strided) gives, in
    cell k, the sum of the pixels inside box k: the boxes cut out the right pixels."""
    size, window, stride = args
    image = np.random.default_rng(seed).integers(0, 10, size=size).astype(float)
    conv = sliding_window_view(image, window)[::stride[0], ::stride[1]].sum(axis=(-2, -1))
    boxes = sliding_windows(size, window, stride).astype(int)
    crops = [image[y1:y2, x1:x2].sum() for x1, y1, x2, y2 in boxes]
    np.testing.assert_array_equal(conv.ravel(), crops)


def test_windows_match_a_pytorch_convolution():
    torch = pytest.importorskip("torch")
    image = np.random.default_rng(1).standard_normal((13, 11))
    window, stride = (4, 3), (3, 2)
    out = torch.nn.functional.conv2d(torch.tensor(image)[None, None],
                                     torch.ones((1, 1) + window, dtype=torch.float64),
                                     stride=stride)[0, 0].numpy()
    boxes = sliding_windows(image.shape, window, stride).astype(int)
    assert out.size == len(boxes)
    crops = [image[y1:y2, x1:x2].sum() for x1, y1, x2, y2 in boxes]
    np.testing.assert_allclose(out.ravel(), crops, rtol=1e-12)


def test_score_map_to_boxes_hand_example():
    score_map = [[0.1, 0.9, 0.5],
                 [0.7, 0.2, np.nan]]
    boxes, scores = score_map_to_boxes(score_map, 0.5, window_size=4, stride=2)
    # cells (0, 1), (0, 2) and (1, 0), row-major; 0.5 >= 0.5 is kept, NaN never
    np.testing.assert_array_equal(boxes, [[2, 0, 6, 4], [4, 0, 8, 4], [0, 2, 4, 6]])
    np.testing.assert_array_equal(scores, [0.9, 0.5, 0.7])
    # found in a level downscaled by 0.5: back to the original image, twice as big
    boxes, _ = score_map_to_boxes(score_map, 0.8, window_size=4, stride=2, scale=0.5)
    np.testing.assert_array_equal(boxes, [[4, 0, 12, 8]])
    # a network padding by 1: window (0, 0) starts at -1; (y, x) offsets; (h, w) window
    boxes, _ = score_map_to_boxes(score_map, 0.8, window_size=4, stride=2, offset=-1)
    np.testing.assert_array_equal(boxes, [[1, -1, 5, 3]])
    boxes, _ = score_map_to_boxes(score_map, 0.8, (3, 5), stride=(1, 2), offset=(10, 20))
    np.testing.assert_array_equal(boxes, [[22, 10, 27, 13]])
    boxes, scores = score_map_to_boxes(score_map, 2.0, 4)
    assert boxes.shape == (0, 4) and scores.shape == (0,)


def test_a_tiny_detector_across_a_pyramid_finds_a_big_object():
    """An 8x8 window finds a 16x16 bright square in the level downscaled by 0.5; mapped back,
    the box is the square's own box, and NMS keeps that one box."""
    image = np.zeros((64, 64))
    image[16:32, 24:40] = 1.0  # the true box (x1, y1, x2, y2) = (24, 16, 40, 32)
    window = 8
    found, found_scores = [], []
    for level, f in image_pyramid(image, scale=0.5, min_size=window):
        score_map = sliding_window_view(level, (window, window)).mean(axis=(-2, -1))
        boxes, scores = score_map_to_boxes(score_map, 0.999, window, stride=1, scale=f)
        found.append(boxes)
        found_scores.append(scores)
    boxes, scores = np.concatenate(found), np.concatenate(found_scores)
    keep = nms(boxes, scores, 0.3)
    assert (boxes[keep] == [24, 16, 40, 32]).all(axis=1).any()
    assert precision_recall(boxes[keep], scores[keep], [[24, 16, 40, 32]]).recall == 1.0


# --------------------------------------------------------------------------------------------
# image_pyramid
# --------------------------------------------------------------------------------------------
def test_image_pyramid_sizes_and_factors():
    levels = image_pyramid(np.ones((40, 30)), scale=0.5, min_size=8)
    assert [(level.shape, f) for level, f in levels] == [
        ((40, 30), 1.0), ((20, 15), 0.5), ((10, 8), 0.25)]  # 7.5 rounds up to 8; next: 5x4
    levels = image_pyramid(np.zeros((3, 100, 60)), scale=0.75, min_size=(20, 10))
    shapes = [level.shape for level, _ in levels]
    assert shapes == [(3, 100, 60), (3, 75, 45), (3, 56, 34), (3, 42, 25), (3, 32, 19),
                      (3, 24, 14)]  # 100 * 0.75**6 = 17.8 < 20 stops it
    assert [f for _, f in levels] == [0.75 ** k for k in range(6)]


def test_image_pyramid_resampling():
    image = np.arange(16.0).reshape(4, 4)
    (first, _), (half, _), (quarter, _) = image_pyramid(image, scale=0.5, min_size=1)
    np.testing.assert_array_equal(first, image)
    assert first is not image
    # halving averages 2x2 blocks; the 1x1 level is the mean of the image
    np.testing.assert_allclose(half, [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_allclose(quarter, [[7.5]])
    # a constant image stays constant, every channel on its own
    rgb = np.stack([np.full((9, 7), c) for c in (0.0, 0.5, 1.0)])
    for level, _ in image_pyramid(rgb, scale=0.7, min_size=2):
        for c, value in enumerate((0.0, 0.5, 1.0)):
            np.testing.assert_allclose(level[c], value, atol=1e-12)
    assert image_pyramid(np.ones((8, 8), np.float32), 0.5, 2)[1][0].dtype == np.float32
    assert image_pyramid(np.ones((8, 8), np.uint8), 0.5, 2)[1][0].dtype == np.float64


def test_image_pyramid_skips_repeated_sizes():
    levels = image_pyramid(np.zeros((10, 10)), scale=0.97, min_size=8)
    shapes = [level.shape for level, _ in levels]
    assert shapes == [(10, 10), (9, 9), (8, 8)]  # 0.97 * 10 = 9.7 rounds back to 10: skipped


# --------------------------------------------------------------------------------------------
# match_detections and precision / recall
# --------------------------------------------------------------------------------------------
def test_match_detections_hand_examples():
    truth = [[0, 0, 2, 2]]
    # the highest score takes the object; a second detection of it is a false positive
    assert match_detections([[0, 0, 2, 2], [0, 0, 2, 3], [5, 5, 6, 6]], [0.6, 0.9, 0.8],
                            truth).tolist() == [-1, 0, -1]
    # IoU([0,0,3,1], [1,0,4,1]) = 0.5: a match at threshold 0.5 (>=), not above it
    assert match_detections([[0, 0, 3, 1]], [1.0], [[1, 0, 4, 1]], 0.5).tolist() == [0]
    assert match_detections([[0, 0, 3, 1]], [1.0], [[1, 0, 4, 1]], 0.51).tolist() == [-1]
    # each prediction takes the free true box it overlaps most; when that one is taken, the
    # next best that is good enough (COCO's rule)
    truth = [[0, 0, 4, 4], [1, 0, 5, 4]]  # IoU of the two true boxes: 12 / 20 = 0.6
    assert match_detections([[1, 0, 5, 4], [0, 0, 4, 4]], [0.9, 0.8], truth).tolist() == [1, 0]
    assert match_detections([[0, 0, 4, 4], [0, 0, 4, 4]], [0.9, 0.8], truth).tolist() == [0, 1]
    # equal scores: index order; equal IoUs: the lower true box index
    assert match_detections([[0, 0, 2, 2], [0, 0, 2, 2]], [0.5, 0.5],
                            [[0, 0, 2, 2]]).tolist() == [0, -1]
    assert match_detections([[1, 0, 3, 2]], [0.5], [[2, 0, 4, 2], [0, 0, 2, 2]],
                            0.3).tolist() == [0]
    # zero-area boxes never match, even identical ones (IoU 0 / 0)
    assert match_detections([[1, 1, 1, 1]], [0.5], [[1, 1, 1, 1]]).tolist() == [-1]


def test_precision_recall_hand_examples():
    preds = [[0, 0, 2, 2], [0, 0, 2, 3], [5, 5, 6, 6]]
    result = precision_recall(preds, [0.6, 0.9, 0.8], [[0, 0, 2, 2], [8, 8, 9, 9]])
    assert isinstance(result, PrecisionRecall)
    assert result == (1 / 3, 0.5, 1, 2, 1)
    precision, recall, tp, fp, fn = precision_recall(preds, [0.6, 0.9, 0.8], [[0, 0, 2, 2]],
                                                     iou_threshold=0.7)
    # the 0.9 box now misses (IoU 4/6 < 0.7), and the exact 0.6 box takes the object
    assert (tp, fp, fn) == (1, 2, 0) and precision == 1 / 3 and recall == 1.0
    assert match_detections(preds, [0.6, 0.9, 0.8], [[0, 0, 2, 2]], 0.7).tolist() == [0, -1, -1]


def test_precision_recall_empty_cases_are_nan_not_zero():
    nothing_found = precision_recall([], [], [[0, 0, 1, 1]])
    assert math.isnan(nothing_found.precision) and nothing_found.recall == 0.0
    assert nothing_found[2:] == (0, 0, 1)
    nothing_there = precision_recall([[0, 0, 1, 1]], [0.5], [])
    assert nothing_there.precision == 0.0 and math.isnan(nothing_there.recall)
    both_empty = precision_recall([], [], [])
    assert math.isnan(both_empty.precision) and math.isnan(both_empty.recall)


def test_precision_recall_over_images_sums_counts():
    # image 0: 1 TP; image 1: 3 FP; image 2: 1 FN. Summed: P = 1/4, R = 1/2 (the mean of the
    # per-image precisions would be (1 + 0) / 2 = 0.5: it is not what is computed)
    preds = [[[0, 0, 2, 2]], [[0, 0, 1, 1], [2, 2, 3, 3], [4, 4, 5, 5]], []]
    scores = [[0.9], [0.8, 0.7, 0.6], []]
    truth = [[[0, 0, 2, 2]], [], [[1, 1, 3, 3]]]
    assert precision_recall_over_images(preds, scores, truth) == (0.25, 0.5, 1, 3, 1)
    empty = precision_recall_over_images([], [], [])  # no images: both NaN
    assert math.isnan(empty.precision) and empty[2:] == (0, 0, 0)


@SETTINGS
@given(box_sets(grid=True), box_sets(grid=True), st.sampled_from([0.1, 0.5, 1.0]))
def test_matching_properties(pred, truth, threshold):
    (pred_boxes, scores), true_boxes = pred, truth[0]
    matched = match_detections(pred_boxes, scores, true_boxes, threshold)
    taken = matched[matched >= 0]
    assert len(set(taken.tolist())) == len(taken)  # each true box matched at most once
    iou = box_iou(pred_boxes, true_boxes)
    for p, g in enumerate(matched):
        if g >= 0:
            assert iou[p, g] >= threshold
    result = precision_recall(pred_boxes, scores, true_boxes, threshold)
    assert result.true_positives == len(taken)
    assert result.true_positives + result.false_positives == len(pred_boxes)
    assert result.true_positives + result.false_negatives == len(true_boxes)


# --------------------------------------------------------------------------------------------
# Bad input: a clear error naming the function and the argument
# --------------------------------------------------------------------------------------------
BOX = [[0, 0, 1, 1]]
BAD_CALLS = [
    (lambda: box_iou(np.zeros((3, 5)), BOX), ValueError,
     r"box_iou: boxes1 must have shape \(N, 4\) or \(4,\), got \(3, 5\)"),
    (lambda: box_iou(BOX, [[3, 0, 1, 2]]), ValueError, r"box_iou: boxes2\[0\] .* x2 < x1"),
    (lambda: box_iou(BOX, [[0, 3, 1, 2]]), ValueError, r"box_iou: boxes2\[0\] .* y2 < y1"),
    (lambda: box_iou([[0, 0, np.inf, 1]], BOX), ValueError, r"box_iou: boxes1 must hold finite"),
    (lambda: box_iou([["a", "b", "c", "d"]], BOX), TypeError, r"box_iou: boxes1 must hold real"),
    (lambda: box_iou([[True, True, True, True]], BOX), TypeError, r"boxes1 must hold real"),
    (lambda: box_area([[0, 0, 1]]), ValueError, r"box_area: boxes must have shape \(N, 4\)"),
    (lambda: box_convert(BOX, "xyhw", "xyxy"), ValueError,
     r"box_convert: in_fmt must be one of \('xyxy', 'xywh', 'cxcywh'\), got 'xyhw'"),
    (lambda: box_convert(BOX, "xyxy", "xywhr"), ValueError, r"box_convert: out_fmt must be"),
    (lambda: box_convert([[0, 0, -1, 1]], "xywh", "xyxy"), ValueError,
     r"box_convert: boxes\[0\] .* negative width"),
    (lambda: box_convert([[0, 0, 1, -1]], "cxcywh", "xyxy"), ValueError, r"negative height"),
    (lambda: nms(BOX, [0.5, 0.2], 0.5), ValueError,
     r"nms: scores must have shape \(N,\) = \(1,\), one per box, got \(2,\)"),
    (lambda: nms(BOX, [np.nan], 0.5), ValueError, r"nms: scores must not contain NaN"),
    (lambda: nms(BOX, [1.0], 1.5), ValueError, r"nms: iou_threshold must be in \[0, 1\], got 1.5"),
    (lambda: nms(BOX, [1.0], -0.1), ValueError, r"nms: iou_threshold must be in \[0, 1\]"),
    (lambda: nms(BOX, [1.0], np.nan), ValueError, r"nms: iou_threshold must be a number"),
    (lambda: nms(BOX, [1.0], "0.5"), TypeError, r"nms: iou_threshold must be a number"),
    (lambda: nms([[2, 0, 1, 1]], [1.0], 0.5), ValueError, r"nms: boxes\[0\] .* x2 < x1"),
    (lambda: batched_nms(BOX, [1.0], [0.5], 0.5), ValueError, r"batched_nms: idxs must be an int"),
    (lambda: batched_nms(BOX, [1.0], [0, 1], 0.5), ValueError, r"batched_nms: idxs .* \(1,\)"),
    (lambda: sliding_windows((3, 4), (2, 5)), ValueError,
     r"sliding_windows: the window \(height, width\) = \(2, 5\) does not fit"),
    (lambda: sliding_windows(5, 2.0), TypeError, r"sliding_windows: window_size must be an int"),
    (lambda: sliding_windows(5, 2, 0), ValueError, r"sliding_windows: stride must be an int >= 1"),
    (lambda: sliding_windows((5, 5, 5), 2), ValueError, r"sliding_windows: image_size must be"),
    (lambda: score_map_to_boxes(np.zeros((1, 1, 4, 4)), 0.5, 3), ValueError,
     r"score_map_to_boxes: score_map must have shape \(H', W'\).*got \(1, 1, 4, 4\)"),
    (lambda: score_map_to_boxes(np.zeros((4, 4)), np.nan, 3), ValueError,
     r"score_map_to_boxes: threshold must be a number"),
    (lambda: score_map_to_boxes(np.zeros((4, 4)), 0.5, 3, scale=0), ValueError,
     r"score_map_to_boxes: scale must be a positive number, got 0"),
    (lambda: score_map_to_boxes(np.zeros((4, 4)), 0.5, 3, offset="a"), TypeError,
     r"score_map_to_boxes: offset must be a number"),
    (lambda: image_pyramid(np.zeros((32, 32, 3))), ValueError,
     r"image_pyramid: the image .* \(32, 3\) is already smaller than min_size .*\(H, W, C\)"),
    (lambda: image_pyramid(np.zeros(5)), ValueError,
     r"image_pyramid: image must have shape \(H, W\) or \(C, H, W\), got \(5,\)"),
    (lambda: image_pyramid(np.zeros((9, 9)), scale=1.0), ValueError,
     r"image_pyramid: scale must be between 0 and 1"),
    (lambda: image_pyramid(np.zeros((9, 9)), min_size=0), ValueError,
     r"image_pyramid: min_size must be an int >= 1"),
    (lambda: match_detections(BOX, [1.0], BOX, 0), ValueError,
     r"match_detections: iou_threshold must be in \(0, 1\], got 0.0"),
    (lambda: precision_recall(BOX, [1.0], [[0, 0, 1]]), ValueError,
     r"precision_recall: true_boxes must have shape \(N, 4\)"),
    (lambda: precision_recall_over_images([BOX, BOX], [[1.0]], [BOX]), ValueError,
     r"precision_recall_over_images: pred_boxes, pred_scores and true_boxes must have one"),
    (lambda: precision_recall_over_images(BOX, [[1.0]], [BOX]), ValueError,  # not per image
     r"precision_recall_over_images \(image 0\): pred_boxes must have shape \(N, 4\)"),
    (lambda: precision_recall_over_images(np.zeros((1, 1, 4)), [[1.0]], [BOX]), TypeError,
     r"precision_recall_over_images: pred_boxes must be a list"),
    (lambda: precision_recall_over_images([BOX, BOX], [[1.0], [1.0, 2.0]], [BOX, BOX]),
     ValueError, r"precision_recall_over_images \(image 1\): pred_scores must have shape"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_module_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, cnn_lib.detection; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
