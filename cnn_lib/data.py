"""Data that ships inside installed packages, or that we generate. Nothing is downloaded.

- ``load_digits``: scikit-learn's bundled 8x8 handwritten digits, split for training.
- ``digits_on_canvas``: the same digits placed anywhere on a larger blank canvas.
- ``augment``: random small rotations and shifts of images (data augmentation).
- ``load_photo``: a real photograph (Grace Hopper) that ships inside matplotlib's wheel.
- ``load_image``: the photo or a synthetic test image by name (see ``IMAGE_NAMES``).
- ``checkerboard``, ``circle``, ``square``: small synthetic grey images.
- ``bar``: a bright bar at any angle, the stimulus of Hubel and Wiesel's experiments
  (``rotated_grid``: the turned coordinates it is drawn in).
- ``make_scenes``: seeded synthetic scenes of squares, circles and triangles, with their boxes
  and segmentation masks (for detection and segmentation; see ``SHAPES``).

Images are float arrays in [0, 1], shape (H, W) (grey) or (H, W, 3) (colour).
"""

import numbers
from pathlib import Path
from typing import NamedTuple

import numpy as np

from cnn_lib.checks import check_bool, check_int, check_real, pair

__all__ = [
    "IMAGE_NAMES",
    "PHOTO_CREDIT",
    "SHAPES",
    "Scenes",
    "augment",
    "bar",
    "checkerboard",
    "circle",
    "digits_on_canvas",
    "load_digits",
    "load_image",
    "load_photo",
    "make_scenes",
    "photo_path",
    "rotated_grid",
    "square",
]

PHOTO_CREDIT = ("Rear Admiral Grace M. Hopper, official U.S. Navy photograph (public domain); "
                "the file grace_hopper.jpg ships with matplotlib's sample data.")

IMAGE_NAMES = ("hopper", "checkerboard", "circle", "square")

# ITU-R BT.601 luma weights for R, G, B.
_LUMA = np.array([0.299, 0.587, 0.114])


# --------------------------------------------------------------------------------------------
# Digits
# --------------------------------------------------------------------------------------------
def load_digits(test_size=0.25, seed=0, dtype=np.float32):
    """scikit-learn's bundled 8x8 digits (1,797 images), split into train and test sets.

    The split is stratified (each digit is equally represented in both parts) and seeded.

    Args:
        test_size: fraction of the images in the test set, a float in (0, 1).
        seed: int seed of the split.
        dtype: floating dtype of the images.

    Returns:
        (X_train, X_test, y_train, y_test): images of shape (N, 1, 8, 8) with values in [0, 1]
        (NCHW, one grey channel), labels of shape (N,), dtype int64, values 0..9.
    """
    from sklearn.datasets import load_digits as _sklearn_digits
    from sklearn.model_selection import train_test_split

    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be a float in (0, 1), got {test_size!r}")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be a float in (0, 1), got {test_size!r}")
    seed = check_int(seed, "seed", low=0)
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"dtype must be a floating dtype, got {np.dtype(dtype)}")
    digits = _sklearn_digits()
    X = (digits.images / 16.0).astype(dtype)[:, None, :, :]  # pixel values are 0..16
    y = digits.target.astype(np.int64)
    return train_test_split(X, y, test_size=float(test_size), random_state=int(seed),
                            stratify=y)


def digits_on_canvas(images, canvas=16, row=0, col=0):
    """Put small images on a larger blank canvas, their top-left corner at (row, col).

    Args:
        images: array of shape (N, 1, h, w), e.g. from :func:`load_digits`.
        canvas: side of the square canvas (an int >= h and >= w).
        row, col: where the images' top-left corner goes; the image must fit.

    Returns:
        array of shape (N, 1, canvas, canvas), same dtype, zeros around the images.

    >>> digits_on_canvas(np.ones((2, 1, 8, 8)), canvas=16, row=4, col=8).shape
    (2, 1, 16, 16)
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 1, h, w), got {images.shape}")
    canvas = check_int(canvas, "canvas")
    h, w = images.shape[2:]
    for name, value, room in (("row", row, canvas - h), ("col", col, canvas - w)):
        if not 0 <= check_int(value, name, low=None) <= room:
            raise ValueError(f"{name} must be in 0..{room} so that the {h}x{w} images fit on "
                             f"the {canvas}x{canvas} canvas, got {value}")
    out = np.zeros(images.shape[:2] + (canvas, canvas), dtype=images.dtype)
    out[:, :, row:row + h, col:col + w] = images
    return out


def augment(images, seed=0, max_angle=15.0, max_shift=1):
    """Random variants of ``images`` (N, 1, H, W): each rotated by a random angle in
    [-max_angle, max_angle] degrees (bilinear) and shifted by a random whole number of pixels in
    [-max_shift, max_shift] along each axis, zeros coming in at the edges.

    Returns an array like ``images``; the same ``seed`` gives the same variants.
    """
    from scipy import ndimage

    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"images must have shape (N, 1, H, W), got {images.shape}")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(int(seed))
    out = np.empty_like(images)
    for i, image in enumerate(images[:, 0]):
        turned = ndimage.rotate(image, rng.uniform(-max_angle, max_angle), reshape=False,
                                order=1)
        out[i, 0] = ndimage.shift(turned, rng.integers(-max_shift, max_shift + 1, size=2),
                                  order=0)
    return out


# --------------------------------------------------------------------------------------------
# The photo
# --------------------------------------------------------------------------------------------
def photo_path():
    """Path of ``grace_hopper.jpg`` inside matplotlib's installed package data (no download)."""
    import matplotlib.cbook

    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def _crop_to_aspect(image, height, width):
    """Centre-crop ``image`` (H, W, ...) to the aspect ratio height : width."""
    h, w = image.shape[:2]
    if h * width > w * height:  # too tall
        new_h = max(1, w * height // width)
        top = (h - new_h) // 2
        return image[top:top + new_h]
    new_w = max(1, h * width // height)
    left = (w - new_w) // 2
    return image[:, left:left + new_w]


def _resize_axis(image, n, axis):
    """Resize one axis to length n: average blocks when shrinking, repeat (nearest) when growing."""
    m = image.shape[axis]
    starts = (np.arange(n) * m) // n
    sums = np.add.reduceat(image, starts, axis=axis)
    counts = np.maximum(np.diff(np.append(starts, m)), 1)  # a repeated start holds one pixel
    shape = [1] * image.ndim
    shape[axis] = n
    return sums / counts.reshape(shape)


def _resize(image, size):
    """Centre-crop to the aspect ratio of ``size`` = (H, W), then resize by area averaging."""
    height, width = size
    image = _crop_to_aspect(image, height, width)
    return _resize_axis(_resize_axis(image, height, axis=0), width, axis=1)


def load_photo(size=None, grey=True):
    """A real photograph: Grace Hopper, shipped with matplotlib (see ``PHOTO_CREDIT``).

    Args:
        size: None for the full 600 x 512 (H x W) photo, or an int / (H, W) pair: the photo is
            centre-cropped to that aspect ratio and resized by averaging blocks of pixels.
        grey: if True, convert to grey with the ITU-R 601 luma weights 0.299 R + 0.587 G +
            0.114 B.

    Returns:
        float64 array in [0, 1], shape (H, W) if ``grey`` else (H, W, 3).
    """
    import matplotlib.image

    grey = check_bool(grey, "grey")
    image = matplotlib.image.imread(photo_path())
    image = image[..., :3].astype(np.float64) / 255.0  # uint8 (H, W, 3) -> [0, 1]
    if grey:
        image = image @ _LUMA
    if size is not None:
        image = _resize(image, pair(size, "size"))
    return np.clip(image, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Synthetic images
# --------------------------------------------------------------------------------------------
def checkerboard(size=64, squares=8):
    """A checkerboard of ``squares`` x ``squares`` black (0) and white (1) squares.

    Returns a float64 array of shape (size, size); the top-left square is black.
    """
    size, squares = check_int(size, "size"), check_int(squares, "squares")
    cell = np.arange(size) * squares // size  # which square each row / column lies in
    return ((cell[:, None] + cell[None, :]) % 2).astype(np.float64)


def _grid(size):
    """Row and column coordinates (size, 1) and (1, size) of pixel centres, centred at 0."""
    c = np.arange(size) - (size - 1) / 2
    return c[:, None], c[None, :]


def rotated_grid(size, angle):
    """Pixel-centre coordinates of a ``size`` x ``size`` image, in axes turned by ``angle``.

    ``angle`` is in degrees, counter-clockwise from horizontal as on paper (rows grow
    downwards). Returns ``(along, across)``, two float64 arrays of shape (size, size): each
    pixel centre's distance from the image's centre along the direction ``angle`` and across
    it. ``bar`` and the oriented filters of chapter 1 are drawn in these coordinates.
    """
    rows, cols = _grid(size)
    theta = np.deg2rad(angle)
    along = cols * np.cos(theta) - rows * np.sin(theta)
    across = cols * np.sin(theta) + rows * np.cos(theta)
    return along, across


def circle(size=64, radius=None):
    """A white disc (1) of ``radius`` pixels (default size/4) centred on black (0).

    Returns a float64 array of shape (size, size).
    """
    size = check_int(size, "size")
    radius = size / 4 if radius is None else radius
    radius = check_real(radius, "radius", low=0, low_open=True)
    rows, cols = _grid(size)
    return (rows**2 + cols**2 <= radius**2).astype(np.float64)


def square(size=64, side=None):
    """A white square (1) with sides of ``side`` pixels (default size/2) centred on black (0).

    Returns a float64 array of shape (size, size).
    """
    size = check_int(size, "size")
    side = size // 2 if side is None else check_int(side, "side")
    if side > size:
        raise ValueError(f"side must be at most size={size}, got {side}")
    image = np.zeros((size, size))
    start = (size - side) // 2
    image[start:start + side, start:start + side] = 1.0
    return image


def bar(angle, size=25, length=15, width=3):
    """A white bar (1) on black (0) through the centre of a ``size`` x ``size`` image.

    ``angle`` is in degrees, counter-clockwise from horizontal as on paper (0: horizontal,
    90: vertical, 45: rising to the right). A pixel is white when its centre lies within
    ``length / 2`` of the image's centre along the bar and within ``width / 2`` across it;
    the edges are anti-aliased (a one-pixel ramp), so the bar looks the same at every angle.

    Returns a float64 array of shape (size, size), values in [0, 1].
    """
    size = check_int(size, "size")
    for name, value in (("angle", angle), ("length", length), ("width", width)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(
                value):
            raise TypeError(f"{name} must be a number, got {value!r}")
    if length <= 0 or width <= 0:
        raise ValueError(f"length and width must be positive, got {length!r} and {width!r}")
    along, across = rotated_grid(size, angle)
    inside_along = np.clip(length / 2 - np.abs(along) + 0.5, 0, 1)
    inside_across = np.clip(width / 2 - np.abs(across) + 0.5, 0, 1)
    return inside_along * inside_across


def load_image(name, size=None):
    """A grey test image by name: one of ``IMAGE_NAMES``.

    'hopper' is the photo (``load_photo``, full size unless ``size`` is given); 'checkerboard',
    'circle' and 'square' are generated, ``size`` x ``size`` (default 64).

    Returns a float64 array in [0, 1], shape (H, W).
    """
    if not isinstance(name, str) or name not in IMAGE_NAMES:
        raise ValueError(f"name must be one of {IMAGE_NAMES}, got {name!r}")
    if name == "hopper":
        return load_photo(size=size)
    makers = {"checkerboard": checkerboard, "circle": circle, "square": square}
    return makers[name](64 if size is None else size)


# --------------------------------------------------------------------------------------------
# Synthetic scenes for detection and segmentation
# --------------------------------------------------------------------------------------------
SHAPES = ("square", "circle", "triangle")  # class 1, 2, 3; class 0 is the background


class Scenes(NamedTuple):
    """Scenes from :func:`make_scenes`. ``images`` (N, 1, H, W) float32 in [0, 1]; ``masks``
    (N, H, W) int64 with the class of each pixel (0 background, k for ``SHAPES[k - 1]``);
    ``boxes``: N arrays (K_i, 4) float32, one xyxy box per object (x2, y2 exclusive: pixel
    (r, c) covers [c, c + 1) x [r, r + 1)); ``labels``: N int64 arrays (K_i,) of classes 1..3."""
    images: np.ndarray
    masks: np.ndarray
    boxes: list
    labels: list


def _shape_mask(shape, side):
    """A (side, side) boolean picture of one shape filling its square cell."""
    c = np.arange(side) + 0.5  # pixel centres
    rows, cols = c[:, None], c[None, :]
    if shape == "square":
        return np.ones((side, side), bool)
    if shape == "circle":
        return (rows - side / 2) ** 2 + (cols - side / 2) ** 2 <= (side / 2) ** 2
    return np.abs(cols - side / 2) <= rows / 2  # a triangle, apex up, base at the bottom


def make_scenes(n, size=48, objects=(1, 3), sides=(8, 14), noise=0.05, seed=0):
    """``n`` grey scenes of ``size`` x ``size`` pixels with ``objects[0]`` to ``objects[1]``
    non-overlapping shapes each (a square, a disc or a triangle of random side in ``sides``,
    both ends included, and random brightness 0.5 to 1) on a dark noisy background. Seeded:
    the same arguments always give the same scenes.

    Returns :class:`Scenes` (images, masks, boxes, labels).

    >>> scenes = make_scenes(2, size=32, seed=1)
    >>> scenes.images.shape, scenes.masks.shape, len(scenes.boxes)
    ((2, 1, 32, 32), (2, 32, 32), 2)
    """
    n, size = check_int(n, "n"), check_int(size, "size")
    low, high = pair(objects, "objects")
    small, large = pair(sides, "sides")
    if low > high or small > large or large > size:
        raise ValueError(f"objects and sides must be (low, high) with low <= high and sides at "
                         f"most size={size}, got objects={objects!r}, sides={sides!r}")
    noise = check_real(noise, "noise", low=0, high=1)
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(int(seed))
    images = np.zeros((n, 1, size, size), np.float32)
    masks = np.zeros((n, size, size), np.int64)
    boxes, labels = [], []
    for i in range(n):
        image = rng.uniform(0, 0.2) + noise * rng.standard_normal((size, size))
        scene_boxes, scene_labels = [], []
        for _ in range(rng.integers(low, high + 1)):
            for _attempt in range(50):  # place it where it touches no other shape
                side = int(rng.integers(small, large + 1))
                top, left = rng.integers(0, size - side + 1, size=2)
                if not masks[i, max(top - 1, 0):top + side + 1,
                             max(left - 1, 0):left + side + 1].any():
                    break
            else:
                continue
            label = int(rng.integers(1, len(SHAPES) + 1))
            picture = _shape_mask(SHAPES[label - 1], side)
            masks[i, top:top + side, left:left + side][picture] = label
            image[top:top + side, left:left + side][picture] = rng.uniform(0.5, 1.0)
            rows, cols = np.nonzero(picture)
            scene_boxes.append([left + cols.min(), top + rows.min(), left + cols.max() + 1,
                                top + rows.max() + 1])
            scene_labels.append(label)
        images[i, 0] = np.clip(image, 0, 1)
        boxes.append(np.array(scene_boxes, np.float32).reshape(-1, 4))
        labels.append(np.array(scene_labels, np.int64))
    return Scenes(images, masks, boxes, labels)
