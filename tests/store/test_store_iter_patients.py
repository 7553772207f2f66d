"""``PatientRepository.iter_patients`` streams the same patients as ``patients()``, batch by batch."""

from __future__ import annotations

import pytest

from caseseries.data import bundled_case_series
from caseseries.model import CurationStatus, parse_case_data
from caseseries.store import Store


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.migrate(create=True)
    s.add_case_file(bundled_case_series())
    return s


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
def test_the_stream_is_the_list_in_the_same_order(store: Store, batch: int) -> None:
    listed = store.patients()
    streamed = list(store.cases.iter_patients(batch=batch))
    assert len(listed) > 3
    assert [(sp.id, sp.publication_key, sp.revision) for sp in streamed] == [
        (sp.id, sp.publication_key, sp.revision) for sp in listed
    ]
    assert [sp.patient for sp in streamed] == [sp.patient for sp in listed]
    assert [sp.source for sp in streamed] == [sp.source for sp in listed]


def test_a_status_filter_streams_only_that_status(store: Store) -> None:
    first = store.patients()[0]
    store.replace_patient(first.id, first.patient.model_copy(update={"curation_status": CurationStatus.REVIEWED}))
    reviewed = list(store.cases.iter_patients(status=CurationStatus.REVIEWED, batch=1))
    assert [sp.id for sp in reviewed] == [first.id]


def test_a_stream_stopped_early_leaves_the_store_usable(store: Store) -> None:
    stream = store.cases.iter_patients(batch=1)
    one = next(stream)
    stream.close()
    assert store.get_patient(one.id).patient == one.patient
    assert len(list(store.cases.iter_patients())) == len(store.patients())


TEXT = "A 30-year-old woman with a lung mass received crizotinib; the response was partial."


def _with_evidence(n: int) -> dict:  # type: ignore[type-arg]
    def span(field: str, quoted: str) -> dict:  # type: ignore[type-arg]
        start = TEXT.index(quoted)
        return {"field": field, "start": start, "end": start + len(quoted), "text": quoted}

    patient = {
        "label": "case 1", "age_years": 30, "sex": "female", "primary_site": "lung",
        "lines": [{"line": 1, "agents": ["crizotinib"], "best_response": "PR",
                   "evidence": [span("lines[0].agents", "crizotinib"), span("lines[0].best_response", "partial")]}],
        "evidence": [span("age_years", "30-year-old"), span("primary_site", "lung")],
    }  # fmt: skip
    documents = [{"source": {"title": f"Report {d}", "year": 2020 + d}, "patients": [patient]} for d in range(n)]
    return {"schema": "caseseries/1", "documents": documents}


def test_the_stream_validates_the_stored_json_as_the_model_does(db_url: str) -> None:
    s = Store(db_url)
    s.migrate(create=True)
    s.add_case_file(parse_case_data(_with_evidence(5)), extractor="rules", ruleset_version="3")
    listed = s.patients()
    streamed = list(s.cases.iter_patients(batch=2))
    assert len(streamed) == 5 and all(sp.patient.evidence and sp.patient.lines[0].evidence for sp in streamed)
    assert [(sp.patient, sp.source, sp.extractor, sp.ruleset_version) for sp in streamed] == [
        (sp.patient, sp.source, sp.extractor, sp.ruleset_version) for sp in listed
    ]
    assert {sp.extractor for sp in streamed} == {"rules"}
