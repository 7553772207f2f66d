"""The case store: transactional, idempotent reads and writes of publications, patients and decisions.

:class:`Store` opens the database and holds its repositories (:attr:`Store.cases` for patients,
:attr:`Store.decisions` for screening decisions); its patient methods delegate to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from caseseries.errors import StoreError
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseFile
from caseseries.model.enums import CurationStatus
from caseseries.model.publication import Publication, SearchRecord
from caseseries.store.db import current_revision, head_revision, make_engine, migrate
from caseseries.store.decisions import DecisionRepository
from caseseries.store.patients import PatientRepository, PatientRevision, RevisionChange, StoredPatient, WriteResult
from caseseries.store.publications import PublicationUpsert, delete_publication, upsert_publications
from caseseries.store.schema import PublicationRow, SearchRow
from caseseries.store.sessions import Sessions

__all__ = ["PatientRevision", "RevisionChange", "Store", "StoredPatient", "WriteResult"]


class Store:
    """Access to a caseseries database.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL; ``None`` uses ``$CASESERIES_DB`` or ``sqlite:///caseseries.db``.
    engine : Engine or None
        An existing engine (takes precedence over ``url``).

    Examples
    --------
    >>> store = Store.open("sqlite://")          # doctest: +SKIP
    >>> store.add_case_file(bundled_case_series())  # doctest: +SKIP
    """

    def __init__(self, url: str | None = None, *, engine: Engine | None = None):
        self.engine = engine or make_engine(url)
        self._transactions = Sessions(self.engine)
        self.cases = PatientRepository(self._transactions)
        """The patients repository."""
        self.decisions = DecisionRepository(self._transactions)
        """The screening decisions repository."""

    @classmethod
    def open(cls, url: str | None = None, *, create: bool = True) -> Store:
        """Open the database and bring its schema to the newest revision.

        Parameters
        ----------
        url : str or None
            SQLAlchemy URL (see :class:`Store`).
        create : bool
            Whether a missing or empty database may be created; false for read-only use,
            which then raises :class:`StoreError` naming the fix.
        """
        store = cls(url)
        store.migrate(create=create)
        return store

    def migrate(self, *, create: bool = True) -> str:
        """Create or upgrade the schema; return the revision (see :func:`caseseries.store.db.migrate`)."""
        return migrate(self.engine, create=create)

    def check_schema(self) -> None:
        """Raise :class:`StoreError` unless the schema is at the newest revision."""
        current = current_revision(self.engine)
        if current != head_revision():
            raise StoreError(
                f"database {self.engine.url!r} is at revision {current!r}, expected {head_revision()!r}; "
                "run 'caseseries init' to create or migrate it"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error (store modules only).

        On SQLite the transaction takes the write lock when it begins, so concurrent writers
        wait for each other. Database errors leave as :class:`StoreError` with one line.
        """
        with self._transactions.write() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A session in one read transaction (no write lock taken on SQLite)."""
        with self._transactions.read() as session:
            yield session

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Database errors inside the block leave as :class:`StoreError` with one line (store modules only)."""
        with self._transactions.translated():
            yield

    # ------------------------------------------------------------------ publications
    def upsert_publication(
        self, pub: Publication, session: Session | None = None, *, replaces: str | None = None
    ) -> tuple[int, str]:
        """Insert or update a publication by its key; return (id, 'added'|'updated'|'unchanged').

        ``replaces`` names the key of a stored row that ``pub`` supersedes under a new key (a
        record merged with a duplicate that brought a PMID): that row is updated in place, so
        its patients stay attached, unless a row with the new key already exists. Batches:
        :class:`caseseries.store.publications.PublicationRepository`.
        """
        if session is None:
            with self.session() as s:
                return self.upsert_publication(pub, s, replaces=replaces)
        (result,) = upsert_publications(session, [PublicationUpsert(pub, replaces)])
        return result.id, result.outcome.value

    def delete_publication(self, key: str, session: Session | None = None) -> str:
        """Delete a publication unless patients were curated from it.

        Returns
        -------
        str
            ``'deleted'``, ``'absent'`` (no such key) or ``'kept'`` (it has patients; delete
            those first if the publication really must go).
        """
        if session is None:
            with self.session() as s:
                return self.delete_publication(key, s)
        return delete_publication(session, key).outcome.value

    def get_publication(self, key: str) -> Publication | None:
        """The publication stored under ``key`` (see :meth:`Publication.key`), or None."""
        with self._read() as s:
            row = s.scalar(select(PublicationRow).where(PublicationRow.key == key))
            return Publication.model_validate(row.data) if row else None

    def iter_publications(self, batch: int = 1000) -> Iterator[Publication]:
        """Every stored publication, streamed in batches."""
        last = 0
        while True:
            with self._read() as s:
                rows = s.scalars(
                    select(PublicationRow).where(PublicationRow.id > last).order_by(PublicationRow.id).limit(batch)
                ).all()
                pubs = [(r.id, r.data) for r in rows]
            if not pubs:
                return
            for _, data in pubs:
                yield Publication.model_validate(data)
            last = pubs[-1][0]

    # ------------------------------------------------------------------ cases (see :class:`PatientRepository`)
    def add_case_file(
        self,
        case_file: CaseFile,
        *,
        status: CurationStatus | None = None,
        extractor: str | None = None,
        ruleset_version: str | None = None,
        keep_user_changes: bool = False,
    ) -> WriteResult:
        """Store the documents and patients of a case file (:meth:`PatientRepository.add_case_file`)."""
        return self.cases.add_case_file(
            case_file,
            status=status,
            extractor=extractor,
            ruleset_version=ruleset_version,
            keep_user_changes=keep_user_changes,
        )

    def replace_patient(self, patient_id: int, patient: Patient, *, expected_revision: int | None = None) -> int:
        """Store a corrected version of one patient (:meth:`PatientRepository.replace_patient`)."""
        return self.cases.replace_patient(patient_id, patient, expected_revision=expected_revision)

    def delete_patients(self, patient_ids: list[int]) -> list[StoredPatient]:
        """Delete patients, all or none (:meth:`PatientRepository.delete_patients`)."""
        return self.cases.delete_patients(patient_ids)

    def patient_history(self, patient_id: int) -> list[PatientRevision]:
        """The earlier versions of a patient, oldest first (:meth:`PatientRepository.patient_history`)."""
        return self.cases.patient_history(patient_id)

    def patients(self, *, status: CurationStatus | None = None) -> list[StoredPatient]:
        """Every stored patient in insertion order (:meth:`PatientRepository.patients`)."""
        return self.cases.patients(status=status)

    def get_patient(self, patient_id: int) -> StoredPatient:
        """One patient by database id (:meth:`PatientRepository.get_patient`)."""
        return self.cases.get_patient(patient_id)

    def case_file(self, *, status: CurationStatus | None = None) -> CaseFile:
        """Everything stored (or one curation status) as one Case JSON file (:meth:`PatientRepository.case_file`)."""
        return self.cases.case_file(status=status)

    # ------------------------------------------------------------------ searches
    def save_search(self, search: SearchRecord, search_id: int | None = None) -> int:
        """Insert a search, or replace the one with ``search_id`` (e.g. when a resumed run completes)."""
        params = {"mindate": search.mindate, "maxdate": search.maxdate}
        with self.session() as s:
            row = s.get(SearchRow, search_id) if search_id is not None else None
            if row is None:
                row = SearchRow()
                s.add(row)
            row.query, row.name, row.database, row.run_at = (
                search.query,
                search.name,
                search.database,
                search.run_at,
            )
            row.count, row.pmids, row.params, row.complete = (
                search.count,
                list(search.pmids),
                params,
                search.complete,
            )
            s.flush()
            return row.id

    def searches(self) -> list[tuple[int, SearchRecord]]:
        """Every stored search with its id, oldest first."""
        with self._read() as s:
            rows = s.scalars(select(SearchRow).order_by(SearchRow.id)).all()
            return [
                (
                    r.id,
                    SearchRecord(
                        query=r.query,
                        name=r.name,
                        database=r.database,
                        run_at=r.run_at,
                        count=r.count,
                        pmids=list(r.pmids),
                        mindate=r.params.get("mindate"),
                        maxdate=r.params.get("maxdate"),
                        complete=r.complete,
                    ),
                )
                for r in rows
            ]

    def has_publication(self, key: str) -> bool:
        """Whether a publication with this key (e.g. ``pmid:123``) is stored."""
        with self._read() as s:
            return s.scalar(select(PublicationRow.id).where(PublicationRow.key == key)) is not None
