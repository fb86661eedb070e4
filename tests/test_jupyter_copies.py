"""The chapters as Colab, Binder and JupyterLab show them: jupyter/ holds plain-Markdown copies
(tools/jupyter_copies.py), in step with notebooks/, with no MyST left and nothing stored that
an unrun, untrusted notebook would show broken."""

import importlib.util
import json
import re

import nbformat
import pytest
from browser_support import ROOT

spec = importlib.util.spec_from_file_location("jupyter_copies",
                                              ROOT / "tools" / "jupyter_copies.py")
copies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(copies)
CHAPTERS = [p.name for p in copies.chapters()]


def test_copies_are_what_the_script_writes():
    assert copies.main(["--check"]) == 0, "run: python tools/jupyter_copies.py"


@pytest.mark.parametrize("name", CHAPTERS)
def test_copy_has_the_chapters_code_and_no_myst_or_outputs(name):
    original = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    copy = nbformat.read(ROOT / "jupyter" / name, as_version=4)
    nbformat.validate(copy)
    code = lambda nb: [c.source for c in nb.cells if c.cell_type == "code"]  # noqa: E731
    assert code(copy) == code(original)
    assert all(c.outputs == [] and c.execution_count is None
               for c in copy.cells if c.cell_type == "code")
    assert "widgets" not in copy.metadata
    markdown = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
    assert not re.search(r"\{(cite|term|ref|doc)[:\w]*\}`", markdown)
    assert ":::" not in markdown and "```{" not in markdown
    assert copy.cells[0].source.startswith("*The Jupyter copy of a chapter")
    # every work the chapter cites is listed in full under its References
    cited = set()
    for cell in original.cells:
        if cell.cell_type == "markdown":
            for keys in re.findall(r"\{cite\}`([^`]+)`", cell.source):
                cited |= {k.strip() for k in keys.split(",")}
    bibliography = copies.load_bibliography()
    [references] = [c.source for c in copy.cells if c.source.startswith("## References")]
    works = references.split("**Works cited in this chapter**")[1]
    for key in cited:
        assert copies.full_reference(bibliography[key]) in works, key


def test_citations_and_terms_become_plain_markdown():
    bibliography = copies.load_bibliography()
    cited = {}
    text = ("Pooling {cite}`depaoliskaluza2024cnn` and a {term}`valid <valid convolution>` "
            "{term}`stride`, see {cite}`goodfellow2016deep,lan2021cnn`.")
    plain = copies.plain_markdown(text, bibliography, cited)
    assert plain == ("Pooling (De Paolis Kaluza, 2024) and a valid stride, see "
                     "([Goodfellow et al., 2016](https://www.deeplearningbook.org); "
                     "Lan, 2021).")
    assert list(cited) == ["depaoliskaluza2024cnn", "goodfellow2016deep", "lan2021cnn"]
    assert "Bottou, Léon" in copies.full_reference(bibliography["lecun1998gradient"])
    with pytest.raises(KeyError, match="nosuchkey"):
        copies.plain_markdown("{cite}`nosuchkey`", bibliography, {})


def test_copies_render_without_raw_roles_in_jupyter():
    """What JupyterLab and Colab show: nbconvert's HTML (Markdown without MyST)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    for name in CHAPTERS:
        html, _ = exporter.from_filename(str(ROOT / "jupyter" / name))
        assert "{cite}" not in html and "{term}" not in html, name
        assert "Works cited in this chapter" in html, name


def test_launch_links_point_at_the_copies():
    import sys
    from importlib import import_module

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        hook = import_module("launch_copies")
    finally:
        sys.path.pop(0)
    assert hook.to_copy("https://colab.research.google.com/github/o/r/blob/main/notebooks/"
                        "04_pooling.ipynb").endswith("/blob/main/jupyter/04_pooling.ipynb")
    assert hook.to_copy("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/"
                        "04_pooling.ipynb").endswith("lab/tree/jupyter/04_pooling.ipynb")
    assert json.dumps(hook.to_copy("https://x/?p=%2Fo%2Fr%2Fnotebooks%2F04_pooling.ipynb")) \
        .endswith('jupyter%2F04_pooling.ipynb"')
