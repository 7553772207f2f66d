"""The version of the rules and vocabularies the rules extractor loads, as a short content hash.

Stored with every extracted patient (with the extractor's name), so that cases extracted by
different rule sets can be told apart and re-extracted when the rules change.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

RULE_PACKAGES = ("caseseries.extraction", "caseseries.vocab")
"""Packages whose ``data/`` folders hold the rule and vocabulary files."""


def _data_files(package: str) -> list[tuple[str, Traversable]]:
    root = resources.files(package).joinpath("data")
    found: list[tuple[str, Traversable]] = []
    stack: list[tuple[str, Traversable]] = [(f"{package}/data", root)]
    while stack:
        prefix, folder = stack.pop()
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name = f"{prefix}/{entry.name}"
            if entry.is_dir():
                stack.append((name, entry))
            elif entry.name.endswith((".yaml", ".yml", ".json", ".tsv", ".csv")):
                found.append((name, entry))
    return found


@cache
def ruleset_version() -> str:
    """A 12-character hash of every rule and vocabulary data file (names and contents).

    Returns
    -------
    str
        E.g. ``"rules-3f9a0c1d2b4e"``; it changes whenever a curator edits a rule file.

    Examples
    --------
    >>> ruleset_version().startswith("rules-")
    True
    """
    digest = hashlib.sha256()
    files = [item for package in RULE_PACKAGES for item in _data_files(package)]
    for name, entry in sorted(files, key=lambda item: item[0]):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(entry.read_bytes() + b"\0")
    return f"rules-{digest.hexdigest()[:12]}"
