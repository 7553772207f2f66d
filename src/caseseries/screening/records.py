"""The records a protocol screens: its stored searches (by name or query) and its imported files.

With ``records: all`` in the protocol, every stored record is screened: the runs of its
searches that exist, and every other record a search or an import brought, grouped by the file
it was imported from (the sources of curated or extracted cases are not records to screen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from caseseries.extraction.base import Extractor
from caseseries.extraction.registry import get_extractor
from caseseries.model.publication import SearchRecord
from caseseries.screening.protocol import Protocol, RecordScope, Search
from caseseries.screening.rules import ScreeningRecord, needs_extractor
from caseseries.store import Store
from caseseries.store.publications import PublicationRepository


@dataclass
class SourceRecords:
    """What one source of the protocol contributed.

    Attributes
    ----------
    name : str
        The protocol's search name, or the import file name.
    kind : str
        ``database`` for a search, ``import`` for a record file.
    detail : str
        The query (with the run date) or the file path.
    keys : list of str
        Publication keys in source order (including records not stored).
    """

    name: str
    kind: str
    detail: str
    keys: list[str] = field(default_factory=list)

    @property
    def identified(self) -> int:
        """Number of records the source returned."""
        return len(self.keys)


@dataclass
class RecordSet:
    """The records of a protocol: per source, de-duplicated, and those identified but not stored."""

    sources: list[SourceRecords]
    records: dict[str, ScreeningRecord]
    missing: list[str]

    @property
    def identified(self) -> int:
        """Records identified, summed over sources (duplicates counted per source)."""
        return sum(s.identified for s in self.sources)

    @property
    def unique(self) -> int:
        """Distinct records (stored or not)."""
        return len(self.records) + len(self.missing)

    @property
    def duplicates(self) -> int:
        """Records removed as duplicates."""
        return self.identified - self.unique


def _normal_query(query: str) -> str:
    text = query.replace("\u201c", '"').replace("\u201d", '"').replace("'", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def find_search(stored: list[tuple[int, SearchRecord]], search: Search) -> SearchRecord | None:
    """The newest stored run of a protocol search, matched by name, else by query.

    Parameters
    ----------
    stored : list of (id, SearchRecord)
        From :meth:`Store.searches`.
    search : Search
        The protocol's search.

    Returns
    -------
    SearchRecord or None
        Runs with the protocol's date range are preferred.
    """
    by_name = [(i, s) for i, s in stored if s.name == search.name]
    candidates = by_name or [(i, s) for i, s in stored if _normal_query(s.query) == _normal_query(search.query)]
    if not candidates:
        return None
    same_dates = [(i, s) for i, s in candidates if (s.mindate, s.maxdate) == (search.mindate, search.maxdate)]
    return max(same_dates or candidates, key=lambda c: c[0])[1]


def _same_file(stored: str | None, wanted: Path) -> bool:
    if not stored:
        return False
    try:
        return Path(stored).resolve() == wanted.resolve()
    except OSError:
        return False


@dataclass
class RecordPlan:
    """Which stored records a protocol screens, by key, before any record is read.

    Attributes
    ----------
    sources : list of SourceRecords
        Per-source keys.
    found_in : dict
        Key of every stored record to screen -> names of the sources that found it, in source order.
    missing : list of str
        Keys a search found that are not stored.
    """

    sources: list[SourceRecords]
    found_in: dict[str, list[str]]
    missing: list[str]

    def records(
        self,
        store: Store,
        *,
        extractor: Extractor | None = None,
        batch: int = 1000,
        keys: Iterable[str] | None = None,
    ) -> Iterator[tuple[str, ScreeningRecord]]:
        """The records (or those of ``keys``), in source order, read ``batch`` at a time (only one batch is held)."""
        keys = list(self.found_in) if keys is None else [k for k in keys if k in self.found_in]
        repository = PublicationRepository(store)
        for start in range(0, len(keys), batch):
            chunk = keys[start : start + batch]
            pubs = repository.get(chunk)
            for key in chunk:
                if key in pubs:
                    yield key, ScreeningRecord(pubs[key], self.found_in[key], extractor=extractor)


def record_plan(store: Store, protocol: Protocol) -> RecordPlan:
    """Work out the records of a protocol from the store's keys and source files (no record is read).

    See :func:`protocol_records` for what is gathered and what is raised.
    """
    every = protocol.records is RecordScope.ALL
    stored_searches = store.searches()
    sources: list[SourceRecords] = []
    for i, search in enumerate(protocol.searches):
        run = find_search(stored_searches, search)
        if run is None and every:
            continue
        if run is None:
            raise protocol.error(
                ("searches", i, "name"),
                f"no stored search named {search.name!r} or with the query {search.query!r}; "
                f"run: caseseries search '{search.query}' first, or screen the imported records "
                "with 'records: all' in the protocol",
            )
        keys = [f"pmid:{p}" for p in run.pmids]
        sources.append(SourceRecords(search.name, "database", f"{run.query} (run {run.run_at})", keys))
    imports = protocol.import_paths()
    by_import: dict[int, list[str]] = {i: [] for i in range(len(imports))}
    wanted = {k for s in sources for k in s.keys}
    found: set[str] = set()
    others: dict[str, list[str]] = {}
    if not imports and not every:  # only the searches' records: which of them are stored is enough
        found = wanted & store.decisions.publication_keys()
    for origin in PublicationRepository(store).origins() if imports or every else ():
        key = origin.key
        listed = key in wanted
        if listed:
            found.add(key)
        for i, path in enumerate(imports):
            if _same_file(origin.source_path, path):
                by_import[i].append(key)
                listed = True
        if every and not listed and origin.source_format is not None:  # not the sources of curated or extracted cases
            name = Path(origin.source_path).name if origin.source_path else "stored records"
            others.setdefault(name, []).append(key)
    for i, path in enumerate(imports):
        keys = by_import[i]
        if not keys and every:
            continue
        if not keys:
            raise protocol.error(
                ("imports", i),
                f"no stored records from {str(path)!r}; run: caseseries import {protocol.imports[i]} first",
            )
        found.update(keys)
        sources.append(SourceRecords(path.name, "import", str(path), keys))
    for name, keys in sorted(others.items()):
        found.update(keys)
        sources.append(SourceRecords(name, "import", name, keys))
    found_in: dict[str, list[str]] = {}
    missing: list[str] = []
    for src in sources:
        for key in src.keys:
            if key in found_in:
                found_in[key].append(src.name)
            elif key in found:
                found_in[key] = [src.name]
            elif key not in missing:
                missing.append(key)
    return RecordPlan(sources, found_in, missing)


def protocol_records(store: Store, protocol: Protocol, *, extractor: Extractor | None = None) -> RecordSet:
    """Gather the records of a protocol from the store.

    Parameters
    ----------
    store : Store
        The case store with searches and publications.
    protocol : Protocol
        The review protocol.
    extractor : Extractor or None
        Finds the patients of the records for the protocol's ``individual-patient`` and
        ``line-of-therapy`` rules; by default the registry's ``rules`` extractor when it has such rules.

    Returns
    -------
    RecordSet
        Per-source keys, the stored records de-duplicated by key, and keys not stored.

    Raises
    ------
    InputError
        If a search of the protocol was never run, or an import has no stored records
        (with ``records: listed``); the message names the protocol line and the command that
        fixes it.
    """
    plan = record_plan(store, protocol)
    records = dict(plan.records(store, extractor=protocol_extractor(protocol, extractor)))
    return RecordSet(plan.sources, records, plan.missing)


def protocol_extractor(protocol: Protocol, extractor: Extractor | None = None) -> Extractor | None:
    """``extractor``, else the registry's ``rules`` extractor when the protocol has rules that need one."""
    if extractor is None and needs_extractor(protocol):
        return get_extractor("rules")
    return extractor
