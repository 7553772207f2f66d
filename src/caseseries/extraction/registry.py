"""The extractors: plug-ins of the entry-point group ``caseseries.extractors`` (see :mod:`caseseries.plugins`)."""

from __future__ import annotations

from typing import Any

from caseseries.extraction.base import Extractor
from caseseries.plugins import EXTRACTORS, invalid, load_plugin, plugin_names


def available_extractors() -> list[str]:
    """Names of the registered extractors, sorted."""
    return plugin_names(EXTRACTORS)


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
        For an unknown name, listing the available ones, or a plug-in that is not an extractor.
    """
    cls = load_plugin(EXTRACTORS, name)
    instance = cls(**options) if callable(cls) else cls
    if not isinstance(instance, Extractor):
        raise invalid(EXTRACTORS, name, "has no extract() method; fix the plug-in")
    return instance
