"""Citation styles as data: every style in styles.yaml reads its own table of made-up references.

The references below are invented (authors, titles and journals that do not exist); each row
gives the text and the fields it must yield, and the style that must read it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseseries.errors import FormatError
from caseseries.references.citation import parse_citation, reference_from_text
from caseseries.references.styles import parse_styles, read_with_styles, style_names, styles

# (style, citation text, expected fields)
STYLE_TABLE: list[tuple[str, str, dict[str, object]]] = [
    # Vancouver / ICMJE
    (
        "vancouver",
        "Quillfeather TB, Ormond-Lyle S, et al. Tidal rhythms in captive limpets. Mar Biol Lett. 2011;14(2):233-41.",
        {
            "first_author": "Quillfeather",
            "first_author_initials": "TB",
            "et_al": True,
            "title": "Tidal rhythms in captive limpets",
            "journal": "Mar Biol Lett",
            "year": 2011,
            "volume": "14",
            "issue": "2",
            "first_page": "233",
        },
    ),
    (
        "vancouver",
        "Brindle K, de la Fuente Ruiz M, Osei M. Lamp oil residues: a survey of M. heritage rooms. Build Res Q. "
        "2019 Mar;8:44-52.",
        {
            "first_author": "Brindle",
            "title": "Lamp oil residues: a survey of M. heritage rooms",
            "journal": "Build Res Q",
            "volume": "8",
            "pages": "44-52",
        },
    ),
    (
        "vancouver",
        "Pemberton-Skye A. Notes on quiet harbours. Harbour notes weekly. 2004;3:e1002.",
        {"first_author": "Pemberton-Skye", "journal": "Harbour notes weekly", "first_page": "e1002"},
    ),
    (
        "vancouver",
        "Lunar Survey Collective. Annual tables of moth counts 2009. 2010.",
        {
            "first_author": "Lunar Survey Collective",
            "title": "Annual tables of moth counts 2009",
            "year": 2010,
            "is_book": True,
            "journal": None,
        },
    ),
    # AMA
    (
        "ama",
        "Harrow PJ, Vence A. Seasonal shifts in lichen colour. J. Alp. Ecol. 2015;22(4):101-109.",
        {
            "first_author": "Harrow",
            "title": "Seasonal shifts in lichen colour",
            "journal": "J. Alp. Ecol",
            "year": 2015,
            "issue": "4",
            "first_page": "101",
        },
    ),
    # NLM / Citing Medicine
    (
        "nlm",
        "Harrow PJ, Vence A. Seasonal shifts in lichen colour. J Alp Ecol [Internet]. 2015 Jun 3;22(4):101-9.",
        {"first_author": "Harrow", "journal": "J Alp Ecol", "year": 2015, "volume": "22", "pages": "101-9"},
    ),
    # BMC
    (
        "bmc",
        "Harrow PJ, Vence A, Okafor-Lindqvist B: Seasonal shifts in lichen colour along alpine transects. "
        "J Alp Ecol 2015, 22:101-109.",
        {
            "first_author": "Harrow",
            "first_author_initials": "PJ",
            "title": "Seasonal shifts in lichen colour along alpine transects",
            "journal": "J Alp Ecol",
            "year": 2015,
            "volume": "22",
            "first_page": "101",
        },
    ),
    (
        "bmc",
        "Gerrit van Dalen T, Moss K: Why do snails climb? Garden Zool 2002, 5:9.",
        {"first_author": "Gerrit van Dalen", "title": "Why do snails climb?", "volume": "5", "pages": "9"},
    ),
    (
        "bmc",
        "Northern Moth Society: Field guide to moth counts. 2001.",
        {"first_author": "Northern Moth Society", "title": "Field guide to moth counts", "year": 2001, "is_book": True},
    ),
    # PLoS
    (
        "plos",
        "Harrow PJ, Vence A (2015) Seasonal shifts in lichen colour along alpine transects. J Alp Ecol 22: 101–109.",
        {
            "first_author": "Harrow",
            "title": "Seasonal shifts in lichen colour along alpine transects",
            "journal": "J Alp Ecol",
            "year": 2015,
            "volume": "22",
            "pages": "101–109",
            "first_page": "101",
        },
    ),
    (
        "plos",
        "Ostrova N, Ba Y (2012) Is pond ice thicker at dawn? Plos Limn 7: e40221.",
        {"title": "Is pond ice thicker at dawn?", "journal": "Plos Limn", "first_page": "e40221"},
    ),
    (
        "plos",
        "Teller R, Amsel Q (2003) Lanterns of the northern coast. Oslo: Fjord Press. pp 12–30.",
        {
            "first_author": "Teller",
            "title": "Lanterns of the northern coast",
            "year": 2003,
            "is_book": True,
            "journal": None,
        },
    ),
    (
        "plos",
        "Teller R, Amsel Q (2008) Method for measuring lamp soot. WO/2008/001, 234.",
        {"first_author": "Teller", "title": "Method for measuring lamp soot", "is_book": True, "journal": None},
    ),
    # APA
    (
        "apa",
        "Harrow, P. J., Vence, A., & Okafor-Lindqvist, B. (2015). Seasonal shifts in lichen colour. Journal of "
        "Alpine Ecology, 22(4), 101–109.",
        {
            "first_author": "Harrow",
            "first_author_initials": "PJ",
            "title": "Seasonal shifts in lichen colour",
            "journal": "Journal of Alpine Ecology",
            "year": 2015,
            "volume": "22",
            "issue": "4",
            "first_page": "101",
        },
    ),
    (
        "apa",
        "Vence, A. (2019b). Does moss keep time? Botanical Clocks, 3, e77.",
        {
            "first_author": "Vence",
            "year": 2019,
            "title": "Does moss keep time?",
            "journal": "Botanical Clocks",
            "volume": "3",
            "pages": "e77",
        },
    ),
    # Harvard
    (
        "harvard",
        "Moss, K.L. and Teller, R. (1998) Candle smoke on limewash. Journal of Plaster Studies, 7(1), pp. 5-11.",
        {"first_author": "Moss", "first_author_initials": "KL", "journal": "Journal of Plaster Studies", "issue": "1"},
    ),
    (
        "harvard",
        "Harrow, P.J. (2015) 'Seasonal shifts in lichen colour', Journal of Alpine Ecology, 22, pp. 101-109.",
        {
            "first_author": "Harrow",
            "title": "Seasonal shifts in lichen colour",
            "journal": "Journal of Alpine Ecology",
            "volume": "22",
            "pages": "101-109",
        },
    ),
    # Nature
    (
        "nature",
        "Harrow, P. J., Vence, A. & Okafor-Lindqvist, B. Seasonal shifts in lichen colour. J. Alp. Ecol. 22, "
        "101–109 (2015).",
        {
            "first_author": "Harrow",
            "first_author_initials": "PJ",
            "title": "Seasonal shifts in lichen colour",
            "journal": "J. Alp. Ecol",
            "year": 2015,
            "volume": "22",
            "first_page": "101",
        },
    ),
    (
        "nature",
        "Ostrova, N. Pond ice at dawn. Nature 512, 44–47 (2014).",
        {"first_author": "Ostrova", "title": "Pond ice at dawn", "journal": "Nature", "year": 2014, "volume": "512"},
    ),
]


@pytest.mark.parametrize(
    ("style", "text", "expected"), STYLE_TABLE, ids=[f"{r[0]}-{i}" for i, r in enumerate(STYLE_TABLE)]
)
def test_style_table(style: str, text: str, expected: dict[str, object]) -> None:
    cited = parse_citation(text)
    assert cited.style == style
    for name, value in expected.items():
        assert getattr(cited, name) == value, name
    assert reference_from_text(text).parsed


def test_every_bundled_style_has_rows_and_its_example_reads_in_that_style() -> None:
    names = style_names()
    assert set(names) >= {"vancouver", "ama", "nlm", "bmc", "plos", "apa", "harvard", "nature"}
    assert {row[0] for row in STYLE_TABLE} == set(names)
    for style in styles():
        assert style.example, style.name
        reading = read_with_styles(style.example)
        assert reading is not None and reading.style == style.name, style.name
        assert reading.score == 6, style.name  # first author, title, journal, year, volume, pages


def test_identifiers_are_kept_whatever_the_style() -> None:
    cited = parse_citation(
        "Harrow PJ, Vence A (2015) Seasonal shifts in lichen colour. J Alp Ecol 22: 101–109. "
        "doi:10.5555/jae.2015.22 PMID: 99999901"
    )
    assert (cited.style, cited.doi, cited.pmid, cited.volume) == ("plos", "10.5555/jae.2015.22", "99999901", "22")


def test_italic_journal_overrides_a_template_reading() -> None:
    cited = parse_citation("Harrow PJ. Seasonal shifts. Part II. *J Alp Ecol*. 2015;22:101-9.")
    assert cited.journal == "J Alp Ecol"
    assert cited.title == "Seasonal shifts. Part II"


def test_unreadable_text_matches_no_style() -> None:
    assert read_with_styles("see the supplementary notes") is None
    assert read_with_styles(". . .") is None


MINIMAL = """
version: 1
fragments: {title: '.+?', year: '\\d{4}'}
names: {si: '(?P<surname>\\w+) (?P<initials>[A-Z]+)'}
styles:
  - name: tiny
    authors: {names: [si]}
    templates:
      - pattern: '{authors}. {title}. {year}'
"""


def test_a_curator_style_file_is_compiled() -> None:
    (tiny,) = parse_styles(MINIMAL, origin="mine.yaml")
    reading = read_with_styles("Moss K. Lichens. 2001", (tiny,))
    assert reading is not None
    assert (reading.style, reading.fields["title"], reading.authors[0].surname) == ("tiny", "Lichens", "Moss")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  - name: tiny\n", "  - name: tiny\n    colour: red\n"), "mine.yaml: styles[0]: unknown keys ['colour']"),
        (("{year}'", "{yeer}'"), "mine.yaml: style tiny.templates[0]: unknown field or fragment '{yeer}'"),
        (("{year}'", "[{year}'"), "mine.yaml: style tiny.templates[0]: '[' without ']'"),
        (("names: [si]", "names: [sx]"), "mine.yaml: style tiny.authors.names: unknown name shapes ['sx']; known: si"),
        (("(?P<initials>[A-Z]+)", "([A-Z]+)"), "mine.yaml: names.si: needs (?P<surname>...) and (?P<initials>...)"),
        (("version: 1", "version: 1\nextra: 2"), "mine.yaml: unknown keys ['extra']"),
        (("{title}.", "{title:nope}."), "mine.yaml: style tiny.templates[0]: unknown fragment 'nope'"),
    ],
)
def test_style_file_errors_name_the_place(change: tuple[str, str], message: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_styles(MINIMAL.replace(*change), origin="mine.yaml")
    assert str(err.value).startswith(message)


_PIECES = st.sampled_from(
    [
        "Harrow PJ",
        "Vence, A.",
        "&",
        "and",
        "et al.",
        "(2015)",
        "2015;",
        "22(4):",
        "101-9",
        "J. Alp. Ecol.",
        ". ",
        ", ",
        ": ",
        "?",
        "In:",
        "eds.",
        "pp",
        "WO/2008/001",
        "[Internet]",
        "*",
        "Seasonal shifts",
        "A.",
        " ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=60).map("".join)))
def test_any_text_reads_or_is_unparsed(text: str) -> None:
    ref = reference_from_text(text)
    assert ref.text == text
    assert ref.parsed or ref.problem
    if ref.cited.style is not None:
        assert ref.cited.style in style_names()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_mutated_table_rows_never_break_the_reader(data: st.DataObject) -> None:
    _style, text, _expected = data.draw(st.sampled_from(STYLE_TABLE))
    cut = data.draw(st.integers(0, len(text)))
    noise = data.draw(st.text(max_size=5))
    reference_from_text(text[:cut] + noise + text[cut:])  # reads or is unparsed, never raises
