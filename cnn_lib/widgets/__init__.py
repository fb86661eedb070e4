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
- ``cnn_lib.widgets.cells``: PIL drawing of numbered grids, shared by the explorers.
"""

from cnn_lib.widgets.convolution import (
    KERNELS,
    TOY_K,
    TOY_X,
    FilterExplorer,
    SlidingWindowStepper,
    StepperState,
    default_images,
    filter_explorer,
    filter_explorer_update,
    filter_gallery,
    kernel_is_signed,
    render_filter_png,
    render_stepper_png,
    sliding_window_stepper,
    stepper_state,
)
from cnn_lib.widgets.features import (
    FeatureExplorer,
    FeatureMaps,
    feature_explorer,
    feature_maps,
    feature_maps_animation,
    feature_maps_image,
    feature_maps_update,
    layer_names,
)
from cnn_lib.widgets.orientation import (
    ANGLES,
    OrientationExplorer,
    OrientationState,
    gabor_filter,
    orientation_animation,
    orientation_explorer,
    orientation_update,
    oriented_filter,
    render_orientation_png,
    simple_cell_response,
    tuning_curve,
)
from cnn_lib.widgets.padding_stride import (
    RECEPTIVE_FIELD_STACKS,
    ConvGeometry,
    PaddingStrideExplorer,
    ReceptiveFieldExplorer,
    ReceptiveFieldState,
    conv_arithmetic_animation,
    conv_geometry,
    example_input,
    padding_stride_explorer,
    receptive_field_animation,
    receptive_field_explorer,
    receptive_field_update,
    render_geometry_png,
    render_receptive_field_png,
)
from cnn_lib.widgets.pooling import (
    POOLINGS,
    PoolingExplorer,
    PoolingShift,
    fraction_changed,
    pooling_explorer,
    pooling_shift_animation,
    pooling_shift_update,
    render_pooling_shift_png,
    shift_right,
)

__all__ = [
    "FeatureExplorer",
    "FeatureMaps",
    "feature_explorer",
    "feature_maps",
    "feature_maps_animation",
    "feature_maps_image",
    "feature_maps_update",
    "layer_names",
    "ANGLES",
    "KERNELS",
    "OrientationExplorer",
    "OrientationState",
    "orientation_animation",
    "orientation_explorer",
    "orientation_update",
    "oriented_filter",
    "render_orientation_png",
    "simple_cell_response",
    "tuning_curve",
    "POOLINGS",
    "PoolingExplorer",
    "PoolingShift",
    "fraction_changed",
    "gabor_filter",
    "pooling_explorer",
    "pooling_shift_animation",
    "pooling_shift_update",
    "render_pooling_shift_png",
    "shift_right",
    "RECEPTIVE_FIELD_STACKS",
    "TOY_K",
    "TOY_X",
    "ConvGeometry",
    "FilterExplorer",
    "PaddingStrideExplorer",
    "ReceptiveFieldExplorer",
    "ReceptiveFieldState",
    "SlidingWindowStepper",
    "StepperState",
    "conv_arithmetic_animation",
    "conv_geometry",
    "default_images",
    "example_input",
    "filter_explorer",
    "filter_explorer_update",
    "filter_gallery",
    "kernel_is_signed",
    "padding_stride_explorer",
    "receptive_field_animation",
    "receptive_field_explorer",
    "receptive_field_update",
    "render_filter_png",
    "render_geometry_png",
    "render_receptive_field_png",
    "render_stepper_png",
    "sliding_window_stepper",
    "stepper_state",
]
