"""Split a manuscript's reference list into numbered entries.

Accepts a whole manuscript (the list is found under its ``References`` heading) or a bare
list. Entries may be written ``1. ...``, ``1 ...``, ``[1] ...``, ``- 1 ...``, ``(1) ...`` or as
unnumbered bullets; a line that does not start a new entry continues the previous one. Numbers
must follow each other, so a wrapped line that starts with a number (``13 cases ...``) is read
as a continuation rather than a new entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.references.citation import reference_from_text
from caseseries.references.model import Reference

_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?[*_]*\s*(?:\d+\.?\s+)?(?:references?(?:\s+and\s+notes)?|reference\s+list|bibliography|"
    r"literature\s+cited|works\s+cited|cited\s+literature)\s*[*_]*\s*:?\s*[*_]*\s*$",
    re.IGNORECASE,
)
_END = re.compile(
    r"^\s*(?:#{1,6}\s+\S|[*_]*(?:appendix|supplementary (?:material|data)|figure legends|tables?)[*_]*\s*:?\s*$)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\s*(?:[-*•]\s+)?(?:\[(?P<a>\d{1,4})\]|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})(?:[.)]|\s))\s*(?=\S)")
_BULLET = re.compile(r"^\s*[-*•]\s+(?=\S)")


@dataclass
class _Entry:
    n: int | None
    lines: list[str]

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.lines)).strip()


def reference_section(text: str) -> tuple[int, int] | None:
    """Line range ``(first, end)`` of the reference list under the last references heading, or None."""
    lines = text.splitlines()
    headings = [i for i, line in enumerate(lines) if _HEADING.match(line)]
    if not headings:
        return None
    start = headings[-1] + 1
    end = len(lines)
    for i in range(start, len(lines)):
        if _END.match(lines[i]):
            end = i
            break
    return start, end


def split_entries(lines: list[str]) -> list[tuple[int, str]]:
    """Split reference-list lines into ``(number, text)`` entries.

    Unnumbered bullet entries are numbered by position (seed 000 marks its first eight
    references with bullets only and numbers the rest). In a list with neither numbers nor
    bullets, entries are the paragraphs between blank lines, or the lines when there are none.
    """
    marked = any(_NUMBERED.match(line) or _BULLET.match(line) for line in lines)
    body = [line for line in lines if line.strip()]
    paragraphs = not marked and len(body) < len(lines) and bool(body)
    entries: list[_Entry] = []
    last_number = 0
    previous_blank = True
    for line in lines:
        if not line.strip():
            previous_blank = True
            continue
        numbered = _NUMBERED.match(line)
        number = int(numbered.group("a") or numbered.group("b") or numbered.group("c")) if numbered else None
        if numbered and number is not None and (not entries or number == last_number + 1):
            entries.append(_Entry(number, [line[numbered.end() :]]))
            last_number = number
        elif _BULLET.match(line):
            last_number += 1
            entries.append(_Entry(last_number, [_BULLET.sub("", line)]))
        elif entries and (marked or line[:1].isspace() or (paragraphs and not previous_blank)):
            entries[-1].lines.append(line)
        else:
            last_number += 1
            entries.append(_Entry(last_number, [line]))
        previous_blank = False
    return [(entry.n if entry.n is not None else i + 1, entry.text) for i, entry in enumerate(entries)]


def parse_reference_list(text: str) -> list[Reference]:
    """The references of a manuscript or bare list, in order; none is dropped.

    Parameters
    ----------
    text : str
        A manuscript with a ``References`` heading, or just the list.

    Returns
    -------
    list of Reference
        One per entry; entries that cannot be looked up carry a ``problem`` (reported as unparsed).
    """
    section = reference_section(text)
    lines = text.splitlines()
    if section is not None:
        lines = lines[section[0] : section[1]]
    return [reference_from_text(body, n=n) for n, body in split_entries(lines) if body]
