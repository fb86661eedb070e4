"""The introduction's opening figure (issue 17): a PNG drawn by tools/opening_figures.py from
cnn_lib, committed, current, readable, and shown on the first page with its alt text."""

import importlib.util
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnn_lib import house_style, scratch, widgets

ROOT = Path(__file__).resolve().parents[1]

spec = importlib.util.spec_from_file_location("opening_figures",
                                              ROOT / "tools" / "opening_figures.py")
opening_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(opening_figures)


def test_the_committed_png_is_current():
    """Fails when the figure's code or data changed and the PNG was not redrawn."""
    assert opening_figures.main(["--check"]) == 0


def test_a_changed_figure_counts_as_stale(tmp_path, monkeypatch):
    png = opening_figures.png_bytes()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).copy()
    pixels[:40, :40] = 255 - pixels[:40, :40]              # a corner drawn differently
    stale = tmp_path / "stale.png"
    Image.fromarray(pixels).save(stale)
    monkeypatch.setattr(opening_figures, "TARGET", stale)
    assert not opening_figures.is_current(png)
    monkeypatch.setattr(opening_figures, "TARGET", tmp_path / "missing.png")
    assert not opening_figures.is_current(png)


def test_the_png_fits_the_column_and_its_text_is_readable():
    png = opening_figures.TARGET.read_bytes()
    width, _ = Image.open(io.BytesIO(png)).size
    assert width <= house_style.COLUMN_PX          # shown at its natural size, not shrunk
    assert house_style.read_stamp(png) >= house_style.MIN_TEXT_PX


def test_its_pictures_are_computed():
    digit, maps, pooled = opening_figures.stages()
    assert digit.shape == (12, 12) and 0 <= digit.min() and 0.5 < digit.max() <= 1
    assert maps.shape == (4, 12, 12) and pooled.shape == (4, 6, 6)
    kernel = np.asarray(widgets.KERNELS["vertical edge"][0], float)[None, None]
    edge = np.maximum(scratch.conv2d(digit[None, None], kernel, padding=1), 0)[0, 0]
    np.testing.assert_allclose(maps[0], edge)
    np.testing.assert_allclose(pooled, maps.reshape(4, 6, 2, 6, 2).max(axis=(2, 4)))


def test_the_introduction_shows_it_first_with_alt_text():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    figure = re.search(r"```\{figure\} images/intro_opening\.png\n:alt: (.+)\n", intro)
    assert figure, "the introduction does not show the opening figure"
    assert figure.group(1) == opening_figures.ALT
    assert intro.index("intro_opening.png") < intro.index("\n## ")   # before any section


@pytest.mark.parametrize("argv", [["--bogus"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        opening_figures.main(argv)
