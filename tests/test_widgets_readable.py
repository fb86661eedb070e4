"""Readable explorers (issue 17) and the shared drawing helpers of cnn_lib.widgets.cells.

Every picture an explorer shows and every frame of an animation twin carries a PNG tEXt stamp,
``cnn_lib:smallest_text_px``: the height in pixels of its smallest text (``none`` without
text). The book's browser test reads it; here it must be true (the Canvas notes each text it
draws) and large enough: at least 10 px where the picture is shown, that is, at its natural
size up to the 757 px text column (a wider picture is shrunk, and its text with it).
Animations are as wide as the text column (about 740 px), or as tall as a screen allows.
"""

import base64
import io
import re
import warnings

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from cnn_lib import data, plot, widgets
from cnn_lib.house_style import COLUMN_PX, MIN_TEXT_PX, STAMP_KEY, read_stamp
from cnn_lib.widgets import cells
from cnn_lib.widgets import convolution as cv
from cnn_lib.widgets import detection as dw
from cnn_lib.widgets import features as fw
from cnn_lib.widgets import orientation as ow
from cnn_lib.widgets import padding_stride as ps
from cnn_lib.widgets import pooling as pw
from cnn_lib.widgets import upsampling as up


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64, 10)).eval()


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()[1][:10]


def shown_text_px(png):
    """The stamp of ``png`` (bytes) and the smallest text a reader sees, in CSS px: the
    stamp, shrunk with the picture if it is wider than the column."""
    png = bytes(png)  # an ipywidgets.Image holds a memoryview
    stamp = read_stamp(png)
    assert stamp is not None, "the PNG carries no cnn_lib:smallest_text_px stamp"
    width = Image.open(io.BytesIO(png)).size[0]
    return stamp, (None if stamp == "none" else stamp * min(1.0, COLUMN_PX / width))


def assert_readable(png, name):
    png = bytes(png)
    stamp, shown = shown_text_px(png)
    width = Image.open(io.BytesIO(png)).size[0]
    assert width <= COLUMN_PX, f"{name}: {width} px wide, wider than the column"
    assert stamp == "none" or shown >= MIN_TEXT_PX, f"{name}: smallest text {shown:.1f} px"
    return stamp


# --------------------------------------------------------------------------- explorers
def explorer_pictures(model, digits):
    """(name, PNG bytes) of every explorer's view, at the settings that draw the widest
    pictures the sliders allow as well as the defaults."""
    f = widgets.filter_explorer({"ramp": np.tile(np.linspace(0, 1, 32), (32, 1))})
    yield "filter input", f.input_view.value
    yield "filter output", f.output_view.value
    yield "stepper", widgets.sliding_window_stepper().view.value
    e = widgets.padding_stride_explorer()
    yield "padding/stride", e.view.value
    e.size.value, e.kernel_size.value, e.padding.value = 9, 5, 3  # a 15x15 padded input
    yield "padding/stride 15x15", e.view.value
    e = widgets.receptive_field_explorer()
    for name in widgets.RECEPTIVE_FIELD_STACKS:
        e.stack.value = name
        yield f"receptive field: {name}", e.view.value
    e = widgets.pooling_explorer()
    yield "pooling", e.view.value
    e.kind.value, e.kernel_size.value, e.stride.value = "average", 1, 1  # a 12x12 map
    yield "pooling 12x12", e.view.value
    yield "orientation", widgets.orientation_explorer().view.value
    e = widgets.feature_explorer(model, digits)
    for layer in fw.layer_names(model):
        e.layer.value = layer
        yield f"feature maps, layer {layer}", e.view.value
    yield "IoU", widgets.iou_explorer().view.value
    yield "NMS", widgets.nms_explorer().view.value
    e = widgets.conv_transpose_explorer()
    yield "transposed convolution", e.view.value
    e.example.value = "ones: X 3x3, K 3x3 (overlaps add up)"
    e.stride.value = 3  # a 9x9 full output
    yield "transposed convolution 9x9", e.view.value


def test_every_explorer_picture_is_stamped_and_readable(model, digits):
    stamps = {name: assert_readable(png, name) for name, png in explorer_pictures(model, digits)}
    assert len(stamps) >= 20
    text_free = {name for name, stamp in stamps.items() if stamp == "none"}
    assert text_free == {"filter input", "filter output"}  # the filtered images have no text


def test_render_functions_are_stamped(model, digits):
    state = fw.feature_maps_update(model, digits, 0, "0")
    pngs = {
        "render_filter_png": cv.render_filter_png(np.eye(4)),
        "render_stepper_png": cv.render_stepper_png(
            cv.TOY_X, cv.TOY_K, cv.stepper_state(cv.TOY_X, cv.TOY_K, 4)),
        "render_geometry_png": ps.render_geometry_png(ps.conv_geometry(7, 3, 1, 2)),
        "render_receptive_field_png": ps.render_receptive_field_png(
            ps.receptive_field_update([(3, 1, 1, 1)] * 3, 11, 5, 5)),
        "render_pooling_shift_png": pw.render_pooling_shift_png(
            pw.pooling_shift_update(np.eye(8), "max", 2, 2, 1)),
        "render_orientation_png": ow.render_orientation_png(ow.orientation_update(45)),
        "render_feature_maps_png": fw.render_feature_maps_png(state),
        "render_iou_png": dw.render_iou_png(dw.iou_update()),
        "render_nms_png": dw.render_nms_png(dw.nms_update(*dw.nms_example())),
        "render_conv_transpose_png": up.render_conv_transpose_png(
            up.conv_transpose_update(up.DECK_X, up.DECK_K, 2, 0, 2)),
    }
    for name, png in pngs.items():
        stamp = assert_readable(png, name)
        assert (stamp == "none") == (name == "render_filter_png"), name


def test_the_stamp_is_the_smallest_text_drawn():
    # the IoU picture: its grid coordinates are SMALL, the rest TEXT or larger
    assert read_stamp(dw.render_iou_png(dw.iou_update())) == cells.SMALL
    # the padding explorer's numbers: about half a cell, never under 10 px
    g = ps.conv_geometry(9, 5, 3)
    assert read_stamp(ps.render_geometry_png(g)) == cells.number_size(24) == 11
    assert read_stamp(cells.png_bytes(ps.geometry_image(g, cell=28))) == 13
    # matplotlib explorers: measured on the figure (9 pt titles at 100 dpi)
    assert read_stamp(ow.render_orientation_png(ow.orientation_update(0))) == pytest.approx(
        9 * 100 / 72, abs=0.01)


# --------------------------------------------------------------------------- animations
def animations(model, digits):
    stack = widgets.RECEPTIVE_FIELD_STACKS["3x3 conv, 2x2 pool (stride 2), 3x3 conv"]
    yield "multichannel", widgets.multichannel_animation()
    yield "conv arithmetic 4, 3", widgets.conv_arithmetic_animation(4, 3)
    yield "conv arithmetic 5, 3, P=1", widgets.conv_arithmetic_animation(5, 3, padding=1)
    yield "conv arithmetic 7, 3, D=2", widgets.conv_arithmetic_animation(7, 3, dilation=2)
    yield "receptive field", widgets.receptive_field_animation(stack[1], stack[0])
    yield "pooling", widgets.pooling_shift_animation(pw._digit_images()[3], "max", 2, 2)
    yield "orientation", widgets.orientation_animation(step=45)
    yield "feature maps", widgets.feature_maps_animation(model, digits[2])
    yield "IoU", widgets.iou_animation()
    yield "NMS", widgets.nms_animation()
    yield "transposed convolution", widgets.conv_transpose_animation()


FRAME = re.compile(r'frames\[\d+\] = "data:image/png;base64,([^"]*)"')


def test_every_animation_is_stamped_readable_and_as_wide_as_the_column(model, digits):
    for name, anim in animations(model, digits):
        fig = anim._fig
        width, height = np.round(fig.get_size_inches() * fig.dpi)
        assert width <= cells.ANIMATION_PX and height <= cells.ANIMATION_MAX_HEIGHT, name
        # as wide as the column, unless that would make it taller than a screen
        assert width >= cells.ANIMATION_PX - 2 or height >= cells.ANIMATION_MAX_HEIGHT - 2, (
            name, width, height)
        assert plot.smallest_text_px(fig) >= MIN_TEXT_PX, name
        html = plot.animation_html(anim, alt=name).data
        src = re.search(r'<img src="data:image/png;base64,([^"]*)"', html).group(1)
        first = base64.b64decode(src)
        assert read_stamp(first) == pytest.approx(plot.smallest_text_px(fig), abs=0.01), name
        # matplotlib's movie writers round a figure down to an even number of pixels
        shown = Image.open(io.BytesIO(first)).size
        assert abs(shown[0] - width) <= 2 and abs(shown[1] - height) <= 2, name
        frames = [base64.b64decode(f.replace("\\\n", "")) for f in FRAME.findall(html)]
        assert len(frames) == anim._save_count or len(frames) > 1, name
        if isinstance(anim, cells._PictureAnimation):  # PIL frames carry the stamp too
            assert all(read_stamp(f) == read_stamp(first) for f in frames), name


def test_picture_animations_embed_their_own_pngs():
    frames = [cells.Canvas(100, 40).finish() for _ in range(3)]
    anim = cells.image_animation(frames, 100, colors=4)
    html = anim.to_jshtml()
    assert len(FRAME.findall(html)) == 3 and html == anim.to_jshtml()  # computed once
    assert plot.animation_html(anim).data.count("<img ") == 1


# --------------------------------------------------------------------------- cells helpers
def test_canvas_notes_the_smallest_text_and_scales_everything():
    canvas = cells.Canvas(100, 50)
    assert canvas.finish().info[STAMP_KEY] == "none"
    canvas.text((5, 5), "A", 13)
    canvas.text((5, 25), "b", 11)
    canvas.text((5, 40), "  ", 6)  # blank: nothing a reader has to read
    assert canvas.finish().info[STAMP_KEY] == "11"
    big = cells.Canvas(100, 50, scale=2.0)
    big.text((5, 5), "A", 11)
    big.rectangle((10, 10, 20, 20), fill=(255, 0, 0))
    image = big.finish()
    assert image.size == (200, 100) and image.info[STAMP_KEY] == "22"
    red = np.all(np.asarray(image) == (255, 0, 0), axis=-1)
    rows, cols = np.nonzero(red)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (20, 40, 20, 40)


def test_png_bytes_stamps():
    canvas = cells.Canvas(60, 30)
    canvas.text((2, 2), "12", 12)
    png = cells.png_bytes(canvas.finish())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).text[STAMP_KEY] == "12" and read_stamp(png) == 12
    assert read_stamp(cells.png_bytes(Image.new("RGB", (4, 4)))) == "none"
    assert read_stamp(cells.png_bytes(Image.new("RGB", (4, 4)), 10.5)) == 10.5
    small = cells.png_bytes(Image.new("RGB", (64, 64)), compress_level=6)
    assert len(small) <= len(cells.png_bytes(Image.new("RGB", (64, 64))))


def test_panel_row_fits_each_label():
    lefts, right = cells.panel_row([40, 60], gap=10, left=0)
    assert (lefts, right) == ([0, 50], 110)
    label = "a label wider than its panel"
    lefts, right = cells.panel_row([10, 10], [label, ""], gap=5, left=8)
    assert lefts[1] == pytest.approx(8 + cells.text_width(label) + 5)
    assert right == pytest.approx(lefts[1] + 10)
    assert cells.wrap("one two three", cells.text_width("one two")) == ["one two", "three"]
    assert cells.number_size(16) == 10 and cells.number_size(30) == 14


def test_scaled_frames_fill_the_column():
    def draw(k, scale):
        canvas = cells.Canvas(200 + 10 * k, 100, scale)
        canvas.text((4, 4), f"frame {k}", 10)
        return canvas.finish()

    frames = cells.scaled_frames(draw, 5)
    assert max(f.size[0] for f in frames) == cells.ANIMATION_PX
    assert {f.info[STAMP_KEY] for f in frames} == {"31"}  # 10 px at 740 / 240
    tall = cells.scaled_frames(lambda k, scale: cells.Canvas(100, 400, scale).finish(), 2)
    assert tall[0].size == (180, cells.ANIMATION_MAX_HEIGHT)
    assert cells.animation_scale(1000, 100) == 1.0  # never drawn smaller than the explorer


def test_image_animation_pads_frames_and_notes_their_text():
    a, b = cells.Canvas(50, 20), cells.Canvas(80, 30)
    a.text((1, 1), "x", 14)
    b.text((1, 1), "y", 12)
    anim = cells.image_animation([a.finish(), b.finish()], 200, dpi=100)
    assert tuple(np.round(anim._fig.get_size_inches() * 100)) == (80, 30)
    assert plot.smallest_text_px(anim._fig) == 12
    assert not plt.get_fignums()  # closed: only animation_html shows it


def test_closed_animation_is_closed_and_quiet():
    fig = plt.figure()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        anim = cells.closed_animation(fig, lambda k: [], 3, 100)
        del anim  # never shown: no "Animation was deleted without rendering" warning
    assert not plt.get_fignums()


def test_widgets_use_no_private_name_of_another_module():
    import pathlib

    for path in pathlib.Path(cells.__file__).parent.glob("*.py"):
        text = path.read_text()
        found = set(re.findall(r"\b(?:plot|detection|data|scratch|arithmetic|checks|"
                               r"house_style)\._(?!_)\w+", text))
        assert not found, f"{path.name} uses {sorted(found)}"
        assert "_checks" not in text, path.name


def test_explorer_classes_are_still_ipywidgets():
    assert isinstance(widgets.iou_explorer(), ipywidgets.VBox)


# --------------------------------------------------------------------------- redraws in place
def png_pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def test_orientation_redraw_in_place_draws_what_a_fresh_figure_draws():
    fig_axes = ow._figure()
    ow.render_orientation_png(ow.orientation_update(0, 0), fig_axes)
    for angle, preferred in ((60, 0), (60, 90), (175, 45)):
        state = ow.orientation_update(angle, preferred)
        np.testing.assert_array_equal(png_pixels(ow.render_orientation_png(state, fig_axes)),
                                      png_pixels(ow.render_orientation_png(state)))


def test_receptive_field_redraw_in_place_draws_what_a_fresh_figure_draws():
    for size, layers in widgets.RECEPTIVE_FIELD_STACKS.values():
        fig_axes = ps._receptive_figure(len(layers) + 1)
        ps.render_receptive_field_png(ps.receptive_field_update(layers, size, 0, 0), fig_axes)
        state = ps.receptive_field_update(layers, size, 2, 1)
        np.testing.assert_array_equal(
            png_pixels(ps.render_receptive_field_png(state, fig_axes)),
            png_pixels(ps.render_receptive_field_png(state)))
    # a stack of the same sizes but other layers is drawn afresh (titles and all)
    fig_axes = ps._receptive_figure(2)
    ps.render_receptive_field_png(ps.receptive_field_update([(3, 1, 1, 1)], 9, 4, 4), fig_axes)
    other = ps.receptive_field_update([(5, 1, 2, 1)], 9, 4, 4)
    np.testing.assert_array_equal(png_pixels(ps.render_receptive_field_png(other, fig_axes)),
                                  png_pixels(ps.render_receptive_field_png(other)))


def test_the_tuning_curve_is_computed_once_per_cell():
    first = ow.orientation_update(10, 30).curve
    np.testing.assert_array_equal(first, ow.tuning_curve(30))
    first[:] = 0  # a state's curve is its own copy
    assert ow.orientation_update(20, 30).curve.max() > 0


def test_animation_frames_keep_their_fill_colours_exactly():
    g = ps.conv_geometry(5, 3, padding=1)
    anim = widgets.conv_arithmetic_animation(5, 3, padding=1)
    frames = [base64.b64decode(f.replace("\\\n", "")) for f in FRAME.findall(anim.to_jshtml())]
    assert Image.open(io.BytesIO(frames[0])).mode == "P"  # a palette: a light page
    shown = np.asarray(Image.open(io.BytesIO(frames[0])).convert("RGB"))
    drawn = np.asarray(cells.scaled_frames(lambda k, scale: ps.geometry_image(g, k, scale=scale),
                                           len(g.corners))[0])
    assert shown.shape == drawn.shape
    for colour in ("background", "padding", "input", "tap", "done", "frame", "window"):
        where = np.all(drawn == cells.RGB[colour], axis=-1)
        assert where.sum() > 0 and np.all(shown[where] == cells.RGB[colour]), colour
