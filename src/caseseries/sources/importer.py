"""What every importer shares: the items it yields, the base class, transparent gzip, decoding.

An importer reads one file as a stream and yields, in file order:

- :class:`Record` — a parsed :class:`~caseseries.model.publication.Publication` with its place
  in the file;
- :class:`Skip` — a record that could not be read (file, record/line, reason code, message);
  the rest of the file is still read when that is possible;
- :class:`Deletion` — a PubMed ``DeleteCitation`` entry (PMIDs to remove from the store).

Importers are plug-ins: a class derived from :class:`Importer`, registered under the entry-point
group ``caseseries.importers`` (see :mod:`caseseries.sources.registry`).
"""

from __future__ import annotations

import io
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar, cast

from isal import isal_zlib

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Author, Publication

GZIP_MAGIC = b"\x1f\x8b"

_GZIP_WBITS = 31
"""zlib's window bits for the gzip format (header and CRC checked)."""
_GZIP_READ = 1 << 16
"""Compressed bytes read at a time."""
_GZIP_PIECE = 1 << 20
"""At most this many bytes are decompressed at a time, however well the data compresses."""
READ_ERRORS = (EOFError, OSError, zlib.error)
"""What reading a file raises when it is damaged or cut short (a gzip stream among them)."""
_ISAL_ERROR = cast(type[Exception], isal_zlib.error)  # typed as an instance in isal's stubs


def _as_zlib_error(err: BaseException) -> BaseException:
    """``err`` as the standard library would raise it: ISA-L's error becomes a ``zlib.error``."""
    return zlib.error(str(err)) if isinstance(err, _ISAL_ERROR) else err


SNIFF_BYTES = 65536


@dataclass(frozen=True)
class Record:
    """A publication read from a file.

    Attributes
    ----------
    publication : Publication
        The parsed record.
    source : str
        The file it came from.
    location : str
        Where in the file, e.g. ``record 3`` or ``line 41``.
    version : int or None
        The record's version when the format carries one (PubMed ``PMID/@Version``).
    """

    publication: Publication
    source: str
    location: str
    version: int | None = None


@dataclass(frozen=True)
class Skip:
    """A record that was not imported, and why.

    Attributes
    ----------
    source : str
        The file.
    location : str
        The record or line (``record 4``, ``line 120, column 7``).
    reason : str
        A short reason code counted in reports (``no-pmid``, ``truncated``, ``not-utf8``, ...).
    message : str
        What is wrong and what to do about it.
    """

    source: str
    location: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.location}: {self.message}"


@dataclass(frozen=True)
class Deletion:
    """A PubMed ``DeleteCitation`` entry: the record with this PMID is to be removed."""

    pmid: str
    source: str
    location: str


ImportItem = Record | Skip | Deletion


class Importer(ABC):
    """Base class of every importer (built-in or plug-in).

    Subclasses set :attr:`name` (the ``--format`` value, equal to the entry-point name),
    :attr:`source_format` and :attr:`description`, and implement :meth:`sniff` and
    :meth:`read_stream`.
    """

    name: ClassVar[str]
    source_format: ClassVar[SourceFormat]
    description: ClassVar[str]

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes) -> int:
        """How strongly the first bytes of a (decompressed) file look like this format.

        Parameters
        ----------
        head : bytes
            Up to the first 64 KiB of the file, decompressed.

        Returns
        -------
        int
            0 when it is not this format; higher is more certain (100 = unmistakable).
        """

    @abstractmethod
    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield the items of one file, read incrementally from ``stream``."""

    def read(self, path: str | Path) -> Iterator[ImportItem]:
        """Yield the items of the file at ``path`` (gzip-compressed or not)."""
        with open_source(path) as stream:
            yield from self.read_stream(stream, str(path))


def open_source(path: str | Path) -> BinaryIO:
    """Open a file for binary reading, decompressing it transparently when it is gzip."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    magic = raw.read(2)
    raw.seek(0)
    if magic == GZIP_MAGIC:
        return GzipStream(raw)  # type: ignore[return-value]
    return raw


class GzipStream:
    """A gzip stream that hands out every byte it can decompress before reporting a truncation.

    Decompressed with ISA-L (``isal``), several times faster than zlib, member after member (a
    file may hold several, and zero bytes of padding after the last). ``GzipFile.read(n)``
    discards the partial last block of a stream that was cut short; this reader keeps it, so the
    records before the cut are imported, and raises the ``EOFError`` only once nothing
    decompressed is left. A damaged stream raises ``zlib.error`` as the standard library would.
    """

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._inflate = isal_zlib.decompressobj(_GZIP_WBITS)
        self._input = b""
        self._buf = bytearray()
        self._error: BaseException | None = None
        self._eof = False

    def _inflated(self) -> bytes:
        """The next piece of decompressed data, b"" at the end of the file."""
        while True:
            if not self._input:
                self._input = self._raw.read(_GZIP_READ)
                if not self._input:
                    if self._inflate.eof:
                        return b""
                    held = self._inflate.flush()  # what a full piece held back, or what a cut stream allows
                    if held:
                        return held
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            if self._inflate.eof:  # a member has ended: padding, or the next member
                self._input = self._input.lstrip(b"\0")
                if not self._input:
                    continue
                self._inflate = isal_zlib.decompressobj(_GZIP_WBITS)
            out = self._inflate.decompress(self._input, _GZIP_PIECE)
            self._input = self._inflate.unconsumed_tail or self._inflate.unused_data
            if out:
                return out

    def _next(self) -> bytes:
        """:meth:`_inflated`, noting the end or the error (once noted, b"")."""
        if self._eof or self._error is not None:
            return b""
        try:
            out = self._inflated()
        except (*READ_ERRORS, _ISAL_ERROR) as err:
            self._error = _as_zlib_error(err)
            return b""
        self._eof = not out
        return out

    def _more(self) -> bool:
        chunk = self._next()
        self._buf += chunk
        return bool(chunk)

    def _take(self, n: int) -> bytes:
        if not self._buf and self._error is not None:
            raise self._error
        out = bytes(memoryview(self._buf)[:n])
        del self._buf[:n]
        return out

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all when negative); raises the stream's error once it is drained."""
        if size is not None and size > 0 and not self._buf:
            piece = self._next()  # the common case: handed out as decompressed, without copying
            if len(piece) <= size:
                if not piece and self._error is not None:
                    raise self._error
                return piece
            self._buf += piece
        while (size is None or size < 0 or len(self._buf) < size) and self._more():
            pass
        return self._take(len(self._buf) if size is None or size < 0 else size)

    def readline(self) -> bytes:
        """One line, with its line end."""
        while (end := self._buf.find(b"\n")) < 0 and self._more():
            pass
        return self._take(end + 1 if end >= 0 else len(self._buf))

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def close(self) -> None:
        """Close the file."""
        self._raw.close()

    def __enter__(self) -> GzipStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_head(path: str | Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a file, decompressed; a corrupt gzip stream gives what was readable."""
    chunks: list[bytes] = []
    got = 0
    with open_source(path) as stream:
        try:
            while got < size:
                chunk = stream.read(min(4096, size - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        except READ_ERRORS:
            pass
    return b"".join(chunks)


def strip_bom(head: bytes) -> bytes:
    """``head`` without a UTF-8 byte-order mark and leading white space."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def truncated(source: str, location: str, err: BaseException) -> Skip:
    """The Skip for a compressed stream that ends early, or is damaged (:func:`damaged`)."""
    if isinstance(err, zlib.error):
        return damaged(source, location, err)
    return Skip(
        source,
        location,
        "truncated",
        f"the file ends early ({err.__class__.__name__}: {err}); download it again to import the rest",
    )


def damaged(source: str, location: str, err: BaseException) -> Skip:
    """The Skip for a gzip stream whose data or checksum is wrong (``zlib.error``)."""
    return Skip(
        source,
        location,
        "corrupt-gzip",
        f"the compressed file is damaged here ({err}); the records after this point were not read; "
        "download it again (gzip -t FILE checks a copy)",
    )


def iter_lines(stream: BinaryIO, source: str) -> Iterator[tuple[int, str | Skip]]:
    """Decode a stream line by line as UTF-8: ``(line number, text)`` or ``(line number, Skip)``.

    A line that is not valid UTF-8 becomes a :class:`Skip` (reason ``not-utf8``) so that the
    importer can drop the record holding it and keep the others. Line ends are removed.
    """
    first = True
    number = 0
    lines = iter(stream)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except READ_ERRORS as err:
            yield number + 1, truncated(source, f"line {number + 1}", err)
            return
        number += 1
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield (
                number,
                Skip(
                    source,
                    f"line {number}, byte {err.start + 1}",
                    "not-utf8",
                    f"bytes {raw[err.start : err.start + 4]!r} are not UTF-8; re-save the file as UTF-8",
                ),
            )
            continue
        yield number, line.rstrip("\r\n")


def clean(text: str | None) -> str | None:
    """Collapse runs of white space; None for empty text."""
    if not text:
        return None
    if text.isprintable() and text[0] != " " and text[-1] != " " and "  " not in text:
        return text  # the common case, already clean
    out = " ".join(text.split())
    return out or None


def all_clean(texts: list[str]) -> bool:
    """True when :func:`clean` returns every one of ``texts`` unchanged; one check for many texts.

    The texts joined by single spaces are clean exactly when each text is non-empty and clean,
    so a whole record is checked at once. A text with a non-printable character that is not
    white space makes the answer False although :func:`clean` would keep it: the caller then
    cleans text by text, which is always right.
    """
    if not texts:
        return True
    joined = " ".join(texts)
    if not joined or joined[0] == " " or joined[-1] == " " or "  " in joined:
        return False
    if joined.isascii():  # the white space of ASCII, one fast scan each
        return not (
            "\n" in joined
            or "\t" in joined
            or "\r" in joined
            or "\x0b" in joined
            or "\x0c" in joined
            or "\x1c" in joined
            or "\x1d" in joined
            or "\x1e" in joined
            or "\x1f" in joined
        )
    return joined.isprintable()  # every white space character but the space is unprintable


MAX_TITLE = 1000
"""Titles are cut to this many characters: a longer "title" is a text without one (keys derive from titles)."""


def bounded_title(title: str | None) -> str | None:
    """``title`` cut to :data:`MAX_TITLE` characters at a word boundary, marked with an ellipsis."""
    if title is None or len(title) <= MAX_TITLE:
        return title
    cut = title[: MAX_TITLE - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_TITLE // 2 else cut).rstrip() + "…"


_YEAR = re.compile(r"1[5-9]\d\d|2\d\d\d")


def year_of(text: str | None) -> int | None:
    """The first plausible four-digit year in ``text`` (``2019 Mar-Apr`` -> 2019)."""
    if not text:
        return None
    if len(text) == 4 and text.isascii() and text.isdigit():  # the common case, a bare year
        year = int(text)
        return year if 1500 <= year <= 2999 else None
    m = _YEAR.search(text)
    return int(m.group(0)) if m else None


_DOI = re.compile(r"10\.\d{4,9}/\S+")


def doi_of(text: str | None) -> str | None:
    """A DOI found in ``text`` (``10.1000/xyz``), URL prefixes and ``[doi]`` suffixes removed."""
    if not text:
        return None
    m = _DOI.search(text)
    if not m:
        return None
    return m.group(0).rstrip(".,;") or None


class TaggedRecord:
    """The ``(tag, value)`` fields of one record of a tag-based format: MEDLINE text, RIS, a CSV row.

    Parameters
    ----------
    fields : iterable of (str, str)
        The record's fields in file order; a tag may repeat (authors, keywords, ...).
    """

    def __init__(self, fields: Iterable[tuple[str, str]]):
        self.fields = list(fields)
        self._first: dict[str, str] = {}
        for tag, value in self.fields:
            if value and value.strip():
                self._first.setdefault(tag, value)

    def pick(self, *tags: str) -> str | None:
        """The first value of the first of ``tags`` the record has, cleaned (None when none has one)."""
        for tag in tags:
            if tag in self._first:
                return clean(self._first[tag])
        return None

    def values(self, *tags: str) -> list[str]:
        """Every value of ``tags`` in file order, cleaned; empty ones left out."""
        return [v for v in (clean(value) for tag, value in self.fields if tag in tags) if v]

    def publication(self, picks: Mapping[str, tuple[str, ...]], **fields: object) -> Publication:
        """A Publication with each field of ``picks`` taken from the first of its tags, and ``fields``.

        ``year`` is read with :func:`year_of`; ``abstract`` becomes one unlabelled section.
        """
        values: dict[str, object] = {name: self.pick(*tags) for name, tags in picks.items()}
        if "title" in values:
            values["title"] = bounded_title(self.pick(*picks["title"]))
        if "year" in values:
            values["year"] = year_of(self.pick(*picks["year"]))
        if "abstract" in values:
            abstract = values["abstract"]
            values["abstract"] = [{"text": abstract}] if abstract else []
        return Publication.model_validate({**values, **fields})


def initials_of(given: str | None) -> str | None:
    """Initials from given names: ``Simon Victor`` -> ``SV``, ``S.-C.`` -> ``SC``, ``SV`` stays ``SV``."""
    if not given:
        return None
    words = given.replace("-", " ").replace(".", " ").split()
    if len(words) == 1 and words[0].isupper() and words[0].isalpha() and len(words[0]) <= 3:
        return words[0]
    return "".join(w[0] for w in words if w[0].isalpha()).upper() or None


def continue_field(fields: list[tuple[str, str]], line: str, list_tags: frozenset[str]) -> None:
    """Add a continuation line to the last field: one more value of a list field, else more text."""
    tag, value = fields[-1]
    if tag in list_tags:
        fields.append((tag, line.strip()))
    else:
        fields[-1] = (tag, f"{value} {line.strip()}")


def finish_tagged(
    fields: list[tuple[str, str]],
    problem: Skip | None,
    source: str,
    location: str,
    build: Callable[[list[tuple[str, str]]], Publication],
    missing: str,
) -> Record | Skip:
    """The item of one tagged record (RIS, Web of Science): a Record, or a Skip saying why not.

    A Skip when a line of the record was unreadable (``problem``), or when the publication
    ``build`` makes of the fields has no title, DOI or PMID (``missing`` says what to add).
    """
    if problem is not None:
        return Skip(source, location, problem.reason, f"{problem.location}: {problem.message}")
    pub = build(fields)
    if not (pub.title or pub.doi or pub.pmid):
        return Skip(source, location, "no-identifier", missing)
    return Record(pub, source, location)


def vancouver_author(name: str) -> Author:
    """``Wu SC`` -> last name ``Wu``, initials ``SC``; a name without initials is kept as the last name."""
    parts = name.strip().rstrip(".").split()
    if len(parts) > 1 and parts[-1].isupper() and parts[-1].isalpha() and len(parts[-1]) <= 4:
        return Author(last_name=" ".join(parts[:-1]), initials=parts[-1])
    return Author(last_name=clean(name.rstrip(".")))


def text_stream(data: bytes) -> BinaryIO:
    """Bytes as a binary stream (for importers fed from memory, e.g. E-utilities responses)."""
    return io.BytesIO(data)


__all__ = [
    "Deletion",
    "ImportItem",
    "Importer",
    "Publication",
    "Record",
    "Skip",
    "TaggedRecord",
    "all_clean",
    "bounded_title",
    "clean",
    "continue_field",
    "damaged",
    "doi_of",
    "finish_tagged",
    "initials_of",
    "iter_lines",
    "open_source",
    "read_head",
    "strip_bom",
    "text_stream",
    "vancouver_author",
    "year_of",
]
