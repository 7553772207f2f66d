"""Patient links: which stored patients are one person, or were checked and are not.

A link joins two stored patients (``patient_a < patient_b``) with a status: ``linked`` (one
person reported twice; the analyses pool them once) or ``not_duplicate`` (a reviewer looked and
they are different people; duplicate detection stops proposing the pair). Each link records who
decided and when. Deleting a patient deletes its links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from caseseries.errors import InputError, NotFoundError
from caseseries.store.schema import Base, PatientRow, utcnow

if TYPE_CHECKING:
    from caseseries.store.repository import Store


class LinkStatus(StrEnum):
    """What a reviewer decided about a pair of stored patients."""

    LINKED = "linked"
    NOT_DUPLICATE = "not_duplicate"


class PatientLinkRow(Base):
    """One decided pair of stored patients."""

    __tablename__ = "patient_links"
    __table_args__ = (UniqueConstraint("patient_a", "patient_b", name="uq_patient_link"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_a: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    patient_b: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class PatientLink:
    """A decided pair of stored patients (``a < b``)."""

    a: int
    b: int
    status: LinkStatus
    actor: str
    decided_at: datetime
    score: float | None = None
    note: str | None = None


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise InputError(f"cannot link case {a} to itself; give two different case ids", location="cases link")
    return (a, b) if a < b else (b, a)


class LinkStore:
    """Read and write patient links in a :class:`~caseseries.store.Store`'s database.

    Examples
    --------
    >>> links = LinkStore(Store.open("sqlite://"))   # doctest: +SKIP
    >>> links.decide(3, 22, LinkStatus.LINKED, actor="AB")  # doctest: +SKIP
    """

    def __init__(self, store: Store):
        self.store = store

    def decide(
        self,
        a: int,
        b: int,
        status: LinkStatus,
        *,
        actor: str,
        score: float | None = None,
        note: str | None = None,
    ) -> PatientLink:
        """Record (or change) the decision on a pair; both patients must exist.

        Raises
        ------
        NotFoundError
            If either case id is not stored.
        """
        lo, hi = _pair(a, b)
        with self.store.session() as s:
            for pid in (lo, hi):
                if s.get(PatientRow, pid) is None:
                    raise NotFoundError(f"no case with id {pid}; run 'caseseries cases list' to see the ids")
            row = s.scalar(select(PatientLinkRow).where(PatientLinkRow.patient_a == lo, PatientLinkRow.patient_b == hi))
            if row is None:
                row = PatientLinkRow(patient_a=lo, patient_b=hi)
                s.add(row)
            row.status, row.actor, row.score, row.note, row.decided_at = status.value, actor, score, note, utcnow()
            s.flush()
            return _link(row)

    def remove(self, a: int, b: int) -> bool:
        """Forget the decision on a pair; return whether there was one."""
        lo, hi = _pair(a, b)
        with self.store.session() as s:
            result = s.execute(
                delete(PatientLinkRow).where(PatientLinkRow.patient_a == lo, PatientLinkRow.patient_b == hi)
            )
            return bool(getattr(result, "rowcount", 0))

    def pairs(self, status: LinkStatus | None = None) -> list[PatientLink]:
        """Every decided pair (or those of one status), by ids."""
        with self.store.session() as s:
            query = select(PatientLinkRow).order_by(PatientLinkRow.patient_a, PatientLinkRow.patient_b)
            if status is not None:
                query = query.where(PatientLinkRow.status == status.value)
            return [_link(r) for r in s.scalars(query)]

    def groups(self) -> list[set[int]]:
        """The linked patients grouped by person (links are transitive), each group of two or more."""
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for link in self.pairs(LinkStatus.LINKED):
            parent[find(link.a)] = find(link.b)
        out: dict[int, set[int]] = {}
        for x in list(parent):
            out.setdefault(find(x), set()).add(x)
        return sorted(out.values(), key=min)


def _link(row: PatientLinkRow) -> PatientLink:
    return PatientLink(
        row.patient_a, row.patient_b, LinkStatus(row.status), row.actor, row.decided_at, row.score, row.note
    )
