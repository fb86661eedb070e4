"""All speed figures in one command: ``python -m benchmarks`` (or ``make bench``).

1. ``scratch.conv2d`` forward and backward time over PyTorch's on teaching shapes (budget 1.5x).
2. Each widget's update + redraw time (budget 100 ms).
3. Each chapter notebook's run time (budget 60 s).
Speed is measured here, never asserted in tests: the machines are shared and noisy.
"""

from benchmarks import conv, notebooks, widgets

for title, module in [("conv2d: NumPy from scratch vs PyTorch (CPU, float32)", conv),
                      ("widget update + redraw", widgets),
                      ("notebook run time", notebooks)]:
    print(f"\n== {title}")
    module.main()
