"""Property tests: valid records round-trip through each bibliographic format; corrupt input never crashes."""

from __future__ import annotations

import io
import string

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources.importer import Deletion, Record, Skip, all_clean, clean
from caseseries.sources.ingest import import_items
from caseseries.sources.registry import get_importer
from caseseries.sources.writers import medline_text, pubmed_xml, ris_text

LETTERS = st.characters(categories=("Lu", "Ll", "Nd"), codec="utf-8") | st.sampled_from("&<>'\"()-:;éüçøß")
word = st.text(LETTERS, min_size=1, max_size=10).filter(lambda w: w.strip("-") == w and not w.startswith(("*", "/")))
phrase = st.lists(word, min_size=1, max_size=12).map(" ".join)
name = st.lists(st.text(st.characters(categories=("Lu", "Ll")), min_size=1, max_size=10), min_size=1, max_size=2).map(
    " ".join
)
initials = st.text(st.sampled_from(string.ascii_uppercase), min_size=1, max_size=3)
token = st.text(st.sampled_from(string.ascii_letters + string.digits), min_size=1, max_size=6)
pages = st.one_of(token, st.tuples(st.integers(1, 999), st.integers(1, 999)).map(lambda t: f"{t[0]}-{t[0] + t[1]}"))
doi = st.tuples(
    st.integers(1000, 99999),
    st.text(st.sampled_from(string.ascii_lowercase + string.digits + "._-"), min_size=1, max_size=12),
).map(lambda t: f"10.{t[0]}/{t[1]}x")
pmid = st.integers(1, 99_999_999).map(str)
person = st.builds(Author, last_name=name, fore_name=st.none() | name, initials=initials)


@st.composite
def publications(draw: st.DrawFn, *, collective: bool, labels: bool) -> Publication:
    authors = draw(st.lists(person | st.builds(Author, collective_name=phrase) if collective else person, max_size=4))
    if labels:
        abstract = draw(
            st.lists(st.builds(AbstractSection, label=st.none() | phrase.map(str.upper), text=phrase), max_size=3)
        )
    else:
        abstract = draw(st.lists(st.builds(AbstractSection, text=phrase), max_size=1))
    return Publication(
        pmid=draw(pmid),
        doi=draw(st.none() | doi),
        title=draw(phrase),
        authors=authors,
        journal=draw(st.none() | phrase),
        journal_abbrev=draw(st.none() | phrase),
        year=draw(st.none() | st.integers(1800, 2030)),
        volume=draw(st.none() | token),
        issue=draw(st.none() | token),
        pages=draw(st.none() | pages),
        language=draw(st.none() | st.sampled_from(["eng", "fre", "jpn"])),
        mesh_terms=draw(st.lists(phrase, max_size=3)),
        abstract=abstract,
    )


def parse(fmt: str, data: bytes) -> list[Record | Skip | Deletion]:
    return list(get_importer(fmt).read_stream(io.BytesIO(data), "generated"))


def records(items: list[Record | Skip | Deletion]) -> list[Publication]:
    assert not [i for i in items if isinstance(i, Skip)]
    return [i.publication for i in items if isinstance(i, Record)]


COMMON = ("pmid", "doi", "title", "journal", "journal_abbrev", "year", "volume", "issue", "pages", "language")
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(st.lists(publications(collective=True, labels=True), min_size=1, max_size=4))
def test_pubmed_xml_round_trip(pubs: list[Publication]) -> None:
    got = records(parse("pubmed-xml", pubmed_xml(pubs).encode()))
    assert [p.model_copy(update={"source_format": None}) for p in got] == pubs


@FEW
@given(st.lists(publications(collective=True, labels=False), min_size=1, max_size=4))
def test_medline_round_trip(pubs: list[Publication]) -> None:
    got = records(parse("medline", medline_text(pubs).encode()))
    assert len(got) == len(pubs)
    for a, b in zip(got, pubs, strict=True):
        assert [getattr(a, f) for f in COMMON] == [getattr(b, f) for f in COMMON]
        assert (a.authors, a.mesh_terms, a.abstract_text) == (b.authors, b.mesh_terms, b.abstract_text)


@FEW
@given(st.lists(publications(collective=False, labels=False), min_size=1, max_size=4))
def test_ris_round_trip(pubs: list[Publication]) -> None:
    got = records(parse("ris", ris_text(pubs).encode()))
    assert len(got) == len(pubs)
    for a, b in zip(got, pubs, strict=True):
        assert [getattr(a, f) for f in COMMON] == [getattr(b, f) for f in COMMON]
        assert [(x.last_name, x.fore_name) for x in a.authors] == [(x.last_name, x.fore_name) for x in b.authors]
        assert (a.mesh_terms, a.abstract_text) == (b.mesh_terms, b.abstract_text)


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes, int]:
    pubs = draw(st.lists(publications(collective=True, labels=True), min_size=1, max_size=3))
    fmt = draw(st.sampled_from(["pubmed-xml", "medline", "ris", "text", "jats", "csv"]))
    writer = {"pubmed-xml": pubmed_xml, "medline": medline_text, "ris": ris_text}.get(fmt, pubmed_xml)
    data = bytearray(writer(pubs).encode())
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "flip", "insert"]))
        if action == "cut":
            del data[pos:]
        elif action == "flip" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
    return fmt, bytes(data), len(pubs)


@settings(max_examples=150, deadline=None)
@given(corrupted())
def test_corrupt_input_gives_skips_not_crashes(case: tuple[str, bytes, int]) -> None:
    fmt, data, written = case
    items = parse(fmt, data)
    assert all(isinstance(i, Record | Skip | Deletion) for i in items)
    for skip in (i for i in items if isinstance(i, Skip)):
        assert skip.reason and skip.location and skip.message
    if fmt in ("pubmed-xml", "medline", "ris"):
        assert sum(isinstance(i, Record) for i in items) <= written + 2
    report = import_items(items, None)
    assert report.read + report.skipped >= len([i for i in items if not isinstance(i, Skip)])


ascii_spaced = st.text(st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x07ab"), max_size=6)
unicode_spaced = st.text(st.sampled_from(" \x85\xa0\u2009\u2028\u3000\u200b\u00e9b"), max_size=6)


@given(st.lists(ascii_spaced, max_size=4) | st.lists(unicode_spaced | phrase, max_size=4))
@example(["a  b"]).via("a double space")
@example(["a ", "b"]).via("a text ending in a space")
@example(["a", ""]).via("an empty text")
@example(["a\x1fb", "c"]).via("ASCII white space that is not a space")
@example(["b\u3000a"]).via("Unicode white space")
@settings(max_examples=300)
def test_all_clean_agrees_with_clean(texts: list[str]) -> None:
    """The one check for a whole record: True only when clean() keeps every text; exact when printable."""
    each = all(clean(t) == t for t in texts)
    if all_clean(texts):
        assert each
    joined = " ".join(texts)
    if joined.isascii() or joined.isprintable():
        assert all_clean(texts) == each


space = st.sampled_from(["  ", "\n      ", "\t", "\xa0", "\u2009", " \r\n "])


@FEW
@given(publications(collective=True, labels=True), space, space)
def test_pubmed_xml_white_space_is_collapsed_as_clean_does(pub: Publication, lead: str, inner: str) -> None:
    """A record whose texts carry white space to collapse reads as the same record written clean."""

    def soil(text: str | None) -> str | None:
        return None if text is None else lead + text.replace(" ", inner) + lead

    dirty = pub.model_copy(
        update={
            "title": soil(pub.title),
            "journal": soil(pub.journal),
            "volume": soil(pub.volume),
            "mesh_terms": [soil(m) for m in pub.mesh_terms],
            "authors": [
                a.model_copy(update={"last_name": soil(a.last_name), "collective_name": soil(a.collective_name)})
                for a in pub.authors
            ],
            "abstract": [s.model_copy(update={"text": soil(s.text)}) for s in pub.abstract],
        }
    )
    assert records(parse("pubmed-xml", pubmed_xml([dirty]).encode())) == records(
        parse("pubmed-xml", pubmed_xml([pub]).encode())
    )
