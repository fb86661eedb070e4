"""The longest function bodies in ``cnn_lib`` (issue 19: none over 60 lines, none over 40 in
``cnn_lib/scratch``). A body is counted from its first statement after the docstring to its
last line, blank lines and comments included; nested functions count in their parent too.

    python tools/function_lengths.py            # every body over 40 lines, longest first
    python tools/function_lengths.py 25         # every body over 25 lines
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT, SCRATCH_LIMIT = 60, 40


def body_lengths(path):
    """(qualified name, first line, body lines) of every function and method in ``path``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = child.body
                if len(body) > 1 and ast.get_docstring(child) is not None:
                    body = body[1:]  # the docstring does not count
                found.append((prefix + child.name, child.lineno,
                              child.end_lineno - body[0].lineno + 1))
                visit(child, prefix + child.name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def limit_for(relative):
    """The longest body allowed in the file ``relative`` (to the repository root)."""
    return SCRATCH_LIMIT if relative.parts[:2] == ("cnn_lib", "scratch") else LIMIT


def all_lengths(package=ROOT / "cnn_lib"):
    """[(path relative to the root, name, line, body lines)] over ``package``, longest first."""
    rows = [(path.relative_to(ROOT), name, line, n)
            for path in sorted(package.rglob("*.py"))
            for name, line, n in body_lengths(path)]
    return sorted(rows, key=lambda row: -row[3])


def main(argv):
    threshold = int(argv[0]) if argv else SCRATCH_LIMIT
    for relative, name, line, n in all_lengths():
        if n > threshold:
            flag = "  OVER" if n > limit_for(relative) else ""
            print(f"{n:4d}  {relative}:{line}  {name}{flag}")


if __name__ == "__main__":
    main(sys.argv[1:])
