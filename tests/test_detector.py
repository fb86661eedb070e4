"""Chapter 6's networks and the detector around them: WindowDetector run on a whole image
equals it run window by window, the training targets on hand-made boxes, the loss, the U-Net's
shapes, segmentation with train.fit, and box encoding and mask IoU (cnn_lib.detection)."""

import numpy as np
import pytest
import torch

import cnn_lib
from cnn_lib import data, detection, detector, models, train


# --------------------------------------------------------------------------- the networks
def test_window_detector_on_an_image_equals_window_by_window():
    cnn_lib.set_seed(0)
    model = models.WindowDetector().eval()
    image = torch.rand(1, 1, 30, 26)
    with torch.no_grad():
        whole = model(image)[0]                                  # one pass: (8, 8, 6)
        assert whole.shape == (4 + 4, 8, 6)
        for i in range(8):
            for j in range(6):
                window = image[:, :, 2 * i:2 * i + 16, 2 * j:2 * j + 16]
                torch.testing.assert_close(model(window)[0, :, 0, 0], whole[:, i, j],
                                           rtol=1e-5, atol=1e-5)


def test_window_detector_shapes_and_parameters():
    model = models.WindowDetector()
    assert model(torch.zeros(2, 1, 16, 16)).shape == (2, 8, 1, 1)
    assert model(torch.zeros(1, 1, 48, 48)).shape == (1, 8, 17, 17)
    # conv 5x5 (1->16), conv 3x3 (16->32), conv 4x4 (32->64), conv 1x1 (64->4 + 4)
    assert sum(p.numel() for p in model.parameters()) == (
        16 * 25 + 16 + 32 * 16 * 9 + 32 + 64 * 32 * 16 + 64 + 8 * 64 + 8)
    assert models.WindowDetector(num_classes=3)(torch.zeros(1, 1, 16, 16)).shape[1] == 7


def test_unet_shapes_skips_and_bad_input():
    with_skips, without = models.UNet(width=8), models.UNet(width=8, skip=False)
    x = torch.zeros(2, 1, 32, 24)
    assert with_skips(x).shape == without(x).shape == (2, 4, 32, 24)
    # the skips double the merging convolutions' input channels, nothing else
    extra = sum(p.numel() for p in with_skips.parameters()) - sum(
        p.numel() for p in without.parameters())
    assert extra == 16 * 16 * 9 + 8 * 8 * 9
    with pytest.raises(ValueError, match="divisible by 4, got \\(30, 24\\)"):
        with_skips(torch.zeros(1, 1, 30, 24))
    with pytest.raises(ValueError, match="width"):
        models.UNet(width=0)


def test_fit_trains_a_segmentation_model_on_masks():
    scenes = data.make_scenes(40, size=16, objects=(1, 1), sides=(6, 8), seed=0)
    cnn_lib.set_seed(0)
    model = models.UNet(width=4)
    history = train.fit(model, scenes.images, scenes.masks, epochs=8, lr=1e-2, batch_size=8)
    assert history["loss"][-1] < history["loss"][0] * 0.7
    predicted = train.predict(model, scenes.images)
    assert predicted.shape == scenes.masks.shape
    pixel_accuracy = train.accuracy(model, scenes.images, scenes.masks)
    assert pixel_accuracy == pytest.approx((predicted == scenes.masks).mean())
    assert 0 < history["train_accuracy"][-1] <= 1
    with pytest.raises(ValueError, match="per pixel"):
        train.fit(model, scenes.images, scenes.masks[:5])


# --------------------------------------------------------------------------- box offsets, masks
def test_encode_and_decode_boxes_are_inverse():
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 50, (100, 2))
    reference = np.concatenate([corners, corners + rng.uniform(1, 20, (100, 2))], 1)
    corners = rng.uniform(0, 50, (100, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(1, 20, (100, 2))], 1)
    deltas = detection.encode_boxes(reference, boxes)
    np.testing.assert_allclose(detection.decode_boxes(reference, deltas), boxes, atol=1e-9)
    np.testing.assert_allclose(detection.encode_boxes(boxes, boxes), 0, atol=1e-12)
    # a box shifted by half its width and twice as tall (about the same centre)
    np.testing.assert_allclose(detection.encode_boxes([[0, 0, 4, 4]], [[2, -2, 6, 6]]),
                               [[0.5, 0, 0, np.log(2)]])
    with pytest.raises(ValueError, match="same number of boxes"):
        detection.encode_boxes(reference, boxes[:3])
    with pytest.raises(ValueError, match="positive widths"):
        detection.encode_boxes([[0, 0, 0, 4]], [[0, 0, 2, 2]])
    with pytest.raises(ValueError, match="deltas must have shape \\(1, 4\\)"):
        detection.decode_boxes([[0, 0, 4, 4]], [[0, 0]])


def test_mask_iou_by_hand():
    predicted = np.array([[0, 1, 1], [0, 2, 2]])
    target = np.array([[0, 1, 0], [0, 2, 2]])
    # class 0: both {(0,0),(1,0)}, either adds (0,2) -> 2/3; class 1: 1/2; class 2: 2/2
    np.testing.assert_allclose(detection.mask_iou(predicted, target, 4), [2 / 3, 1 / 2, 1, np.nan])
    with pytest.raises(ValueError, match="same shape"):
        detection.mask_iou(predicted, target[:1], 3)
    with pytest.raises(ValueError, match="classes 0..1"):
        detection.mask_iou(predicted, target, 2)


# --------------------------------------------------------------------------- the detector
def test_window_boxes_are_the_windows_central_boxes():
    boxes = detector.window_boxes((3, 2))
    windows = detection.sliding_windows((20, 18), 16, 2)
    np.testing.assert_array_equal(boxes, windows + [2, 2, -2, -2])
    assert boxes.shape == (6, 4) and (boxes[:, 2] - boxes[:, 0] == 12).all()


def test_level_targets_by_hand():
    # one 12x12 square at (4, 2): the window of cell (0, 1) has exactly that central box
    classes, deltas, hard = detector.level_targets([[4, 2, 16, 14]], [1], (3, 3), 1.0)
    assert classes[0, 1] == 1 and (deltas[:, 0, 1] == 0).all()
    # cell (0, 0): box (2, 2, 14, 14), IoU 120 / 168 = 0.71 -> also the square, shifted
    assert classes[0, 0] == 1
    np.testing.assert_allclose(deltas[:, 0, 0], [2 / 12, 0, 0, 0])
    # cell (2, 2): box (6, 6, 18, 18), IoU 80 / 208 = 0.38 -> don't care
    assert classes[2, 2] == -1
    # a level at half scale: the 12x12 box of cell (0, 0) is 24x24 in the image
    classes, deltas, hard = detector.level_targets([[4, 4, 28, 28]], [3], (8, 8), 0.5)
    assert classes[0, 0] == 3 and not hard[0, 0]
    # cell (3, 3): box (8, 8, 20, 20) -> (16, 16, 40, 40); IoU 144 / 1008: background, hard
    assert classes[3, 3] == 0 and hard[3, 3]
    # cell (7, 7): (32, 32, 56, 56), no overlap at all: background, not hard
    assert classes[7, 7] == 0 and not hard[7, 7]
    np.testing.assert_allclose(deltas[:, 0, 0], [0, 0, 0, 0])
    # no objects: all background, none hard
    classes, deltas, hard = detector.level_targets(np.zeros((0, 4)), [], (2, 2), 1.0)
    assert (classes == 0).all() and not hard.any()


def test_detection_loss_weights_and_ignores():
    output = torch.zeros(1, 8, 1, 3, requires_grad=True)  # uniform scores: CE = log 4
    classes = torch.tensor([[[0, 2, -1]]])
    deltas = torch.zeros(1, 4, 1, 3)
    deltas[0, :, 0, 1] = torch.tensor([1.0, 0, 0, 0])      # smooth L1 of a 1.0 error: 0.5
    hard = torch.tensor([[[True, False, False]]])
    loss = detector.detection_loss(output, classes, deltas, hard)
    # CE is log 4 in every counted window whatever its weight; offsets: mean(0.5, 0, 0, 0)
    assert loss.item() == pytest.approx(np.log(4) + 0.5 / 4)
    loss.backward()
    assert (output.grad[0, :, 0, 2] == 0).all()              # "don't care": no gradient


def test_detect_finds_a_square_after_brief_training():
    train_scenes = data.make_scenes(300, seed=1, objects=(1, 3), sides=(10, 20))
    cnn_lib.set_seed(0)
    model = models.WindowDetector()
    history = detector.fit_detector(model, train_scenes, epochs=10)
    assert history["loss"][-1] < history["loss"][0] / 3
    image = np.zeros((48, 48), np.float32)
    image[10:24, 20:34] = 0.9                                # a 14x14 square
    found = detector.detect(model, image, threshold=0.5)
    assert len(found.boxes) >= 1 and found.labels[0] == 1
    assert detection.box_iou(found.boxes[:1], [[20, 10, 34, 24]])[0, 0] > 0.6
    assert (np.diff(found.scores) <= 0).all()
    maps = detector.score_maps(model, image)
    assert [m[2] for m in maps] == [1.0, 0.7, pytest.approx(0.49)]
    assert maps[0][0].shape == (4, 17, 17) and maps[0][1].shape == (4, 17, 17)
    np.testing.assert_allclose(maps[0][0].sum(axis=0), 1, rtol=1e-5)


@pytest.mark.parametrize("call, error, words", [
    (lambda: detector.detect(torch.nn.Conv2d(1, 1, 3), np.zeros((32, 32))), TypeError,
     "WindowDetector"),
    (lambda: detector.detect(models.WindowDetector(), np.zeros((2, 32, 32))), ValueError,
     "image must have shape"),
    (lambda: detector.detect(models.WindowDetector(), np.zeros((32, 32)), threshold=2),
     ValueError, "threshold"),
    (lambda: detector.fit_detector(models.WindowDetector(), np.zeros((3, 1, 32, 32))),
     TypeError, "Scenes"),
    (lambda: detector.fit_detector(models.WindowDetector(), data.make_scenes(2), epochs=0),
     ValueError, "epochs"),
])
def test_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call()
