"""The first cell of every chapter, the Colab and Binder set-up, does what it promises.

- Where ``cnn_lib`` is importable (here, Binder, a reader's machine) it does nothing.
- In a fresh virtual environment without ``cnn_lib`` it installs it from ``CNN_LIB_SOURCE``
  (here: a copy of this checkout) and the chapter's imports work; PyTorch is not installed.

The fresh environment sees this project's other dependencies through a ``.pth`` file (so the
test needs no downloads), and pip runs with ``PIP_NO_INDEX``: anything the cell tried to fetch
from an index would fail the test.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
from browser_support import ROOT, toc_chapters


def first_cells():
    """{first code cell's source: [chapters that open with it]}."""
    cells = {}
    for doc in toc_chapters():
        nb = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))
        code = next(c for c in nb["cells"] if c["cell_type"] == "code")
        cells.setdefault("".join(code["source"]), []).append(doc)
    return cells


CELLS = first_cells()
IDS = [",".join(docs) for docs in CELLS.values()]


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_first_cell_does_nothing_where_cnn_lib_is_importable(cell, monkeypatch):
    assert importlib.util.find_spec("cnn_lib") is not None
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append(args))
    exec(compile(cell, "first cell", "exec"), {})
    assert calls == []


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtual environment without cnn_lib; this project's other dependencies are
    visible to it through a .pth file. Returns its python."""
    home = tmp_path_factory.mktemp("fresh")
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True, timeout=120)
    python = home / "venv" / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True, check=True)
    deps = sysconfig.get_path("purelib")  # this environment's site-packages
    (home / "venv" / purelib.stdout.strip() / "book-deps.pth").write_text(deps + "\n")
    return python


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A copy of the files this checkout installs from (pip builds in it, not in the repo)."""
    copy = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, copy / name)
    shutil.copytree(ROOT / "cnn_lib", copy / "cnn_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return copy


CHECK = """
import importlib.metadata as md, json, sys, cnn_lib, cnn_lib.scratch, cnn_lib.widgets
print(json.dumps({"file": cnn_lib.__file__, "prefix": sys.prefix,
                  "requires": md.requires("cnn_lib") or []}))
"""
# the distributions installed in the fresh venv itself (not those seen through the .pth file)
LISTING = """
import importlib.metadata as md, json, sysconfig
names = {d.metadata["Name"].lower().replace("-", "_")
         for d in md.distributions(path=[sysconfig.get_path("purelib")])}
print(json.dumps(sorted(names)))
"""


@pytest.mark.parametrize("cell", CELLS, ids=IDS)
def test_first_cell_installs_cnn_lib_in_a_fresh_environment(cell, fresh_venv, source, tmp_path):
    def run(code, **env):
        result = subprocess.run([fresh_venv, "-c", code], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300, env=dict(os.environ, **env))
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1] or "null")

    run("import subprocess, sys; subprocess.run([sys.executable, '-m', 'pip', 'uninstall', "
        "'-y', '-q', 'cnn_lib'], check=True); print('null')")
    # no cnn_lib yet, but its dependencies are there
    assert run("import importlib.util as u, json, numpy, ipywidgets; "
               "print(json.dumps(u.find_spec('cnn_lib') is None))") is True
    before = set(run(LISTING))
    info = run(cell + CHECK, CNN_LIB_SOURCE=str(source), PIP_NO_INDEX="1",
               PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1")
    assert info["file"].startswith(info["prefix"]), info  # imported from the fresh venv
    assert set(run(LISTING)) - before == {"cnn_lib"}       # and nothing else was installed
    assert not [r for r in info["requires"] if r.startswith("torch") and "extra" not in r]
