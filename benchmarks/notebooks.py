"""Run time of each chapter notebook, executed top to bottom in a fresh kernel.

Run ``python -m benchmarks.notebooks``. The budget: every chapter runs in under 60 s on
2 CPU cores. The notebook is executed on a copy: the committed file is not touched.
"""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(paths=None):
    """Execute each notebook once; return one dict per notebook with its wall time in seconds."""
    import nbformat
    from nbclient import NotebookClient

    rows = []
    for path in paths or sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        rows.append({"notebook": path.name, "seconds": time.perf_counter() - start})
    return rows


def main():
    print(f"{'notebook':<34} {'run time (s)':>12}   budget 60 s")
    for row in run():
        print(f"{row['notebook']:<34} {row['seconds']:>12.1f}")


if __name__ == "__main__":
    main()
