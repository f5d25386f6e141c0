"""Modules whose re-exported names are imported on first use (PEP 562), so that importing the module stays cheap."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(owner: str, modules: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for the module named `owner`: each name of `modules` comes from its module, imported on
    first use (a name starting with a dot is relative to `owner`, a package); any other name is an AttributeError."""

    def __getattr__(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        return getattr(import_module(modules[name], owner), name)

    return __getattr__
