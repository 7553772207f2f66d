"""Store: migrations, idempotent writes and round trips on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseseries.model import (
    CaseDocument,
    CaseFile,
    Evidence,
    Patient,
    Response,
    Source,
    TherapyLine,
)
from caseseries.store import Store
from caseseries.store.patients import PatientRepository

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


@st.composite
def patients(draw: st.DrawFn) -> Patient:
    n_lines = draw(st.integers(0, 3))
    lines = [
        TherapyLine(
            line=i + 1,
            agents=draw(st.lists(st.sampled_from(["alectinib", "crizotinib", "ifosfamide"]), max_size=2)),
            best_response=draw(st.none() | st.sampled_from(list(Response))),
            pfs_months=(pfs := draw(st.none() | st.floats(0, 200, allow_nan=False))),
            pfs_censored=None if pfs is None else draw(st.booleans()),
            evidence=[Evidence(field=f"lines[{i}].agents", start=0, end=3, text="abc")],
        )
        for i in range(n_lines)
    ]
    return Patient(
        label=draw(text),
        age_years=draw(st.none() | st.floats(0, 99, allow_nan=False)),
        primary_site=draw(st.none() | text),
        metastatic_sites=draw(st.lists(text, max_size=2)),
        lines=lines,
    )


def _file(ps: list[Patient], pmid: str = "123") -> CaseFile:
    return CaseFile(documents=[CaseDocument(source=Source(pmid=pmid, title="A case"), patients=ps)])


def test_add_is_idempotent_and_updates(db_url: str) -> None:
    store = Store.open(db_url)
    p = Patient(label="case 1", lines=[TherapyLine(line=1, agents=["alectinib"], best_response=Response.PR)])
    first = store.add_case_file(_file([p]))
    second = store.add_case_file(_file([p]))
    assert (len(first.added), len(second.added), len(second.unchanged)) == (1, 0, 1)
    changed = p.model_copy(update={"age_years": 7.0})
    third = store.add_case_file(_file([changed]))
    assert third.updated == ["pmid:123#case 1"]
    stored = store.patients()
    assert len(stored) == 1
    assert stored[0].patient.age_years == 7.0


def test_failed_write_leaves_nothing(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(db_url)
    calls = {"n": 0}
    original = PatientRepository._fill_columns

    def fail_on_second(row, patient):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(row, patient)

    monkeypatch.setattr(PatientRepository, "_fill_columns", staticmethod(fail_on_second))
    with pytest.raises(RuntimeError):
        store.add_case_file(_file([Patient(label="a"), Patient(label="b")]))
    assert store.patients() == []


def test_migrate_twice_is_harmless(db_url: str) -> None:
    store = Store.open(db_url)
    assert store.migrate() == store.migrate()
    store.check_schema()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ps=st.lists(patients(), min_size=1, max_size=3, unique_by=lambda p: p.label))
def test_round_trip_model_json_store_model(db_url: str, ps: list[Patient]) -> None:
    store = Store.open(db_url)
    case_file = _file(ps, pmid=str(abs(hash(tuple(p.label for p in ps)))))
    import json

    from caseseries.model import dump_case_file, parse_case_data

    again = parse_case_data(json.loads(dump_case_file(case_file)))
    store.add_case_file(again)
    back = {
        sp.patient.label: sp.patient for sp in store.patients() if sp.source.pmid == case_file.documents[0].source.pmid
    }
    assert back == {p.label: p for p in ps}


def test_case_documents_are_readable_as_publications(db_url: str) -> None:
    from caseseries.data import bundled_case_series

    store = Store.open(db_url)
    store.add_case_file(bundled_case_series())
    pubs = list(store.iter_publications())
    assert len(pubs) == 2
    assert all(p.citation_text for p in pubs)
    assert pubs[0].citation().startswith("Wu SC, Chen HW.")
    assert store.patients()[0].source.citation == pubs[0].citation_text


def test_extracting_a_stored_record_without_pmid_attaches_patients_to_it(sqlite_url: str) -> None:
    from caseseries.extraction import extract_publication
    from caseseries.model import Author, Publication

    store = Store.open(sqlite_url)
    pub = Publication(
        title="ALK-positive inflammatory myofibroblastic tumour of the bladder",
        year=2021,
        authors=[Author(last_name="Okafor", initials="N")],
        text="A 9-year-old boy had an ALK-positive inflammatory myofibroblastic tumour of the bladder. "
        "He received crizotinib and achieved a partial response.",
    )
    store.upsert_publication(pub)
    document = extract_publication(pub).document
    assert document.key() == pub.key()
    store.add_case_file(CaseFile(documents=[document]))
    assert len(list(store.iter_publications())) == 1
    assert [sp.publication_key for sp in store.patients()] == [pub.key()]
