"""Shared pytest set-up (at the root, so that `pytest notebooks/` loads it too).

The tests draw with matplotlib's Agg backend (no screen), chosen for this process only. The
notebooks that nbval re-runs start kernels that inherit this process's environment, and an
``MPLBACKEND`` there (``Agg``, say) stops ``plt.show()`` from displaying figures, so every
figure cell would lose its stored output. The variable is removed before any kernel starts:
the kernels use Jupyter's inline backend, as a reader's kernel does.
"""

import os

# The test workers (pytest -n 2), and the kernels they start for nbval and JupyterLab, run
# PyTorch at the same time on a 2-core machine. By default its OpenMP threads spin while they
# wait for work, and spinning threads of two processes slow each other down tenfold (measured:
# two concurrent runs of chapter 1 took 731 s spinning, 74 s passive). Passive threads sleep
# instead; the results do not change. Set before anything imports torch; kernels inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# With two or more workers, each worker (and each kernel it starts) runs PyTorch on one thread:
# two workers of two threads each on two cores fight over them. The committed outputs hold on
# any thread count (tests/test_any_cpu.py); one thread per worker only changes the run time.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) >= 2:
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402

os.environ.pop("MPLBACKEND", None)
matplotlib.use("Agg")
