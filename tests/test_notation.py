"""One notation for the whole book (the table in book/intro.md, from the style guide).

The chapters' prose and formulas must not use the decks' letters: no W1 x H1 x D1 (D is the
dilation), no N for an input size (N is the batch), no K for a kernel array (K is the number of
filters; a kernel is w), no S for an output (S is the stride). Code cells are not checked.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md"))

# The one cell allowed to use the decks' letters: the padding/stride chapter's table mapping
# them to ours. It starts with this marker (an HTML comment, invisible on the page).
MAPPING_MARKER = "<!-- notation: deck letters allowed"

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)

# (what is wrong, pattern, where: "all" text or only "math" spans)
BANNED = [
    ("deck size letters W_1/H_1/D_1 (use C, H, W, H_out)", r"\b[WHD]_\{?[12]\}?(?![\w}])", "all"),
    ("deck size letters H1/D1 (use C, H, W, H_out)", r"\b[HD][12]\b", "all"),
    ("deck size letter W1 (use W, W_out)",
     r"\bW[12]\b(?=\s*(?:x\b|×|\\times|[-+]\s*F|=))|(?:\\times|×|\bx)\s*W[12]\b|\(\s*W[12]\s*-",
     "all"),
    ("N as a size (N is the batch; use H, W)", r"\bN\s*(?:x|×|\\times)\s*N\b", "all"),
    ("N as a size (N is the batch; use H, W)", r"\bN\s*[-−]\s*F\b|\bN\s*\+\s*2\s*P\b", "all"),
    ("N as a size (N is the batch; use H, W)", r"\(\s*N\s*[-−+]", "all"),
    ("N as a size (N is the batch; use H, W)", r"\bN-(?:wide|pixel|by-N)\b", "all"),
    ("K as a kernel array (K is the number of filters; use w)",
     r"(?:\*|\\star|\\ast)\s*(?:\\mathsf\{K\}|K\b)|\bK\s*(?:\*|\\star|\\ast)", "math"),
    ("K as a kernel array (K is the number of filters; use w)",
     r"(?:\\mathsf\{K\}|\bK)\s*(?:_\s*\{?[a-z]|\(\s*[a-z])", "math"),
    ("K as a kernel array (K is the number of filters; use w)",
     r"\\partial\s*(?:\\mathsf\{K\}|K\b)|_\{\w+\}\s*K\b", "math"),
    ("K as a kernel array (K is the number of filters; use w)",
     r"\b(?:kernel|filter)\s+\$K\$|\bK\s*=\s*(?:\[\[|\\begin\{[bp]?matrix)", "all"),
    ("S as an output (S is the stride; use Y)",
     r"\bS\s*\(\s*[a-z]\s*,\s*[a-z]\s*\)|\bS_\{?[a-z]\s*,|\bS\s*=\s*[A-Za-z]\s*(?:\*|\\star|\\ast)",
     "math"),
]

# Exceptions, if one is ever needed: (notebook, start of the cell, offending text). None now:
# the exercises (written from cnn_lib.exercises) use the book's letters too.
ALLOWED = []


def _sources():
    """(file, cell index or None, text) of every chapter's markdown cells and every page."""
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                yield path.name, i, "".join(cell["source"])
    for path in PAGES:
        yield path.name, None, path.read_text(encoding="utf-8")


def _hits(text):
    spans = {"all": [text], "math": _MATH.findall(text)}
    for why, pattern, where in BANNED:
        for span in spans[where]:
            for m in re.finditer(pattern, span):
                yield why, m.group(0)


def _allowed(name, text, found):
    return any(name == nb and text.lstrip().startswith(start) and (found in piece or piece in found)
               for nb, start, piece in ALLOWED)


def test_chapters_use_the_books_notation():
    problems = []
    for name, index, text in _sources():
        if text.lstrip().startswith(MAPPING_MARKER):
            continue
        for why, found in _hits(text):
            if not _allowed(name, text, found):
                where = f"{name} cell {index}" if index is not None else name
                problems.append(f"{where}: {found!r}: {why}")
    assert not problems, "\n".join(problems)


def test_the_mapping_table_is_the_one_marked_cell():
    marked = [(n, i) for n, i, t in _sources() if t.lstrip().startswith(MAPPING_MARKER)]
    assert [n for n, _ in marked] == ["03_padding_stride.ipynb"], marked


@pytest.mark.parametrize("text, bad", [
    ("an input volume of size $W_1 \\times H_1 \\times D_1$", True),
    ("W1 x H1 x D1", True),
    ("$W_2 = (W_1 - F)/S + 1$", True),
    ("an $N \\times N$ image", True),
    ("a N x N image", True),
    ("$(N - F)/S + 1$", True),
    ("$S(i, j) = (I * K)(i, j)$", True),
    ("$\\partial L / \\partial K$", True),
    ("a 3x3 filter $K$", True),
    ("(N, C, H, W) and a batch $N$; weights (K, C, F, F)", False),
    ("$K$ filters give $K$ maps and $(F^2 C + 1) K$ parameters", False),
    ("`scan_mlp(X, W1, b1, w2, b2)`: `w2 @ ReLU(W1 @ v + b1) + b2` (W1 (h, 9))", False),
    ("$F = 3, S = 2$ and $H_{out} = \\lfloor (H + 2P - F)/S \\rfloor + 1$", False),
    ("$Y = X \\star w + b$, $\\partial L/\\partial w = X \\star G$", False),
    ("S-cells and C-cells; LeNet's S2 and C3", False),
])
def test_the_patterns(text, bad):
    assert bool(list(_hits(text))) == bad, list(_hits(text))


# The symbols of the style guide's notation table (STYLE.md, "Notation"); the intro's table must
# list each of them.
STYLE_SYMBOLS = ["N", "C", "H", "W", "K", "w", "F", r"k_h", r"k_w", "S", "P", "D", r"H_{out}"]


def _intro_symbols():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    section = intro.split("## Notation", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("|")]
    return " ".join(row[2] for row in rows[2:] if len(row) > 3)


@pytest.mark.parametrize("symbol", STYLE_SYMBOLS)
def test_intro_table_lists_every_symbol(symbol):
    column = _intro_symbols()
    assert re.search(r"(?<![\\\w])" + re.escape(symbol) + r"(?![\w{])", column), symbol
