"""A made-up screening review for the web tests: records, a stored search and a protocol file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caseseries.model.publication import Publication, SearchRecord
from caseseries.screening import Protocol, load_protocol
from caseseries.store import Store

PROTOCOL = """\
name: web-review
question: Which reports describe children with a spindle-cell tumour treated with alectinib?
searches:
  - name: web-search
    query: 'spindle cell tumour AND alectinib'
criteria:
  - id: lab-only
    type: term
    pattern: 'in mice|cell lines? only'
    action: exclude
    reason: laboratory study without patients
  - id: alectinib
    type: drug
    drugs: [alectinib]
    action: include
    reason: treated with alectinib
"""

_TOPICS = [
    "A girl with a spindle-cell tumour of the bladder was given alectinib and the mass shrank.",
    "We describe a boy whose abdominal tumour responded to alectinib over nine months.",
    "Growth of tumour grafts in mice slowed under a kinase inhibitor.",
    "A teenager received chemotherapy alone for a lung mass; no kinase inhibitor was used.",
    "An infant with a neck tumour was watched without treatment and the lesion regressed.",
]


@dataclass
class WebReview:
    """A stored review: its protocol, the file it was read from, and the record keys."""

    protocol: Protocol
    path: Path
    keys: list[str]


def write_web_review(store: Store, folder: Path, n: int = 12, *, start: int = 900001) -> WebReview:
    """Store ``n`` records found by one stored search, and write the protocol to ``folder``."""
    pmids = [str(start + i) for i in range(n)]
    pubs = []
    for i, pmid in enumerate(pmids):
        pubs.append(
            Publication(
                pmid=pmid,
                title=f"Record {i + 1}: spindle-cell tumour report number {i + 1}",
                abstract=[{"text": _TOPICS[i % len(_TOPICS)]}],
                publication_types=["Journal Article", "Case Reports"],
                language="eng",
                year=2015 + i % 9,
                mesh_terms=["Humans"],
            )
        )
    for pub in pubs:
        store.upsert_publication(pub)
    store.save_search(
        SearchRecord(
            query="spindle cell tumour AND alectinib",
            name="web-search",
            run_at="2026-01-01T00:00:00Z",
            count=n,
            pmids=pmids,
        )
    )
    path = folder / "web-review.yaml"
    path.write_text(PROTOCOL, "utf-8")
    return WebReview(load_protocol(path), path, [f"pmid:{p}" for p in pmids])
