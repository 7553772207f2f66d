"""Narrative rules: lines, responses, PFS and censoring, segmentation, fusions, methods, ages.

Each test reads a small hand-written text that exercises one rule.
"""

from __future__ import annotations

import pytest

from caseseries.errors import FormatError
from caseseries.extraction.entities import find_age, find_alk, find_fusions, find_mutations
from caseseries.extraction.lines import is_assessment_time, is_background
from caseseries.extraction.patterns import ordered_patterns, parse_patterns
from caseseries.extraction.rules import RuleExtractor
from caseseries.extraction.sentences import SectionKind, Span
from caseseries.model import AlkMethod, Patient, Response


def _patients(text: str) -> list[Patient]:
    return RuleExtractor().extract(text).document.patients


def _one(text: str) -> Patient:
    patients = _patients(text)
    assert len(patients) == 1, [p.label for p in patients]
    return patients[0]


CASE = "Case report\n\nA 50-year-old woman had an ALK-positive pulmonary IMT by immunohistochemistry. "


# ------------------------------------------------------------------ PFS: assessment times, endings
@pytest.mark.parametrize(
    ("story", "pfs", "censored"),
    [
        # the time of an assessment is not the PFS
        (
            "Alectinib 600 mg twice daily was started. CT after 3 months showed a partial response, "
            "and the partial response is ongoing after 18 months.",
            18,
            True,
        ),
        # an assessment that found progression ends the line
        (
            "Crizotinib 250 mg twice daily was started. CT after 2 months showed enlargement of the mass "
            "and new pleural nodules, and crizotinib was stopped.",
            2,
            False,
        ),
        # an explicit ending wins over a time to response
        (
            "Crizotinib was started. She had a partial response after 2 months, which lasted until "
            "progression after 13 months of treatment.",
            13,
            False,
        ),
        ("She received ceritinib and achieved a partial response that lasted 9 months, until progression.", 9, False),
        # a line still running without an evaluation; a state at a time that continues
        (
            "She was switched to lorlatinib, which she has received for 2 months; the first evaluation is pending.",
            2,
            True,
        ),
        ("Brigatinib was started. He has stable disease after 6 months of treatment, which continues.", 6, True),
    ],
)
def test_pfs_statements(story: str, pfs: float, censored: bool) -> None:
    line = _one(CASE + story).lines[0]
    assert (line.pfs_months, line.pfs_censored) == (pfs, censored)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("MRI after ", " showed a complete response", True),
        ("After ", " the nodules had decreased by 40%", True),
        ("she had a partial response after ", ", which lasted until progression", True),
        ("progressed after ", " of treatment", False),
        ("the response is ongoing after ", "", False),
        ("CT after ", " showed new liver metastases", False),
    ],
)
def test_is_assessment_time(before: str, after: str, expected: bool) -> None:
    assert is_assessment_time(before, after) is expected


def test_progression_after_months_of_treatment_is_the_pfs() -> None:
    p = _one(
        CASE + "She received vinblastine and methotrexate. The tumour failed to achieve a partial response "
        "and progressed after 4 months of treatment."
    )
    line = p.lines[0]
    assert (line.pfs_months, line.pfs_censored, line.best_response) == (4, False, Response.PD)


def test_a_line_stopped_for_toxicity_has_no_pfs() -> None:
    p = _one(
        CASE + "Crizotinib was started but was stopped after 5 weeks because of grade 3 hepatitis. "
        "She was switched to alectinib and has a partial response, ongoing after 15 months."
    )
    assert p.lines[0].pfs_months is None and p.lines[0].reason_stopped == "toxicity"
    assert (p.lines[1].pfs_months, p.lines[1].pfs_censored) == (15, True)


@pytest.mark.parametrize("growth", ["the pleural nodules grew", "the nodules enlarged", "a new liver lesion appeared"])
def test_growth_words_are_progression_and_dates_give_the_pfs(growth: str) -> None:
    p = _one(CASE + f"Alectinib was started in March 2020 and produced a partial response. In November 2021 {growth}.")
    assert (p.lines[0].pfs_months, p.lines[0].pfs_censored) == (20, False)


# ------------------------------------------------------------------ responses
def test_failure_written_before_the_drug_is_about_that_drug() -> None:
    p = _one(CASE + "She did not respond to doxorubicin. Alectinib then produced a complete response.")
    assert [ln.best_response for ln in p.lines] == [Response.PD, Response.CR]


def test_a_line_ending_in_progression_with_no_response_is_pd() -> None:
    p = _one(
        CASE + "Crizotinib produced a partial response. Lorlatinib was started but was given for 10 days only: "
        "her condition deteriorated, with radiological evidence of progression."
    )
    assert p.lines[1].best_response is Response.PD


# ------------------------------------------------------------------ resistance mutations
def test_mutation_before_the_next_drug_belongs_to_the_failed_line() -> None:
    p = _one(
        CASE + "Alectinib produced a partial response. In 2021 the disease progressed; a rebiopsy showed ALK G1202R "
        "and lorlatinib was started."
    )
    assert p.lines[0].resistance_mutations == ["ALK p.G1202R"]
    assert p.lines[1].resistance_mutations == []


def test_rebiopsy_reported_with_the_next_line_belongs_to_the_failed_line() -> None:
    p = _one(
        CASE + "Crizotinib produced a partial response until the mass regrew. She was switched to lorlatinib. "
        "The rebiopsy at progression had shown the ALK F1174L mutation."
    )
    assert p.lines[0].resistance_mutations == ["ALK p.F1174L"]


def test_compound_mutation_components_are_each_read() -> None:
    found = find_mutations("Plasma NGS detected G1202R together with L1196M in cis, a compound mutation.")
    assert [m.protein for m in found] == ["p.G1202R", "p.L1196M"]


# ------------------------------------------------------------------ background sentences
@pytest.mark.parametrize(
    ("sentence", "background"),
    [
        ("Ensartinib was approved in 2024 for ALK-positive lung cancer.", True),
        ("Crizotinib produces objective responses in most children with IMT [1].", True),
        ("Lorlatinib is an option for children who progress on crizotinib.", True),
        ("She received crizotinib in the trial.", False),
        ("Crizotinib was started in May 2020.", False),
    ],
)
def test_is_background(sentence: str, background: bool) -> None:
    assert is_background(sentence, Span(0, len(sentence))) is background


def test_drugs_in_background_sentences_start_no_line() -> None:
    p = _one(
        "A 40-year-old man presented with an ALK-positive IMT of the mesentery. He received crizotinib and "
        "achieved a partial response. Ceritinib and lorlatinib have been reported to overcome resistance in "
        "lung cancer [4]. Ensartinib was approved in 2024 for ALK-positive lung cancer."
    )
    assert [ln.agents for ln in p.lines] == [["crizotinib"]]


def test_a_cited_patient_is_not_another_patient() -> None:
    patients = _patients(
        "We report two adults with IMT.\n\nA 40-year-old man presented with a mesenteric IMT and received crizotinib. "
        "A 33-year-old woman reported by Okafor et al. [7] received alectinib."
    )
    assert len(patients) == 1 and [ln.agents for ln in patients[0].lines] == [["crizotinib"]]


# ------------------------------------------------------------------ segmentation
def test_interleaved_patients_are_separated() -> None:
    patients = _patients(
        "We report two adults.\n\nPatient 1 was a 60-year-old woman with a pulmonary IMT. NGS showed an EML4-ALK "
        "fusion. Patient 2 was a 42-year-old man with a mediastinal IMT; break-apart FISH showed an ALK "
        "rearrangement.\n\nBoth patients were treated with crizotinib. Patient 1 had a partial response. She then "
        "received brigatinib. Patient 2 did not respond. He was switched to alectinib."
    )
    by_label = {p.label: p for p in patients}
    assert sorted(by_label) == ["case 1", "case 2"]
    one, two = by_label["case 1"], by_label["case 2"]
    assert (one.age_years, one.sex, two.age_years, two.sex) == (60, "female", 42, "male")
    assert [ln.agents for ln in one.lines] == [["crizotinib"], ["brigatinib"]]
    assert [ln.agents for ln in two.lines] == [["crizotinib"], ["alectinib"]]
    assert (one.lines[0].best_response, two.lines[0].best_response) == (Response.PR, Response.PD)
    assert [f.gene5 for f in one.fusions] == ["EML4"] and [f.gene5 for f in two.fusions] == [None]


# ------------------------------------------------------------------ fusions, methods, ages
@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("an ETV6-NTRK3 fusion", [("ETV6", "NTRK3")]),
        ("RNA sequencing identified a TFG-ROS1 fusion", [("TFG", "ROS1")]),
        ("Positive (IHC, NGS: RANBP2-ALK)", [("RANBP2", "ALK")]),
        ("an ALK/ROS1 inhibitor", []),
        ("break-apart FISH showed no ALK rearrangement", []),
        ("ALK break-apart FISH showed no rearrangement", []),
        ("tumours that lack ALK rearrangements", []),
    ],
)
def test_fusions(text: str, pairs: list[tuple[str, str]]) -> None:
    assert [(h.gene5, h.gene3) for h in find_fusions(text)] == pairs


def test_no_unknown_partner_alk_fusion_in_an_alk_negative_tumour() -> None:
    p = _one(
        "A 19-year-old woman had a pelvic IMT that was negative for ALK by immunohistochemistry. "
        "She received methotrexate. ALK inhibitors are used in ALK-rearranged IMT."
    )
    assert p.alk is not None and p.alk.status == "negative" and p.fusions == []


@pytest.mark.parametrize(
    ("sentence", "methods"),
    [
        (
            "ALK immunohistochemistry was negative, but ROS1 immunohistochemistry was positive, and RNA sequencing "
            "identified a TFG-ROS1 fusion.",
            {AlkMethod.IHC},
        ),
        (
            "The tumour was negative for ALK by immunohistochemistry and by FISH, and an RNA fusion panel found no "
            "kinase fusion.",
            {AlkMethod.IHC, AlkMethod.FISH, AlkMethod.NGS},
        ),
        (
            "ALK immunohistochemistry was negative; an RNA fusion panel found no ROS1, NTRK or RET fusion.",
            {AlkMethod.IHC},
        ),
    ],
)
def test_alk_methods_only_where_applied_to_alk(sentence: str, methods: set[AlkMethod]) -> None:
    assert set(find_alk(sentence, [(0, len(sentence))]).methods) == methods


@pytest.mark.parametrize(("text", "age"), [("An infant of 9 months presented", "0.75"), ("a boy of 6 weeks", "0.11")])
def test_infant_of_n_months(text: str, age: str) -> None:
    hit = find_age(text)
    assert hit is not None and hit.value == age


# ------------------------------------------------------------------ tables
TABLE = (
    "Review\n\nTable 2 summarizes the cases. All of the 3 cases that received crizotinib as first-line therapy "
    "switched to later generations of ALK inhibitors after the emergence of drug resistance.\n\n"
    "Table 2: Patients receiving two lines\n\n"
    "Case\tSite\tFirst-line\tOutcome\tSecond line\tOutcome\tReference\n"
    "1\tLung\tCrizotinib\tSD for 4 months\tCeritinib\tSD for 6 months\t[1]\n"
    "2\tUterus\tDoxorubicin\tPR for 5 months\tAlectinib\tPR\t[2]\n"
)


def test_group_statement_ends_the_first_lines_it_describes() -> None:
    rows = {p.label: p for p in _patients(TABLE)}
    crizotinib, doxorubicin = rows["Table 2, case 1"], rows["Table 2, case 2"]
    assert (crizotinib.lines[0].pfs_months, crizotinib.lines[0].pfs_censored) == (4, False)
    assert crizotinib.lines[1].pfs_censored is None  # the statement is about the first line only
    assert doxorubicin.lines[0].pfs_censored is None  # another drug


def test_response_duration_in_a_pfs_column_is_not_censored_either_way() -> None:
    text = (
        "Table 1: Lines\n\nCase\tTherapy\tBest response\tPFS\tRef.\n1\tCrizotinib\tSD\tSD for 4 months\t[3]\n"
        "2\tAlectinib\tPR\t9 months\t[4]\n"
    )
    rows = {p.label: p for p in _patients(text)}
    assert rows["Table 1, case 1"].lines[0].pfs_censored is None
    assert rows["Table 1, case 2"].lines[0].pfs_censored is False


# ------------------------------------------------------------------ pattern data file
def test_bundled_patterns_load() -> None:
    kinds = [kind for _, kind in ordered_patterns("section_headings", SectionKind)]
    assert SectionKind.CASE in kinds and SectionKind.REFERENCES in kinds


def test_pattern_file_rejects_unknown_keys() -> None:
    with pytest.raises(FormatError) as err:
        parse_patterns("version: 1\nheadings: []\n", origin="p.yaml")
    assert str(err.value) == (
        "p.yaml: unknown top-level keys ['headings']; "
        "allowed keys: alk_methods, alk_status, alk_status_elided, column_roles, line_breaks, molecular_statements, "
        "section_headings, site_cues, test_purposes, version"
    )


def test_pattern_file_rejects_unknown_names() -> None:
    data = parse_patterns("version: 1\nalk_methods:\n  - name: PCR\n    pattern: 'pcr'\n")
    with pytest.raises(FormatError, match=r"unknown name 'PCR'; allowed: FISH, IHC, NGS"):
        ordered_patterns("alk_methods", AlkMethod, data)


def test_a_named_alk_fusion_makes_alk_positive() -> None:
    p = _one(
        "A 30-year-old man presented with an abdominal IMT. ALK immunohistochemistry showed a nuclear-membrane "
        "pattern, and NGS detected RANBP2::ALK. He received crizotinib."
    )
    assert p.alk is not None and p.alk.status == "positive"
    assert any(e.field == "alk.status" and e.text == "RANBP2::ALK" for e in p.evidence)
