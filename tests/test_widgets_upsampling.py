"""Tests for cnn_lib.widgets.upsampling: the transposed convolution step by step (partial sums,
the final step against scratch.conv_transpose2d and PyTorch, the deck's worked example), the
drawing, the explorer's wiring and the static twin."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import plot, scratch
from cnn_lib.widgets import upsampling as up

DECK_OUT = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 3], [2, 0, 3, 0]]


def reference(X, K, stride, padding):
    X, K = np.asarray(X, float), np.asarray(K, float)
    return scratch.conv_transpose2d(X[None, None], K[None, None], stride=stride,
                                    padding=padding)[0, 0]


def test_the_decks_worked_example_step_by_step():
    partial = [np.zeros((4, 4)),
               [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],  # 1 * K at (0, 0)
               [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],  # 0 * K adds nothing
               [[0, 1, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0], [2, 0, 0, 0]],  # 2 * K at (2, 0)
               DECK_OUT]  # 3 * K at (2, 2)
    for step, want in enumerate(partial):
        state = up.conv_transpose_update(up.DECK_X, up.DECK_K, stride=2, step=step)
        np.testing.assert_array_equal(state.full, want)
        np.testing.assert_array_equal(state.output, want)  # no padding: nothing cropped
    assert state.position == (1, 1) and state.value == 3 and state.corner == (2, 2)
    np.testing.assert_array_equal(state.contribution, 3 * up.DECK_K)
    np.testing.assert_array_equal(state.written[2:, 2:], True)
    assert state.written.sum() == 4 and state.steps == 4
    np.testing.assert_array_equal(reference(up.DECK_X, up.DECK_K, 2, 0), DECK_OUT)
    # the deck's printed answer is not what the scatter gives (CURRICULUM.md, errata)
    assert not np.array_equal(state.output, [[0, 1, 0, 0], [1, 0, 0, 0], [2, 2, 3, 0],
                                             [0, 3, 0, 0]])


def test_stride_1_overlaps_add_up():
    sums = [[[0, 1, 0], [1, 0, 0], [0, 0, 0]], [[0, 1, 0], [1, 0, 0], [0, 0, 0]],
            [[0, 1, 0], [1, 2, 0], [2, 0, 0]], [[0, 1, 0], [1, 2, 3], [2, 3, 0]]]
    for step, want in enumerate(sums, start=1):
        state = up.conv_transpose_update(up.DECK_X, up.DECK_K, stride=1, step=step)
        np.testing.assert_array_equal(state.output, want)
    np.testing.assert_array_equal(state.output, reference(up.DECK_X, up.DECK_K, 1, 0))
    assert state.formula == "H_out = (2 − 1)·1 − 2·0 + 2 = 3"


def test_checkerboard_of_overlaps_and_the_crop():
    ones = np.ones((3, 3))
    state = up.conv_transpose_update(ones, ones, stride=2)
    counts = np.array([1, 1, 2, 1, 2, 1, 1])  # how many copies cover each row / column
    np.testing.assert_array_equal(state.output, np.outer(counts, counts))
    cropped = up.conv_transpose_update(ones, ones, stride=2, padding=1)
    assert cropped.full.shape == (7, 7) and cropped.output.shape == (5, 5)
    np.testing.assert_array_equal(cropped.output, np.outer(counts[1:-1], counts[1:-1]))
    assert cropped.formula == "H_out = (3 − 1)·2 − 2·1 + 3 = 5"
    assert "cropping P = 1 off each side leaves the 5x5 output" in cropped.text


@pytest.mark.parametrize("shape_x, shape_k", [((2, 2), (2, 2)), ((3, 3), (3, 3)),
                                              ((2, 3), (3, 2)), ((1, 4), (2, 2))])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1])
def test_final_step_equals_scratch_and_torch(shape_x, shape_k, stride, padding):
    rng = np.random.default_rng(stride * 10 + padding)
    X, K = rng.integers(-3, 4, shape_x), rng.normal(size=shape_k)
    try:
        want = reference(X, K, stride, padding)
    except ValueError:  # the padding crops everything: the explorer refuses it too
        with pytest.raises(ValueError, match="padding=1 crops away the whole output"):
            up.conv_transpose_update(X, K, stride, padding)
        return
    state = up.conv_transpose_update(X, K, stride, padding)
    np.testing.assert_allclose(state.output, want, atol=1e-12)
    torch_out = F.conv_transpose2d(torch.tensor(X, dtype=torch.float64)[None, None],
                                   torch.tensor(K)[None, None], stride=stride, padding=padding)
    np.testing.assert_allclose(state.output, torch_out[0, 0].numpy(), atol=1e-12)
    # every step adds exactly one copy: the partial sums telescope to the result
    steps = [up.conv_transpose_update(X, K, stride, padding, t) for t in range(X.size + 1)]
    np.testing.assert_array_equal(steps[0].full, 0)
    for before, after in zip(steps, steps[1:]):
        r, c = after.corner
        added = after.full - before.full
        np.testing.assert_allclose(added[r:r + K.shape[0], c:c + K.shape[1]],
                                   after.contribution, atol=1e-12)
        assert np.count_nonzero(added[~after.written]) == 0


def test_texts():
    first = up.conv_transpose_update(up.DECK_X, up.DECK_K, 2, 0, 3)
    assert first.text == ("Step 3 of 4: X[1, 0] = 2 times K is added at rows 2–3, columns 0–1 "
                          "of the full output (corner (1·2, 0·2) = (2, 0)).")
    start = up.conv_transpose_update(up.DECK_X, up.DECK_K, 2, 0, 0)
    assert start.position is None and start.text.startswith("Step 0 of 4")
    last = up.conv_transpose_update(up.DECK_X, up.DECK_K, 2)
    assert last.step == 4 and "no padding to crop, that is the 4x4 output" in last.text
    wide = up.conv_transpose_update(np.ones((1, 3)), np.ones((2, 2)), 2)
    assert wide.formula == ("H_out = (1 − 1)·2 − 2·0 + 2 = 2, "
                            "W_out = (3 − 1)·2 − 2·0 + 2 = 6")


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(X=[1, 2, 3]), ValueError, r"X must be a non-empty 2-D array \(rows, cols\)"),
    (dict(K=[["a", "b"]]), TypeError, "K must hold real numbers"),
    (dict(K=[[1, 2], [3]]), TypeError, "K must be a 2-D array of numbers"),
    (dict(X=[[1, np.nan]]), ValueError, "X must hold finite numbers"),
    (dict(stride=0), ValueError, "stride must be an int >= 1, got 0"),
    (dict(stride=1.5), TypeError, "stride must be an int"),
    (dict(padding=-1), ValueError, "padding must be an int >= 0"),
    (dict(step=5), ValueError, "step must be an int in 0..4, got 5"),
    (dict(stride=1, padding=2), ValueError,
     r"padding=2 crops away the whole output: .*\(2 - 1\)\*1 - 2\*2 \+ 1\*\(2 - 1\)"),
])
def test_bad_input(kwargs, error, words):
    args = dict(X=up.DECK_X, K=up.DECK_K, stride=2) | kwargs
    with pytest.raises(error, match=words):
        up.conv_transpose_update(**args)


def test_drawing_marks_the_copy_and_the_crop():
    def count(state, color):
        return int(np.all(np.asarray(up.conv_transpose_image(state)) == color, axis=-1).sum())

    ones = np.ones((3, 3))
    start, step = (up.conv_transpose_update(ones, ones, 2, 1, t) for t in (0, 4))
    assert count(step, up.RGB["window"]) > 0 and count(start, up.RGB["window"]) == 0
    assert count(step, up.RGB["tap"]) > count(start, up.RGB["tap"])  # the cells just written
    assert count(step, up.RGB["frame"]) > 0  # the crop's frame
    pngs = {up.render_conv_transpose_png(up.conv_transpose_update(ones, ones, 2, 1, t))
            for t in range(10)}
    assert len(pngs) == 10 and all(p[:4] == b"\x89PNG" for p in pngs)
    with pytest.raises(TypeError, match="ConvTransposeStep"):
        up.render_conv_transpose_png(DECK_OUT)


def test_explorer_reacts_to_its_controls():
    ex = up.conv_transpose_explorer()
    assert ex.state.step == 4 and ex.step.max == 4
    np.testing.assert_array_equal(ex.state.output, DECK_OUT)
    first = ex.view.value
    ex.step.value = 3
    assert ex.state.position == (1, 0) and ex.view.value != first
    assert "X[1, 0] = 2 times K" in ex.caption.value
    ex.stride.value = 1
    assert ex.state.output.shape == (3, 3) and "= 3" in ex.formula.value
    ex.padding.value = 2  # refused: a message, no exception
    assert ex.state is None and "crops away the whole output" in ex.caption.value
    ex.padding.value = 0
    ex.example.value = "ones: X 3x3, K 3x3 (overlaps add up)"
    assert ex.step.max == 9 and ex.step.value == 9 and ex.state.step == 9
    np.testing.assert_array_equal(ex.state.output, reference(np.ones((3, 3)), np.ones((3, 3)),
                                                              1, 0))
    ex.example.value = "deck: X 2x2, K 2x2"
    assert ex.step.max == 4 and ex.state.step == 4


def test_explorer_refuses_bad_arguments_up_front():
    with pytest.raises(ValueError, match="example must be one of"):
        up.conv_transpose_explorer(example="nope")
    with pytest.raises(ValueError, match="stride must be an int in 1..3"):
        up.conv_transpose_explorer(stride=4)
    with pytest.raises(TypeError, match=r"examples\['bad'\] must be a pair"):
        up.conv_transpose_explorer({"bad": np.ones((2, 2))})
    with pytest.raises(ValueError, match="X must be a non-empty 2-D"):
        up.conv_transpose_explorer({"bad": (np.ones(3), np.ones((2, 2)))})
    ex = up.conv_transpose_explorer({"mine": ([[1, 2]], [[1, -1]])}, stride=1)
    np.testing.assert_array_equal(ex.state.output, [[1, 1, -2]])


def test_animation_twin():
    html = plot.animation_html(up.conv_transpose_animation(),
                               alt="each input value times K is added into the output").data
    assert html.count('] = "data:image/png;base64') == 5 and len(html) < 300_000
    ones = np.ones((3, 3))
    html = plot.animation_html(up.conv_transpose_animation(ones, ones, 2, 1)).data
    assert html.count('] = "data:image/png;base64') == 10
    with pytest.raises(ValueError, match="padding=2 crops away"):
        up.conv_transpose_animation(stride=1, padding=2)
