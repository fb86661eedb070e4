"""Shared pytest set-up (at the root, so that `pytest notebooks/` loads it too).

The tests draw with matplotlib's Agg backend (no screen), chosen for this process only. The
notebooks that nbval re-runs start kernels that inherit this process's environment, and an
``MPLBACKEND`` there (``Agg``, say) stops ``plt.show()`` from displaying figures, so every
figure cell would lose its stored output. The variable is removed before any kernel starts:
the kernels use Jupyter's inline backend, as a reader's kernel does.
"""

import os

import matplotlib

os.environ.pop("MPLBACKEND", None)
matplotlib.use("Agg")
