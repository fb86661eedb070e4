"""Tests of cnn_lib.data: shapes, dtypes, ranges, reproducibility, and no network access."""

import socket
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from cnn_lib import data


@pytest.fixture
def no_network(monkeypatch):
    """Make every socket connection fail, so a download attempt would raise."""
    def refuse(*args, **kwargs):
        raise OSError("network access is not allowed in cnn_lib.data")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --------------------------------------------------------------------------------------------
# Digits
# --------------------------------------------------------------------------------------------
def test_load_digits_shapes_dtypes_ranges(no_network):
    X_train, X_test, y_train, y_test = data.load_digits()
    assert X_train.shape == (1347, 1, 8, 8) and X_test.shape == (450, 1, 8, 8)
    assert y_train.shape == (1347,) and y_test.shape == (450,)
    assert X_train.dtype == np.float32 and X_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10))


def test_load_digits_split_is_stratified_and_reproducible():
    X_train, X_test, y_train, y_test = data.load_digits(test_size=0.2, seed=3)
    again = data.load_digits(test_size=0.2, seed=3)
    for a, b in zip((X_train, X_test, y_train, y_test), again):
        np.testing.assert_array_equal(a, b)
    other = data.load_digits(test_size=0.2, seed=4)
    assert not np.array_equal(y_test, other[3])
    # Stratified: each class has (about) the same share of the test set as of the whole set.
    y_all = np.concatenate([y_train, y_test])
    share_all = np.bincount(y_all) / len(y_all)
    share_test = np.bincount(y_test, minlength=10) / len(y_test)
    assert np.abs(share_all - share_test).max() < 0.01
    assert len(y_test) == 360  # ceil(0.2 * 1797)


def test_load_digits_dtype_and_bad_input():
    assert data.load_digits(dtype=np.float64)[0].dtype == np.float64
    with pytest.raises(ValueError, match=r"test_size must be a float in \(0, 1\), got 1.5"):
        data.load_digits(test_size=1.5)
    with pytest.raises(TypeError, match="test_size"):
        data.load_digits(test_size="0.2")
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        data.load_digits(seed=1.0)
    with pytest.raises(TypeError, match="dtype must be a floating dtype, got int64"):
        data.load_digits(dtype=np.int64)


# --------------------------------------------------------------------------------------------
# The photo
# --------------------------------------------------------------------------------------------
def test_photo_ships_inside_matplotlib():
    path = data.photo_path().resolve()
    package = Path(matplotlib.__file__).resolve().parent
    assert path.is_file()
    assert path.name == "grace_hopper.jpg"
    assert path.is_relative_to(package / "mpl-data" / "sample_data")
    assert "Grace" in data.PHOTO_CREDIT and "public domain" in data.PHOTO_CREDIT


def test_load_photo_is_a_real_photo(no_network):
    grey = data.load_photo()
    assert grey.shape == (600, 512) and grey.dtype == np.float64
    assert 0.0 <= grey.min() and grey.max() <= 1.0
    assert grey.std() > 0.1
    assert len(np.unique(np.round(grey, 3))) > 200  # many grey levels, not a drawing
    colour = data.load_photo(grey=False)
    assert colour.shape == (600, 512, 3)
    # Grey is the ITU-R 601 luma of the colour photo.
    np.testing.assert_allclose(grey, colour @ [0.299, 0.587, 0.114], atol=1e-12)


def test_load_photo_resize():
    small = data.load_photo(size=128)
    assert small.shape == (128, 128)
    assert 0.0 <= small.min() and small.max() <= 1.0 and small.std() > 0.1
    assert data.load_photo(size=(60, 40), grey=False).shape == (60, 40, 3)
    # Averaging whole blocks: halving keeps the mean of the (evenly divisible) photo.
    full, half = data.load_photo(), data.load_photo(size=(300, 256))
    np.testing.assert_allclose(half, full.reshape(300, 2, 256, 2).mean(axis=(1, 3)))
    assert data.load_photo(size=(600, 512)).shape == (600, 512)
    assert data.load_photo(size=(1200, 1024)).shape == (1200, 1024)  # nearest when growing


def test_resize_helpers_on_a_tiny_array():
    image = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(data._resize(image, (2, 2)), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(data._resize(np.array([[0.0, 1.0]]), (1, 4)),
                                  [[0.0, 0.0, 1.0, 1.0]])
    wide = np.zeros((4, 8))
    assert data._crop_to_aspect(wide, 1, 1).shape == (4, 4)
    assert data._crop_to_aspect(wide.T, 1, 1).shape == (4, 4)
    assert data.load_photo(size=(1, 1000)).shape == (1, 1000)  # extreme aspect: a 1-pixel crop


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(size=0), ValueError, "size must be an int >= 1, got 0"),
    (dict(size=(10, 10, 3)), ValueError, r"size must be an int or a pair of ints \(height, w"),
    (dict(size=12.5), TypeError, "size must be an int, got float 12.5"),
    (dict(size=True), TypeError, "size"),
    (dict(grey="yes"), TypeError, "grey must be True or False"),
])
def test_load_photo_bad_input(kwargs, error, words):
    with pytest.raises(error, match=words):
        data.load_photo(**kwargs)


# --------------------------------------------------------------------------------------------
# Synthetic images and load_image
# --------------------------------------------------------------------------------------------
def test_synthetic_images():
    board = data.checkerboard(8, squares=4)
    np.testing.assert_array_equal(board[:2, :4], [[0, 0, 1, 1], [0, 0, 1, 1]])
    assert board.mean() == 0.5
    disc = data.circle(64)
    assert disc.shape == (64, 64) and disc[32, 32] == 1 and disc[0, 0] == 0
    assert abs(disc.sum() - np.pi * 16**2) < 40  # area of a radius-16 disc
    box = data.square(64)
    assert box.sum() == 32 * 32 and box[16, 16] == 1 and box[15, 15] == 0
    np.testing.assert_array_equal(box, box.T)
    np.testing.assert_array_equal(box, box[::-1, ::-1])  # centred


def test_synthetic_bad_input():
    with pytest.raises(TypeError, match="size must be an int, got float"):
        data.checkerboard(6.0)
    with pytest.raises(ValueError, match="squares must be an int >= 1, got 0"):
        data.checkerboard(8, squares=0)
    with pytest.raises(ValueError, match="radius must be > 0"):
        data.circle(8, radius=-1)
    with pytest.raises(ValueError, match="side must be at most size=8, got 9"):
        data.square(8, side=9)


@pytest.mark.parametrize("name", data.IMAGE_NAMES)
def test_load_image(name, no_network):
    image = data.load_image(name, size=32)
    assert image.shape == (32, 32) and image.dtype == np.float64
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.std() > 0.1


def test_load_image_defaults_and_bad_name():
    assert data.load_image("checkerboard").shape == (64, 64)
    assert data.load_image("hopper").shape == (600, 512)
    with pytest.raises(ValueError, match="name must be one of .*'hopper'.* got 'lena'"):
        data.load_image("lena")
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_image(3)


# --------------------------------------------------------------------------------------------
# Synthetic scenes (chapter 6)
# --------------------------------------------------------------------------------------------
def test_make_scenes_boxes_are_tight_around_the_masks():
    scenes = data.make_scenes(50, size=40, objects=(1, 3), sides=(6, 12), seed=3)
    assert scenes.images.shape == (50, 1, 40, 40) and scenes.images.dtype == np.float32
    assert scenes.masks.shape == (50, 40, 40) and scenes.masks.dtype == np.int64
    assert 0 <= scenes.images.min() and scenes.images.max() <= 1
    counts = [len(b) for b in scenes.boxes]
    assert min(counts) >= 1 and max(counts) <= 3 and len(set(counts)) == 3
    for image, mask, boxes, labels in zip(scenes.images, scenes.masks, scenes.boxes,
                                          scenes.labels):
        assert boxes.shape == (len(labels), 4) and set(labels) <= {1, 2, 3}
        assert sorted(np.unique(mask)) == sorted({0, *labels})
        covered = np.zeros(mask.shape, bool)
        for (x1, y1, x2, y2), label in zip(boxes.astype(int), labels):
            inside = mask[y1:y2, x1:x2] == label
            assert inside[0].any() and inside[-1].any()  # tight: top and bottom rows touched
            assert inside[:, 0].any() and inside[:, -1].any()  # and both sides
            assert 6 <= max(x2 - x1, y2 - y1) <= 12
            covered[y1:y2, x1:x2] |= inside
        assert (covered == (mask > 0)).all()  # every object pixel lies in its box
        assert image[0][mask > 0].mean() > image[0][mask == 0].mean() + 0.3


def test_make_scenes_shapes_look_like_their_names():
    scenes = data.make_scenes(300, size=32, objects=(1, 1), sides=(12, 12), seed=0)
    fill = {1: [], 2: [], 3: []}
    for mask, boxes, (label,) in zip(scenes.masks, scenes.boxes, scenes.labels):
        x1, y1, x2, y2 = boxes[0].astype(int)
        fill[label].append((mask[y1:y2, x1:x2] == label).mean())
    assert np.allclose(fill[1], 1.0)                     # a square fills its box
    assert abs(np.mean(fill[2]) - np.pi / 4) < 0.05      # a disc: pi/4 of it
    assert 0.45 < np.mean(fill[3]) < 0.6                  # a triangle: about half
    assert all(len(f) > 70 for f in fill.values())        # the three shapes come up evenly


def test_make_scenes_is_seeded_and_checks_its_arguments():
    a, b = data.make_scenes(3, seed=7), data.make_scenes(3, seed=7)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, data.make_scenes(3, seed=8).images)
    for kwargs, error, words in [
        (dict(n=0), ValueError, "n must be an int >= 1, got 0"),
        (dict(n=2, sides=(12, 8)), ValueError, "sides"),
        (dict(n=2, size=10, sides=(8, 12)), ValueError, "at most size=10"),
        (dict(n=2, noise=2), ValueError, r"noise must be in \[0, 1\], got 2.0"),
        (dict(n=2, seed=-1), ValueError, "seed must be an int >= 0, got -1"),
        (dict(n=2, objects=(1, 2, 3)), ValueError, "objects must be an int or a pair"),
    ]:
        with pytest.raises(error, match=words):
            data.make_scenes(**kwargs)


def test_rotated_grid_turns_the_axes_counter_clockwise():
    offsets = np.array([-1.0, 0.0, 1.0])
    along, across = data.rotated_grid(3, 0)
    np.testing.assert_allclose(along, np.tile(offsets, (3, 1)))     # along = column offset
    np.testing.assert_allclose(across, np.tile(offsets[:, None], (1, 3)))  # across = row offset
    along, across = data.rotated_grid(3, 90)
    # at 90 degrees "along" points up the page: the top row (row offset -1) is +1 along
    np.testing.assert_allclose(along, np.tile(-offsets[:, None], (1, 3)), atol=1e-12)
    np.testing.assert_allclose(across, np.tile(offsets, (3, 1)), atol=1e-12)
    along, across = data.rotated_grid(4, 45)
    assert along.shape == across.shape == (4, 4)
    # a turn keeps distances from the centre
    rows, cols = np.meshgrid(np.arange(4) - 1.5, np.arange(4) - 1.5, indexing="ij")
    np.testing.assert_allclose(along**2 + across**2, rows**2 + cols**2)
