"""Every file of ``../shared/data/real-files`` (other projects' test data), read in place.

Each file either reads completely, reads with counted and named skips, or is refused (exit 2)
with a line naming the format it looks like, and no record an independent parser finds is lost:
PubMed XML against pubmed_parser, MEDLINE against Biopython, RIS against rispy, JATS against
pubmed_parser. Skipped when the folder is absent.
"""

from __future__ import annotations

import difflib
import gzip
import re
import warnings
from pathlib import Path

import pytest
from tests.conftest import SHARED

from caseseries.errors import FormatError
from caseseries.sources.importer import Record, Skip, clean, open_source
from caseseries.sources.registry import resolve_importer

REAL = SHARED / "data" / "real-files"
FILES = (
    sorted(p for p in REAL.rglob("*") if p.is_file() and p.name not in ("README.md", "SOURCES.txt"))
    if REAL.is_dir()
    else []
)
pytestmark = pytest.mark.skipif(not FILES, reason="../shared/data/real-files is absent")

# Files made broken or templated on purpose by their projects, and what we say about them.
BROKEN = {
    "MedlinePlainImporterTestInvalidFormat.xml": "refused",
    "RisImporterCorrupted.ris": "no-ty",
    "MedlineImporterTestMalformedEntry.xml": "xml-error",
    "MedlineImporterTestMinimalEntry.xml": "no-pmid",
}

OTHER_PARSER_WRONG = {
    # "PMID-22664220" without the space after the dash: Biopython drops the first digit of the PMID
    "MedlinePlainImporterTestDOI.txt",
    "MedlinePlainImporterTestInproceeding.txt",
}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _independent(fmt: str, path: Path, tmp: Path) -> list[tuple[str | None, str | None]] | None:
    """(PMID, title) of each record as an independent parser reads the file (None: no parser for it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == "pubmed-xml":
            import pubmed_parser

            if path.name in BROKEN:
                return None  # pubmed_parser stops at these
            if path.suffix != ".gz":  # pubmed_parser reads gzip files only: a compressed copy, outside the repository
                packed = tmp / (path.name + ".gz")
                packed.write_bytes(gzip.compress(path.read_bytes()))
                path = packed
            return [(d.get("pmid") or None, d.get("title") or None) for d in pubmed_parser.parse_medline_xml(str(path))]
        if fmt == "medline":
            from Bio import Medline

            with open(path, encoding="utf-8-sig") as handle:
                return [(r.get("PMID"), r.get("TI")) for r in Medline.parse(handle) if r]
        if fmt == "ris":
            import rispy

            with open(path, encoding="utf-8-sig") as handle:
                entries = rispy.load(handle, skip_unknown_tags=True)
            return [(None, e.get("title") or e.get("primary_title")) for e in entries]
        if fmt == "jats":
            import pubmed_parser

            try:
                d = pubmed_parser.parse_pubmed_xml(str(path))
            except Exception:  # namespaced JATS 1.3 and article sets are beyond it
                return None
            return [(d.get("pmid") or None, d.get("full_title") or None)] if d else None
    return None


@pytest.mark.parametrize("path", FILES, ids=[_name(p) for p in FILES])
def test_real_file_reads_completely_or_says_why(path: Path, tmp_path: Path) -> None:
    try:
        importer = resolve_importer(path)
    except FormatError as err:
        message = str(err)
        assert message.startswith(f"{path}: ") and "\n" not in message
        assert "it looks like" in message or "convert it to one of: csv, ids, jats" in message
        assert BROKEN.get(path.name) == "refused", f"{_name(path)} refused: {message}"
        return
    if importer.name == "ids":  # its records are fetched from PubMed: not in the offline test run
        with open_source(path) as stream:
            assert all(re.fullmatch(rb"\s*\d+\s*", line) for line in stream if line.strip())
        return
    items = list(importer.read(path))
    records = [i.publication for i in items if isinstance(i, Record)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert items, f"{_name(path)}: nothing read and nothing skipped"
    for skip in skips:
        assert skip.reason and skip.location and skip.message and "\n" not in skip.message
    if path.name in BROKEN:
        assert BROKEN[path.name] in [s.reason for s in skips]
    expected = _independent(importer.name, path, tmp_path)
    if expected is None:
        return
    if path.name in OTHER_PARSER_WRONG:
        expected = [(None, title) for _, title in expected]
    assert len(records) + len(skips) >= len(expected), f"{_name(path)}: fewer records than the independent parser"
    ours = {p.pmid for p in records}
    if not skips:
        assert {pmid for pmid, _ in expected if pmid} <= ours
        assert len(records) >= len(expected)
    if importer.name in ("pubmed-xml", "medline") and not skips:
        titles = {p.pmid: clean(p.title) for p in records}
        for pmid, title in expected:
            if pmid and title and titles.get(pmid):
                # pubmed_parser drops the text of inline markup (<i>PTEN</i>): close, not equal
                same = difflib.SequenceMatcher(None, _letters(titles[pmid]), _letters(title)).ratio()
                assert same >= 0.9, f"{_name(path)}: PMID {pmid} title differs"


def _letters(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix in (".xml", ".nxml")], ids=lambda p: _name(p))
def test_jats_reference_lists_are_structured_and_not_in_the_text(path: Path) -> None:
    try:
        importer = resolve_importer(path)
    except FormatError:
        return
    if importer.name != "jats":
        return
    for item in importer.read(path):
        if not isinstance(item, Record) or not item.publication.references:
            continue
        pub = item.publication
        structured = [c for c in pub.references if c.title or c.journal or c.authors or c.year]
        assert len(structured) >= 0.9 * len(pub.references)
        assert pub.text is not None
        glued = [c for c in pub.references if c.title and len(c.title) > 30 and c.title in pub.text]
        assert len(glued) <= 0.1 * len(pub.references)  # titles cited in the prose aside, not the list
