"""Tests for cnn_lib.widgets.detection: IoU on hand-worked boxes, NMS kept / suppressed sets and
suppressors on the example, the drawings, the explorers' wiring and the static twins."""

import io

import numpy as np
import pytest
from PIL import Image

from cnn_lib import detection, plot
from cnn_lib.widgets import detection as dw


# --------------------------------------------------------------------------- IoU
@pytest.mark.parametrize("box_b, overlap, inter, union", [
    ((9, 7, 15, 13), (9, 7, 13, 11), 16, 68),  # the default: a 4x4 overlap, 48 + 36 - 16
    ((5, 5, 13, 11), (5, 5, 13, 11), 48, 48),  # the same box: IoU 1
    ((7, 6, 11, 10), (7, 6, 11, 10), 16, 48),  # 4x4 inside A: IoU 1/3, however well placed
    ((13, 5, 17, 11), None, 0, 72),  # touching A's right edge: no overlap
    ((0, 0, 3, 3), None, 0, 57),  # far away
    ((6, 0, 8, 20), (6, 5, 8, 11), 12, 76),  # a tall thin box across A
])
def test_iou_by_hand(box_b, overlap, inter, union):
    state = dw.iou_update(dw.BOX_A, box_b)
    assert state.area_a == 48 and state.box_b == box_b
    assert (state.overlap, state.intersection, state.union) == (overlap, inter, union)
    assert state.union == state.area_a + state.area_b - state.intersection
    assert state.iou == pytest.approx(inter / union)
    assert state.iou == pytest.approx(detection.box_iou(dw.BOX_A, box_b)[0, 0])
    assert f"IoU = {inter}/{union} = {inter / union:.2f}" in state.text


def test_iou_text_and_the_docs_example():
    state = dw.iou_update()
    assert state.text == "intersection 4·4 = 16, union 48 + 36 − 16 = 68, IoU = 16/68 = 0.24"
    small = dw.iou_update((0, 0, 2, 2), (1, 1, 3, 3), canvas=3)  # box_iou's docstring: 1/7
    assert (small.intersection, small.union) == (1, 7) and small.iou == pytest.approx(1 / 7)
    apart = dw.iou_update(dw.BOX_A, (13, 5, 17, 11))
    assert "intersection 0 (no overlap)" in apart.text and apart.iou == 0


def test_iou_is_symmetric_and_accepts_numpy_ints():
    a, b = dw.iou_update(dw.BOX_A, (9, 7, 15, 13)), dw.iou_update((9, 7, 15, 13), dw.BOX_A)
    assert a.iou == b.iou and a.intersection == b.intersection
    assert dw.iou_update(np.array(dw.BOX_A), np.array([9, 7, 15, 13])).union == 68


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(box_b=(9, 7, 15)), TypeError, r"box_b must be 4 ints \(x1, y1, x2, y2\)"),
    (dict(box_b=(9.5, 7, 15, 13)), TypeError, "box_b must be 4 ints"),
    (dict(box_a="abcd"), TypeError, "box_a must be 4 ints"),
    (dict(box_b=(9, 7, 9, 13)), ValueError, "box_b = .* needs x1 < x2 and y1 < y2"),
    (dict(box_b=(9, 7, 21, 13)), ValueError, "must lie on the 20x20 grid"),
    (dict(box_a=(-1, 0, 3, 3)), ValueError, "box_a = .* must lie on the 20x20 grid"),
    (dict(canvas=0), ValueError, "canvas must be an int in 1..100"),
])
def test_iou_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        dw.iou_update(**kwargs)


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


def test_iou_drawing_shades_the_intersection_and_outlines_the_union():
    def count(state, color):
        return int(np.all(np.asarray(dw.iou_image(state)) == color, axis=-1).sum())

    overlapping, apart = dw.iou_update(), dw.iou_update(dw.BOX_A, (14, 14, 18, 18))
    assert count(overlapping, dw.COLORS["both"]) > count(apart, dw.COLORS["both"])
    assert count(overlapping, dw.COLORS["union"]) > 300  # the black outline
    first, moved = dw.render_iou_png(overlapping), dw.render_iou_png(dw.iou_update(
        dw.BOX_A, (10, 7, 16, 13)))
    assert first != moved and png_size(first) == png_size(moved)
    with pytest.raises(TypeError, match="IoUState"):
        dw.render_iou_png((0, 0, 1, 1))


def test_iou_explorer_reacts_to_its_sliders():
    ex = dw.iou_explorer()
    assert ex.state.box_b == dw.BOX_B and "IoU = 16/68 = 0.24" in ex.caption.value
    first = ex.view.value
    ex.x.value = 5
    ex.y.value = 5
    assert ex.state.box_b == (5, 5, 11, 11) and ex.view.value != first
    assert ex.state.iou == pytest.approx(36 / 48) and "IoU = 36/48 = 0.75" in ex.caption.value
    ex.width.value = 8
    assert ex.state.box_b == dw.BOX_A and "IoU = 48/48 = 1.00" in ex.caption.value
    assert ex.x.max == 12 and ex.width.max == 15  # box B stays on the grid
    ex.x.value = 12
    assert ex.state.box_b == (12, 5, 20, 11) and ex.width.max == 8
    with pytest.raises(ValueError, match="box_a"):
        dw.iou_explorer(box_a=(3, 3, 3, 3))


def test_iou_animation_twin():
    anim = dw.iou_animation()
    html = plot.animation_html(anim, alt="box B slides across box A").data
    assert html.count('] = "data:image/png;base64') == 15  # x = 0 .. 14 for a 6-wide box
    assert 'alt="box B slides across box A"' in html and len(html) < 600_000
    with pytest.raises(ValueError, match="y must be an int in 0..14"):
        dw.iou_animation(y=15)


# --------------------------------------------------------------------------- NMS
# threshold -> (kept by decreasing score, {suppressed: suppressor})
EXPECTED = {
    0.1: ([0, 4, 9], {1: 0, 7: 4, 5: 4, 2: 0, 8: 4, 3: 0, 6: 4}),
    0.3: ([0, 4, 7, 9], {1: 0, 5: 4, 2: 0, 8: 7, 3: 0, 6: 4}),
    0.5: ([0, 4, 7, 2, 9], {1: 0, 5: 4, 8: 7, 3: 0, 6: 4}),
    0.6: ([0, 4, 7, 2, 8, 6, 9], {1: 0, 5: 4, 3: 0}),
    0.7: ([0, 4, 1, 7, 5, 2, 8, 3, 6, 9], {}),
}


def test_nms_example_is_fixed():
    boxes, scores = dw.nms_example()
    assert boxes.shape == (10, 4) and scores.shape == (10,)
    assert boxes.min() >= 0 and boxes.max() <= 24 and (boxes[:, 2:] > boxes[:, :2]).all()
    np.testing.assert_array_equal(boxes[0], [2, 2, 10, 10])
    assert scores[0] == 0.95 and scores[9] == 0.30
    np.testing.assert_array_equal(dw.nms_example()[0], boxes)


@pytest.mark.parametrize("threshold", sorted(EXPECTED))
def test_nms_kept_and_suppressors_on_the_example(threshold):
    boxes, scores = dw.nms_example()
    state = dw.nms_update(boxes, scores, threshold)
    kept, suppressors = EXPECTED[threshold]
    assert state.kept.tolist() == kept
    np.testing.assert_array_equal(state.kept, detection.nms(boxes, scores, threshold))
    assert state.suppressed_by == suppressors
    assert list(state.suppressed_by) == [j for j in state.order if j in suppressors]
    for j, k in state.suppressed_by.items():
        assert state.iou[k, j] > threshold and scores[k] >= scores[j]
        earlier = [i for i in state.kept if scores[i] > scores[k]]
        assert all(state.iou[i, j] <= threshold for i in earlier)  # k is the first that bites
    assert sorted(kept + list(suppressors)) == list(range(10))


def test_nms_texts_name_the_suppressor_and_the_iou():
    state = dw.nms_update(*dw.nms_example(), 0.1)
    assert state.summary == "IoU threshold 0.10, score threshold 0.00: 3 of 10 boxes kept"
    assert "7 by 4 (IoU 0.12 > 0.10)" in state.text  # object 3 is lost
    half = dw.nms_update(*dw.nms_example(), 0.5)
    assert "kept: 0 (0.95), 4 (0.90), 7 (0.80), 2 (0.70), 9 (0.30)" in half.text
    assert "1 by 0 (IoU 0.62 > 0.50)" in half.text  # 1 suppressed; it cannot suppress 2
    assert half.iou[1, 2] > 0.5 and 2 in half.kept
    assert "Suppressed: none." in dw.nms_update(*dw.nms_example(), 0.9).text


def test_nms_score_threshold_drops_boxes_first():
    boxes, scores = dw.nms_example()
    state = dw.nms_update(boxes, scores, 0.3, score_threshold=0.4)
    assert state.kept.tolist() == [0, 4, 7] and state.below_score.tolist() == [9]
    assert "Below the score threshold: 9." in state.text
    high = dw.nms_update(boxes, scores, 0.5, score_threshold=0.75)
    assert high.kept.tolist() == [0, 4, 7] and high.below_score.tolist() == [2, 3, 6, 8, 9]
    assert high.suppressed_by == {1: 0, 5: 4}
    assert dw.nms_update(boxes, scores, 0.5, score_threshold=1.0).kept.tolist() == []


@pytest.mark.parametrize("args, error, words", [
    (([[0, 0, 1]], [0.5]), ValueError, r"nms_update: boxes must have shape \(N, 4\)"),
    (([[0, 0, 1, 1]], [0.5, 0.6]), ValueError, r"nms_update: scores must have shape \(N,\)"),
    (([[2, 0, 1, 1]], [0.5]), ValueError, "x2 < x1"),
    (([[0, 0, 1, 1]], [0.5], 1.5), ValueError, r"iou_threshold must be in \[0, 1\]"),
    (([[0, 0, 1, 1]], [0.5], "0.5"), TypeError, "iou_threshold must be a number"),
    (([[0, 0, 1, 1]], [0.5], 0.5, None), TypeError, "score_threshold must be a number"),
])
def test_nms_update_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        dw.nms_update(*args)


def test_nms_drawing():
    state = dw.nms_update(*dw.nms_example(), 0.5)
    image = np.asarray(dw.nms_image(state))
    for k in state.kept:  # every kept box's colour is on the picture
        assert np.all(image == dw.PALETTE[k], axis=-1).any()
    all_kept = dw.nms_image(dw.nms_update(*dw.nms_example(), 0.9))
    assert np.all(np.asarray(all_kept) == dw.PALETTE[1], axis=-1).sum() > np.all(
        image == dw.PALETTE[1], axis=-1).sum()  # box 1 solid now, not dashed
    assert dw.render_nms_png(state) != dw.render_nms_png(dw.nms_update(*dw.nms_example(), 0.3))
    with pytest.raises(TypeError, match="NMSState"):
        dw.render_nms_png(None)


def test_nms_explorer_reacts_to_its_sliders():
    ex = dw.nms_explorer()
    assert ex.state.kept.tolist() == EXPECTED[0.5][0]
    first = ex.view.value
    ex.iou_threshold.value = 0.1
    assert ex.state.kept.tolist() == [0, 4, 9] and ex.view.value != first
    assert "7 by 4" in ex.caption.value
    ex.score_threshold.value = 0.4
    assert ex.state.kept.tolist() == [0, 4] and "Below the score threshold: 9" in (
        ex.caption.value)
    with pytest.raises(ValueError, match="iou_threshold must be in 0.05..0.95"):
        dw.nms_explorer(iou_threshold=1.0)
    with pytest.raises(ValueError, match="boxes"):
        dw.nms_explorer(boxes=[[0, 0, 1]], scores=[0.5])


def test_nms_animation_twin():
    html = plot.animation_html(dw.nms_animation(), alt="NMS at thresholds 0.1 to 0.7").data
    assert html.count('] = "data:image/png;base64') == 7 and len(html) < 600_000
    html = plot.animation_html(dw.nms_animation(thresholds=[0.2, 0.8])).data
    assert html.count('] = "data:image/png;base64') == 2
    with pytest.raises(TypeError, match="thresholds must be a non-empty list"):
        dw.nms_animation(thresholds=[])
