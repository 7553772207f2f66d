"""Ordered pattern lists of the rule-based extractor, read from ``extraction/data/patterns.yaml``.

Section headings, table column roles, ALK test methods and ALK status statements, site cues and
the words that split the drugs of a sentence into lines are data: each list holds entries
``{name, pattern}`` tried in order (the first match wins), compiled ignoring case. The loader
rejects unknown keys and names, listing the allowed ones.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml

from caseseries.errors import FormatError

E = TypeVar("E", bound=Enum)
PATTERN_LISTS = (
    "section_headings",
    "column_roles",
    "alk_methods",
    "alk_status",
    "alk_status_elided",
    "molecular_statements",
    "test_purposes",
    "site_cues",
    "line_breaks",
)
_ORIGIN = "caseseries/extraction/data/patterns.yaml"


@cache
def _data() -> dict[str, Any]:
    text = resources.files("caseseries.extraction").joinpath("data", "patterns.yaml").read_text("utf-8")
    return parse_patterns(text)


def parse_patterns(text: str, origin: str = _ORIGIN) -> dict[str, Any]:
    """Read and check a pattern file.

    Parameters
    ----------
    text : str
        YAML with ``version`` and the lists named in ``PATTERN_LISTS``.
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    dict
        The parsed file.

    Raises
    ------
    FormatError
        Unknown keys, an entry without ``name``/``pattern``, or a pattern that does not compile.
    """
    data = yaml.safe_load(text)
    allowed = {"version", *PATTERN_LISTS}
    if not isinstance(data, dict) or set(data) - allowed:
        extra = sorted(set(data) - allowed) if isinstance(data, dict) else []
        raise FormatError(f"unknown top-level keys {extra}; allowed keys: {', '.join(sorted(allowed))}", source=origin)
    for key in PATTERN_LISTS:
        for i, entry in enumerate(data.get(key) or []):
            where = f"{key}[{i}]"
            if not isinstance(entry, dict) or set(entry) != {"name", "pattern"}:
                keys = sorted(entry) if isinstance(entry, dict) else []
                raise FormatError(
                    f"entry keys {keys}; each entry has exactly: name, pattern", source=origin, location=where
                )
            try:
                re.compile(str(entry["pattern"]))
            except re.error as exc:
                raise FormatError(f"pattern does not compile: {exc}", source=origin, location=where) from exc
    return data


def ordered_patterns(key: str, kind: type[E], data: dict[str, Any] | None = None) -> list[tuple[re.Pattern[str], E]]:
    """The compiled ``(pattern, value)`` list ``key``, its names read as members of ``kind``.

    Parameters
    ----------
    key : str
        One of ``PATTERN_LISTS``.
    kind : Enum class
        The closed vocabulary the names belong to (``SectionKind``, ``Role``, ``AlkMethod``).
    data : dict or None
        A parsed pattern file (default: the bundled one).

    Returns
    -------
    list of tuple
        In file order.

    Raises
    ------
    FormatError
        A name that is not a value of ``kind`` (the message lists the allowed ones).
    """
    source = _data() if data is None else data
    by_value = {str(member.value): member for member in kind}
    out: list[tuple[re.Pattern[str], E]] = []
    for i, entry in enumerate(source.get(key) or []):
        name = str(entry["name"])
        if name not in by_value:
            raise FormatError(
                f"unknown name {name!r}; allowed: {', '.join(sorted(by_value))}", source=_ORIGIN, location=f"{key}[{i}]"
            )
        out.append((re.compile(str(entry["pattern"]), re.I), by_value[name]))
    return out


def patterns_by_name(key: str, kind: type[E]) -> dict[E, list[re.Pattern[str]]]:
    """The bundled list ``key`` grouped by name: each member of ``kind`` with its patterns in file order.

    Raises
    ------
    FormatError
        A name that is not a value of ``kind``.
    """
    out: dict[E, list[re.Pattern[str]]] = {member: [] for member in kind}
    for pattern, member in ordered_patterns(key, kind):
        out[member].append(pattern)
    return out
