"""Whether a text reports individual patients of its own, how many, and which clause is whose.

Used by the segmentation when no sentence introduces a patient by age, case heading or "Patient N"
label: "we describe a case of ...", "a young, non-smoking male", "two patients (X-ALK and
Y-ROS1)", "the first patient ... another patient", "one case with ..., one with ...". The cues are
data (``extraction/data/patient_cues.yaml``); cohorts, registries, trials and reviews give no
patient even when one of their sentences is about one patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from caseseries.errors import FormatError
from caseseries.extraction.annotate import contains, find_all, found, per_document
from caseseries.extraction.sentences import Span, trimmed
from caseseries.extraction.timeline import NUMBER_WORDS
from caseseries.vocab.trie import first_letters, starts_with_letters

_ORIGIN = "caseseries/extraction/data/patient_cues.yaml"
_PATTERN_LISTS = (
    "single",
    "series",
    "cohort",
    "mention",
    "shared_treatment",
    "all",
    "pooled",
    "list_items",
    "other_diagnosis_before",
    "other_diagnosis_after",
    "about_patient",
    "literature",
    "counted",
)
_KEYS = {"version", "max_series", "owners", *_PATTERN_LISTS}
_COUNT = r"(?P<n>\d{1,3}|[a-z]+(?:-[a-z]+)?)"
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


@dataclass(frozen=True)
class Cues:
    """The compiled cue lists of ``patient_cues.yaml``."""

    max_series: int
    single: list[re.Pattern[str]]
    series: list[re.Pattern[str]]
    cohort: list[re.Pattern[str]]
    mention: list[re.Pattern[str]]
    shared_treatment: list[re.Pattern[str]]
    owners: list[tuple[re.Pattern[str], str]]
    all: list[re.Pattern[str]]
    pooled: list[re.Pattern[str]]
    list_items: list[re.Pattern[str]]
    other_diagnosis_before: list[re.Pattern[str]]
    other_diagnosis_after: list[re.Pattern[str]]
    about_patient: list[re.Pattern[str]]
    literature: list[re.Pattern[str]]
    counted: list[re.Pattern[str]]
    unions: dict[str, list[re.Pattern[str]] | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one alternation per list: "does any of them occur in this sentence" is one search (two: the
        # patterns that start with a letter, which the engine skips to, and the others)
        object.__setattr__(self, "unions", {key: _unions(getattr(self, key)) for key in _PATTERN_LISTS})

    def any(self, key: str, text: str, start: int, end: int) -> bool:
        """Whether any pattern of the list ``key`` occurs in ``text[start:end]``."""
        unions = self.unions.get(key)
        if unions is None:
            return any(p.search(text, start, end) for p in getattr(self, key))
        return any(found(union, text, start, end) for union in unions)


def _unions(patterns: list[re.Pattern[str]]) -> list[re.Pattern[str]] | None:
    """The alternation of the patterns that start with a letter and that of the others (see :func:`_union`)."""
    lettered = [p for p in patterns if first_letters(p.pattern)]
    others = [p for p in patterns if not first_letters(p.pattern)]
    unions = [_union(group) for group in (lettered, others) if group]
    return None if any(u is None for u in unions) else [u for u in unions if u is not None]


def _union(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """The alternation of patterns of the same flags (their named groups unnamed), or None when there is none."""
    if not patterns or len({p.flags for p in patterns}) != 1 or any(_BACKREFERENCE.search(p.pattern) for p in patterns):
        return None
    body = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for p in patterns)
    try:
        return re.compile(f"{starts_with_letters(body)}(?:{body})", patterns[0].flags)
    except re.error:
        return None


_NAMED_GROUP = re.compile(r"(?<!\\)\(\?P<\w+>")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")  # numbered groups would shift in an alternation


def _compile(pattern: Any, where: str, origin: str) -> re.Pattern[str]:
    try:
        return re.compile(str(pattern).replace("{N}", _COUNT), re.I | re.M)
    except re.error as exc:
        raise FormatError(f"pattern does not compile: {exc}", source=origin, location=where) from exc


def parse_cues(text: str, origin: str = _ORIGIN) -> Cues:
    """Read and check a cue file.

    Parameters
    ----------
    text : str
        YAML with ``version``, ``max_series``, the pattern lists and ``owners``.
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    Cues
        The compiled lists.

    Raises
    ------
    FormatError
        Unknown keys, a pattern that does not compile, an owner that is not a number, ``next`` or
        ``last``.
    """
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) - _KEYS:
        extra = sorted(set(data) - _KEYS) if isinstance(data, dict) else []
        raise FormatError(f"unknown top-level keys {extra}; allowed keys: {', '.join(sorted(_KEYS))}", source=origin)
    lists = {
        key: [_compile(p, f"{key}[{i}]", origin) for i, p in enumerate(data.get(key) or [])] for key in _PATTERN_LISTS
    }
    owners = []
    for i, entry in enumerate(data.get("owners") or []):
        where = f"owners[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"pattern", "owner"}:
            raise FormatError("each entry has exactly: pattern, owner", source=origin, location=where)
        owner = str(entry["owner"])
        if not (owner.isdigit() or owner in ("next", "last", "number")):
            raise FormatError(
                f"owner {owner!r}; use a patient number, next, last or number", source=origin, location=where
            )
        pattern = _compile(entry["pattern"], where, origin)
        if owner == "number" and "n" not in pattern.groupindex:
            raise FormatError(
                "owner number takes the patient number from the group (?P<n>...), which the pattern lacks",
                source=origin,
                location=where,
            )
        owners.append((pattern, owner))
    max_series = data.get("max_series", 6)
    if not isinstance(max_series, int) or max_series < 2:
        raise FormatError("max_series must be a whole number of at least 2", source=origin, location="max_series")
    return Cues(max_series=max_series, owners=owners, **lists)


@cache
def cues() -> Cues:
    """The bundled cue lists."""
    return parse_cues(resources.files("caseseries.extraction").joinpath("data", "patient_cues.yaml").read_text("utf-8"))


def count_value(word: str) -> int | None:
    """A count written in digits or words ("4", "three", "twenty-two"), or None."""
    w = word.lower()
    if w.isdigit():
        return int(w)
    if w in NUMBER_WORDS:
        return int(NUMBER_WORDS[w])
    head, _, tail = w.partition("-")
    if head in _TENS and (not tail or tail in NUMBER_WORDS):
        return _TENS[head] + (int(NUMBER_WORDS[tail]) if tail else 0)
    return None


@dataclass(frozen=True)
class Report:
    """What a text reports: the number of its own patients and the sentence that says so."""

    patients: int
    cue: Span | None = None


def reported(text: str, body: list[Span], cue_set: Cues | None = None) -> Report:
    """How many individual patients of its own the text reports (0 for cohorts, reviews, trials).

    Parameters
    ----------
    text : str
        The document.
    body : list of Span
        Its readable sentences (not references or back matter), in order.
    cue_set : Cues or None
        The cue lists (default: the bundled ones).

    Returns
    -------
    Report
        ``patients`` 0 when the text is about a group or reports nobody; the series or single cue.
    """
    c = cue_set or cues()
    counts = _series_counts(text, body, c)
    ordinals = _ordinal_count(text, body, c)
    if counts:
        n, span = next(((n, s) for n, s in counts if not title_like(text, s)), counts[0])
        return Report(n if n <= c.max_series else 0, span)
    single = next((s for s in body if c.any("single", text, s.start, s.end)), None)
    if ordinals >= 2 and single is None:
        first = next(s for s in body if _owner_marks(text, s, c))
        return Report(ordinals if ordinals <= c.max_series else 0, first)
    if single is None or group_study(text, body, c):
        return Report(0)
    return Report(1, single)


def _series_counts(text: str, spans: list[Span], c: Cues) -> list[tuple[int, Span]]:
    """The counts of two or more own patients the ``series`` cues state, each with its sentence."""
    counts: list[tuple[int, Span]] = []
    for span in spans:
        if c.any("literature", text, span.start, span.end):
            continue  # "we review two previously reported cases" counts other people's patients
        for p in c.series:
            for m in find_all(p, text, span.start, span.end):
                n = count_value(m.group("n"))
                if n is not None and n >= 2:
                    counts.append((n, span))
    return counts


def stated_count(text: str, spans: list[Span], cue_set: Cues | None = None) -> int | None:
    """The number of its own patients the text says it reports in ``spans`` ("we report two adults ..."), or None.

    The first count of a ``series`` cue, else of a ``counted`` one ("two children with ... are
    described"), outside sentences about the literature.
    """
    c = cue_set or cues()
    counts = _series_counts(text, spans, c)
    if counts:
        return counts[0][0]
    counted = (n for s in spans if counts_reported(text, s.start, s.end, c) for n in _counted(text, s, c))
    return next((n for n in counted if n >= 2), None)


def _counted(text: str, span: Span, c: Cues) -> list[int]:
    """The counts the ``counted`` cues read in a sentence ("two children with ... are described": 2)."""
    values = (count_value(m.group("n")) for p in c.counted for m in find_all(p, text, span.start, span.end))
    return [n for n in values if n is not None]


def group_study(text: str, body: list[Span], cue_set: Cues | None = None) -> bool:
    """Whether the text is a study of a group (cohort, registry, trial, review), not a case report.

    It is when its group cues (outside sentences about the literature or the patient) are at least as many as its
    report cues and it does not call itself a case report: a group study that says "we describe a
    patient cohort" is still one; a case report that cites a trial in its background is not.
    """
    c = cue_set or cues()
    cohort = sum(
        1
        for s in body
        if c.any("cohort", text, s.start, s.end)
        and not c.any("about_patient", text, s.start, s.end)
        and not c.any("literature", text, s.start, s.end)
    )
    if cohort == 0:
        return False
    singles = sum(1 for s in body if c.any("single", text, s.start, s.end))
    label = any(re.search(r"\bcase\s+report(?!s)", text[s.start : s.end], re.I) for s in body)
    return cohort >= singles and not label


def title_like(text: str, span: Span) -> bool:
    """A whole line without sentence punctuation at its end (a title, not a sentence of the text)."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end < 0 else line_end
    whole = not text[line_start : span.start].strip() and not text[span.end : line_end].strip()
    return whole and text[span.end - 1] not in ".!?"


def _ordinal_count(text: str, body: list[Span], c: Cues) -> int:
    owners = [o for s in body for _, o in _owner_marks(text, s, c)]
    numbers = [int(o) for o in owners if o.isdigit()]
    nexts = sum(1 for o in owners if o == "next")
    return max(numbers, default=0) + (nexts if numbers else 0)


def _owner_marks(text: str, span: Span, c: Cues) -> list[tuple[int, str]]:
    marks = [
        (m.start(), m.group("n") if owner == "number" else owner)
        for p, owner in c.owners
        for m in find_all(p, text, span.start, span.end)
    ]
    return sorted(marks)


def named_owners(text: str, span: Span, cue_set: Cues | None = None) -> set[int]:
    """The numbers of the patients a sentence names by ordinal ("the first patient", "in the second")."""
    c = cue_set or cues()
    marks = [m for m in _owner_marks(text, span, c) if m[1] != "next"]
    if len(marks) < 2:
        return {int(o) for _, o in marks if o.isdigit()}
    return set(_owner_numbers(marks, 0, c.max_series)[0])


def counts_reported(text: str, start: int, end: int, cue_set: Cues | None = None) -> bool:
    """Whether ``text[start:end]`` counts reported patients with what they have.

    "Two children with ALK-rearranged IMT are described" does (``counted`` cues); a sentence that
    counts cited patients (a ``literature`` cue) does not.
    """
    c = cue_set or cues()
    if not contains(text, ("with",), start, end) or not c.any("counted", text, start, end):
        return False
    return not c.any("literature", text, start, end)


@per_document
def counts_told(text: str, span: Span, told: int, cue_set: Cues | None = None) -> bool:
    """Whether a sentence counts the ``told`` patients of the text.

    It does when it counts them with what they have (:func:`counts_reported`) or says it reports that
    many (a ``series`` cue: "here we describe two children with ...").
    """
    c = cue_set or cues()
    if not counts_reported(text, span.start, span.end, c):
        if not c.any("series", text, span.start, span.end):
            return False
        return any(n == told for n, _ in _series_counts(text, [span], c))
    return told in _counted(text, span, c)


def mentions_patient(text: str, span: Span, cue_set: Cues | None = None) -> bool:
    """Whether a sentence mentions a reported patient ("the patient", "a case of", "a young male")."""
    c = cue_set or cues()
    return c.any("mention", text, span.start, span.end)


def treats_all(text: str, span: Span, cue_set: Cues | None = None) -> bool:
    """Whether a sentence says what every patient it counts received."""
    c = cue_set or cues()
    return c.any("shared_treatment", text, span.start, span.end)


_CLAUSE_START = re.compile(r"[,;:.()\[\]]")


def own_diagnosis(text: str, start: int, end: int, floor: int = 0, cue_set: Cues | None = None) -> bool:
    """Whether the disease named at ``text[start:end]`` is the patient's own tumour.

    It is not when its clause calls it a differential diagnosis, a misdiagnosis, an example or a
    comparison ("mimicking a ...", "such as ...", "... was suspected").
    """
    c = cue_set or cues()
    window = text[max(floor, start - 80) : start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(window)), default=0)
    clause_start = max(floor, start - 80) + cut
    if c.any("other_diagnosis_before", text, clause_start, start):
        return False
    return not any(p.match(text, end, min(len(text), end + 40)) for p in c.other_diagnosis_after)


# ------------------------------------------------------------------------------------ several patients
_CLAUSE_SEP = re.compile(r",?\s+(?:and|whereas|while|but)\s+|;\s*|,\s+")
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


@dataclass
class Split:
    """Each patient's spans: the shared ones and the clauses about that patient, in text order."""

    own: dict[int, list[Span]]
    shared_before: list[Span]
    cut: dict[int, list[tuple[Span, Span]]] = field(default_factory=dict)


def _top_level_separators(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Clause separators outside brackets."""
    depth = 0
    out = []
    pos = start
    while pos < end:
        ch = text[pos]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _CLAUSE_SEP.match(text, pos, end)
            if m and m.end() > m.start():
                out.append(m)
                pos = m.end()
                continue
        pos += 1
    return out


def _items(text: str, start: int, end: int, n: int) -> list[Span] | None:
    """``n`` list items of ``text[start:end]`` split at its last ``n - 1`` clause separators."""
    seps = _top_level_separators(text, start, end)
    if len(seps) < n - 1:
        return None
    cut = seps[len(seps) - (n - 1) :]
    bounds = [start, *(x for m in cut for x in (m.start(), m.end())), end]
    out = [trimmed(text, bounds[2 * k], bounds[2 * k + 1]) for k in range(n)]
    return out if all(s.end > s.start for s in out) else None


def _respectively_items(text: str, sent: Span, stop: int, n: int) -> list[Span] | None:
    """The ``n`` items of "A (…) and B (…), respectively": cut at the last separators before the word."""
    seps = [m for m in _top_level_separators(text, sent.start, stop) if m.end() < stop]
    ands = [m for m in seps if re.search(r"\band\b", m.group(0))]
    if not ands:
        return None
    cut = [*[m for m in seps if m.start() < ands[-1].start()][-(n - 2) :], ands[-1]] if n > 2 else [ands[-1]]
    if len(cut) != n - 1:
        return None
    bounds = [sent.start, *(x for m in cut for x in (m.start(), m.end())), sent.end]
    out = [trimmed(text, bounds[2 * k], bounds[2 * k + 1]) for k in range(n)]
    return out if all(s.end > s.start for s in out) else None


def _parenthesised_items(text: str, span: Span, n: int) -> list[Span] | None:
    """A bracketed list of exactly ``n`` items in the sentence: "two patients (A and B)"."""
    for m in re.finditer(r"\(([^()]{3,200})\)", text[span.start : span.end]):
        s, e = span.start + m.start(1), span.start + m.end(1)
        seps = _top_level_separators(text, s, e)
        if len(seps) == n - 1:
            items = _items(text, s, e, n)
            if items:
                return items
    return None


def split_patients(text: str, narrative: list[Span], n: int, count_span: Span | None) -> Split:
    """Share out the sentences of a text about ``n`` unnumbered patients.

    A clause naming a patient ("the first patient", "another patient", "the third patient") and
    the sentences after it belong to that patient until another one is named; a sentence with two
    such names is cut between them; "respectively" sentences and "one case with ..., one with ..."
    lists are cut into ``n`` items, one per patient in order; a bracketed list of ``n`` items in
    the sentence that counts the patients ("two patients (A and B)") gives one item to each;
    "both/all patients" sentences and the sentences before any patient is named go to every
    patient.

    Parameters
    ----------
    text : str
        The document.
    narrative : list of Span
        The narrative sentences, in order.
    n : int
        The number of patients.
    count_span : Span or None
        The sentence that counts them.

    Returns
    -------
    Split
        ``own[k]`` the spans of patient k (1-based) after the first named clause, including the
        shared sentences there; ``shared_before`` the sentences before any patient is named;
        ``cut[k]`` the sentences cut into pieces with patient k's piece of each (a test named
        once for the findings of several patients: "NGS revealed A in the first patient and B in
        another").
    """
    c = cues()
    own: dict[int, list[Span]] = {k: [] for k in range(1, n + 1)}
    cut: dict[int, list[tuple[Span, Span]]] = {k: [] for k in range(1, n + 1)}
    before: list[Span] = []
    current: int | None = None
    last = 0
    for sent in narrative:
        pieces = _pieces(text, sent, n, c, sent == count_span)
        if pieces is not None:
            for k, piece in enumerate(pieces, start=1):
                own[k].append(piece)
                cut[k].append((sent, piece))
            if sent == count_span:  # the rest of the counting sentence is about all of them
                rest = [trimmed(text, sent.start, pieces[0].start), trimmed(text, pieces[-1].end, sent.end)]
                for k in own:
                    own[k].extend(r for r in rest if r.end - r.start > 2)
                    own[k].sort(key=lambda sp: sp.start)
            continue
        marks = _owner_marks(text, sent, c)
        if not marks:
            if current is None or c.any("all", text, sent.start, sent.end):
                targets = list(own) if current is not None else []
                if current is None:
                    before.append(sent)
                for k in targets:
                    own[k].append(sent)
            else:
                own[current].append(sent)
            continue
        owners, last = _owner_numbers(marks, last, n)
        if len(set(owners)) == 1:
            own[owners[0]].append(sent)
        else:
            for span, k in _cut_at_marks(text, sent, marks, owners):
                own[k].append(span)
                cut[k].append((sent, span))
        current = owners[-1]
    return Split(own, before, cut)


def _owner_numbers(marks: list[tuple[int, str]], last: int, n: int) -> tuple[list[int], int]:
    """The patient number (1 to ``n``) of each owner mark, after patient ``last``; and the last one named.

    "The latter" after another mark of the same sentence ("positive in the former and negative in
    the latter") names the patient after that mark's; alone, the last one named before.
    """
    owners: list[int] = []
    for _, o in marks:
        if o == "last" and owners:
            k = owners[-1] + 1
        else:
            k = int(o) if o.isdigit() else (last + 1 if o == "next" else max(last, 1))
        owners.append(min(max(k, 1), n))
        last = max(last, owners[-1])
    return owners, last


def own_piece(text: str, sent: Span, number: int, told: int, cue_set: Cues | None = None) -> Span | None:
    """Patient ``number``'s piece of a sentence that names several of the ``told`` patients by ordinal.

    "ALK staining was positive in the first patient and negative in the second" is cut where
    :func:`split_patients` cuts it; None when the sentence names fewer than two patients or not
    this one.
    """
    c = cue_set or cues()
    marks = _owner_marks(text, sent, c)
    owners, _ = _owner_numbers(marks, 0, told)
    if len(set(owners)) < 2:
        return None
    return next((span for span, k in _cut_at_marks(text, sent, marks, owners) if k == number), None)


def _pieces(text: str, sent: Span, n: int, c: Cues, is_count: bool) -> list[Span] | None:
    """One piece per patient for a respectively sentence, a one-with list, or the count's brackets."""
    resp = _RESPECTIVELY.search(text, sent.start, sent.end)
    if resp:
        return _respectively_items(text, sent, resp.start(), n)
    items = [m for p in c.list_items for m in find_all(p, text, sent.start, sent.end)]
    if len(items) >= 2:
        starts = sorted(m.start() for m in items)[:n]
        if len(starts) == n:
            bounds = [*starts, sent.end]
            return [_strip_joiner(text, bounds[k], bounds[k + 1]) for k in range(n)]
    if is_count:
        return _parenthesised_items(text, sent, n)
    return None


_JOINER = re.compile(r"(?:[\s,;]|\band\b)+$")


def _strip_joiner(text: str, start: int, end: int) -> Span:
    """A list item without the comma or "and" that joins it to the next."""
    m = _JOINER.search(text, start, end)
    return trimmed(text, start, m.start() if m and m.start() > start else end)


def _cut_at_marks(text: str, sent: Span, marks: list[tuple[int, str]], owners: list[int]) -> list[tuple[Span, int]]:
    """Cut a sentence naming several patients at the clause separator before each later name."""
    seps = _top_level_separators(text, sent.start, sent.end)
    out: list[tuple[Span, int]] = []
    start = sent.start
    for i in range(1, len(marks)):
        if owners[i] == owners[i - 1]:
            continue
        cut = [m for m in seps if start < m.start() < marks[i][0]]
        if not cut:
            continue
        out.append((trimmed(text, start, cut[-1].start()), owners[i - 1]))
        start = cut[-1].end()
    out.append((trimmed(text, start, sent.end), owners[-1]))
    return out
