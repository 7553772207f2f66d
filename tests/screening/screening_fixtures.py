"""The fixture review of the screening tests: records, searches, an import and patients in a database."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.console import Console

from caseseries.model import CaseDocument, CaseFile, Patient, Source
from caseseries.model.publication import Publication, SearchRecord
from caseseries.screening import Protocol, load_protocol
from caseseries.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "screening"


def quiet() -> Console:
    """A console that prints nowhere (a review session's records)."""
    return Console(file=io.StringIO(), width=100)


@dataclass
class Review:
    """A stored fixture review."""

    store: Store
    protocol: Protocol
    protocol_path: Path
    publications: dict[str, Publication]


def write_review(url: str, folder: Path) -> Review:
    """Store the fixture review's records, searches and patients; copy its protocol to ``folder``."""
    protocol_path = folder / "protocol.yaml"
    shutil.copy(DATA / "protocol.yaml", protocol_path)
    import_path = folder / "extra.ris"
    import_path.write_text("TY  - JOUR\nER  -\n", "utf-8")
    store = Store.open(url)
    by_source: dict[str, list[str]] = {}
    pubs: dict[str, Publication] = {}
    for item in yaml.safe_load((DATA / "records.yaml").read_text("utf-8")):
        data = dict(item["pub"])
        if "extra.ris" in item["sources"]:
            data["source_path"] = str(import_path)
        pub = Publication.model_validate(data)
        store.upsert_publication(pub)
        pubs[pub.key()] = pub
        for source in item["sources"]:
            by_source.setdefault(source, []).append(pub.pmid or "")
    for name, query in (
        ("imt-alectinib", '"inflammatory myofibroblastic tumor" AND "alectinib"'),
        ("imt-alk", '"inflammatory myofibroblastic tumor" AND "ALK"'),
    ):
        pmids = by_source[name]
        store.save_search(
            SearchRecord(query=query, name=name, run_at="2023-07-31T00:00:00Z", count=len(pmids), pmids=pmids)
        )
    store.add_case_file(
        CaseFile(
            documents=[
                CaseDocument(source=Source(pmid="1001"), patients=[Patient(label="index patient")]),
                CaseDocument(
                    source=Source(doi="10.1000/imt.2023.7"),
                    patients=[Patient(label="case 1"), Patient(label="case 2")],
                ),
            ]
        )
    )
    return Review(store, load_protocol(protocol_path), protocol_path, pubs)
