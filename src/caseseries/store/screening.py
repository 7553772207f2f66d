"""SQLAlchemy tables of the screening stage: current decisions and their append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseseries.store.schema import Base, utcnow


class ScreeningDecisionRow(Base):
    """The current decision of one decider (the rules or one reviewer) on one record at one stage.

    ``role`` is ``rule``, ``reviewer`` or ``resolution``; ``actor`` is ``rules`` for the rules,
    else the reviewer's name. ``rule_id`` names the deciding rule when a single rule decided.
    A rule decision also keeps the fingerprint of the rules it came from, the record's
    ``updated_at`` when it was screened and the rules' score (None for people's decisions).
    """

    __tablename__ = "screening_decisions"
    __table_args__ = (
        UniqueConstraint("publication_key", "protocol", "stage", "role", "actor", name="uq_screening_decider"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_key: Mapped[str] = mapped_column(Text, index=True)
    protocol: Mapped[str] = mapped_column(Text, index=True)
    stage: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(Text)
    rule_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rules_fingerprint: Mapped[str | None] = mapped_column(Text)
    record_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    score: Mapped[float | None] = mapped_column(Float)


class ScreeningAuditRow(Base):
    """One change of a decision; rows are only ever inserted."""

    __tablename__ = "screening_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_key: Mapped[str] = mapped_column(Text, index=True)
    protocol: Mapped[str] = mapped_column(Text, index=True)
    stage: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(Text)
    rule_id: Mapped[str | None] = mapped_column(Text)
    old_decision: Mapped[str | None] = mapped_column(String(16))
    new_decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
