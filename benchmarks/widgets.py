"""Widget update speed: recompute + redraw, the path a slider or box change takes.

The budget: under 100 ms per update, so that a slider follows the hand. Run with
``python -m benchmarks.widgets``.
"""

import statistics
import time

import matplotlib

# Agg for this process only: an MPLBACKEND variable would reach the kernels that
# benchmarks.notebooks starts and stop their figures from showing.
matplotlib.use("Agg")


def _median_ms(fn, repeats):
    fn()  # warm up (imports, first figure layout)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(repeats=20):
    """Median milliseconds of each widget's update + redraw; a list of dict rows."""
    from cnn_lib.widgets import KERNELS, TOY_K, TOY_X
    from cnn_lib.widgets import convolution as conv

    photo = conv.default_images(size=128)["photo (Grace Hopper)"]
    names = list(KERNELS)
    counter = {"i": 0}

    strengths = (1.0, 0.5, 1.5)  # a kernel change, then strength-slider moves (blend path)

    def filter_step():
        K, divisor = KERNELS[names[counter["i"] % len(names)]]
        strength = strengths[counter["i"] % len(strengths)]
        counter["i"] += 1
        result = conv.filter_explorer_update(photo, K, divisor, strength)
        conv.render_filter_png(photo, signed=False)
        conv.render_filter_png(result, signed=conv.kernel_is_signed(K, divisor, strength))

    fig_axes = conv._stepper_figure()  # the widget reuses one figure, so does the benchmark
    X, K = conv._check_xk(TOY_X, TOY_K)

    def stepper_step():
        position = counter["i"] % 9
        counter["i"] += 1
        state = conv.stepper_state(X, K, position)
        conv.render_stepper_png(X, K, state, fig_axes)

    from cnn_lib.widgets import padding_stride as ps

    def padding_stride_step():  # the largest setting the sliders allow: a 15x15 padded grid
        counter["i"] += 1
        g = ps.conv_geometry(9, 5, 3, 1 + counter["i"] % 2, 1, "reflect")
        ps.render_geometry_png(g, counter["i"] % len(g.corners))

    stem_size, stem = ps.RECEPTIVE_FIELD_STACKS["ResNet stem: 7x7 conv / 2, 3x3 pool / 2"]
    rf_fig_axes = ps._receptive_figure(len(stem) + 1)

    def receptive_field_step():
        counter["i"] += 1
        state = ps.receptive_field_update(stem, stem_size, counter["i"] % 8, 3)
        ps.render_receptive_field_png(state, rf_fig_axes)

    from cnn_lib.widgets import pooling as pw

    digits = pw._digit_images()

    def pooling_step():
        counter["i"] += 1
        state = pw.pooling_shift_update(digits[counter["i"] % 10], "L2", 3, 1, counter["i"] % 4)
        pw.render_pooling_shift_png(state)

    from cnn_lib.widgets import orientation as ow

    orientation_fig_axes = ow._figure()

    def orientation_step():
        counter["i"] += 1
        state = ow.orientation_update(5 * (counter["i"] % 36), 45)
        ow.render_orientation_png(state, orientation_fig_axes)

    import torch
    from torch import nn

    from cnn_lib import data
    from cnn_lib.widgets import features as fw

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64, 10)).eval()
    images = data.load_digits()[1][:10]  # (10, 1, 8, 8) test digits
    layers = fw.layer_names(model)

    def features_step():
        counter["i"] += 1
        state = fw.feature_maps_update(model, images, counter["i"] % 10,
                                       layers[counter["i"] % len(layers)])
        fw.render_feature_maps_png(state)

    from cnn_lib.widgets import detection as dw

    def iou_step():
        counter["i"] += 1
        x = counter["i"] % 15
        dw.render_iou_png(dw.iou_update(dw.BOX_A, (x, 7, x + 6, 13)))

    nms_boxes, nms_scores = dw.nms_example()

    def nms_step():
        counter["i"] += 1
        state = dw.nms_update(nms_boxes, nms_scores, 0.05 * (1 + counter["i"] % 19))
        dw.render_nms_png(state)

    import numpy as np

    from cnn_lib.widgets import upsampling as up

    ones = np.ones((3, 3))

    def conv_transpose_step():  # the largest setting the sliders allow: a 9x9 full output
        counter["i"] += 1
        state = up.conv_transpose_update(ones, ones, 3, counter["i"] % 3, counter["i"] % 10)
        up.render_conv_transpose_png(state)

    steps = [
        ("orientation_update + redraw", "bar 25x25, 9x9 cell", orientation_step),
        ("feature_maps_update + redraw", "digit 8x8, ch. 5 CNN", features_step),
        ("pooling_shift_update + redraw", "digit 12x12, L2 3x3", pooling_step),
        ("conv_geometry + redraw", "9x9, F=5, P=3 (15x15)", padding_stride_step),
        ("receptive_field_update + redraw", "32x32, ResNet stem", receptive_field_step),
        ("filter_explorer_update + redraw", "photo 128x128", filter_step),
        ("stepper_state + redraw", "toy 5x5, kernel 3x3", stepper_step),
        ("iou_update + redraw", "20x20 grid, two boxes", iou_step),
        ("nms_update + redraw", "10 boxes, 24x24 grid", nms_step),
        ("conv_transpose_update + redraw", "X 3x3, K 3x3, S=3 (9x9)", conv_transpose_step),
    ]
    return [{"name": name, "image": image, "median_ms": _median_ms(step, repeats),
             "budget_ms": 100} for name, image, step in steps]


def main():
    for row in run():
        verdict = "ok" if row["median_ms"] < row["budget_ms"] else "OVER BUDGET"
        print(f"{row['name']:<34} {row['image']:<22} {row['median_ms']:7.1f} ms "
              f"(budget {row['budget_ms']} ms: {verdict})")


if __name__ == "__main__":
    main()
