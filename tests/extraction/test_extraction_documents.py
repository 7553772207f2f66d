"""Whole documents: seeds against the bundled gold, multi-patient texts, tables, zero-patient texts, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import DATA as TESTS_DATA
from tests.conftest import SEED_000, SEED_003

from caseseries.data import bundled_case_series
from caseseries.extraction import extract_text
from caseseries.extraction.evaluate import score_document
from caseseries.model import Response, Source

UNIT = TESTS_DATA / "extraction" / "unit"


def _extract(path: Path):  # type: ignore[no-untyped-def]
    text = path.read_text("utf-8")
    return text, extract_text(text, source=Source(path=path.name)).document


def _patient(doc, label):  # type: ignore[no-untyped-def]
    return next(p for p in doc.patients if p.label == label)


@pytest.mark.parametrize("seed", [SEED_000, SEED_003])
def test_seed_against_bundled_gold(seed: Path) -> None:
    gold = next(d for d in bundled_case_series().documents if d.source.path == seed.name)
    _, doc = _extract(seed)
    scores, matched = score_document(gold, doc)
    assert matched == len(gold.patients) == len(doc.patients)
    assert scores.overall.f1 >= 0.95, scores.mismatches


def test_every_evidence_quotes_the_text() -> None:
    for seed in (SEED_000, SEED_003):
        text, doc = _extract(seed)
        for patient in doc.patients:
            assert patient.all_evidence()
            for ev in patient.all_evidence():
                assert text[ev.start : ev.end] == ev.text


def test_seed_000_index_patient_conflict_is_kept() -> None:
    _, doc = _extract(SEED_000)
    index = _patient(doc, "index patient")
    assert index.lines[0].agents == ["alectinib"]
    assert index.lines[0].pfs_months == 5.0 and index.lines[0].pfs_censored is False
    assert index.lines[0].best_response is None and index.lines[0].response_as_written == "dramatic response"
    (conflict,) = [c for c in index.conflicts if c.field == "lines[0].pfs_months"]
    assert conflict.values == ["5", "7"] and conflict.chosen == "5"
    assert {e.text for e in conflict.evidence} >= {"March 2022", "August 2022", "7 months"}
    assert index.mutations[0].protein == "p.G1202R" and index.mutations[0].coding == "c.3604G>A"
    assert index.lines[0].resistance_mutations == ["ALK p.G1202R"]


def test_seed_003_publication_table_gives_no_patients() -> None:
    _, doc = _extract(SEED_003)
    assert [p.label for p in doc.patients] == ["index patient"]


def _mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "label", "check"),
    [
        (
            "3\tMediastinum\tNot reported\tPR\t8 months",
            "3\tMediastinum\tRANBP2\tPR\t8 months",
            "Table 1, case 3",
            lambda p: [f.gene5 for f in p.fusions] == ["RANBP2"],
        ),
        (
            "8\tLung\tEML4\tPR\t5.5 months",
            "8\tLung\tEML4\tPR\t9.5 months",
            "Table 1, case 8",
            lambda p: p.lines[0].pfs_months == 9.5,
        ),
        ("2\tMesentery\tSQSTM1", "2\tKidney\tSQSTM1", "Table 1, case 2", lambda p: p.primary_site == "kidney"),
        (
            "7\tLung\tPositive\tCelecoxib\tPD",
            "7\tLung\tPositive\tIbuprofen\tSD",
            "Table 2, case 7",
            lambda p: p.lines[0].agents == ["ibuprofen"] and p.lines[0].best_response is Response.SD,
        ),
    ],
)
def test_changing_the_seed_table_text_changes_the_value(old, new, label, check) -> None:  # type: ignore[no-untyped-def]
    text = SEED_000.read_text("utf-8")
    before = _patient(extract_text(text).document, label)
    after = _patient(extract_text(_mutate(text, old, new)).document, label)
    assert not check(before)
    assert check(after)


def test_two_numbered_cases() -> None:
    _, doc = _extract(UNIT / "two_cases.txt")
    one, two = doc.patients
    assert (one.label, one.age_years, one.sex.value, one.primary_site) == ("case 1", 34.0, "female", "mesentery")
    assert [f.label for f in one.fusions] == ["TPM3::ALK"]
    assert [ln.agents for ln in one.lines] == [["crizotinib"], ["lorlatinib"]]
    assert one.lines[0].resistance_mutations == ["ALK p.G1269A"]
    assert (one.lines[1].best_response, one.lines[1].pfs_months, one.lines[1].pfs_censored) == (Response.SD, 9.0, True)
    assert (two.label, two.age_years, two.sex.value, two.primary_site) == ("case 2", 9.0, "male", "lung")
    assert two.metastatic_sites == ["liver"]
    assert two.lines[0].best_response is Response.PD and two.lines[0].pfs_months == 3.0
    assert two.lines[1].agents == ["methotrexate", "vinblastine"]
    assert (two.lines[1].best_response, two.lines[1].pfs_months, two.lines[1].pfs_censored) == (Response.CR, 36.0, True)


@pytest.mark.parametrize("name", ["cohort.txt", "publications_table.txt"])
def test_cohorts_and_publication_lists_give_zero_patients(name: str) -> None:
    _, doc = _extract(UNIT / name)
    assert doc.patients == []


def test_space_aligned_table() -> None:
    _, doc = _extract(UNIT / "space_table.txt")
    rows = {p.label: p for p in doc.patients}
    assert set(rows) == {"Table 1, case 1", "Table 1, case 2", "Table 1, case 3"}
    two = rows["Table 1, case 2"]
    assert (two.age_years, two.sex.value, two.primary_site) == (52.0, "male", "mediastinum")
    assert [f.label for f in two.fusions] == ["v::ALK"] and [m.value for m in two.alk.methods] == ["FISH"]
    assert [ln.agents for ln in two.lines] == [["crizotinib"], ["brigatinib"]]
    assert two.lines[1].pfs_months == 8.0 and two.lines[1].pfs_censored is False
    three = rows["Table 1, case 3"]
    assert [f.label for f in three.fusions] == ["CARS1::ALK"]
    assert three.lines[0].pfs_censored is True


def test_ragged_pipe_table_warns_and_reads_what_it_can() -> None:
    text = (UNIT / "ragged_pipe.txt").read_text("utf-8")
    result = extract_text(text)
    assert any("has 5 cells but the header has 7" in w for w in result.warnings)
    assert any("extra cells ['extra'] ignored" in w for w in result.warnings)
    rows = {p.label: p for p in result.document.patients}
    assert [f.label for f in rows["Table 2, case 1"].fusions] == ["FN1::ALK"]
    assert [ln.agents for ln in rows["Table 2, case 2"].lines] == [["crizotinib"], ["ceritinib"]]
    assert rows["Table 2, case 2"].fusions[0].gene5 == "SEC31A"
    assert rows["Table 2, case 3"].fusions == []
    assert rows["Table 2, case 3"].lines[0].best_response is Response.NE


@pytest.mark.parametrize(
    "text", ["", "   \n\n", "\x00\x01\x02binary", "Table 1\n|a|b|\n|1|", "|" * 5000, "\t" * 3000 + "\n" + "a\tb\n" * 50]
)
def test_odd_inputs_never_crash(text: str) -> None:
    result = extract_text(text)
    for p in result.document.patients:
        for ev in p.all_evidence():
            assert text[ev.start : ev.end] == ev.text


def test_empty_text_warns() -> None:
    assert extract_text("").warnings == ["the text is empty; no patients extracted"]


def test_long_text_is_truncated_with_a_warning() -> None:
    from caseseries.extraction.rules import RuleExtractor

    text = SEED_003.read_text("utf-8") + "x " * 20_000
    result = RuleExtractor(max_chars=30_000).extract(text)
    assert any(re.search(r"only the first 30,000 were read", w) for w in result.warnings)
    assert result.document.patients and result.document.patients[0].label == "index patient"


def test_extract_publication_uses_title_and_abstract() -> None:
    from caseseries.extraction import extract_publication
    from caseseries.model import AbstractSection, Publication

    pub = Publication(
        pmid="123",
        title="Alectinib in a uterine IMT",
        abstract=[
            AbstractSection(label="CASE", text="A 45-year-old woman received alectinib with a complete response.")
        ],
    )
    result = extract_publication(pub)
    assert result.document.source.pmid == "123"
    (patient,) = result.document.patients
    assert (patient.age_years, patient.lines[0].agents, patient.lines[0].best_response) == (
        45.0,
        ["alectinib"],
        Response.CR,
    )
    text = pub.document_text()
    assert all(text[e.start : e.end] == e.text for e in patient.all_evidence())
