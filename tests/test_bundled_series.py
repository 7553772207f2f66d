"""The bundled case series: 21 curated patients from the seeds, valid, traceable to the seed texts."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from caseseries.data import bundled_case_series, case_schema_text
from caseseries.model import Response, case_json_schema
from caseseries.vocab.check import check_case_file

from .conftest import SEEDS


@pytest.fixture(scope="module")
def series():  # type: ignore[no-untyped-def]
    return bundled_case_series()


def test_twenty_one_patients_from_the_seed_tables_and_index_patients(series) -> None:  # type: ignore[no-untyped-def]
    labels = [(d.source.path, p.label) for d, p in series.patients()]
    assert len(labels) == 21
    seed0 = [label for path, label in labels if path.startswith("000_")]
    assert seed0.count("index patient") == 1
    assert sorted(x for x in seed0 if x.startswith("Table 1")) == sorted(f"Table 1, case {i}" for i in range(1, 11))
    assert sorted(x for x in seed0 if x.startswith("Table 2")) == sorted(f"Table 2, case {i}" for i in range(1, 10))
    assert [label for path, label in labels if path.startswith("003_")] == ["index patient"]


def test_shipped_schema_is_current_and_validates_every_case(series) -> None:  # type: ignore[no-untyped-def]
    shipped = json.loads(case_schema_text())
    assert shipped == json.loads(json.dumps(case_json_schema(), sort_keys=True))
    data = json.loads(
        Path(__file__).parent.parent.joinpath("src/caseseries/data/cases/alk_imt_seed_series.json").read_text()
    )
    jsonschema.validate(data, shipped)
    data["documents"][0]["patients"][0]["lines"][0]["best_response"] = "XR"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, shipped)


def test_every_evidence_span_quotes_the_seed_text(series) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for doc in series.documents:
        text = (SEEDS / doc.source.path).read_text(encoding="utf-8")
        for patient in doc.patients:
            spans = patient.all_evidence() + [e for c in patient.conflicts for e in c.evidence]
            assert spans, patient.label
            for e in spans:
                assert text[e.start : e.end] == e.text, (patient.label, e.field)
                checked += 1
    assert checked > 100


def test_vocabulary_check_passes(series) -> None:  # type: ignore[no-untyped-def]
    check_case_file(series, source="bundled")


def test_curation_of_the_hard_cases(series) -> None:  # type: ignore[no-untyped-def]
    by_label = {(d.source.path[:3], p.label): p for d, p in series.patients()}
    idx = by_label[("000", "index patient")]
    assert [line.agents for line in idx.lines][:3] == [["alectinib"], ["lorlatinib"], ["ifosfamide", "etoposide"]]
    assert idx.lines[0].best_response is None and idx.lines[0].response_as_written == "dramatic response"
    assert (idx.lines[0].pfs_months, idx.lines[0].pfs_censored) == (5, False)
    assert idx.lines[0].resistance_mutations == ["ALK p.G1202R"]
    assert {c.field for c in idx.conflicts} >= {"lines[0].pfs_months"}
    assert by_label[("000", "Table 1, case 2")].lines[0].pfs_months == 36  # "Ongoing after 3 years"
    assert by_label[("000", "Table 1, case 2")].lines[0].pfs_censored is True
    ctcl = by_label[("000", "Table 1, case 10")]
    assert ctcl.fusions[0].gene5 is None and ctcl.fusions[0].as_written == "CTCL" and ctcl.fusions[0].flags
    assert ctcl.reference == "[17]"
    assert by_label[("000", "Table 2, case 2")].lines[0].agents == ["asp3026"]
    assert by_label[("000", "Table 2, case 6")].lines[0].summarised_lines == 3
    assert by_label[("000", "Table 2, case 5")].lines[2].agents == ["lorlatinib"]
    assert [p.reference for k, p in by_label.items() if k[1] in {f"Table 2, case {i}" for i in (3, 4, 5, 6)}] == [
        "[20]"
    ] * 4
    seed3 = by_label[("003", "index patient")]
    assert seed3.lines[0].best_response is Response.CR and seed3.lines[0].pfs_censored is True
    assert seed3.primary_site == "lung" and "oral cavity" in seed3.metastatic_sites


def test_every_evidence_span_is_well_formed_without_the_seed_texts(series) -> None:  # type: ignore[no-untyped-def]
    spans = [e for _, p in series.patients() for e in p.all_evidence() + [e for c in p.conflicts for e in c.evidence]]
    assert len(spans) > 100
    for e in spans:
        assert 0 <= e.start < e.end and e.end - e.start == len(e.text) and e.text.strip() == e.text, e.field
    paths = {d.source.path for d in series.documents}
    assert paths == {"000_9a263966bb2574b4.txt", "003_90a95ad148c6f17c.txt"}
