"""Spans of a document: half-open character ranges, so that quoted text is ``document[start:end]``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of the document."""

    start: int
    end: int

    def text(self, document: str) -> str:
        """The quoted text of the span."""
        return document[self.start : self.end]


@dataclass(frozen=True)
class Line(Span):
    """One physical line (without its newline)."""

    number: int = 0


def lines(text: str) -> list[Line]:
    """Split the document into physical lines with offsets.

    Parameters
    ----------
    text : str
        The document.

    Returns
    -------
    list of Line
        Every line, including empty ones, in order.
    """
    out: list[Line] = []
    pos = 0
    number = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        out.append(Line(pos, nl, number))
        number += 1
        pos = nl + 1
    return out


def trimmed(text: str, start: int, end: int) -> Span:
    """The span ``start:end`` without the white space at either end (possibly empty)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)
