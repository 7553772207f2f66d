"""The store's repositories return typed results: decisions and their audit log, patients and their history."""

from __future__ import annotations

from caseseries.model.case import Patient
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.store import Store
from caseseries.store.decisions import DecisionWrite
from caseseries.store.patients import RevisionChange


def test_decisions_are_written_once_and_audited(db_url: str) -> None:
    store = Store.open(db_url)
    first = DecisionWrite("pmid:1", "title-abstract", "include", "reviewer", "ann", None, "case report")
    again = DecisionWrite("pmid:1", "title-abstract", "include", "reviewer", "ann", None, "case report")
    changed = DecisionWrite("pmid:1", "title-abstract", "exclude", "reviewer", "ann", None, "review article")
    assert store.decisions.write({"p": [first], "q": [first]}, via="review") == {"p": 1, "q": 1}
    assert store.decisions.write({"p": [again]}, via="review") == {"p": 0}
    assert store.decisions.write({"p": [changed]}, via="csv") == {"p": 1}
    (current,) = store.decisions.current("p")
    assert (current.key, current.decision, current.reason) == ("pmid:1", "exclude", "review article")
    assert [(a.old_decision, a.new_decision, a.via) for a in store.decisions.audit("p")] == [
        (None, "include", "review"),
        ("include", "exclude", "csv"),
    ]
    assert store.decisions.current("p", "full-text") == []
    assert store.decisions.protocols() == ["p", "q"]


def test_patient_history_says_why_a_version_was_superseded(db_url: str) -> None:
    store = Store.open(db_url)
    doc = CaseDocument(source=Source(pmid="7", title="A case"), patients=[Patient(label="case 1", age_years=40)])
    store.cases.add_case_file(CaseFile(documents=[doc]))
    changed = doc.model_copy(update={"patients": [Patient(label="case 1", age_years=41)]})
    result = store.cases.add_case_file(CaseFile(documents=[changed]))
    assert result.updated == ["pmid:7#case 1"] and result.added == []
    (stored,) = store.cases.patients()
    store.cases.replace_patient(stored.id, Patient(label="case 1", age_years=42))
    store.cases.delete_patients([stored.id])
    history = store.patient_history(stored.id)
    assert [h.change for h in history] == [RevisionChange.REPLACED, RevisionChange.EDITED, RevisionChange.DELETED]
    assert [h.data["age_years"] for h in history] == [40, 41, 42]
    assert store.decisions.publication_keys() == {"pmid:7"}
