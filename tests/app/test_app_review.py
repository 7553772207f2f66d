"""Extraction review use cases: load, highlight, edit with a selection as evidence, accept, compare, adjudicate."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from caseseries.app.review import (
    Edit,
    EditAction,
    Selection,
    Span,
    accept,
    apply_edit,
    extract_for_review,
    field_spec,
    highlight_segments,
    load_review,
    reopen,
)
from caseseries.app.review_compare import (
    Side,
    adjudicate,
    adjudicate_stored,
    compare_patients,
    other_extraction,
    other_from_case_json,
)
from caseseries.errors import NotFoundError, ValidationError, VocabularyError
from caseseries.model import CurationStatus, Patient, Publication, Source, parse_case_data
from caseseries.store import Store

TEXT = (
    "A 41-year-old man had a mass in the lung. Biopsy showed ALK positivity by IHC. "
    "He was given crizotinib and reached stable disease; progression followed after 6 months. "
    "He then received Alecensa with a partial response lasting 10 months. A brain lesion appeared later."
)
SOURCE = Source(path="own-case.txt")


def ev(field: str, quoted: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quoted, start + 1)
    return {"field": field, "start": start, "end": start + len(quoted), "text": quoted}


def patient_json(label: str = "index patient") -> dict[str, Any]:
    return {
        "label": label,
        "age_years": 41,
        "sex": "male",
        "primary_site": "lung",
        "metastatic_sites": ["brain"],
        "alk": {"status": "positive", "methods": ["IHC"]},
        "lines": [
            {
                "line": 1,
                "agents": ["crizotinib"],
                "best_response": "SD",
                "pfs_months": 6,
                "pfs_censored": False,
                "evidence": [
                    ev("lines[0].agents", "crizotinib"),
                    ev("lines[0].best_response", "stable disease"),
                    ev("lines[0].pfs_months", "6 months"),
                ],
            },
            {
                "line": 2,
                "agents": ["alectinib"],
                "best_response": "PR",
                "pfs_months": 10,
                "evidence": [
                    ev("lines[1].agents", "Alecensa"),
                    ev("lines[1].best_response", "partial response"),
                    ev("lines[1].pfs_months", "10 months"),
                ],
            },
        ],
        "evidence": [
            ev("age_years", "41-year-old"),
            ev("sex", "man"),
            ev("primary_site", "lung"),
            ev("metastatic_sites[0]", "brain"),
            ev("alk.status", "ALK positivity"),
            ev("alk.methods[0]", "IHC"),
        ],
        "conflicts": [
            {
                "field": "lines[0].pfs_months",
                "values": ["6", "7"],
                "chosen": "6",
                "evidence": [ev("lines[0].pfs_months", "6 months")],
            }
        ],
    }


def setup_store(url: str, *, with_text: bool = True, labels: tuple[str, ...] = ("index patient",)) -> Store:
    store = Store.open(url)
    if with_text:
        store.upsert_publication(Publication(source_path=SOURCE.path, text=TEXT))
    doc = {"source": SOURCE.model_dump(), "patients": [patient_json(label) for label in labels]}
    store.add_case_file(parse_case_data(doc), status=CurationStatus.EXTRACTED, extractor="rules")
    return store


def only_id(store: Store) -> int:
    return store.patients()[0].id


# ---------------------------------------------------------------------- highlighting
def span(i: int, field: str, start: int, end: int) -> Span:
    return Span(i, field, start, end, "", True)


SEGMENT_CASES = [
    # (spans as (field, start, end), expected [(piece, fields)])
    ([], [("abcdefghij", ())]),
    ([("a", 2, 5)], [("ab", ()), ("cde", ("a",)), ("fghij", ())]),
    ([("a", 0, 10)], [("abcdefghij", ("a",))]),
    # overlapping
    ([("a", 1, 5), ("b", 3, 8)], [("a", ()), ("bc", ("a",)), ("de", ("a", "b")), ("fgh", ("b",)), ("ij", ())]),
    # nested
    ([("outer", 1, 9), ("inner", 3, 5)], [("a", ()), ("bc", ("outer",)), ("de", ("outer", "inner")),
                                            ("fghi", ("outer",)), ("j", ())]),
    # the same span for two fields
    ([("x", 4, 6), ("y", 4, 6)], [("abcd", ()), ("ef", ("x", "y")), ("ghij", ())]),
    # out of range and empty spans are clipped or ignored
    ([("late", 8, 50), ("gone", 40, 60), ("empty", 3, 3), ("neg", -4, 2)],
     [("ab", ("neg",)), ("cdefgh", ()), ("ij", ("late",))]),
]  # fmt: skip


@pytest.mark.parametrize(("spans", "expected"), SEGMENT_CASES)
def test_highlight_segments(spans: list[tuple[str, int, int]], expected: list[tuple[str, tuple[str, ...]]]) -> None:
    text = "abcdefghij"
    segments = highlight_segments(text, [span(i, f, a, b) for i, (f, a, b) in enumerate(spans)])
    assert [(s.text, s.fields) for s in segments] == expected
    assert "".join(s.text for s in segments) == text
    assert all(text[s.start : s.end] == s.text for s in segments)


def test_highlight_segments_of_an_empty_text() -> None:
    assert highlight_segments("", [span(0, "a", 0, 5)]) == []


# ---------------------------------------------------------------------- loading
def test_load_review_gives_text_spans_conflicts_and_siblings(db_url: str) -> None:
    store = setup_store(db_url, labels=("case 1", "case 2"))
    first, second = (sp.id for sp in store.patients())
    review = load_review(store, first)
    assert review.text == TEXT
    assert review.revision == 1
    assert review.status is CurationStatus.EXTRACTED
    assert review.siblings == [second]
    assert len(review.spans) == 12
    assert all(s.matches and TEXT[s.start : s.end] == s.text for s in review.spans)
    assert [s.start for s in review.spans] == sorted(s.start for s in review.spans)
    assert [s.text for s in review.spans_for("lines[1].agents")] == ["Alecensa"]
    assert [s.text for s in review.spans_for("metastatic_sites")] == ["brain"]
    assert [c.field for c in review.conflicts] == ["lines[0].pfs_months"]


def test_load_review_without_a_stored_text(db_url: str) -> None:
    store = setup_store(db_url, with_text=False)
    review = load_review(store, only_id(store))
    assert review.text is None
    assert review.spans and not any(s.matches for s in review.spans)


def test_load_review_of_an_unknown_patient(db_url: str) -> None:
    store = setup_store(db_url)
    with pytest.raises(NotFoundError, match="no case with id 999"):
        load_review(store, 999)


# ---------------------------------------------------------------------- editing
def sel(quoted: str, nth: int = 0) -> Selection:
    e = ev("", quoted, nth)
    return Selection(e["start"], e["end"], quoted)


EDIT_CASES = [
    # (edit, path into the stored patient JSON, expected value, evidence field, expected evidence texts, old, new)
    (Edit("lines[0].best_response", "PD", selection=sel("progression")),
     ("lines", 0, "best_response"), "PD", "lines[0].best_response", ["progression"], '"SD"', '"PD"'),
    (Edit("lines[1].best_response", "partial response", selection=sel("partial response")),
     ("lines", 1, "best_response"), "PR", "lines[1].best_response", ["partial response"], '"PR"', '"PR"'),
    (Edit("lines[1].pfs_months", "10.5", selection=sel("10 months")),
     ("lines", 1, "pfs_months"), 10.5, "lines[1].pfs_months", ["10 months"], "10.0", "10.5"),
    (Edit("age_years", "41", selection=sel("41-year-old")),
     ("age_years",), 41.0, "age_years", ["41-year-old"], "41.0", "41.0"),
    (Edit("sex", "", selection=None), ("sex",), None, "sex", [], '"male"', None),
    (Edit("primary_site", "pulmonary", selection=sel("lung")),
     ("primary_site",), "lung", "primary_site", ["lung"], '"lung"', '"lung"'),
    (Edit("lines[0].pfs_censored", "", selection=None), ("lines", 0, "pfs_censored"), None,
     "lines[0].pfs_censored", [], "false", None),
    (Edit("metastatic_sites", "lung", EditAction.ADD, sel("lung")),
     ("metastatic_sites",), ["brain", "lung"], "metastatic_sites[1]", ["lung"], '["brain"]', '["brain", "lung"]'),
    (Edit("metastatic_sites", "brain", EditAction.REMOVE),
     ("metastatic_sites",), [], "metastatic_sites[0]", [], '["brain"]', "[]"),
    (Edit("lines[1].agents", "Alecensa", EditAction.REMOVE),
     ("lines", 1, "agents"), [], "lines[1].agents", [], '["alectinib"]', "[]"),
    (Edit("lines[0].agents", "alecensa", EditAction.ADD, sel("Alecensa")),
     ("lines", 0, "agents"), ["crizotinib", "alectinib"], "lines[0].agents", ["crizotinib", "Alecensa"],
     '["crizotinib"]', '["crizotinib", "alectinib"]'),
    (Edit("alk.methods", "fish", EditAction.ADD), ("alk", "methods"), ["IHC", "FISH"], "alk.methods[1]", [],
     '["IHC"]', '["IHC", "FISH"]'),
    (Edit("lines[2].agents", "lorlatinib", EditAction.ADD, sel("A brain lesion")),
     ("lines", 2, "agents"), ["lorlatinib"], "lines[2].agents", ["A brain lesion"], "[]", '["lorlatinib"]'),
    (Edit("lines[0]", action=EditAction.REMOVE_LINE), ("lines", 0, "agents"), ["alectinib"],
     "lines[0].agents", ["Alecensa"], '{"line": 1, "agents": ["crizotinib"]}', None),
]  # fmt: skip


def dig(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@pytest.mark.parametrize(("edit", "path", "value", "ev_field", "ev_texts", "old", "new"), EDIT_CASES)
def test_apply_edit(
    db_url: str,
    edit: Edit,
    path: tuple[str | int, ...],
    value: Any,
    ev_field: str,
    ev_texts: list[str],
    old: str | None,
    new: str | None,
) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    change = apply_edit(store, pid, edit, expected_revision=1)
    assert (change.field, change.old, change.new) == (edit.field, old, new)
    stored = store.get_patient(pid)
    data = stored.patient.model_dump(mode="json")
    assert dig(data, path) == value
    assert [e.text for e in stored.patient.all_evidence() if e.field == ev_field] == ev_texts
    assert all(TEXT[e.start : e.end] == e.text for e in stored.patient.all_evidence())
    changed = stored.patient != Patient.model_validate(patient_json()).model_copy(
        update={"curation_status": CurationStatus.EXTRACTED}
    )
    assert stored.revision == change.revision == (2 if changed else 1)
    if changed:
        assert [r.revision for r in store.patient_history(pid)] == [1]


def test_removing_a_line_renumbers_the_lines_after_it(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    apply_edit(store, pid, Edit("lines[0]", action=EditAction.REMOVE_LINE))
    patient = store.get_patient(pid).patient
    assert [(ln.line, ln.agents) for ln in patient.lines] == [(1, ["alectinib"])]
    assert {e.field for e in patient.lines[0].evidence} == {
        "lines[0].agents",
        "lines[0].best_response",
        "lines[0].pfs_months",
    }


def test_setting_a_conflicted_field_records_the_choice(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    apply_edit(store, pid, Edit("lines[0].pfs_months", "7", selection=sel("6 months")))
    assert store.get_patient(pid).patient.conflicts[0].chosen == "7.0"


EDIT_ERRORS = [
    (Edit("lines[0].best_response", "XR"), ValidationError,
     "lines[0].best_response: 'XR' is not allowed; use one of: CR, PR, SD, PD, NE"),
    (Edit("age_years", "forty"), ValidationError, "age_years: 'forty' is not a number; give a number such as 5.5"),
    (Edit("age_years", "410"), ValidationError, "age_years: 410.0 is outside the plausible range 0-120 years"),
    (Edit("lines[0].pfs_months", "-1"), ValidationError, "lines[0].pfs_months: -1.0 is outside the plausible range"),
    (Edit("lines[1].pfs_censored", "maybe"), ValidationError,
     "lines[1].pfs_censored: 'maybe' is not true or false; give true, false or leave it empty"),
    (Edit("lines[0].agents", "crizotinibb", EditAction.ADD), VocabularyError,
     "lines[0].agents: unknown drug 'crizotinibb'; did you mean"),
    (Edit("primary_site", "moon"), VocabularyError, "primary_site: unknown site 'moon'"),
    (Edit("label", "x"), ValidationError, "field: 'label' is not an editable field; use one of: age_years"),
    (Edit("lines[5].best_response", "PR"), ValidationError,
     "lines[5].best_response: there is no line 6; add an agent to lines[2] to start a new line"),
    (Edit("lines[0].best_response", "PR", selection=Selection(0, 5, "wrong")), ValidationError,
     "selection: the selection 'wrong' is not the text at 0-5 ('A 41-'); select again"),
    (Edit("lines[0].best_response", "PR", selection=Selection(5, 99999, "x")), ValidationError,
     "selection: the selection 5-99999 is outside the text"),
    (Edit("metastatic_sites", "lung"), ValidationError,
     "action: metastatic_sites cannot be changed with 'set'; add or remove an item"),
    (Edit("sex", "female", EditAction.ADD), ValidationError, "action: sex cannot be changed with 'add'; set the value"),
    (Edit("metastatic_sites", "liver", EditAction.REMOVE), ValidationError,
     "metastatic_sites: 'liver' is not in metastatic_sites; nothing to remove"),
    (Edit("lines[1].start", "2019-02-30"), ValidationError, "lines[1].start: date '2019-02-30' does not exist"),
    (Edit("lines[9]", action=EditAction.REMOVE_LINE), ValidationError, "'lines[9]' is not a line of this patient"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "error", "message"), EDIT_ERRORS)
def test_apply_edit_refuses_bad_input_and_changes_nothing(
    db_url: str, edit: Edit, error: type[Exception], message: str
) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    before = store.get_patient(pid)
    with pytest.raises(error) as caught:
        apply_edit(store, pid, edit)
    assert message in str(caught.value)
    after = store.get_patient(pid)
    assert (after.patient, after.revision) == (before.patient, before.revision)


def test_censoring_without_duration_is_refused(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    apply_edit(store, pid, Edit("lines[1].pfs_months", ""))
    with pytest.raises(ValidationError, match="pfs_censored is set but pfs_months is missing"):
        apply_edit(store, pid, Edit("lines[1].pfs_censored", "true"))


def test_a_selection_needs_a_stored_text(db_url: str) -> None:
    store = setup_store(db_url, with_text=False)
    with pytest.raises(ValidationError, match="this document has no stored text to select from"):
        apply_edit(store, only_id(store), Edit("sex", "male", selection=sel("man")))


def test_a_stale_revision_writes_nothing(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    apply_edit(store, pid, Edit("age_years", "42"), expected_revision=1)
    with pytest.raises(ValidationError, match=re.escape("changed (now revision 2, edited from 1)")):
        apply_edit(store, pid, Edit("age_years", "43"), expected_revision=1)
    assert store.get_patient(pid).patient.age_years == 42


# ---------------------------------------------------------------------- accept and reopen
def test_accept_and_reopen(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    change = accept(store, pid, expected_revision=1)
    assert (change.field, change.old, change.new, change.revision) == ("curation_status", "extracted", "reviewed", 2)
    assert store.get_patient(pid).patient.curation_status is CurationStatus.REVIEWED
    assert [sp.id for sp in store.patients(status=CurationStatus.REVIEWED)] == [pid]
    again = accept(store, pid)
    assert (again.old, again.new, again.revision) == ("reviewed", "reviewed", 2)
    back = reopen(store, pid)
    assert (back.old, back.new, back.revision) == ("reviewed", "extracted", 3)


def test_reopen_a_curated_patient(db_url: str) -> None:
    store = Store.open(db_url)
    store.add_case_file(parse_case_data({"source": {"pmid": "7"}, "patients": [{"label": "case 1"}]}))
    pid = only_id(store)
    accept(store, pid)
    assert reopen(store, pid).new == "curated"


# ---------------------------------------------------------------------- extracting for review
def test_extract_for_review_stores_the_text_so_every_span_can_be_shown(db_url: str) -> None:
    store = Store.open(db_url)
    ids = extract_for_review(store, TEXT, Source(path="mine.txt"))
    assert len(ids) == 1
    review = load_review(store, ids[0])
    assert review.text == TEXT
    assert review.status is CurationStatus.EXTRACTED
    assert review.stored.extractor == "rules"
    assert review.spans and all(s.matches for s in review.spans)
    assert extract_for_review(store, TEXT, Source(path="mine.txt")) == ids  # idempotent


def test_extract_for_review_refuses_an_empty_text(db_url: str) -> None:
    with pytest.raises(ValidationError, match="the text is empty"):
        extract_for_review(Store.open(db_url), "  \n", Source(path="x.txt"))


def test_field_spec_of_a_line_field() -> None:
    line, spec = field_spec("lines[3].pfs_months")
    assert (line, spec.name, spec.kind.value) == (3, "pfs_months", "number")


# ---------------------------------------------------------------------- compare and adjudicate
def other_json() -> dict[str, Any]:
    data = patient_json()
    data["age_years"] = 40
    data["evidence"] = [e for e in data["evidence"] if e["field"] != "age_years"]
    data["metastatic_sites"] = ["lung", "brain"]
    data["evidence"] = [e for e in data["evidence"] if not e["field"].startswith("metastatic_sites")] + [
        ev("metastatic_sites[0]", "lung"),
        ev("metastatic_sites[1]", "brain"),
    ]
    data["lines"][1]["pfs_months"] = 11
    data["lines"][1]["evidence"] = [e for e in data["lines"][1]["evidence"] if e["field"] != "lines[1].pfs_months"] + [
        ev("lines[1].pfs_months", "lasting 10 months")
    ]
    data["lines"].append({"line": 3, "agents": ["lorlatinib"], "evidence": [ev("lines[2].agents", "brain lesion")]})
    return data


def test_compare_lists_the_disagreements_with_their_evidence() -> None:
    a, b = Patient.model_validate(patient_json()), Patient.model_validate(other_json())
    diffs = {c.field: c for c in compare_patients(a, b) if not c.agree}
    assert sorted(diffs) == ["age_years", "lines[1].pfs_months", "lines[2]", "metastatic_sites"]
    assert (diffs["age_years"].a, diffs["age_years"].b) == (41.0, 40.0)
    assert [e.text for e in diffs["age_years"].evidence_a] == ["41-year-old"]
    assert diffs["age_years"].evidence_b == ()
    assert (diffs["lines[2]"].a, diffs["lines[2]"].b) == (None, "line 3: lorlatinib")
    assert [e.text for e in diffs["lines[1].pfs_months"].evidence_b] == ["lasting 10 months"]
    agreeing = [c for c in compare_patients(a, a)]
    assert agreeing and all(c.agree for c in agreeing)


ADJUDICATIONS = [
    # (choices, expected age, metastatic sites, line-2 pfs, number of lines, line-2 pfs evidence texts)
    ({"age_years": Side.A, "metastatic_sites": Side.A, "lines[1].pfs_months": Side.A, "lines[2]": Side.A},
     41.0, ["brain"], 10.0, 2, ["10 months", "lasting 10 months"]),
    ({"age_years": Side.B, "metastatic_sites": Side.B, "lines[1].pfs_months": Side.B, "lines[2]": Side.B},
     40.0, ["lung", "brain"], 11.0, 3, ["lasting 10 months", "10 months"]),
    ({"age_years": Side.B, "metastatic_sites": Side.A, "lines[1].pfs_months": Side.A, "lines[2]": Side.B},
     40.0, ["brain"], 10.0, 3, ["10 months", "lasting 10 months"]),
]  # fmt: skip


@pytest.mark.parametrize(("choices", "age", "sites", "pfs", "n_lines", "pfs_texts"), ADJUDICATIONS)
def test_adjudicate_keeps_both_evidence_spans(
    choices: dict[str, Side], age: float, sites: list[str], pfs: float, n_lines: int, pfs_texts: list[str]
) -> None:
    a, b = Patient.model_validate(patient_json()), Patient.model_validate(other_json())
    result = adjudicate(a, b, choices)
    assert (result.age_years, result.metastatic_sites, result.lines[1].pfs_months) == (age, sites, pfs)
    assert len(result.lines) == n_lines
    assert [e.text for e in result.lines[1].evidence if e.field == "lines[1].pfs_months"] == pfs_texts
    assert [e.text for e in result.evidence if e.field == "age_years"] == ["41-year-old"]
    site_ev = {e.field: e.text for e in result.evidence if e.field.startswith("metastatic_sites")}
    assert site_ev == {f"metastatic_sites[{i}]": s for i, s in enumerate(sites)}
    assert len([n for n in result.notes if n.startswith("adjudicated ")]) == 4


def test_adjudicate_needs_a_choice_for_every_disagreement() -> None:
    a, b = Patient.model_validate(patient_json()), Patient.model_validate(other_json())
    with pytest.raises(ValidationError, match=re.escape("disagree: lines[1].pfs_months, lines[2]")):
        adjudicate(a, b, {"age_years": Side.B, "metastatic_sites": Side.A})
    with pytest.raises(ValidationError, match="'bogus' is not a compared field"):
        adjudicate(a, b, {"bogus": Side.A})


def test_adjudicate_stored_replaces_the_patient_and_lists_the_changes(db_url: str) -> None:
    store = setup_store(db_url)
    pid = only_id(store)
    other = Patient.model_validate(other_json())
    choices = {"age_years": Side.B, "metastatic_sites": Side.A, "lines[1].pfs_months": Side.B, "lines[2]": Side.A}
    changes = adjudicate_stored(store, pid, other, choices, expected_revision=1)
    assert [(c.field, c.old, c.new, c.revision) for c in changes] == [
        ("age_years", "41.0", "40.0", 2),
        ("lines[1].pfs_months", "10.0", "11.0", 2),
    ]
    stored = store.get_patient(pid)
    assert (stored.patient.age_years, stored.patient.lines[1].pfs_months, stored.revision) == (40.0, 11.0, 2)


def test_other_from_case_json_picks_the_patient_of_the_same_label() -> None:
    doc = {"source": {"path": "b.txt"}, "patients": [patient_json("case 1"), other_json() | {"label": "case 2"}]}
    assert other_from_case_json(json.loads(json.dumps(doc)), "case 2").age_years == 40
    with pytest.raises(ValidationError, match=re.escape("has no patient 'case 9' (found 'case 1', 'case 2')")):
        other_from_case_json(doc, "case 9")


def test_other_extraction_runs_the_extractor_on_the_stored_text(db_url: str) -> None:
    store = setup_store(db_url)
    other = other_extraction(store, only_id(store))
    assert isinstance(other, Patient)
    assert all(TEXT[e.start : e.end] == e.text for e in other.all_evidence())
    assert any(e.field.startswith("lines[") for e in other.all_evidence())


def test_other_extraction_needs_a_stored_text(db_url: str) -> None:
    store = setup_store(db_url, with_text=False)
    with pytest.raises(ValidationError, match="no stored text to extract again"):
        other_extraction(store, only_id(store))


def test_case_list_follows_every_change(db_url: str) -> None:
    from caseseries.app.review_cases import CaseFilter, ReviewState, list_cases

    store = setup_store(db_url, labels=("case 1", "case 2"))
    first, second = (sp.id for sp in store.patients())
    page = list_cases(store, CaseFilter())
    assert (page.total, page.reviewed, page.unreviewed) == (2, 0, 2)
    accept(store, first)
    apply_edit(store, second, Edit("primary_site", "uterus"))
    assert [r.id for r in list_cases(store, CaseFilter(state=ReviewState.REVIEWED)).rows] == [first]
    assert [r.id for r in list_cases(store, CaseFilter(site="uterine")).rows] == [second]
    store.delete_patients([first])
    assert [r.id for r in list_cases(store, CaseFilter()).rows] == [second]
