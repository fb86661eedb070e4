"""The committed outputs hold on any processor and thread count, not just the one that made them.

PyTorch picks its kernels per processor (ATen's vector width, oneDNN's instruction set) and splits
work per thread count; OpenBLAS does the same. Sums then come out in another order, and a trained
network drifts in the second or third digit. This module re-runs every chapter that trains
(found by its source, so a new chapter is included without editing this file) under settings
that reproduce another machine on this one, and nbval compares its outputs with the committed
ones, as the default run does.

Compared exactly, as everywhere: everything deterministic (shapes, parameter counts, the decks'
worked figures, NumPy on fixed inputs, equality checks printed as True or False).

Banded instead of compared: the results of training, printed rounded. Their cells carry the tag
``nbval-ignore-output`` and check their own results with ``assert`` against a stated band and,
where a chapter compares two settings, the direction of the difference on each of three seeds;
nbval still runs those cells, so a result outside its band fails here and in the default run
(``tests/test_repo.py`` checks that every such cell has its asserts). They are:
- chapter 1: shuffled pixels (MLP and CNN, three seeds), the linear classifier's accuracy, the
  MLP and CNN on shifted digits, the CNN with stride-2 pooling;
- chapter 5: PyTorch and NumPy accuracies, batch normalization, augmentation, the four optimizers
  and plain vs residual depth (three seeds each), the weight norms under Adam, AdamW and L2
  (three seeds), transfer learning from digits 0-4 (three seeds), the learned filters' match to
  Gabor filters, the learned vs fixed Gabor first layer (three seeds);
- chapter 6: the detector's loss, precision, recall, average precision and the count without
  NMS; the anchor detector's mAP; the U-Net's and the FCN's IoU, with and without skips.

Not compared, as nbval never compares pictures: the frames of ``to_jshtml`` animations, which a
sanitizer in ``tests/nbval_sanitize.cfg`` replaces (a trained network's feature maps are drawn
differently on another processor; the functions that draw them are tested in tests/).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRAINING_CALLS = ("train.fit(", "layers.fit(", "fit_detector(")
TRAINING_CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb")
                           if any(call in p.read_text(encoding="utf-8") for call in TRAINING_CALLS))
# Another machine, simulated on this one: ATen's plain (non-vectorised) kernels, oneDNN limited to
# SSE4.1, and one thread for PyTorch and OpenBLAS. (Each of these alone also changes the trained
# digits here.)
OTHER_MACHINE = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                 "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def test_the_chapters_that_train_are_found():
    names = [p.name for p in TRAINING_CHAPTERS]
    assert {"01_history.ipynb", "05_architectures.ipynb", "06_detection_upsampling.ipynb"} <= set(
        names)


@pytest.mark.parametrize("notebook", TRAINING_CHAPTERS, ids=lambda p: p.name)
def test_committed_outputs_hold_on_another_processor(notebook):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(OTHER_MACHINE)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", str(notebook)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (
        f"nbval failed for {notebook.name} under {OTHER_MACHINE}:\n{result.stdout[-8000:]}")
