"""Tests for cnn_lib.plot: the numbers in the cells, the window, colour limits, animations."""

import base64
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.patches import Rectangle

from cnn_lib import house_style, plot

TOY_X = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
TOY_K = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
TOY_OUT = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def cell_texts(ax):
    return [t.get_text() for t in ax.texts]


def highlight_rects(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# --------------------------------------------------------------------------- show_matrix
def test_show_matrix_ints_without_decimals():
    ax = plot.show_matrix(TOY_X)
    assert cell_texts(ax) == [str(v) for row in TOY_X for v in row]
    # each text sits in the centre of its cell
    t = ax.texts[7]  # row 1, col 2
    assert t.get_position() == (2, 1)


def test_show_matrix_floats_rounded_and_nan_blank():
    A = np.array([[0.123456, -1.5], [np.nan, 2.0]])
    ax = plot.show_matrix(A)
    assert cell_texts(ax) == ["0.12", "-1.50", "2.00"]


def test_show_matrix_custom_fmt_both_styles():
    A = [[0.25, 0.5]]
    assert cell_texts(plot.show_matrix(A, fmt=".1f")) == ["0.2", "0.5"]
    assert cell_texts(plot.show_matrix(A, fmt="{:.3f}")) == ["0.250", "0.500"]


def test_show_matrix_highlight_rectangle_position():
    ax = plot.show_matrix(TOY_X, highlight=(1, 2, 3, 3))
    (rect,) = highlight_rects(ax)
    assert rect.get_xy() == (2 - 0.5, 1 - 0.5)
    assert rect.get_width() == 3 and rect.get_height() == 3
    assert rect.get_fill() is False


def test_show_matrix_no_highlight_no_rectangle():
    assert highlight_rects(plot.show_matrix(TOY_X)) == []


def test_show_matrix_signed_uses_diverging_map_centred_at_zero():
    A = np.array([[-1.0, 3.0], [0.5, 0.0]])
    ax = plot.show_matrix(A)
    im = ax.images[0]
    assert im.get_cmap().name.startswith("RdBu_r")
    vmin, vmax = im.get_clim()
    assert vmin == -vmax == -3.0


def test_show_matrix_nonnegative_uses_sequential_map_from_zero():
    ax = plot.show_matrix(TOY_X)
    im = ax.images[0]
    assert im.get_cmap().name.startswith("Blues")
    assert im.get_clim()[0] == 0


def test_show_matrix_text_readable_on_dark_cells():
    A = np.array([[-10.0, 0.0, 10.0]])
    ax = plot.show_matrix(A)
    colours = [t.get_color() for t in ax.texts]
    assert colours == ["white", "black", "white"]


def test_show_matrix_draws_on_given_axes_with_title_and_colorbar():
    fig, ax = plt.subplots()
    out = plot.show_matrix(np.eye(3), ax=ax, title="I", colorbar=True)
    assert out is ax
    assert ax.get_title() == "I"
    assert len(fig.axes) == 2  # the matrix and its colour bar


@pytest.mark.parametrize("bad, exc, words", [
    (np.zeros((2, 2, 2)), ValueError, ["A", "2-D", "(2, 2, 2)"]),
    (np.zeros(3), ValueError, ["A", "2-D"]),
    ("abc", TypeError, ["A"]),
    (np.array([["a", "b"]]), TypeError, ["A", "real numbers"]),
    (np.zeros((0, 3)), ValueError, ["A", "empty"]),
])
def test_show_matrix_rejects_bad_matrix(bad, exc, words):
    with pytest.raises(exc) as info:
        plot.show_matrix(bad)
    for w in words:
        assert w in str(info.value)


@pytest.mark.parametrize("highlight, exc, words", [
    ((3, 3, 3, 3), ValueError, ["highlight", "outside", "5x5"]),
    ((-1, 0, 2, 2), ValueError, ["highlight", "outside"]),
    ((0, 0, 0, 2), ValueError, ["height and width"]),
    ((0, 0, 2), TypeError, ["highlight", "(row, col, height, width)"]),
    ((0.5, 0, 2, 2), TypeError, ["highlight row", "int"]),
])
def test_show_matrix_rejects_bad_highlight(highlight, exc, words):
    with pytest.raises(exc) as info:
        plot.show_matrix(TOY_X, highlight=highlight)
    for w in words:
        assert w in str(info.value)


def test_show_matrix_rejects_bad_fmt_and_fontsize():
    with pytest.raises(TypeError, match="fmt"):
        plot.show_matrix(TOY_X, fmt=3)
    with pytest.raises(ValueError, match="fontsize"):
        plot.show_matrix(TOY_X, fontsize=-1)


# --------------------------------------------------------------------------- show_images
def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def test_show_images_panel_count_and_titles():
    rng = np.random.default_rng(0)
    ims = [rng.random((6, 6)) for _ in range(5)]
    fig = plot.show_images(ims, titles=list("abcde"), ncols=3, suptitle="five")
    axes = image_axes(fig)
    assert len(axes) == 5
    assert [ax.get_title() for ax in axes] == list("abcde")
    assert len(fig.axes) == 6  # 2 rows x 3 columns, the last one switched off
    assert fig._suptitle.get_text() == "five"


def test_show_images_signed_symmetric_limits_and_grey_for_images():
    signed = np.array([[-0.5, 2.0], [0.0, 1.0]])
    grey = np.array([[0.0, 0.3], [0.6, 0.9]])
    fig = plot.show_images([signed, grey])
    a, b = (ax.images[0] for ax in image_axes(fig))
    assert a.get_cmap().name.startswith("RdBu_r")
    assert a.get_clim() == (-2.0, 2.0)
    assert b.get_cmap().name == "gray"


def test_show_images_signed_true_forces_diverging():
    fig = plot.show_images([np.array([[0.0, 1.0], [2.0, 3.0]])], signed=True)
    im = image_axes(fig)[0].images[0]
    assert im.get_cmap().name.startswith("RdBu_r") and im.get_clim() == (-3.0, 3.0)


@pytest.mark.parametrize("shape", [(3, 4, 5), (3, 1, 4, 5)])
def test_show_images_accepts_stacked_arrays(shape):
    fig = plot.show_images(np.zeros(shape))
    assert len(image_axes(fig)) == 3


def test_show_images_colorbar_per_panel():
    fig = plot.show_images([np.eye(3), -np.eye(3)], colorbar=True)
    assert len(fig.axes) == 4


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"images": np.zeros((2, 3, 4, 5))}, ValueError, ["images", "(N, 1, H, W)"]),
    ({"images": [np.zeros((3, 3)), np.zeros(3)]}, ValueError, ["images[1]", "2-D"]),
    ({"images": []}, ValueError, ["images", "at least one"]),
    ({"images": 5}, TypeError, ["images"]),
    ({"images": [np.eye(2)], "titles": ["a", "b"]}, ValueError, ["titles", "2 titles", "1 images"]),
    ({"images": [np.eye(2)], "ncols": 0}, ValueError, ["ncols"]),
    ({"images": [np.eye(2)], "size": -2}, ValueError, ["size"]),
    ({"images": [np.eye(2)], "cmap": "no-such-map"}, ValueError, ["cmap"]),
    ({"images": [np.eye(2)], "signed": "yes"}, TypeError, ["signed"]),
])
def test_show_images_rejects_bad_input(kwargs, exc, words):
    with pytest.raises(exc) as info:
        plot.show_images(**kwargs)
    for w in words:
        assert w in str(info.value)


def test_show_kernels_rows_are_output_channels():
    weight = np.arange(2 * 3 * 3 * 3, dtype=float).reshape(2, 3, 3, 3) - 20
    fig = plot.show_kernels(weight)
    axes = image_axes(fig)
    assert len(axes) == 6
    assert axes[3].get_title() == "out 1, in 0"
    # the panel in row 1, column 0 shows weight[1, 0]
    np.testing.assert_array_equal(axes[3].images[0].get_array(), weight[1, 0])
    with pytest.raises(ValueError, match="weight"):
        plot.show_kernels(np.zeros((2, 3, 3)))


def test_show_feature_maps_accepts_batch_of_one():
    maps = np.random.default_rng(1).normal(size=(1, 4, 6, 6))
    fig = plot.show_feature_maps(maps)
    axes = image_axes(fig)
    assert [ax.get_title() for ax in axes] == [f"channel {c}" for c in range(4)]
    with pytest.raises(ValueError, match="one sample"):
        plot.show_feature_maps(np.zeros((2, 4, 6, 6)))


# --------------------------------------------------------------------------- animation
def test_animation_one_frame_per_output_position_and_values():
    anim = plot.sliding_window_animation(TOY_X, TOY_K)
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == 9
    fig = anim._fig
    assert not plt.fignum_exists(fig.number)  # closed: no duplicate static image
    ax_in, ax_prod, ax_out = fig.axes
    for frame in range(9):
        anim._func(frame)
        i, j = divmod(frame, 3)
        (rect,) = highlight_rects(ax_in)
        assert rect.get_xy() == (j - 0.5, i - 0.5) and rect.get_width() == 3
        assert f"sum = {TOY_OUT[i][j]}" in ax_prod.get_title()
        window = np.array(TOY_X)[i:i + 3, j:j + 3]
        assert cell_texts(ax_prod) == [f"{x}×{k}" for x, k in zip(window.flat, np.ravel(TOY_K))]
        expected = [str(v) for v in np.ravel(TOY_OUT)[:frame + 1]]
        assert cell_texts(ax_out) == expected


def test_animation_stride_two():
    X = np.arange(25).reshape(5, 5)
    anim = plot.sliding_window_animation(X, np.ones((3, 3)), stride=2)
    assert len(list(anim.new_frame_seq())) == 4


def test_animation_html_has_frames_and_controls_and_is_small():
    html = plot.animation_html(plot.sliding_window_animation(TOY_X, TOY_K)).data
    frames = set(re.findall(r"frames\[(\d+)\]", html))
    assert frames == {str(i) for i in range(9)}
    assert html.count('] = "data:image/png;base64') == 9
    for control in ("play_animation", "pause_animation", "next_frame", "previous_frame"):
        assert control in html
    assert len(html) < 1_000_000


@pytest.mark.parametrize("X, K, kwargs, exc, words", [
    (TOY_X, np.ones((6, 6)), {}, ValueError, ["K", "fit inside", "(5, 5)"]),
    (np.zeros((2, 5, 5)), TOY_K, {}, ValueError, ["X", "2-D"]),
    (TOY_X, TOY_K, {"stride": 0}, ValueError, ["stride", ">= 1"]),
    (TOY_X, TOY_K, {"interval": 0.5}, TypeError, ["interval", "int"]),
    ([[np.nan, 1], [1, 1]], [[1]], {}, ValueError, ["finite"]),
])
def test_animation_rejects_bad_input(X, K, kwargs, exc, words):
    with pytest.raises(exc) as info:
        plot.sliding_window_animation(X, K, **kwargs)
    for w in words:
        assert w in str(info.value)


def test_unrendered_animation_warns_nothing(recwarn):
    import gc

    anim = plot.sliding_window_animation(TOY_X, TOY_K)
    del anim
    gc.collect()
    assert not [w for w in recwarn if "Animation was deleted" in str(w.message)]


def test_animation_html_rejects_non_animation():
    with pytest.raises(TypeError, match="anim"):
        plot.animation_html(plt.figure())
    with pytest.raises(TypeError, match="alt must be a non-empty str"):
        plot.animation_html(plot.sliding_window_animation(TOY_X, TOY_K), alt=3)


def test_animation_html_alt_text_is_escaped_into_the_frame_image():
    anim = plot.sliding_window_animation(TOY_X, TOY_K)
    html = plot.animation_html(anim, alt='A 3x3 window slides; "quotes" & <tags>').data
    img = re.search(r"<img [^>]*>", html).group(0)
    assert 'alt="A 3x3 window slides; &quot;quotes&quot; &amp; &lt;tags&gt;"' in img
    assert "alt=" not in plot.animation_html(anim).data.split("<img ", 1)[1].split(">", 1)[0]
    for bad in ("", "   ", 42):
        with pytest.raises(TypeError, match="alt must be a non-empty str"):
            plot.animation_html(anim, alt=bad)


def test_animation_html_shows_its_first_frame_without_javascript():
    """An untrusted notebook (Colab, Binder) runs no output JavaScript: the <img> itself must
    carry the first frame, or the reader sees a broken image."""
    html = plot.animation_html(plot.sliding_window_animation(TOY_X, TOY_K), alt="a").data
    src = re.search(r'<img [^>]*src="([^"]+)"', html).group(1)
    first = re.search(r'frames\[0\] = "([^"]+)"', html).group(1)
    assert re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/=]+", src)  # a valid URL
    assert src == first  # frame 0
    # every frame the player shows carries the stamp: 8 pt products at 100 dpi
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)
    assert len(frames) == 9  # a 3x3 window on a 5x5 input
    assert {house_style.read_stamp(base64.b64decode(f)) for f in frames} == {11.11}


def test_animation_html_needs_no_cdn_and_labels_every_button():
    html = plot.animation_html(plot.sliding_window_animation(TOY_X, TOY_K)).data
    assert "<link" not in html and "font-awesome" not in html and "https://" not in html
    assert 'class="fa' not in html
    buttons = re.findall(r'<button title="([^"]+)"[^>]*>\s*([^<]*?)\s*</button>', html)
    assert len(buttons) == 9
    assert dict(buttons)["Play"] == "\u25b6\ufe0e" and dict(buttons)["Next frame"] == "\u25b7"
    assert all(text for _, text in buttons)
    assert "<img alt=" not in html



def test_draw_boxes_puts_rectangles_on_the_pixels():
    fig, ax = plt.subplots()
    ax.imshow(np.zeros((10, 10)))
    plot.draw_boxes(ax, [[2, 3, 6, 5]], labels=["square"], linestyle="--")
    (patch,) = ax.patches
    assert patch.get_xy() == (1.5, 2.5) and patch.get_width() == 4 and patch.get_height() == 2
    assert patch.get_linestyle() == "--" and ax.texts[0].get_text() == "square"
    assert plot.draw_boxes(ax, np.zeros((0, 4))) is ax and len(ax.patches) == 1
    with pytest.raises(ValueError, match="boxes must have shape \\(N, 4\\)"):
        plot.draw_boxes(ax, [[1, 2, 3]])
    with pytest.raises(ValueError, match="labels must have one entry per box"):
        plot.draw_boxes(ax, [[1, 2, 3, 4]], labels=["a", "b"])
    plt.close(fig)
