"""The model package names each of its names three times (type checkers' imports, the modules it
loads them from, ``__all__``); the three agree, and each name is its module's object."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import caseseries.model as model
from caseseries.model import _HOME

INIT = Path(str(model.__file__))


def _type_checking_imports() -> dict[str, str]:
    """The names the ``if TYPE_CHECKING:`` block imports, with their modules."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING")
    return {
        alias.name: str(node.module)
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_imports_the_loaded_names_and_all_agree() -> None:
    assert _type_checking_imports() == _HOME
    assert sorted(model.__all__) == sorted(_HOME)


def test_each_name_is_the_object_of_its_module() -> None:
    for name, home in _HOME.items():
        assert getattr(model, name) is getattr(importlib.import_module(home), name), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchModel"):
        model.NoSuchModel  # type: ignore[attr-defined]  # noqa: B018
