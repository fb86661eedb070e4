"""All speed figures in one command: ``python -m benchmarks`` (or ``make bench``).

1. ``scratch.conv2d`` forward and backward time over PyTorch's on teaching shapes (budget 1.5x),
   and ``scratch.conv_transpose2d``'s.
2. Each widget's update + redraw time (budget 100 ms).
3. Chapter 5's small CNN trained with cnn_lib.layers vs PyTorch (budget 20 s for NumPy).
4. Each chapter notebook's run time (budget 60 s).
Speed is measured here, never asserted in tests: the machines are shared and noisy.
"""

from benchmarks import conv, notebooks, training, widgets

for title, module in [("conv2d, conv_transpose2d: NumPy from scratch vs PyTorch (CPU, float32)",
                       conv),
                      ("widget update + redraw", widgets),
                      ("training the digits CNN: NumPy vs PyTorch", training),
                      ("notebook run time", notebooks)]:
    print(f"\n== {title}")
    module.main()
