"""The screening decisions repository: current decisions per decider and their append-only audit log.

The repository stores and returns plain typed records (:class:`StoredDecision`,
:class:`StoredAudit`); the screening stage (:mod:`caseseries.screening.decisions`) gives them
their meaning (roles, effective decisions, conflicts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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


_Ident = tuple[str, str, str, str]


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
        nothing; any other is stored as the current one and an audit entry is added. The stored
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
            for item in chunk:
                ident = (item.key, item.stage, item.role, item.actor)
                row, was_changed = self._apply(s, protocol, item, via, rows.get(ident))
                rows[ident] = row
                changed += was_changed
            s.flush()
        return changed

    @staticmethod
    def _current_rows(s: Session, protocol: str, items: Iterable[DecisionWrite]) -> dict[_Ident, ScreeningDecisionRow]:
        keys = sorted({item.key for item in items})
        found = s.scalars(
            select(ScreeningDecisionRow).where(
                ScreeningDecisionRow.protocol == protocol, ScreeningDecisionRow.publication_key.in_(keys)
            )
        )
        return {(r.publication_key, r.stage, r.role, r.actor): r for r in found}

    @staticmethod
    def _apply(
        s: Session, protocol: str, item: DecisionWrite, via: str, row: ScreeningDecisionRow | None
    ) -> tuple[ScreeningDecisionRow, bool]:
        old = row.decision if row is not None else None
        if row is not None and (row.decision, row.rule_id, row.reason) == (item.decision, item.rule_id, item.reason):
            return row, False
        now = utcnow()
        if row is None:
            row = ScreeningDecisionRow(
                publication_key=item.key, protocol=protocol, stage=item.stage, role=item.role, actor=item.actor
            )
            s.add(row)
        row.decision, row.rule_id, row.reason, row.decided_at = item.decision, item.rule_id, item.reason, now
        s.add(
            ScreeningAuditRow(
                publication_key=item.key,
                protocol=protocol,
                stage=item.stage,
                role=item.role,
                actor=item.actor,
                rule_id=item.rule_id,
                old_decision=old,
                new_decision=item.decision,
                reason=item.reason,
                via=via,
                changed_at=now,
            )
        )
        return row, True

    def current(self, protocol: str, stage: str | None = None) -> list[StoredDecision]:
        """Every current decision of ``protocol`` (optionally of one stage), oldest first."""
        with self._sessions.read() as s:
            q = select(ScreeningDecisionRow).where(ScreeningDecisionRow.protocol == protocol)
            if stage is not None:
                q = q.where(ScreeningDecisionRow.stage == stage)
            rows = s.scalars(q.order_by(ScreeningDecisionRow.decided_at, ScreeningDecisionRow.id))
            return [
                StoredDecision(
                    r.publication_key,
                    r.protocol,
                    r.stage,
                    r.decision,
                    r.role,
                    r.actor,
                    r.rule_id,
                    r.reason,
                    r.decided_at,
                )
                for r in rows
            ]

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
            return set(s.scalars(select(PublicationRow.key)))
