"""Write the chapters as students open them in Colab, Binder, JupyterLab and VS Code.

The chapters in ``notebooks/`` are written for the book: their Markdown uses MyST roles
(``{cite}`key```, ``{term}`word <entry>```) that only the book renders; Jupyter front-ends show
them as raw text. This script writes a copy of each chapter to ``jupyter/`` with:

- each citation as "(Author, Year)", linked to the work where the bibliography has a URL or
  DOI, and the chapter's References section followed by the full entries it cites;
- each glossary term as its plain text;
- no stored outputs: a student runs the chapter (under a minute), and an unrun copy shows
  neither widget reprs nor animations whose first frame needs JavaScript that an untrusted
  notebook does not run;
- a first line saying what the copy is, and where its source lives.

The book's Colab and Binder buttons open these copies (book/_ext/launch_copies.py). Never edit
a copy: edit the chapter, then run ``python tools/jupyter_copies.py`` (``--check`` exits 1 and
names the copies that differ; tests/test_jupyter_copies.py runs it).
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE, TARGET = ROOT / "notebooks", ROOT / "jupyter"
BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")
TERM = re.compile(r"\{term\}`([^`<]+?)(?:\s*<[^>]+>)?`")
MYST_LEFT = re.compile(r"\{[a-z:-]+\}`|^\s*(?:`{3,}|:{3,})\{", re.M)


def _plain(text):
    """BibTeX text as plain Unicode: accents decoded (L\\'eon -> Léon), braces dropped."""
    import codecs

    import latexcodec  # noqa: F401  (registers the "ulatex" codec; installed with pybtex)

    return re.sub(r"[{}]", "", codecs.decode(str(text), "ulatex"))


def load_bibliography(path=BIB):
    """{key: entry} from the book's BibTeX file."""
    from pybtex.database import parse_file

    return dict(parse_file(str(path)).entries)


def _last_names(entry):
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    return [_plain(" ".join(p.last_names)) for p in people]


def _link(entry):
    fields = entry.fields
    if "url" in fields:
        return fields["url"]
    if "doi" in fields:
        return f"https://doi.org/{fields['doi']}"
    return None


def short_citation(entry):
    """"Goodfellow et al., 2016" (one author: "Lan, 2021"; two: "Yu and Koltun, 2016")."""
    names = _last_names(entry) or [_plain(entry.fields.get("title", "?"))]
    who = names[0] if len(names) == 1 else (f"{names[0]} and {names[1]}" if len(names) == 2
                                            else f"{names[0]} et al.")
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


def full_reference(entry):
    """One line: authors (year). Title. Venue. Link."""
    people = entry.persons.get("author") or []
    authors = ", ".join(_plain(" ".join(p.last_names) + ", " + " ".join(p.first_names
                                                                         + p.middle_names))
                        .rstrip(", ") for p in people) or "Anonymous"
    fields = entry.fields
    venue = next((_plain(fields[k]) for k in ("journal", "booktitle", "howpublished",
                                              "publisher") if k in fields), "")
    parts = [f"{authors} ({fields.get('year', 'n.d.')}). {_plain(fields.get('title', ''))}."]
    if venue:
        parts.append(f"*{venue}*.")
    link = _link(entry)
    if link:
        parts.append(f"<{link}>")
    return " ".join(parts)


def plain_markdown(text, bibliography, cited):
    """``text`` with MyST citations and glossary terms made plain Markdown; the keys it cites
    are added to ``cited`` (a dict used as an ordered set)."""
    def cite(match):
        shown = []
        for key in (k.strip() for k in match.group(1).split(",")):
            if key not in bibliography:
                raise KeyError(f"{{cite}} of {key!r}: not in {BIB.name}")
            cited[key] = None
            entry = bibliography[key]
            link = _link(entry)
            shown.append(f"[{short_citation(entry)}]({link})" if link else short_citation(entry))
        return "(" + "; ".join(shown) + ")"

    text = CITE.sub(cite, text)
    return TERM.sub(lambda m: m.group(1).strip(), text)


def copy_of(path, bibliography):
    """The Jupyter copy of the chapter at ``path`` (a NotebookNode)."""
    nb = nbformat.read(path, as_version=4)
    cited = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain_markdown(cell.source, bibliography, cited)
        elif cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)  # the last run's timestamps: not the reader's
    references = [c for c in nb.cells
                  if c.cell_type == "markdown" and c.source.startswith("## References")]
    if references and cited:
        entries = "\n".join(f"- {full_reference(bibliography[k])}" for k in cited)
        references[0].source += f"\n\n**Works cited in this chapter**\n\n{entries}"
    nb.metadata.pop("widgets", None)  # saved widget state: nothing here to show it
    header = nbformat.v4.new_markdown_cell(
        f"*The Jupyter copy of a chapter of the book: run the cells in order (Colab, Binder, "
        f"JupyterLab, VS Code). Written from `notebooks/{path.name}` by "
        f"`tools/jupyter_copies.py`; edit that one.*")
    header.id = "jupyter-copy-note"
    nb.cells.insert(0, header)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and MYST_LEFT.search(cell.source):
            raise ValueError(f"{path.name}: MyST left in a cell: {cell.source[:120]!r}")
    return nb


def chapters():
    return sorted(SOURCE.glob("[0-9][0-9]_*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report copies that differ")
    args = parser.parse_args(argv)
    bibliography = load_bibliography()
    differ = []
    for path in chapters():
        text = nbformat.writes(copy_of(path, bibliography)) + "\n"
        target = TARGET / path.name
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        differ.append(target.name)
        if not args.check:
            TARGET.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if args.check and differ:
        print(f"differ from notebooks/: {', '.join(differ)} (run python tools/jupyter_copies.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
