"""Baseline- and update-like PubMed XML files for the scan tests, written with our own writer.

Every ``case_every``-th record is a short case report of an ALK-positive IMT treated with
alectinib (a candidate of the first-line alectinib protocol, with one patient and one line);
the others are about an unrelated subject and name no vocabulary term.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml

PROTOCOL = "alk-imt-alectinib-first-line"
CASE_EVERY = 10


def _publication(i: int, case: bool) -> Publication:
    if case:
        title = f"ALK-positive inflammatory myofibroblastic tumour of the lung treated with alectinib: case {i}"
        text = (
            f"We report a {20 + i % 50}-year-old woman with an ALK-positive inflammatory myofibroblastic tumour "
            f"of the lung. She received alectinib 600 mg twice daily and had a partial response lasting "
            f"{3 + i % 20} months."
        )
        types = ["Case Reports"]
    else:
        title = f"Walking speed after knee replacement in older adults, cohort {i}"
        text = "We followed 120 adults for two years after knee replacement and measured walking speed."
        types = ["Journal Article"]
    return Publication(
        pmid=str(1000 + i), title=title, year=2021, language="eng", publication_types=types, journal="J Test",
        authors=[Author(last_name="Lindqvist", initials="K")], abstract=[AbstractSection(text=text)],
    )


def make_file(
    path: Path, start: int, n: int, *, version: int = 1, case_every: int | None = CASE_EVERY,
    deletes: list[str] | tuple[str, ...] = (),
) -> None:
    """Write records ``start .. start+n-1`` (PMIDs from 1000), then a ``DeleteCitation`` of ``deletes``."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(PUBMED_XML_HEADER + "<PubmedArticleSet>\n")
        for i in range(start, start + n):
            case = case_every is not None and i % case_every == 0
            out.write(pubmed_article_xml(_publication(i, case), version=version) + "\n")
        if deletes:
            pmids = "".join(f'<PMID Version="1">{p}</PMID>' for p in deletes)
            out.write(f"<DeleteCitation>{pmids}</DeleteCitation>\n")
        out.write("</PubmedArticleSet>\n")


def expected(n: int, *, revised_away: int = 0, deleted: int = 0) -> int:
    """Candidates among ``n`` records written with the default ``case_every``, after updates."""
    return len(range(0, n, CASE_EVERY)) - revised_away - deleted
