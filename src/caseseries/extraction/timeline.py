"""Durations, dates and censoring: "PFS 5.5 months", "ongoing after 3 years", "March 2022 ... August 2022".

Months are the unit: days / 30.4375, weeks x 7 / 30.4375, years x 12; two month-year dates give
whole months between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.extraction.annotate import contains, find_all, per_document

DAYS_PER_MONTH = 30.4375
NUMBER_WORDS: dict[str, float] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
}
_ARTICLES = {"a": 1.0, "an": 1.0, "half a": 0.5}
_NUM = (
    r"(\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|eighteen|twenty-four|twenty|thirty-six|thirty|an?|half\s+a)"
)
_DURATION = re.compile(rf"\b{_NUM}[\s\-]*(?:\+\s*)?(days?|d|weeks?|wks?|months?|mo|mos|years?|yrs?|y)\b\.?(\+)?", re.I)
# "by year two", "in month 6": a time written as the ordinal year or month of treatment
_NUMBERED_PERIOD = re.compile(rf"(?<=\b(?:by|in|at)\s)(year|month)\s+{_NUM}\b", re.I)
_MONTHS = {
    m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
}
_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?,?\s+(?:\d{1,2},?\s+)?((?:19|20)\d{2})\b"
    r"|\b((?:19|20)\d{2})[-/](0[1-9]|1[0-2])\b"
    r"|\b(0?[1-9]|1[0-2])/((?:19|20)\d{2})\b"
)
_DATE_NEED = ("19", "20")  # every date has a year: a range without one has none
_NUMBERED_PERIOD_NEED = ("year", "month")
CENSORED = re.compile(
    r"\b(ongoing|to\s+date|remains?|remained|still|continues?|continuing|maintained|maintaining|sustained|"
    r"beyond|over|more\s+than|at\s+least|alive|last\s+follow[\s\-]*up|without\s+(?:evidence\s+of\s+)?"
    r"(?:disease|progression|recurrence)|no\s+(?:evidence\s+of\s+)?(?:progression|recurrence)|persist\w*|durable|"
    r"until\s+now|so\s+far|present(?:ly)?|currently)\b|\+|>\s*\d|≥",
    re.I,
)
PROGRESSED = re.compile(
    r"\b(progress\w*|relaps\w*|recurr\w*|resist\w*|PFS|progression[\s\-]+free|time\s+to\s+progression|TTP|"
    r"regrow\w*|enlarg\w*|new\s+lesions?|increased|worsen\w*|deteriorat\w*)\b",
    re.I,
)


@dataclass(frozen=True)
class Duration:
    """A duration in months with its span; ``censored`` from cue words (None when silent)."""

    months: float
    start: int
    end: int
    censored: bool | None = None


@dataclass(frozen=True)
class MonthDate:
    """A month-year date with its span."""

    year: int
    month: int
    start: int
    end: int

    @property
    def iso(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def months_until(self, other: MonthDate) -> int:
        """Whole months from this date to ``other``."""
        return (other.year - self.year) * 12 + other.month - self.month


def _number(raw: str) -> float | None:
    raw = re.sub(r"\s+", " ", raw.lower())
    if raw in NUMBER_WORDS or raw in _ARTICLES:
        return float(NUMBER_WORDS.get(raw, _ARTICLES.get(raw, 0.0)))
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return None


def to_months(value: float, unit: str) -> float:
    """Convert a value in days/weeks/months/years to months (rounded to 2 decimals)."""
    u = unit.lower().rstrip(".")
    if u.startswith("d"):
        months = value / DAYS_PER_MONTH
    elif u.startswith("w"):
        months = value * 7 / DAYS_PER_MONTH
    elif u.startswith("y"):
        months = value * 12
    else:
        months = value
    return round(months, 2)


@per_document
def find_durations(text: str, start: int = 0, end: int | None = None) -> list[Duration]:
    """Durations in the range with censoring read from the words before them.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        The range.

    Returns
    -------
    list of Duration
        ``censored`` True after "ongoing", "beyond", "over", "remains ... at", "+"; False after
        progression words; None otherwise.
    """
    stop = len(text) if end is None else end
    out: list[Duration] = []
    for m in find_all(_DURATION, text, start, stop):
        value = _number(m.group(1))
        if value is None:
            continue
        unit = m.group(2)
        if unit.lower() in ("y", "d") and not m.group(1)[0].isdigit():
            continue
        s = m.start()
        e = m.end() - (1 if m.group(0).endswith(".") and not m.group(3) else 0)
        before = text[max(start, s - 60) : s]
        before = re.split(r"[.;]\s", before)[-1]
        censored: bool | None = None
        if m.group(3) or CENSORED.search(before):
            censored = True
        elif PROGRESSED.search(before):
            censored = False
        out.append(Duration(to_months(value, unit), s, e, censored))
    numbered = contains(text, _NUMBERED_PERIOD_NEED, start, stop)
    for m in _NUMBERED_PERIOD.finditer(text, start, stop) if numbered else ():
        value = _number(m.group(2))
        if value is not None and value >= 1:
            out.append(Duration(to_months(value, m.group(1)), m.start(), m.end()))
    out.sort(key=lambda d: d.start)
    return out


def parse_duration_cell(cell: str) -> Duration | None:
    """Duration and censoring from a table cell ("Ongoing after 36 months", "5.5 months", "SD for 4 months")."""
    found = find_durations(cell)
    if not found:
        return None
    d = found[0]
    censored = d.censored
    if censored is None:
        censored = True if CENSORED.search(cell) else None
    return Duration(d.months, d.start, d.end, censored)


@per_document
def find_dates(text: str, start: int = 0, end: int | None = None) -> list[MonthDate]:
    """Month-year dates ("March 2022", "Mar. 2022", "2022-03", "03/2022") in the range."""
    stop = len(text) if end is None else end
    out: list[MonthDate] = []
    if not contains(text, _DATE_NEED, start, stop):
        return out
    for m in _DATE.finditer(text, start, stop):
        if m.group(1):
            month = _MONTHS[m.group(1)[:3].lower()]
            year = int(m.group(2))
        elif m.group(3):
            year, month = int(m.group(3)), int(m.group(4))
        else:
            month, year = int(m.group(5)), int(m.group(6))
        out.append(MonthDate(year, month, m.start(), m.end()))
    return out
