"""Segmentation of a document into lines, sections and sentences, all with character offsets.

Every span here is a pair of offsets into the original text, never a copy of edited text,
so that evidence quoted later always satisfies ``text == document[start:end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from caseseries.extraction.patterns import ordered_patterns
from caseseries.extraction.scanning import matches_start
from caseseries.text.spans import Line as Line  # re-exported: spans live in the text layer
from caseseries.text.spans import Span as Span
from caseseries.text.spans import lines as lines
from caseseries.text.spans import trimmed as trimmed


class SectionKind(StrEnum):
    """What a section of a case report is about."""

    FRONT = "front"
    ABSTRACT = "abstract"
    INTRODUCTION = "introduction"
    CASE = "case"
    DISCUSSION = "discussion"
    CONCLUSION = "conclusion"
    BACK = "back"
    REFERENCES = "references"
    OTHER = "other"


@dataclass
class Section:
    """A run of text under one heading."""

    kind: SectionKind
    heading: str
    start: int
    end: int
    case_number: int | None = None
    sentences: list[Span] = field(default_factory=list)


_LINE = re.compile(r"[^\n]*")
_MARKUP = re.compile(r"^[\s#*_>|\-]*|[\s#*_:.|]*$")
_HEADINGS = ordered_patterns("section_headings", SectionKind)
# a paragraph that starts with an "Abstract:" label opens the abstract (the label is not a heading line)
_INLINE_ABSTRACT = re.compile(r"[\s*_#>]*(?:structured\s+)?abstract\s*:\s*\S", re.I)
_CASE_NUMBER = re.compile(r"(?:case|patient)\s+(?:no\.?\s*)?(\d{1,2})\b", re.I)
# Sentence ends: . ! ? followed by space(s) and an upper-case letter, digit or quote; never after
# common abbreviations or single initials.
# A period after a word may carry citation numbers before the space ("adults.1,2 Surgery").
_SENT_END = re.compile(
    # (one leading class, which the engine skips to; the second alternative's "." is checked behind)
    r"[.!?](?:(?:[\)\]\"”’])?(?=\s+[\"“(\[]?[A-Z0-9])|(?<=[A-Za-z)]\.)\d{1,3}(?:[,\-–]\d{1,3})*(?=\s+[A-Z]))"
)
_ABBREV = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Fig|Figs|No|vs|et al|i\.e|e\.g|approx|St|Dept|Vol|ca)|\b[A-Z])$")


def heading_kind(line_text: str) -> tuple[SectionKind, int | None] | None:
    """Classify a line as a section heading, or return None when it is not one.

    Parameters
    ----------
    line_text : str
        One line, possibly with Markdown markup (``## Case Report``, ``**Discussion**``).

    Returns
    -------
    tuple or None
        The section kind and, for "Case 2"-style headings, the case number.
    """
    stripped = line_text.strip()
    if not stripped or len(stripped) > 70:
        return None
    core = _MARKUP.sub("", stripped)
    if not core or len(core) > 60:
        return None
    for pattern, kind in _HEADINGS:
        if matches_start(pattern, core):
            number = None
            if kind is SectionKind.CASE:
                m = _CASE_NUMBER.search(core)
                number = int(m.group(1)) if m else None
            return kind, number
    return None


def sections(text: str) -> list[Section]:
    """Split the document at its headings.

    Text before the first heading is ``FRONT``. Everything from a ``References`` heading on is
    ``REFERENCES`` (headings after it are ignored), so reference lists never feed extraction.

    Parameters
    ----------
    text : str
        The document.

    Returns
    -------
    list of Section
        Sections in document order, each with its sentences.
    """
    out: list[Section] = []
    current = Section(SectionKind.FRONT, "", 0, 0)
    for ln in lines(text):
        found = heading_kind(text[ln.start : ln.end])
        start = ln.end
        if found is None:
            if not _INLINE_ABSTRACT.match(text, ln.start, ln.end):
                continue
            found, start = (SectionKind.ABSTRACT, None), ln.start  # "Abstract: Renal cell carcinoma ..."
        kind, number = found
        if current.kind is SectionKind.REFERENCES:
            break
        current.end = ln.start
        out.append(current)
        heading = text[ln.start : ln.end].strip() if start == ln.end else "Abstract"
        current = Section(kind, heading, start, start, case_number=number)
    current.end = len(text)
    out.append(current)
    # an article-type label ("Case Report" above the title) is front matter, not the case section
    first_body = next(
        (i for i, s in enumerate(out) if s.kind in (SectionKind.ABSTRACT, SectionKind.INTRODUCTION)), None
    )
    if first_body is not None:
        for sec in out[:first_body]:
            if sec.kind is SectionKind.CASE:
                sec.kind = SectionKind.FRONT
    out = _front_boxes(text, out)
    for sec in out:
        sec.sentences = sentences(text, sec.start, sec.end)
    return [s for s in out if s.end > s.start or s.kind is not SectionKind.FRONT]


_MAIN = (SectionKind.ABSTRACT, SectionKind.INTRODUCTION, SectionKind.CASE, SectionKind.DISCUSSION)
_BLANK_LINE = re.compile(r"\S[^\n]*(?:\n[ \t]*\S[^\n]*)*\n[ \t]*\n")


def _front_boxes(text: str, secs: list[Section]) -> list[Section]:
    """Cut a back-matter box above the main text after its first paragraph.

    A web page's keyword or funding box covers its own paragraph only; the text after it is read
    as ``OTHER``.
    """
    out: list[Section] = []
    seen_main = False
    for sec in secs:
        seen_main = seen_main or sec.kind in _MAIN
        if sec.kind is SectionKind.BACK and not seen_main:
            m = _BLANK_LINE.search(text, sec.start, sec.end)
            if m and text[m.end() : sec.end].strip():
                out.append(Section(sec.kind, sec.heading, sec.start, m.end()))
                out.append(Section(SectionKind.OTHER, "", m.end(), sec.end))
                continue
        out.append(sec)
    return out


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Split ``text[start:end]`` into sentences; paragraph breaks and table rows always split.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        The range to split (default: the whole text).

    Returns
    -------
    list of Span
        Sentence spans with surrounding white space trimmed.
    """
    stop = len(text) if end is None else end
    out: list[Span] = []
    for block in _blocks(text, start, stop):
        seg_start = block.start
        for m in _SENT_END.finditer(text, block.start, block.end):
            before = text[max(block.start, m.start() - 8) : m.start()]
            if text[m.start()] == "." and _ABBREV.search(before):
                continue
            if text[m.start()] == "." and m.start() + 1 < block.end and text[m.start() - 1 : m.start()].isdigit():
                nxt = text[m.end() : m.end() + 3].strip()
                if nxt[:1].isdigit():
                    continue
            _add_trimmed(text, seg_start, m.end(), out)
            seg_start = m.end()
        _add_trimmed(text, seg_start, block.end, out)
    return out


def _blocks(text: str, start: int, end: int) -> list[Span]:
    """Paragraphs: runs of lines separated by blank lines; tab/pipe rows are blocks on their own."""
    out: list[Span] = []
    para_start: int | None = None
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        line = text[pos:line_end]
        is_row = "\t" in line or line.count("|") >= 2
        if not line.strip() and para_start is not None and _soft_break(text, para_start, pos, line_end + 1, end):
            pos = line_end + 1  # a blank line inside a sentence (text laid out by a PDF converter)
            continue
        if not line.strip() or is_row:
            if para_start is not None:
                out.append(Span(para_start, pos))
                para_start = None
            if is_row and line.strip():
                out.append(Span(pos, line_end))
        elif para_start is None:
            para_start = pos
        pos = line_end + 1
    if para_start is not None:
        out.append(Span(para_start, end))
    return out


_SPACE = re.compile(r"\s*")


def _soft_break(text: str, para_start: int, blank: int, after: int, end: int) -> bool:
    """Whether a blank line only interrupts a sentence.

    It does when the text before it ends without sentence punctuation and the next non-blank line
    starts with a lower-case letter.
    """
    before = text[para_start:blank].rstrip()
    if not before or before[-1] in ".!?:;" or "\t" in before[before.rfind("\n") + 1 :]:
        return False
    m = _SPACE.match(text, after, end)
    nxt = text[m.end() : m.end() + 1] if m else ""
    return nxt.islower()


def _add_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    span = trimmed(text, start, end)
    if span.end > span.start:
        out.append(span)
