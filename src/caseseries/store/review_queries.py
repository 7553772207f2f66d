"""Read queries of the curation review: the patients of one document, versions of every patient, batches of patients.

This module defines no tables; :mod:`caseseries.store.db` imports every module of the package
when it loads, so the store and its helpers are imported where they are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, selectinload

from caseseries.errors import StoreError
from caseseries.model.case import Patient
from caseseries.model.casejson import Source
from caseseries.model.publication import Publication
from caseseries.store.schema import PatientRow, PublicationRow

if TYPE_CHECKING:
    from caseseries.store.repository import Store, StoredPatient


def document_patient_ids(store: Store, publication_key: str) -> list[int]:
    """The ids of the stored patients of one document (``pmid:123``, ``path:x.txt``...), oldest first.

    Parameters
    ----------
    store : Store
        The case store.
    publication_key : str
        The document's key (:meth:`caseseries.model.CaseDocument.key`).

    Returns
    -------
    list of int
        Empty when the document is unknown or has no patients.

    Raises
    ------
    StoreError
        If the database cannot be read.
    """
    query = (
        select(PatientRow.id)
        .join(PublicationRow, PatientRow.publication_id == PublicationRow.id)
        .where(PublicationRow.key == publication_key)
        .order_by(PatientRow.id)
    )
    try:
        with Session(store.engine) as s:
            return [int(i) for i in s.scalars(query)]
    except DBAPIError as err:
        from caseseries.store.db import describe_db_error, display_url

        raise StoreError(
            f"{display_url(store.engine)}: cannot read the patients of {publication_key!r} "
            f"({describe_db_error(err)}); check that the database is reachable"
        ) from None


def _read_error(store: Store, err: DBAPIError) -> StoreError:
    from caseseries.store.db import describe_db_error, display_url

    return StoreError(
        f"{display_url(store.engine)}: cannot read the stored patients ({describe_db_error(err)}); "
        "check that the database is reachable"
    )


def patient_versions(store: Store) -> list[tuple[int, int, datetime]]:
    """``(patient id, revision, publication updated_at)`` of every stored patient, in insertion order.

    A cheap query (no JSON is read) that tells a cache which patients changed.
    """
    query = (
        select(PatientRow.id, PatientRow.revision, PublicationRow.updated_at)
        .join(PublicationRow, PatientRow.publication_id == PublicationRow.id)
        .order_by(PatientRow.id)
    )
    try:
        with Session(store.engine) as s:
            return [(int(i), int(r), u) for i, r, u in s.execute(query)]
    except DBAPIError as err:
        raise _read_error(store, err) from None


def stored_patients(store: Store, ids: Sequence[int]) -> list[StoredPatient]:
    """The stored patients with these ids (in id order), each publication read and validated once."""
    from caseseries.store.repository import StoredPatient

    out: list[StoredPatient] = []
    sources: dict[int, Source] = {}
    try:
        with Session(store.engine) as s:
            for chunk in range(0, len(ids), 500):
                rows = s.scalars(
                    select(PatientRow)
                    .where(PatientRow.id.in_(list(ids[chunk : chunk + 500])))
                    .options(selectinload(PatientRow.publication))
                    .order_by(PatientRow.id)
                )
                for row in rows:
                    if row.publication_id not in sources:
                        pub = Publication.model_validate(row.publication.data)
                        sources[row.publication_id] = Source.from_publication(pub)
                    out.append(
                        StoredPatient(
                            row.id,
                            sources[row.publication_id],
                            Patient.model_validate(row.data),
                            row.publication.key,
                            revision=row.revision,
                            extractor=row.extractor,
                            ruleset_version=row.ruleset_version,
                        )
                    )
    except DBAPIError as err:
        raise _read_error(store, err) from None
    return out
