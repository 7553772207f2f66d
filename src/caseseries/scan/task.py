"""One scan task: read one file, pre-filter, screen and extract its records, write Parquet.

A PubMed XML file is read lightly (:mod:`caseseries.scan.light`): only the records that pass the
pre-filter are read in full; a file the light reading is not certain of is read by the importer,
with the same tables and counts.

A task is a pure function of its file and the protocol, so that Dask may run it on any worker,
run it again when a worker dies, and a resumed scan may skip it when its output is complete.
Each table is written to a temporary name and then renamed, and the client records the file in
the scan manifest only after the task has returned, so a file is either wholly done or not done.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from caseseries.extraction import extract_publication, get_extractor
from caseseries.model.publication import Publication
from caseseries.scan.light import NotLightError, light_items
from caseseries.scan.prefilter import passes_prefilter
from caseseries.screening.protocol import Decision, Protocol, Stage, load_protocol
from caseseries.screening.rules import ScreeningRecord, suggest
from caseseries.sources.importer import Deletion, ImportItem, Record, Skip

TABLES = ("records", "suggestions", "candidates", "patients", "lines", "evidence", "deletions")
"""The Parquet tables written per input file (``<stem>.<table>.parquet``)."""

CANDIDATE_DECISIONS = frozenset({Decision.INCLUDE, Decision.MAYBE})
"""Rule suggestions that make a record a candidate (extracted, and loaded by ``--into-store``)."""

_SCHEMAS: dict[str, pa.Schema] = {
    "records": pa.schema(
        [
            ("key", pa.string()),
            ("pmid", pa.string()),
            ("version", pa.int32()),
            ("year", pa.int32()),
            ("title", pa.string()),
            ("doi", pa.string()),
            ("location", pa.string()),
            ("prefilter", pa.bool_()),
        ]
    ),
    "suggestions": pa.schema(
        [
            ("key", pa.string()),
            ("pmid", pa.string()),
            ("decision", pa.string()),
            ("rule_id", pa.string()),
            ("reason", pa.string()),
            ("score", pa.float64()),
        ]
    ),
    "candidates": pa.schema(
        [("key", pa.string()), ("pmid", pa.string()), ("version", pa.int32()), ("publication", pa.string())]
    ),
    "patients": pa.schema(
        [
            ("key", pa.string()),
            ("pmid", pa.string()),
            ("label", pa.string()),
            ("age_years", pa.float64()),
            ("sex", pa.string()),
            ("diagnosis", pa.string()),
            ("primary_site", pa.string()),
            ("fusions", pa.list_(pa.string())),
            ("lines", pa.int32()),
            ("patient", pa.string()),
        ]
    ),
    "lines": pa.schema(
        [
            ("key", pa.string()),
            ("label", pa.string()),
            ("line", pa.int32()),
            ("agents", pa.list_(pa.string())),
            ("best_response", pa.string()),
            ("pfs_months", pa.float64()),
            ("pfs_censored", pa.bool_()),
        ]
    ),
    "evidence": pa.schema(
        [
            ("key", pa.string()),
            ("label", pa.string()),
            ("field", pa.string()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
        ]
    ),
    "deletions": pa.schema([("pmid", pa.string()), ("location", pa.string())]),
}


@dataclass
class FileResult:
    """What one task did with one file (the numbers the scan summary adds up).

    Attributes
    ----------
    name : str
        The output stem of the file (its name without ``.xml``/``.gz``).
    path : str
        The file as given.
    records : int
        Records read (revised versions and deletions are counted where they are applied).
    prefiltered : int
        Records that named a vocabulary term.
    candidates : int
        Records the rules suggested including (or "maybe").
    patients : int
        Patients extracted from the candidates.
    lines : int
        Therapy lines of those patients.
    deletions : int
        ``DeleteCitation`` entries.
    skipped : int
        Records that could not be read (each named in ``skips``).
    skips : list of str
        One line per skipped record: file, location, reason.
    """

    name: str
    path: str
    records: int = 0
    prefiltered: int = 0
    candidates: int = 0
    patients: int = 0
    lines: int = 0
    deletions: int = 0
    skipped: int = 0
    skips: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return asdict(self)


def output_name(path: str) -> str:
    """The stem the outputs of ``path`` are named after (``pubmed25n0001.xml.gz`` -> ``pubmed25n0001``)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".gz", ".xml", ".txt", ".nbib"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or "input"


def _wants(record: Record) -> bool:
    return passes_prefilter(record.publication)


def _items(path: str, light: bool) -> Iterator[tuple[ImportItem, bool | None]]:
    """The importer items of a local file or an fsspec URL (``s3://``, ``gcs://``, ``file://`` ...).

    Each with whether the record passes the pre-filter when the light reading already knows
    (None when it is still to be seen). ``light`` reads a PubMed XML file lightly.
    """
    from caseseries.sources.importer import open_source
    from caseseries.sources.pubmed_xml import PubmedXmlImporter

    if "://" in path:
        import fsspec

        with fsspec.open(path, "rb", compression="infer") as stream:
            if light:
                yield from light_items(stream, path, _wants)
            else:
                yield from ((item, None) for item in PubmedXmlImporter().read_stream(stream, path))
        return
    from caseseries.sources.registry import resolve_importer

    importer = resolve_importer(path)
    if light and isinstance(importer, PubmedXmlImporter):
        with open_source(path) as local:
            yield from light_items(local, path, _wants)
    else:
        yield from ((item, None) for item in importer.read(path))


class _Tables:
    """Rows of every output table, collected column by column."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[Any]]] = {t: {f.name: [] for f in _SCHEMAS[t]} for t in TABLES}

    def add(self, table: str, **values: Any) -> None:
        cols = self.rows[table]
        for name, column in cols.items():
            column.append(values.get(name))

    def write(self, out_dir: Path, stem: str) -> None:
        """Write every table (each atomically: a temporary file renamed into place)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            arrow = pa.table(self.rows[table], schema=_SCHEMAS[table])
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".{stem}.{table}.", suffix=".part")
            os.close(fd)
            try:
                pq.write_table(arrow, tmp)
                os.replace(tmp, out_dir / f"{stem}.{table}.parquet")
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


def _record(item: Record, protocol: Protocol, tables: _Tables, result: FileResult, passed: bool | None) -> None:
    pub: Publication = item.publication
    key = pub.key()
    if passed is None:
        passed = passes_prefilter(pub)
    result.records += 1
    tables.add(
        "records",
        key=key,
        pmid=pub.pmid,
        version=item.version,
        year=pub.year,
        title=pub.title,
        doi=pub.doi,
        location=item.location,
        prefilter=passed,
    )
    if not passed:
        return
    result.prefiltered += 1
    record = ScreeningRecord(pub, extractor=get_extractor("rules"))
    s = suggest(protocol, record, Stage.TITLE_ABSTRACT)
    tables.add(
        "suggestions",
        key=key,
        pmid=pub.pmid,
        decision=s.decision.value,
        rule_id=s.rule_id,
        reason=s.reason,
        score=s.score,
    )
    if s.decision not in CANDIDATE_DECISIONS:
        return
    result.candidates += 1
    tables.add("candidates", key=key, pmid=pub.pmid, version=item.version, publication=pub.model_dump_json())
    for patient in extract_publication(pub).document.patients:
        result.patients += 1
        result.lines += len(patient.lines)
        tables.add(
            "patients",
            key=key,
            pmid=pub.pmid,
            label=patient.label,
            age_years=patient.age_years,
            sex=patient.sex.value if patient.sex else None,
            diagnosis=patient.diagnosis,
            primary_site=patient.primary_site,
            fusions=[f"{f.gene5 or '?'}::{f.gene3 or '?'}" for f in patient.fusions],
            lines=len(patient.lines),
            patient=json.dumps(patient.model_dump(mode="json"), ensure_ascii=False),
        )
        for line in patient.lines:
            tables.add(
                "lines",
                key=key,
                label=patient.label,
                line=line.line,
                agents=list(line.agents),
                best_response=line.best_response.value if line.best_response else None,
                pfs_months=line.pfs_months,
                pfs_censored=line.pfs_censored,
            )
        for ev in patient.all_evidence():
            tables.add(
                "evidence", key=key, label=patient.label, field=ev.field, start=ev.start, end=ev.end, text=ev.text
            )


@lru_cache(maxsize=8)
def _protocol(ref: str, mtime_ns: int) -> Protocol:
    return load_protocol(ref)


def protocol_of(ref: str) -> Protocol:
    """The protocol ``ref`` names, read once per worker (again when its file has changed)."""
    try:
        mtime = os.stat(ref).st_mtime_ns
    except OSError:
        mtime = -1  # a shipped protocol's name
    return _protocol(ref, mtime)


def _scan(path: str, protocol: Protocol, result: FileResult, *, light: bool) -> _Tables:
    tables = _Tables()
    for item, passed in _items(path, light):
        if isinstance(item, Skip):
            result.skipped += 1
            result.skips.append(str(item))
        elif isinstance(item, Deletion):
            result.deletions += 1
            tables.add("deletions", pmid=item.pmid, location=item.location)
        else:
            _record(item, protocol, tables, result, passed)
    return tables


def scan_file(path: str, protocol_ref: str, out_dir: str, *, light: bool = True) -> FileResult:
    """Scan one file: every record pre-filtered, screened by the protocol's rules, candidates extracted.

    Parameters
    ----------
    path : str
        A PubMed XML file (gzip or not; any importable format works), or an fsspec URL.
    protocol_ref : str
        The protocol file or shipped protocol name (loaded on the worker).
    out_dir : str
        The scan's output folder; the tables are ``<stem>.<table>.parquet`` there.
    light : bool
        Read a PubMed XML file lightly (the default); False reads every record in full, as
        ``caseseries import`` does (the same tables and counts, more slowly).

    Returns
    -------
    FileResult
        The counts of the file.
    """
    protocol = protocol_of(protocol_ref)
    stem = output_name(path)
    result = FileResult(name=stem, path=path)
    try:
        tables = _scan(path, protocol, result, light=light)
    except NotLightError:  # read again, wholly by the importer
        result = FileResult(name=stem, path=path)
        tables = _scan(path, protocol, result, light=False)
    tables.write(Path(out_dir), stem)
    return result
