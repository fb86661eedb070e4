"""Interactive explorers (ipywidgets) and their kernel-free twins, one module per chapter.

Every explorer's update logic is a plain function that the tests call without a browser.

- ``cnn_lib.widgets.convolution``: filter explorer and sliding-window stepper (chapter 2).
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

__all__ = [
    "KERNELS",
    "TOY_K",
    "TOY_X",
    "FilterExplorer",
    "SlidingWindowStepper",
    "StepperState",
    "default_images",
    "filter_explorer",
    "filter_explorer_update",
    "filter_gallery",
    "kernel_is_signed",
    "render_filter_png",
    "render_stepper_png",
    "sliding_window_stepper",
    "stepper_state",
]
