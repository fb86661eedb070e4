"""A small one-stage detector with anchor boxes at two scales (chapter 6), on the synthetic
scenes of ``cnn_lib.data.make_scenes``; it imports PyTorch.

:class:`AnchorDetector` computes features once and predicts, on a map of stride 4 and on a
map of stride 8, for the one anchor of every cell (``cnn_lib.anchors``; 12x12 at stride 4, 20x20
at stride 8): a class score per class (background first) and four offsets from the anchor to the
object (``detection.encode_boxes``). No image pyramid: the two maps share the work of the first
layers, and each level's anchors fit objects of its size. The loss is the window detector's
(``detector.detection_loss``), applied to every anchor instead of every window.

- :func:`level_anchors`: the anchors of the two levels of an H x W image;
- :func:`fit_anchor_detector`: Adam over the training scenes;
- :func:`detect_anchors`: outputs -> boxes -> NMS, for one image.
"""

import numpy as np
import torch
from torch import nn

from cnn_lib import anchors, detection, train
from cnn_lib.checks import check_int, pair
from cnn_lib.detector import Detections, check_scenes, detection_loss

__all__ = ["AnchorDetector", "detect_anchors", "fit_anchor_detector", "level_anchors"]

STRIDES = (4, 8)       # the two feature maps' total strides
SIZES = (12.0, 20.0)   # the anchor of each level: a square of this side, centred on the cell
POSITIVE, NEGATIVE = 0.5, 0.4  # IoU thresholds of anchors.label_anchors


class AnchorDetector(nn.Module):
    """A one-stage detector for (N, 1, H, W) grey images, H and W divisible by 8.

    Shapes for H = W = 48 (every convolution 3x3 with padding 1, then a ReLU): conv (c) ->
    max pool 2 -> 24, conv (2c) -> max pool 2 -> 12, conv (4c): the map of stride 4, where
    head 1 (a 1x1 convolution to ``hidden`` channels, a ReLU and a 1x1 convolution to
    num_classes + 4) classifies every cell; max pool 2 -> 6, conv (4c): the map of stride 8,
    where head 2 does the same. ``forward`` returns the two
    maps [(N, num_classes + 4, H/4, W/4), (N, num_classes + 4, H/8, W/8)]: per cell the class
    scores (background first) and the offsets (dx, dy, dw, dh) of its anchor.
    """

    def __init__(self, num_classes=4, channels=16, hidden=64):
        super().__init__()
        self.num_classes = check_int(num_classes, "num_classes", low=2)
        c, hidden = check_int(channels, "channels"), check_int(hidden, "hidden")

        def conv(c_in, c_out):
            return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU()]

        def head():  # per cell: a small "fully connected" classifier, as 1x1 convolutions
            return nn.Sequential(nn.Conv2d(2 * c, hidden, 3, padding=1), nn.ReLU(),
                                 nn.Conv2d(hidden, self.num_classes + 4, 1))

        self.stem = nn.Sequential(*conv(1, c), nn.MaxPool2d(2), *conv(c, c),
                                  nn.MaxPool2d(2), *conv(c, 2 * c))
        self.down = nn.Sequential(nn.MaxPool2d(2), *conv(2 * c, 2 * c))
        self.head4, self.head8 = head(), head()

    def forward(self, x):
        if x.shape[-1] % 8 or x.shape[-2] % 8:
            raise ValueError(f"AnchorDetector: the input's height and width must be divisible "
                             f"by 8, got {tuple(x.shape[-2:])}")
        f4 = self.stem(x)
        return [self.head4(f4), self.head8(self.down(f4))]


def level_anchors(image_size):
    """The anchors of the two levels for an image of ``image_size`` (H, W): a list of two
    (H/S * W/S, 4) 'xyxy' arrays, cells row by row (``anchors.generate_anchors``)."""
    h, w = pair(image_size, "image_size", "level_anchors")
    return [anchors.generate_anchors((h // s, w // s), s, size)
            for s, size in zip(STRIDES, SIZES)]


def _targets(scenes, image_size):
    """Per level: classes (N, h, w), deltas (N, 4, h, w), hard (N, h, w) tensors."""
    out = []
    for s, boxes in zip(STRIDES, level_anchors(image_size)):
        h, w = image_size[0] // s, image_size[1] // s
        per_image = [anchors.anchor_targets(boxes, b, lab, POSITIVE, NEGATIVE)
                     for b, lab in zip(scenes.boxes, scenes.labels)]
        classes, deltas, hard = (np.stack(t) for t in zip(*per_image))
        out.append((torch.as_tensor(classes.reshape(-1, h, w)),
                    torch.as_tensor(deltas.reshape(-1, h, w, 4)).permute(0, 3, 1, 2),
                    torch.as_tensor(hard.reshape(-1, h, w))))
    return out


def fit_anchor_detector(model, scenes, epochs=15, lr=3e-3, batch_size=32, seed=0):
    """Train an :class:`AnchorDetector` on ``scenes`` with Adam (on the CPU), with
    ``train.fit``'s loop: each step adds ``detector.detection_loss`` of the two levels.
    Returns its history dict: ``loss`` (mean per epoch) and ``seconds``."""
    if not isinstance(model, AnchorDetector):
        raise TypeError(f"model must be an AnchorDetector, got {type(model).__name__}")
    images = torch.as_tensor(check_scenes(scenes)[:, None], dtype=torch.float32)
    history = train.fit(model, images, _targets(scenes, images.shape[-2:]), epochs, lr,
                        batch_size, seed=seed, device="cpu", loss_fn=_two_level_loss)
    model.eval()
    return history


def _two_level_loss(model, images, targets):
    """:func:`detector.detection_loss` of a batch, added up over the two levels."""
    return sum(detection_loss(out, *level) for out, level in zip(model(images), targets))


def detect_anchors(model, image, threshold=0.5, iou_threshold=0.3):
    """Find the objects in one image (H, W) or (1, H, W): every anchor whose probability of
    holding an object (1 - P(background)) is >= ``threshold`` becomes its anchor moved by its
    predicted offsets (``detection.decode_boxes``); NMS with ``iou_threshold`` keeps the best
    of overlapping boxes. Returns ``detector.Detections`` (boxes, scores, labels)."""
    if not isinstance(model, AnchorDetector):
        raise TypeError(f"model must be an AnchorDetector, got {type(model).__name__}")
    image = np.asarray(image, dtype=np.float32)
    image = image[0] if image.ndim == 3 and image.shape[0] == 1 else image
    if image.ndim != 2:
        raise ValueError(f"image must have shape (H, W) or (1, H, W), got {image.shape}")
    model.eval()
    with torch.no_grad():
        outputs = model(torch.as_tensor(image)[None, None])
    boxes, scores, labels = [], [], []
    for out, reference in zip(outputs, level_anchors(image.shape)):
        out = out[0].flatten(1).T                                   # (cells, C + 4)
        p = torch.softmax(out[:, :model.num_classes], 1).numpy()
        keep = np.flatnonzero(1 - p[:, 0] >= threshold)
        boxes.append(detection.decode_boxes(reference[keep],
                                            out[keep, model.num_classes:].numpy()))
        scores.append(1 - p[keep, 0])
        labels.append(p[keep, 1:].argmax(axis=1) + 1)
    boxes, scores, labels = (np.concatenate(a) for a in (boxes, scores, labels))
    keep = detection.nms(boxes, scores, iou_threshold)
    return Detections(boxes[keep], scores[keep], labels[keep])
