"""Importers on small files in the real formats, driven by one table; registry and format detection."""

from __future__ import annotations

import io
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DATA as TESTS_DATA
from tests.conftest import SEED_000, SEED_003

from caseseries import plugins
from caseseries.errors import FormatError, InputError
from caseseries.model.enums import SourceFormat
from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources import registry
from caseseries.sources.importer import Deletion, Importer, ImportItem, Record, Skip
from caseseries.sources.registry import detect_format, importer_names, read_file, resolve_importer

DATA = TESTS_DATA / "sources"

CARBALLO = {
    "pmid": "34926741",
    "doi": "10.1016/j.gore.2021.100883",
    "year": 2021,
    "volume": "38",
    "pages": "100883",
    "journal_abbrev": "Gynecol Oncol Rep",
    "first_author": "Carballo",
}

# (file, format, records read, skip reasons in order, deletions, {record index: expected fields})
TABLE: list[tuple[str, str, int, list[str], int, dict[int, dict[str, Any]]]] = [
    (
        "efetch_imt.xml",
        "pubmed-xml",
        3,
        [],
        0,
        {
            0: {
                **CARBALLO,
                "pmcid": "PMC8649122",
                "journal": "Gynecologic oncology reports",
                "publication_types": ["Case Reports"],
                "language": "eng",
                "abstract_text": "Inflammatory myofibroblastic tumor (IMT) is a rare mesenchymal neoplasm. We describe "
                "a patient with a TNS1-ALK fusion who remains on alectinib.",
                "authors[0]": ("Carballo", "Eduardo V", "EV", None),
                "source_format": SourceFormat.PUBMED_XML,
            },
            1: {
                "pmid": "28338730",
                "title": "Dramatic response to alectinib in inflammatory myofibroblastic tumor with anaplastic "
                "lymphoma kinase fusion gene: EML4-ALK and the 18F-FDG PET.",
                "year": 2017,
                "issue": "12",
                "pages": "1189-1192",
                "journal_abbrev": "Jpn J Clin Oncol",
                "abstract_labels": ["BACKGROUND", "CASE PRESENTATION", "CONCLUSIONS"],
                "authors[1]": (None, None, None, "Japan IMT Study Group"),
                "mesh_terms": ["Anaplastic Lymphoma Kinase", "Neoplasms, Muscle Tissue"],
                "doi": "10.1093/jjco/hyx112",
            },
            2: {"pmid": "20301563", "title": "ALK-Related Neuroblastic Tumor Susceptibility", "year": 1993},
        },
    ),
    ("efetch_imt.xml.gz", "auto", 3, [], 0, {0: CARBALLO}),
    ("efetch_cut.xml.gz", "pubmed-xml", 1, ["truncated"], 0, {0: CARBALLO}),
    ("truncated.xml", "auto", 1, ["truncated"], 0, {0: CARBALLO}),
    ("latin1.xml", "pubmed-xml", 1, ["not-utf8"], 0, {0: CARBALLO}),
    ("no_pmid.xml", "pubmed-xml", 1, ["no-pmid"], 0, {0: {"pmid": "28977547", "journal_abbrev": "Lung Cancer"}}),
    (
        "whitespace.xml",
        "pubmed-xml",
        2,
        [],
        0,
        {
            0: {
                "title": "Alectinib in ALK-rearranged inflammatory myofibroblastic tumor of the lung.",
                "journal": "Lung cancer (Amsterdam, Netherlands)",
                "abstract_text": "A 43-year-old man with an ALK-positive tumour.",
                "authors[0]": ("Imai", "Ryo", "R", None),
                "authors[1]": ("Kato", "Taka Aki", "TA", None),
                "mesh_terms": ["Lung Neoplasms"],
            },
            1: {"title": "Dramatic response to alectinib.", "journal": "Japanese journal of clinical oncology"},
        },
    ),
    (
        "update_revised_delete.xml",
        "pubmed-xml",
        4,
        [],
        2,
        {1: {"pmid": "36754839", "doi": "10.1097/MD.0000000000032910", "pages": "e32910", "version": 1}},
    ),
    (
        "imt.nbib",
        "medline",
        2,
        ["no-pmid"],
        0,
        {
            0: {
                "pmid": "36891234",
                "doi": "10.1002/cnr2.1792",
                "pmcid": "PMC10075293",
                "title": "Inflammatory myofibroblastic tumor of the mesentery with a SQSTM1:ALK fusion responding "
                "to alectinib.",
                "year": 2023,
                "volume": "6",
                "issue": "4",
                "pages": "e1792",
                "journal": "Cancer reports (Hoboken, N.J.)",
                "journal_abbrev": "Cancer Rep (Hoboken)",
                "authors[0]": ("Sunga", "Christine Grace G", "CGG", None),
                "publication_types": ["Case Reports", "Journal Article"],
                "mesh_terms": ["Humans", "Granuloma, Plasma Cell", "Anaplastic Lymphoma Kinase"],
                "source_format": SourceFormat.MEDLINE,
            },
            1: {"authors[1]": (None, None, None, "Japanese Gynecologic Oncology Group"), "year": 2019},
        },
    ),
    ("imt.nbib.gz", "auto", 2, ["no-pmid"], 0, {1: {"pmid": "31789456", "pages": "100-104"}}),
    ("latin1.nbib", "medline", 1, ["not-utf8"], 0, {0: {"pmid": "30790151"}}),
    (
        "imt.ris",
        "ris",
        2,
        ["no-identifier"],
        0,
        {
            0: {
                **CARBALLO,
                "pmid": None,
                "journal": "Gynecologic Oncology Reports",
                "mesh_terms": ["alectinib", "inflammatory myofibroblastic tumor"],
            },
            1: {
                "pmid": "27144117",
                "pages": "51-53",
                "issue": "2",
                "year": 2016,
                "authors[0]": ("Ono", "Akira", "A", None),
                "abstract_text": "A patient with an aggressive ALK-rearranged IMT responded to ASP3026 and then "
                "to ceritinib.",
            },
        },
    ),
    (
        "pubmed_export.csv",
        "csv",
        3,
        ["malformed"],
        0,
        {
            0: {**CARBALLO, "pmcid": "PMC8649122", "authors[5]": ("Meisel", None, "JL", None)},
            1: {"volume": "6", "issue": "4", "pages": "e1792", "doi": "10.1002/cnr2.1792"},
            2: {"doi": None, "pages": "4-6", "volume": "113"},
        },
    ),
    (
        "pmc_article.xml",
        "jats",
        1,
        [],
        0,
        {
            0: {
                "pmid": "38179194",
                "pmcid": "PMC10769580",
                "doi": "10.1159/000535478",
                "title": "New Perspectives in the Treatment of Inflammatory Myofibroblastic Tumor with ALK "
                "Translocation: Case Report",
                "year": 2024,
                "pages": "1-9",
                "journal_abbrev": "Case Rep Oncol",
                "authors": 2,
                "abstract_labels": ["Introduction", "Case Presentation"],
                "section_titles": ["Introduction", "Case Report", "Treatment", "Discussion"],
                "tables[0]": (
                    "Table 1",
                    "Pathological characteristics of the case",
                    ["Feature", "Markers", "Expression"],
                    [["Vascular richness", "CD34, AML", "Positive"], ["Markers expressed", "ALK", "Intense"]],
                    ["AML: actin muscle-like."],
                ),
                "source_format": SourceFormat.JATS,
            }
        },
    ),
    ("pmc_no_body.xml", "auto", 0, ["no-body"], 0, {}),
    (
        "case_report.md",
        "text",
        1,
        [],
        0,
        {
            0: {
                "title": "Lorlatinib after alectinib in a mesenteric inflammatory myofibroblastic tumour",
                "section_titles": [None, "Abstract", "Case presentation", "Discussion", "References"],
                "tables[0]": (
                    "Table 1",
                    "Lines of therapy",
                    ["Line", "Agent", "Best response", "PFS"],
                    [["1", "Alectinib", "PR", "7 months"], ["2", "Lorlatinib", "SD", "Ongoing after 4 months*"]],
                    ["*Still on treatment at last follow-up. PR: partial response, SD: stable disease"],
                ),
                "source_format": SourceFormat.TEXT,
            }
        },
    ),
    (
        "case_report_crlf.txt",
        "auto",
        1,
        [],
        0,
        {
            0: {
                "title": "Ceritinib in a pleural inflammatory myofibroblastic tumour",
                "section_titles": [None, "INTRODUCTION", "CASE REPORT", "DISCUSSION"],
                "tables[0]": (
                    "Table 1",
                    "Responses",
                    ["Case", "Drug", "Response"],
                    [["1", "Ceritinib", "PR"], ["2", "Crizotinib", ""]],
                    ["PR: Partial response"],
                ),
            }
        },
    ),
    ("latin1.txt", "text", 0, ["not-utf8"], 0, {}),
]


def observed(item: Record, name: str) -> Any:
    pub = item.publication
    if name == "version":
        return item.version
    if name == "abstract_labels":
        return [s.label for s in pub.abstract]
    if name == "section_titles":
        return [s.title for s in pub.sections]
    if name == "authors":
        return len(pub.authors)
    if name.startswith("authors["):
        a = pub.authors[int(name[8:-1])]
        return (a.last_name, a.fore_name, a.initials, a.collective_name)
    if name.startswith("tables["):
        t = pub.tables[int(name[7:-1])]
        return (t.label, t.caption, t.header, t.rows, t.footnotes)
    return getattr(pub, name)


@pytest.mark.parametrize(
    ("name", "fmt", "n_records", "reasons", "n_deleted", "fields"), TABLE, ids=[r[0] for r in TABLE]
)
def test_importer_table(
    name: str, fmt: str, n_records: int, reasons: list[str], n_deleted: int, fields: dict[int, dict[str, Any]]
) -> None:
    items = list(read_file(DATA / name, fmt))
    records = [i for i in items if isinstance(i, Record)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(records) == n_records
    assert [s.reason for s in skips] == reasons
    assert all(s.source == str(DATA / name) and s.location and s.message for s in skips)
    assert sum(isinstance(i, Deletion) for i in items) == n_deleted
    for index, expected in fields.items():
        got = {k: observed(records[index], k) for k in expected}
        assert got == expected


@pytest.mark.parametrize(("name", "fmt"), [(r[0], r[1]) for r in TABLE if r[2]], ids=[r[0] for r in TABLE if r[2]])
def test_records_equal_their_fully_validated_copies(name: str, fmt: str) -> None:
    """Importers may take fast paths (PubMed XML keeps texts as read when they are clean): same objects."""
    publications = [i.publication for i in read_file(DATA / name, fmt) if isinstance(i, Record)]
    assert publications
    for pub in publications:
        assert Publication.model_validate(pub.model_dump()) == pub
        assert all(isinstance(a, Author) for a in pub.authors)
        assert all(isinstance(s, AbstractSection) for s in pub.abstract)


def test_skip_messages_name_the_position() -> None:
    [_, skip] = list(read_file(DATA / "truncated.xml"))
    assert str(skip) == (
        f"{DATA / 'truncated.xml'}: after record 1, line 110, column 37: the file ends early "
        """(AttValue: " or ' expected); download it again to import the rest"""
    )
    [skip, _] = list(read_file(DATA / "latin1.nbib"))
    assert str(skip) == (
        f"{DATA / 'latin1.nbib'}: record 1 (line 1): line 4, byte 16: bytes b'\\xe9sum' are not UTF-8; "
        "re-save the file as UTF-8"
    )


# ---------------------------------------------------------------------------------- full texts
@pytest.mark.parametrize("path", [SEED_000, SEED_003, DATA / "case_report.md", DATA / "case_report_crlf.txt"])
def test_text_is_exactly_the_file_content(path: Path) -> None:
    [item] = list(read_file(path, "text"))
    assert isinstance(item, Record)
    assert item.publication.text == path.read_bytes().decode("utf-8")


def test_seed_000_structure() -> None:
    [item] = list(read_file(SEED_000))
    assert isinstance(item, Record)
    pub = item.publication
    assert pub.title is not None and pub.title.startswith("An Anaplastic Lymphoma Kinase-positive Inflammatory")
    assert [s.title for s in pub.sections][1:5] == ["Abstract", "INTRODUCTION", "CASE REPORT", "DISCUSSION"]
    t1, t2 = pub.tables
    assert (t1.label, len(t1.rows), t1.rows[0]) == (
        "Table 1",
        10,
        ["1", "Uterus", "TNS1", "CR", "Ongoing after 36 months", "[9]"],
    )
    assert t1.header == ["Case", "Primary site", "ALK fusion partner", "Best response", "PFS", "Reference"]
    assert (t2.label, len(t2.rows), t2.rows[3][-1]) == ("Table 2", 9, "")
    assert t2.footnotes[0].startswith("*Subsequent therapy with lorlatinib")


def test_seed_003_continued_table_is_joined() -> None:
    [item] = list(read_file(SEED_003))
    assert isinstance(item, Record)
    tables = item.publication.tables
    assert [(t.label, len(t.rows)) for t in tables] == [("Table 1", 5), ("Table 2", 6)]
    assert [r[0] for r in tables[1].rows] == ["36754839", "36032811", "36635892", "30790150", "28977547", "29439172"]


def test_jats_text_is_self_contained() -> None:
    [item] = list(read_file(DATA / "pmc_article.xml"))
    assert isinstance(item, Record)
    pub = item.publication
    assert pub.text is not None
    for section in pub.sections:
        assert section.text in pub.text
    for row in pub.tables[0].rows:
        assert "\t".join(row) in pub.text
    assert "Fig. 1 CT scan at best response." in pub.sections[2].text
    assert "Gros L" not in pub.text and "IMTs harbor" not in pub.text  # the reference list is not read as text
    assert [(c.label, c.journal, c.year) for c in pub.references] == [("1", None, 2022), ("2", "Cancer Discov", 2014)]
    assert pub.source_path == str(DATA / "pmc_article.xml")


# ---------------------------------------------------------------------------------- registry
def test_registry_lists_the_built_in_importers() -> None:
    assert importer_names() == ["csv", "ids", "jats", "medline", "pubmed-xml", "ris", "text", "wos"]
    for name in importer_names():
        cls = registry.importer_class(name)
        assert cls.name == name


def test_unknown_format_lists_the_available_ones() -> None:
    with pytest.raises(InputError) as err:
        resolve_importer(DATA / "imt.ris", "endnote")
    assert (
        str(err.value)
        == "--format: unknown format 'endnote'; use one of: auto, csv, ids, jats, medline, pubmed-xml, ris, text, wos"
    )


def test_wholly_wrong_file_names_the_detected_format() -> None:
    with pytest.raises(FormatError) as err:
        resolve_importer(DATA / "imt.ris", "pubmed-xml")
    assert (
        str(err.value)
        == f"{DATA / 'imt.ris'}: not a pubmed-xml file: it looks like ris; use --format ris or --format auto"
    )


def test_binary_file_is_not_recognised(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(FormatError) as err:
        resolve_importer(path)
    assert str(err.value) == (
        f"{path}: cannot tell the format of this file (it is in none of the formats caseseries reads); "
        "convert it to one of: csv, ids, jats, medline, pubmed-xml, ris, text, wos"
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("efetch_imt.xml", "pubmed-xml"),
        ("efetch_imt.xml.gz", "pubmed-xml"),
        ("imt.nbib", "medline"),
        ("imt.ris", "ris"),
        ("pubmed_export.csv", "csv"),
        ("pmc_article.xml", "jats"),
        ("pmc_no_body.xml", "jats"),
        ("case_report.md", "text"),
    ],
)
def test_auto_detection(name: str, fmt: str) -> None:
    assert detect_format(DATA / name) == fmt


class OneLineImporter(Importer):
    """A third-party plug-in: every line is a title."""

    name = "lines"
    source_format = SourceFormat.TEXT
    description = "one title per line"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        return 1

    def read_stream(self, stream: Any, source: str) -> Any:
        for n, line in enumerate(stream, start=1):
            yield Record(Publication(title=line.decode().strip()), source, f"line {n}")


def test_plug_ins_register_through_entry_points(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    points = dict(plugins.entry_point_map(plugins.IMPORTERS))
    points["lines"] = EntryPoint("lines", f"{__name__}:OneLineImporter", plugins.IMPORTERS.name)
    points["broken"] = EntryPoint("broken", "no_such_module:Importer", plugins.IMPORTERS.name)
    points["wrong"] = EntryPoint("wrong", "pathlib:Path", plugins.IMPORTERS.name)
    monkeypatch.setattr(plugins, "entry_point_map", lambda group: points)
    plugins.clear_cache()
    try:
        path = tmp_path / "titles.lst"
        path.write_text("First title\nSecond title\n")
        items: list[ImportItem] = list(read_file(path, "lines"))
        assert [i.publication.title for i in items if isinstance(i, Record)] == ["First title", "Second title"]
        with pytest.raises(InputError) as err:
            registry.get_importer("broken")
        assert str(err.value).startswith(
            "--format: the importer plug-in 'broken' (no_such_module:Importer) cannot be loaded: ModuleNotFoundError"
        )
        with pytest.raises(InputError) as err:
            registry.get_importer("wrong")
        assert str(err.value) == (
            "--format: the importer plug-in 'wrong' (pathlib:Path) is not a "
            "caseseries.sources.importer.Importer subclass; fix the plug-in"
        )
    finally:
        plugins.clear_cache()


def test_csv_row_with_a_stray_carriage_return_is_a_counted_skip_and_reading_goes_on() -> None:
    from caseseries.sources.registry import get_importer

    data = b'PMID,Title\n1,"First title"\n2,Sec\rond\n3,"Third title"\n'
    items = list(get_importer("csv").read_stream(io.BytesIO(data), "stray.csv"))
    records = [i for i in items if isinstance(i, Record)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert [r.publication.pmid for r in records] == ["1", "3"]  # the rows after it are read
    assert len(skips) == 1 and skips[0].reason == "bad-csv"
    assert skips[0].location == "record 2 (line 3)"
    assert skips[0].message.startswith("not readable as CSV (new-line character seen in unquoted field")
