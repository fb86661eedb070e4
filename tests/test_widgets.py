"""Tests for cnn_lib.widgets: update functions, widget wiring, static twins, bad input."""

import io

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from scipy.signal import correlate2d

from cnn_lib import widgets
from cnn_lib.widgets import KERNELS, filter_explorer_update, stepper_state

TOY_X = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
TOY_K = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
TOY_OUT = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=float)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def photo():
    return widgets.default_images(size=64)["photo (Grace Hopper)"]


def small_images():
    rng = np.random.default_rng(0)
    return {"noise": rng.random((20, 24)), "ramp": np.tile(np.linspace(0, 1, 24), (20, 1))}


# --------------------------------------------------------------------------- kernels
def test_gallery_kernels_are_the_curriculum_ones():
    assert list(KERNELS) == [
        "identity", "edge (diagonal)", "edge (Laplacian)", "edge (all directions)", "sharpen",
        "box blur", "Gaussian blur", "vertical edge", "horizontal edge", "custom sharpen / 9"]
    K, d = KERNELS["custom sharpen / 9"]
    np.testing.assert_array_equal(K, [[0, -3, 0], [-3, 21, -3], [0, -3, 0]])
    assert d == 9
    K, d = KERNELS["Gaussian blur"]
    assert K.sum() == d == 16
    for K, _ in KERNELS.values():
        assert K.shape == (3, 3) and np.issubdtype(K.dtype, np.integer)


def test_default_images_are_grey_in_unit_range():
    images = widgets.default_images(size=32)
    assert list(images) == ["photo (Grace Hopper)", "checkerboard", "circle", "square"]
    for im in images.values():
        assert im.shape == (32, 32) and im.min() >= 0 and im.max() <= 1


# --------------------------------------------------------------------------- filter update
@pytest.mark.parametrize("name", list(KERNELS))
def test_filter_update_matches_scipy_for_every_gallery_kernel(name, photo):
    K, divisor = KERNELS[name]
    got = filter_explorer_update(photo, K, divisor)
    want = correlate2d(photo, K / divisor, mode="same", boundary="fill", fillvalue=0)
    assert got.shape == photo.shape
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_filter_update_is_correlation_not_convolution():
    X = np.zeros((5, 5))
    X[2, 2] = 1.0
    K = np.arange(9).reshape(3, 3)
    # an impulse under cross-correlation gives the kernel flipped in both axes
    np.testing.assert_array_equal(filter_explorer_update(X, K)[1:4, 1:4], K[::-1, ::-1])


def test_identity_returns_the_image(photo):
    np.testing.assert_array_equal(filter_explorer_update(photo, *KERNELS["identity"]), photo)


def test_box_blur_of_constant_image_is_constant_inside():
    out = filter_explorer_update(np.full((10, 12), 0.7), *KERNELS["box blur"])
    np.testing.assert_allclose(out[1:-1, 1:-1], 0.7)
    assert out[0, 0] == pytest.approx(0.7 * 4 / 9)  # zero padding darkens the corner


def test_edge_kernels_give_zero_on_flat_regions():
    for name in ("edge (diagonal)", "edge (Laplacian)", "edge (all directions)",
                 "vertical edge", "horizontal edge"):
        out = filter_explorer_update(np.full((8, 8), 0.5), *KERNELS[name])
        np.testing.assert_allclose(out[1:-1, 1:-1], 0.0, atol=1e-12)
        assert widgets.kernel_is_signed(*KERNELS[name])
    for name in ("identity", "sharpen", "box blur", "Gaussian blur", "custom sharpen / 9"):
        assert not widgets.kernel_is_signed(*KERNELS[name])


def test_filter_update_odd_non_square_kernel():
    X = np.random.default_rng(3).random((9, 11))
    K = np.arange(15).reshape(3, 5) - 7
    np.testing.assert_allclose(filter_explorer_update(X, K, 2),
                               correlate2d(X, K / 2, mode="same"), atol=1e-12)


@pytest.mark.parametrize("name", ["sharpen", "box blur", "edge (Laplacian)"])
@pytest.mark.parametrize("strength", [0.0, 0.3, 1.0, 2.0])
def test_strength_blends_image_and_filtered_like_the_blended_kernel(name, strength, photo):
    K, divisor = KERNELS[name]
    identity = np.zeros((3, 3))
    identity[1, 1] = 1.0
    blended_kernel = (1 - strength) * identity + strength * K / divisor  # linearity
    want = correlate2d(photo, blended_kernel, mode="same", boundary="fill", fillvalue=0)
    np.testing.assert_allclose(filter_explorer_update(photo, K, divisor, strength), want,
                               atol=1e-12)


def test_strength_zero_gives_the_image_and_one_the_plain_filter(photo):
    K, divisor = KERNELS["Gaussian blur"]
    np.testing.assert_allclose(filter_explorer_update(photo, K, divisor, 0.0), photo,
                               atol=1e-15)
    np.testing.assert_array_equal(filter_explorer_update(photo, K, divisor, 1.0),
                                  filter_explorer_update(photo, K, divisor))


def test_strength_two_doubles_the_change_a_sharpen_makes():
    spot = np.full((5, 5), 0.2)
    spot[2, 2] = 0.8
    K, divisor = KERNELS["sharpen"]
    once = filter_explorer_update(spot, K, divisor)[2, 2]          # 5 * 0.8 - 4 * 0.2 = 3.2
    twice = filter_explorer_update(spot, K, divisor, 2.0)[2, 2]
    assert once == pytest.approx(3.2)
    assert twice - 0.8 == pytest.approx(2 * (once - 0.8))           # 0.8 + 2 * 2.4 = 5.6


def test_kernel_is_signed_follows_the_blended_kernel():
    K, divisor = KERNELS["edge (Laplacian)"]   # weights sum to 0
    assert widgets.kernel_is_signed(K, divisor) and widgets.kernel_is_signed(K, divisor, 1.0)
    assert not widgets.kernel_is_signed(K, divisor, 0.5)   # sums to 0.5: half the image is left
    assert widgets.kernel_is_signed(K, divisor, 2.0)       # sums to -1
    assert not widgets.kernel_is_signed(*KERNELS["box blur"], 2.0)  # sums to 1 at any strength


@pytest.mark.parametrize("strength, exc, words", [
    ("1", TypeError, ["strength", "number", "str"]),
    (True, TypeError, ["strength", "bool"]),
    (None, TypeError, ["strength", "NoneType"]),
    (float("nan"), ValueError, ["strength", "finite", "nan"]),
    (float("inf"), ValueError, ["strength", "finite", "inf"]),
])
def test_strength_rejects_bad_input(strength, exc, words):
    with pytest.raises(exc) as info:
        filter_explorer_update(np.ones((5, 5)), np.ones((3, 3)), 9, strength)
    for w in words:
        assert w in str(info.value)
    with pytest.raises(exc):
        widgets.kernel_is_signed(np.ones((3, 3)), 9, strength)


@pytest.mark.parametrize("image, kernel, divisor, exc, words", [
    (np.ones((5, 5)), np.ones((3, 3)), 0, ValueError, ["divisor", "non-zero", "0"]),
    (np.ones((5, 5)), np.ones((3, 3)), float("nan"), ValueError, ["divisor"]),
    (np.ones((5, 5)), np.ones((3, 3)), "9", TypeError, ["divisor", "str"]),
    (np.ones((5, 5)), np.ones((2, 2)), 1, ValueError, ["kernel", "odd", "(2, 2)"]),
    (np.ones((5, 5)), np.ones((3, 3, 1)), 1, ValueError, ["kernel", "2-D"]),
    (np.ones((5, 5)), [[1, 2, 3], [4, 5]], 1, TypeError, ["kernel"]),
    (np.ones((3, 5, 5)), np.ones((3, 3)), 1, ValueError, ["image", "2-D", "(3, 5, 5)"]),
    (np.ones((2, 2)), np.ones((3, 3)), 1, ValueError, ["kernel", "larger", "image"]),
    (np.full((4, 4), np.nan), np.ones((3, 3)), 1, ValueError, ["image", "finite"]),
])
def test_filter_update_rejects_bad_input(image, kernel, divisor, exc, words):
    with pytest.raises(exc) as info:
        filter_explorer_update(image, kernel, divisor)
    for w in words:
        assert w in str(info.value)


# --------------------------------------------------------------------------- filter widget
def png_array(data):
    return np.asarray(Image.open(io.BytesIO(data)))


def test_filter_explorer_builds_and_shows_result():
    ex = widgets.filter_explorer(small_images())
    assert isinstance(ex, ipywidgets.VBox)
    assert ex.image_dropdown.options == ("noise", "ramp")
    assert ex.kernel_dropdown.options == tuple(KERNELS) + ("your kernel",)
    K, d = KERNELS[ex.kernel_dropdown.value]
    np.testing.assert_array_equal(ex.kernel()[0], K)
    np.testing.assert_allclose(ex.result, filter_explorer_update(small_images()["noise"], K, d))
    # the output image is the result drawn at twice the size
    assert png_array(ex.output_view.value).shape[:2] == (40, 48)
    assert ex.message.value.startswith(ex.kernel_dropdown.value)


def test_choosing_a_gallery_kernel_fills_boxes_and_redraws():
    ex = widgets.filter_explorer(small_images())
    before = ex.output_view.value
    ex.kernel_dropdown.value = "custom sharpen / 9"
    assert [[b.value for b in row] for row in ex.boxes] == [[0, -3, 0], [-3, 21, -3], [0, -3, 0]]
    assert ex.divisor_box.value == 9
    assert ex.output_view.value != before
    want = filter_explorer_update(small_images()["noise"], *KERNELS["custom sharpen / 9"])
    np.testing.assert_allclose(ex.result, want)


def test_editing_a_box_recomputes():
    ex = widgets.filter_explorer(small_images())
    ex.kernel_dropdown.value = "identity"
    noise = small_images()["noise"]
    np.testing.assert_allclose(ex.result, noise)
    before = ex.output_view.value
    ex.boxes[1][1].value = 2
    np.testing.assert_allclose(ex.result, 2 * noise)
    assert ex.output_view.value != before
    assert ex.message.value.startswith("your kernel")
    assert ex.kernel_dropdown.value == "your kernel"  # the menu no longer says "identity"
    assert [[b.value for b in row] for row in ex.boxes] == [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    ex.divisor_box.value = 4
    np.testing.assert_allclose(ex.result, noise / 2)
    ex.kernel_dropdown.value = "your kernel"  # choosing it keeps the typed weights
    np.testing.assert_allclose(ex.result, noise / 2)
    ex.divisor_box.value = 1  # typed back to a gallery kernel: the menu names it
    ex.boxes[1][1].value = 1
    assert ex.kernel_dropdown.value == "identity"
    assert ex.message.value.startswith("identity")


def test_strength_slider_blends_and_redraws():
    ex = widgets.filter_explorer(small_images())
    slider = ex.strength_slider
    assert isinstance(slider, ipywidgets.FloatSlider)
    assert (slider.min, slider.max, slider.value) == (0.0, 2.0, 1.0)
    ex.kernel_dropdown.value = "box blur"
    noise = small_images()["noise"]
    blurred = ex.result.copy()
    before = ex.output_view.value
    slider.value = 0.5
    np.testing.assert_allclose(ex.result, 0.5 * noise + 0.5 * blurred, atol=1e-12)
    assert ex.output_view.value != before
    assert ex.message.value.startswith("box blur at strength 0.5 (0.5 × image + 0.5 × filtered)")
    slider.value = 0.0
    np.testing.assert_allclose(ex.result, noise, atol=1e-15)
    assert png_array(ex.output_view.value).tolist() == png_array(ex.input_view.value).tolist()


def test_strength_slider_switches_an_edge_map_between_signed_and_grey():
    ex = widgets.filter_explorer(small_images())   # starts on the Laplacian: signed, RdBu_r
    assert "RdBu_r" in ex.message.value
    ex.strength_slider.value = 0.5
    assert "grey" in ex.message.value and "RdBu_r" not in ex.message.value
    ex.kernel_dropdown.value = "vertical edge"      # the strength stays where the reader left it
    assert ex.strength_slider.value == 0.5
    K, d = KERNELS["vertical edge"]
    np.testing.assert_allclose(ex.result,
                               filter_explorer_update(small_images()["noise"], K, d, 0.5))


def test_changing_the_image_recomputes():
    ex = widgets.filter_explorer(small_images())
    ex.kernel_dropdown.value = "identity"
    ex.image_dropdown.value = "ramp"
    np.testing.assert_allclose(ex.result, small_images()["ramp"])


def test_divisor_zero_shows_a_message_instead_of_crashing():
    ex = widgets.filter_explorer(small_images())
    result = ex.result
    ex.divisor_box.value = 0
    assert "divisor" in ex.message.value
    assert ex.result is result  # the last good result stays on screen


def test_filter_explorer_default_images_build():
    ex = widgets.filter_explorer()
    assert "photo (Grace Hopper)" in ex.image_dropdown.options
    assert ex.result.shape == (128, 128)


@pytest.mark.parametrize("images, exc, words", [
    ([np.eye(4)], TypeError, ["images", "dict"]),
    ({}, TypeError, ["images"]),
    ({"a": np.zeros((2, 3, 3))}, ValueError, ["images['a']", "2-D"]),
    ({"a": np.zeros((2, 2))}, ValueError, ["images['a']", "at least 3x3"]),
])
def test_filter_explorer_rejects_bad_images(images, exc, words):
    with pytest.raises(exc) as info:
        widgets.filter_explorer(images)
    for w in words:
        assert w in str(info.value)


def test_render_filter_png_colours():
    grey = png_array(widgets.render_filter_png(np.array([[0.0, 1.0]]), scale=1))
    np.testing.assert_array_equal(grey[0, :, :3], [[0, 0, 0], [255, 255, 255]])
    signed = png_array(widgets.render_filter_png(np.array([[-1.0, 0.0, 1.0]]), scale=1))
    blue, white, red = signed[0, :, :3].astype(int)
    assert blue[2] > blue[0] and red[0] > red[2]
    assert white.min() > 230  # zero is (nearly) white in RdBu_r


def test_filter_gallery_panels():
    fig = widgets.filter_gallery(np.random.default_rng(0).random((16, 16)))
    axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in axes] == ["input", *KERNELS]
    by_title = {ax.get_title(): ax.images[0] for ax in axes}
    lap = by_title["edge (Laplacian)"]
    assert lap.get_cmap().name.startswith("RdBu_r")
    lo, hi = lap.get_clim()
    assert lo == -hi
    assert by_title["box blur"].get_cmap().name == "gray"
    with pytest.raises(ValueError, match="kernels"):
        widgets.filter_gallery(np.eye(8), kernels=["emboss"])


# --------------------------------------------------------------------------- stepper
def test_stepper_state_toy_example_every_position():
    X, K = np.array(TOY_X), np.array(TOY_K)
    for p in range(9):
        s = stepper_state(TOY_X, TOY_K, p)
        i, j = divmod(p, 3)
        assert (s.row, s.col, s.output_index) == (i, j, (i, j))
        assert s.n_positions == 9 and s.position == p
        np.testing.assert_array_equal(s.window, X[i:i + 3, j:j + 3])
        np.testing.assert_array_equal(s.products, X[i:i + 3, j:j + 3] * K)
        assert s.total == TOY_OUT[i, j]
        done = np.arange(9).reshape(3, 3) <= p
        np.testing.assert_array_equal(s.output_so_far[done], TOY_OUT[done])
        assert np.isnan(s.output_so_far[~done]).all()
    np.testing.assert_array_equal(s.output_so_far, TOY_OUT)


def test_stepper_state_first_position_numbers():
    s = stepper_state(TOY_X, TOY_K, 0)
    np.testing.assert_array_equal(s.products, [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    assert s.total == 4
    assert np.isnan(s.output_so_far).sum() == 8


def test_stepper_state_deck_worked_example():
    f = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
    g = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
    np.testing.assert_array_equal(stepper_state(f, g, 8).output_so_far,
                                  [[12, 12, 17], [10, 17, 19], [9, 6, 14]])


@pytest.mark.parametrize("position, exc, words", [
    (9, ValueError, ["position", "0..8", "9"]),
    (-1, ValueError, ["position", "0..8", "-1"]),
    (1.0, TypeError, ["position", "int"]),
    (True, TypeError, ["position"]),
])
def test_stepper_state_rejects_bad_position(position, exc, words):
    with pytest.raises(exc) as info:
        stepper_state(TOY_X, TOY_K, position)
    for w in words:
        assert w in str(info.value)


def test_stepper_state_rejects_kernel_larger_than_input():
    with pytest.raises(ValueError, match="fit inside"):
        stepper_state(np.ones((2, 2)), np.ones((3, 3)), 0)


def test_stepper_widget_builds_and_follows_slider():
    st = widgets.sliding_window_stepper()
    assert isinstance(st, ipywidgets.VBox)
    assert st.slider.description == "step"  # counted as the caption counts: 1 of 9 .. 9 of 9
    assert (st.slider.min, st.slider.max) == (1, 9)
    assert (st.play.min, st.play.max) == (1, 9)
    assert st.state.position == 0 and "= <b>4</b>" in st.caption.value
    assert "step 1 of 9" in st.caption.value
    first = st.view.value
    st.slider.value = 9
    assert st.state.position == 8
    np.testing.assert_array_equal(st.state.output_so_far, TOY_OUT)
    assert st.view.value != first
    assert png_array(st.view.value).ndim == 3
    assert "step 9 of 9" in st.caption.value


def test_stepper_widget_custom_input():
    st = widgets.sliding_window_stepper(np.arange(12).reshape(3, 4), [[1, -1]])
    assert st.slider.max == 9  # a 3x3 output
    st.slider.value = 2
    assert st.state.total == -1 and "1 + (-2) = <b>-1</b>" in st.caption.value
    with pytest.raises(ValueError, match="K"):
        widgets.sliding_window_stepper(np.ones((3, 3)), np.ones((4, 1)))


def test_benchmark_rows():
    from benchmarks import widgets as bench

    rows = bench.run(repeats=2)
    assert {r["name"] for r in rows} == {"filter_explorer_update + redraw",
                                         "stepper_state + redraw", "conv_geometry + redraw",
                                         "receptive_field_update + redraw",
                                         "pooling_shift_update + redraw",
                                         "orientation_update + redraw",
                                         "feature_maps_update + redraw",
                                         "iou_update + redraw", "nms_update + redraw",
                                         "conv_transpose_update + redraw"}
    assert all(r["median_ms"] > 0 for r in rows)


def test_every_explorer_says_what_it_is_before_it_runs():
    """A widget output's plain-text twin is the object's repr: what an unrun or untrusted
    notebook shows in place of the explorer. It must say what to do, not PoolingExplorer(
    children=(VBox(..."""
    import inspect

    from cnn_lib.widgets.cells import UnrunRepr

    explorers = {cls for module in ("convolution", "padding_stride", "pooling", "orientation",
                                    "features", "detection", "upsampling")
                 for _, cls in inspect.getmembers(
                     __import__(f"cnn_lib.widgets.{module}", fromlist=["_"]), inspect.isclass)
                 if issubclass(cls, ipywidgets.Box) and cls.__module__.startswith("cnn_lib")}
    assert len(explorers) >= 10
    for cls in explorers:
        assert issubclass(cls, UnrunRepr) and cls.title != UnrunRepr.title, cls.__name__
    text = widgets.pooling_explorer()._repr_mimebundle_()["text/plain"]
    assert text == "Pooling explorer: run this cell (Jupyter, Colab or Binder) to use it."
    assert len(text) <= 110  # ipywidgets cuts the plain text at 110 characters
