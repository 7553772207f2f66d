"""Counts in words: one pluralisation helper for every sentence the report and the commands print.

Examples
--------
>>> count(1, "line"), count(2, "line"), count(0, "patient")
('1 line', '2 lines', '0 patients')
>>> count(1, "published patient"), count(3, "analysis", "analyses")
('1 published patient', '3 analyses')
>>> f"{count(1, 'line')} {verb(1)} not evaluable", f"{count(2, 'line')} {verb(2)} not evaluable"
('1 line was not evaluable', '2 lines were not evaluable')
"""

from __future__ import annotations

_VERBS = {"was": "were", "is": "are", "has": "have", "receives": "receive", "received": "received"}


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun for ``n`` things: ``singular`` for exactly 1, otherwise ``plural`` (default ``singular + "s"``)."""
    if n == 1:
        return singular
    return plural if plural is not None else f"{singular}s"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and its noun: ``1 line``, ``2 lines``, ``0 patients``."""
    return f"{n} {noun(n, singular, plural)}"


def verb(n: int, singular: str = "was") -> str:
    """The verb agreeing with ``n`` things: ``was``/``were``, ``is``/``are``, ``has``/``have``."""
    if n == 1:
        return singular
    return _VERBS.get(singular, singular)
