"""Every rule type on records written here, the study-design mapping and the suggestion order."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from caseseries.errors import InputError
from caseseries.extraction import get_extractor
from caseseries.model.publication import AbstractSection, Publication
from caseseries.screening import Decision, Stage, StudyDesign, parse_protocol, study_designs, suggest
from caseseries.screening.protocol import TextField
from caseseries.screening.rules import ScreeningRecord, evaluate_rule

BASE = {"name": "p", "question": "q", "imports": ["x.ris"]}


def rule(**spec: Any) -> Any:
    spec = {"id": "r", "action": "include", "reason": "because", **spec}
    return parse_protocol(yaml.safe_dump({**BASE, "criteria": [spec]}), source="p.yaml").criteria[0]


def record(**fields: Any) -> ScreeningRecord:
    abstract = fields.pop("abstract", None)
    pub = Publication(pmid="1", abstract=[AbstractSection(text=abstract)] if abstract else [], **fields)
    return ScreeningRecord(pub, fields.pop("searches", ()), extractor=get_extractor("rules"))


TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT

CASES: list[tuple[str, dict[str, Any], dict[str, Any], Stage, bool | None]] = [
    # (label, rule spec, record fields, stage, expected condition value)
    (
        "pt case report",
        {"type": "publication-type", "types": ["case-report"]},
        {"publication_types": ["Case Reports"]},
        TA,
        True,
    ),
    (
        "pt trial prefix",
        {"type": "publication-type", "types": ["trial"]},
        {"publication_types": ["Clinical Trial, Phase II"]},
        TA,
        True,
    ),
    (
        "pt review not case",
        {"type": "publication-type", "types": ["case-report"]},
        {"publication_types": ["Review"]},
        TA,
        False,
    ),
    (
        "pt unknown",
        {"type": "publication-type", "types": ["case-report"]},
        {"publication_types": ["Journal Article"]},
        TA,
        None,
    ),
    (
        "pt series by title",
        {"type": "publication-type", "types": ["case-series"]},
        {"title": "Alectinib in three patients with IMT"},
        TA,
        True,
    ),
    (
        "pt only review",
        {"type": "publication-type", "types": ["review"], "only": True},
        {"publication_types": ["Review"]},
        TA,
        True,
    ),
    (
        "pt only but also case",
        {"type": "publication-type", "types": ["review"], "only": True},
        {"publication_types": ["Review", "Case Reports"]},
        TA,
        False,
    ),
    ("language eng", {"type": "language", "languages": ["English"]}, {"language": "eng"}, TA, True),
    ("language fre", {"type": "language", "languages": ["eng"]}, {"language": "fre"}, TA, False),
    ("language missing", {"type": "language", "languages": ["eng"]}, {}, TA, None),
    ("year inside", {"type": "year", "min": 2015, "max": 2023}, {"year": 2015}, TA, True),
    ("year after", {"type": "year", "max": 2023}, {"year": 2024}, TA, False),
    ("year missing", {"type": "year", "min": 2000}, {}, TA, None),
    ("humans", {"type": "humans"}, {"mesh_terms": ["Animals", "Humans"]}, TA, True),
    ("animals only", {"type": "humans"}, {"mesh_terms": ["Animals", "Mice"]}, TA, False),
    ("no mesh", {"type": "humans"}, {}, TA, None),
    ("term in title", {"type": "term", "terms": ["salvage"]}, {"title": "Salvage lorlatinib"}, TA, True),
    ("term whole word", {"type": "term", "terms": ["line"]}, {"title": "Pipeline of ALK inhibitors"}, TA, False),
    ("regex", {"type": "term", "pattern": r"\bsecond[- ]line\b"}, {"abstract": "as second-line therapy"}, TA, True),
    ("regex case", {"type": "term", "pattern": "ALK", "case_sensitive": True}, {"title": "alk-positive"}, TA, False),
    (
        "term field limited",
        {"type": "term", "terms": ["salvage"], "fields": ["abstract"]},
        {"title": "Salvage", "abstract": "A case."},
        TA,
        False,
    ),
    (
        "term full text only at full-text stage",
        {"type": "term", "terms": ["ifosfamide"], "fields": ["full-text"]},
        {"text": "ifosfamide given"},
        TA,
        None,
    ),
    (
        "term full text",
        {"type": "term", "terms": ["ifosfamide"], "fields": ["full-text"]},
        {"text": "ifosfamide given"},
        FT,
        True,
    ),
    ("term no text", {"type": "term", "terms": ["x"]}, {}, TA, None),
    (
        "disease synonym",
        {"type": "disease"},
        {"title": "Inflammatory myofibroblastic tumours of the bladder"},
        TA,
        True,
    ),
    ("disease hyphen", {"type": "disease"}, {"abstract": "an inflammatory-myofibroblastic tumor"}, TA, True),
    ("disease abbreviation", {"type": "disease"}, {"title": "Uterine IMT: a case"}, TA, True),
    ("disease abbreviation is case-sensitive", {"type": "disease"}, {"title": "Carotid imt in adults"}, TA, False),
    ("disease related off", {"type": "disease"}, {"title": "Inflammatory pseudotumor of the orbit"}, TA, False),
    (
        "disease related on",
        {"type": "disease", "related": True},
        {"title": "Inflammatory pseudotumor of the orbit"},
        TA,
        True,
    ),
    ("drug by brand", {"type": "drug", "drugs": ["alectinib"]}, {"abstract": "She took Alecensa daily."}, TA, True),
    ("drug other", {"type": "drug", "drugs": ["alectinib"]}, {"abstract": "She took crizotinib."}, TA, False),
    ("drug class", {"type": "drug", "drug_class": "ALK inhibitor"}, {"abstract": "lorlatinib was started"}, TA, True),
    (
        "drug class chemo only",
        {"type": "drug", "drug_class": "ALK inhibitor"},
        {"abstract": "ifosfamide was started"},
        TA,
        False,
    ),
    ("drug generation", {"type": "drug", "generation": 3}, {"abstract": "then Lorbrena"}, TA, True),
    ("drug generation other", {"type": "drug", "generation": 3}, {"abstract": "then ceritinib"}, TA, False),
    ("drug code name", {"type": "drug", "drugs": ["crizotinib"]}, {"abstract": "PF-02341066 was given"}, TA, True),
]


@pytest.mark.parametrize(("label", "spec", "fields", "stage", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule_condition(
    label: str, spec: dict[str, Any], fields: dict[str, Any], stage: Stage, expected: bool | None
) -> None:
    result = evaluate_rule(rule(**spec), record(**fields), stage)
    assert result.value is expected
    assert result.fired is (expected is True)


@pytest.mark.parametrize("value", [True, False, None])
def test_negate_fires_on_false_and_never_on_unknown(value: bool | None) -> None:
    fields = {True: {"mesh_terms": ["Humans"]}, False: {"mesh_terms": ["Animals"]}, None: {}}[value]
    result = evaluate_rule(rule(type="humans", negate=True), record(**fields), TA)
    assert result.fired is (value is False)


def test_spans_point_at_the_matched_text() -> None:
    rec = record(title="Alectinib in IMT", abstract="ALK-positive IMT responded to Alecensa.")
    result = evaluate_rule(rule(type="drug", drugs=["alectinib"]), rec, TA)
    found = {(s.field, rec.text(s.field)[s.start : s.end]) for s in result.spans}
    assert found == {(TextField.TITLE, "Alectinib"), (TextField.ABSTRACT, "Alecensa")}


def test_study_designs_of_a_case_report_with_literature_review() -> None:
    pub = Publication(
        title="Alectinib for IMT: a case report and review of the literature", publication_types=["Case Reports"]
    )
    assert study_designs(pub) == {StudyDesign.CASE_REPORT, StudyDesign.REVIEW}


def test_rule_limited_to_a_search_applies_only_to_its_records() -> None:
    protocol = parse_protocol(
        yaml.safe_dump(
            {
                "name": "p",
                "question": "q",
                "searches": [{"name": "a", "query": "x"}, {"name": "b", "query": "y"}],
                "criteria": [{"id": "r", "type": "humans", "action": "exclude", "reason": "humans", "searches": ["b"]}],
            }
        )
    )
    pub = Publication(pmid="1", mesh_terms=["Humans"])
    assert suggest(protocol, ScreeningRecord(pub, ["a"]), TA).decision is Decision.MAYBE
    assert suggest(protocol, ScreeningRecord(pub, ["b"]), TA).decision is Decision.EXCLUDE


def _protocol(*rules: dict[str, Any]) -> Any:
    return parse_protocol(yaml.safe_dump({**BASE, "criteria": list(rules)}))


def test_suggestion_order_exclude_then_maybe_then_all_includes() -> None:
    inc_imt = {"id": "imt", "type": "disease", "action": "include", "reason": "IMT"}
    inc_case = {
        "id": "case",
        "type": "publication-type",
        "types": ["case-report"],
        "action": "include",
        "reason": "case",
    }
    maybe_fr = {"id": "fr", "type": "language", "languages": ["fre"], "action": "maybe", "reason": "French"}
    exc_mice = {"id": "mice", "type": "humans", "negate": True, "action": "exclude", "reason": "animals"}
    protocol = _protocol(inc_imt, inc_case, maybe_fr, exc_mice)
    both = dict(title="IMT case", publication_types=["Case Reports"])
    s = suggest(protocol, record(**both, mesh_terms=["Animals"], language="fre"), TA)
    assert (s.decision, s.rule_id, s.reason) == (Decision.EXCLUDE, "mice", "animals")
    s = suggest(protocol, record(**both, language="fre"), TA)
    assert (s.decision, s.rule_id, s.reason) == (Decision.MAYBE, "fr", "French")
    s = suggest(protocol, record(**both), TA)
    assert (s.decision, s.rule_id, s.reason) == (Decision.INCLUDE, None, "IMT; case")
    s = suggest(protocol, record(title="IMT"), TA)
    assert (s.decision, s.rule_id, s.reason) == (Decision.MAYBE, None, "inclusion rules not met: case")


def test_stage_limited_rules_only_apply_at_their_stage() -> None:
    protocol = _protocol(
        {
            "id": "ft",
            "type": "term",
            "terms": ["progression"],
            "fields": ["full-text"],
            "stages": ["full-text"],
            "action": "exclude",
            "reason": "progressed",
        }
    )
    rec = record(title="IMT", text="after progression")
    assert suggest(protocol, rec, TA).decision is Decision.MAYBE
    assert suggest(protocol, rec, FT).decision is Decision.EXCLUDE


CASE_TEXT = (
    "A 52-year-old woman with ALK-positive inflammatory myofibroblastic tumor received alectinib 600 mg twice daily "
    "as first-line therapy and achieved a partial response. After progression she received ifosfamide and etoposide."
)
REVIEW_TEXT = "We review ALK inhibitors in inflammatory myofibroblastic tumors. Crizotinib is approved."
EXTRACTOR_CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    ("patient reported", {"type": "individual-patient"}, CASE_TEXT, True),
    ("no patient in a review", {"type": "individual-patient"}, REVIEW_TEXT, False),
    ("two patients wanted", {"type": "individual-patient", "min_patients": 2}, CASE_TEXT, False),
    ("second line", {"type": "line-of-therapy", "min": 2}, CASE_TEXT, True),
    ("third line", {"type": "line-of-therapy", "min": 3}, CASE_TEXT, False),
    ("alectinib first line", {"type": "line-of-therapy", "max": 1, "drugs": ["alectinib"]}, CASE_TEXT, True),
    ("alectinib second line", {"type": "line-of-therapy", "min": 2, "drugs": ["alectinib"]}, CASE_TEXT, False),
    ("chemotherapy later", {"type": "line-of-therapy", "min": 2, "drug_class": "chemotherapy"}, CASE_TEXT, True),
    ("no lines in a review", {"type": "line-of-therapy", "min": 1}, REVIEW_TEXT, False),
]


@pytest.mark.parametrize(("label", "spec", "text", "expected"), EXTRACTOR_CASES, ids=[c[0] for c in EXTRACTOR_CASES])
def test_extractor_rules_on_full_text(label: str, spec: dict[str, Any], text: str, expected: bool) -> None:
    assert evaluate_rule(rule(**spec), record(title="x", text=text), FT).value is expected


def test_extractor_rules_are_unknown_without_the_text_of_their_fields() -> None:
    only_full = rule(type="individual-patient", fields=["full-text"])
    assert evaluate_rule(only_full, record(title="A woman with IMT", text=CASE_TEXT), TA).value is None


class _OnePatientPerText:
    """An extractor passed in by the caller: the rules use it, not one they load themselves."""

    name = "counting"

    def __init__(self) -> None:
        self.texts: list[str] = []

    def extract(self, text: str, *, source: Any = None) -> Any:
        self.texts.append(text)
        return get_extractor("rules").extract(CASE_TEXT, source=source)


def test_extractor_rules_use_the_extractor_the_caller_passes() -> None:
    extractor = _OnePatientPerText()
    rec = ScreeningRecord(Publication(pmid="1", text=REVIEW_TEXT), extractor=extractor)
    assert evaluate_rule(rule(type="individual-patient"), rec, FT).value is True
    assert extractor.texts == [REVIEW_TEXT]


def test_extractor_rules_without_an_extractor_say_so() -> None:
    rec = ScreeningRecord(Publication(pmid="1", text=CASE_TEXT))
    with pytest.raises(InputError) as err:
        evaluate_rule(rule(type="individual-patient"), rec, FT)
    assert str(err.value) == (
        "the rule types individual-patient and line-of-therapy need an extractor; "
        "make the screening records with one (caseseries.extraction.get_extractor)"
    )
