"""What the finders of named things return: values with document offsets.

A finder scans ``text[start:end]`` and returns hits whose offsets refer to the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """A value found at ``[start, end)`` of the document."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class DrugHit(Hit):
    """A drug mention; ``value`` is the lower-case generic name."""

    fuzzy: bool = False


@dataclass(frozen=True)
class FusionHit:
    """A fusion mention: ``gene5`` None when the partner is unknown."""

    gene5: str | None
    gene3: str | None
    as_written: str
    start: int
    end: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MutationHit:
    """A point mutation: protein one-letter HGVS (``p.G1202R``) and/or coding (``c.3604G>A``)."""

    gene: str
    protein: str | None
    coding: str | None
    start: int
    end: int


@dataclass(frozen=True)
class SiteHit(Hit):
    """An anatomic site mention.

    ``value`` is the term recorded (a sub-site's nearest recorded ancestor: tongue -> oral
    cavity), ``detail`` the vocabulary term of the word itself (``tongue``); ``role`` is
    primary/metastatic when the words around it say so, else None.
    """

    role: str | None = None
    detail: str | None = None


def flexible(name: str, *, optional_hyphen: bool = False) -> str:
    """A regex for ``name`` in which spaces and hyphens match any run of spaces or hyphens."""
    parts = re.split(r"[\s\-]+", name)
    sep = r"[\s\-]*" if optional_hyphen else r"[\s\-]+"
    return sep.join(re.escape(p) for p in parts if p)
