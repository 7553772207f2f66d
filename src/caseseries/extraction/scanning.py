r"""Fast exact scans: a pattern's matches found through a cheaper pattern, then matched by the pattern itself.

The regular-expression engine tries a pattern that starts with a word boundary or a look-behind
at every position of a text, and a pattern that ignores case folds every character it compares.
Two rewrites of a pattern find the same places for less:

- **folding**: on the lower-cased copy of the document (made once per reading, :func:`lowered`)
  the pattern's letters lower-cased match without ``re.IGNORECASE``, so the engine passes over an
  alternative by its first letter at once;
- **first letters**: a pattern whose matches all start with one of a few letters
  (:func:`caseseries.vocab.trie.first_letters`) is written ``[letters](?<=(?=PATTERN).)``, which
  the engine only tries where one of those letters stands, skipping the other positions in one
  tight loop;
- **word starts**: a pattern that starts with many letters behind ``\b`` or ``(?<![...])`` is
  written ``[^before](?=[letters])(?=PATTERN)``, tried only just before a word (where a character
  that cannot stand before a match stands), not at every one of those common letters.

Both find *candidate* starts: every position where the pattern matches is among them. Each
candidate is then matched by the original pattern on the original text, so the matches (their
groups, ``m.string``, ``m.re``) are the pattern's own and the list is exactly ``finditer``'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from caseseries.vocab.trie import class_end, first_letters, group_end, top_alternatives

__all__ = ["Plan", "Starts", "fold", "found", "lowered", "matches_start", "plan", "scan", "search", "search_string"]

# escapes that name a character by its code (the letter they name would not be lower-cased)
_CODE_ESCAPE = re.compile(r"\\[xuUN0-9]")
_ESCAPE = re.compile(r"\\.")
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")
_ASCII = tuple(map(chr, range(128)))
_WORD_CHARS = frozenset(c for c in _ASCII if c.isalnum() or c == "_")
_QUANTIFIERS = ("?", "*", "+", "{")
# with fewer distinct first letters (case aside), skipping to those letters is cheaper than to word starts
_WORD_START_LETTERS = 6


class Starts(NamedTuple):
    """A pattern matching one character at (``shift`` 0) or just before (``shift`` 1) every start of a match."""

    pattern: re.Pattern[str]
    shift: int


@dataclass(frozen=True)
class Plan:
    """The cheaper patterns of a pattern.

    Attributes
    ----------
    pattern : re.Pattern
        The pattern itself.
    folded : re.Pattern or None
        Its letters lower-cased, compiled without ``re.IGNORECASE``, for the lower-cased text:
        it matches wherever ``pattern`` matches the text (see :func:`fold`); None also where
        ``lower_starts`` is given.
    lower_starts : Starts or None
        One character of the lower-cased text at or before every start of a match of the folded
        pattern (the first-letter or word-start form).
    text_starts : Starts or None
        The same for ``pattern`` on the text itself.
    """

    pattern: re.Pattern[str]
    folded: re.Pattern[str] | None
    lower_starts: Starts | None
    text_starts: Starts | None


_PLANS: dict[int, Plan] = {}


def plan(pattern: re.Pattern[str]) -> Plan:
    """The :class:`Plan` of ``pattern``, made once (kept by the pattern's identity, with the pattern)."""
    found = _PLANS.get(id(pattern))
    if found is None:
        source = _folded_source(pattern)
        flags = pattern.flags & ~re.IGNORECASE
        lower_starts = None if source is None else _starts(source, flags, lowered=True)
        # the folded pattern itself is needed only where it has no first-letter form
        folded = _compiled(source, flags) if source is not None and lower_starts is None else None
        # a class of letters ignoring case is not one the engine skips to, so a pattern that ignores
        # case has no first-letter form on the text itself
        text_starts = None if pattern.flags & re.IGNORECASE else _starts(pattern.pattern, pattern.flags)
        found = _PLANS[id(pattern)] = Plan(pattern, folded, lower_starts, text_starts)
    return found


def _compiled(source: str, flags: int) -> re.Pattern[str] | None:
    try:
        return re.compile(source, flags)
    except re.error:
        return None


def _starts(source: str, flags: int, *, lowered: bool = False) -> Starts | None:
    """The :class:`Starts` of ``source``: its first-letter or word-start form, or None.

    On the lower-cased text (``lowered``) no character folds to an ASCII letter, so the first
    letters of a ``(?i:...)`` group are its letters in both cases (elsewhere a group ignoring
    case also matches the Kelvin sign or the long s, and gives no letters).
    """
    letters = first_letters(source.replace("(?i:", "(?:") if lowered else source)
    if not letters:
        return None
    before = _never_before(source) if len(set(letters.lower())) >= _WORD_START_LETTERS else None
    if "(?P=" not in source:
        # only where a match starts matters here: without named groups the engine passes over an
        # alternative by its first letter
        source = _NAMED_GROUP.sub("(?:", source)
    if before:
        # one character that may stand before a match, then the match itself
        others = "".join(re.escape(c) for c in sorted(before))
        found = _compiled(f"[^{others}](?=[{letters}])(?={source})", flags)
        return None if found is None else Starts(found, 1)
    found = _compiled(f"[{letters}](?<=(?={source}).)", flags)
    return None if found is None else Starts(found, 0)


def _never_before(source: str) -> frozenset[str] | None:
    r"""ASCII characters that never stand just before a match of ``source``, whose matches start with a letter.

    Read from what every alternative asserts where it starts: ``\b`` (before a letter: no word
    character) or ``(?<![...])`` (none of the class's characters); None when an alternative
    asserts neither.
    """
    common: frozenset[str] | None = None
    for alt in top_alternatives(source):
        found = _alternative_never_before(alt)
        if not found:
            return None
        common = found if common is None else common & found
    return common or None


def _alternative_never_before(alt: str) -> frozenset[str] | None:
    i = 0
    while i < len(alt):
        if alt.startswith("\\b", i):
            end = i + 2
            found: frozenset[str] | None = _WORD_CHARS
        elif alt.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            end = group_end(alt, i)
            found = _class_before(alt[i:end])
        elif alt.startswith(("(?:", "(?P<"), i):
            end = group_end(alt, i)
            if end < len(alt) and alt[end] in _QUANTIFIERS:
                return None
            inner = alt[i + 3 : end - 1] if alt[i + 2] == ":" else alt[alt.index(">", i) + 1 : end - 1]
            return _never_before(inner)
        else:
            return None
        if end < len(alt) and alt[end] in _QUANTIFIERS:
            return None
        if found:
            return found
        i = end
    return None


def _class_before(group: str) -> frozenset[str] | None:
    """The ASCII characters of ``(?<![...])``'s class (the characters it says cannot stand before), else None."""
    if not group.startswith("(?<![") or group.startswith("(?<![^") or class_end(group, 4) != len(group) - 1:
        return None
    cls = _compiled(group[4:-1], 0)
    return None if cls is None else frozenset(c for c in _ASCII if cls.fullmatch(c))


def fold(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` for the lower-cased text: letters lower-cased (not escapes or group names), case kept.

    Where ``pattern`` matches a text, the result matches the lower-cased text (see :func:`lowered`)
    at the same position: exactly, for a pattern that ignores case; at the same and possibly more
    places, for a pattern whose case-sensitive parts sit beside ``(?i:...)`` groups (lower-cased
    letters match wherever they matched). None where that would not hold: a pattern that turns
    ignoring case off inside (``(?-i:``), names a character by its code, writes a letter beyond
    ASCII, is case-sensitive without ``(?i:`` groups, or, being case-sensitive, writes a letter
    in a negated class or a negative look-around.
    """
    source = _folded_source(pattern)
    return None if source is None else _compiled(source, pattern.flags & ~re.IGNORECASE)


def _folded_source(pattern: re.Pattern[str]) -> str | None:
    source = pattern.pattern
    if "(?-" in source or _CODE_ESCAPE.search(source):
        return None
    if not pattern.flags & re.IGNORECASE and ("(?i:" not in source or _negated_letters(source)):
        return None
    if any(not c.isascii() and (c.lower() != c or c.upper() != c or c.casefold() != c) for c in source):
        return None
    out: list[str] = []
    i = 0
    while i < len(source):
        if source[i] == "\\":  # an escape (\S, \W, \B ...) keeps its case
            out.append(source[i : i + 2])
            i += 2
        elif source.startswith(("(?P<", "(?P="), i):  # a group's name too
            end = source.index(">" if source[i + 3] == "<" else ")", i) + 1
            out.append(source[i:end])
            i = end
        else:
            out.append(source[i].lower())
            i += 1
    return "".join(out)


def _negated_letters(source: str) -> bool:
    """Whether a negated class or a negative look-around of ``source`` writes a letter (outside escapes)."""
    i = 0
    while i < len(source):
        if source[i] == "\\":
            i += 2
        elif source.startswith(("[^", "(?!", "(?<!"), i):
            end = class_end(source, i) if source[i] == "[" else group_end(source, i)
            body = _ESCAPE.sub("", source[i:end]).removeprefix("(?<!").removeprefix("(?!")
            if any(c.isalpha() for c in body):
                return True
            i += 1
        else:
            i += 1
    return False


def lowered(text: str) -> str:
    """``text.lower()`` when it has the same offsets and folds letters as ``re.I`` does; else ""."""
    lower = text.lower()
    if len(lower) != len(text):
        return ""
    if not text.isascii():
        odd = {c for c in set(text) if not c.isascii()}
        if any(c.lower().isascii() or c.upper().isascii() or c.casefold().isascii() for c in odd):
            return ""
    return lower


def scan(
    pattern: re.Pattern[str], text: str, lower: str, start: int = 0, end: int | None = None
) -> list[re.Match[str]]:
    """``list(pattern.finditer(text, start, end))``, found through the cheaper patterns of its :class:`Plan`.

    Parameters
    ----------
    pattern : re.Pattern
        The pattern.
    text : str
        The text.
    lower : str
        ``lowered(text)`` (or "" to read the text only).
    start, end : int
        The range, as ``finditer``'s ``pos`` and ``endpos``.

    Returns
    -------
    list of re.Match
        ``pattern``'s own matches, the same as ``finditer`` gives.
    """
    stop = len(text) if end is None else end
    p = plan(pattern)
    starts, subject = (p.lower_starts, lower) if lower and p.lower_starts is not None else (p.text_starts, text)
    match = pattern.match
    out: list[re.Match[str]] = []
    if starts is not None:
        # every start of a match is a candidate; the first candidate at or after the end of the
        # previous match where the pattern matches is finditer's next match
        pos = start
        for a in _candidates(starts, subject, start, stop):
            if a < pos:
                continue
            real = match(text, a, stop)
            if real is None:
                continue
            if real.end() == a:  # an empty match: finditer's own stepping rules
                return list(pattern.finditer(text, start, stop))
            out.append(real)
            pos = real.end()
        return out
    if not lower or p.folded is None:
        return list(pattern.finditer(text, start, stop))
    for m in p.folded.finditer(lower, start, stop):
        a, b = m.span()
        real = match(text, a, stop)
        if real is None or real.end() != b or a == b:
            # the folded pattern matched more (a case-sensitive part) or elsewhere: read the text
            return list(pattern.finditer(text, start, stop))
        out.append(real)
    return out


def _candidates(starts: Starts, subject: str, start: int, stop: int) -> Iterator[int]:
    """The candidate starts of matches in ``subject[start:stop]``, ascending."""
    if not starts.shift:
        for m in starts.pattern.finditer(subject, start, stop):
            yield m.start()
        return
    # the word-start form matches the character before a start: from one before the range, and
    # the start of the text, which has none, is tried as it is
    if start == 0:
        yield 0
    for m in starts.pattern.finditer(subject, max(start - 1, 0), stop):
        yield m.start() + 1


def found(pattern: re.Pattern[str], text: str, lower: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``pattern.search(text, start, end)`` finds a match (see :func:`search`).

    A pattern that ignores case matches the lower-cased text through its folded form exactly where it
    matches the text, so no match is built to answer.
    """
    stop = len(text) if end is None else end
    if lower and pattern.flags & re.IGNORECASE:
        starts = plan(pattern).lower_starts
        if starts is not None and not (starts.shift and start == 0):
            return next(_candidates(starts, lower, start, stop), None) is not None
    return search(pattern, text, lower, start, stop) is not None


_FOLDED: dict[int, tuple[re.Pattern[str], re.Pattern[str] | None]] = {}


def matches_start(pattern: re.Pattern[str], string: str) -> bool:
    """Whether ``pattern.match(string)`` matches (a pattern that ignores case: folded, on the lower-cased string)."""
    if pattern.flags & re.IGNORECASE:
        entry = _FOLDED.get(id(pattern))
        if entry is None:
            entry = _FOLDED[id(pattern)] = (pattern, fold(pattern))
        folded = entry[1]
        lower = lowered(string) if folded is not None else ""
        if folded is not None and lower:
            return folded.match(lower) is not None
    return pattern.match(string) is not None


def search_string(pattern: re.Pattern[str], string: str) -> re.Match[str] | None:
    """``pattern.search(string)`` for a string of its own (a slice, a view), through its lower-cased copy."""
    return search(pattern, string, lowered(string) if pattern.flags & re.IGNORECASE else "")


def search(
    pattern: re.Pattern[str], text: str, lower: str, start: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """``pattern.search(text, start, end)``, found through the cheaper patterns of its :class:`Plan`.

    ``lower`` is ``lowered(text)`` or "" (see :func:`scan`); the match is ``pattern``'s own.
    """
    stop = len(text) if end is None else end
    p = plan(pattern)
    starts, subject = (p.lower_starts, lower) if lower and p.lower_starts is not None else (p.text_starts, text)
    if starts is not None:
        for a in _candidates(starts, subject, start, stop):
            real = pattern.match(text, a, stop)
            if real is not None:
                return real
        return None
    if not lower or p.folded is None:
        return pattern.search(text, start, stop)
    m = p.folded.search(lower, start, stop)
    if m is None:
        return None
    real = pattern.match(text, m.start(), stop)
    if real is None or real.end() != m.end():
        return pattern.search(text, start, stop)
    return real
