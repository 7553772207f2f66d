"""Patients reported without an age, several unnumbered patients, diagnoses of ALK- and fusion-driven
tumours, ages at birth: data-driven tables (text -> expected patients), every text written here."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import SHARED

from caseseries.errors import FormatError
from caseseries.extraction.entities import find_age, find_birth_age
from caseseries.extraction.reported import (
    _PATTERN_LISTS,
    _union,
    count_value,
    counts_told,
    cues,
    named_owners,
    parse_cues,
)
from caseseries.extraction.rules import RuleExtractor
from caseseries.extraction.sentences import Span, sentences
from caseseries.vocab.diseases import diseases

REAL_DEV = SHARED / "corpus" / "real-dev"


def _patients(text: str) -> list[dict[str, Any]]:
    doc = RuleExtractor().extract(text).document
    out = []
    for p in doc.patients:
        out.append(
            {
                "label": p.label,
                "age": p.age_years,
                "sex": p.sex.value if p.sex else None,
                "diagnosis": p.diagnosis,
                "histology": p.histology,
                "fusions": [f.label for f in p.fusions],
                "site": p.primary_site,
                "lines": [(ln.agents, ln.pfs_months, ln.pfs_censored) for ln in p.lines],
            }
        )
    return out


# text -> the patients expected, each as a subset of fields (label always)
PATIENTS: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "words after 'respectively' are about every item",
        "Abstract\nWe describe two women with advanced ALK-positive NSCLC who were given ceritinib first. Both "
        "patients had a partial response. After progression they moved on to brigatinib (PFS: 9 months) and "
        "lorlatinib (PFS: 14 months), respectively, and both were still taking them up to the last visit.",
        [
            {"label": "case 1", "lines": [(["ceritinib"], None, None), (["brigatinib"], 9.0, True)]},
            {"label": "case 2", "lines": [(["ceritinib"], None, None), (["lorlatinib"], 14.0, True)]},
        ],
    ),
    (
        "single case without an age",
        "Background: ALK inhibitors are standard in lung cancer.\n"
        "Here we describe a case of relapsed ALK-positive anaplastic large cell lymphoma in a patient who "
        "could not receive a transplant. Daily crizotinib cleared every lesion.",
        [{"label": "index patient", "age": None, "diagnosis": "anaplastic large cell lymphoma"}],
    ),
    (
        "a young male with no number",
        "Abstract\n\nEpithelioid inflammatory myofibroblastic sarcoma (EIMS) is an aggressive variant. We present "
        "a young, never-smoking male with a large mass in the left lung. He received crizotinib.",
        [
            {
                "label": "index patient",
                "age": None,
                "sex": "male",
                "diagnosis": "inflammatory myofibroblastic tumor",
                "histology": "epithelioid inflammatory myofibroblastic sarcoma",
            }
        ],
    ),
    (
        "we report a case of NSCLC, pronoun gives the sex",
        "We report a case of ALK-rearranged NSCLC with leptomeningeal spread. She had progressed on "
        "alectinib and responded to lorlatinib.",
        [{"label": "index patient", "sex": "female", "diagnosis": "non-small cell lung cancer"}],
    ),
    (
        "lung adenocarcinoma is NSCLC with its histology",
        "This case report describes a patient with ALK-positive lung adenocarcinoma who received alectinib.",
        [{"label": "index patient", "diagnosis": "non-small cell lung cancer", "histology": "adenocarcinoma"}],
    ),
    (
        "two patients named by their fusions",
        "Here, we present two patients with fusion-driven IMTs (TPM3-ALK and ETV6-NTRK3) who were treated "
        "on a basket study of larotrectinib.",
        [{"label": "case 1", "fusions": ["TPM3::ALK"]}, {"label": "case 2", "fusions": ["ETV6::NTRK3"]}],
    ),
    (
        "first, second and third patient in turn",
        "We present three cases of infantile fibrosarcoma. The first patient presented antenatally with a "
        "neck mass. Chemotherapy was stopped for toxicity. The second patient, a boy, had a forearm tumour "
        "that did not shrink. The third patient was noted to have a thigh mass at birth.",
        [
            {"label": "case 1", "age": 0.0, "diagnosis": "infantile fibrosarcoma"},
            {"label": "case 2", "age": None, "sex": "male", "diagnosis": "infantile fibrosarcoma"},
            {"label": "case 3", "age": 0.0, "diagnosis": "infantile fibrosarcoma"},
        ],
    ),
    (
        "the first patient ... another patient in one sentence",
        "Herein, two patients with advanced NSCLC received first-line alectinib. Sequencing found an EML4-ALK "
        "fusion in the first patient, and a CLTC-ALK fusion in another patient.",
        [{"label": "case 1", "fusions": ["EML4::ALK"]}, {"label": "case 2", "fusions": ["CLTC::ALK"]}],
    ),
    (
        "one case with ..., one with ... list, pooled facts not shared out",
        "Methods: We report 3 cases of IMT seen at our centre. There was one case with a gastric tumor, "
        "one with a renal tumor detected at birth and one with a uterine tumor. ALK was negative in two "
        "cases.",
        [
            {"label": "case 1", "age": None, "site": "stomach"},
            {"label": "case 2", "age": 0.0, "site": "kidney"},
            {"label": "case 3", "age": None, "site": "uterus"},
        ],
    ),
    (
        "two clinical cases told together are identical",
        "Abstract\nWe review two clinical cases with ALK-rearranged NSCLC whose brain metastases progressed on "
        "crizotinib. Lorlatinib gave an intracranial response in both patients.",
        [
            {"label": "case 1", "diagnosis": "non-small cell lung cancer"},
            {"label": "case 2", "diagnosis": "non-small cell lung cancer"},
        ],
    ),
]

PATIENTS += [
    (
        "we describe the course of a patient",
        "We describe the clinical course of a patient with a mesenteric IMT that shrank on crizotinib.",
        [{"label": "index patient", "diagnosis": "inflammatory myofibroblastic tumor"}],
    ),
    (
        "inline case label and a woman who presented",
        "Case presentation: A woman with a pelvic mass was found to have an ALK-positive IMT. She then "
        "received crizotinib.",
        [{"label": "index patient", "sex": "female", "age": None}],
    ),
    (
        "a man who presented, no report verb",
        "A man with asthma presented with a tracheal mass. Biopsy showed an IMT; it was removed endoscopically.",
        [{"label": "index patient", "sex": "male"}],
    ),
    (
        "a case and a review of published cases",
        "We describe a patient with a renal IMT treated by nephrectomy. We also reviewed the literature: of "
        "25 published patients (median age 31 years), most were cured by surgery.",
        [{"label": "index patient", "diagnosis": "inflammatory myofibroblastic tumor"}],
    ),
    (
        "a case report whose patient joined a trial",
        "Case presentation: A 40-year-old man presented with a pleural mass. He was enrolled in a phase I "
        "trial of alectinib and responded.",
        [{"label": "index patient", "age": 40.0, "sex": "male"}],
    ),
    (
        "a title line naming a literature review does not end the case section",
        "Case Report\n\nUterine IMT with a TPM3-ALK fusion: a case report and literature review\n\n"
        "A 30-year-old woman presented with menorrhagia. Hysteroscopic resection showed an IMT.",
        [{"label": "index patient", "age": 30.0, "diagnosis": "inflammatory myofibroblastic tumor"}],
    ),
    (
        "a new case beside previously reported ones",
        "We review two previously reported cases of uterine IMT and present a new case. The patient, a "
        "woman, received crizotinib.",
        [{"label": "index patient", "sex": "female"}],
    ),
    (
        "cases are reported, both patients",
        "Two cases of ALK-positive IMT are reported. Both patients received crizotinib.",
        [{"label": "case 1"}, {"label": "case 2"}],
    ),
    (
        "a series of three children",
        "We present a series of three children with vesical IMT. All were treated by resection.",
        [{"label": "case 1"}, {"label": "case 2"}, {"label": "case 3"}],
    ),
]

# texts about groups: no patient, even when a sentence is about one patient
NO_PATIENTS: list[tuple[str, str]] = [
    (
        "registry with one patient sentence",
        "Background: We reviewed a tumour registry. Results: Fourteen patients were identified, median age "
        "9 years. One patient with a pelvic mass who progressed on ibuprofen died after surgery.",
    ),
    (
        "cohort of eight",
        "We retrospectively analysed children treated with crizotinib. The cohort comprised eight patients. "
        "One patient had an ALK G1202R mutation and progressed.",
    ),
    (
        "basket trial",
        "A phase II basket trial assessed crizotinib in rare tumours. Here we report updated results; the "
        "objective response rate was 60% in ALK-positive patients.",
    ),
    (
        "systematic review that searched for case reports",
        "Renal cell carcinoma with ALK fusions: a systematic review. We searched MEDLINE for case reports "
        "and case series of patients treated with ALK inhibitors.",
    ),
    (
        "large series told as 'we describe'",
        "Here, we describe the largest series of ALK-positive histiocytosis to date, with data on 27 cases.",
    ),
    (
        "editorial speaking of other people's case reports",
        "Editorial. The case reports in this issue show how each report describes a single patient. Some "
        "patients remained in response for years.",
    ),
    ("background only", "Inflammatory myofibroblastic tumour is rare and usually treated by resection."),
    (
        "a woman inside a cohort",
        "Among 40 patients of our cohort, a woman presented with lung metastases and received crizotinib.",
    ),
    ("a series too large to be told patient by patient", "Seven cases of IMT were reviewed; the median age was 8."),
    (
        "a registry abstract naming one patient by age",
        "Methods: We searched our tumour registry for children with IMT. Results: Twenty patients were "
        "identified (median age 6 years). A 14-year-old boy with a lung primary died of haemorrhage.",
    ),
]

# text -> (diagnosis, histology) for a single reported patient
DIAGNOSES: list[tuple[str, str | None, str | None]] = [
    ("We report a case of ALK+ ALCL in a boy.", "anaplastic large cell lymphoma", None),
    ("We report a case of ALK⁺-LBCL in a patient.", "ALK-positive large B-cell lymphoma", None),
    (
        "We report a case of ALK‐positive large B‐cell lymphoma in a patient.",
        "ALK-positive large B-cell lymphoma",
        None,
    ),
    ("We describe a patient with diffuse large B-cell lymphoma.", "diffuse large B-cell lymphoma", None),
    ("We describe a patient with ALK-positive histiocytosis of the palate.", "ALK-positive histiocytosis", None),
    ("We report a case of ALK-RCC in a woman.", "renal cell carcinoma", None),
    ("We report a case of papillary RCC in a woman.", "renal cell carcinoma", "papillary renal cell carcinoma"),
    ("We report a case of metastatic PTC in a woman.", "papillary thyroid carcinoma", None),
    ("We report a case of IFS of the arm in an infant.", "infantile fibrosarcoma", None),
    ("We report a case of relapsed neuroblastoma in a patient.", "neuroblastoma", None),
    (
        "We report a case of EIMS in a man.",
        "inflammatory myofibroblastic tumor",
        "epithelioid inflammatory myofibroblastic sarcoma",
    ),
    (
        "We describe a patient with a lung mass mimicking lung adenocarcinoma; biopsy showed an "
        "inflammatory myofibroblastic tumour.",
        "inflammatory myofibroblastic tumor",
        None,
    ),
    (
        "We describe a patient whose bladder tumour was initially diagnosed as a renal cell carcinoma; "
        "the final diagnosis was IMT.",
        "inflammatory myofibroblastic tumor",
        None,
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), PATIENTS, ids=[p[0] for p in PATIENTS])
def test_reported_patients(name: str, text: str, expected: list[dict[str, Any]]) -> None:
    got = _patients(text)
    assert [p["label"] for p in got] == [e["label"] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert {k: g[k] for k in e} == e


@pytest.mark.parametrize(("name", "text"), NO_PATIENTS, ids=[n for n, _ in NO_PATIENTS])
def test_group_texts_give_no_patient(name: str, text: str) -> None:
    assert _patients(text) == []


@pytest.mark.parametrize(("text", "diagnosis", "histology"), DIAGNOSES)
def test_diagnosis_of_the_reported_patient(text: str, diagnosis: str, histology: str | None) -> None:
    got = _patients(text)
    assert [(p["diagnosis"], p["histology"]) for p in got] == [(diagnosis, histology)]


def test_every_disease_has_an_oncotree_code_and_matches_its_own_names() -> None:
    for d in diseases().entries:
        assert d.oncotree_code and d.oncotree_name, d.name
        for word in (d.name, *d.synonyms, *d.abbreviations):
            assert d.pattern().fullmatch(word), (d.name, word)
            assert diseases().lookup(word) is d


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("a sixty-two-year-old man", 62.0),
        ("a twenty-one-year-old woman", 21.0),
        ("a one-year-old boy", 1.0),
        ("a 30 yo woman", 30.0),
        ("a 7 y/o girl", 7.0),
        ("an 18-month-old girl", 1.5),
        ("a young woman", None),
        ("a male infant", None),
    ],
)
def test_age_forms(text: str, age: float | None) -> None:
    hit = find_age(text)
    assert (float(hit.value) if hit else None) == age


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the first patient presented antenatally with a neck mass", True),
        ("a thigh mass at birth", True),
        ("a lesion noted in utero", True),
        ("she gave birth two years before", False),
    ],
)
def test_age_at_birth(text: str, found: bool) -> None:
    hit = find_birth_age(text)
    assert (hit is not None and hit.value == "0") is found


@pytest.mark.parametrize(
    ("word", "value"), [("4", 4), ("three", 3), ("Twenty-two", 22), ("forty", 40), ("many", None), ("two-ish", None)]
)
def test_count_value(word: str, value: int | None) -> None:
    assert count_value(word) == value


@pytest.mark.parametrize(
    ("sentence", "owners"),
    [
        ("A KIF5B-ALK fusion was found in the first patient and a TFG-ALK fusion in the second.", {1, 2}),
        ("RNA sequencing showed a DCTN1-ALK fusion in the first and an LMNA-ALK fusion in the third patient.", {1, 3}),
        ("Brigatinib was used in the first and second lines.", set()),
        ("The second cycle was delayed.", set()),
    ],
)
def test_patients_named_by_ordinal(sentence: str, owners: set[int]) -> None:
    assert named_owners(sentence, Span(0, len(sentence))) == owners


@pytest.mark.parametrize(
    ("sentence", "told", "counted"),
    [
        ("Three adults with ROS1-rearranged tumours are described.", 3, True),
        ("Three adults with ROS1-rearranged tumours are described.", 2, False),
        ("Two infants with a congenital fibrosarcoma were treated with larotrectinib.", 2, True),
        ("Two infants with a congenital fibrosarcoma were reported by another group.", 2, False),
        ("Two infants with a congenital fibrosarcoma were described in the literature.", 2, False),
        ("Infants with a congenital fibrosarcoma often respond to larotrectinib.", 2, False),
    ],
)
def test_sentence_counting_the_patients_told(sentence: str, told: int, counted: bool) -> None:
    assert counts_told(sentence, Span(0, len(sentence)), told) is counted


@pytest.mark.parametrize(
    ("sentence", "owners"),
    [
        ("ALK was positive in case 1 and negative in case 2.", {1, 2}),
        ("The fusion was found in patient 3 and in patient 1.", {1, 3}),
        ("Cases 1 and 2 were treated with crizotinib.", set()),  # a list of cases names no owner
        ("ALK staining was positive in cases 1 and 2.", set()),
    ],
)
def test_patients_named_by_number_inside_a_clause(sentence: str, owners: set[int]) -> None:
    assert named_owners(sentence, Span(0, len(sentence))) == owners


@pytest.mark.parametrize(
    ("cues", "message"),
    [
        ("version: 1\nsingles: []\n", "unknown top-level keys ['singles']"),
        ("version: 1\nsingle: ['(unclosed']\n", "single[0]: pattern does not compile"),
        ("version: 1\nowners: [{pattern: 'x', owner: first}]\n", "owners[0]: owner 'first'; use a patient number"),
        ("version: 1\nowners: [{pattern: 'x'}]\n", "owners[0]: each entry has exactly: pattern, owner"),
        (
            "version: 1\nowners: [{pattern: 'in case \\d', owner: number}]\n",
            "owners[0]: owner number takes the patient number from the group (?P<n>...)",
        ),
        ("version: 1\nmax_series: 1\n", "max_series: max_series must be a whole number of at least 2"),
    ],
)
def test_cue_file_errors(cues: str, message: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_cues(cues, origin="cues.yaml")
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a blank line inside a sentence (PDF layout) does not split it
        ("There was\n\none case with a gastric tumor.", ["There was\n\none case with a gastric tumor."]),
        # a blank line after a finished sentence does
        ("The mass was resected.\n\nno recurrence was seen.", ["The mass was resected.", "no recurrence was seen."]),
        # citation numbers after a period end the sentence
        ("IMT affects children.1,2 Surgery is curative.", ["IMT affects children.1,2", "Surgery is curative."]),
        # a decimal number does not
        ("The dose was 2.5 Gy per day.", ["The dose was 2.5 Gy per day."]),
    ],
)
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert [s.text(text) for s in sentences(text)] == expected


def _real_zero_patient_documents() -> list[Path]:
    if not REAL_DEV.is_dir():
        return []
    out = []
    for gold in sorted(REAL_DEV.glob("*.json")):
        doc = json.loads(gold.read_text("utf-8"))["documents"][0]
        if not doc["patients"]:
            out.append(REAL_DEV / Path(doc["source"]["path"]).name)
    return out


@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="../shared/corpus/real-dev is not present")
@pytest.mark.parametrize("path", _real_zero_patient_documents(), ids=lambda p: p.stem)
def test_real_zero_patient_documents_stay_at_zero(path: Path) -> None:
    """Cohort, registry, trial and review abstracts of real-dev (read in place) give no patient."""
    assert RuleExtractor().extract(path.read_text("utf-8")).document.patients == []


@pytest.mark.parametrize(
    "sentence",
    [
        "We describe a 40-year-old man with a lung mass.",
        "A retrospective cohort of 120 patients was reviewed.",
        "She received crizotinib and her tumour shrank.",
        "Both patients were treated with alectinib.",
        "Previously published cases were searched in PubMed.",
        "The weather was fine.",
    ],
)
def test_each_cue_list_searched_as_one_alternation_answers_as_its_patterns(sentence: str) -> None:
    c = cues()
    for key in _PATTERN_LISTS:
        assert c.unions[key] is not None, key
        expected = any(p.search(sentence) for p in getattr(c, key))
        assert c.any(key, sentence, 0, len(sentence)) is expected, key


def test_patterns_an_alternation_would_change_are_searched_one_by_one() -> None:
    assert _union([re.compile(r"(a)\1")]) is None  # a numbered back-reference would shift
    assert _union([re.compile("a", re.I), re.compile("b")]) is None  # different flags
    assert _union([]) is None
    named = _union([re.compile(r"(?P<n>\d+) cases", re.I), re.compile(r"(?P<n>\d+) patients", re.I)])
    assert named is not None and named.search("three of 12 PATIENTS")
