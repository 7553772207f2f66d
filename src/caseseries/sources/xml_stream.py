"""Reading the records of a large XML file in constant memory: element by element, or in batches.

:func:`stream_records` reads with :func:`lxml.etree.iterparse`, one element at a time.
:func:`batched_records` gives the same items faster for files of many small records at the top
level (PubMed baseline files): it cuts the byte stream after record end tags and parses a batch
of records with one parser call, which costs about a third less than iterparse's events for
every element. Whatever it is not certain to read exactly as iterparse would (a prologue with an
internal DTD subset or another encoding, namespaces, a batch that does not parse, a cut inside a
comment or CDATA section, anything but records between the cuts, the end of the file) it hands
to :func:`stream_records`, on a stream made of the same prologue, the records already read
replaced by padding of the same lines and columns, and the bytes not yet read. Errors thus name
the same record, line and column either way.
"""

from __future__ import annotations

import operator
import re
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import BinaryIO, cast

from lxml import etree

from caseseries.sources.importer import READ_ERRORS, Deletion, ImportItem, Skip, damaged

ReadElement = Callable[[etree._Element, int], list[ImportItem] | None]
"""Reads one element given the number of records read before it: its items, or None to leave it
(an element nested in a larger one, read with that one)."""

children: Callable[[etree._Element], list[etree._Element]] = operator.itemgetter(slice(None))
"""The child nodes of an element as a list: one call, faster than iterating over the element."""

STREAM_ERRORS = (etree.XMLSyntaxError, *READ_ERRORS)
"""What reading a (compressed) XML stream raises when the file is damaged."""

CHUNK = 1 << 18
"""Bytes read from the stream at a time."""
BATCH = 1 << 19
"""A batch is cut once this many bytes are buffered (about 130 PubMed records)."""
PULL_CHUNK = 1 << 16
"""Bytes fed to the pull parser at a time."""
MAX_RECORD = 1 << 25
"""A record longer than this (no cut point in as many bytes) is read by iterparse."""
MAX_PROLOGUE = 1 << 20
"""The first record must start within this many bytes for batches to be used."""

_PAD = "caseseries-padding"
_PAD_OPEN = f"<{_PAD}>".encode()
_PAD_CLOSE = f"</{_PAD}>".encode()
_PAD_LINES = 1 << 20
_ENCODING = re.compile(rb"""\bencoding\s*=\s*["']([^"']*)["']""")
_LAST_START_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*)[^<>]*>[^<>]*\Z")


WINDOW = 1 << 24
"""How many of the last bytes read are kept to resume reading after a malformed record."""


class EofWatch:
    """A read-only stream wrapper that notes the end of the stream and keeps what it needs to resume.

    It keeps the text before the first record (or padding) element, the prologue, and the last
    bytes read (at most :data:`WINDOW`, whole chunks), with the number of line feeds before them,
    so that after a malformed record reading can start again at the next record
    (:meth:`resume_parts`).
    """

    def __init__(self, stream: BinaryIO | Replay, starts: re.Pattern[bytes] | None = None):
        self._stream = stream
        self.eof = False
        self._starts = starts
        self.prologue: bytes | None = None if starts is not None else b""
        self._head = b""
        self._window: list[bytes] = []
        self._held = 0
        self._dropped_lines = 0
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        """Read like the wrapped stream."""
        data = self._stream.read(size)
        if not data:
            self.eof = True
            return data
        self.lines += data.count(b"\n")
        if self.prologue is None and self._starts is not None:
            self._head += data
            found = self._starts.search(self._head)
            if found is not None:
                self.prologue = self._head[: found.start()]
                self._head = b""
            elif len(self._head) > MAX_PROLOGUE:
                self.prologue, self._head = b"", b""  # no record start found: nothing to resume with
        self._window.append(data)
        self._held += len(data)
        while self._held - len(self._window[0]) >= WINDOW:
            first = self._window.pop(0)
            self._held -= len(first)
            self._dropped_lines += first.count(b"\n")
        return data

    def resume_parts(self, line: int, column: int) -> list[bytes] | None:
        """What to read on from after a fault at ``line``/``column`` (None when nothing is left).

        The prologue, padding for the lines passed, and the bytes from the line of the first
        record start after the fault; None when there is none (or no prologue) in the bytes kept.
        """
        if not self.prologue or self._starts is None or line <= self._dropped_lines:
            return None
        window = b"".join(self._window)
        self._window = [window]
        at = 0
        for _ in range(line - 1 - self._dropped_lines):
            at = window.find(b"\n", at) + 1
            if at == 0:
                return None
        found = self._starts.search(window, at + max(column - 1, 0))
        read_on = 0
        while found is None and not self.eof and read_on < MAX_RECORD:  # the next record is not read yet
            more = self.read(CHUNK)
            read_on += len(more)
            window += more
            found = self._starts.search(window, max(at + max(column - 1, 0), len(window) - len(more) - 64))
        if found is None or found.group(0).startswith(_PAD_OPEN[:-1]):
            return None
        line_start = window.rfind(b"\n", 0, found.start()) + 1
        lines = self._dropped_lines + window.count(b"\n", 0, line_start) - self.prologue.count(b"\n")
        if lines < 1:
            return None
        pad = _PAD_OPEN + b"\n" * (lines - 1) + _PAD_CLOSE + b"\n"
        return [self.prologue, pad, window[line_start:]]

    @property
    def rest(self) -> BinaryIO | Replay:
        """The wrapped stream, to read on from."""
        return self._stream


def xml_fault(err: Exception, source: str, count: int, at_eof: bool, resumed_at: int | None = None) -> Skip:
    """The Skip for a file whose reading stopped after ``count`` records.

    ``resumed_at`` is the line where reading went on after a malformed record (one record
    skipped), None when it stopped there.
    """
    where = f"after record {count}"
    if isinstance(err, etree.XMLSyntaxError) and err.position:
        where += f", line {err.position[0]}, column {err.position[1]}"
    text = re.sub(r"(, line \d+, column \d+)?( \(<string>, line \d+\))?$", "", str(err))
    if "UTF-8" in text or "encoding" in text.lower():
        return Skip(
            source, where, "not-utf8", f"not valid UTF-8 here ({text}); re-save the file as UTF-8 and import again"
        )
    if resumed_at is not None:
        return Skip(
            source,
            f"record {count + 1} ({where.removeprefix(f'after record {count}, ')})",
            "xml-error",
            f"malformed XML ({text}); this record was skipped and reading went on at line {resumed_at}; "
            "fix the record and import the file again to add it",
        )
    if isinstance(err, zlib.error):
        return damaged(source, where, err)
    if at_eof or isinstance(err, READ_ERRORS):
        return Skip(source, where, "truncated", f"the file ends early ({text}); download it again to import the rest")
    return Skip(source, where, "xml-error", f"malformed XML ({text}); the records after this point were not read")


def _starts_pattern(tags: tuple[str, ...]) -> re.Pattern[bytes]:
    """Start tags of the records named ``tags`` (local names; ``{*}x`` is ``x``) or of padding."""
    names = [t.rsplit("}", 1)[-1].encode() for t in (*tags, _PAD)]
    return re.compile(b"<(?:" + b"|".join(re.escape(n) for n in names) + rb")[\s/>]")


def stream_records(
    stream: BinaryIO | Replay,
    source: str,
    tags: str | tuple[str, ...],
    read: ReadElement,
    count: int = 0,
) -> Iterator[ImportItem]:
    """The items ``read`` makes of each element named ``tags`` in an XML stream, in constant memory.

    Each element read is freed, with the elements before it, once its items are handed out.
    Records and Skips are counted (Deletions are not), starting from ``count``, so that a fault
    can say after which record it came: when the XML breaks off (truncated, not UTF-8) the items
    already read stand and one Skip (:func:`xml_fault`) ends the stream. After a malformed
    record, reading goes on at the next record start (one Skip names the bad record's line).
    """
    wanted = (tags,) if isinstance(tags, str) else tags
    starts = _starts_pattern(wanted)
    last: tuple[int, int] = (0, 0)
    while True:
        watch = EofWatch(stream, starts)
        err, count = yield from _stream_once(watch, source, wanted, read, count)
        if err is None:
            return
        position = err.position if isinstance(err, etree.XMLSyntaxError) and err.position else None
        at_end = watch.eof and (position is None or position[0] >= watch.lines)
        fault = xml_fault(err, source, count, at_end)
        resume = None
        if fault.reason == "xml-error" and position is not None and position > last:
            resume = watch.resume_parts(*position)
        if resume is None or position is None:
            yield fault
            return
        next_line = resume[0].count(b"\n") + resume[1].count(b"\n") + 1
        yield xml_fault(err, source, count, at_end, resumed_at=next_line)
        count += 1
        last = position
        stream = Replay(resume, watch.rest, None, True)


def _stream_once(
    watch: EofWatch, source: str, wanted: tuple[str, ...], read: ReadElement, count: int
) -> Generator[ImportItem, None, tuple[Exception | None, int]]:
    """One pull-parser pass of :func:`stream_records`; returns the error that ended it (None at the end).

    The bytes are fed to an :class:`lxml.etree.XMLPullParser` chunk by chunk and the records
    parsed before a fault are handed out before the fault is returned, whatever the chunk the
    fault is in.
    """
    stream = watch.rest
    padded = isinstance(stream, Replay) and stream.padded
    parser = etree.XMLPullParser(
        events=("end",),
        tag=(*wanted, _PAD) if padded else wanted,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    err: Exception | None = None
    done = False
    data = b""
    while not done:
        try:
            data = watch.read(PULL_CHUNK)
            if data:
                parser.feed(data)
            else:
                done = True
                parser.close()
        except STREAM_ERRORS as error:
            err, done = error, True
            if not data:  # the end of a truncated file closes the open elements: not records
                break
        for _, event_elem in parser.read_events():
            elem = cast(etree._Element, event_elem)  # "end" events carry elements
            if padded and elem.tag == _PAD:
                parent = elem.getparent()
                if parent is not None and parent.getparent() is None:
                    elem.clear()  # the padding standing for records read in batches
                continue
            items = read(elem, count)
            if items is None:
                continue
            for item in items:
                if not isinstance(item, Deletion):
                    count += 1
                yield item
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    return err, count


class Replay:
    """A stream of some bytes already read, then the rest of ``stream`` (or the error it raised).

    Parameters
    ----------
    parts : iterable of bytes
        What comes first, in order.
    stream : binary stream or None
        The rest; None when it has been read to its end.
    error : exception or None
        Raised once ``parts`` are handed out, instead of reading ``stream``.
    padded : bool
        Whether ``parts`` hold padding elements standing for records already read.
    """

    def __init__(
        self, parts: Iterable[bytes], stream: BinaryIO | Replay | None, error: BaseException | None, padded: bool
    ):
        self._parts = iter(parts)
        self._buf = b""
        self._stream = stream
        self._error = error
        self.padded = padded

    def read(self, size: int = -1) -> bytes:
        """``size`` bytes, fewer only at the end or before the error (the rest of the current part when negative).

        The parts and then the stream are read on until ``size`` bytes are there, so that a
        parser fed by this stream gets the pieces it would get from the bytes read straight (libxml2's
        messages for a damaged file depend on where its input is cut).
        """
        if size < 0:
            return self._next_part() or self._from_stream(size)
        out = b""
        while len(out) < size:
            part = self._next_part(size - len(out))
            if not part:
                if self._error is not None and out:
                    return out  # the error is raised by the next read
                try:
                    part = self._from_stream(size - len(out))
                except Exception as err:
                    if not out:
                        raise
                    self._error = err  # raised by the next read, after the bytes read before it
                    return out
                if not part:
                    break
            out += part
        return out

    def _next_part(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the parts (the rest of the current part when negative); b"" once they are out."""
        while not self._buf:
            part = next(self._parts, None)
            if part is None:
                return b""
            self._buf = part
        if 0 <= size < len(self._buf):
            out, self._buf = self._buf[:size], self._buf[size:]
        else:
            out, self._buf = self._buf, b""
        return out

    def _from_stream(self, size: int) -> bytes:
        """Up to ``size`` bytes of the stream after the parts (or its error)."""
        if self._error is not None:
            raise self._error
        return self._stream.read(size) if self._stream is not None else b""


def padding(lines: int, columns: int) -> Iterator[bytes]:
    """Elements spanning ``lines`` line breaks and then ``columns`` characters, in bounded pieces.

    They stand for records already read in batches, so that iterparse reading on after them
    counts the same lines and columns as in the file. ``columns`` is at least the length of a
    record end tag (it counts the characters after the last line break read).
    """
    if lines == 0:
        yield _PAD_OPEN + b" " * (columns - len(_PAD_OPEN) - len(_PAD_CLOSE)) + _PAD_CLOSE
        return
    while lines > _PAD_LINES:
        yield _PAD_OPEN + b"\n" * _PAD_LINES + _PAD_CLOSE
        lines -= _PAD_LINES
    yield _PAD_OPEN + b"\n" * lines + b" " * (columns - len(_PAD_CLOSE)) + _PAD_CLOSE


def xml_parser() -> etree.XMLParser:
    """A parser with the options of :func:`stream_records`: no entity resolution, DTD or network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def plain_prologue(prologue: bytes) -> bool:
    """Whether the text before the first record can be left out of the batches' parsing.

    True when it is UTF-8, has no internal DTD subset and no namespace, and parses as a root
    element without children once closed.
    """
    declaration = prologue.removeprefix(b"\xef\xbb\xbf").split(b"?>", 1)[0]
    declared = _ENCODING.search(declaration) if declaration.startswith(b"<?xml") else None
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    if b"[" in prologue or b"xmlns" in prologue:
        return False
    last = _LAST_START_TAG.search(prologue)
    if last is None:
        return False
    try:
        root = etree.fromstring(prologue + b"</" + last.group(1) + b">", xml_parser())
    except etree.XMLSyntaxError:
        return False
    return root.tag == last.group(1).decode() and len(root) == 0


def batched_records(stream: BinaryIO, source: str, tags: tuple[str, ...], read: ReadElement) -> Iterator[ImportItem]:
    """The items of :func:`stream_records`, read in batches of records where that gives the same.

    For files whose records (elements named ``tags``, never nested) are the children of the
    root element; the end of the file, and anything else, is read by :func:`stream_records`.
    """
    reader = _Chunks(stream)
    ends = [f"</{tag}>".encode() for tag in tags]
    first = re.compile(b"<(?:" + b"|".join(re.escape(t.encode()) for t in tags) + rb")[\s/>]")
    head = b""
    found = None
    while found is None and len(head) <= MAX_PROLOGUE and reader.more():
        head += reader.take()
        found = first.search(head)
    if found is None or not plain_prologue(head[: found.start()]):
        yield from stream_records(Replay([head, reader.take()], reader.rest(), reader.error, False), source, tags, read)
        return
    prologue, buf = head[: found.start()], bytearray(head[found.start() :])
    parser = xml_parser()
    wanted = frozenset(tags)
    count = lines = columns = 0
    while True:
        while len(buf) < BATCH and reader.more():
            buf += reader.take()
        cut = last_end(buf, ends)
        if not cut:
            if len(buf) < MAX_RECORD and reader.more():
                buf += reader.take()
                continue
            break
        try:
            root = etree.fromstring(b"".join((_BATCH_OPEN, memoryview(buf)[:cut], _BATCH_CLOSE)), parser)
        except etree.XMLSyntaxError:
            break
        records = children(root)
        end = records.pop() if records else None
        if (
            end is None
            or end.tag != _BATCH_END
            or any(r.tag not in wanted for r in records)
            or sum(1 for _ in root.iter(tags)) != len(records)
        ):
            break  # something else between the records, or a record inside another
        for elem in records:
            items = read(elem, count)
            for item in items or ():
                if not isinstance(item, Deletion):
                    count += 1
                yield item
        at = end.sourceline  # libxml2 counted the line feeds before the end mark (exact below 65535)
        batch_lines = at - 1 if isinstance(at, int) and 0 < at < _BIG_LINE else buf.count(b"\n", 0, cut)
        del records, root, end
        lines, columns = _advance(buf, cut, lines, columns, batch_lines)
        del buf[:cut]
    consumed = bool(lines or columns)
    rest = [bytes(buf), reader.take()]
    parts = [prologue, *padding(lines, columns), *rest] if consumed else [prologue, *rest]
    yield from stream_records(Replay(parts, reader.rest(), reader.error, consumed), source, tags, read, count)


_BATCH_OPEN = b"<batch>"
_BATCH_END = "caseseries-batch-end"
_BATCH_CLOSE = f"<{_BATCH_END}/></batch>".encode()
"""The batch's last element marks where its records end: its line tells how many line feeds they hold."""
_BIG_LINE = 65535
"""libxml2 keeps the line of an element exactly below this; above, it derives it from nearby text."""
_TAIL = 1 << 16
"""How far from the end of the buffer record end tags are looked for first."""


def last_end(buf: bytearray, ends: Sequence[bytes]) -> int:
    """Where the last of the record end tags ``ends`` in ``buf`` ends (0 when there is none)."""
    starts = (len(buf) - _TAIL, 0) if len(buf) > _TAIL else (0,)  # the tail first: it holds the last one
    for start in starts:
        found = [at + len(end) for end in ends if (at := buf.rfind(end, start)) >= 0]
        if found:
            return max(found)
    return 0


def _advance(buf: bytearray, cut: int, lines: int, columns: int, batch_lines: int) -> tuple[int, int]:
    """Lines and columns (characters after the last line break) once ``buf[:cut]`` is read.

    ``batch_lines`` is the number of line feeds in ``buf[:cut]`` (libxml2 counts line feeds
    only, not a lone carriage return), as the parser counted them.
    """
    lines += batch_lines
    last = buf.rfind(b"\n", 0, cut)
    if last < 0:
        return lines, columns + len(buf[:cut].decode("utf-8", "replace"))
    return lines, len(buf[last + 1 : cut].decode("utf-8", "replace"))


class _Chunks:
    """Reads a stream chunk by chunk, keeping the error that ended it (raised later, by a Replay)."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self._next = b""
        self.error: BaseException | None = None
        self.eof = False

    def more(self) -> bool:
        """Whether another chunk is available (reads it)."""
        if not self._next and not self.eof and self.error is None:
            try:
                self._next = self._stream.read(CHUNK)
            except READ_ERRORS as err:
                self.error = err
            else:
                self.eof = not self._next
        return bool(self._next)

    def take(self) -> bytes:
        """The chunk :meth:`more` read."""
        out, self._next = self._next, b""
        return out

    def rest(self) -> BinaryIO | None:
        """The stream, to read on from (None once it has ended)."""
        return None if self.eof or self.error is not None else self._stream
