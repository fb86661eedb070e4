"""cnn_lib.augment: each augmentation keeps the shape, the dtype and the [0, 1] range, leaves its
input alone, repeats with its seed, does what its name says, and refuses bad arguments."""

import numpy as np
import pytest

from cnn_lib import augment, data

X = data.load_digits()[0][:20]                      # (20, 1, 8, 8) float32 in [0, 1]
AUGMENTATIONS = [augment.random_crop, augment.mirror, augment.brightness_contrast,
                 augment.gaussian_noise]


@pytest.mark.parametrize("fn", AUGMENTATIONS, ids=lambda f: f.__name__)
def test_shape_dtype_range_input_untouched_and_seeded(fn):
    before = X.copy()
    out = fn(X, seed=3)
    assert out.shape == X.shape and out.dtype == X.dtype
    assert out.min() >= 0 and out.max() <= 1
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(out, fn(X, seed=3))
    assert not np.array_equal(out, fn(X, seed=4))


def test_random_crop_is_a_shift_with_zeros_coming_in():
    out = augment.random_crop(X, padding=1, seed=0)
    for image, shifted in zip(X[:, 0], out[:, 0]):
        padded = np.pad(image, 1)
        windows = [padded[r:r + 8, c:c + 8] for r in range(3) for c in range(3)]
        assert any(np.array_equal(shifted, w) for w in windows)
    np.testing.assert_array_equal(augment.random_crop(X, padding=0), X)


def test_mirror_flips_left_right_with_probability_p():
    np.testing.assert_array_equal(augment.mirror(X, p=1.0), X[..., ::-1])
    np.testing.assert_array_equal(augment.mirror(X, p=0.0), X)
    many = np.repeat(X[:1], 2000, axis=0)
    flipped = (augment.mirror(many, p=0.5, seed=1) != many).any(axis=(1, 2, 3)).mean()
    assert 0.45 < flipped < 0.55


def test_brightness_contrast_is_an_affine_map_per_image():
    out = augment.brightness_contrast(X, brightness=0.0, contrast=0.0)
    np.testing.assert_allclose(out, X, atol=1e-6)       # factor 1, offset 0: unchanged
    image = np.full((1, 1, 8, 8), 0.5, dtype=np.float32)
    image[0, 0, 2:6, 3:5] = 0.6                          # no clipping in play
    out = augment.brightness_contrast(image, brightness=0.2, contrast=0.4, seed=5)
    slope = (out[0, 0, 2, 3] - out[0, 0, 0, 0]) / 0.1
    assert 0.6 - 1e-5 <= slope <= 1.4 + 1e-5
    assert abs(out[0, 0].mean() - image[0, 0].mean()) <= 0.2 + 1e-5


def test_gaussian_noise_has_the_asked_spread():
    grey = np.full((200, 1, 8, 8), 0.5)
    out = augment.gaussian_noise(grey, std=0.1, seed=0)
    assert abs((out - grey).std() - 0.1) < 0.005 and abs((out - grey).mean()) < 0.005
    np.testing.assert_array_equal(augment.gaussian_noise(X, std=0.0), X)


@pytest.mark.parametrize("call, error, words", [
    (lambda: augment.mirror(X[0]), ValueError, "images must have shape (N, 1, H, W)"),
    (lambda: augment.mirror(np.zeros((2, 3, 8, 8))), ValueError, "(N, 1, H, W)"),
    (lambda: augment.mirror(np.array([["a"]])), TypeError, "images"),
    (lambda: augment.mirror(X, p=1.5), ValueError, "p must be in [0, 1]"),
    (lambda: augment.mirror(X, p="half"), TypeError, "p must be a number"),
    (lambda: augment.random_crop(X, padding=-1), ValueError, "padding"),
    (lambda: augment.random_crop(X, padding=1.5), TypeError, "padding"),
    (lambda: augment.brightness_contrast(X, contrast=2), ValueError, "contrast"),
    (lambda: augment.brightness_contrast(X, brightness=-0.1), ValueError, "brightness"),
    (lambda: augment.gaussian_noise(X, std=-1), ValueError, "std"),
    (lambda: augment.gaussian_noise(X, seed=1.0), TypeError, "seed"),
    (lambda: augment.gaussian_noise(X, seed=-1), ValueError, "seed"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)
