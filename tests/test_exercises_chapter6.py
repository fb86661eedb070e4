"""Chapter 6 exercises: every reference answer checked independently (cnn_lib.detection,
cnn_lib.scratch, cnn_lib.arithmetic and PyTorch), the reference solutions equal to the library on
random cases, and typical wrong answers fail with a helpful message. What every chapter's
exercises must do is in ``test_exercises_all.py``."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnn_lib import arithmetic, detection, scratch
from cnn_lib.exercises import chapter6 as ex
from cnn_lib.exercises.core import FunctionExercise

EXERCISES = [getattr(ex, name) for name in ex.__all__]
FUNCTIONS = [q for q in EXERCISES if isinstance(q, FunctionExercise)]
SETTINGS = settings(max_examples=60, deadline=None)


def t(a):
    return torch.tensor(np.asarray(a, dtype=float))[None, None]


# --------------------------------------------------------------------------- the answers


def test_box_answers_against_the_library():
    assert ex.q1.answer == pytest.approx(detection.box_iou([0, 0, 4, 4], [2, 2, 6, 6])[0, 0])
    assert ex.q1.answer == pytest.approx(4 / 28)
    np.testing.assert_array_equal(ex.q2.answer,
                                  detection.box_convert([2, 3, 10, 7], "xyxy", "cxcywh"))
    assert ex.q3.answer == len(detection.sliding_windows(64, 16, stride=4)) == 13 * 13
    np.testing.assert_array_equal(ex.q4.answer,
                                  detection.nms(ex._q4_boxes, ex._q4_scores, 0.5))


def test_q4_solution_numbers():
    iou = detection.box_iou(ex._q4_boxes, ex._q4_boxes)
    assert iou[1, 3] == pytest.approx(70 / 130) and iou[1, 3] > 0.5
    assert iou[1, 0] == pytest.approx(40 / 160) and iou[3, 0] > 0.5  # 3 would suppress 0
    assert iou[2, [0, 1, 3]].max() == 0
    assert list(np.argsort(-ex._q4_scores)) == [1, 3, 0, 2]  # the order of hint 1


def test_upsampling_answers_against_torch_and_scratch():
    layer = torch.nn.ConvTranspose2d(1, 1, kernel_size=5, stride=3, padding=2, output_padding=1)
    assert ex.q5.answer == layer(torch.zeros(1, 1, 7, 7)).shape[-1] == 20
    assert ex.q5.answer == arithmetic.conv_transpose_output_size(7, 5, 3, 2, 1)
    assert (7 - 1) * 3 + 5 == 23  # q5's solution: the copies span 23 rows before cropping

    deck = F.conv_transpose2d(t(ex._deck_x), t(ex._deck_k), stride=2)[0, 0].numpy()
    np.testing.assert_array_equal(ex.q6.answer, deck)
    np.testing.assert_array_equal(
        ex.q6.answer, scratch.conv_transpose2d(ex._deck_x[None, None], ex._deck_k[None, None],
                                               stride=2)[0, 0])
    assert ex.q6.answer.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 3], [2, 0, 3, 0]]
    printed = ex.q6.common_mistakes[0][0]  # the deck's printed answer is not the result
    assert printed.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [2, 2, 3, 0], [0, 3, 0, 0]]
    assert not np.array_equal(printed, deck)

    for align_corners in (True, False):  # 2 -> 3 gives the same under both conventions
        out = F.interpolate(t(ex._q7_x), size=3, mode="bilinear", align_corners=align_corners)
        np.testing.assert_allclose(ex.q7.answer, out[0, 0].numpy())
    np.testing.assert_allclose(ex.q7.answer, scratch.interpolate(
        ex._q7_x[None, None], size=3, mode="bilinear", align_corners=True)[0, 0])
    nearest = F.interpolate(t(ex._q7_x), size=3, mode="nearest")[0, 0].numpy()
    assert nearest.tolist() == ex.q7.common_mistakes[0][0].tolist()


def test_q8_checkerboard_comes_from_uneven_overlap():
    ones = torch.ones(1, 1, 6, 6)
    inner = (slice(4, -4),) * 2  # away from the borders
    uneven = F.conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)[0, 0][inner]
    assert sorted(set(uneven.flatten().tolist())) == [1, 2, 4]  # the checkerboard
    even = F.conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)[0, 0][inner]
    assert set(even.flatten().tolist()) == {4}  # kernel size divisible by the stride
    resized = F.conv2d(F.interpolate(ones, scale_factor=2), torch.ones(1, 1, 3, 3), padding=1)
    assert set(resized[0, 0][inner].flatten().tolist()) == {9}  # resize, then convolve
    assert ex.q8.answer == "a" and "not a multiple of 2" in ex.q8.options[0]


def test_q9_answer():
    assert ex.q9.options[ord(ex.q9.answer) - 97].startswith("Fine detail")


# --------------------------------------------------------------------------- the reference code


def test_function_references_on_their_cases_against_the_library():
    for (label, (b1, b2)), expected in zip(ex.q10.cases, ex.q10.expected_outputs()):
        np.testing.assert_allclose(expected, detection.box_iou(b1, b2), err_msg=label)
    for (label, (Y, idx, shape)), expected in zip(ex.q11.cases, ex.q11.expected_outputs()):
        k = shape[0] // Y.shape[0]  # the pooling's window and stride
        out = F.max_unpool2d(t(Y), torch.tensor(idx)[None, None], k, output_size=shape)
        np.testing.assert_array_equal(expected, out[0, 0].numpy(), err_msg=label)
        np.testing.assert_array_equal(
            expected, scratch.max_unpool2d(Y[None], idx[None], k, output_size=shape)[0])
    for (label, (m, thr, window, stride)), expected in zip(ex.q12.cases,
                                                           ex.q12.expected_outputs()):
        boxes, _ = detection.score_map_to_boxes(m, thr, window, stride)
        np.testing.assert_array_equal(expected, boxes, err_msg=label)
    for (label, (boxes, scores, thr)), expected in zip(ex.q13.cases, ex.q13.expected_outputs()):
        np.testing.assert_array_equal(expected, detection.nms(boxes, scores, thr), err_msg=label)
    for (label, (X, K, s)), expected in zip(ex.q14.cases, ex.q14.expected_outputs()):
        out = F.conv_transpose2d(t(X), t(K), stride=s)[0, 0].numpy()
        np.testing.assert_allclose(expected, out, atol=1e-12, err_msg=label)
    for (label, (X, scale)), expected in zip(ex.q17.cases, ex.q17.expected_outputs()):
        out = F.interpolate(t(X), scale_factor=scale, mode="nearest")[0, 0].numpy()
        np.testing.assert_array_equal(expected, out, err_msg=label)


def test_predict_then_run_answers_against_the_library():
    from cnn_lib import models

    def count(model):
        return sum(p.numel() for p in model.parameters())

    with_skips = models.UNet(width=8, batch_norm=True)
    without = models.UNet(width=8, skip=False, batch_norm=True)
    assert ex.q15.answer == count(with_skips) - count(without) == 2880
    assert with_skips.merge2[0].in_channels == 32 and with_skips.merge1[0].in_channels == 16
    assert (count(with_skips), count(without)) == (29_668, 26_788)  # q15's solution
    windows = detection.sliding_windows((48, 48), 16, stride=2)
    iou = detection.box_iou(windows, [[10, 10, 26, 26]])[:, 0]
    assert len(windows) == 289 and ex.q16.answer == (iou >= 0.5).sum() == 13
    assert (iou >= 0.3).sum() == 49  # q16's common mistake
    assert detection.box_iou([[0, 0, 16, 16]], [[6, 0, 22, 16]])[0, 0] == pytest.approx(160 / 352)


def test_experiments_print_the_answers(capsys):
    for q in (ex.q15, ex.q16):
        exec(q.experiment, {"np": np, "ex": ex})  # noqa: S102
    out = capsys.readouterr().out
    assert "difference: 2,880" in out and "IoU >= 0.5: 13 of 289 windows" in out


def test_the_pooling_behind_q11_is_torchs():
    X = np.round(np.random.default_rng(0).normal(size=(6, 8)), 2)
    for k in (2, 3):
        values, indices = ex._max_pool_with_indices(X, k)
        out, idx = F.max_pool2d(t(X), k, return_indices=True)
        np.testing.assert_array_equal(values, out[0, 0].numpy())
        np.testing.assert_array_equal(indices, idx[0, 0].numpy())


def test_the_special_cases_are_what_their_labels_say():
    cases = dict(ex.q10.cases)
    for label in ("boxes that touch along an edge", "boxes apart along x",
                  "boxes apart along x and y"):
        assert detection.box_iou(*cases[label])[0, 0] == 0, label
    cases = dict(ex.q13.cases)
    boxes, _, thr = cases["an IoU exactly at the threshold is kept"]
    assert detection.box_iou(boxes, boxes)[0, 1] == thr  # exactly, in floating point
    boxes, scores, thr = cases["equal scores: the lower index goes first"]
    assert len(set(scores)) == 1 and detection.box_iou(boxes, boxes)[0, 1] > thr
    boxes, _, thr = cases["threshold 0: any overlap suppresses, touching does not"]
    assert thr == 0 and detection.box_iou(boxes, boxes)[0, 2] == 0


@st.composite
def box_sets(draw, max_n=8, integer=False):
    n = draw(st.integers(1, max_n))
    coord = st.integers(0, 12) if integer else st.floats(0, 50, allow_nan=False, width=32)
    size = st.integers(1, 8) if integer else st.floats(0.5, 25, allow_nan=False, width=32)
    corners = np.array(draw(st.lists(st.tuples(coord, coord), min_size=n, max_size=n)), float)
    sizes = np.array(draw(st.lists(st.tuples(size, size), min_size=n, max_size=n)), float)
    return np.hstack([corners, corners + sizes])


@SETTINGS
@given(b1=box_sets(), b2=box_sets())
def test_box_iou_reference_equals_the_library(b1, b2):
    np.testing.assert_allclose(ex.box_iou(b1, b2), detection.box_iou(b1, b2), atol=1e-12)


@SETTINGS
@given(boxes=box_sets(max_n=10, integer=True), data=st.data(),
       threshold=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.7, 1.0]))
def test_nms_reference_equals_the_library(boxes, data, threshold):
    # scores from a small set, so that ties are common; integer boxes hit IoU = threshold
    scores = np.array(data.draw(st.lists(st.sampled_from([0.2, 0.5, 0.9]), min_size=len(boxes),
                                         max_size=len(boxes))))
    np.testing.assert_array_equal(ex.nms(boxes, scores, threshold),
                                  detection.nms(boxes, scores, threshold))


@SETTINGS
@given(h=st.integers(1, 6), w=st.integers(1, 6), window=st.integers(1, 20),
       stride=st.integers(1, 8), threshold=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_decode_reference_equals_the_library(h, w, window, stride, threshold, seed):
    m = np.round(np.random.default_rng(seed).uniform(size=(h, w)), 1)
    boxes, _ = detection.score_map_to_boxes(m, threshold, window, stride)
    np.testing.assert_array_equal(ex.decode_score_map(m, threshold, window, stride), boxes)


@SETTINGS
@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)), stride=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_conv_transpose_reference_equals_the_library(shape, kernel, stride, seed):
    rng = np.random.default_rng(seed)
    X, K = rng.normal(size=shape), rng.normal(size=kernel)
    expected = scratch.conv_transpose2d(X[None, None], K[None, None], stride=stride)[0, 0]
    np.testing.assert_allclose(ex.conv_transpose2d_single(X, K, stride), expected, atol=1e-12)


@SETTINGS
@given(k=st.integers(1, 3), h=st.integers(1, 4), w=st.integers(1, 4), extra=st.integers(0, 1),
       seed=st.integers(0, 2**16))
def test_max_unpool_reference_equals_the_library(k, h, w, extra, seed):
    shape = (h * k + extra * (k > 1), w * k)  # a row left over that pooling never saw
    X = np.random.default_rng(seed).normal(size=shape)
    values, indices = ex._max_pool_with_indices(X, k)
    expected = scratch.max_unpool2d(values[None], indices[None], k, output_size=shape)[0]
    np.testing.assert_array_equal(ex.max_unpool(values, indices, shape), expected)


# --------------------------------------------------------------------------- feedback


def test_statements_give_the_expected_type():
    for q in (ex.q3, ex.q5):
        assert "integer" in q.question
    assert "fraction" in ex.q1.question and "four numbers" in ex.q2.question
    assert "list of indices" in ex.q4.question and "by decreasing score" in ex.q4.question
    for q in (ex.q6, ex.q7):
        assert "nested list or an array" in q.question
    for q in (ex.q8, ex.q9):
        assert "letter" in q.question
    assert "(N, M)" in ex.q10.question and "(K, 4)" in ex.q12.question
    for q in (ex.q15, ex.q16):
        assert "integer" in q.question and "experiment" in q.question
    assert "strictly greater" in ex.q13.question and "index order" in ex.q13.question


def test_hints_do_not_give_the_answer_away():
    for q in (ex.q1, ex.q3, ex.q5):
        hints = " ".join(q.hint_text)
        assert f"{q.answer:.3g}" not in hints and str(q.answer) not in hints, q.name
    assert "1/7" not in " ".join(ex.q1.hint_text)
    assert "[1, 0, 2]" not in " ".join(ex.q4.hint_text)


def test_q1_accepts_fractions_and_rounded_decimals():
    for answer in (1 / 7, 4 / 28, 0.1429, 0.143, 0.142, 0.142857, np.float32(1 / 7)):
        assert ex.q1.check(answer).correct is True, answer
    assert ex.q1.check(0.15).correct is False


def test_unlisted_answers_get_a_direction_or_the_rule():
    for wrong in (4, 0.25, 4 / 16, 0.125):  # the overlap, over one box, over both boxes
        fb = ex.q1.check(wrong)
        assert fb.correct is False and "union" in fb.message, wrong
    for close in (0.14, 0.141):  # the message must be right for both
        fb = ex.q1.check(close)
        assert fb.correct is False and "more than 0.001 away" in fb.message, close
        assert "rounded (not cut off) to three digits" in fb.message


def test_typical_wrong_code_gets_named():
    fb = ex.q10.check(ex._iou_without_clipping)
    assert fb.correct is False and "apart along x" in fb.message and "Clip" in fb.message
    fb = ex.q10.check(ex._iou_over_first_area)
    assert fb.correct is False and "q1's two boxes" in fb.message and "union" in fb.message
    fb = ex.q10.check(ex._iou_over_both_areas)
    assert fb.correct is False and "twice" in fb.message
    fb = ex.q10.check(ex._iou_plus_one)
    assert fb.correct is False and "continuous" in fb.message
    fb = ex.q11.check(ex._unpool_top_left)
    assert fb.correct is False and "bed of nails" in fb.message
    fb = ex.q11.check(ex._unpool_whole_window)
    assert fb.correct is False and "nearest" in fb.message
    fb = ex.q11.check(ex._unpool_column_major)
    assert fb.correct is False and "row * W + col" in fb.message
    fb = ex.q12.check(ex._decode_x_from_row)
    assert fb.correct is False and "from the column" in fb.message
    fb = ex.q12.check(ex._decode_xywh)
    assert fb.correct is False and "x2 = x1 + window" in fb.message
    fb = ex.q12.check(ex._decode_strict)
    assert fb.correct is False and "equal to the threshold" in fb.message and ">=" in fb.message
    fb = ex.q12.check(ex._decode_without_stride)
    assert fb.correct is False and "multiply" in fb.message
    fb = ex.q12.check(ex._decode_step_by_window)
    assert fb.correct is False and "overlap" in fb.message
    fb = ex.q13.check(ex._nms_suppressed_boxes_suppress)
    assert fb.correct is False and "q4's four boxes" in fb.message and "KEPT" in fb.message
    fb = ex.q13.check(ex._nms_in_index_order)
    assert fb.correct is False and "decreasing score" in fb.message
    fb = ex.q13.check(ex._nms_greater_or_equal)  # `>=` instead of `>`
    assert fb.correct is False and "exactly at the threshold" in fb.message
    assert "strictly greater" in fb.message
    fb = ex.q13.check(ex._nms_ties_reversed)
    assert fb.correct is False and "equal scores" in fb.message and "stable" in fb.message
    fb = ex.q14.check(ex._transpose_conv_overwriting)
    assert fb.correct is False and "stride 1" in fb.message and "ADD" in fb.message
    fb = ex.q14.check(ex._transpose_conv_kron)
    assert fb.correct is False and "wrong shape" in fb.message and "np.kron" in fb.message
    fb = ex.q14.check(ex._transpose_conv_kernel_not_flipped)
    assert fb.correct is False and "flipped" in fb.message


def test_nms_may_use_the_readers_box_iou_and_torchlike_code_passes():
    def nms(boxes, scores, iou_threshold):  # a reader's vectorised version
        order, keep = np.argsort(-np.asarray(scores), kind="stable"), []
        while len(order):
            i, order = order[0], order[1:]
            keep.append(i)
            order = order[ex.box_iou(np.asarray(boxes)[[i]],
                                     np.asarray(boxes)[order])[0] <= iou_threshold]
        return keep  # a list is fine

    assert ex.q13.check(nms).correct is True
    assert ex.q14.check(lambda X, K, stride: F.conv_transpose2d(t(X), t(K), stride=stride)
                        [0, 0].numpy()).correct is True


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_odd_answers_get_a_message_not_a_traceback(q):
    odd = [[1, 2], "abc", {"a": 1}, [[1, 2], [3]], float("nan"), True, lambda: 0, np.zeros((7, 7))]
    for answer in odd:
        fb = q.check(answer)
        assert fb.correct is False and fb.message and "Traceback" not in fb.message, answer
    assert q.check(None).correct is None and q.check(...).correct is None


def test_wrong_shapes_and_types_are_named():
    assert "wrong shape: expected shape (4,)" in ex.q2.check([[6, 5], [8, 4]]).message
    assert "right number of entries" in ex.q2.check([[6, 5], [8, 4]]).message
    assert "wrong shape: expected shape (4, 4)" in ex.q6.check(np.zeros((3, 3))).message
    assert "a single number" in ex.q1.check([1, 7]).message
    assert "remove the quotes" in ex.q3.check("169").message
    assert "letter" in ex.q8.check(1).message


@pytest.mark.parametrize("q", FUNCTIONS, ids=lambda q: q.name)
def test_odd_code_gets_a_message_not_a_traceback(q):
    fb = q.check(lambda *args: {}["missing"])
    assert fb.correct is False and "KeyError" in fb.message and "Traceback" not in fb.message
    fb = q.check(lambda *args: "text")
    assert fb.correct is False and "not an array of numbers" in fb.message
    fb = q.check(lambda *args: np.zeros((9, 9)))
    assert fb.correct is False and "wrong shape" in fb.message
    fb = q.check(lambda x: x)
    assert fb.correct is False and "parameters" in fb.message
    fb = q.check(lambda *args: None)
    assert fb.correct is False and "returned None" in fb.message and "return" in fb.message

    def untouched(*args):
        ...

    fb = q.check(untouched)
    assert fb.correct is None and "still `...`" in fb.message
    assert "no parentheses" in q.check(q.reference(*q.cases[0][1])).message


# --------------------------------------------------------------------------- a catalogue of
# student code: each function exercise rejects typical wrong versions with a message that names
# the mistake, and accepts right versions written another way.


def rejected(q, fn, *phrases):
    fb = q.check(fn)
    assert fb.correct is False, fn.__name__
    for phrase in phrases:
        assert phrase in fb.message, (fn.__name__, phrase, fb.message)


def accepted(q, fn):
    fb = q.check(fn)
    assert fb.correct is True, (fn.__name__, fb.message)


def _pairs(boxes1, boxes2):
    b1, b2 = np.asarray(boxes1, dtype=float), np.asarray(boxes2, dtype=float)
    return b1, b2, np.zeros((len(b1), len(b2)))


def test_box_iou_catalogue():
    def no_clipping(boxes1, boxes2):
        b1, b2, out = _pairs(boxes1, boxes2)
        for i, a in enumerate(b1):
            for j, b in enumerate(b2):
                w = min(a[2], b[2]) - max(a[0], b[0])
                h = min(a[3], b[3]) - max(a[1], b[1])
                union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
                out[i, j] = w * h / union if union else 0.0
        return out

    def clip_after_multiplying(boxes1, boxes2):
        b1, b2, out = _pairs(boxes1, boxes2)
        for i, a in enumerate(b1):
            for j, b in enumerate(b2):
                inter = max(0.0, (min(a[2], b[2]) - max(a[0], b[0]))
                            * (min(a[3], b[3]) - max(a[1], b[1])))
                out[i, j] = inter / ((a[2] - a[0]) * (a[3] - a[1])
                                     + (b[2] - b[0]) * (b[3] - b[1]) - inter)
        return out

    def over_sum_of_areas(boxes1, boxes2):
        b1, b2, _ = _pairs(boxes1, boxes2)
        wh = np.clip(np.minimum(b1[:, None, 2:], b2[None, :, 2:])
                     - np.maximum(b1[:, None, :2], b2[None, :, :2]), 0, None)
        area = lambda b: (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # noqa: E731
        return wh.prod(axis=2) / (area(b1)[:, None] + area(b2)[None, :])

    def pixel_counting(boxes1, boxes2):
        b1, b2, _ = _pairs(boxes1, boxes2)
        wh = np.clip(np.minimum(b1[:, None, 2:], b2[None, :, 2:])
                     - np.maximum(b1[:, None, :2], b2[None, :, :2]) + 1, 0, None)
        area = lambda b: (b[:, 2] - b[:, 0] + 1) * (b[:, 3] - b[:, 1] + 1)  # noqa: E731
        inter = wh.prod(axis=2)
        return inter / (area(b1)[:, None] + area(b2)[None, :] - inter)

    def read_as_xywh(boxes1, boxes2):
        b1, b2, out = _pairs(boxes1, boxes2)
        for i, (x, y, w, h) in enumerate(b1):
            for j, (u, v, p, q) in enumerate(b2):
                iw = max(0.0, min(x + w, u + p) - max(x, u))
                ih = max(0.0, min(y + h, v + q) - max(y, v))
                out[i, j] = iw * ih / (w * h + p * q - iw * ih)
        return out

    def over_first_area(boxes1, boxes2):
        b1, b2, _ = _pairs(boxes1, boxes2)
        wh = np.clip(np.minimum(b1[:, None, 2:], b2[None, :, 2:])
                     - np.maximum(b1[:, None, :2], b2[None, :, :2]), 0, None)
        return wh.prod(axis=2) / ((b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1]))[:, None]

    rejected(ex.q10, no_clipping, "boxes apart along x", "Clip")
    rejected(ex.q10, clip_after_multiplying, "boxes apart along x and y", "before multiplying")
    rejected(ex.q10, over_sum_of_areas, "q1's two boxes", "counts the overlap twice")
    rejected(ex.q10, pixel_counting, "continuous")
    rejected(ex.q10, read_as_xywh, "not (x, y, width, height)")
    rejected(ex.q10, over_first_area, "area of the union")

    def with_loops(boxes1, boxes2):
        out = []
        for a in np.asarray(boxes1).tolist():
            row = []
            for b in np.asarray(boxes2).tolist():
                w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
                h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
                union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
                row.append(w * h / union)
            out.append(row)
        return out  # a nested list is fine

    def in_float32(boxes1, boxes2):
        b1, b2 = (np.asarray(b, dtype=np.float32) for b in (boxes1, boxes2))
        wh = np.clip(np.minimum(b1[:, None, 2:], b2[None, :, 2:])
                     - np.maximum(b1[:, None, :2], b2[None, :, :2]), 0, None)
        inter = wh[..., 0] * wh[..., 1]
        area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
        area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
        return inter / (area1[:, None] + area2[None, :] - inter)

    accepted(ex.q10, with_loops)
    accepted(ex.q10, in_float32)


def test_max_unpool_catalogue():
    def into_a_copy(Y, indices, shape):
        out = np.zeros(shape)
        out.flatten()[indices.ravel()] = Y.ravel()
        return out

    def pooled_width(Y, indices, shape):
        out = np.zeros(shape)
        for value, index in zip(Y.ravel(), indices.ravel()):
            row, col = divmod(int(index), Y.shape[1])
            if row < shape[0] and col < shape[1]:
                out[row, col] = value
        return out

    def corners(Y, indices, shape):
        out, k = np.zeros(shape), shape[0] // Y.shape[0]
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                out[i * k, j * k] = Y[i, j]
        return out

    def whole_windows(Y, indices, shape):
        k = shape[0] // Y.shape[0]
        out = np.zeros(shape)
        block = np.repeat(np.repeat(Y, k, axis=0), k, axis=1)
        out[: block.shape[0], : block.shape[1]] = block
        return out

    def column_major(Y, indices, shape):
        out = np.zeros(shape)
        for value, index in zip(Y.ravel(), indices.ravel()):
            out[index % shape[0], index // shape[0]] = value
        return out

    rejected(ex.q11, into_a_copy, "all zeros", "returns a copy")
    rejected(ex.q11, pooled_width, "shape[1]")
    rejected(ex.q11, corners, "bed of nails")
    rejected(ex.q11, whole_windows, "nearest upsampling")
    rejected(ex.q11, column_major, "row * W + col")

    def with_divmod(Y, indices, shape):
        out = [[0.0] * shape[1] for _ in range(shape[0])]
        for value, index in zip(np.ravel(Y).tolist(), np.ravel(indices).tolist()):
            row, col = divmod(index, shape[1])
            out[row][col] = value
        return out

    def with_unravel_float32(Y, indices, shape):
        out = np.zeros(shape, dtype=np.float32)
        out[np.unravel_index(indices, shape)] = Y
        return out

    accepted(ex.q11, with_divmod)
    accepted(ex.q11, with_unravel_float32)


def test_decode_score_map_catalogue():
    def looped(keep, x_from_row=False, step=None, xywh=False):
        def decode_score_map(score_map, threshold, window, stride):
            boxes = []
            for i, row in enumerate(np.asarray(score_map)):
                for j, score in enumerate(row):
                    if keep(score, threshold):
                        s = stride if step is None else step(stride, window)
                        x, y = (i * s, j * s) if x_from_row else (j * s, i * s)
                        boxes.append([x, y, window, window] if xywh
                                     else [x, y, x + window, y + window])
            return np.array(boxes, dtype=float).reshape(-1, 4)
        return decode_score_map

    rejected(ex.q12, looped(np.greater_equal, x_from_row=True), "from the column")
    rejected(ex.q12, looped(np.greater_equal, xywh=True), "x2 = x1 + window")
    rejected(ex.q12, looped(np.greater), "a score equal to the threshold is kept", ">=")
    rejected(ex.q12, looped(np.greater_equal, step=lambda s, w: 1), "multiply")
    rejected(ex.q12, looped(np.greater_equal, step=lambda s, w: w), "not `window` pixels")

    def empty_as_a_flat_list(score_map, threshold, window, stride):
        rows, cols = np.nonzero(score_map >= threshold)
        return [[c * stride, r * stride, c * stride + window, r * stride + window]
                for r, c in zip(rows, cols)]

    rejected(ex.q12, empty_as_a_flat_list, "no score reaches the threshold", "wrong shape")

    accepted(ex.q12, looped(np.greater_equal))

    def vectorised_float32(score_map, threshold, window, stride):
        rows, cols = np.nonzero(np.asarray(score_map) >= threshold)
        x1, y1 = (cols * stride).astype(np.float32), (rows * stride).astype(np.float32)
        return np.column_stack([x1, y1, x1 + window, y1 + window]).reshape(-1, 4)

    accepted(ex.q12, vectorised_float32)


def test_nms_catalogue():
    def greedy(order_of, suppress, only_kept=True):
        def nms(boxes, scores, iou_threshold):
            keep, seen = [], []
            for i in order_of(np.asarray(scores)):
                others = keep if only_kept else seen
                if not any(suppress(ex.box_iou(boxes[[i]], boxes[[k]])[0, 0], iou_threshold)
                           for k in others):
                    keep.append(int(i))
                seen.append(i)
            return keep
        return nms

    by_score = lambda s: np.argsort(-s, kind="stable")  # noqa: E731
    rejected(ex.q13, greedy(by_score, np.greater, only_kept=False), "KEPT")
    rejected(ex.q13, greedy(by_score, np.greater_equal), "exactly at the threshold",
             "strictly greater")
    rejected(ex.q13, greedy(lambda s: np.argsort(s)[::-1], np.greater), "equal scores",
             "stable")
    rejected(ex.q13, greedy(lambda s: np.argsort(s, kind="stable"), np.greater), "HIGHEST")
    rejected(ex.q13, lambda b, s, t: sorted(ex.nms(b, s, t)), "decreasing score")

    def crashes_on_no_boxes(boxes, scores, iou_threshold):
        order = list(np.argsort(-scores, kind="stable"))
        keep = [order.pop(0)]  # the best box is always kept... if there is one
        for i in order:
            if all(ex.box_iou(boxes[[i]], boxes[[k]])[0, 0] <= iou_threshold for k in keep):
                keep.append(i)
        return keep

    rejected(ex.q13, crashes_on_no_boxes, "no boxes at all", "IndexError")

    accepted(ex.q13, greedy(by_score, np.greater))

    def suppress_by_mask(boxes, scores, iou_threshold):
        boxes = np.asarray(boxes, dtype=np.float32)
        iou = ex.box_iou(boxes, boxes)
        order = np.argsort(-np.asarray(scores), kind="stable")
        alive, keep = np.ones(len(boxes), bool), []
        for i in order:
            if alive[i]:
                keep.append(i)
                alive &= iou[i] <= iou_threshold
        return np.array(keep, dtype=np.int32)

    accepted(ex.q13, suppress_by_mask)


def test_conv_transpose_catalogue():
    def scatter(assign, step):
        def conv_transpose2d_single(X, K, stride):
            (H, W), (kh, kw) = X.shape, K.shape
            Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw))
            for i in range(H):
                for j in range(W):
                    r, c = step(i, stride), step(j, stride)
                    if assign:
                        Y[r : r + kh, c : c + kw] = X[i, j] * K
                    else:
                        Y[r : r + kh, c : c + kw] += X[i, j] * K
            return Y
        return conv_transpose2d_single

    rejected(ex.q14, scatter(True, lambda i, s: i * s), "stride 1", "ADD")
    rejected(ex.q14, scatter(False, lambda i, s: i), "multiply the input's position")
    rejected(ex.q14, lambda X, K, stride: np.kron(X, K), "wrong shape", "np.kron")

    def zero_insertion(flip):
        def conv_transpose2d_single(X, K, stride):
            (H, W), (kh, kw) = X.shape, K.shape
            Z = np.zeros(((H - 1) * stride + 1, (W - 1) * stride + 1))
            Z[::stride, ::stride] = X
            Z = np.pad(Z, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
            F_ = K[::-1, ::-1] if flip else K
            return np.array([[np.sum(Z[i : i + kh, j : j + kw] * F_)
                              for j in range(Z.shape[1] - kw + 1)]
                             for i in range(Z.shape[0] - kh + 1)])
        return conv_transpose2d_single

    rejected(ex.q14, zero_insertion(False), "flipped")

    def output_too_small(X, K, stride):
        Y = np.zeros((X.shape[0] * stride, X.shape[1] * stride))
        for i in range(X.shape[0]):
            for j in range(X.shape[1]):
                Y[i * stride : i * stride + K.shape[0],
                  j * stride : j * stride + K.shape[1]] += X[i, j] * K
        return Y

    rejected(ex.q14, output_too_small, "raised ValueError")

    accepted(ex.q14, zero_insertion(True))

    def einsum_float32(X, K, stride):
        X, K = X.astype(np.float32), K.astype(np.float32)
        (H, W), (kh, kw) = X.shape, K.shape
        Y = np.zeros(((H - 1) * stride + kh, (W - 1) * stride + kw), dtype=np.float32)
        copies = np.einsum("ij,kl->ijkl", X, K)
        for i in range(H):
            for j in range(W):
                Y[i * stride : i * stride + kh, j * stride : j * stride + kw] += copies[i, j]
        return Y

    accepted(ex.q14, einsum_float32)


def test_upsample_nearest_catalogue():
    rejected(ex.q17, lambda X, scale: np.tile(X, (scale, scale)), "a 2x2 map, scale 2",
             "np.tile")

    def bed_of_nails(X, scale):
        out = np.zeros((X.shape[0] * scale, X.shape[1] * scale))
        out[::scale, ::scale] = X
        return out

    rejected(ex.q17, bed_of_nails, "bed of nails")
    rejected(ex.q17, lambda X, scale: np.repeat(np.repeat(X, scale, axis=0), scale, axis=0),
             "wrong shape", "not the rows twice")
    rejected(ex.q17, lambda X, scale: np.repeat(X, scale * scale).reshape(
        X.shape[0] * scale, X.shape[1] * scale), "without `axis`")

    def rows_and_cols_swapped(X, scale):
        H, W = X.shape
        return np.array([[X[j // scale, i // scale] for j in range(H * scale)]
                         for i in range(W * scale)])

    rejected(ex.q17, rows_and_cols_swapped, "a 2x2 map, scale 2", "Rows and columns are swapped")

    def by_index(X, scale):
        H, W = X.shape
        return [[X[i // scale][j // scale] for j in range(W * scale)] for i in range(H * scale)]

    accepted(ex.q17, by_index)
    accepted(ex.q17, lambda X, scale: np.kron(X, np.ones((scale, scale), dtype=np.float32)))


# --------------------------------------------------------------------------- average precision


def test_average_precision_answers_against_the_library():
    # q18's ranking: wrong, right, right, wrong, right; 4 objects
    matched = [False, True, True, False, True]
    ranked_scores = [0.9, 0.8, 0.7, 0.6, 0.5]
    assert ex.q18.answer == pytest.approx(detection.average_precision(ranked_scores, matched, 4))
    assert ex.q18.answer == pytest.approx((2 / 3 + 2 / 3 + 3 / 5) / 4)
    precision, recall = detection.precision_recall_curve(ranked_scores, matched, 4)
    np.testing.assert_allclose(precision, [0, 1 / 2, 2 / 3, 2 / 4, 3 / 5])  # q18's solution
    np.testing.assert_allclose(recall, [0, 1 / 4, 2 / 4, 2 / 4, 3 / 4])
    for label, (m, g) in ex.q19.cases:
        scores = np.arange(len(m), 0, -1).astype(float)  # already ranked
        assert ex.average_precision(m, g) == pytest.approx(
            detection.average_precision(scores, m, g)), label


@SETTINGS
@given(st.lists(st.booleans(), max_size=20), st.integers(0, 5))
def test_q19_reference_equals_the_library(matched, extra):
    g = sum(matched) + extra or 1
    scores = np.arange(len(matched), 0, -1).astype(float)
    assert ex.average_precision(np.array(matched, dtype=bool), g) == pytest.approx(
        detection.average_precision(scores, matched, g))


def test_average_precision_catalogue():
    def no_envelope(matched, num_targets):
        p = np.cumsum(matched) / np.arange(1, len(matched) + 1)
        return float((p * matched).sum() / num_targets)

    rejected(ex.q19, no_envelope, "the best precision at that rank or any later one")

    def over_found(matched, num_targets):
        p = np.cumsum(matched) / np.arange(1, len(matched) + 1)
        env = np.maximum.accumulate(p[::-1])[::-1]
        return float((env * matched).sum() / max(1, sum(matched)))

    rejected(ex.q19, over_found, "divide by `num_targets`")

    def by_loops(matched, num_targets):
        ap, tp = 0.0, 0
        precisions = []
        for k, m in enumerate(matched):
            tp += bool(m)
            precisions.append(tp / (k + 1))
        for k, m in enumerate(matched):
            if m:
                ap += max(precisions[k:]) / num_targets
        return ap

    accepted(ex.q19, by_loops)
    accepted(ex.q19, lambda m, g: np.float32(ex.average_precision(m, g)))
