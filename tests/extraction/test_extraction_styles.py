"""Rules for further writing styles: continued table rows, abbreviations defined once,
one-sentence histories, supportive drugs, day-count timelines, negated sites, percentages.

Each test reads a small hand-written text that exercises one rule.
"""

from __future__ import annotations

from test_extraction_rules import CASE, _one, _patients

from caseseries.model import Response


# ------------------------------------------------------------------ tables: one row per line
def test_row_with_blank_patient_cells_continues_the_patient_above() -> None:
    text = (
        "Table 1. Published patients\n\n"
        "Ref\tAge/Sex\tSite\tALK (method)\tTherapy\tBest resp.\tPFS (mo)\n"
        "[4]\t12/F\tLung\t+ (IHC)\tDoxorubicin\tPD\t2\n"
        "\t\t\t\tCeritinib\tPR\t11\n"
        "\t40/M\tLiver\t+ (FISH)\tCrizotinib\tSD\t7\n"
    )
    patients = _patients(text)
    assert [p.label for p in patients] == ["Table 1, case 1", "Table 1, case 2"]
    first, second = patients
    assert [line.agents for line in first.lines] == [["doxorubicin"], ["ceritinib"]]
    assert [line.best_response for line in first.lines] == [Response.PD, Response.PR]
    assert first.lines[1].pfs_months == 11
    assert first.alk.status is not None and first.alk.status.value == "positive"
    assert second.reference == "[4]"  # only the reference cell blank: a new patient
    assert second.lines[0].best_response is Response.SD


# ------------------------------------------------------------------ abstracts with abbreviations
ABSTRACT = (
    "Background: Data on lorlatinib (LRL) and brigatinib (BRG) after progressive disease (PD) are scarce.\n"
    "Results: Pt 1, 44 y M, hepatic IMT, ALK+ by IHC. BRG 180 mg QD: PR; PD after 7 mo. NGS at PD: ALK G1202R. "
    "LRL 100 mg QD: SD, PFS ≥8 mo, ongoing. Pt 2, 19 y F, pulmonary IMT, ALK+ by FISH. LRL: CR, ongoing at 6 mo.\n"
    "Conclusions: BRG → LRL was effective.\n"
)


def test_abstract_with_abbreviated_drugs_and_numbered_pts() -> None:
    patients = {p.label: p for p in _patients(ABSTRACT)}
    assert sorted(patients) == ["case 1", "case 2"]
    first, second = patients["case 1"], patients["case 2"]
    assert (first.age_years, first.sex.value if first.sex else None) == (44, "male")
    assert (second.age_years, second.sex.value if second.sex else None) == (19, "female")
    assert [line.agents for line in first.lines] == [["brigatinib"], ["lorlatinib"]]  # the conclusion adds no line
    assert (first.lines[0].pfs_months, first.lines[0].pfs_censored) == (7, False)
    assert first.lines[0].resistance_mutations == ["ALK p.G1202R"]
    assert (first.lines[1].pfs_months, first.lines[1].pfs_censored) == (8, True)  # not a dose schedule
    assert [line.agents for line in second.lines] == [["lorlatinib"]]
    assert second.lines[0].best_response is Response.CR


# ------------------------------------------------------------------ one-sentence histories
def test_failure_list_gives_one_progressed_line_each() -> None:
    patient = _one(
        CASE + "She was referred after failure of brigatinib, alectinib and chemotherapy given elsewhere. "
        "She received lorlatinib and had a partial response that lasted 7 months, until progression."
    )
    assert [line.agents for line in patient.lines] == [["brigatinib"], ["alectinib"], ["chemotherapy"], ["lorlatinib"]]
    assert [line.best_response for line in patient.lines[:3]] == [Response.PD] * 3
    assert all(line.pfs_months is None and line.summarised_lines is None for line in patient.lines[:3])
    assert (patient.lines[3].best_response, patient.lines[3].pfs_months) == (Response.PR, 7)


# ------------------------------------------------------------------ supportive drugs, own summary tables
def test_drug_for_an_adverse_event_is_not_a_line() -> None:
    patient = _one(
        CASE + "She received ceritinib. After 5 months she developed pneumonitis, which was treated with "
        "prednisone 1 mg/kg daily, tapered over 4 weeks. She then started brigatinib."
    )
    assert [line.agents for line in patient.lines] == [["ceritinib"], ["brigatinib"]]


def test_steroid_given_against_the_tumour_is_one_line_with_its_class_word() -> None:
    patient = _one(
        CASE + "She received dexamethasone 8 mg daily followed by tapering; after 3 weeks of steroid therapy the "
        "mass had enlarged. Alectinib was started and gave a partial response, ongoing 10 months after the start "
        "of alectinib."
    )
    assert [line.agents for line in patient.lines] == [["dexamethasone"], ["alectinib"]]
    assert (patient.lines[0].best_response, patient.lines[0].pfs_censored) == (Response.PD, False)
    assert patient.lines[0].pfs_months is not None and round(patient.lines[0].pfs_months, 2) == 0.69


def test_numbered_table_summarising_the_lettered_patients_adds_nobody() -> None:
    text = (
        "Case report\n\nPatient A, a 40-year-old woman, had an ALK-positive IMT of the lung. "
        "She received crizotinib.\n\n"
        "Patient B, a 22-year-old man, had an ALK-positive IMT of the liver. He received alectinib.\n\n"
        "Table 1. Summary of the two patients\n\n"
        "Patient  Age/sex  Site    Treatment (best response; duration)\n"
        "A        40/F     Lung    Crizotinib (PR; 5 mo)\n"
        "                          Lorlatinib (SD; 3+ mo)\n"
        "B        22/M     Liver   Alectinib (CR; 8+ mo)\n"
    )
    assert sorted(p.label for p in _patients(text)) == ["case 1", "case 2"]


# ------------------------------------------------------------------ day-count timelines
def test_day_counts_give_the_pfs() -> None:
    patient = _one(
        CASE + "Ceritinib 450 mg daily was started in June 2020 (day 0). On day 90, CT showed a partial response. "
        "On day 400 (July 2021), CT revealed a new liver lesion and progression was diagnosed. "
        "Brigatinib was started on day 410. At the last follow-up on day 600 she continued brigatinib."
    )
    first, second = patient.lines
    assert (first.pfs_months, first.pfs_censored) == (round(400 / 30.4375, 2), False)
    assert (second.pfs_months, second.pfs_censored) == (round(190 / 30.4375, 2), True)


# ------------------------------------------------------------------ sites
def test_negated_site_is_neither_metastatic_nor_primary() -> None:
    patient = _one(
        "Case report\n\nA 15-year-old boy had an ALK-positive IMT by immunohistochemistry. Laryngoscopy showed a "
        "mass arising from the right vocal cord. CT showed no cervical lymphadenopathy and no lung nodules."
    )
    assert patient.primary_site == "larynx"
    assert patient.metastatic_sites == []


def test_tumour_filling_a_site_is_the_primary_over_a_symptom_adjective() -> None:
    patient = _one(
        "Case report\n\nA 58-year-old woman had nasal obstruction from a 5-cm tumour filling the left maxillary "
        "sinus; ALK immunohistochemistry was positive."
    )
    assert patient.primary_site == "maxillary sinus"


# ------------------------------------------------------------------ percentages and week counts
def test_percentage_is_no_category_and_weeks_count_from_the_start_of_the_drug() -> None:
    patient = _one(
        CASE + "Crizotinib 250 mg twice daily was started at week 10 after surgery.\n\n"
        "Crizotinib: at week 6 the sum of diameters was 40 mm, a 35% reduction from baseline. At week 20 the sum "
        "had increased to 60 mm with a new lung lesion, indicating disease progression.\n\n"
        "Lorlatinib: lorlatinib was started. Lorlatinib continues at week 30, with no new lesions."
    )
    first, second = patient.lines
    assert first.best_response is None and first.response_as_written is None
    assert (first.pfs_months, first.pfs_censored) == (round(140 / 30.4375, 2), False)
    assert (second.pfs_months, second.pfs_censored) == (round(210 / 30.4375, 2), True)


def test_drug_not_yet_available_is_not_given() -> None:
    patient = _one(
        CASE + "Because crizotinib was not yet available to us, she first received doxorubicin; after 6 weeks the "
        "mass had grown; this was progressive disease. Crizotinib was then obtained and gave a complete response."
    )
    assert [line.agents for line in patient.lines] == [["doxorubicin"], ["crizotinib"]]
    assert [line.best_response for line in patient.lines] == [Response.PD, Response.CR]


def test_alk_expressed_and_rearrangement_of_the_alk_locus() -> None:
    patient = _one(
        "Case report\n\nA 34-year-old man had an IMT of the oesophagus. The tumour cells expressed smooth muscle "
        "actin and ALK on immunohistochemistry, and break-apart FISH confirmed rearrangement of the ALK locus."
    )
    assert patient.alk.status is not None and patient.alk.status.value == "positive"
    assert [(f.gene5, f.gene3) for f in patient.fusions] == [(None, "ALK")]
