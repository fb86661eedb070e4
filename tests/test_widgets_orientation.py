"""Tests for cnn_lib.widgets.orientation (the model simple cell of chapter 1) and data.bar."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnn_lib import data, plot
from cnn_lib.widgets import orientation as o


def test_bar_angles_and_shape():
    horizontal, vertical = data.bar(0, 9, 7, 1), data.bar(90, 9, 7, 1)
    np.testing.assert_array_equal(horizontal[4, 1:8], np.ones(7))
    np.testing.assert_allclose(vertical, horizontal.T, atol=1e-12)
    rising = data.bar(45, 9, 7, 1)
    assert rising[2, 6] == pytest.approx(1) == rising[6, 2] and rising[2, 2] == 0  # rises right
    assert 0 <= rising.min() and rising.max() <= 1
    np.testing.assert_allclose(data.bar(30), data.bar(210), atol=1e-12)  # same orientation
    with pytest.raises(ValueError, match="positive"):
        data.bar(0, width=0)
    with pytest.raises(TypeError, match="angle"):
        data.bar("45")


def test_oriented_filter_is_balanced_and_turns_with_its_angle():
    f0, f90 = o.oriented_filter(0), o.oriented_filter(90)
    assert abs(f0.sum()) < 1e-12  # an even field of light gives nothing
    np.testing.assert_allclose(f90, f0.T, atol=1e-12)
    assert f0[4, 4] == f0.max() and f0[2, 4] < 0  # excitatory centre, inhibitory flanks
    with pytest.raises(ValueError, match="size"):
        o.oriented_filter(0, size=2)


def test_response_map_matches_torch_and_relu():
    stimulus, field = data.bar(20), o.oriented_filter(10)
    expected = F.relu(F.conv2d(torch.tensor(stimulus)[None, None], torch.tensor(field)[None, None],
                               padding="same"))[0, 0].numpy()
    np.testing.assert_allclose(o.simple_cell_response(stimulus, field), expected, atol=1e-12)


@pytest.mark.parametrize("preferred", [0, 45, 90, 135])
def test_tuning_curve_peaks_at_the_preferred_orientation(preferred):
    curve = o.tuning_curve(preferred)
    assert o.ANGLES[np.argmax(curve)] % 180 == pytest.approx(preferred, abs=5)
    orthogonal = curve[list(o.ANGLES).index((preferred + 90) % 180)]
    assert orthogonal < 0.05 * curve.max()  # the orthogonal bar barely excites the cell
    width = 5 * (curve >= curve.max() / 2).sum()  # full width at half maximum, in degrees
    assert 20 <= width <= 70  # a few tens of degrees, like a cortical simple cell


def test_update_and_drawing():
    state = o.orientation_update(30, preferred=0)
    assert state.stimulus.shape == (25, 25) and state.response == state.response_map[12, 12]
    assert 0 < state.response < state.curve.max()
    png = o.render_orientation_png(state)
    assert png[:4] == b"\x89PNG" and png != o.render_orientation_png(o.orientation_update(0))
    with pytest.raises(TypeError, match="OrientationState"):
        o.render_orientation_png(None)
    with pytest.raises(TypeError, match="angle"):
        o.orientation_update(None)


def test_explorer_wiring_and_animation():
    ex = o.orientation_explorer()
    first = ex.view.value
    assert ex.state.angle == 0 and "100%" in ex.caption.value
    ex.angle.value = 90
    assert ex.view.value != first and "0%" in ex.caption.value
    ex.preferred.value = 90
    assert ex.state.response == pytest.approx(ex.state.curve.max())
    html = plot.animation_html(o.orientation_animation(step=30), alt="a bar turns").data
    assert html.count('] = "data:image/png;base64') == 7
    with pytest.raises(ValueError, match="step"):
        o.orientation_animation(step=0)
