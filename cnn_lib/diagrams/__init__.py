"""Architecture diagrams drawn by code (matplotlib), in one style, each returning its Figure.

Every shape written in a box is taken from the model of :mod:`cnn_lib.models` the diagram
shows (a forward pass through :func:`cnn_lib.memory.layer_table`), so a drawing cannot
disagree with the code; the bottleneck block, which the library has no module for, is drawn
from :func:`cnn_lib.memory.bottleneck_table` (the tests check it against a PyTorch module).

- :func:`draw_lenet5`, :func:`draw_alexnet` (the two-GPU layout of 2012),
  :func:`draw_vgg_stage`: chains of layers, top to bottom;
- :func:`draw_inception_block`, :func:`draw_residual_block`, :func:`draw_bottleneck_block`:
  blocks with branches and shortcuts;
- :func:`draw_unet`: the chapter's U-Net, its U shape and skip connections.

Boxes: the layer (kernel, stride) in bold, what follows it, the output shape C×H×W.
Colours: blue convolutions, green fully connected layers, orange pooling, violet
normalization, grey activations, yellow concatenation and addition, teal upsampling; the
shortcuts and skip connections in the book's highlight colour. Text is 9 pt or larger at
the figure's 80 dpi, and the figures are at most 6 inches (480 px) wide, so that they stay
legible on a phone.
"""

from cnn_lib.diagrams.blocks import draw_bottleneck_block, draw_inception_block, draw_residual_block
from cnn_lib.diagrams.chains import draw_alexnet, draw_lenet5, draw_vgg_stage
from cnn_lib.diagrams.unet import draw_unet

__all__ = [
    "draw_alexnet",
    "draw_bottleneck_block",
    "draw_inception_block",
    "draw_lenet5",
    "draw_residual_block",
    "draw_unet",
    "draw_vgg_stage",
]
