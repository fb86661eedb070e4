"""Tests for cnn_lib.widgets.padding_stride: the update functions against PyTorch, the size
messages, the drawings, the explorers' wiring and the static twins."""

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cnn_lib import arithmetic, plot
from cnn_lib.widgets import cells
from cnn_lib.widgets import padding_stride as ps

MODES = ["zeros", "reflect", "replicate", "circular"]


@st.composite
def fitting_settings(draw):
    size = draw(st.integers(1, 9))
    kernel, dilation = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    mode = draw(st.sampled_from(MODES))
    max_pad = {"reflect": size - 1, "circular": size}.get(mode, 3)
    padding = draw(st.integers(0, min(3, max_pad)))
    span = dilation * (kernel - 1) + 1
    if span > size + 2 * padding:
        kernel, dilation = 1, 1
    return size, kernel, padding, draw(st.integers(1, 3)), dilation, mode


def torch_layer(size, kernel, padding, stride, dilation, mode):
    """nn.Conv2d with all-ones weights: what the explorer's output shows."""
    conv = torch.nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False,
                           padding_mode=mode).double()
    with torch.no_grad():
        conv.weight.fill_(1.0)
    return conv


@settings(max_examples=60, deadline=None)
@given(fitting_settings())
def test_geometry_matches_torch(setting):
    size, kernel, padding, stride, dilation, mode = setting
    g = ps.conv_geometry(*setting)
    x = torch.tensor(ps.example_input(size))[None, None].requires_grad_()
    out = torch_layer(*setting)(x)
    assert g.fits and g.output_size == out.shape[-1]
    assert len(g.corners) == g.output_size**2
    np.testing.assert_allclose(g.output, out[0, 0].detach().numpy())
    # input cells no window reads are the ones whose gradient is zero
    out.sum().backward()
    np.testing.assert_array_equal(g.unread, x.grad[0, 0].numpy() == 0)
    # the padded input is what F.pad makes (PyTorch calls 'zeros' 'constant' there)
    padded = F.pad(x.detach(), (padding,) * 4, mode="constant" if mode == "zeros" else mode)
    np.testing.assert_array_equal(g.padded, padded[0, 0].numpy())
    assert g.is_padding.sum() == g.padded.size - size * size
    assert g.whole == ((size + 2 * padding - g.span) % stride == 0)


def test_coverage_counts_the_windows_on_each_cell():
    g = ps.conv_geometry(5, 3, padding=1)
    brute = np.zeros_like(g.coverage)
    for r, c in g.corners:
        for a, b in g.taps:
            brute[r + a, c + b] += 1
    np.testing.assert_array_equal(g.coverage, brute)
    assert g.coverage[0, 0] == 1 and g.coverage[3, 3] == 9  # corners are read least


def test_deck_example_7x7_with_strides_1_2_3_001():
    assert [ps.conv_geometry(7, 3, stride=s).output_size for s in (1, 2, 3)] == [5, 3, 2]
    assert ps.conv_geometry(7, 3, stride=2).whole
    g = ps.conv_geometry(7, 3, stride=3)
    assert not g.whole
    assert "(7 - 3 + 2*0) / 3 + 1 = 2.33 is not a whole number" in g.message
    assert "PyTorch floors it to 2" in g.message and "last 1 row(s)" in g.message
    assert g.unread[6].all() and g.unread[:, 6].all() and not g.unread[:6, :6].any()
    assert g.formula == "H_out = ⌊(7 + 2·0 − 1·(3 − 1) − 1) / 3⌋ + 1 = ⌊4/3⌋ + 1 = 2"
    assert ps.conv_geometry(7, 3, padding=1).output_size == 7  # pad 1 keeps 7x7


def test_half_and_full_padding_and_dilation():
    assert ps.conv_geometry(5, 3, padding=1).output_size == 5
    assert ps.conv_geometry(5, 3, padding=2).output_size == 7
    g = ps.conv_geometry(7, 3, dilation=2)
    assert g.span == 5 and g.output_size == 3
    assert g.taps == [(a, b) for a in (0, 2, 4) for b in (0, 2, 4)]
    assert g.output[1, 1] == 9 + 11 + 13 + 23 + 25 + 27 + 37 + 39 + 41


def test_a_kernel_that_does_not_fit():
    g = ps.conv_geometry(3, 5)
    assert not g.fits and g.output_size == 0 and g.corners == []
    assert "spans 5 cells but the padded input is only 3 + 2·0 = 3 wide" in g.message
    assert g.formula.endswith("= ⌊-2/1⌋ + 1 = -1: less than 1, no output")
    assert ps.conv_geometry(3, 5, padding=1).output_size == 1


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=5, mode="mirror"), ValueError, "mode must be one of"),
    (dict(size=3, padding=3, mode="reflect"), ValueError, "needs padding < size"),
    (dict(size=3, padding=4, mode="circular"), ValueError, "needs padding <= size"),
    (dict(size=0), ValueError, "size must be an int >= 1, got 0"),
    (dict(size=5.0), TypeError, "size must be an int, got float"),
    (dict(stride=0), ValueError, "stride"),
    (dict(padding=-1), ValueError, "padding"),
])
def test_conv_geometry_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        ps.conv_geometry(**kwargs)


# --------------------------------------------------------------------------- drawings
def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


def test_labels_never_overlap_and_the_output_follows_the_input_panel():
    image = np.asarray(ps.geometry_image(ps.conv_geometry(4, 3), 0, cell=22))
    # the output panel starts right of the input panel's label ("input 4x4, padding 0 ...")
    label_end = cells.text_width("input 4x4, padding 0 (zeros)", cells.TEXT)
    green = np.nonzero(np.all(image == ps.RGB["done"], axis=-1))[1]
    assert green.min() > 8 + label_end


def test_drawing_follows_the_window():
    g = ps.conv_geometry(5, 3, padding=1)
    first, second = ps.render_geometry_png(g, 0), ps.render_geometry_png(g, 1)
    assert first != second and png_size(first) == png_size(second)
    assert ps.render_geometry_png(g, len(g.corners)) == first  # positions wrap around
    image = np.asarray(ps.geometry_image(g, 0))
    orange = np.all(image == ps.RGB["window"], axis=-1)
    assert orange.any()  # the window's frame is drawn
    assert png_size(ps.render_geometry_png(ps.conv_geometry(9, 5, 3))) > png_size(first)
    with pytest.raises(TypeError, match="ConvGeometry"):
        ps.render_geometry_png("7x7")
    with pytest.raises(ValueError, match="position"):
        ps.render_geometry_png(g, -1)


def test_unread_cells_are_crossed_in_red():
    with_unread = np.asarray(ps.geometry_image(ps.conv_geometry(7, 3, stride=3)))
    without = np.asarray(ps.geometry_image(ps.conv_geometry(7, 3, stride=2)))
    red = lambda im: np.all(im == ps.RGB["unread"], axis=-1).sum()  # noqa: E731
    assert red(with_unread) > 100 and red(without) == 0


def test_conv_arithmetic_animations():
    total = 0
    for args, frames in [((4, 3), 4), ((5, 3, 1), 25), ((3, 3, 2), 25), ((5, 3, 0, 2), 4),
                         ((5, 3, 1, 2), 9), ((7, 3, 0, 1, 2), 9)]:
        anim = ps.conv_arithmetic_animation(*args)
        html = plot.animation_html(anim).data
        assert html.count('] = "data:image/png;base64') == frames, args
        assert "Play" in html or "play" in html
        assert len(html) < 400_000, (args, len(html))
        total += len(html)
    # the six figures of the chapter, as wide as the text column since issue 17 (twice the
    # pixels of the first 370-pixel ones): the page stays far under 5 MB
    assert total < 1_150_000
    with pytest.raises(ValueError, match="nothing to animate"):
        ps.conv_arithmetic_animation(3, 5)


# --------------------------------------------------------------------------- explorer
def test_explorer_sliders_redraw_and_report():
    ex = ps.padding_stride_explorer()
    assert ex.geometry.output_size == 5 and ex.position.max == 24
    first = ex.view.value
    ex.stride.value = 2
    assert ex.geometry.output_size == 3 and ex.position.max == 8 and ex.view.value != first
    assert "Fits evenly" in ex.message.value
    ex.stride.value = 3
    assert "2.33" in ex.message.value and "#b00" in ex.message.value
    assert "⌊4/3⌋" in ex.formula.value
    before = ex.view.value
    ex.position.value = 3
    assert ex.view.value != before
    ex.size.value, ex.padding.value = 3, 3
    ex.mode.value = "reflect"  # refused: shown as a message, no exception
    assert ex.geometry is None and "needs padding < size" in ex.message.value
    ex.padding.value = 1
    assert ex.geometry.padded.shape == (5, 5) and ex.geometry.mode == "reflect"


def test_explorer_refuses_bad_arguments_up_front():
    with pytest.raises(ValueError, match="mode"):
        ps.padding_stride_explorer(mode="edge")


# --------------------------------------------------------------------------- receptive field
def torch_input_gradient(layers, input_size, row, col):
    x = torch.zeros(1, 1, input_size, input_size, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, p, d in layers:
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, padding=p,
                     dilation=d)
    y[0, 0, row, col].backward()
    return x.grad[0, 0].numpy()


@pytest.mark.parametrize("name", list(ps.RECEPTIVE_FIELD_STACKS))
def test_receptive_field_region_matches_autograd(name):
    input_size, layers = ps.RECEPTIVE_FIELD_STACKS[name]
    n = ps.receptive_field_update(layers, input_size, 0, 0).sizes[-1]
    for row, col in [(0, 0), (n // 2, n // 2), (n - 1, 1)]:
        state = ps.receptive_field_update(layers, input_size, row, col)
        grad = torch_input_gradient(layers, input_size, row, col)
        np.testing.assert_allclose(state.paths[0], grad)
        rows, cols = np.nonzero(grad)
        assert state.region == (rows.min(), rows.max(), cols.min(), cols.max())
        assert state.field == arithmetic.receptive_field([(k, s, d) for k, s, p, d in layers])
    # away from the border the region is the whole receptive field
    centre = ps.receptive_field_update(layers, input_size, n // 2, n // 2)
    top, bottom, left, right = centre.region
    if name != "ResNet stem: 7x7 conv / 2, 3x3 pool / 2":  # its centre field crosses no border
        assert bottom - top + 1 == centre.field.size


def test_receptive_field_texts():
    layers = [(3, 1, 1, 1)] * 3
    state = ps.receptive_field_update(layers, 11, 5, 5)
    assert state.region == (2, 8, 2, 8) and state.field == (7, 1)
    assert "rows 2–8 and columns 2–8: 7x7 cells. Receptive field 7" in state.text
    corner = ps.receptive_field_update(layers, 11, 0, 0)
    assert corner.region == (0, 3, 0, 3) and "lies on the padding" in corner.text
    stem = ps.receptive_field_update(*ps.RECEPTIVE_FIELD_STACKS[
        "ResNet stem: 7x7 conv / 2, 3x3 pool / 2"][::-1], 3, 4)
    assert stem.sizes == [32, 16, 8] and stem.field == (11, 4)
    assert stem.region == (3 * 4 - 5, 3 * 4 + 5, 4 * 4 - 5, 4 * 4 + 5)


@pytest.mark.parametrize("args, error, words", [
    (([(3, 1, 1)], 11, 0, 0), ValueError, r"layers\[0\] must be \(kernel_size, stride, padding"),
    (([], 11, 0, 0), TypeError, "non-empty list"),
    (([(3, 1, 1, 1)], 11, 11, 0), ValueError, "row must be an int in 0..10, got 11"),
    (([(9, 1, 0, 1)], 5, 0, 0), ValueError, r"layers\[0\] does not fit its 5x5 input"),
    (([(3, 0, 1, 1)], 11, 0, 0), ValueError, r"layers\[0\] stride"),
])
def test_receptive_field_update_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        ps.receptive_field_update(*args)


def test_receptive_field_explorer_wiring():
    ex = ps.receptive_field_explorer()
    assert ex.state.unit == (5, 5) and ex.row.max == 10
    first = ex.view.value
    ex.row.value = 0
    assert ex.state.unit == (0, 5) and ex.view.value != first
    assert "Output unit (0, 5)" in ex.caption.value
    ex.stack.value = "ResNet stem: 7x7 conv / 2, 3x3 pool / 2"
    assert ex.row.max == 7 and ex.state.unit == (4, 4) and ex.state.field == (11, 4)
    with pytest.raises(ValueError, match=r"stacks\['bad'\]"):
        ps.receptive_field_explorer({"bad": [(3, 1, 1, 1)]})


def test_receptive_field_animation():
    input_size, layers = ps.RECEPTIVE_FIELD_STACKS["3x3 conv, 2x2 pool (stride 2), 3x3 conv"]
    html = plot.animation_html(ps.receptive_field_animation(layers, input_size)).data
    assert html.count('] = "data:image/png;base64') == 8
    png = ps.render_receptive_field_png(ps.receptive_field_update(layers, input_size, 2, 2))
    assert png[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="ReceptiveFieldState"):
        ps.render_receptive_field_png(None)
