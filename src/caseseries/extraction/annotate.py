"""Annotate once: the mentions of one document, found once and then read by range.

While :class:`~caseseries.extraction.rules.RuleExtractor` reads a document (inside
:func:`reading`), the document has one :class:`Annotations` store:

- every vocabulary matcher (drug names, regimens and class phrases, diseases, sites, response
  phrases, mutations, dates ...) runs **once over the whole text**; a finder asking for the
  mentions of a sentence or a clause gets the document's matches inside that range
  (:func:`finditer`), not a new scan;
- the typed mentions a finder builds for a range (drugs, agents, responses, fusions, sites,
  durations ... and the per-sentence judgements built on them: background, general statement)
  are kept per range (:func:`per_document`), so the assemblers (the narrative walk, the
  patient's fields, the table rows, the group statements) that ask about the same sentence
  again read the stored mentions instead of re-running the finder.

Outside :func:`reading` (a finder called on its own, in a test or by a curator) every call
computes its result afresh, so results never depend on what was read before.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

__all__ = ["Annotations", "current", "finditer", "per_document", "reading", "spans"]

F = TypeVar("F", bound=Callable[..., Any])


class Annotations:
    """The stored matches and mentions of one document.

    Parameters
    ----------
    text : str
        The document; offsets of every stored match refer to it.
    """

    __slots__ = ("_matches", "_spans", "memo", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._matches: dict[re.Pattern[str], tuple[list[int], list[int], list[re.Match[str]]]] = {}
        self._spans: dict[re.Pattern[str], list[tuple[int, int]]] = {}
        self.memo: dict[tuple[Any, ...], Any] = {}

    def matches(self, pattern: re.Pattern[str], start: int, stop: int) -> list[re.Match[str]]:
        """The matches of ``pattern`` over the whole document that lie inside ``[start, stop)``.

        The pattern runs once per document; later calls bisect its stored matches.
        """
        found = self._matches.get(pattern)
        if found is None:
            every = list(pattern.finditer(self.text))
            found = ([m.start() for m in every], [m.end() for m in every], every)
            self._matches[pattern] = found
        starts, ends, every = found
        # finditer's matches do not overlap, so their starts and their ends both ascend: the
        # matches inside the range are one slice (those starting at or after ``start``, starting
        # before ``stop`` and ending at or before it).
        first, last = _inside(starts, ends, start, stop)
        return every[first:last]

    def spans(self, pattern: re.Pattern[str], start: int, stop: int) -> list[tuple[int, int]]:
        """The ``(start, end)`` of the matches :meth:`matches` gives, without building them per call."""
        every = self._spans.get(pattern)
        if every is None:
            self.matches(pattern, 0, 0)
            every = self._spans[pattern] = [m.span() for m in self._matches[pattern][2]]
        starts, ends, _ = self._matches[pattern]
        first, last = _inside(starts, ends, start, stop)
        return every[first:last]


def _inside(starts: list[int], ends: list[int], start: int, stop: int) -> tuple[int, int]:
    """The slice of ascending non-overlapping matches that start at or after ``start`` and end by ``stop``."""
    first = bisect.bisect_left(starts, start)
    last = min(bisect.bisect_left(starts, stop), bisect.bisect_right(ends, stop))
    return first, max(first, last)


_CURRENT: ContextVar[Annotations | None] = ContextVar("caseseries_annotations", default=None)


def current(text: str) -> Annotations | None:
    """The store of the document being read, when ``text`` is that document; else None."""
    ann = _CURRENT.get()
    return ann if ann is not None and ann.text is text else None


@contextmanager
def reading(text: str) -> Iterator[Annotations]:
    """Open the annotation store of ``text`` for the duration of the block (nested calls reuse it)."""
    ann = current(text)
    if ann is not None:
        yield ann
        return
    ann = Annotations(text)
    token = _CURRENT.set(ann)
    try:
        yield ann
    finally:
        _CURRENT.reset(token)


def finditer(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> Iterable[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, read from the document's stored matches when it is being read.

    A vocabulary pattern (names with word boundaries) gives the same matches inside a sentence as
    over the whole text; the stored matches are those that start and end inside the range.
    """
    stop = len(text) if end is None else end
    ann = current(text)
    if ann is None:
        return pattern.finditer(text, start, stop)
    return ann.matches(pattern, start, stop)


def spans(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The spans of :func:`finditer`'s matches (stored once per document while it is read)."""
    stop = len(text) if end is None else end
    ann = current(text)
    if ann is None:
        return [m.span() for m in pattern.finditer(text, start, stop)]
    return ann.spans(pattern, start, stop)


def per_document(fn: F) -> F:
    """Keep ``fn(text, *args, **kwargs)`` per document and arguments while the document is read.

    For finders whose result depends only on the text and their (hashable) arguments. A stored
    list is handed out as a copy, so a caller that extends it does not change the store.
    """

    @functools.wraps(fn)
    def wrapper(text: str, *args: Any, **kwargs: Any) -> Any:
        ann = current(text)
        if ann is None:
            return fn(text, *args, **kwargs)
        key = (fn, args, tuple(sorted(kwargs.items()))) if kwargs else (fn, args)
        try:
            value = ann.memo[key]
        except KeyError:
            value = ann.memo[key] = fn(text, *args, **kwargs)
        return list(value) if isinstance(value, list) else value

    return cast(F, wrapper)
