"""Screening decisions: recorded in transactions of one or many decisions, with an append-only audit log.

Each record has, per protocol and stage, at most one current decision per decider: the rules
(``role=rule``, actor ``rules``), each reviewer (``role=reviewer``) and a resolution of a
disagreement (``role=resolution``). The *effective* decision is the latest resolution, else the
reviewers' common decision, else the rules' suggestion; reviewers who disagree make a conflict.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from caseseries.errors import InputError
from caseseries.screening.protocol import Decision, Protocol, Stage
from caseseries.screening.rules import RulesFingerprint
from caseseries.store import Store
from caseseries.store.decisions import DecisionWrite, StandingDecision, StoredAudit, StoredDecision

RULES_ACTOR = "rules"
_E = TypeVar("_E", bound=StrEnum)


class Role(StrEnum):
    """Who made a decision."""

    RULE = "rule"
    REVIEWER = "reviewer"
    RESOLUTION = "resolution"


class Status(StrEnum):
    """Where a record stands at a stage."""

    RESOLVED = "resolved"
    REVIEWED = "reviewed"
    CONFLICT = "conflict"
    SUGGESTED = "suggested"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class DecisionEntry:
    """One current decision of one decider."""

    key: str
    protocol: str
    stage: Stage
    decision: Decision
    role: Role
    actor: str
    rule_id: str | None
    reason: str | None
    decided_at: datetime

    @property
    def by(self) -> str:
        """The rule id (for rules) or the reviewer's name."""
        return (self.rule_id or RULES_ACTOR) if self.role is Role.RULE else self.actor


@dataclass(frozen=True)
class AuditEntry:
    """One change of a decision."""

    key: str
    protocol: str
    stage: Stage
    role: Role
    actor: str
    rule_id: str | None
    old_decision: Decision | None
    new_decision: Decision
    reason: str | None
    via: str
    changed_at: datetime


@dataclass(frozen=True)
class Effective:
    """The decision that counts for a record at a stage, and how it came about."""

    key: str
    stage: Stage
    status: Status
    decision: Decision | None
    reason: str | None
    entries: tuple[DecisionEntry, ...] = ()

    @property
    def reviewed(self) -> bool:
        """Whether a person decided (a reviewer or a resolution)."""
        return self.status in (Status.RESOLVED, Status.REVIEWED)


@dataclass(frozen=True)
class NewDecision:
    """A decision to record (see :meth:`DecisionLog.record_many`).

    A rule decision also carries the fingerprint of the rules it came from, the record's
    version (``updated_at``) it was made from and the rules' score.
    """

    key: str
    stage: Stage
    decision: Decision
    role: Role
    actor: str
    rule_id: str | None = None
    reason: str | None = None
    fingerprint: str | None = None
    record_version: datetime | None = None
    score: float | None = None


def _entry(row: StoredDecision) -> DecisionEntry:
    return DecisionEntry(
        row.key,
        row.protocol,
        Stage(row.stage),
        Decision(row.decision),
        Role(row.role),
        row.actor,
        row.rule_id,
        row.reason,
        row.decided_at,
    )


def _audit_entry(r: StoredAudit) -> AuditEntry:
    return AuditEntry(
        r.key,
        r.protocol,
        Stage(r.stage),
        Role(r.role),
        r.actor,
        r.rule_id,
        Decision(r.old_decision) if r.old_decision else None,
        Decision(r.new_decision),
        r.reason,
        r.via,
        r.changed_at,
    )


def _write(item: NewDecision) -> DecisionWrite:
    _check_actor(item.role, item.actor)
    return DecisionWrite(
        item.key,
        item.stage.value,
        item.decision.value,
        item.role.value,
        item.actor,
        item.rule_id,
        item.reason,
        item.fingerprint,
        item.record_version,
        item.score,
    )


class DecisionLog:
    """Read and write the screening decisions of one protocol.

    Parameters
    ----------
    store : Store
        The case store (migrated to include the screening tables).
    protocol : str
        The protocol name decisions are filed under.
    """

    def __init__(self, store: Store, protocol: str):
        self.store = store
        self.protocol = protocol

    # ------------------------------------------------------------------ writing
    def record(
        self,
        key: str,
        stage: Stage,
        decision: Decision,
        *,
        role: Role,
        actor: str,
        rule_id: str | None = None,
        reason: str | None = None,
        via: str = "review",
    ) -> bool:
        """Record one decision in its own transaction (committed on return).

        Parameters
        ----------
        key : str
            Publication key (``pmid:123``).
        stage, decision : Stage, Decision
            What was decided at which stage.
        role, actor : Role, str
            Who decided: ``Role.RULE`` with actor ``rules``, or a reviewer's name.
        rule_id, reason : str or None
            The deciding rule and the reason.
        via : str
            How the decision arrived (``rules``, ``review``, ``csv``), kept in the audit log.

        Returns
        -------
        bool
            True if the decision changed (and an audit entry was written).
        """
        item = NewDecision(key, stage, decision, role, actor, rule_id, reason)
        return self.record_many([item], via=via) == 1

    def record_many(self, items: Iterable[NewDecision], *, via: str, batch: int = 1000) -> int:
        """Record several decisions in one transaction (all or none); return how many changed.

        The stored decisions are read with one query per ``batch`` items and the changes are
        written together, so screening a large queue costs a few statements per thousand records.
        """
        todo = [_write(item) for item in items]
        return self.store.decisions.write({self.protocol: todo}, via=via, batch=batch)[self.protocol]

    # ------------------------------------------------------------------ reading
    def entries(self, stage: Stage | None = None) -> list[DecisionEntry]:
        """Every current decision of the protocol (optionally of one stage), oldest first."""
        return [_entry(r) for r in self.store.decisions.current(self.protocol, stage.value if stage else None)]

    def audit(self, key: str | None = None) -> list[AuditEntry]:
        """The audit log of the protocol (optionally of one record), in order of change."""
        return [_audit_entry(r) for r in self.store.decisions.audit(self.protocol, key)]

    def effective(self, stage: Stage) -> dict[str, Effective]:
        """The effective decision of every record that has any decision at ``stage``."""
        grouped: dict[str, list[DecisionEntry]] = defaultdict(list)
        for e in self.entries(stage):
            grouped[e.key].append(e)
        return {key: effective_of(key, stage, entries) for key, entries in grouped.items()}

    def standing(
        self, stage: Stage, fingerprint: RulesFingerprint, found_in: Mapping[str, Iterable[str]]
    ) -> dict[str, StandingDecision]:
        """The rules' stored suggestions at ``stage`` that still hold, by key (one query, no record read).

        A suggestion holds when its record was not updated since and it was made with the rules'
        ``fingerprint`` for that record (``found_in``: key -> the searches that found it). Each is a
        row ``(key, fingerprint, decision, score)``: a large protocol has 100,000 of them, read
        before the first record of a review is shown, so they are not made into objects.
        """
        if not fingerprint.searches:
            return self.store.decisions.standing(self.protocol, stage.value, Role.RULE.value, [fingerprint.value])
        values = {fingerprint.of(s) for s in found_in.values()}
        rows = self.store.decisions.standing(self.protocol, stage.value, Role.RULE.value, values)
        return {k: r for k, r in rows.items() if k in found_in and r[1] == fingerprint.of(found_in[k])}

    def people(self, stage: Stage) -> dict[str, Effective]:
        """The effective decision of every record a person decided at ``stage`` (the rules' decisions left out)."""
        grouped: dict[str, list[DecisionEntry]] = defaultdict(list)
        for row in self.store.decisions.current(self.protocol, stage.value, except_role=Role.RULE.value):
            grouped[row.key].append(_entry(row))
        return {key: effective_of(key, stage, entries) for key, entries in grouped.items()}

    def passed_title_abstract(self) -> set[str]:
        """Keys whose effective title-abstract decision is include or maybe (those screened at full text)."""
        stage = Stage.TITLE_ABSTRACT
        people = self.people(stage)
        rules = self.store.decisions.decisions_by(self.protocol, stage.value, Role.RULE.value)
        decided: dict[str, Decision | None] = {k: Decision(d) for k, d in rules.items() if k not in people}
        decided.update((k, e.decision) for k, e in people.items())
        return {k for k, d in decided.items() if d in (Decision.INCLUDE, Decision.MAYBE)}

    def conflicts(self, stage: Stage | None = None) -> list[Effective]:
        """Records on which reviewers disagree and no resolution was recorded."""
        stages = [stage] if stage else list(Stage)
        return [e for st in stages for e in self.effective(st).values() if e.status is Status.CONFLICT]


def _check_actor(role: Role, actor: str) -> None:
    if role is Role.RULE and actor != RULES_ACTOR:
        raise InputError(f"rule decisions are filed under the actor {RULES_ACTOR!r}, not {actor!r}")
    if role is not Role.RULE and (not actor.strip() or actor.strip().lower() == RULES_ACTOR):
        raise InputError(f"reviewer name {actor!r} is empty or reserved; give your name with --reviewer")


def effective_of(key: str, stage: Stage, entries: Sequence[DecisionEntry]) -> Effective:
    """Combine the current decisions of a record at a stage (see the module docstring).

    Parameters
    ----------
    key : str
        Publication key.
    stage : Stage
        The stage the entries belong to.
    entries : sequence of DecisionEntry
        The record's current decisions at that stage.

    Returns
    -------
    Effective
        Status, decision and reason.
    """
    entries = tuple(entries)
    resolutions = sorted((e for e in entries if e.role is Role.RESOLUTION), key=lambda e: e.decided_at)
    if resolutions:
        last = resolutions[-1]
        return Effective(key, stage, Status.RESOLVED, last.decision, last.reason, entries)
    reviews = [e for e in entries if e.role is Role.REVIEWER]
    if reviews:
        decisions = {e.decision for e in reviews}
        if len(decisions) > 1:
            return Effective(key, stage, Status.CONFLICT, None, None, entries)
        last = max(reviews, key=lambda e: e.decided_at)
        reason = last.reason or next((e.reason for e in reviews if e.reason), None)
        return Effective(key, stage, Status.REVIEWED, last.decision, reason, entries)
    rules = [e for e in entries if e.role is Role.RULE]
    if rules:
        return Effective(key, stage, Status.SUGGESTED, rules[0].decision, rules[0].reason, entries)
    return Effective(key, stage, Status.UNDECIDED, None, None, entries)


# ---------------------------------------------------------------------------------- CSV import

CSV_COLUMNS = ("key", "pmid", "doi", "decision", "reason", "stage", "protocol")
"""Columns a decisions CSV may have: one of key/pmid/doi, decision, and optional reason, stage, protocol."""


def read_decisions_csv(
    path: str | Path, store: Store, *, reviewer: str, protocol: Protocol | None = None
) -> dict[str, list[NewDecision]]:
    """Read and check a decisions CSV; nothing is written.

    Parameters
    ----------
    path : str or Path
        CSV with a header row (see :data:`CSV_COLUMNS`).
    store : Store
        Used to check that every record exists.
    reviewer : str
        The reviewer the decisions are filed under.
    protocol : Protocol or None
        Protocol for rows without a ``protocol`` column.

    Returns
    -------
    dict
        Protocol name -> decisions to record.

    Raises
    ------
    InputError
        Naming the file, the line and the column, with the allowed values.
    """
    source = str(path)
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(
            f"cannot read the file ({err.__class__.__name__}); give a UTF-8 CSV file", source=source
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; allowed columns: {', '.join(CSV_COLUMNS)}",
            source=source,
            location="line 1",
        )
    if "decision" not in header or not {"key", "pmid", "doi"} & set(header):
        raise InputError(
            "the header needs a decision column and one of key, pmid, doi", source=source, location="line 1"
        )
    if "protocol" not in header and protocol is None:
        raise InputError("no protocol column; add one or give --protocol FILE", source=source, location="line 1")
    keys = store.decisions.publication_keys()
    out: dict[str, list[NewDecision]] = defaultdict(list)
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        where = f"line {n}"
        key = (
            row.get("key")
            or (f"pmid:{row['pmid']}" if row.get("pmid") else "")
            or (f"doi:{row['doi'].lower()}" if row.get("doi") else "")
        )
        if not key:
            raise InputError("no key, pmid or doi; fill one of them", source=source, location=where)
        if key not in keys:
            raise InputError(
                f"record {key!r} is not in the database; import it first (caseseries import FILE)",
                source=source,
                location=f"{where}: key",
            )
        decision = _enum(Decision, row.get("decision", "").lower(), source, f"{where}: decision")
        stage = _enum(Stage, row.get("stage") or Stage.TITLE_ABSTRACT.value, source, f"{where}: stage")
        name = row.get("protocol") or (protocol.name if protocol else "")
        if not name:
            raise InputError("protocol is empty; fill it or give --protocol FILE", source=source, location=where)
        out[name].append(NewDecision(key, stage, decision, Role.REVIEWER, reviewer, None, row.get("reason") or None))
    return dict(out)


def _enum(kind: type[_E], value: str, source: str, where: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InputError(f"unknown value {value!r}; allowed: {allowed}", source=source, location=where) from None


def import_decisions(
    path: str | Path, store: Store, *, reviewer: str, protocol: Protocol | None = None
) -> dict[str, int]:
    """Record a reviewer's decisions from a CSV file, all in one transaction.

    Parameters
    ----------
    path : str or Path
        The CSV file (see :func:`read_decisions_csv`).
    store : Store
        The case store.
    reviewer : str
        Name the decisions are filed under.
    protocol : Protocol or None
        Protocol for rows without a ``protocol`` column.

    Returns
    -------
    dict
        Protocol name -> number of decisions that changed.
    """
    batches = read_decisions_csv(path, store, reviewer=reviewer, protocol=protocol)
    return store.decisions.write({name: [_write(i) for i in items] for name, items in batches.items()}, via="csv")
