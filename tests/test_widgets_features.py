"""Tests for cnn_lib.widgets.features (feature maps of a trained network) and
widgets.gabor_filter."""

import numpy as np
import pytest
import torch
from torch import nn

from cnn_lib import plot, widgets
from cnn_lib.widgets.cells import RGB

RGB_WINDOW = np.array(RGB["window"], dtype=np.uint8)


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


IMAGES = np.random.default_rng(0).random((5, 1, 8, 8)).astype(np.float32)


def test_layer_names_and_maps_equal_a_manual_forward():
    net = small_net()
    assert widgets.layer_names(net) == ["0", "1", "2", "3", "4"]
    maps, prediction = widgets.feature_maps(net, IMAGES[1], "2")
    with torch.no_grad():
        x = torch.tensor(IMAGES[1:2])
        expected = net[2](net[1](net[0](x)))[0].numpy()
        assert prediction == int(net(x).argmax())
    np.testing.assert_allclose(maps, expected)
    nested = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3)), nn.ReLU())
    assert widgets.layer_names(nested) == ["0.0", "1"]


def test_update_and_image():
    net = small_net()
    state = widgets.feature_maps_update(net, IMAGES, 2, "0")
    assert state.maps.shape == (4, 8, 8) and state.kind == "Conv2d"
    dense = widgets.feature_maps_update(net, IMAGES, 2, "4")
    assert dense.maps.shape == (1, 1, 3) and dense.kind == "Linear"
    picture = np.asarray(widgets.feature_maps_image(state))
    other = np.asarray(widgets.feature_maps_image(widgets.feature_maps_update(net, IMAGES, 3,
                                                                              "0")))
    assert picture.shape == other.shape and not np.array_equal(picture, other)


def test_explorer_wiring_and_animation():
    net = small_net()
    ex = widgets.feature_explorer(net, IMAGES, ["0", "1", "2"])
    first = ex.view.value
    ex.index.value = 4
    assert ex.state.image.shape == (1, 8, 8) and ex.view.value != first
    ex.layer.value = "2"
    assert ex.state.maps.shape == (4, 4, 4)
    html = plot.animation_html(widgets.feature_maps_animation(net, IMAGES[0], ["0", "1", "2"]),
                               alt="maps layer by layer").data
    assert html.count('] = "data:image/png;base64') == 3


def test_explorer_names_its_layers_and_draws_what_each_holds():
    """The menu says each layer's name and type (not "0".."4"); the input is grey ink on
    paper while the maps are in colour; a last layer's values are labelled class scores."""
    net = small_net()
    ex = widgets.feature_explorer(net, IMAGES)
    assert ex.layer.options[:3] == (("0: Conv2d", "0"), ("1: ReLU", "1"),
                                    ("2: MaxPool2d", "2"))
    assert repr(ex) == "Feature-map explorer: run this cell (Jupyter, Colab or Binder) to use it."
    assert ex.view.layout.align_self == "flex-start"  # shown at its own size, never stretched
    conv = np.asarray(widgets.feature_maps_image(widgets.feature_maps_update(net, IMAGES, 0, "0")))
    left, maps = conv[48:112, 8:72], conv[48:, 104:]
    assert np.all(left[..., 0] == left[..., 1]) and np.all(left[..., 1] == left[..., 2])  # grey
    assert np.any(maps[..., 0] != maps[..., 2])  # viridis, not grey
    scores = widgets.feature_maps_update(net, IMAGES, 0, "4")
    assert scores.last and not widgets.feature_maps_update(net, IMAGES, 0, "3").last
    picture = widgets.feature_maps_image(scores)
    width = picture.size[0]
    bars = np.asarray(picture)
    accent = np.all(bars == RGB_WINDOW, axis=-1)
    assert accent.any(), "the predicted class's bar is not highlighted"
    rows = np.nonzero(accent.any(axis=1))[0]
    assert 48 + 16 * scores.prediction <= rows.min() < 48 + 16 * (scores.prediction + 1)
    assert width >= 300


@pytest.mark.parametrize("call, error, words", [
    (lambda: widgets.layer_names("net"), TypeError, "torch.nn.Module"),
    (lambda: widgets.feature_maps(small_net(), IMAGES[0], "7"), ValueError, "layer must be"),
    (lambda: widgets.feature_maps(small_net(), IMAGES[0, 0], "0"), ValueError, r"\(C, H, W\)"),
    (lambda: widgets.feature_maps_update(small_net(), IMAGES, 5, "0"), ValueError, "index"),
    (lambda: widgets.feature_explorer(small_net(), IMAGES[0]), ValueError, "images"),
    (lambda: widgets.feature_explorer(small_net(), IMAGES, ["9"]), ValueError, "layers"),
    (lambda: widgets.feature_maps_image(None), TypeError, "FeatureMaps"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_gabor_filter():
    g0, g90 = widgets.gabor_filter(0, 7), widgets.gabor_filter(90, 7)
    assert abs(g0.sum()) < 1e-12 and np.linalg.norm(g0) == pytest.approx(1)
    np.testing.assert_allclose(g90, g0.T, atol=1e-12)
    # a horizontal Gabor answers horizontal stripes, not vertical ones
    stripes = np.cos(2 * np.pi * (np.arange(7) - 3) / 4)[:, None] * np.ones((1, 7))
    assert abs((g0 * stripes).sum()) > 5 * abs((g0 * stripes.T).sum())
    with pytest.raises(ValueError, match="wavelength"):
        widgets.gabor_filter(0, wavelength=0)
