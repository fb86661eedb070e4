"""The library's seams (issue 19): short functions, one module of argument checks, no module
reaching into another's private names."""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import function_lengths  # noqa: E402


def test_function_lengths_counts_the_body_without_the_docstring(tmp_path):
    source = tmp_path / "m.py"
    source.write_text('def f():\n    """Doc\n    string."""\n    a = 1\n\n    return a\n\n\n'
                      'class C:\n    def g(self):\n        def h():\n            pass\n'
                      '        return h\n')
    assert function_lengths.body_lengths(source) == [("f", 1, 3), ("C.g", 10, 3),
                                                     ("C.g.h", 11, 1)]


def test_no_function_body_is_over_the_limit():
    over = [(str(path), name, n) for path, name, _, n in function_lengths.all_lengths()
            if n > function_lengths.limit_for(path)]
    assert over == [], f"split these (limit 60 lines, 40 in cnn_lib/scratch): {over}"


def _imported_private_names(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                ("cnn_lib", ".")) or isinstance(node, ast.ImportFrom) and node.level:
            module = node.module or ""
            if any(part.startswith("_") for part in module.split(".")):
                yield f"from {module} import ..."
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"from {module} import {alias.name}"


MODULES = sorted(p for p in (ROOT / "cnn_lib").rglob("*.py"))
@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_another_modules_private_names(path):
    relative = str(path.relative_to(ROOT))
    source = path.read_text()
    reach_ins = [m.group(0) for m in re.finditer(r"\b(?!self\b)([a-z_]+)\._[a-z]\w*", source)
                 if m.group(1) in {"plot", "detection", "detector", "train", "arithmetic",
                                   "data", "models", "layers", "scratch", "anchors", "checks",
                                   "memory", "fcn", "cells", "core"}]
    reach_ins += [r for r in _imported_private_names(path) if "diagrams._canvas" not in r
                  or not relative.startswith("cnn_lib/diagrams/")]
    assert reach_ins == []


def test_one_module_of_argument_checks():
    """Each check is defined once, in cnn_lib/checks.py."""
    families = ("check_int", "check_real", "check_bool", "as_real_array", "float_dtype",
                "is_int", "pair", "as_batch")
    defined = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                bare = node.name.lstrip("_")
                if bare in families or bare in ("check_pair", "check_size"):
                    defined.setdefault(bare, []).append(str(path.relative_to(ROOT)))
    shims = {"cnn_lib/plot.py"}  # plot.as_real_array: checks.as_real_array for figures
    assert {name: [p for p in paths if p not in shims] for name, paths in defined.items()
            } == {name: ["cnn_lib/checks.py"] for name in families}
