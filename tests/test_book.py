"""Build the HTML book with warnings as errors (fixture ``built_book`` in conftest.py), then
check what a reader meets in it. The same pages in a real browser: test_browser_book.py."""

import importlib
import re
from pathlib import Path

import pytest
from browser_support import repository

from cnn_lib.exercises.core import FunctionExercise

bs4 = pytest.importorskip("bs4")

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "---------------------------------------")


def page(html_dir, name):
    path = html_dir / f"{name}.html"
    assert path.exists(), f"{path} was not built"
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_intro_and_bibliography_pages(built_book):
    intro = page(built_book, "book/intro")
    assert "make book" in intro.get_text() and "cross-correlation" in intro.get_text()
    bib = page(built_book, "book/bibliography")
    assert "Gradient-based learning applied to document recognition" in bib.get_text()
    assert (built_book / "index.html").exists()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_binder_and_colab_links(built_book, chapter):
    """Both open the chapter's plain-Markdown copy in jupyter/ (book/_ext/launch_copies.py),
    which exists: Colab and Binder render no MyST."""
    slug, branch = repository()
    hrefs = [a.get("href", "") for a in page(built_book, f"notebooks/{chapter}").find_all("a")]
    binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?urlpath=lab/tree/jupyter/{chapter}.ipynb"
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/jupyter/{chapter}.ipynb"
    assert binder in hrefs, [h for h in hrefs if "binder" in h]
    assert colab in hrefs, [h for h in hrefs if "colab" in h]
    assert (ROOT / "jupyter" / f"{chapter}.ipynb").exists()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_hides_every_solution_in_a_toggle(built_book, chapter):
    """Each exercise's solution is a closed <details> toggle holding the module's solution, with
    its Markdown rendered inside (maths, code), as in Jupyter (test_exercise_rendering.py)."""
    number = int(chapter[:2])
    module = importlib.import_module(f"cnn_lib.exercises.chapter{number}")
    soup = page(built_book, f"notebooks/{chapter}")
    statements = [s for s in soup.find_all("strong") if s.get_text().startswith("Exercise ")]
    assert [s.get_text().split(" ·")[0] for s in statements] == [q.label for q in
                                                                  module.EXERCISES]
    solutions = soup.select("details.solution")
    assert len(solutions) == len(module.EXERCISES) >= 12
    for q, sol in zip(module.EXERCISES, solutions):
        assert not sol.has_attr("open")
        assert sol.find("summary").get_text() == f"Solution to {q.label}"
        assert sol.find("p") is not None  # the Markdown inside is rendered, not raw text
        if isinstance(q, FunctionExercise):
            assert sol.select("div.highlight pre"), q.label
    assert "{solution}" not in soup.get_text() and ":::" not in soup.get_text()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_keeps_its_plumbing_out_of_the_way(built_book, chapter):
    """The Colab set-up cell is not in the page, and each animation's code (a long alt text,
    then one call) is folded under "Show code cell source", closed."""
    soup = page(built_book, f"notebooks/{chapter}")
    assert "Set-up for Colab" not in soup.get_text()
    assert "CNN_LIB_SOURCE" not in str(soup)
    folded = soup.select(".cell.tag_hide-input")
    assert folded, "no animation code folded"
    for cell in folded:
        details = cell.select_one("details.hide")
        assert details is not None and not details.has_attr("open")
        assert details.select_one(".cell_input") is not None
    for cell in soup.select(".cell"):
        if "animation_html" in cell.get_text() and cell.select_one(".cell_input"):
            assert "tag_hide-input" in cell["class"], cell.get_text()[:80]


def test_every_page_loads_each_script_once(built_book):
    """sphinx-thebe's and sphinx-togglebutton's inline scripts came twice in every page's head:
    the second `const THEBE_JS_URL` is a page error in every browser (book/_ext/single_scripts.py
    drops the repeats). Matplotlib's animations repeat their own function definitions in the
    body, which is harmless."""
    pages = sorted(built_book.rglob("*.html"))
    assert len(pages) >= 9
    for path in pages:
        head = path.read_text(encoding="utf-8").split("</head>")[0]
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", head, flags=re.S)
        keys = [(attrs.strip(), body.strip()) for attrs, body in scripts
                if "widget-state" not in attrs]
        repeated = {key for key in keys if keys.count(key) > 1}
        assert not repeated, f"{path.name} loads {sorted(repeated)[0][1][:80]!r} twice"
    chapter = (built_book / "notebooks" / "02_convolution.html").read_text(encoding="utf-8")
    assert chapter.count("const THEBE_JS_URL") == 1


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


GLOSSARY_TERMS = ["convolution", "cross-correlation", "kernel", "filter", "feature map",
                  "activation map", "stride", "padding", "dilation", "receptive field", "channel",
                  "parameter", "hyperparameter", "equivariance", "invariance", "pooling",
                  "Toeplitz matrix", "im2col", "1x1 convolution", "NCHW", "padding mode",
                  "jump", "effective receptive field", "max pooling", "average pooling",
                  "global pooling", "adaptive pooling", "inductive bias", "top-5 error",
                  "batch normalization", "data augmentation", "flatten", "Gabor filter",
                  "residual connection", "saliency map", "bounding box",
                  "intersection over union", "non-maximum suppression", "sliding window",
                  "image pyramid", "fully convolutional network", "upsampling",
                  "transposed convolution", "checkerboard artifacts", "semantic segmentation",
                  "U-Net"]


def test_glossary_defines_the_book_terms(built_book):
    soup = page(built_book, "book/glossary")
    terms = {dt.find(string=True).strip() for dt in soup.select("dl.glossary dt")}
    assert set(GLOSSARY_TERMS) <= terms, sorted(set(GLOSSARY_TERMS) - terms)
    for dd in soup.select("dl.glossary dd"):
        assert len(dd.get_text(" ", strip=True).split()) >= 12, dd.get_text()[:80]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_links_its_terms_to_the_glossary(built_book, chapter):
    links = page(built_book, f"notebooks/{chapter}").select('a[href*="glossary.html#term-"]')
    targets = {a["href"].split("#")[1] for a in links}
    assert len(targets) >= 5, f"link first uses of terms to the glossary: {sorted(targets)}"
    glossary_ids = {dt.get("id") for dt in page(built_book, "book/glossary").select("dt")}
    assert targets <= glossary_ids


def test_api_reference_documents_every_public_name(built_book):
    """Every function and class in the public ``__all__`` of each module has an entry."""
    import importlib
    import inspect

    ids = {tag.get("id") for tag in page(built_book, "book/api").select("dt[id]")}
    for name in ["cnn_lib", "cnn_lib.scratch", "cnn_lib.arithmetic", "cnn_lib.plot",
                 "cnn_lib.widgets", "cnn_lib.exercises.core", "cnn_lib.data", "cnn_lib.layers",
                 "cnn_lib.models", "cnn_lib.train", "cnn_lib.detection",
                 "cnn_lib.detector", "cnn_lib.checks", "cnn_lib.house_style",
                 "cnn_lib.augment"]:
        module = importlib.import_module(name)
        public = [n for n in module.__all__ if inspect.isroutine(getattr(module, n))
                  or inspect.isclass(getattr(module, n))]
        assert public, name
        missing = [n for n in public if f"{name}.{n}" not in ids]
        assert missing == [], f"{name}: {missing}"
    assert "cnn_lib.widgets.filter_explorer_update" in ids
