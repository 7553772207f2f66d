"""What the screening pages show: the queue in ranked order, highlighted texts, cached per protocol.

The records of a protocol (:func:`~caseseries.screening.protocol_records`), the rules'
suggestions and the ranking are kept in memory per protocol and recomputed when the stored
records change (:func:`~caseseries.store.web_queries.records_fingerprint`); the ranking also
every :data:`RERANK_EVERY` reviewed decisions. The ranking takes the rules' scores that
``caseseries screen`` stored where they still stand, applying the rules only to the other records.
Decisions are always read from the store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

from markupsafe import Markup, escape

from caseseries.screening import DecisionLog, Effective, Protocol, RecordSet, Role, Stage, Status, protocol_records
from caseseries.screening.decisions import DecisionEntry
from caseseries.screening.protocol import Decision, TextField
from caseseries.screening.ranking import Ranker
from caseseries.screening.records import protocol_extractor
from caseseries.screening.rules import ScreeningRecord, Span, Suggestion, rules_fingerprint, suggest
from caseseries.store import Store
from caseseries.store.web_queries import records_fingerprint

RERANK_EVERY = 20
PAGE_SIZE = 20
_SNIPPET = 90


class Show(StrEnum):
    """Which records of the queue a reviewer sees."""

    TODO = "todo"
    DECIDED = "decided"
    ALL = "all"


@dataclass
class _ProtocolCache:
    fingerprint: tuple[int, str, int, int]
    records: RecordSet
    suggestions: dict[tuple[Stage, str], Suggestion] = field(default_factory=dict)
    order: dict[Stage, tuple[int, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class QueueItem:
    """One record of a reviewer's queue page."""

    key: str
    record: ScreeningRecord
    suggestion: Suggestion
    effective: Effective | None
    mine: DecisionEntry | None

    @property
    def awaiting_human(self) -> bool:
        """Only the rules decided so far."""
        return self.effective is None or self.effective.status in (Status.SUGGESTED, Status.UNDECIDED)

    @property
    def rule_entry(self) -> DecisionEntry | None:
        """The stored rule decision, if the rules were run on the record."""
        if self.effective is None:
            return None
        return next((e for e in self.effective.entries if e.role is Role.RULE), None)


@dataclass(frozen=True)
class QueuePage:
    """A page of a reviewer's queue."""

    items: list[QueueItem]
    total: int
    page: int
    pages: int
    method: str


class ScreeningViews:
    """Per-protocol caches of records, suggestions and ranking for one app."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._caches: dict[str, _ProtocolCache] = {}

    def _cache(self, protocol: Protocol) -> _ProtocolCache:
        fingerprint = records_fingerprint(self.store)
        with self._lock:
            cached = self._caches.get(protocol.name)
            if cached is None or cached.fingerprint != fingerprint:
                cached = _ProtocolCache(fingerprint, protocol_records(self.store, protocol))
                self._caches[protocol.name] = cached
            return cached

    def records(self, protocol: Protocol) -> RecordSet:
        """The protocol's records (see :func:`~caseseries.screening.protocol_records`)."""
        return self._cache(protocol).records

    def suggestion(self, protocol: Protocol, stage: Stage, key: str) -> Suggestion:
        """The rules' suggestion for one record (computed once per stored version of the records)."""
        return _suggestion(self._cache(protocol), protocol, stage, key)

    def eligible(self, protocol: Protocol, stage: Stage, log: DecisionLog) -> list[str]:
        """Keys screened at ``stage``: all records; at full text those included or maybe at title-abstract."""
        keys = list(self.records(protocol).records)
        if stage is Stage.FULL_TEXT:
            ta = log.effective(Stage.TITLE_ABSTRACT)
            keys = [k for k in keys if k in ta and ta[k].decision in (Decision.INCLUDE, Decision.MAYBE)]
        return keys

    def ordered(self, protocol: Protocol, stage: Stage, log: DecisionLog, effective: dict[str, Effective]) -> list[str]:
        """The eligible keys, most likely include first (the screening ranker)."""
        cache = self._cache(protocol)
        eligible = self.eligible(protocol, stage, log)
        reviewed = {k: e for k, e in effective.items() if e.reviewed and e.decision is not None}
        version = len(reviewed) // RERANK_EVERY
        cached = cache.order.get(stage)
        if cached is not None and cached[0] == version and set(cached[1]) == set(eligible):
            return cached[1]
        records = cache.records.records
        labelled = {k: (records[k], e.decision) for k, e in reviewed.items() if k in records and e.decision}
        scores = self._stored_scores(protocol, stage, log, cache)  # what 'caseseries screen' stored and stands
        scores.update((k, _suggestion(cache, protocol, stage, k).score) for k in eligible if k not in scores)
        ranking = Ranker().rank([records[k] for k in eligible], labelled, scores)
        order = ranking.keys()
        cache.order[stage] = (version, order)
        return order

    @staticmethod
    def _stored_scores(protocol: Protocol, stage: Stage, log: DecisionLog, cache: _ProtocolCache) -> dict[str, float]:
        """The rules' scores stored with their suggestions that still stand (no rule applied to get them)."""
        fingerprint = rules_fingerprint(protocol, stage, protocol_extractor(protocol))
        found_in = {k: r.searches for k, r in cache.records.records.items()}
        standing = log.standing(stage, fingerprint, found_in)
        return {k: row[3] for k, row in standing.items() if k in found_in and row[3] is not None}

    def queue(
        self, protocol: Protocol, stage: Stage, reviewer: str, *, show: Show = Show.TODO, page: int = 1
    ) -> QueuePage:
        """One page of a reviewer's queue.

        ``todo``: records the reviewer has not decided (or marked maybe) and nobody resolved;
        ``decided``: the reviewer's decided records; ``all``: every eligible record.
        """
        log = DecisionLog(self.store, protocol.name)
        effective = log.effective(stage)
        keys = self.ordered(protocol, stage, log, effective)

        def mine(key: str) -> DecisionEntry | None:
            e = effective.get(key)
            if e is None:
                return None
            return next((x for x in e.entries if x.role is Role.REVIEWER and x.actor == reviewer), None)

        if show is Show.TODO:
            keys = [
                k
                for k in keys
                if (effective.get(k) is None or effective[k].status is not Status.RESOLVED)
                and ((m := mine(k)) is None or m.decision is Decision.MAYBE)
            ]
        elif show is Show.DECIDED:
            keys = [k for k in keys if mine(k) is not None]
        pages = max(1, -(-len(keys) // PAGE_SIZE))
        page = min(max(1, page), pages)
        chosen = keys[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        cache = self._cache(protocol)
        records = cache.records.records
        items = [
            QueueItem(k, records[k], _suggestion(cache, protocol, stage, k), effective.get(k), mine(k))
            for k in chosen
        ]
        return QueuePage(items, len(keys), page, pages, "ranked")


def _suggestion(cache: _ProtocolCache, protocol: Protocol, stage: Stage, key: str) -> Suggestion:
    found = cache.suggestions.get((stage, key))
    if found is None:
        found = suggest(protocol, cache.records.records[key], stage)
        cache.suggestions[(stage, key)] = found
    return found


def _merged(spans: list[Span], fld: TextField, length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s in sorted((s for s in spans if s.field is fld and 0 <= s.start < s.end <= length), key=lambda s: s.start):
        if out and s.start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], s.end))
        else:
            out.append((s.start, s.end))
    return out


def highlight(text: str, spans: list[Span], fld: TextField) -> Markup:
    """``text`` escaped for HTML, with the spans of ``fld`` (merged where they overlap) in ``<mark>``."""
    out: list[str] = []
    at = 0
    for start, end in _merged(spans, fld, len(text)):
        out.append(str(escape(text[at:start])))
        out.append(f'<mark class="hit">{escape(text[start:end])}</mark>')
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


def snippets(record: ScreeningRecord, spans: list[Span], limit: int = 8) -> list[Markup]:
    """Pieces of the full text around its first hits, the hits marked."""
    text = record.text(TextField.FULL_TEXT)
    out = []
    for start, end in _merged(spans, TextField.FULL_TEXT, len(text))[:limit]:
        lo, hi = max(0, start - _SNIPPET), min(len(text), end + _SNIPPET)
        piece = [Span(TextField.FULL_TEXT, start - lo, end - lo, text[start:end])]
        out.append(highlight(text[lo:hi].replace("\n", " "), piece, TextField.FULL_TEXT))
    return out
