"""Interactive explorers (ipywidgets) and their kernel-free twins, one module per chapter.

Every explorer's update logic is a plain function that the tests call without a browser.

- ``cnn_lib.widgets.convolution``: filter explorer and sliding-window stepper (chapter 2).
- ``cnn_lib.widgets.padding_stride``: padding / stride / dilation explorer and
  receptive-field explorer (chapter 3).
- ``cnn_lib.widgets.pooling``: the pooling explorer (shift an image, see which pooled outputs
  change) (chapter 4).
- ``cnn_lib.widgets.orientation``: orientation tuning of a model simple cell, after Hubel and
  Wiesel (chapter 1).
- ``cnn_lib.widgets.features``: the feature maps of any layer of a trained network (chapter 5).
- ``cnn_lib.widgets.detection``: the IoU explorer (two boxes, their intersection and union) and
  the NMS explorer (which boxes a threshold keeps, and which kept box suppressed each other)
  (chapter 6).
- ``cnn_lib.widgets.upsampling``: the transposed convolution step by step, each input value
  times the kernel added into the output (chapter 6).
- ``cnn_lib.widgets.cells``: what they all draw with: a PIL ``Canvas`` that notes its smallest
  text, a row of labelled panels, numbered grids, stamped PNG bytes (``png_bytes``,
  ``figure_png_bytes``) and animations as wide as the text column (``scaled_frames``,
  ``image_animation``, ``closed_animation``).

A new explorer is a module with its update function (a dataclass of what it shows), its
drawing on a ``cells.Canvas`` (``render_*_png`` returns ``cells.png_bytes`` of it), an
``ipywidgets.VBox`` subclass with ``cells.UnrunRepr`` that calls both on every change, and its
twin, ``cells.image_animation(cells.scaled_frames(draw, n), interval, colors=64)``.
"""

# Each module's own __all__ says what it publishes; the package publishes all of it.
from cnn_lib.widgets import (
    convolution,
    detection,
    features,
    orientation,
    padding_stride,
    pooling,
    upsampling,
)
from cnn_lib.widgets.convolution import *  # noqa: F403
from cnn_lib.widgets.detection import *  # noqa: F403
from cnn_lib.widgets.features import *  # noqa: F403
from cnn_lib.widgets.orientation import *  # noqa: F403
from cnn_lib.widgets.padding_stride import *  # noqa: F403
from cnn_lib.widgets.pooling import *  # noqa: F403
from cnn_lib.widgets.upsampling import *  # noqa: F403

__all__ = [
    *convolution.__all__,
    *padding_stride.__all__,
    *pooling.__all__,
    *orientation.__all__,
    *features.__all__,
    *detection.__all__,
    *upsampling.__all__,
]
