"""The screening decisions repository: current decisions per decider and their append-only audit log.

The repository stores and returns plain typed records (:class:`StoredDecision`,
:class:`StoredAudit`); the screening stage (:mod:`caseseries.screening.decisions`) gives them
their meaning (roles, effective decisions, conflicts).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from caseseries.store.schema import PublicationRow, utcnow
from caseseries.store.screening import ScreeningAuditRow, ScreeningDecisionRow
from caseseries.store.sessions import Sessions


@dataclass(frozen=True)
class DecisionWrite:
    """A decision to record: who decided what on which record at which stage."""

    key: str
    stage: str
    decision: str
    role: str
    actor: str
    rule_id: str | None = None
    reason: str | None = None
    fingerprint: str | None = None
    """Of a rule decision: the fingerprint of the rules it came from."""
    record_version: datetime | None = None
    """Of a rule decision: the record's ``publications.updated_at`` when it was screened."""
    score: float | None = None
    """Of a rule decision: the rules' relevance score."""


StandingDecision = tuple[str, str | None, str, float | None]
"""A stored rule decision whose record was not updated since: key, fingerprint, decision, score.

Plain rows, not objects: a 100,000-record protocol reads 100,000 of them before its first record is shown.
"""


@dataclass(frozen=True)
class StoredDecision:
    """One current decision of one decider."""

    key: str
    protocol: str
    stage: str
    decision: str
    role: str
    actor: str
    rule_id: str | None
    reason: str | None
    decided_at: datetime


@dataclass(frozen=True)
class StoredAudit:
    """One change of a decision."""

    key: str
    protocol: str
    stage: str
    role: str
    actor: str
    rule_id: str | None
    old_decision: str | None
    new_decision: str
    reason: str | None
    via: str
    changed_at: datetime


def _state(item: DecisionWrite) -> dict[str, Any]:
    return {"rules_fingerprint": item.fingerprint, "record_updated_at": item.record_version, "score": item.score}


_Ident = tuple[str, str, str, str]
_DECISIONS = cast(Table, ScreeningDecisionRow.__table__)
_AUDIT = cast(Table, ScreeningAuditRow.__table__)
_Current = tuple[int | None, str, str | None, str | None, str | None, datetime | None, float | None]
"""A current decision as read or planned: row id (None until inserted), decision, rule id, reason,
fingerprint, record version, score."""


class DecisionRepository:
    """Reads and writes of screening decisions (the ``Store.decisions`` of a :class:`~caseseries.store.Store`).

    Parameters
    ----------
    sessions : Sessions
        The store's transactions.
    """

    def __init__(self, sessions: Sessions):
        self._sessions = sessions

    def write(self, batches: Mapping[str, Sequence[DecisionWrite]], *, via: str, batch: int = 1000) -> dict[str, int]:
        """Record the decisions of one or more protocols in one transaction (all or none).

        A decision equal to the decider's current one (decision, rule and reason) changes
        nothing (only the fingerprint, record version and score are brought up to date, without
        an audit entry); any other is stored as the current one and an audit entry is added. The stored
        decisions are read with one query per ``batch`` items, so a large queue costs a few
        statements per thousand records.

        Parameters
        ----------
        batches : mapping
            Protocol name -> decisions to record, in order (a later one of the same decider wins).
        via : str
            How the decisions arrived (``rules``, ``review``, ``csv``), kept in the audit log.

        Returns
        -------
        dict
            Protocol name -> number of decisions that changed.
        """
        with self._sessions.write() as s:
            return {
                protocol: self._write_all(s, protocol, list(items), via, batch) for protocol, items in batches.items()
            }

    def _write_all(self, s: Session, protocol: str, todo: list[DecisionWrite], via: str, batch: int) -> int:
        changed = 0
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            rows = self._current_rows(s, protocol, chunk)
            inserts: dict[_Ident, dict[str, Any]] = {}
            updates: dict[int, dict[str, Any]] = {}
            audits: list[dict[str, Any]] = []
            for item in chunk:
                ident = (item.key, item.stage, item.role, item.actor)
                row = rows.get(ident)
                state = (item.fingerprint, item.record_version, item.score)
                if row is not None and row[1:4] == (item.decision, item.rule_id, item.reason):
                    if row[4:] != state:  # the same decision, made from other rules or a newer record
                        if row[0] is None:
                            inserts[ident].update(_state(item))
                        else:
                            updates.setdefault(row[0], {"id": row[0]}).update(_state(item))
                        rows[ident] = (*row[:4], *state)
                    continue
                now = utcnow()
                values = {
                    "decision": item.decision,
                    "rule_id": item.rule_id,
                    "reason": item.reason,
                    "decided_at": now,
                    "rules_fingerprint": item.fingerprint,
                    "record_updated_at": item.record_version,
                    "score": item.score,
                }
                if row is None or row[0] is None:
                    inserts[ident] = {
                        "publication_key": item.key,
                        "protocol": protocol,
                        "stage": item.stage,
                        "role": item.role,
                        "actor": item.actor,
                        **values,
                    }
                else:
                    updates[row[0]] = {"id": row[0], **values}
                audits.append(
                    {
                        "publication_key": item.key,
                        "protocol": protocol,
                        "stage": item.stage,
                        "role": item.role,
                        "actor": item.actor,
                        "rule_id": item.rule_id,
                        "old_decision": row[1] if row is not None else None,
                        "new_decision": item.decision,
                        "reason": item.reason,
                        "via": via,
                        "changed_at": now,
                    }
                )
                rows[ident] = (row[0] if row is not None else None, item.decision, item.rule_id, item.reason, *state)
                changed += 1
            if inserts:  # Core executemany: no ORM bookkeeping per row
                s.execute(_DECISIONS.insert(), list(inserts.values()))
            if updates:
                s.execute(update(ScreeningDecisionRow), list(updates.values()))
            if audits:
                s.execute(_AUDIT.insert(), audits)
        return changed

    @staticmethod
    def _current_rows(s: Session, protocol: str, items: Iterable[DecisionWrite]) -> dict[_Ident, _Current]:
        keys = sorted({item.key for item in items})
        t = ScreeningDecisionRow
        found = s.execute(
            select(
                t.publication_key,
                t.stage,
                t.role,
                t.actor,
                t.id,
                t.decision,
                t.rule_id,
                t.reason,
                t.rules_fingerprint,
                t.record_updated_at,
                t.score,
            ).where(t.protocol == protocol, t.publication_key.in_(keys))
        )
        return {(r[0], r[1], r[2], r[3]): tuple(r[4:]) for r in found}

    def standing(
        self, protocol: str, stage: str, role: str, fingerprints: Collection[str]
    ) -> dict[str, StandingDecision]:
        """Key -> the decision of ``role`` (the rules) at ``stage`` made from the record as stored now.

        Only decisions made with one of ``fingerprints`` are returned, in one query (no record
        read). A record is unchanged when its ``publications.updated_at`` equals the one stored with
        the decision.
        """
        t, p = ScreeningDecisionRow, PublicationRow
        q = (
            select(t.publication_key, t.rules_fingerprint, t.decision, t.score)
            .join(p, p.key == t.publication_key)
            .where(t.protocol == protocol, t.stage == stage, t.role == role)
            .where(t.rules_fingerprint.in_(sorted(fingerprints)), t.record_updated_at == p.updated_at)
        )
        with self._sessions.read() as s:
            rows = s.connection().execute(q).all()  # Core rows fetched at once: no ORM bookkeeping, no fetch per row
            return cast(dict[str, StandingDecision], {r[0]: r for r in rows})

    def decisions_by(self, protocol: str, stage: str, role: str) -> dict[str, str]:
        """Key -> decision of the deciders of ``role`` at ``stage`` (one query of two columns)."""
        t = ScreeningDecisionRow
        q = select(t.publication_key, t.decision).where(t.protocol == protocol, t.stage == stage, t.role == role)
        with self._sessions.read() as s:
            return {key: decision for key, decision in s.connection().execute(q).all()}

    def record_versions(self, keys: Collection[str] | None = None) -> dict[str, datetime]:
        """The ``publications.updated_at`` of the stored records among ``keys`` (default: of every record).

        Every record's in one read of two columns is cheaper than a thousand ``IN`` lists when
        most records are wanted.
        """
        t = PublicationRow
        q = select(t.key, t.updated_at)
        if keys is not None:
            q = q.where(t.key.in_(keys))
        with self._sessions.read() as s:
            return {key: updated for key, updated in s.connection().execute(q).all()}

    def current(
        self, protocol: str, stage: str | None = None, *, except_role: str | None = None
    ) -> list[StoredDecision]:
        """Every current decision of ``protocol`` (optionally of one stage, or but one role's), oldest first."""
        with self._sessions.read() as s:
            t = ScreeningDecisionRow
            q = select(
                t.publication_key, t.protocol, t.stage, t.decision, t.role, t.actor, t.rule_id, t.reason, t.decided_at
            )
            q = q.where(t.protocol == protocol)
            if stage is not None:
                q = q.where(t.stage == stage)
            if except_role is not None:
                q = q.where(t.role != except_role)
            return [StoredDecision(*r) for r in s.execute(q.order_by(t.decided_at, t.id))]

    def audit(self, protocol: str, key: str | None = None) -> list[StoredAudit]:
        """The audit log of ``protocol`` (optionally of one record), in order of change."""
        with self._sessions.read() as s:
            q = select(ScreeningAuditRow).where(ScreeningAuditRow.protocol == protocol)
            if key is not None:
                q = q.where(ScreeningAuditRow.publication_key == key)
            return [
                StoredAudit(
                    r.publication_key,
                    r.protocol,
                    r.stage,
                    r.role,
                    r.actor,
                    r.rule_id,
                    r.old_decision,
                    r.new_decision,
                    r.reason,
                    r.via,
                    r.changed_at,
                )
                for r in s.scalars(q.order_by(ScreeningAuditRow.id))
            ]

    def protocols(self) -> list[str]:
        """Names of the protocols that have decisions, sorted."""
        with self._sessions.read() as s:
            return sorted(set(s.scalars(select(ScreeningDecisionRow.protocol))))

    def publication_keys(self) -> set[str]:
        """Keys of every stored publication (the records a decision can be about)."""
        with self._sessions.read() as s:
            return set(s.connection().execute(select(PublicationRow.key)).scalars())
