"""The case store: transactional, idempotent reads and writes of publications and patients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, selectinload

from caseseries.errors import NotFoundError, StoreError, ValidationError
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.model.enums import CurationStatus
from caseseries.model.publication import Publication, SearchRecord
from caseseries.store.db import (
    WRITE_OPTION,
    current_revision,
    describe_db_error,
    display_url,
    head_revision,
    make_engine,
    migrate,
    session_factory,
)
from caseseries.store.publications import PublicationUpsert, delete_publication, upsert_publications
from caseseries.store.schema import (
    EvidenceRow,
    LineRow,
    PatientRevisionRow,
    PatientRow,
    PublicationRow,
    SearchRow,
    utcnow,
)


def _insert_if_absent(session: Session, table: type[PublicationRow], values: dict[str, Any]) -> int | None:
    """``INSERT ... ON CONFLICT DO NOTHING``: the new row's id, or None if a row with its key exists.

    Safe against concurrent writers on SQLite and PostgreSQL: a key added by another
    transaction in the meantime makes this a no-op instead of an IntegrityError.
    """
    now = utcnow()
    values = {"created_at": now, "updated_at": now, **values}
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(table.id)
    new_id = session.execute(stmt).scalar()
    return int(new_id) if new_id is not None else None


@dataclass
class WriteResult:
    """What a write did: keys of records added, updated and left unchanged."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def merge(self, other: WriteResult) -> None:
        """Add another result's keys to this one."""
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class StoredPatient:
    """A patient as stored, with its database id and its document's source."""

    id: int
    source: Source
    patient: Patient
    publication_key: str
    revision: int = 1
    extractor: str | None = None
    ruleset_version: str | None = None


@dataclass(frozen=True)
class PatientRevision:
    """An earlier version of a stored patient and why it was superseded."""

    patient_id: int
    revision: int
    change: str
    """``edited`` (cases edit), ``replaced`` (added again with other content) or ``deleted``."""
    recorded_at: datetime
    publication_key: str
    data: dict[str, Any]


def _no_case(patient_id: int) -> NotFoundError:
    return NotFoundError(f"no case with id {patient_id}; run 'caseseries cases list' to see the ids")


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
        self._sessions = session_factory(self.engine.execution_options(**{WRITE_OPTION: True}))
        self._read_sessions = session_factory(self.engine)

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
        """A session in one write transaction: committed on success, rolled back on error.

        On SQLite the transaction takes the write lock when it begins, so concurrent writers
        wait for each other. Database errors leave as :class:`StoreError` with one line.
        """
        with self._translated(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A session in one read transaction (no write lock taken on SQLite)."""
        with self._translated(), self._read_sessions.begin() as session:
            yield session

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as err:
            if "readonly" in str(err.orig).replace("-", "").replace(" ", "").lower():
                raise StoreError(
                    f"{display_url(self.engine)}: the database is read-only ({describe_db_error(err)}); "
                    "check the file's permissions, or use a writable copy with --db"
                ) from None
            raise StoreError(
                f"{display_url(self.engine)}: the database refused the operation ({describe_db_error(err)}); "
                "check that it is writable and reachable, then run the command again"
            ) from None

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

    # ------------------------------------------------------------------ cases
    def add_case_file(
        self,
        case_file: CaseFile,
        *,
        status: CurationStatus | None = None,
        extractor: str | None = None,
        ruleset_version: str | None = None,
        keep_user_changes: bool = False,
    ) -> WriteResult:
        """Store every document and patient of a case file in one transaction.

        Idempotent: a patient is identified by its document key and label; adding the same
        content twice leaves it unchanged, different content updates it (the earlier version
        is kept in the history, see :meth:`patient_history`). Safe when several processes
        add the same records at once.

        Parameters
        ----------
        case_file : CaseFile
            Validated Case JSON.
        status : CurationStatus or None
            Overrides every patient's curation status (e.g. ``extracted``).
        extractor, ruleset_version : str or None
            Which extractor and which rule-set version produced the patients (stored with
            each of them; see :func:`caseseries.extraction.ruleset.ruleset_version`).
        keep_user_changes : bool
            Leave alone a patient a user edited (``cases edit``) or deleted (``cases delete``):
            used when ``init`` loads the bundled series again. Such patients count as unchanged.
        """
        result = WriteResult()
        provenance = {"extractor": extractor, "ruleset_version": ruleset_version}
        with self.session() as s:
            for doc in case_file.documents:
                result.merge(self._add_document(s, doc, status, provenance, keep_user_changes))
        return result

    @staticmethod
    def _changed_by_user(s: Session, publication_key: str, label: str, row: PatientRow | None) -> bool:
        if row is not None:
            query = select(PatientRevisionRow.id).where(
                PatientRevisionRow.patient_id == row.id, PatientRevisionRow.change == "edited"
            )
        else:
            query = select(PatientRevisionRow.id).where(
                PatientRevisionRow.publication_key == publication_key,
                PatientRevisionRow.label == label,
                PatientRevisionRow.change == "deleted",
            )
        return s.scalar(query.limit(1)) is not None

    def _document_row(self, s: Session, doc: CaseDocument) -> PublicationRow:
        key = doc.key()
        query = select(PublicationRow).where(PublicationRow.key == key)
        row = s.scalar(query)
        if row is None:
            src = doc.source
            data: dict[str, Any] = src.to_publication().model_dump(mode="json", exclude_none=True)
            values = {"key": key, "pmid": src.pmid, "doi": src.doi, "title": src.title, "data": data}
            _insert_if_absent(s, PublicationRow, values)  # a no-op if another writer added it meanwhile
            row = s.scalars(query.execution_options(populate_existing=True)).one()
        elif doc.source.citation and row.data.get("citation_text") != doc.source.citation:
            row.data = {**row.data, "citation_text": doc.source.citation}
        return row

    def _add_document(
        self,
        s: Session,
        doc: CaseDocument,
        status: CurationStatus | None,
        provenance: dict[str, str | None],
        keep_user_changes: bool = False,
    ) -> WriteResult:
        result = WriteResult()
        pub_row = self._document_row(s, doc)
        for patient in doc.patients:
            if status is not None:
                patient = patient.model_copy(update={"curation_status": status})
            key = f"{pub_row.key}#{patient.label}"
            data = patient.model_dump(mode="json")
            query = select(PatientRow).where(PatientRow.publication_id == pub_row.id, PatientRow.label == patient.label)
            row = s.scalar(query)
            changed = row is None or row.data != data
            if keep_user_changes and changed and self._changed_by_user(s, pub_row.key, patient.label, row):
                result.unchanged.append(key)
                continue
            if row is None:
                row = PatientRow(publication_id=pub_row.id, label=patient.label, data=data, revision=1)
                try:
                    with s.begin_nested():
                        s.add(row)
                        self._fill_columns(row, patient)
                        s.flush()
                except IntegrityError:  # the same patient was added by another writer meanwhile
                    row = s.scalars(query.execution_options(populate_existing=True)).one()
                else:
                    self._set_provenance(row, provenance)
                    result.added.append(key)
                    continue
            if row.data == data:
                self._set_provenance(row, provenance)
                result.unchanged.append(key)
                continue
            self._keep_revision(s, row, pub_row.key, "replaced")
            row.data = data
            row.lines.clear()
            row.evidence.clear()
            s.flush()
            self._fill_columns(row, patient)
            self._set_provenance(row, provenance)
            result.updated.append(key)
        s.flush()
        return result

    @staticmethod
    def _set_provenance(row: PatientRow, provenance: dict[str, str | None]) -> None:
        if provenance.get("extractor") is not None:
            row.extractor = provenance["extractor"]
            row.ruleset_version = provenance.get("ruleset_version")

    @staticmethod
    def _keep_revision(s: Session, row: PatientRow, publication_key: str, change: str) -> None:
        """Copy the row's current version into the history; bump its revision number."""
        s.add(
            PatientRevisionRow(
                patient_id=row.id,
                publication_key=publication_key,
                label=row.label,
                revision=row.revision,
                change=change,
                data=row.data,
                recorded_at=utcnow(),
            )
        )
        row.revision = row.revision + 1

    def replace_patient(self, patient_id: int, patient: Patient, *, expected_revision: int | None = None) -> int:
        """Store a corrected version of one patient; keep the old one in the history.

        Parameters
        ----------
        patient_id : int
            The database id (as in ``cases list``).
        patient : Patient
            The new version (validated).
        expected_revision : int or None
            The revision the correction was made from; if the stored patient changed since,
            nothing is written.

        Returns
        -------
        int
            The new revision number.

        Raises
        ------
        NotFoundError
            If there is no such patient.
        ValidationError
            If the new label is that of another patient of the same document, or the patient
            changed since ``expected_revision``.
        """
        with self.session() as s:
            row = s.get(PatientRow, patient_id, options=[selectinload(PatientRow.publication)])
            if row is None:
                raise _no_case(patient_id)
            if expected_revision is not None and row.revision != expected_revision:
                raise ValidationError(
                    f"case {patient_id} changed (now revision {row.revision}, edited from {expected_revision}) "
                    "while it was being edited; run the edit again",
                    location=f"case {patient_id}",
                )
            clash = s.scalar(
                select(PatientRow.id).where(
                    PatientRow.publication_id == row.publication_id,
                    PatientRow.label == patient.label,
                    PatientRow.id != patient_id,
                )
            )
            if clash is not None:
                raise ValidationError(
                    f"label {patient.label!r} is already used by case {clash} of the same document; "
                    "choose another label",
                    location="label",
                )
            self._keep_revision(s, row, row.publication.key, "edited")
            row.data = patient.model_dump(mode="json")
            row.label = patient.label
            row.lines.clear()
            row.evidence.clear()
            s.flush()
            self._fill_columns(row, patient)
            s.flush()
            return row.revision

    def delete_patients(self, patient_ids: list[int]) -> list[StoredPatient]:
        """Delete patients (all or none); their last versions stay in the history.

        Raises
        ------
        NotFoundError
            If any id does not exist (then nothing is deleted).
        """
        with self.session() as s:
            rows = []
            for patient_id in dict.fromkeys(patient_ids):
                row = s.get(PatientRow, patient_id, options=[selectinload(PatientRow.publication)])
                if row is None:
                    raise _no_case(patient_id)
                rows.append(row)
            deleted = [self._stored(row) for row in rows]
            for row in rows:
                self._keep_revision(s, row, row.publication.key, "deleted")
                s.delete(row)
            s.flush()
        return deleted

    def patient_history(self, patient_id: int) -> list[PatientRevision]:
        """The earlier versions of a patient (also of a deleted one), oldest first."""
        with self._read() as s:
            rows = s.scalars(
                select(PatientRevisionRow)
                .where(PatientRevisionRow.patient_id == patient_id)
                .order_by(PatientRevisionRow.revision, PatientRevisionRow.id)
            )
            return [
                PatientRevision(r.patient_id, r.revision, r.change, r.recorded_at, r.publication_key, r.data)
                for r in rows
            ]

    @staticmethod
    def _fill_columns(row: PatientRow, patient: Patient) -> None:
        row.curation_status = patient.curation_status.value
        row.age_years = patient.age_years
        row.sex = patient.sex.value if patient.sex else None
        row.primary_site = patient.primary_site
        row.alk_status = patient.alk.status.value if patient.alk.status else None
        row.lines = [
            LineRow(
                line=ln.line,
                agents=list(ln.agents),
                best_response=ln.best_response.value if ln.best_response else None,
                pfs_months=ln.pfs_months,
                pfs_censored=ln.pfs_censored,
            )
            for ln in patient.lines
        ]
        row.evidence = [
            EvidenceRow(field=e.field, start=e.start, end=e.end, text=e.text) for e in patient.all_evidence()
        ]

    def patients(self, *, status: CurationStatus | None = None) -> list[StoredPatient]:
        """Every stored patient in insertion order, optionally of one curation status."""
        with self._read() as s:
            query = select(PatientRow).options(selectinload(PatientRow.publication)).order_by(PatientRow.id)
            if status is not None:
                query = query.where(PatientRow.curation_status == status.value)
            return [self._stored(r) for r in s.scalars(query)]

    def get_patient(self, patient_id: int) -> StoredPatient:
        """One patient by database id.

        Raises
        ------
        NotFoundError
            If there is no such patient.
        """
        with self._read() as s:
            row = s.get(PatientRow, patient_id, options=[selectinload(PatientRow.publication)])
            if row is None:
                raise _no_case(patient_id)
            return self._stored(row)

    @staticmethod
    def _stored(row: PatientRow) -> StoredPatient:
        source = Source.from_publication(Publication.model_validate(row.publication.data))
        return StoredPatient(
            row.id,
            source,
            Patient.model_validate(row.data),
            row.publication.key,
            revision=row.revision,
            extractor=row.extractor,
            ruleset_version=row.ruleset_version,
        )

    def case_file(self, *, status: CurationStatus | None = None) -> CaseFile:
        """Everything stored (or one curation status) as one Case JSON file, grouped by document."""
        docs: dict[str, CaseDocument] = {}
        for sp in self.patients(status=status):
            doc = docs.setdefault(sp.publication_key, CaseDocument(source=sp.source, patients=[]))
            doc.patients.append(sp.patient)
        return CaseFile(documents=list(docs.values()))

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
