"""Tests for cnn_lib.widgets.pooling: the shift, the change count, the update function against
PyTorch's pooling, the drawing, the explorer's wiring and the static twin."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import plot
from cnn_lib.widgets import pooling as pw

TOY = np.pad(np.array([[0, 3, 1, 0], [5, 2, 0, 4], [1, 0, 6, 1], [0, 2, 1, 0]], float), 2)


def test_shift_right_is_a_real_shift():
    x = np.arange(1, 7, dtype=float).reshape(1, 6)
    np.testing.assert_array_equal(pw.shift_right(x, 2), [[0, 0, 1, 2, 3, 4]])
    np.testing.assert_array_equal(pw.shift_right(x, 0), x)
    batch = np.random.default_rng(0).normal(size=(3, 2, 5, 5))
    np.testing.assert_array_equal(pw.shift_right(batch, 1)[..., 1:], batch[..., :-1])
    with pytest.raises(ValueError, match="pixels"):
        pw.shift_right(x, -1)


def test_fraction_changed_counts_only_active_outputs():
    before = np.array([0, 0, 1, 2, 0, 0])
    after = np.array([0, 0, 1, 3, 4, 0])
    assert pw.fraction_changed(before, after) == pytest.approx(2 / 3)  # 3 active, 2 change
    assert pw.fraction_changed(np.zeros(4), np.zeros(4)) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        pw.fraction_changed(np.zeros(3), np.zeros(4))


def test_relative_change_is_per_sample_and_has_no_tolerance():
    before = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 0.0]])  # the third sample is left out
    after = np.array([[3.0, 4.5], [0.0, 1.0], [5.0, 0.0]])
    # sample 0: 0.5 / 5 = 0.1; sample 1: a value that moves, sqrt(2)
    assert pw.relative_change(before, after) == pytest.approx((0.1 + np.sqrt(2)) / 2)
    assert pw.relative_change(before, before) == 0.0
    tiny = pw.relative_change(before[:1], before[:1] * (1 + 1e-6))
    assert 0 < tiny == pytest.approx(1e-6)  # a tiny change counts as tiny, not as a change
    assert pw.relative_change(np.zeros((2, 3)), np.ones((2, 3))) == 0.0
    with pytest.raises(ValueError, match="same shape"):
        pw.relative_change(np.zeros((2, 3)), np.zeros((2, 4)))
    # backwards compatible: fraction_changed still counts every change above 1e-9
    assert pw.fraction_changed(before[:1], before[:1] * (1 + 1e-6)) == 1.0


def test_a_row_where_half_the_pooled_outputs_change():
    """The chapter's by-hand example: every detector value changes, half the pooled ones."""
    before = np.array([[1.0, 5, 2, 0, 1, 3]])
    after = np.array([[0.0, 1, 5, 2, 0, 1]])  # shifted right, a 0 comes in
    assert (before != after).all()
    pool = lambda r: F.max_pool1d(torch.tensor(r)[None], 3, 1)[0, 0].numpy()  # noqa: E731
    np.testing.assert_array_equal(pool(before), [5, 5, 2, 3])
    np.testing.assert_array_equal(pool(after), [5, 5, 5, 2])
    assert pw.fraction_changed(pool(before), pool(after)) == 0.5


@pytest.mark.parametrize("kind, torch_pool", [
    ("max", lambda x, k, s: F.max_pool2d(x, k, s)),
    ("average", lambda x, k, s: F.avg_pool2d(x, k, s)),
    ("L2", lambda x, k, s: F.lp_pool2d(x, 2, k, s)),
])
@pytest.mark.parametrize("kernel_size, stride, shift", [(2, 2, 1), (3, 1, 1), (3, 2, 2),
                                                         (2, 1, 0)])
def test_update_matches_torch(kind, torch_pool, kernel_size, stride, shift):
    state = pw.pooling_shift_update(TOY, kind, kernel_size, stride, shift)
    expected = torch_pool(torch.tensor(TOY)[None, None], kernel_size, stride)[0, 0].numpy()
    shifted = torch.tensor(pw.shift_right(TOY, shift))[None, None]
    expected_shifted = torch_pool(shifted, kernel_size, stride)[0, 0].numpy()
    np.testing.assert_allclose(state.pooled, expected)
    np.testing.assert_allclose(state.pooled_shifted, expected_shifted)
    np.testing.assert_array_equal(state.changed, ~np.isclose(expected, expected_shifted))
    assert state.fraction == pytest.approx(pw.fraction_changed(expected, expected_shifted))
    if shift == 0:
        assert state.fraction == 0 and not state.changed.any()
    assert f"{kind} pooling {kernel_size}x{kernel_size}, stride {stride}, shift {shift}" in (
        state.text)


def test_max_pooling_is_more_resilient_than_average_on_a_digit():
    digit = pw._digit_images()[3]
    fractions = {kind: pw.pooling_shift_update(digit, kind, 3, 1, 1).fraction
                 for kind in pw.POOLINGS}
    assert fractions["max"] < 0.7 < fractions["average"] and fractions["L2"] > 0.9
    state = pw.pooling_shift_update(digit, "max", 3, 1, 1)
    assert state.input_fraction > 0.9  # nearly every active input pixel changed


def test_caption_counts_are_unambiguous():
    # the counts in the sentence, recounted from the two pooled maps
    state = pw.pooling_shift_update(TOY, "max", 2, 2, 1)
    before, after = state.pooled, state.pooled_shifted
    active = (before != 0) | (after != 0)
    changed = before != after
    assert (changed & ~active).sum() == 0  # a change is always among the active outputs
    words = (f"{changed.sum()} of the {active.sum()} active outputs change "
             f"({changed.sum() / active.sum():.0%}), of {before.size} outputs in all")
    assert words in state.text
    # the explorer's first view (digit 0): the caption reads 11 of 15 (73%), not "11 of 36"
    digit = pw.pooling_shift_update(pw._digit_images()[0], "max", 2, 2, 1)
    assert "11 of the 15 active outputs change (73%), of 36 outputs in all" in digit.text
    assert "98% of the active input pixels change" in digit.text


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(image=np.ones(5)), ValueError, "2-D"),
    (dict(image=TOY, kind="min"), ValueError, "kind must be one of"),
    (dict(image=TOY, kernel_size=0), ValueError, "kernel_size"),
    (dict(image=TOY, kernel_size=9), ValueError, "kernel_size must be an int in 1..8"),
    (dict(image=TOY, stride=1.5), TypeError, "stride must be an int"),
    (dict(image=TOY, shift=-1), ValueError, "shift"),
])
def test_update_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        pw.pooling_shift_update(**kwargs)


def test_drawing_outlines_the_changed_outputs():
    state = pw.pooling_shift_update(TOY, "max", 2, 2, 1)
    image = np.asarray(pw.pooling_shift_image(state))
    red = np.all(image == pw.CHANGED, axis=-1).sum()
    still = np.asarray(pw.pooling_shift_image(pw.pooling_shift_update(TOY, "max", 2, 2, 0)))
    assert red > 0 and np.all(still == pw.CHANGED, axis=-1).sum() == 0
    assert pw.render_pooling_shift_png(state)[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="PoolingShift"):
        pw.pooling_shift_image(TOY)


def test_cells_print_decimals_unless_the_values_are_whole():
    # max pooling of whole numbers prints whole numbers; the same digit scaled to [0, 1] (as
    # data.load_digits gives it) needs a decimal, or 0.8 and 0.9 both print as "1"
    digit = pw._digit_images()[3]
    assert pw._number_format(pw.pooling_shift_update(digit, "max", 2, 2, 1)) == ".0f"
    scaled = pw.pooling_shift_update(digit / 16, "max", 2, 2, 1)
    assert pw._number_format(scaled) == ".1f"
    assert pw._number_format(pw.pooling_shift_update(digit, "average", 2, 2, 1)) == ".1f"
    # cells of 24 pixels by default (numbers 11 pixels high): 12 rows of the 12x12 digit, under
    # two lines of text (the animation) or none (the explorer, whose caption says it)
    assert pw.pooling_shift_image(scaled).size[1] == 66 + 12 * 24 + 8
    assert pw.pooling_shift_image(scaled, title=False).size[1] == 22 + 12 * 24 + 8


def test_explorer_wiring():
    ex = pw.pooling_explorer()
    assert ex.state.kind == "max" and ex.state.shift == 1
    first = ex.view.value
    ex.shift.value = 0
    assert ex.state.fraction == 0 and ex.view.value != first
    ex.kind.value = "average"
    ex.shift.value = 2
    assert ex.state.kind == "average" and "average pooling" in ex.caption.value
    ex.digit.value = 7
    np.testing.assert_array_equal(ex.state.image, pw._digit_images()[7])
    with pytest.raises(ValueError, match="at least 4x4"):
        pw.pooling_explorer([np.ones((2, 2))])


def test_animation_twin():
    anim = pw.pooling_shift_animation(pw._digit_images()[3], shifts=3)
    html = plot.animation_html(anim, alt="a digit slides right").data
    assert html.count('] = "data:image/png;base64') == 4 and len(html) < 300_000
