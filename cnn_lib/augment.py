"""Data augmentation for grey images in [0, 1], such as the digits: random variants that
should not change an image's label (chapter 5).

Every function takes a batch ``images`` of shape (N, 1, H, W) (a NumPy array of floats),
leaves it unchanged and returns new variants of the same shape and dtype; the same ``seed``
gives the same variants. Pixel values stay in [0, 1].

- :func:`random_crop`: pad by ``padding`` pixels and cut a window of the original size at a
  random place, i.e. a random shift by up to ``padding`` pixels, zeros coming in at the edges;
- :func:`mirror`: flip left-right, each image with probability ``p``;
- :func:`brightness_contrast`: scale the contrast around the image's mean and add a brightness
  offset, both drawn at random per image (the grey version of colour jitter);
- :func:`gaussian_noise`: add independent Gaussian noise to every pixel.

>>> import numpy as np
>>> x = np.arange(4.0).reshape(1, 1, 2, 2) / 4
>>> mirror(x, p=1.0)[0, 0]
array([[0.25, 0.  ],
       [0.75, 0.5 ]])
"""

import numpy as np

from .checks import check_int, check_real, is_int

__all__ = ["brightness_contrast", "gaussian_noise", "mirror", "random_crop"]


def _images(images, fn):
    try:
        a = np.asarray(images)
    except Exception:  # ragged lists
        raise TypeError(f"{fn}: images must be an array of shape (N, 1, H, W), "
                        f"got {type(images).__name__}") from None
    if a.dtype.kind not in "iuf" or a.dtype == bool:
        raise TypeError(f"{fn}: images must hold real numbers, got dtype {a.dtype}")
    if a.ndim != 4 or a.shape[1] != 1:
        raise ValueError(f"{fn}: images must have shape (N, 1, H, W), got {a.shape}")
    return a if a.dtype.kind == "f" else a.astype(float)


def _rng(seed, fn):
    if not is_int(seed) or seed < 0:
        raise (ValueError if is_int(seed) else TypeError)(
            f"{fn}: seed must be an int >= 0, got {type(seed).__name__} {seed!r}")
    return np.random.default_rng(int(seed))


def random_crop(images, padding=1, seed=0):
    """Pad every image with ``padding`` zeros on each side, then cut an H x W window at a
    random offset: a shift by a random whole number of pixels in [-padding, padding] along
    each axis (the crop augmentation of AlexNet and ResNet, scaled down to 8x8 digits)."""
    fn = "random_crop"
    x = _images(images, fn)
    padding = check_int(padding, "padding", fn, low=0)
    rng = _rng(seed, fn)
    n, _, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    offsets = rng.integers(0, 2 * padding + 1, size=(n, 2))
    out = np.empty_like(x)
    for i, (r, c) in enumerate(offsets):
        out[i] = padded[i, :, r:r + h, c:c + w]
    return out


def mirror(images, p=0.5, seed=0):
    """Flip each image left-right with probability ``p`` (``p=1`` flips them all)."""
    fn = "mirror"
    x = _images(images, fn)
    p = check_real(p, "p", fn, 0, 1)
    flip = _rng(seed, fn).random(len(x)) < p
    out = x.copy()
    out[flip] = x[flip][..., ::-1]
    return out


def brightness_contrast(images, brightness=0.2, contrast=0.4, seed=0):
    """Per image, multiply the deviations from its mean by a factor drawn from
    [1 - contrast, 1 + contrast] and add an offset drawn from [-brightness, brightness];
    clip to [0, 1]."""
    fn = "brightness_contrast"
    x = _images(images, fn)
    brightness = check_real(brightness, "brightness", fn, 0, 1)
    contrast = check_real(contrast, "contrast", fn, 0, 1)
    rng = _rng(seed, fn)
    n = len(x)
    factor = rng.uniform(1 - contrast, 1 + contrast, size=(n, 1, 1, 1))
    offset = rng.uniform(-brightness, brightness, size=(n, 1, 1, 1))
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    return np.clip((x - mean) * factor + mean + offset, 0, 1).astype(x.dtype)


def gaussian_noise(images, std=0.1, seed=0):
    """Add Gaussian noise of standard deviation ``std`` to every pixel; clip to [0, 1]."""
    fn = "gaussian_noise"
    x = _images(images, fn)
    std = check_real(std, "std", fn, 0)
    noise = _rng(seed, fn).normal(0, std, size=x.shape)
    return np.clip(x + noise, 0, 1).astype(x.dtype)
