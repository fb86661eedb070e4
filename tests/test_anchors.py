"""Anchor boxes (cnn_lib.anchors) and the anchor detector (cnn_lib.anchor_detector): anchors
against plain loops, labels against a brute-force reference that follows Faster R-CNN's rules,
encode/decode round trips, shapes and bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib import anchor_detector, anchors, detection

SETTINGS = settings(max_examples=100, deadline=None)


def test_anchor_shapes_keep_the_area_and_set_the_ratio():
    wh = anchors.anchor_shapes([8, 16, 32], [0.5, 1, 2])
    np.testing.assert_allclose(wh[:, 0] * wh[:, 1], np.repeat([64, 256, 1024], 3))
    np.testing.assert_allclose(wh[:, 1] / wh[:, 0], np.tile([0.5, 1, 2], 3))
    np.testing.assert_allclose(anchors.anchor_shapes(12), [[12, 12]])


def test_generate_anchors_against_loops():
    sizes, ratios, (h, w), stride = [8, 16], [0.5, 2], (3, 5), 4
    expected = []
    for i in range(h):
        for j in range(w):
            cx, cy = (j + 0.5) * stride, (i + 0.5) * stride
            for s in sizes:
                for r in ratios:
                    aw, ah = s / r ** 0.5, s * r ** 0.5
                    expected.append([cx - aw / 2, cy - ah / 2, cx + aw / 2, cy + ah / 2])
    got = anchors.generate_anchors((h, w), stride, sizes, ratios)
    np.testing.assert_allclose(got, expected)
    assert got.shape == (h * w * 4, 4)


def test_the_chapters_two_levels():
    level4, level8 = anchor_detector.level_anchors((48, 48))
    assert level4.shape == (144, 4) and level8.shape == (36, 4)
    np.testing.assert_array_equal(level4[0], [-4, -4, 8, 8])    # cell (0, 0): centre (2, 2)
    np.testing.assert_array_equal(level8[7], [2, 2, 22, 22])    # cell (1, 1): centre (12, 12)


def label_ref(anchor_list, boxes, labels, positive, negative, best_anchor=True):
    """Faster R-CNN's rules with loops: best IoU >= positive -> that box's class; < negative
    -> 0; else -1; then each box's best anchor(s) (IoU > 0) take that box."""
    classes, matched = [], []
    iou = [[detection.box_iou([a], [g])[0, 0] for g in boxes] for a in anchor_list]
    for row in iou:
        best = max(row) if row else 0.0
        j = row.index(best) if row else -1
        if row and best >= positive:
            classes.append(int(labels[j]))
            matched.append(j)
        else:
            classes.append(0 if best < negative else -1)
            matched.append(-1)
    if best_anchor:
        for n, row in enumerate(iou):
            if matched[n] >= 0:
                continue
            for j in range(len(boxes)):
                top = max(r[j] for r in iou)
                if top > 0 and row[j] == top:
                    classes[n], matched[n] = int(labels[j]), j
                    break
    return classes, matched


def test_label_anchors_by_hand():
    a = [[0, 0, 4, 4], [2, 0, 6, 4], [8, 8, 12, 12], [0, 0, 2, 4]]
    # IoUs with the box (1, 0, 5, 4): 0.6, 0.6, 0, 4/16 = 0.25
    classes, matched = anchors.label_anchors(a, [[1, 0, 5, 4]], [3])
    assert classes.tolist() == [3, 3, 0, 0] and matched.tolist() == [0, 0, -1, -1]
    classes, _ = anchors.label_anchors(a, [[1, 0, 5, 4]], [3], positive=0.7, negative=0.2)
    # nothing reaches 0.7: the two best anchors (a tie) still take the box; 0.25 is ignored
    assert classes.tolist() == [3, 3, 0, -1]
    classes, _ = anchors.label_anchors(a, [[1, 0, 5, 4]], [3], 0.7, 0.2, best_anchor=False)
    assert classes.tolist() == [-1, -1, 0, -1]
    classes, matched = anchors.label_anchors(a, np.zeros((0, 4)), [])
    assert classes.tolist() == [0] * 4 and matched.tolist() == [-1] * 4


@st.composite
def scenes(draw):
    def box():
        x, y = draw(st.integers(0, 12)), draw(st.integers(0, 12))
        return [x, y, x + draw(st.integers(1, 8)), y + draw(st.integers(1, 8))]

    anchor_list = [box() for _ in range(draw(st.integers(1, 10)))]
    boxes = [box() for _ in range(draw(st.integers(0, 3)))]
    labels = [draw(st.integers(1, 3)) for _ in boxes]
    negative = draw(st.sampled_from([0.1, 0.3, 0.4]))
    positive = draw(st.sampled_from([0.4, 0.5, 0.7]))
    return anchor_list, boxes, labels, min(negative, positive), positive


@SETTINGS
@given(scenes(), st.booleans())
def test_label_anchors_against_reference(case, best_anchor):
    anchor_list, boxes, labels, negative, positive = case
    classes, matched = anchors.label_anchors(anchor_list, np.array(boxes).reshape(-1, 4),
                                             labels, positive, negative, best_anchor)
    ref_classes, ref_matched = label_ref(anchor_list, boxes, labels, positive, negative,
                                         best_anchor)
    assert classes.tolist() == ref_classes
    assert matched.tolist() == ref_matched


@SETTINGS
@given(st.lists(st.tuples(st.floats(-20, 20), st.floats(-20, 20), st.floats(0.5, 30),
                          st.floats(0.5, 30)), min_size=1, max_size=8),
       st.sampled_from([(4, 12.0), (8, 20.0)]))
def test_decode_of_encode_is_the_box_for_anchors(cxcywh, level):
    boxes = detection.box_convert(np.array(cxcywh), "cxcywh", "xyxy")
    stride, size = level
    a = anchors.generate_anchors((3, 3), stride, size)[:len(boxes)]
    a = np.resize(a, (len(boxes), 4))
    deltas = detection.encode_boxes(a, boxes)
    np.testing.assert_allclose(detection.decode_boxes(a, deltas), boxes, atol=1e-9)


def test_anchor_targets_encode_the_matched_box():
    a = anchors.generate_anchors((2, 2), 8, 12)   # centres (4, 4), (12, 4), (4, 12), (12, 12)
    boxes, labels = np.array([[6.0, 6, 18, 18]]), np.array([2])
    classes, deltas, hard = anchors.anchor_targets(a, boxes, labels)
    # anchor 3 = (6, 6, 18, 18) is the box itself: class 2, offsets 0
    assert classes[3] == 2 and np.allclose(deltas[3], 0)
    iou = detection.box_iou(a, boxes)[:, 0]
    assert (classes[iou < 0.4] <= 0).all()
    np.testing.assert_array_equal(hard, (classes == 0) & (iou > 0))
    assert deltas.dtype == np.float32 and (deltas[classes <= 0] == 0).all()


def test_anchor_detector_shapes_and_detect():
    torch.manual_seed(0)
    model = anchor_detector.AnchorDetector().eval()
    out4, out8 = model(torch.zeros(2, 1, 48, 48))
    assert out4.shape == (2, 8, 12, 12) and out8.shape == (2, 8, 6, 6)
    found = anchor_detector.detect_anchors(model, np.zeros((48, 48)), threshold=0.0)
    assert found.boxes.shape[1] == 4 and len(found.scores) == len(found.labels) > 0
    assert np.all(np.diff(found.scores) <= 0)


BAD_CALLS = [
    (lambda: anchors.anchor_shapes([8, -1]), ValueError,
     r"anchor_shapes: sizes must be one or more positive numbers"),
    (lambda: anchors.anchor_shapes(8, "wide"), TypeError,
     r"anchor_shapes: aspect_ratios must be a number or a sequence"),
    (lambda: anchors.generate_anchors((2, 0), 4, 8), ValueError,
     r"generate_anchors: feature_size\[1\] must be an int >= 1"),
    (lambda: anchors.generate_anchors(2, [4, 8], 8), ValueError,
     r"generate_anchors: stride must be one positive number"),
    (lambda: anchors.label_anchors([[0, 0, 1, 1]], [[0, 0, 1, 1]], [0]), ValueError,
     r"label_anchors: labels must be \(G,\) = \(1,\) ints >= 1"),
    (lambda: anchors.label_anchors([[0, 0, 1, 1]], [[0, 0, 1, 1]], [1], 0.3, 0.5), ValueError,
     r"label_anchors: the thresholds must satisfy 0 < negative <= positive <= 1"),
    (lambda: anchors.label_anchors([[0, 0, 1]], [[0, 0, 1, 1]], [1]), ValueError,
     r"label_anchors: anchors must have shape \(N, 4\)"),
    (lambda: anchor_detector.AnchorDetector()(torch.zeros(1, 1, 44, 44)), ValueError,
     r"AnchorDetector: the input's height and width must be divisible by 8, got \(44, 44\)"),
    (lambda: anchor_detector.detect_anchors(torch.nn.Linear(1, 1), np.zeros((8, 8))),
     TypeError, r"model must be an AnchorDetector"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
