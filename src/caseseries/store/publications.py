"""The publications repository: batched upserts, deletions and identity look-ups.

An import writes its records in batches, each in one transaction (:meth:`PublicationRepository.batch`):
the identities of the batch's records (PMID, DOI, title key) are looked up with a few indexed
queries (:meth:`PublicationBatch.find`), and its writes are applied with one query to read the
rows they touch, one multi-row insert and one bulk update (:meth:`PublicationBatch.write`). Every
write gives a typed result (:class:`UpsertResult`, :class:`DeleteResult`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from typing import cast as typed

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session

from caseseries.model.publication import Publication, normalise_title
from caseseries.store.schema import PatientRow, PublicationRow, dialect_insert, utcnow

if TYPE_CHECKING:
    from caseseries.store.repository import Store


class UpsertOutcome(StrEnum):
    """What an upsert did to a publication."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


class DeleteOutcome(StrEnum):
    """What a deletion did to a publication."""

    DELETED = "deleted"
    ABSENT = "absent"
    """No publication with that key was stored."""
    KEPT = "kept"
    """Patients were curated from it: it stays (delete them first if it really must go)."""


@dataclass(frozen=True)
class PublicationUpsert:
    """Store ``publication`` under its key; ``replaces`` names a stored key it supersedes.

    A record merged with a duplicate that brought a PMID gets a new key: the row of
    ``replaces`` is then updated in place (its patients stay attached), unless a row with the
    new key already exists.
    """

    publication: Publication
    replaces: str | None = None


@dataclass(frozen=True)
class PublicationDelete:
    """Delete the publication stored under ``key`` (unless patients were curated from it)."""

    key: str


PublicationWrite = PublicationUpsert | PublicationDelete
"""One write of a batch."""


@dataclass(frozen=True)
class UpsertResult:
    """The row an upsert wrote (its database id) and what it did."""

    key: str
    id: int
    outcome: UpsertOutcome


@dataclass(frozen=True)
class DeleteResult:
    """What a deletion did to the publication under ``key``."""

    key: str
    outcome: DeleteOutcome


@dataclass
class BatchResult:
    """The results of a batch of writes, in the order of the writes."""

    upserts: list[UpsertResult] = field(default_factory=list)
    deletes: list[DeleteResult] = field(default_factory=list)

    def count(self, outcome: UpsertOutcome | DeleteOutcome) -> int:
        """How many writes had ``outcome``."""
        results: Sequence[UpsertResult | DeleteResult] = (
            self.upserts if isinstance(outcome, UpsertOutcome) else self.deletes
        )
        return sum(1 for r in results if r.outcome is outcome)


@dataclass(frozen=True)
class StoredOrigin:
    """Where a stored publication came from: its key, the file it was imported from, its format."""

    key: str
    source_path: str | None
    source_format: str | None


@dataclass(frozen=True)
class StoredIdentity:
    """A stored publication found by one of its identities, with what de-duplication needs of it."""

    key: str
    source_format: str | None
    source_path: str | None


Identity = tuple[str, str]
"""``(kind, value)``: ``("pmid", "123")``, ``("doi", "10.1/x")`` (lower case) or ``("title", ...)``."""


def _columns(pub: Publication) -> dict[str, Any]:
    """The indexed copies stored beside a publication's JSON."""
    return {
        "pmid": pub.pmid,
        "doi": pub.doi,
        "title": pub.title,
        "year": pub.year,
        "journal": pub.journal_abbrev or pub.journal,
        "source_format": pub.source_format.value if pub.source_format else None,
    }


def _one_of(
    session: Session, column: InstrumentedAttribute[Any] | ColumnElement[Any], values: Collection[str]
) -> ColumnElement[bool]:
    """``column IN (values)`` with the values bound as one JSON array, not one parameter each.

    Binding hundreds of values one by one costs more in SQLAlchemy (expanding the parameter)
    than the look-ups cost in the database; the array is unpacked by the database
    (``json_each`` on SQLite, ``json_array_elements_text`` on PostgreSQL).
    """
    array = literal(json.dumps(list(values)), Text)
    if session.get_bind().dialect.name == "postgresql":
        unpacked = select(func.json_array_elements_text(cast(array, JSON)))
    else:
        unpacked = select(literal_column("value")).select_from(func.json_each(array))
    return column.in_(unpacked.scalar_subquery())


def _identity_query() -> Select[Any]:
    path = PublicationRow.data["source_path"].as_string()
    return select(PublicationRow.key, PublicationRow.pmid, PublicationRow.doi, PublicationRow.source_format, path)


def find_identities(session: Session, identities: Collection[Identity]) -> dict[Identity, StoredIdentity]:
    """The stored publications having any of ``identities``, by identity (indexed look-ups only).

    PMIDs are looked up in the PMID column, DOIs in the DOI column (as given, in lower and in
    upper case) and among the keys, titles among the keys of records stored under their title
    (those with neither PMID nor DOI). Where several rows share an identity the oldest wins.
    A record with neither PMID nor DOI is also matched by title against every stored record
    with :func:`find_titles`.
    """
    pmids = {v for k, v in identities if k == "pmid"}
    dois = {v for k, v in identities if k == "doi"}
    keys = {f"doi:{v}" for v in dois} | {f"title:{v}" for k, v in identities if k == "title"}
    found: dict[Identity, StoredIdentity] = {}
    doi_forms = {form for d in dois for form in (d, d.upper())}
    queries = [
        _identity_query().where(_one_of(session, column, values))
        for column, values in (
            (PublicationRow.pmid, pmids),
            (PublicationRow.doi, doi_forms),
            (PublicationRow.key, keys),
        )
        if values
    ]
    for query in queries:
        for key, pmid, doi, fmt, path in session.execute(query.order_by(PublicationRow.id)):
            stored = StoredIdentity(key, fmt, path)
            if key.startswith("title:"):
                found.setdefault(("title", key.removeprefix("title:")), stored)
            if pmid:
                found.setdefault(("pmid", pmid), stored)
            if doi:
                found.setdefault(("doi", doi.lower()), stored)
    return {ident: found[ident] for ident in identities if ident in found}


def find_titles(session: Session, titles: Collection[str]) -> dict[str, StoredIdentity]:
    """Stored records by title identity (``normalised title|year|first author``), any key.

    The title is not indexed: the rows of the years named are read (title, year and first
    author only) and compared. Used for the few records that have neither PMID nor DOI.
    """
    years: set[int | None] = set()
    for title in titles:
        year = title.rsplit("|", 2)[-2]
        years.add(int(year) if year.isdigit() else None)
    author = PublicationRow.data[("authors", 0, "last_name")].as_string()
    collective = PublicationRow.data[("authors", 0, "collective_name")].as_string()
    query = _identity_query().add_columns(PublicationRow.title, PublicationRow.year, author, collective)
    conditions = [PublicationRow.year.in_([y for y in years if y is not None])]
    if None in years:
        conditions.append(PublicationRow.year.is_(None))
    wanted = set(titles)
    found: dict[str, StoredIdentity] = {}
    rows = session.execute(query.where(or_(*conditions), PublicationRow.title.is_not(None)).order_by(PublicationRow.id))
    for key, _, _, fmt, path, title, year, last_name, collective_name in rows:
        ident = f"{normalise_title(title)}|{year or ''}|{(last_name or collective_name or '').lower()}"
        if ident in wanted:
            found.setdefault(ident, StoredIdentity(key, fmt, path))
    return found


def get_publications(session: Session, keys: Collection[str]) -> dict[str, Publication]:
    """The publications stored under ``keys`` (those that exist), by key."""
    out: dict[str, Publication] = {}
    if keys:
        query = select(PublicationRow.key, PublicationRow.data).where(_one_of(session, PublicationRow.key, set(keys)))
        for key, data in session.execute(query):
            out[key] = Publication.model_validate(data)
    return out


def _json_param(session: Session, name: str) -> ColumnElement[Any]:
    """A bound parameter holding JSON text already serialised, written to a JSON column as it is."""
    param = bindparam(name, type_=Text)
    return cast(param, JSON) if session.get_bind().dialect.name == "postgresql" else param


def _stored_rows(session: Session, keys: Collection[str]) -> dict[str, tuple[int, Any]]:
    """The id and JSON (as stored: text, or a parsed value where the driver parses it) of the rows under ``keys``."""
    data = cast(PublicationRow.data, Text)
    if not keys:
        return {}
    query = select(PublicationRow.key, PublicationRow.id, data).where(_one_of(session, PublicationRow.key, keys))
    return {key: (row_id, stored) for key, row_id, stored in session.execute(query)}


def _same_json(stored: Any, text: str) -> bool:
    """Whether the stored JSON ``stored`` (text or parsed) holds the same value as the JSON ``text``."""
    if stored == text:
        return True
    return bool((json.loads(stored) if isinstance(stored, str) else stored) == json.loads(text))


def upsert_publications(session: Session, batch: Sequence[PublicationUpsert]) -> list[UpsertResult]:
    """Insert or update publications by key, in order; one result per upsert.

    Each publication is serialised once (``model_dump_json``) and written as that JSON text. The
    rows touched are read with one query, new rows inserted with one
    executemany ``INSERT ... ON CONFLICT DO NOTHING`` and changed rows updated with one
    executemany ``UPDATE`` by id. A key added by another writer since the read (possible on
    PostgreSQL; SQLite transactions hold the write lock from their start) is updated instead.
    """
    keyed = [(u.publication.key(), u) for u in batch]
    wanted = {key for key, _ in keyed} | {u.replaces for u in batch if u.replaces}
    rows: dict[str, tuple[int | None, Any]] = dict(_stored_rows(session, wanted))  # as this batch leaves them
    planned: list[tuple[str, UpsertOutcome]] = []
    renamed: dict[str, str] = {}  # a key planned earlier in the batch -> the key its row took
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[int, dict[str, Any]] = {}
    for key, upsert in keyed:
        pub = upsert.publication
        data = pub.model_dump_json(exclude_none=True)
        values = {"key": key, "data": data, **_columns(pub)}
        current = rows.get(key)
        if current is None and upsert.replaces is not None and upsert.replaces in rows:
            current = rows.pop(upsert.replaces)  # the superseded row takes the new key
            renamed[upsert.replaces] = key
            if current[0] is None:
                del inserts[upsert.replaces]
        if current is None:
            inserts[key] = values
            rows[key] = (None, data)
            planned.append((key, UpsertOutcome.ADDED))
            continue
        row_id, stored = current
        rows[key] = (row_id, data)
        if _same_json(stored, data):
            planned.append((key, UpsertOutcome.UNCHANGED))
            continue
        if row_id is None:
            inserts[key] = values
        else:
            updates[row_id] = {"row_id": row_id, **values}
        planned.append((key, UpsertOutcome.UPDATED))
    ids = _insert_rows(session, list(inserts.values()))
    late = {k: v for k, v in inserts.items() if k not in ids}  # added by another writer meanwhile
    for key, (row_id, stored) in _stored_rows(session, late).items():
        ids[key] = row_id
        if _same_json(stored, late[key]["data"]):
            planned = [(k, UpsertOutcome.UNCHANGED if k == key else o) for k, o in planned]
        else:
            updates[row_id] = {"row_id": row_id, **late[key]}
            planned = [(k, UpsertOutcome.UPDATED if k == key else o) for k, o in planned]
    _update_rows(session, list(updates.values()))
    ids.update({key: row_id for key, (row_id, _) in rows.items() if row_id is not None})
    return [UpsertResult(key, ids[_final(key, renamed)], outcome) for key, outcome in planned]


def _final(key: str, renamed: dict[str, str]) -> str:
    """The key a row planned under ``key`` ends the batch with."""
    seen = {key}
    while key in renamed and renamed[key] not in seen:
        key = renamed[key]
        seen.add(key)
    return key


_WRITTEN = ("key", "pmid", "doi", "title", "year", "journal", "source_format")
"""The columns an upsert writes besides the JSON and the times."""
_SQLITE_NAMED = sqlite.dialect(paramstyle="named")
"""SQLite with ``:name`` parameters: a statement rendered for it runs on the driver with the rows' dicts as they are."""


def _run_many(session: Session, stmt: Any, rows: list[dict[str, Any]]) -> None:
    """Execute ``stmt`` once per row in one executemany.

    On SQLite the statement is rendered once and handed with the rows to the driver's
    ``executemany``: SQLAlchemy then processes no row (the rows hold only text, numbers and
    None, and times already as the text SQLite stores, see :func:`_stored_time`). Elsewhere
    SQLAlchemy runs it.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(stmt.compile(dialect=_SQLITE_NAMED).string, rows)
    else:
        session.execute(stmt, rows)


def _stored_time(session: Session) -> Any:
    """Now, as the ``created_at``/``updated_at`` of :func:`_run_many`'s rows: on SQLite the text its type stores."""
    now = utcnow()
    dialect = session.get_bind().dialect
    if dialect.name != "sqlite":
        return now
    column_type = PublicationRow.__table__.c.created_at.type
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process(now) if process else now


def _insert_rows(session: Session, values: list[dict[str, Any]]) -> dict[str, int]:
    """Insert rows whose key is absent (one executemany); the ids of those inserted, by key.

    On SQLite, whose write transactions hold the lock from their start, no other writer can
    have added a row since the batch began: the rows inserted are those with an id above the
    largest before the insert, and their ids are read back by that. On PostgreSQL the
    statement returns the keys it inserted.
    """
    if not values:
        return {}
    now = _stored_time(session)
    table = PublicationRow.__table__
    stmt = dialect_insert(session)(table).values(
        {
            **{name: bindparam(name, type_=table.c[name].type) for name in _WRITTEN},
            "data": _json_param(session, "data"),
            "created_at": bindparam("created_at", type_=table.c.created_at.type),
            "updated_at": bindparam("updated_at", type_=table.c.updated_at.type),
        }
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
    rows = [{**v, "created_at": now, "updated_at": now} for v in values]
    if session.get_bind().dialect.name != "sqlite":
        returning = stmt.returning(table.c.key, table.c.id)
        return {key: int(row_id) for key, row_id in session.execute(returning, rows)}
    last = session.scalar(select(func.max(table.c.id))) or 0
    _run_many(session, stmt, rows)
    inserted = select(table.c.key, table.c.id).where(table.c.id > last)
    return {key: int(row_id) for key, row_id in session.execute(inserted)}


def _update_rows(session: Session, values: list[dict[str, Any]]) -> None:
    """Update rows by id (``row_id``), all in one executemany."""
    if not values:
        return
    table = typed(Table, PublicationRow.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            {
                **{name: bindparam(name, type_=table.c[name].type) for name in _WRITTEN},
                "data": _json_param(session, "data"),
                "updated_at": bindparam("updated_at", type_=table.c.updated_at.type),
            }
        )
    )
    now = _stored_time(session)
    _run_many(session, stmt, [{**v, "updated_at": now} for v in values])


def delete_publication(session: Session, key: str) -> DeleteResult:
    """Delete a publication unless patients were curated from it."""
    row_id = session.scalar(select(PublicationRow.id).where(PublicationRow.key == key))
    if row_id is None:
        return DeleteResult(key, DeleteOutcome.ABSENT)
    if session.scalar(select(PatientRow.id).where(PatientRow.publication_id == row_id).limit(1)) is not None:
        return DeleteResult(key, DeleteOutcome.KEPT)
    session.execute(delete(PublicationRow).where(PublicationRow.id == row_id))
    return DeleteResult(key, DeleteOutcome.DELETED)


def write_publications(session: Session, batch: Iterable[PublicationWrite]) -> BatchResult:
    """Apply upserts and deletions in order (consecutive upserts together)."""
    result = BatchResult()
    pending: list[PublicationUpsert] = []
    for write in batch:
        if isinstance(write, PublicationUpsert):
            pending.append(write)
            continue
        result.upserts += upsert_publications(session, pending)
        pending = []
        result.deletes.append(delete_publication(session, write.key))
    result.upserts += upsert_publications(session, pending)
    return result


class PublicationBatch:
    """Look-ups and writes of one batch, in one transaction (see :meth:`PublicationRepository.batch`)."""

    def __init__(self, session: Session):
        self._session = session

    def find(self, identities: Collection[Identity]) -> dict[Identity, StoredIdentity]:
        """See :func:`find_identities`."""
        return find_identities(self._session, identities) if identities else {}

    def find_titles(self, titles: Collection[str]) -> dict[str, StoredIdentity]:
        """See :func:`find_titles`."""
        return find_titles(self._session, titles) if titles else {}

    def get(self, keys: Collection[str]) -> dict[str, Publication]:
        """See :func:`get_publications`."""
        return get_publications(self._session, keys)

    def write(self, batch: Iterable[PublicationWrite]) -> BatchResult:
        """See :func:`write_publications`."""
        return write_publications(self._session, batch)


class PublicationRepository:
    """The publications of a store.

    Parameters
    ----------
    store : Store
        The store whose transactions it uses.
    """

    def __init__(self, store: Store):
        self._store = store

    @contextmanager
    def batch(self) -> Iterator[PublicationBatch]:
        """One write transaction for a batch's look-ups and writes (committed on success)."""
        with self._store.session() as session:
            yield PublicationBatch(session)

    def write(self, batch: Iterable[PublicationWrite]) -> BatchResult:
        """Apply a batch of writes in one transaction."""
        with self.batch() as tx:
            return tx.write(batch)

    def upsert_publications(self, batch: Sequence[PublicationUpsert]) -> list[UpsertResult]:
        """Upsert a batch of publications in one transaction (see :func:`upsert_publications`)."""
        with self._store.session() as session:
            return upsert_publications(session, batch)

    def delete_publication(self, key: str) -> DeleteResult:
        """Delete one publication (see :func:`delete_publication`)."""
        with self._store.session() as session:
            return delete_publication(session, key)

    def origins(self, batch: int = 5000) -> Iterator[StoredOrigin]:
        """Every stored publication's key, file and format, in storage order (read in batches, no JSON parsed)."""
        t = PublicationRow
        path = t.data["source_path"].as_string()
        last = 0
        while True:
            with self._store.session() as session:
                rows = session.execute(
                    select(t.id, t.key, path, t.source_format).where(t.id > last).order_by(t.id).limit(batch)
                ).all()
            if not rows:
                return
            for _, key, source_path, source_format in rows:
                yield StoredOrigin(key, source_path, source_format)
            last = rows[-1][0]

    def get(self, keys: Collection[str]) -> dict[str, Publication]:
        """The publications stored under ``keys`` (those that exist), by key (see :func:`get_publications`)."""
        with self._store.session() as session:
            return get_publications(session, keys)
