"""The publications repository: batched upserts and deletions with typed results, identity look-ups."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseseries.model import CaseDocument, CaseFile, Patient, Source
from caseseries.model.publication import Author, Publication
from caseseries.sources.importer import Deletion, ImportItem, Record
from caseseries.sources.ingest import import_files, import_items
from caseseries.sources.writers import pubmed_xml
from caseseries.store import Store
from caseseries.store.publications import (
    DeleteOutcome,
    PublicationDelete,
    PublicationRepository,
    PublicationUpsert,
    UpsertOutcome,
)


def pub(pmid: str | None, title: str = "A tumour", **fields: object) -> Publication:
    return Publication.model_validate({"pmid": pmid, "title": title, "year": 2020, **fields})


def test_batch_outcomes_in_order(db_url: str) -> None:
    store = Store.open(db_url)
    repo = PublicationRepository(store)
    first = repo.write([PublicationUpsert(pub("1")), PublicationUpsert(pub("2")), PublicationUpsert(pub("1"))])
    assert [(r.key, r.outcome) for r in first.upserts] == [
        ("pmid:1", UpsertOutcome.ADDED),
        ("pmid:2", UpsertOutcome.ADDED),
        ("pmid:1", UpsertOutcome.UNCHANGED),
    ]
    assert first.upserts[0].id == first.upserts[2].id != first.upserts[1].id
    again = repo.write([PublicationUpsert(pub("1", "A revised tumour")), PublicationUpsert(pub("2"))])
    assert [r.outcome for r in again.upserts] == [UpsertOutcome.UPDATED, UpsertOutcome.UNCHANGED]
    assert [r.id for r in again.upserts] == [first.upserts[0].id, first.upserts[1].id]
    stored = store.get_publication("pmid:1")
    assert stored is not None and stored.title == "A revised tumour"
    assert again.count(UpsertOutcome.UNCHANGED) == 1


def test_replaces_renames_the_row_and_keeps_its_patients(db_url: str) -> None:
    store = Store.open(db_url)
    doc = CaseDocument(source=Source(doi="10.1000/abc", title="A tumour"), patients=[Patient(label="p1")])
    store.add_case_file(CaseFile(documents=[doc]))
    (before,) = [sp.id for sp in store.patients()]
    merged = pub("77", doi="10.1000/abc")
    result = PublicationRepository(store).write([PublicationUpsert(merged, replaces="doi:10.1000/abc")])
    assert [(r.key, r.outcome) for r in result.upserts] == [("pmid:77", UpsertOutcome.UPDATED)]
    assert not store.has_publication("doi:10.1000/abc")
    assert [(sp.id, sp.publication_key) for sp in store.patients()] == [(before, "pmid:77")]


def test_replaces_within_one_batch(db_url: str) -> None:
    store = Store.open(db_url)
    result = PublicationRepository(store).write(
        [PublicationUpsert(pub(None, doi="10.1/x")), PublicationUpsert(pub("5", doi="10.1/x"), replaces="doi:10.1/x")]
    )
    assert [r.outcome for r in result.upserts] == [UpsertOutcome.ADDED, UpsertOutcome.UPDATED]
    assert result.upserts[0].id == result.upserts[1].id
    assert [p.key() for p in store.iter_publications()] == ["pmid:5"]


def test_deletions_say_what_they_did(db_url: str) -> None:
    store = Store.open(db_url)
    doc = CaseDocument(source=Source(pmid="9"), patients=[Patient(label="p1")])
    store.add_case_file(CaseFile(documents=[doc]))
    result = PublicationRepository(store).write(
        [
            PublicationUpsert(pub("8")),
            PublicationDelete("pmid:8"),
            PublicationDelete("pmid:9"),
            PublicationDelete("pmid:10"),
            PublicationUpsert(pub("8")),
        ]
    )
    assert [(d.key, d.outcome) for d in result.deletes] == [
        ("pmid:8", DeleteOutcome.DELETED),
        ("pmid:9", DeleteOutcome.KEPT),
        ("pmid:10", DeleteOutcome.ABSENT),
    ]
    assert [r.outcome for r in result.upserts] == [UpsertOutcome.ADDED, UpsertOutcome.ADDED]
    assert store.has_publication("pmid:8") and store.has_publication("pmid:9")
    assert store.delete_publication("pmid:8") == "deleted"
    assert store.upsert_publication(pub("8"))[1] == "added"


def test_import_never_reads_the_whole_store(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Duplicates are found by look-ups: an import works with the store's full read disabled."""
    store = Store.open(db_url)
    store.upsert_publication(pub(None, doi="10.1000/DUP", source_format="ris"))

    def no_full_read(self: Store, batch: int = 1000) -> None:
        raise AssertionError("the whole store was read")

    monkeypatch.setattr(Store, "iter_publications", no_full_read)
    path = tmp_path / "records.xml"
    path.write_text(pubmed_xml([pub("1", doi="10.1000/dup"), pub("2", "Another tumour")]))
    report = import_files(store, [path])
    assert (report.read, report.added, report.merged, report.updated) == (2, 1, 1, 1)
    assert [str(m).split(": ", 2)[2] for m in report.merges] == ["pmid:1 merged into doi:10.1000/dup (same DOI)"]
    again = import_files(store, [path], batch_size=1)
    assert (again.read, again.added, again.unchanged, again.merged) == (2, 0, 2, 0)


def test_title_only_record_merges_into_a_stored_pubmed_record(db_url: str) -> None:
    store = Store.open(db_url)
    authors = [Author(last_name="Okafor", initials="C")]
    store.upsert_publication(pub("31", "An ALK-positive tumour: a case", authors=authors, source_format="pubmed-xml"))
    ris = pub(None, "An ALK positive tumour - a case.", authors=authors, source_format="ris")
    report = import_items([Record(ris, "list.ris", "record 1")], store)
    assert (report.merged, report.added, report.updated) == (1, 0, 1)
    assert report.merges[0].into == "pmid:31"
    assert [p.key() for p in Store(db_url).iter_publications()] == ["pmid:31"]


def test_pubmed_records_keep_the_file_they_were_imported_from(db_url: str, tmp_path: Path) -> None:
    """A record first stored without a file (a search) is given the file it is imported from."""
    store = Store.open(db_url)
    store.upsert_publication(pub("41", source_format="pubmed-xml"))
    path = tmp_path / "export.xml"
    path.write_text(pubmed_xml([pub("41"), pub("42", "Another tumour")]))
    import_files(store, [path])
    paths = {p.key(): p.source_path for p in store.iter_publications()}
    assert paths == {"pmid:41": str(path), "pmid:42": str(path)}
    other = tmp_path / "again.xml"
    other.write_text(pubmed_xml([pub("41", "A revised tumour")]))
    import_files(store, [other])
    revised = store.get_publication("pmid:41")
    assert revised is not None and (revised.title, revised.source_path) == ("A revised tumour", str(path))


def test_a_deletion_and_a_revision_in_one_batch(db_url: str) -> None:
    store = Store.open(db_url)
    import_items([Record(pub("51"), "a.xml", "record 1"), Record(pub("52", "Second"), "a.xml", "record 2")], store)
    items: list[ImportItem] = [
        Deletion("51", "u.xml", "DeleteCitation PMID 1"),
        Record(pub("52", "Revised"), "u.xml", "record 1"),
        Record(pub("51", "Back again"), "u.xml", "record 2"),
    ]
    report = import_items(items, store)
    assert (report.read, report.deleted, report.added, report.updated, report.merged) == (3, 1, 1, 1, 0)
    assert {p.key(): p.title for p in store.iter_publications()} == {"pmid:52": "Revised", "pmid:51": "Back again"}


def test_a_row_written_as_other_json_text_is_unchanged_by_the_same_record(db_url: str) -> None:
    # rows written before publications were stored as model_dump_json text hold json.dumps text
    from sqlalchemy import update

    from caseseries.store.schema import PublicationRow

    store = Store.open(db_url)
    repo = PublicationRepository(store)
    record = pub("7", authors=[Author(last_name="Rossi", initials="M")])
    repo.write([PublicationUpsert(record)])
    with store.session() as session:
        session.execute(update(PublicationRow).values(data=record.model_dump(mode="json", exclude_none=True)))
    again = repo.write([PublicationUpsert(record), PublicationUpsert(pub("7", "A changed tumour"))])
    assert [r.outcome for r in again.upserts] == [UpsertOutcome.UNCHANGED, UpsertOutcome.UPDATED]
    assert repo.get(["pmid:7"])["pmid:7"].title == "A changed tumour"
