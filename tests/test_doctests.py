"""The examples in cnn_lib's docstrings are true: every module's doctests pass."""

import doctest
import importlib
import pkgutil

import pytest

import cnn_lib

MODULES = sorted(m.name for m in pkgutil.walk_packages(cnn_lib.__path__, "cnn_lib."))


@pytest.mark.parametrize("name", ["cnn_lib", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_examples_are_found():
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 10
