"""Fixtures shared by the test modules: the built book (one build per test run, also under
pytest-xdist) and one headless Chromium per worker."""

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import time

import pytest
from browser_support import ARTIFACTS, HTML_DIR, ROOT, launch

SESSION_START = time.time()
REPORT = ARTIFACTS / "browser-report.md"


def _build_book():
    """`jupyter-book build . -W --keep-going --all`: a clean build that fails on warnings."""
    jb = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    result = subprocess.run([jb, "build", ".", "-W", "--keep-going", "--all"],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    return {"returncode": result.returncode,
            "log": result.stdout[-6000:] + result.stderr[-6000:],
            "warnings": [ln for ln in output.splitlines() if "WARNING" in ln]}


@contextlib.contextmanager
def _file_lock(path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The HTML book in ``_build/html``, built once per test run: under xdist the first worker
    to ask builds it while the others wait on a lock, then read its result."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        result = _build_book()
    else:
        shared = tmp_path_factory.getbasetemp().parent  # one folder per run, shared by workers
        marker = shared / "book-build.json"
        with _file_lock(shared / "book-build.lock"):
            if not marker.exists():
                marker.write_text(json.dumps(_build_book()))
            result = json.loads(marker.read_text())
    assert result["returncode"] == 0, f"book build failed:\n{result['log']}"
    assert result["warnings"] == [], "\n".join(result["warnings"])
    return HTML_DIR


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's, through Playwright) per test process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def pytest_terminal_summary(terminalreporter):
    """Show the page weights and load times the browser tests wrote in this run."""
    if REPORT.exists() and REPORT.stat().st_mtime >= SESSION_START:
        terminalreporter.write_sep("-", f"browser report ({REPORT.relative_to(ROOT)})")
        terminalreporter.write_line(REPORT.read_text(encoding="utf-8"))
