"""Reading references: numbered lists, PMID tables, BibTeX, RIS; normalisation of fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import DATA, SEED_000, SEED_003

from caseseries.errors import FormatError, InputError
from caseseries.references.citation import parse_citation
from caseseries.references.normalise import (
    first_page,
    journal_matches,
    surname_agreement,
    surname_key,
    title_key,
)
from caseseries.references.reader import read_references
from caseseries.references.tables import parse_literature_tables
from caseseries.references.textlist import parse_reference_list

REFS = DATA / "refs"

# (citation text, expected fields) — one row per style seen in the seeds and common variants.
CITATIONS = [
    (
        "Casanova M, Brennan B, Alaggio R, Kelsey A, Orbach D, van Noesel MM, et al. Inflammatory myofibroblastic "
        "tumor: the experience of the European pediatric soft tissue sarcoma study group (EpSSG). *Eur J Cancer*. "
        "2020; 127:123–9. <https://doi.org/10.1016/j.ejca.2019.12.021>",
        {
            "first_author": "Casanova",
            "first_author_initials": "M",
            "et_al": True,
            "journal": "Eur J Cancer",
            "year": 2020,
            "volume": "127",
            "first_page": "123",
            "doi": "10.1016/j.ejca.2019.12.021",
        },
    ),
    (
        "Gros L, Dei Tos AP, Jones RL, Digkila A. Inflammatory myofibroblastic tumour: State of the art. "
        "*Cancers (Basel)* 2022;14:3662.",
        {"first_author": "Gros", "title": "Inflammatory myofibroblastic tumour: State of the art", "pages": "3662"},
    ),
    (
        "Greenhill M, Aria D, Schaefer C, Kaye R, Jorgensen SA, Abruzzo T, et al. Inflammatory myofibroblastic tumor. "
        "*Appl Radiol*. 2020;49(1):56D–F. <https://doi.org/10.37549/ar2626>",
        {"title": "Inflammatory myofibroblastic tumor", "issue": "1", "first_page": "56D", "doi": "10.37549/ar2626"},
    ),
    (
        "Takeyasu Y, Okuma HS, Kojima Y, *et al.* Impact of ALK inhibitors in patients with ALK-rearranged nonlung "
        "solid tumors. *JCO Precis Oncol* 2021;5:PO.20.00383. Available from: <https://pubmed.ncbi.nlm.nih.gov/34036223/>.",
        {"pmid": "34036223", "first_page": "PO.20.00383", "journal": "JCO Precis Oncol", "volume": "5"},
    ),
    (
        "Martínez-Trufero J, Cruz Jurado J, et al. Uncommon and peculiar soft tissue sarcomas: multidisciplinary "
        "review and practical recommendations. Spanish group for Sarcoma research (GEIS –GROUP). Part II. "
        "*Cancer Treat Rev*. 2021;99:102260.",
        {
            "first_author": "Martínez-Trufero",
            "title": "Uncommon and peculiar soft tissue sarcomas: multidisciplinary review and practical "
            "recommendations. Spanish group for Sarcoma research (GEIS –GROUP). Part II",
        },
    ),
    (
        "Butrynski JE, D'Adamo DR. Crizotinib in ALK-rearranged inflammatory myofibroblastic tumor. "
        "N Engl J Med. 2010 Oct 28;363(18):1727-33. doi: 10.1056/NEJMoa1007056. PMID: 20979472.",
        {"journal": "N Engl J Med", "year": 2010, "issue": "18", "pages": "1727-33", "pmid": "20979472"},
    ),
    (
        "Siemion K, Reszec-Gielazyn J. What do we know about inflammatory myofibroblastic tumors? A systematic review. "
        "Adv Med Sci 2022;67:129-38.",
        {
            "title": "What do we know about inflammatory myofibroblastic tumors? A systematic review",
            "journal": "Adv Med Sci",
            "first_page": "129",
        },
    ),
    (
        "Fletcher CD, Bridge JA, Hogendoorn PC, Mertens F. WHO Classification of Tumours of Soft Tissue and Bone. "
        "4th ed. Lyon: World Health Organization; 2013.",
        {"journal": None, "year": 2013, "title": "WHO Classification of Tumours of Soft Tissue and Bone"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), CITATIONS, ids=[c[0][:25] for c in CITATIONS])
def test_parse_citation_fields(text: str, expected: dict[str, object]) -> None:
    cited = parse_citation(text)
    for name, value in expected.items():
        assert getattr(cited, name) == value, name


def test_seed_003_reference_list_and_table_2() -> None:
    refs = read_references(SEED_003)
    listed = [r for r in refs if r.origin == "references"]
    rows = [r for r in refs if r.origin.startswith("Table 2")]
    assert [r.n for r in listed] == list(range(1, 32))
    assert listed[16].cited.first_author == "Zhu"  # entry 17 follows a blank line
    assert listed[25].cited.first_author == "Wang" and listed[25].cited.authors == ["Wang Z"]
    assert listed[26].cited.journal == "Cancer Chemother Pharmacol" and listed[26].cited.first_page == "151"
    assert [r.problem is None for r in listed].count(True) == 31  # the garbled entry 23 keeps author and year
    assert [(r.n, r.cited.pmid, r.cited.first_author) for r in rows] == [
        (26, "36754839", "Wang"),
        (27, "36032811", "Kim"),
        (28, "36635892", "Jones"),
        (29, "30790150", "Matsui"),
        (30, "28977547", "Imai"),
        (31, "29439172", "Nakamura"),
    ]
    # the author that slipped into the title cell of row 1 is moved back out of the title
    assert rows[0].cited.title == (
        "Alectinib for the treatment of ALK-positive inflammatory myofibroblastic tumor: A case report and literature "
        "review"
    )
    assert rows[4].origin == "Table 2, row 5" and rows[4].cited.journal == "Lung Cancer"


def test_seed_000_bullets_then_numbers() -> None:
    refs = parse_reference_list(SEED_000.read_text())
    assert [r.n for r in refs] == list(range(1, 30))
    assert refs[0].cited.first_author == "Fletcher"
    assert refs[8].cited.first_author == "Carballo" and refs[8].cited.volume == "43"
    assert refs[1].cited.first_author == "Gros" and refs[1].cited.authors[-1] == "Digkila A"
    assert parse_literature_tables(SEED_000.read_text()) == []  # its tables cite by marker, not PMID


def test_list_styles_and_continuations() -> None:
    text = (
        "References\n"
        "[1] Smith J, Doe A. A study of alectinib in rare tumours. Lancet. 2001;357:1-5.\n"
        "[2] Lee K. Crizotinib for inflammatory myofibroblastic tumour in\n"
        "13 children. J Clin Oncol. 2010;28:1-9.\n"
        "[3] Data on file.\n"
    )
    refs = parse_reference_list(text)
    assert [r.n for r in refs] == [1, 2, 3]
    assert refs[1].cited.title == "Crizotinib for inflammatory myofibroblastic tumour in 13 children"
    assert refs[2].problem == "no author, journal or year could be read"
    assert refs[2].text == "Data on file."


def test_unnumbered_paragraph_list() -> None:
    text = "Smith J. First title here. Lancet. 2001;1:2.\n\nDoe A. Second title\nwrapped. BMJ. 2002;3:4.\n"
    refs = parse_reference_list(text)
    assert [(r.n, r.cited.title) for r in refs] == [(1, "First title here"), (2, "Second title wrapped")]


def test_bibtex(tmp_path: Path) -> None:
    refs = read_references(REFS / "references.bib")
    assert [r.n for r in refs] == [1, 2, 3, 4]
    assert refs[0].cited.first_author == "Butrynski" and refs[0].cited.first_author_initials == "JE"
    assert refs[0].cited.first_page == "1727" and refs[0].cited.year == 2010
    assert refs[1].cited.first_author == "van Noesel" and refs[1].cited.pmid == "90000002"
    assert refs[2].cited.title == "Tissue-specificity in cancer: the rule, not the exception"
    assert refs[3].problem is not None and refs[3].problem.startswith("BibTeX error")
    assert "@article{broken" in refs[3].text


def test_ris() -> None:
    refs = read_references(REFS / "references.ris")
    assert [(r.n, r.cited.first_author, r.cited.pmid) for r in refs] == [(1, "Gros", None), (2, "Saiki", "90000006")]
    assert refs[0].cited.first_page == "3662"


def test_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_references(tmp_path / "missing.txt")
    assert str(err.value) == f"{tmp_path / 'missing.txt'}: file not found; check the path"
    binary = tmp_path / "refs.txt"
    binary.write_bytes(b"1. Smith J. Title \xff here.\n")
    with pytest.raises(FormatError) as ferr:
        read_references(binary)
    assert str(ferr.value) == f"{binary}: byte 19 is not UTF-8 text; re-save the file as UTF-8"
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n")
    with pytest.raises(FormatError, match="no references found"):
        read_references(empty)


@pytest.mark.parametrize(
    ("cited", "indexed", "expected"),
    [
        ("Cancer Chemother Pharmacol", "Cancer chemotherapy and pharmacology", True),
        ("Jpn J Clin Oncol", "Japanese journal of clinical oncology", True),
        ("N Engl J Med", "The New England journal of medicine", True),
        ("Cancers", "Cancers (Basel)", True),
        ("Pediatr Blood Cancer", "Pediatric blood & cancer", True),
        ("Childs Nerv Syst", "Child's nervous system", True),
        ("Lung Cancer", "Jpn J Clin Oncol", False),
        ("Oncol Lett", "Oncology reports", False),
    ],
)
def test_journal_matches(cited: str, indexed: str, expected: bool) -> None:
    assert journal_matches(cited, indexed) is expected


def test_surnames_titles_pages() -> None:
    assert surname_key("van Noesel") == surname_key("Noesel") == "noesel"
    assert surname_key("Völker") == "volker"
    assert surname_agreement("Gómez", "Gómez-Román") == "same"
    assert surname_agreement("Digkila", "Digklia") == "close"
    assert surname_agreement("Imai", "Saiki") == "different"
    assert title_key("TGF-β signalling in ALK+ tumours") == title_key("TGF-beta signalling in ALK+ tumors")
    assert title_key("[Inflammatory pseudotumor of the lung].") == "inflammatory pseudotumor of the lung"
    assert title_key(r"Role of $\alpha$-SMA") == title_key("Role of α-SMA")
    assert first_page("e316–23") == "e316"
    assert first_page("PO.20.00383") == "PO.20.00383"


surnames = st.from_regex(r"[A-Z][a-z]{2,10}", fullmatch=True)
initials = st.from_regex(r"[A-Z]{1,3}", fullmatch=True)
words = st.lists(st.from_regex(r"[a-z]{3,10}", fullmatch=True), min_size=3, max_size=12)
journal_words = st.lists(st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=4)


@given(
    authors=st.lists(st.tuples(surnames, initials), min_size=1, max_size=6),
    title=words,
    journal=journal_words,
    year=st.integers(1950, 2030),
    volume=st.integers(1, 999),
    page=st.integers(1, 9999),
    span=st.integers(0, 50),
    italic=st.booleans(),
)
def test_vancouver_round_trip(
    authors: list[tuple[str, str]],
    title: list[str],
    journal: list[str],
    year: int,
    volume: int,
    page: int,
    span: int,
    italic: bool,
) -> None:
    names = ", ".join(f"{s} {i}" for s, i in authors)
    title_text = " ".join(title).capitalize()
    journal_text = " ".join(journal)
    source = f"*{journal_text}*" if italic else journal_text
    text = f"{names}. {title_text}. {source}. {year};{volume}:{page}-{page + span}."
    cited = parse_citation(text)
    assert cited.first_author == authors[0][0]
    assert cited.first_author_initials == authors[0][1]
    assert cited.title == title_text
    assert cited.journal == journal_text
    assert (cited.year, cited.volume, cited.first_page) == (year, str(volume), str(page))


@given(st.text(max_size=300))
def test_any_text_never_crashes_nor_drops(text: str) -> None:
    refs = parse_reference_list(text)
    assert all(r.text for r in refs)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(refs) <= max(len(lines), 0) or not lines
