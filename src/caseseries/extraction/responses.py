"""Response categories in text: RECIST words and abbreviations, failure, vague praise, and their context.

A category is reported only when the text gives one. The phrases are data: the category names and
synonyms of ``vocab/data/responses.yaml`` and the phrases of ``extraction/data/response_phrases.yaml``
(abbreviations such as ``CR2``, failure wording such as "proved ineffective" → PD, vague praise
such as "dramatic response" or a "remission" without "complete", kept as written with no
category). Their context comes from one pass of the context engine (``extraction/context.py``)
over the cue rules of ``context_rules.json``: negated or hypothetical categories ("failed to
achieve a partial response") are not that category, hedged ones ("possible partial response")
are vague, and a category of one compartment ("complete response of the bone marrow") gives way
to the category of the whole disease written with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

from caseseries.errors import FormatError
from caseseries.extraction.annotate import finditer, per_document
from caseseries.extraction.context import Category, Mention, default_engine
from caseseries.extraction.entities import flexible
from caseseries.model.enums import Response
from caseseries.vocab import responses
from caseseries.vocab.trie import starts_with_letters

#: Best first: the order of best response (RECIST: a definite progression is better known than "not evaluable").
RANKING: tuple[Response, ...] = (Response.CR, Response.PR, Response.SD, Response.PD, Response.NE)
_RANK = {category: i for i, category in enumerate(RANKING)}


def rank(category: Response) -> int:
    """The place of a category in :data:`RANKING` (0 = CR, the best)."""
    return _RANK[category]


PHRASE_KINDS = ("RESPONSE", "PROGRESSION", "RESPONSE_CODE", "FAILURE", "VAGUE")
_ORIGIN = "caseseries/extraction/data/response_phrases.yaml"


@dataclass(frozen=True)
class ResponseHit:
    """A response statement: ``category`` None for vague words; ``as_written`` the phrase.

    ``modifiers`` are the context categories that qualified it (negated, hedged, compartment ...).
    """

    category: Response | None
    as_written: str
    start: int
    end: int
    negated: bool = False
    modifiers: frozenset[Category] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Phrase:
    kind: str
    category: Response | None
    body: str  # the regular expression without its word boundaries
    regex: re.Pattern[str]


def parse_phrases(text: str, origin: str = _ORIGIN) -> list[tuple[str, Response | None, str]]:
    """Read and check a response phrase file.

    Parameters
    ----------
    text : str
        YAML with ``version`` and ``phrases`` (entries ``{kind, category, pattern}``).
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    list of tuple
        ``(kind, category, pattern)`` in file order.

    Raises
    ------
    FormatError
        Unknown keys, kinds or categories, or a pattern that does not compile.
    """
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) - {"version", "phrases"}:
        extra = sorted(set(data) - {"version", "phrases"}) if isinstance(data, dict) else []
        raise FormatError(f"unknown top-level keys {extra}; allowed keys: phrases, version", source=origin)
    out: list[tuple[str, Response | None, str]] = []
    codes = ", ".join(c.value for c in Response)
    for i, entry in enumerate(data.get("phrases") or []):
        where = f"phrases[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"kind", "category", "pattern"}:
            keys = sorted(entry) if isinstance(entry, dict) else []
            raise FormatError(
                f"entry keys {keys}; each entry has exactly: category, kind, pattern", source=origin, location=where
            )
        kind, category, pattern = str(entry["kind"]), entry["category"], str(entry["pattern"])
        if kind not in PHRASE_KINDS:
            raise FormatError(
                f"unknown kind {kind!r}; allowed: {', '.join(PHRASE_KINDS)}", source=origin, location=where
            )
        if (category is None) != (kind == "VAGUE") or (category is not None and category not in codes.split(", ")):
            allowed = "null (VAGUE only)" if kind == "VAGUE" else codes
            raise FormatError(
                f"category {category!r} for kind {kind}; allowed: {allowed}", source=origin, location=where
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FormatError(f"pattern does not compile: {exc}", source=origin, location=where) from exc
        out.append((kind, None if category is None else Response(category), pattern))
    return out


def _body(kind: str, pattern: str) -> str:
    return pattern if kind == "RESPONSE_CODE" else pattern.replace(" ", r"[\s\-]+")


def _bounded(kind: str, body: str) -> re.Pattern[str]:
    if kind == "RESPONSE_CODE":
        # whole words: not part of a longer name ("PD-1", "PD-L1", "CR-2 receptor")
        return re.compile(rf"(?<![A-Za-z0-9]){starts_with_letters(body)}(?:{body})(?![A-Za-z0-9]|-[A-Za-z0-9])")
    # phrases start with a letter: only word starts are tried (not the end of every word)
    return re.compile(rf"\b(?=\w){starts_with_letters(body)}(?:{body})\b", re.I)


@cache
def _phrases() -> tuple[_Phrase, ...]:
    text = resources.files("caseseries.extraction").joinpath("data", "response_phrases.yaml").read_text("utf-8")
    phrases = [
        _Phrase(kind, category, _body(kind, pattern), _bounded(kind, _body(kind, pattern)))
        for kind, category, pattern in parse_phrases(text)
    ]
    for term in responses().entries:
        for name in (term.label, *term.synonyms):
            if name.isupper() and len(name) <= 3:
                continue  # abbreviations are RESPONSE_CODE phrases
            kind = "PROGRESSION" if term.code is Response.PD else "RESPONSE"
            phrases.append(_Phrase(kind, term.code, flexible(name), _bounded(kind, flexible(name))))
    return tuple(phrases)


@cache
def _word_regex() -> tuple[re.Pattern[str], tuple[_Phrase, ...]]:
    """One alternation of every RESPONSE and PROGRESSION phrase, longest first, a group per phrase."""
    words = [p for p in _phrases() if p.kind in ("RESPONSE", "PROGRESSION")]
    words.sort(key=lambda p: len(p.body), reverse=True)
    alts = "|".join(f"(?P<w{i}>{p.body})" for i, p in enumerate(words))
    return _bounded("RESPONSE", alts), tuple(words)


@cache
def _kind_regexes() -> dict[str, re.Pattern[str]]:
    return {
        kind: _bounded(kind, "|".join(f"(?:{p.body})" for p in _phrases() if p.kind == kind))
        for kind in ("RESPONSE_CODE", "FAILURE", "VAGUE")
    }


def category_of(phrase: str) -> Response | None:
    """The category a phrase names exactly (``partial response``, ``PR``, ``no evidence of disease``, ``CR2``)."""
    key = phrase.strip()
    for p in _phrases():
        if p.category is not None and p.kind != "FAILURE" and p.regex.fullmatch(key):
            return p.category
    term = responses().lookup(re.sub(r"[\s\-]+", " ", key).lower()) or responses().lookup(key)
    return term.code if term else None


def _targets(text: str, start: int, stop: int, abbreviations: bool) -> list[Mention]:
    """Response phrases of the range as context targets (value: the category code or None)."""
    found: list[Mention] = []
    regex, words = _word_regex()
    for m in finditer(regex, text, start, stop):
        p = words[int(str(m.lastgroup)[1:])]
        found.append(Mention(p.kind, m.start(), m.end(), p.category.value if p.category else None))

    def inside(a: int) -> bool:
        return any(t.start <= a < t.end for t in found)

    if abbreviations:
        codes = [p for p in _phrases() if p.kind == "RESPONSE_CODE"]
        for m in finditer(_kind_regexes()["RESPONSE_CODE"], text, start, stop):
            if inside(m.start()):
                continue
            code = next(p.category for p in codes if p.regex.fullmatch(m.group(0)))
            found.append(Mention("RESPONSE_CODE", m.start(), m.end(), code.value if code else None))
    for m in finditer(_kind_regexes()["FAILURE"], text, start, stop):
        if not inside(m.start()):
            found.append(Mention("FAILURE", m.start(), m.end(), Response.PD.value))
    for m in finditer(_kind_regexes()["VAGUE"], text, start, stop):
        if not any(t.start <= m.start() < t.end or m.start() <= t.start < m.end() for t in found):
            found.append(Mention("VAGUE", m.start(), m.end(), None))
    found.sort(key=lambda t: t.start)
    return found


@per_document
def find_responses(
    text: str, start: int = 0, end: int | None = None, *, abbreviations: bool = True
) -> list[ResponseHit]:
    """Every response statement in the range, in order.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        The range (a sentence, a clause or a table cell).
    abbreviations : bool
        Whether bare CR/PR/SD/PD/NE count (always in tables; in prose only as whole words).

    Returns
    -------
    list of ResponseHit
        Categories (negated ones flagged and without category; hedged ones without category,
        written from the hedge; a compartment's category without category when the range also
        gives one of the whole disease), vague phrases (no category) and "did not respond"-style
        statements (PD). Hypothetical categories ("in order to achieve a complete response") are
        left out.
    """
    stop = len(text) if end is None else end
    hits: list[ResponseHit] = []
    for t in default_engine().annotate(text, _targets(text, start, stop, abbreviations), start, stop):
        phrase = text[t.start : t.end]
        category = Response(t.value) if t.value else None
        if t.has(Category.NEGATED_EXISTENCE):
            hits.append(ResponseHit(None, phrase, t.start, t.end, negated=True, modifiers=t.modifiers))
        elif t.has(Category.HYPOTHETICAL):
            continue
        elif t.has(Category.POSSIBLE_EXISTENCE):
            hedge = min(c.start for c in t.cues if c.category is Category.POSSIBLE_EXISTENCE)
            hits.append(ResponseHit(None, text[hedge : t.end], hedge, t.end, modifiers=t.modifiers))
        else:
            hits.append(ResponseHit(category, phrase, t.start, t.end, modifiers=t.modifiers))
    whole = any(h.category is not None and Category.COMPARTMENT not in h.modifiers for h in hits)
    if whole:
        hits = [
            ResponseHit(None, h.as_written, h.start, h.end, modifiers=h.modifiers)
            if h.category is not None and Category.COMPARTMENT in h.modifiers
            else h
            for h in hits
        ]
    return hits


def best_of(hits: list[ResponseHit]) -> ResponseHit | None:
    """The best category among hits (in :data:`RANKING` order), or None when none has a category."""
    categorised = [h for h in hits if h.category is not None]
    if not categorised:
        return None
    return min(categorised, key=lambda h: (rank(h.category) if h.category else 9, h.start))


def vague_of(hits: list[ResponseHit]) -> ResponseHit | None:
    """The first vague (uncategorised, not negated, not a compartment's) response phrase."""
    return next(
        (h for h in hits if h.category is None and not h.negated and Category.COMPARTMENT not in h.modifiers), None
    )
