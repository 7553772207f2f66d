"""Small read queries of the web app: a cheap fingerprint of the stored records and searches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from caseseries.store.schema import PublicationRow, SearchRow

if TYPE_CHECKING:
    from caseseries.store.repository import Store


def records_fingerprint(store: Store) -> tuple[int, str, int, int]:
    """(publications, newest update, searches, newest search id): changes whenever records or searches do.

    The web app keeps a protocol's gathered records in memory and gathers them again only when
    this changes, so a page does not re-read every publication.
    """
    with store._read() as s:
        count, newest = s.execute(select(func.count(PublicationRow.id), func.max(PublicationRow.updated_at))).one()
        searches, last = s.execute(select(func.count(SearchRow.id), func.max(SearchRow.id))).one()
    return int(count or 0), str(newest or ""), int(searches or 0), int(last or 0)
