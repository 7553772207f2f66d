"""The extractor registry over the entry-point group ``caseseries.extractors``.

Built-in extractors are declared in ``pyproject.toml`` exactly like third-party plug-ins. When
the package metadata is not installed (running from a source tree), the built-ins are used.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from caseseries.errors import InputError
from caseseries.extraction.base import Extractor

GROUP = "caseseries.extractors"
BUILTIN = {
    "rules": "caseseries.extraction.rules:RuleExtractor",
    "openai": "caseseries.extraction.llm:OpenAIExtractor",
}


def _targets() -> dict[str, str]:
    found = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    return {**BUILTIN, **found}


def available_extractors() -> list[str]:
    """Names of the registered extractors, sorted."""
    return sorted(_targets())


def get_extractor(name: str, **options: Any) -> Extractor:
    """An instance of the extractor registered as ``name``.

    Parameters
    ----------
    name : str
        Registered name, e.g. ``rules`` or ``openai``.
    **options
        Passed to the extractor's constructor.

    Raises
    ------
    InputError
        For an unknown name, listing the available ones.
    """
    targets = _targets()
    if name not in targets:
        raise InputError(f"unknown extractor {name!r}; available: {', '.join(sorted(targets))}", location="--extractor")
    module_name, _, attr = targets[name].partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    instance = cls(**options)
    if not isinstance(instance, Extractor):
        raise InputError(f"extractor {name!r} ({targets[name]}) has no extract() method; fix the plug-in")
    return instance
