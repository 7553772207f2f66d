"""A list of PMIDs and DOIs, one a line: the records are fetched from PubMed (E-utilities).

Lines may be a bare PMID (``25821185``), ``PMID: 25821185``, a DOI (``10.1000/xyz``), ``doi:``
or ``https://doi.org/`` DOIs; blank lines and ``#`` comments are passed over. A DOI is looked
up with ESearch (``DOI[doi]``), then every PMID is fetched with EFetch in batches. A line that
is neither, a DOI PubMed does not know and a PMID it does not return are each a named Skip.
When PubMed cannot be reached the import stops with an error that says so (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, BinaryIO

from caseseries.errors import InputError, NetworkError
from caseseries.model.enums import SourceFormat
from caseseries.sources.importer import Importer, ImportItem, Record, Skip, iter_lines, strip_bom

if TYPE_CHECKING:  # the client (and httpx) is imported only when a file of identifiers is read
    from caseseries.sources.eutils import EutilsClient

_PMID = re.compile(r"^(?:PMID\s*:?\s*)?(\d{1,9})$", re.I)
_DOI = re.compile(r"^(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.I)
MAX_SNIFFED_LINES = 500


def identifier_of(line: str) -> tuple[str, str] | None:
    """``("pmid", "123")`` or ``("doi", "10.1000/x")`` for one line, None when it is neither."""
    text = line.strip()
    m = _PMID.match(text)
    if m:
        return "pmid", m.group(1).lstrip("0") or "0"
    m = _DOI.match(text)
    if m:
        return "doi", m.group(1).rstrip(".,;")
    return None


ClientFactory = Callable[[], "EutilsClient"]


def _default_client() -> EutilsClient:
    """An E-utilities client with the default settings."""
    from caseseries.sources.eutils import EutilsClient

    return EutilsClient()


class IdentifierListImporter(Importer):
    """A list of PMIDs/DOIs whose PubMed records are fetched with E-utilities."""

    name = "ids"
    source_format = SourceFormat.PUBMED_XML
    description = "a list of PMIDs and DOIs, one a line (records fetched from PubMed)"

    def __init__(self) -> None:
        self.client_factory: ClientFactory = _default_client

    def use_eutils(self, factory: ClientFactory) -> None:
        """Fetch with clients made by ``factory`` (a mirror, an API key, a test server)."""
        self.client_factory = factory

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain when every line of the start of the file is a PMID, a DOI, blank or a ``#`` comment."""
        text = strip_bom(head).decode("utf-8", "replace")
        lines = text.splitlines()
        if len(head) >= 65536 and lines:
            lines = lines[:-1]  # the last line may be cut
        seen = 0
        for line in lines[:MAX_SNIFFED_LINES]:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if identifier_of(line) is None:
                return 0
            seen += 1
        return 95 if seen else 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield the fetched records, and a Skip for each line or identifier that gave none."""
        where: dict[str, str] = {}
        pmids: list[str] = []
        dois: list[tuple[str, str]] = []
        for number, line in iter_lines(stream, source):
            if isinstance(line, Skip):
                yield line
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found = identifier_of(line)
            if found is None:
                yield Skip(
                    source, f"line {number}", "malformed", f"{line[:40]!r} is not a PMID or DOI; fix or remove the line"
                )
            elif found[0] == "pmid":
                if found[1] not in where:
                    where[found[1]] = f"line {number}"
                    pmids.append(found[1])
            else:
                dois.append((f"line {number}", found[1]))
        try:
            with self.client_factory() as client:
                for location, doi in dois:
                    hits = client.esearch(f"{doi}[doi]", retmax=2, usehistory=False).ids
                    if len(hits) != 1:
                        what = "no PubMed record has" if not hits else "several PubMed records have"
                        yield Skip(source, location, "not-found", f"{what} the DOI {doi}; check it")
                    elif hits[0] not in where:
                        where[hits[0]] = location
                        pmids.append(hits[0])
                returned: set[str] = set()
                for item in client.fetch_publications(pmids):
                    if isinstance(item, Record) and item.publication.pmid:
                        pmid = item.publication.pmid
                        returned.add(pmid)
                        yield Record(item.publication, source, f"{where.get(pmid, 'fetched')} (PMID {pmid})")
                    elif isinstance(item, Skip):
                        if item.reason == "unreadable":
                            returned.add(item.location.split()[1])  # named in the Skip already
                        yield item
        except NetworkError as err:
            raise InputError(
                f"this file lists {len(pmids) + len(dois)} PMIDs/DOIs whose records are fetched from PubMed, "
                f"and PubMed could not be reached ({err}); connect to the network and import it again, "
                "or import a PubMed XML or MEDLINE export of the records",
                source=source,
            ) from None
        for pmid in pmids:
            if pmid not in returned:
                yield Skip(source, where[pmid], "not-returned", f"PubMed returned no record for PMID {pmid}; check it")
