"""A light reading of PubMed XML for scans: the full record only for the records that need it.

A scan writes a few fields of every record (the ``records`` table: PMID, version, year, title,
DOI) and looks at its title, abstract and MeSH terms (the pre-filter); only the rare records that
pass the pre-filter are screened, extracted and kept whole. Most of a baseline record's bytes are
elements none of that reads: the reference list, the authors and their affiliations, chemicals,
keywords, grants, comments and corrections. This reader cuts those elements (:data:`CUT`) out of
the bytes of each batch of records before lxml parses it (more than half of a baseline record's
bytes), and reads
the rest with the importer's own record reader
(:func:`caseseries.sources.pubmed_xml.record_reader`), so that the fields it keeps are the ones
a full reading gives. A record the caller ``wants`` whole is read again, in full, from its own
bytes.

It reads only what it is certain to read exactly as the importer would: a UTF-8 file with a
plain prologue (:func:`caseseries.sources.xml_stream.plain_prologue`), records at the top level,
no comment, CDATA section or processing instruction with markup inside, no record without a
PMID, nothing damaged or truncated. Anything else raises :class:`NotLightError` and the caller
reads the whole file with the importer instead, whose items (skips with their lines and columns
included) are then exactly those of ``caseseries import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from caseseries.sources.importer import READ_ERRORS, Record, Skip
from caseseries.sources.importer import ImportItem as Item
from caseseries.sources.pubmed_xml import RECORD_TAGS, record_reader
from caseseries.sources.xml_stream import BATCH, CHUNK, ReadElement, children, last_end, plain_prologue, xml_parser

CUT = frozenset(
    {
        "AuthorList",
        "ReferenceList",
        "ChemicalList",
        "KeywordList",
        "CommentsCorrectionsList",
        "GrantList",
        "InvestigatorList",
        "PublicationTypeList",
        "DataBankList",
        "SupplMeshList",
        "GeneSymbolList",
        "PersonalNameSubjectList",
    }
)
"""Elements cut from the records before parsing: none holds the PMID, version, year, title, DOI,
abstract or MeSH terms, the fields a lightly read record is used for. Every name ends in ``List``,
so that one search for that word finds them all."""

MAX_RECORD = 1 << 25
"""A record longer than this (no record end in as many bytes) is left to the importer."""

_FIRST = re.compile(rb"<(?:" + b"|".join(t.encode() for t in RECORD_TAGS) + rb")[\s/>]")
_ENDS = [f"</{t}>".encode() for t in RECORD_TAGS]
_END = re.compile(b"|".join(_ENDS))
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*)[^<>]*>\s*\Z")
_CUT_NAMES = frozenset(n.encode() for n in CUT)
_NAME_END = frozenset(b" \t\r\n>")
_NAME_ENDS = frozenset(bytes([c]) for c in _NAME_END)
_LONGEST = max(map(len, CUT)) + 2
_WANTED = frozenset(RECORD_TAGS)


class NotLightError(Exception):
    """The file is not one the light reading is certain to read exactly; read it with the importer."""


def _unusual(batch: bytes) -> bool:
    """Whether ``batch`` holds a comment, CDATA section, declaration or processing instruction with markup.

    ``<!`` and ``<?`` are looked for from the ``!`` and ``?``, which are rare (``<`` is not). A
    processing instruction with no ``<`` or ``>`` inside (``<?nihms ?>``, as in baseline files) is
    usual: it can neither hide nor fake a tag the cut looks for, and lxml reads it alike either way.
    """
    at = batch.find(b"!")
    while at >= 0:
        if at and batch[at - 1] == 0x3C:
            return True
        at = batch.find(b"!", at + 1)
    at = batch.find(b"?")
    while at >= 0:
        if at and batch[at - 1] == 0x3C:
            end = batch.find(b"?>", at + 1)
            if end < 0 or batch.find(b"<", at, end) >= 0 or batch.find(b">", at, end) >= 0:
                return True
            at = end + 1
        at = batch.find(b"?", at + 1)
    return False


def _empty_element(batch: bytes, name_end: int) -> bool:
    """Whether the start tag whose name ends at ``name_end`` is an empty-element tag (``<X/>``)."""
    return batch[batch.find(b">", name_end) - 1] == 0x2F


def _element_end(batch: bytes, name: bytes, at: int) -> int:
    """Where the element ``name`` whose start tag's name ends at ``at`` ends (-1 when it does not).

    Elements of the same name nested in it are counted.
    """
    opening, closing = b"<" + name, b"</" + name + b">"
    depth = 1
    while True:
        close = batch.find(closing, at)
        if close < 0:
            return -1
        nested = batch.find(opening, at, close)
        while nested >= 0 and batch[nested + len(opening)] not in _NAME_END:
            nested = batch.find(opening, nested + 1, close)  # a longer name
        if nested >= 0:
            at = nested + len(opening)
            depth += not _empty_element(batch, at)
            continue
        at = close + len(closing)
        depth -= 1
        if depth == 0:
            return at


def _cut(batch: bytes) -> bytes:
    """``batch`` without the :data:`CUT` elements.

    Each occurrence of ``List`` outside the elements cut is looked at: the start tag of a
    :data:`CUT` element (not an empty-element tag) starts a cut, which ends after the end tag
    that closes it. Nothing else changes; an element that is not closed is not cut.
    """
    out: list[bytes] = []
    kept = 0
    at = batch.find(b"List")
    while at >= 0:
        lt = batch.rfind(b"<", max(at - _LONGEST, 0), at)
        name = batch[lt + 1 : at + 4]
        if (
            lt >= 0
            and name in _CUT_NAMES
            and batch[at + 4 : at + 5] in _NAME_ENDS
            and not _empty_element(batch, at + 4)
        ):
            end = _element_end(batch, name, at + 4)
            if end < 0:
                break
            out.append(batch[kept:lt])
            kept = end
            at = batch.find(b"List", end)
            continue
        at = batch.find(b"List", at + 4)
    if not out:
        return batch
    out.append(batch[kept:])
    return b"".join(out)


class _Batches:
    """The stream's records in batches of whole records, with the prologue and what follows the last."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self._buf = bytearray()
        self.eof = False

    def _more(self) -> bool:
        try:
            data = self._stream.read(CHUNK)
        except READ_ERRORS as err:  # damaged or truncated: the importer says where
            raise NotLightError(str(err)) from None
        self.eof = not data
        self._buf += data
        return not self.eof

    def prologue(self) -> bytes:
        """The bytes before the first record (:class:`NotLightError` when it is not plain)."""
        while (found := _FIRST.search(self._buf)) is None:
            if len(self._buf) > MAX_RECORD or not self._more():
                raise NotLightError("no record start")
        head = bytes(self._buf[: found.start()])
        if not plain_prologue(head):
            raise NotLightError("not a plain prologue")
        del self._buf[: found.start()]
        return head

    def batches(self) -> Iterator[bytes]:
        """Batches of whole records (cut after a record end tag), then the rest is :attr:`tail`."""
        while True:
            while len(self._buf) < BATCH and not self.eof:
                self._more()
            cut = last_end(self._buf, _ENDS)
            if not cut:
                if self.eof:
                    return
                if len(self._buf) > MAX_RECORD:
                    raise NotLightError("a record too long")
                self._more()
                continue
            batch = bytes(self._buf[:cut])
            del self._buf[:cut]
            yield batch

    @property
    def tail(self) -> bytes:
        """What is left after the last record."""
        return bytes(self._buf)


def _parse(data: bytes, parser: etree.XMLParser) -> etree._Element:
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise NotLightError(str(err)) from None


def _in_full(read: ReadElement, elem: etree._Element, count: int) -> Record:
    """The importer's Record of a record read in full (:class:`NotLightError` if it is not one)."""
    items = read(elem, count) or []
    if len(items) != 1 or not isinstance(items[0], Record):
        raise NotLightError("a record read in full is not one record")
    return items[0]


def light_items(stream: BinaryIO, source: str, wants: Callable[[Record], bool]) -> Iterator[tuple[Item, bool]]:
    """The importer's items of a PubMed XML stream, most records read lightly.

    Parameters
    ----------
    stream : binary stream
        The (decompressed) file.
    source : str
        The file's name, for the items.
    wants : callable
        Told each lightly read record; when it returns True the record is read again in full
        and that :class:`Record` is yielded instead.

    Yields
    ------
    tuple of (Record or Deletion, bool)
        Each item as :meth:`caseseries.sources.pubmed_xml.PubmedXmlImporter.read_stream` would
        give it, and whether ``wants`` wanted it. A record not wanted is exact only in its PMID,
        version, year, title, DOI, abstract and MeSH terms (its authors, journal, publication
        types and the rest may be missing).

    Raises
    ------
    NotLightError
        When the file has anything the light reading is not certain to read exactly (possibly
        after some items were yielded: read the whole file with the importer then).
    """
    batches = _Batches(stream)
    prologue = batches.prologue()
    parser = xml_parser()
    read = record_reader(source)
    count = 0
    for batch in batches.batches():
        if _unusual(batch):
            raise NotLightError("a comment, CDATA section or processing instruction")
        records = children(_parse(b"".join((b"<batch>", _cut(batch), b"</batch>")), parser))
        if len(records) != sum(map(batch.count, _ENDS)) or not {r.tag for r in records} <= _WANTED:
            raise NotLightError("something else than records at the top level")
        ends: list[int] = []  # where each record ends, found once one is to be read in full
        for i, elem in enumerate(records):
            for item in read(elem, count) or ():
                if isinstance(item, Skip):
                    raise NotLightError(item.reason)
                wanted = False
                if isinstance(item, Record):
                    count += 1
                    wanted = wants(item)
                    if wanted:
                        ends = ends or [0, *(m.end() for m in _END.finditer(batch))]
                        item = _in_full(read, _parse(batch[ends[i] : ends[i + 1]].lstrip(), parser), count - 1)
                yield item, wanted
    root_tag = _ROOT.search(prologue)
    if root_tag is None or batches.tail.strip() != b"</" + root_tag.group(1) + b">":
        raise NotLightError("the file does not end after its last record")
