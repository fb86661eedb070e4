"""Build the HTML book with warnings as errors, then check what a reader meets in it."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

bs4 = pytest.importorskip("bs4")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "---------------------------------------")


@pytest.fixture(scope="module")
def built_book():
    """`jupyter-book build . -W --keep-going --all`: a clean build that fails on warnings."""
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", ".", "-W", "--keep-going", "--all"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    log = result.stdout[-6000:] + result.stderr[-6000:]
    assert result.returncode == 0, f"book build failed:\n{log}"
    warnings = [ln for ln in (result.stdout + result.stderr).splitlines() if "WARNING" in ln]
    assert warnings == [], "\n".join(warnings)
    return HTML


def page(html_dir, name):
    path = html_dir / f"{name}.html"
    assert path.exists(), f"{path} was not built"
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def repo_slug():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    return url.split("github.com/")[1], config["repository"]["branch"]


def test_intro_and_bibliography_pages(built_book):
    intro = page(built_book, "book/intro")
    assert "make book" in intro.get_text() and "cross-correlation" in intro.get_text()
    bib = page(built_book, "book/bibliography")
    assert "Gradient-based learning applied to document recognition" in bib.get_text()
    assert (built_book / "index.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_binder_and_colab_links(built_book, chapter):
    slug, branch = repo_slug()
    hrefs = [a.get("href", "") for a in page(built_book, f"notebooks/{chapter}").find_all("a")]
    binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/notebooks/{chapter}.ipynb"
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/notebooks/{chapter}.ipynb"
    assert binder in hrefs, [h for h in hrefs if "binder" in h]
    assert colab in hrefs, [h for h in hrefs if "colab" in h]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_hides_every_solution_in_a_toggle(built_book, chapter):
    soup = page(built_book, f"notebooks/{chapter}")
    exercises = soup.select("div.exercise")
    solutions = soup.select("div.solution")
    assert len(exercises) >= 8
    assert len(solutions) == len(exercises)
    for sol in solutions:
        assert "dropdown" in sol.get("class", []), sol.get("id")
    # sphinx-togglebutton turns .dropdown admonitions into toggles: its script must be on the page
    scripts = " ".join(s.get("src", "") for s in soup.find_all("script"))
    assert "togglebutton" in scripts


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_no_traceback_and_has_math(built_book, chapter):
    soup = page(built_book, f"notebooks/{chapter}")
    text = soup.get_text()
    for marker in TRACEBACK_MARKERS:
        assert marker not in text
    assert not soup.select("div.output.traceback, .output_error")
    assert soup.select(".math"), "no math rendered"
    assert not re.search(r"\{(cite|doc|ref)\}`", text), "an unprocessed MyST role is left"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_images_have_alt_text(built_book, chapter):
    soup = page(built_book, f"notebooks/{chapter}")
    images = soup.find_all("img")
    assert images
    def meaningful(alt):  # myst-nb's default alt text is the image's file name
        return alt.strip() and not re.search(r"\.(png|jpe?g|svg|gif)$", alt.strip())

    missing = [img.get("src", "")[:60] for img in images if not meaningful(img.get("alt", ""))]
    assert missing == [], f"{len(missing)} of {len(images)} images lack alt text"
