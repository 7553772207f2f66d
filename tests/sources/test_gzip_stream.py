"""The transparent gzip reader: members, padding, truncation and damage, as the standard library reads them."""

from __future__ import annotations

import gzip
import io
import zlib
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from caseseries.sources import importer
from caseseries.sources.importer import GzipStream

TEXT = b"".join(b"<PubmedArticle><PMID>%d</PMID></PubmedArticle>\n" % i for i in range(20_000))


def read_all(data: bytes, size: int = 65536) -> tuple[bytes, BaseException | None]:
    """Everything a GzipStream hands out in reads of ``size``, and the error that ended it."""
    stream = GzipStream(io.BytesIO(data))  # type: ignore[arg-type]
    out = bytearray()
    try:
        while chunk := stream.read(size):
            out += chunk
    except (EOFError, OSError, zlib.error) as err:
        return bytes(out), err
    return bytes(out), None


def test_whole_file_in_any_read_size() -> None:
    data = gzip.compress(TEXT)
    for size in (1, 1000, 65536, 1 << 22, -1):
        assert read_all(data, size) == (TEXT, None)


def test_several_members_and_zero_padding_read_like_gzip() -> None:
    data = gzip.compress(TEXT[:5000]) + gzip.compress(TEXT[5000:]) + b"\0" * 1000
    assert gzip.decompress(data) == TEXT
    assert read_all(data) == (TEXT, None)


def test_truncated_stream_keeps_every_byte_before_the_cut() -> None:
    data = gzip.compress(TEXT, compresslevel=1)
    cut = data[: len(data) * 2 // 3]
    got, err = read_all(cut)
    assert isinstance(err, EOFError)
    # the standard library's one-shot decompressor gives at most this much of a cut stream
    partial = zlib.decompressobj(31).decompress(cut)
    assert got == partial and len(got) > len(TEXT) // 2
    assert TEXT.startswith(got)


def test_damaged_data_raises_zlib_error() -> None:
    data = bytearray(gzip.compress(TEXT))
    data[-6] ^= 0xFF  # the CRC
    got, err = read_all(bytes(data))
    assert isinstance(err, zlib.error) and TEXT.startswith(got)
    text = bytes(range(256)) * 2000
    data = bytearray(gzip.compress(text))
    data[100:104] = b"\xff\xff\xff\xff"  # inside the deflate stream
    got, err = read_all(bytes(data))
    assert isinstance(err, zlib.error) and text.startswith(got)


def test_readline_and_iteration() -> None:
    stream = GzipStream(io.BytesIO(gzip.compress(b"one\ntwo\nthree")))  # type: ignore[arg-type]
    assert stream.readline() == b"one\n"
    assert list(stream) == [b"two\n", b"three"]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=7000))
def test_round_trip_any_bytes_any_members_any_read_size(payload: bytes, members: int, size: int) -> None:
    parts = [payload[i::members] for i in range(members)]
    data = b"".join(gzip.compress(part) for part in parts)
    assert read_all(data, size) == (b"".join(parts), None)


@settings(max_examples=60, deadline=None)
@given(
    st.binary(min_size=1, max_size=3000).map(lambda b: b * 20),
    st.integers(min_value=1, max_value=64),
    st.integers(min_value=1, max_value=64),
    st.booleans(),
)
def test_tiny_reads_and_pieces_lose_nothing(payload: bytes, read: int, piece: int, cut: bool) -> None:
    """Output held back by a full piece comes out, at the end of the input too."""
    data = gzip.compress(payload)
    if cut:
        data = data[: len(data) // 2]
    with mock.patch.object(importer, "_GZIP_READ", read), mock.patch.object(importer, "_GZIP_PIECE", piece):
        got, err = read_all(data, size=37)
    if cut:
        assert isinstance(err, EOFError)
        assert got == zlib.decompressobj(31).decompress(data)
    else:
        assert (got, err) == (payload, None)
