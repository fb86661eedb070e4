"""Point mutations of a reference solution, for ``test_exercise_mutants.py``.

``mutants(fn)`` yields ``(description, mutant_function)`` for every single-point change of the
function's own body: an integer or float constant +-1, ``<`` / ``<=`` and ``>`` / ``>=`` swapped,
``==`` / ``!=`` swapped, ``+`` / ``-`` swapped, ``max`` / ``min`` (and ``argmax``, ``maximum``,
``amax``) swapped, ``sum`` / ``mean`` swapped, a ``range`` shortened at either end, a slice
shortened at either end. Each mutant is compiled in a copy of the function's module globals, so
it calls the same helpers.

``random_inputs(args, rng)`` gives arguments of the same shapes: float arrays drawn afresh,
integer arrays drawn in the same range, everything else kept.
"""

import ast
import copy
import inspect
import textwrap

import numpy as np

_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
_SWAP_BIN = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_SWAP_NAME = {"max": "min", "min": "max", "argmax": "argmin", "argmin": "argmax",
              "maximum": "minimum", "minimum": "maximum", "amax": "amin", "amin": "amax",
              "sum": "mean", "mean": "sum"}


def _minus_one(node):
    return ast.BinOp(left=node, op=ast.Sub(), right=ast.Constant(1))


def _plus_one(node):
    return ast.BinOp(left=node, op=ast.Add(), right=ast.Constant(1))


def _sites(tree):
    """Every (path-free) mutation: a list of (description, function that mutates a copy)."""
    found = []
    nodes = list(ast.walk(tree))
    for index, node in enumerate(nodes):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            for delta in (1, -1):
                found.append((f"line {line}: constant {node.value} -> {node.value + delta}",
                              index, ("const", delta)))
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _SWAP_CMP:
                    new = _SWAP_CMP[type(op)].__name__
                    found.append((f"line {line}: comparison {type(op).__name__} -> {new}",
                                  index, ("cmp", k)))
        elif isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BIN:
            found.append((f"line {line}: {type(node.op).__name__} -> "
                          f"{_SWAP_BIN[type(node.op)].__name__}", index, ("bin", None)))
        elif isinstance(node, ast.AugAssign) and type(node.op) in _SWAP_BIN:
            found.append((f"line {line}: augmented {type(node.op).__name__} -> "
                          f"{_SWAP_BIN[type(node.op)].__name__}", index, ("bin", None)))
        elif isinstance(node, ast.Name) and node.id in _SWAP_NAME:
            found.append((f"line {line}: {node.id} -> {_SWAP_NAME[node.id]}", index,
                          ("name", None)))
        elif isinstance(node, ast.Attribute) and node.attr in _SWAP_NAME:
            found.append((f"line {line}: .{node.attr} -> .{_SWAP_NAME[node.attr]}", index,
                          ("attr", None)))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "range" and node.args:
            found.append((f"line {line}: range shortened at the end", index, ("range_end", None)))
            if len(node.args) >= 2:
                found.append((f"line {line}: range shortened at the start", index,
                              ("range_start", None)))
        if isinstance(node, ast.Slice):
            if node.upper is not None:
                found.append((f"line {line}: slice shortened at the end", index,
                              ("slice_end", None)))
            if node.lower is not None:
                found.append((f"line {line}: slice shortened at the start", index,
                              ("slice_start", None)))
    return found


def _apply(tree, index, change):
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[index]
    kind, arg = change
    if kind == "const":
        node.value = node.value + arg
    elif kind == "cmp":
        node.ops[arg] = _SWAP_CMP[type(node.ops[arg])]()
    elif kind == "bin":
        node.op = _SWAP_BIN[type(node.op)]()
    elif kind == "name":
        node.id = _SWAP_NAME[node.id]
    elif kind == "attr":
        node.attr = _SWAP_NAME[node.attr]
    elif kind == "range_end":
        node.args[-1 if len(node.args) < 3 else 1] = _minus_one(
            node.args[-1 if len(node.args) < 3 else 1])
    elif kind == "range_start":
        node.args[0] = _plus_one(node.args[0])
    elif kind == "slice_end":
        node.upper = _minus_one(node.upper)
    elif kind == "slice_start":
        node.lower = _plus_one(node.lower)
    return ast.fix_missing_locations(tree)


def mutants(fn):
    """Yield ``(description, mutant)`` for every point mutation of ``fn``'s body."""
    source = textwrap.dedent(inspect.getsource(fn))
    tree = ast.parse(source)
    definition = tree.body[0]
    definition.decorator_list = []
    body_tree = ast.Module(body=[definition], type_ignores=[])
    for description, index, change in _sites(definition):
        mutated_def = _apply(definition, index, change)
        module = ast.Module(body=[mutated_def], type_ignores=[])
        namespace = dict(fn.__globals__)
        try:
            exec(compile(module, f"<mutant of {fn.__name__}>", "exec"), namespace)  # noqa: S102
        except Exception:  # noqa: BLE001 - a mutant that does not compile is no mutant
            continue
        mutant = namespace[fn.__name__]
        mutant.__mutation__ = description
        yield description, mutant
    del body_tree


def random_inputs(args, rng):
    """Arguments of the same shapes as ``args``: float arrays redrawn (normal, rounded to 2
    decimals), integer arrays redrawn in their own range, anything else kept."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.size:
            out.append(np.round(rng.normal(size=a.shape), 2).astype(a.dtype))
        elif isinstance(a, np.ndarray) and a.dtype.kind in "iu" and a.size:
            out.append(rng.integers(a.min(), a.max() + 1, size=a.shape).astype(a.dtype))
        else:
            out.append(copy.deepcopy(a))
    return tuple(out)
