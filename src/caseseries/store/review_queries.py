"""Read queries of the curation review: the patients of one document, in the order they were stored.

This module defines no tables; :mod:`caseseries.store.db` imports every module of the package
when it loads, so the store and its helpers are imported where they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from caseseries.errors import StoreError
from caseseries.store.schema import PatientRow, PublicationRow

if TYPE_CHECKING:
    from caseseries.store.repository import Store


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
