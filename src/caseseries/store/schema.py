"""SQLAlchemy 2 tables of the core case store: publications, patients, lines, evidence.

The full model object is kept as JSON (the source of truth); the columns beside it are
indexed copies for filtering and are rewritten on every upsert. Text a user or a source
provides (keys, titles, labels, names) is stored in ``Text`` columns: its length is bounded
by the model, the same on every backend, never by a column width one backend enforces and
another ignores.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware current time (UTC)."""
    return datetime.now(UTC)


def dialect_insert(session: Session) -> Any:
    """The ``INSERT`` construct of the session's backend, with its ``ON CONFLICT`` clauses.

    PostgreSQL's or SQLite's; PostgreSQL's dialect package (and with it the modules of its
    drivers) is imported only for a PostgreSQL store.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


class Base(DeclarativeBase):
    """Declarative base shared by every table of every stage."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class PublicationRow(Base):
    """A publication (or case document source), keyed by PMID, DOI, title or path."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True, index=True)
    pmid: Mapped[str | None] = mapped_column(Text, index=True)
    doi: Mapped[str | None] = mapped_column(Text, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    journal: Mapped[str | None] = mapped_column(Text)
    source_format: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    patients: Mapped[list[PatientRow]] = relationship(back_populates="publication", cascade="all, delete-orphan")


class PatientRow(Base):
    """One patient of a publication; ``data`` holds the full Patient as Case JSON."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("publication_id", "label", name="uq_patient_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(Text)
    curation_status: Mapped[str] = mapped_column(String(32), index=True)
    age_years: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(16))
    primary_site: Mapped[str | None] = mapped_column(Text, index=True)
    alk_status: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    extractor: Mapped[str | None] = mapped_column(Text)
    ruleset_version: Mapped[str | None] = mapped_column(Text)

    publication: Mapped[PublicationRow] = relationship(back_populates="patients")
    lines: Mapped[list[LineRow]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="LineRow.line"
    )
    evidence: Mapped[list[EvidenceRow]] = relationship(back_populates="patient", cascade="all, delete-orphan")


class LineRow(Base):
    """A therapy line, copied from the patient's JSON for querying."""

    __tablename__ = "therapy_lines"
    __table_args__ = (UniqueConstraint("patient_id", "line", name="uq_line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    agents: Mapped[list[Any]] = mapped_column(JSON)
    best_response: Mapped[str | None] = mapped_column(String(4))
    pfs_months: Mapped[float | None] = mapped_column(Float)
    pfs_censored: Mapped[bool | None] = mapped_column(Boolean)

    patient: Mapped[PatientRow] = relationship(back_populates="lines")


class EvidenceRow(Base):
    """An evidence span of a patient value, copied from the patient's JSON for querying."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    patient: Mapped[PatientRow] = relationship(back_populates="evidence")


class SearchRow(Base):
    """A literature search as run (query, time, hit count, PMIDs), for PRISMA and reproducibility."""

    __tablename__ = "searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    database: Mapped[str] = mapped_column(String(32))
    run_at: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    pmids: Mapped[list[Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)


class PatientRevisionRow(Base):
    """An earlier version of a stored patient, kept when it was edited, replaced or deleted.

    Rows are only ever inserted. ``patient_id`` is not a foreign key so that the history of
    a deleted patient stays.
    """

    __tablename__ = "patient_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    publication_key: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
