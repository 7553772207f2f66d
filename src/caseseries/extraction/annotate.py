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

from caseseries.extraction import scanning

__all__ = [
    "Annotations",
    "Guarded",
    "contains",
    "current",
    "find_all",
    "finditer",
    "found",
    "may_match",
    "per_document",
    "reading",
    "search",
    "spans",
]

F = TypeVar("F", bound=Callable[..., Any])


class Annotations:
    """The stored matches and mentions of one document.

    Parameters
    ----------
    text : str
        The document; offsets of every stored match refer to it.
    """

    __slots__ = ("_lower", "_matches", "_spans", "memo", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # Keyed by the pattern's id (hashing a compiled pattern hashes all its code, on every look-up);
        # the pattern itself is kept in the entry so that its id stays its own while the store lives.
        self._matches: dict[int, tuple[list[int], list[int], list[re.Match[str]], re.Pattern[str]]] = {}
        self._spans: dict[int, list[tuple[int, int]]] = {}
        self.memo: dict[tuple[Any, ...], Any] = {}
        self._lower: str | None = None

    def lower(self) -> str:
        """The text lower-cased once (see :func:`contains`), or "" when that would not fold as ``re.I`` does."""
        if self._lower is None:
            self._lower = scanning.lowered(self.text)
        return self._lower

    def matches(self, pattern: re.Pattern[str], start: int, stop: int) -> list[re.Match[str]]:
        """The matches of ``pattern`` over the whole document that lie inside ``[start, stop)``.

        The pattern runs once per document; later calls bisect its stored matches.
        """
        found = self._matches.get(id(pattern))
        if found is None:
            every = scanning.scan(pattern, self.text, self.lower())
            found = ([m.start() for m in every], [m.end() for m in every], every, pattern)
            self._matches[id(pattern)] = found
        starts, ends, every, _ = found
        # finditer's matches do not overlap, so their starts and their ends both ascend: the
        # matches inside the range are one slice (those starting at or after ``start``, starting
        # before ``stop`` and ending at or before it).
        first, last = _inside(starts, ends, start, stop)
        return every[first:last]

    def spans(self, pattern: re.Pattern[str], start: int, stop: int) -> list[tuple[int, int]]:
        """The ``(start, end)`` of the matches :meth:`matches` gives, without building them per call."""
        every = self._spans.get(id(pattern))
        if every is None:
            self.matches(pattern, 0, 0)
            every = self._spans[id(pattern)] = [m.span() for m in self._matches[id(pattern)][2]]
        starts, ends, _, _ = self._matches[id(pattern)]
        first, last = _inside(starts, ends, start, stop)
        return every[first:last]

    def holds(self, trigger: re.Pattern[str], start: int, stop: int) -> bool:
        """Whether a stored match of ``trigger`` overlaps ``[start, stop)``."""
        found = self._matches.get(id(trigger))
        if found is None:
            self.matches(trigger, 0, 0)
            found = self._matches[id(trigger)]
        starts, ends = found[0], found[1]
        i = bisect.bisect_right(ends, start)  # the first match ending after ``start``
        return i < len(starts) and starts[i] < stop


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


def may_match(trigger: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> bool:
    r"""Whether a match of ``trigger`` over the whole text overlaps ``[start, end)``; True outside a reading.

    ``trigger`` matches a piece of text (never nothing) that every match of a costly pattern
    contains (``p\.|[A-Z]\d+[A-Z]``): it is found once per document, so a range it never
    overlaps skips the costly pattern. A piece inside the range is either found or overlapped by
    a match found before it, so the answer is never False where the range holds a piece.
    """
    ann = current(text)
    if ann is None:
        return True
    stop = len(text) if end is None else end
    return ann.holds(trigger, start, stop)


def contains(text: str, words: tuple[str, ...], start: int = 0, end: int | None = None) -> bool:
    """Whether one of the lower-case ``words`` occurs in ``text[start:end]``, ignoring case as ``re.I`` does.

    A cheap test before a costly case-insensitive pattern that needs one of the words: it reads
    a lower-cased copy of the document made once per reading. True (so the pattern is run) outside
    a reading and for a text where lower-casing is not the same as the pattern engine's case
    folding (a character that folds to an ASCII letter, such as the long s, or one whose lower
    case is longer).
    """
    ann = current(text)
    if ann is None:
        return True
    lower = ann.lower()
    if not lower:
        return True
    stop = len(text) if end is None else end
    for w in words:  # noqa: SIM110 (a loop: no generator per call on this hot path)
        if lower.find(w, start, stop) >= 0:
            return True
    return False


class Guarded:
    """A pattern tried only in ranges where one of the words it needs occurs (see :func:`contains`).

    Parameters
    ----------
    pattern : re.Pattern
        The pattern; every match of it contains one of ``words`` (ignoring case).
    words : tuple of str
        Lower-case pieces of text, at least one of them inside every match.
    """

    __slots__ = ("pattern", "words")

    def __init__(self, pattern: re.Pattern[str], words: tuple[str, ...]) -> None:
        self.pattern = pattern
        self.words = words

    def search(self, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        """``pattern.search(text, start, end)``, or None at once when no word occurs there."""
        stop = len(text) if end is None else end
        return search(self.pattern, text, start, stop) if contains(text, self.words, start, stop) else None

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text, start, end)``, or nothing at once when no word occurs there."""
        stop = len(text) if end is None else end
        return self.pattern.finditer(text, start, stop) if contains(text, self.words, start, stop) else iter(())


def found(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``pattern.search(text, start, end)`` finds a match (while ``text`` is read, on the lower-cased copy)."""
    ann = current(text)
    return scanning.found(pattern, text, ann.lower() if ann is not None else "", start, end)


def find_all(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """``list(pattern.finditer(text, start, end))`` (while ``text`` is read, found through the lower-cased copy)."""
    ann = current(text)
    return scanning.scan(pattern, text, ann.lower() if ann is not None else "", start, end)


def search(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """``pattern.search(text, start, end)``; while ``text`` is read, found through the lower-cased copy.

    The match is ``pattern``'s own (see :func:`caseseries.extraction.scanning.search`).
    """
    ann = current(text)
    return scanning.search(pattern, text, ann.lower() if ann is not None else "", start, end)


def per_document(fn: F) -> F:
    """Keep ``fn(text, *args, **kwargs)`` per document and arguments while the document is read.

    For finders whose result depends only on the text and their (hashable) arguments. A stored
    list is handed out as a copy, so a caller that extends it does not change the store.
    """

    @functools.wraps(fn)
    def wrapper(text: str, *args: Any, **kwargs: Any) -> Any:
        ann = _CURRENT.get()  # current(text), written out on this hot path
        if ann is None or ann.text is not text:
            return fn(text, *args, **kwargs)
        key = (fn, args, tuple(sorted(kwargs.items()))) if kwargs else (fn, args)
        try:
            value = ann.memo[key]
        except KeyError:
            value = ann.memo[key] = fn(text, *args, **kwargs)
        return list(value) if isinstance(value, list) else value

    return cast(F, wrapper)
