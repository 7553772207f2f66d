"""The patients repository: stored patients with their history, written in transactions.

A patient is identified by its document's key and its label. Every write keeps the version it
replaces (:class:`PatientRevision`); results are typed (:class:`WriteResult`,
:class:`StoredPatient`, :class:`RevisionChange`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from caseseries.errors import NotFoundError, ValidationError
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.model.enums import CurationStatus
from caseseries.model.publication import Publication
from caseseries.store.schema import EvidenceRow, LineRow, PatientRevisionRow, PatientRow, PublicationRow, utcnow
from caseseries.store.sessions import Sessions, insert_if_absent


class RevisionChange(StrEnum):
    """Why a stored version of a patient was superseded."""

    EDITED = "edited"
    """Corrected by a user (``cases edit``)."""
    REPLACED = "replaced"
    """Added again with other content (a new extraction, an updated case file)."""
    DELETED = "deleted"
    """Deleted by a user (``cases delete``)."""


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
    change: RevisionChange
    """Why it was superseded."""
    recorded_at: datetime
    publication_key: str
    data: dict[str, Any]


def _source_of(row: PublicationRow) -> Source:
    return Source.from_publication(Publication.model_validate(row.data))


def _no_case(patient_id: int) -> NotFoundError:
    return NotFoundError(f"no case with id {patient_id}; run 'caseseries cases list' to see the ids")


class PatientRepository:
    """Reads and writes of stored patients (the ``Store.cases`` of a :class:`~caseseries.store.Store`).

    Parameters
    ----------
    sessions : Sessions
        The store's transactions.
    """

    def __init__(self, sessions: Sessions):
        self._sessions = sessions

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
        with self._sessions.write() as s:
            for doc in case_file.documents:
                result.merge(self._add_document(s, doc, status, provenance, keep_user_changes))
        return result

    @staticmethod
    def _changed_by_user(s: Session, publication_key: str, label: str, row: PatientRow | None) -> bool:
        if row is not None:
            query = select(PatientRevisionRow.id).where(
                PatientRevisionRow.patient_id == row.id, PatientRevisionRow.change == RevisionChange.EDITED.value
            )
        else:
            query = select(PatientRevisionRow.id).where(
                PatientRevisionRow.publication_key == publication_key,
                PatientRevisionRow.label == label,
                PatientRevisionRow.change == RevisionChange.DELETED.value,
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
            insert_if_absent(s, PublicationRow, values)  # a no-op if another writer added it meanwhile
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
            self._keep_revision(s, row, pub_row.key, RevisionChange.REPLACED)
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
    def _keep_revision(s: Session, row: PatientRow, publication_key: str, change: RevisionChange) -> None:
        """Copy the row's current version into the history; bump its revision number."""
        s.add(
            PatientRevisionRow(
                patient_id=row.id,
                publication_key=publication_key,
                label=row.label,
                revision=row.revision,
                change=change.value,
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
        with self._sessions.write() as s:
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
            self._keep_revision(s, row, row.publication.key, RevisionChange.EDITED)
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
        with self._sessions.write() as s:
            rows = []
            for patient_id in dict.fromkeys(patient_ids):
                row = s.get(PatientRow, patient_id, options=[selectinload(PatientRow.publication)])
                if row is None:
                    raise _no_case(patient_id)
                rows.append(row)
            deleted = [self._stored(row) for row in rows]
            for row in rows:
                self._keep_revision(s, row, row.publication.key, RevisionChange.DELETED)
                s.delete(row)
            s.flush()
        return deleted

    def patient_history(self, patient_id: int) -> list[PatientRevision]:
        """The earlier versions of a patient (also of a deleted one), oldest first."""
        with self._sessions.read() as s:
            rows = s.scalars(
                select(PatientRevisionRow)
                .where(PatientRevisionRow.patient_id == patient_id)
                .order_by(PatientRevisionRow.revision, PatientRevisionRow.id)
            )
            return [
                PatientRevision(
                    r.patient_id, r.revision, RevisionChange(r.change), r.recorded_at, r.publication_key, r.data
                )
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
        with self._sessions.read() as s:
            query = select(PatientRow).options(selectinload(PatientRow.publication)).order_by(PatientRow.id)
            if status is not None:
                query = query.where(PatientRow.curation_status == status.value)
            return [self._stored(r) for r in s.scalars(query)]

    def iter_patients(self, *, status: CurationStatus | None = None, batch: int = 500) -> Iterator[StoredPatient]:
        """Every stored patient in insertion order, streamed: rows are read ``batch`` at a time.

        Memory stays that of one batch whatever the number of patients (``cases list --json``).
        The read transaction stays open until the iteration ends or the generator is closed.

        The rows are read as plain columns (no ORM objects) and each patient is validated from
        its stored JSON text in one step (``model_validate_json``: parsed and validated by
        pydantic-core, no Python dict in between); each publication's source is read once per batch.
        """
        pub = PublicationRow
        query = (
            select(
                PatientRow.id,
                PatientRow.revision,
                PatientRow.extractor,
                PatientRow.ruleset_version,
                PatientRow.publication_id,
                cast(PatientRow.data, Text).label("patient_json"),
                pub.key,
                cast(pub.data, Text).label("source_json"),
            )
            .join(pub, pub.id == PatientRow.publication_id)
            .order_by(PatientRow.id)
        )
        if status is not None:
            query = query.where(PatientRow.curation_status == status.value)
        with self._sessions.read() as s:
            sources: dict[int, Source] = {}
            for pid, revision, extractor, ruleset, pub_id, data, key, pub_data in s.execute(
                query.execution_options(yield_per=batch)
            ):
                source = sources.get(pub_id)
                if source is None:
                    if len(sources) >= batch:
                        sources.clear()
                    source = sources[pub_id] = Source.from_publication(Publication.model_validate_json(pub_data))
                patient = Patient.model_validate_json(data)
                yield StoredPatient(pid, source, patient, key, revision, extractor, ruleset)

    def get_patient(self, patient_id: int) -> StoredPatient:
        """One patient by database id.

        Raises
        ------
        NotFoundError
            If there is no such patient.
        """
        with self._sessions.read() as s:
            row = s.get(PatientRow, patient_id, options=[selectinload(PatientRow.publication)])
            if row is None:
                raise _no_case(patient_id)
            return self._stored(row)

    @staticmethod
    def _stored(row: PatientRow, source: Source | None = None) -> StoredPatient:
        return StoredPatient(
            row.id,
            source or _source_of(row.publication),
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
