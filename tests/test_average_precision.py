"""Average precision and mAP (cnn_lib.detection), against plain-Python ports of the reference
code and against the definition, on hand-worked and random cases.

- ``voc_ap_ref``: the PASCAL VOC devkit's ``VOCap.m`` (2010 onwards) line by line: recall and
  precision with sentinels [0; rec; 1] and [0; prec; 0], precision made monotone from the right,
  sum of (recall step) * precision where the recall changes.
- ``coco_ap_ref``: the loop of pycocotools' ``COCOeval.accumulate``: precision made monotone,
  ``np.searchsorted(rc, recThrs, side='left')`` at recThrs = 0:0.01:1, 0 past the last recall.
- ``definition_ref``: AP = sum over ranks k of (r_k - r_{k-1}) * max_{j >= k} p_j, with loops.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib.detection import (
    COCO_IOU_THRESHOLDS,
    average_precision,
    box_iou,
    mean_average_precision,
    precision_recall_curve,
)

SETTINGS = settings(max_examples=200, deadline=None)


def ranked(scores, matched):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable, like the devkit
    return [bool(matched[i]) for i in order]


def voc_ap_ref(scores, matched, npos):
    tp = fp = 0
    rec, prec = [], []
    for m in ranked(scores, matched):
        tp, fp = tp + m, fp + (not m)
        rec.append(tp / npos)
        prec.append(tp / (tp + fp))
    mrec, mpre = [0.0] + rec + [1.0], [0.0] + prec + [0.0]
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    return sum((mrec[i] - mrec[i - 1]) * mpre[i] for i in range(1, len(mrec))
               if mrec[i] != mrec[i - 1])


def coco_ap_ref(scores, matched, npos, points=101):
    tp = fp = 0
    rc, pr = [], []
    for m in ranked(scores, matched):
        tp, fp = tp + m, fp + (not m)
        rc.append(tp / npos)
        pr.append(tp / (tp + fp))
    for i in range(len(pr) - 1, 0, -1):
        if pr[i] > pr[i - 1]:
            pr[i - 1] = pr[i]
    q = [0.0] * points
    for ri, t in enumerate(np.linspace(0, 1, points)):
        pi = int(np.searchsorted(rc, t, side="left"))
        if pi < len(pr):
            q[ri] = pr[pi]
    return sum(q) / points


def definition_ref(scores, matched, npos):
    m = ranked(scores, matched)
    p = [sum(m[:k + 1]) / (k + 1) for k in range(len(m))]
    r = [sum(m[:k + 1]) / npos for k in range(len(m))]
    return sum((r[k] - (r[k - 1] if k else 0.0)) * max(p[k:]) for k in range(len(m)))


@st.composite
def ranked_detections(draw):
    n = draw(st.integers(0, 25))
    scores = draw(st.lists(st.sampled_from([0.1, 0.3, 0.5, 0.5, 0.7, 0.9]), min_size=n,
                           max_size=n))  # repeated scores: ties
    matched = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    npos = sum(matched) + draw(st.integers(0 if sum(matched) else 1, 4))
    return scores, matched, npos


def test_hand_worked_example():
    # ranked: right, wrong, right, wrong, right; 4 true boxes (one never found)
    scores, matched = [0.9, 0.8, 0.7, 0.6, 0.5], [True, False, True, False, True]
    precision, recall = precision_recall_curve(scores, matched, 4)
    np.testing.assert_allclose(precision, [1, 1 / 2, 2 / 3, 2 / 4, 3 / 5])
    np.testing.assert_allclose(recall, [0.25, 0.25, 0.5, 0.5, 0.75])
    # monotone envelope at the recall steps: 1, 2/3, 3/5; recall 0.75 -> 1 adds nothing
    expected = 0.25 * 1 + 0.25 * 2 / 3 + 0.25 * 3 / 5
    assert average_precision(scores, matched, 4) == pytest.approx(expected)
    # COCO: recall levels 0..0.25 (26 of them) at 1, 0.26..0.5 (25) at 2/3, 0.51..0.75 (25)
    # at 3/5, 0.76..1 (25) at 0
    coco = (26 * 1 + 25 * 2 / 3 + 25 * 3 / 5) / 101
    assert average_precision(scores, matched, 4, recall_points=101) == pytest.approx(coco)
    # VOC 2007's 11 points: 0, 0.1, 0.2 at 1; 0.3..0.5 at 2/3; 0.6, 0.7 at 3/5; 0.8..1 at 0
    eleven = (3 * 1 + 3 * 2 / 3 + 2 * 3 / 5) / 11
    assert average_precision(scores, matched, 4, recall_points=11) == pytest.approx(eleven)


def test_the_envelope_matters():
    # precision 1/2 at recall 0.5 and 2/3 at recall 1: the envelope lifts the first to 2/3
    assert average_precision([3, 2, 1], [False, True, True], 2) == pytest.approx(2 / 3)
    # a perfect ranking gives 1; all detections wrong gives 0; no detections gives 0
    assert average_precision([3, 2], [True, True], 2) == 1.0
    assert average_precision([3, 2], [False, False], 2) == 0.0
    assert average_precision([], [], 3) == 0.0
    assert math.isnan(average_precision([1.0], [False], 0))  # no true boxes: undefined


def test_order_is_by_score_not_by_position():
    assert average_precision([0.1, 0.9], [True, False], 1) == pytest.approx(0.5)
    assert average_precision([0.9, 0.1], [True, False], 1) == 1.0


@SETTINGS
@given(ranked_detections())
def test_all_point_ap_equals_the_devkit_and_the_definition(case):
    scores, matched, npos = case
    ours = average_precision(scores, matched, npos)
    assert ours == pytest.approx(voc_ap_ref(scores, matched, npos), abs=1e-12)
    assert ours == pytest.approx(definition_ref(scores, matched, npos), abs=1e-12)


@SETTINGS
@given(ranked_detections(), st.sampled_from([11, 101]))
def test_interpolated_ap_equals_cocoeval(case, points):
    scores, matched, npos = case
    ours = average_precision(scores, matched, npos, recall_points=points)
    assert ours == pytest.approx(coco_ap_ref(scores, matched, npos, points), abs=1e-12)


# --------------------------------------------------------------------------------------------
# mAP: per class, over images, at one or several IoU thresholds
# --------------------------------------------------------------------------------------------
def match_ref(boxes, scores, truth, t):
    """COCO's greedy matching in plain Python: best score first, each detection takes the
    unmatched true box with the highest IoU >= t (the first on a tie)."""
    taken, out = [False] * len(truth), [False] * len(boxes)
    for i in sorted(range(len(boxes)), key=lambda i: -scores[i]):
        best, which = t, -1
        for j, g in enumerate(truth):
            iou = box_iou([boxes[i]], [g])[0, 0]
            if not taken[j] and iou >= best and (which < 0 or iou > best):
                best, which = iou, j
        if which >= 0:
            taken[which], out[i] = True, True
    return out


def map_ref(pred, truth, thresholds, points=None):
    classes = sorted({int(c) for p in pred for c in p[2]} | {int(c) for t in truth for c in t[1]})
    aps = []
    for c in classes:
        per_t = []
        for t in thresholds:
            scores, matched, npos = [], [], 0
            for (boxes, s, labels), (tboxes, tlabels) in zip(pred, truth):
                mine = [k for k in range(len(labels)) if labels[k] == c]
                theirs = [tboxes[k] for k in range(len(tlabels)) if tlabels[k] == c]
                scores += [s[k] for k in mine]
                matched += match_ref([boxes[k] for k in mine], [s[k] for k in mine], theirs, t)
                npos += len(theirs)
            if npos == 0:
                per_t.append(math.nan)
            elif points:
                per_t.append(coco_ap_ref(scores, matched, npos, points))
            else:
                per_t.append(voc_ap_ref(scores, matched, npos))
        aps.append(sum(per_t) / len(per_t))
    finite = [a for a in aps if not math.isnan(a)]
    return (sum(finite) / len(finite) if finite else math.nan), aps, classes


@st.composite
def data_sets(draw):
    def boxes(n):
        out = []
        for _ in range(n):
            x, y = draw(st.integers(0, 8)), draw(st.integers(0, 8))
            out.append([x, y, x + draw(st.integers(1, 5)), y + draw(st.integers(1, 5))])
        return out

    pred, truth = [], []
    for _ in range(draw(st.integers(1, 4))):
        p, g = draw(st.integers(0, 6)), draw(st.integers(0, 4))
        pred.append((boxes(p), [draw(st.sampled_from([0.2, 0.5, 0.8, 0.9])) for _ in range(p)],
                     [draw(st.integers(1, 3)) for _ in range(p)]))
        truth.append((boxes(g), [draw(st.integers(1, 3)) for _ in range(g)]))
    return pred, truth


@SETTINGS
@given(data_sets(), st.sampled_from([(0.5,), (0.3, 0.7), tuple(COCO_IOU_THRESHOLDS)]),
       st.sampled_from([None, 101]))
def test_mean_average_precision_against_reference(case, thresholds, points):
    pred, truth = case
    result = mean_average_precision([p[0] for p in pred], [p[1] for p in pred],
                                    [p[2] for p in pred], [t[0] for t in truth],
                                    [t[1] for t in truth], list(thresholds), points)
    mean, aps, classes = map_ref(pred, truth, thresholds, points)
    assert result.classes.tolist() == classes
    np.testing.assert_allclose(result.per_class, aps, atol=1e-12)
    if math.isnan(mean):
        assert math.isnan(result.mean)
    else:
        assert result.mean == pytest.approx(mean, abs=1e-12)


def test_mean_average_precision_by_hand():
    # image 0: a class-1 box found (IoU 1) and a class-2 box found loosely (IoU 4/6 = 0.67);
    # image 1: a class-1 box missed, and a class-1 false positive scored 0.95
    pred_boxes = [[[0, 0, 2, 2], [5, 5, 7, 7]], [[10, 10, 12, 12]]]
    pred_scores, pred_labels = [[0.9, 0.8], [0.95]], [[1, 2], [1]]
    true_boxes, true_labels = [[[0, 0, 2, 2], [5, 5, 7, 8]], [[0, 0, 3, 3]]], [[1, 2], [1]]
    result = mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes,
                                    true_labels)
    # class 1 ranked: FP (0.95), TP (0.9) of 2 boxes: precision 1/2 at recall 1/2: AP 0.25
    np.testing.assert_allclose(result.per_class, [0.25, 1.0])
    assert result.mean == pytest.approx(0.625)
    # at IoU 0.7 the class-2 match fails: AP 0; over COCO's ten thresholds it counts at
    # 0.5, 0.55, 0.6, 0.65 only: 4/10
    strict = mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes,
                                    true_labels, 0.7)
    np.testing.assert_allclose(strict.per_class, [0.25, 0.0])
    coco = mean_average_precision(pred_boxes, pred_scores, pred_labels, true_boxes,
                                  true_labels, COCO_IOU_THRESHOLDS)
    np.testing.assert_allclose(coco.per_class, [0.25, 0.4])


def test_a_class_without_true_boxes_is_left_out_of_the_mean():
    result = mean_average_precision([[[0, 0, 2, 2], [4, 4, 6, 6]]], [[0.9, 0.8]], [[1, 3]],
                                    [[[0, 0, 2, 2]]], [[1]])
    assert result.classes.tolist() == [1, 3]
    assert result.per_class[0] == 1.0 and math.isnan(result.per_class[1])
    assert result.mean == 1.0


def test_coco_thresholds():
    np.testing.assert_allclose(COCO_IOU_THRESHOLDS, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8,
                                                     0.85, 0.9, 0.95])


BAD_CALLS = [
    (lambda: average_precision([0.9], [True, False], 2), ValueError,
     r"average_precision: matched must be a bool array of shape \(D,\) = \(1,\)"),
    (lambda: average_precision([0.9, 0.8], [True, True], 1), ValueError,
     r"average_precision: 2 detections are matched, more than the num_targets=1"),
    (lambda: average_precision([0.9], [True], -1), ValueError,
     r"average_precision: num_targets must be an int >= 0"),
    (lambda: average_precision([0.9], [True], 1.5), ValueError,
     r"average_precision: num_targets must be an int"),
    (lambda: average_precision([np.nan], [True], 1), ValueError,
     r"average_precision: scores must not contain NaN"),
    (lambda: average_precision([0.9], [2], 1), ValueError,
     r"average_precision: matched must hold True/False"),
    (lambda: average_precision([0.9], [True], 1, recall_points=1), ValueError,
     r"average_precision: recall_points must be None \(all points\) or an int >= 2"),
    (lambda: precision_recall_curve([[0.9]], [True], 1), ValueError,
     r"precision_recall_curve: scores must have shape \(D,\)"),
    (lambda: mean_average_precision([[]], [[]], [[]], [[]], [[]], iou_threshold=0), ValueError,
     r"mean_average_precision: iou_threshold must be in \(0, 1\]"),
    (lambda: mean_average_precision([[]], [[]], [[]], [[], []], [[]]), ValueError,
     r"mean_average_precision: .* must have one entry per image, got lengths"),
    (lambda: mean_average_precision(np.zeros((1, 0, 4)), [[]], [[]], [[]], [[]]), TypeError,
     r"mean_average_precision: pred_boxes must be a list"),
    (lambda: mean_average_precision([[[0, 0, 1, 1]]], [[0.5]], [[1.5]], [[]], [[]]),
     ValueError, r"mean_average_precision \(image 0\): pred_labels must be an int array"),
]


@pytest.mark.parametrize("call, error, message", BAD_CALLS)
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
