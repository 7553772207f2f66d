"""Data-driven tables for the molecular and anatomic finders (ALK testing, fusions, mutations, sites).

Each table in ``tests/data/extraction/tables/`` lists texts written for these tests with the
fields the finders must read from them.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.conftest import DATA as TESTS_DATA

from caseseries.errors import VocabularyError
from caseseries.extraction.alk import find_alk, is_general
from caseseries.extraction.anatomy import find_sites
from caseseries.extraction.draft import PatientDraft
from caseseries.extraction.findings import _sentence_fusions
from caseseries.extraction.genes import find_fusions, find_mutations, find_other_alterations
from caseseries.extraction.patients import _sites
from caseseries.extraction.rules import RuleExtractor
from caseseries.vocab.loader import Site, _check_parents, reported_site, site_lineage

TABLES = TESTS_DATA / "extraction" / "tables"


def rows(name: str) -> list[Any]:
    """The rows of a table file, each a pytest param with its text as id."""
    data = yaml.safe_load((TABLES / name).read_text("utf-8"))
    return [pytest.param(row, id=row["text"][:60]) for row in data]


@pytest.mark.parametrize("row", rows("alk_testing.yaml"))
def test_alk_testing_table(row: dict[str, Any]) -> None:
    text = row["text"]
    found = find_alk(text, [(0, len(text))])
    assert (found.status.value if found.status else None) == row["status"]
    assert sorted(m.value for m in found.methods) == sorted(row["methods"])
    if found.status_span is not None:
        start, end = found.status_span
        assert 0 <= start < end <= len(text)


def _label(gene5: str | None, gene3: str | None) -> str:
    return f"{gene5 or 'v'}::{gene3 or 'v'}"


@pytest.mark.parametrize("row", rows("fusions.yaml"))
def test_fusion_table(row: dict[str, Any]) -> None:
    text = row["text"]
    hits = find_fusions(text)
    named = [h for h in hits if h.gene5 or h.flags] or hits[:1]
    assert [_label(h.gene5, h.gene3) for h in named] == row["fusions"]
    for flag in row.get("flags", []):
        assert any(flag in f for h in named for f in h.flags), (flag, [h.flags for h in named])
    if "as_written" in row:
        assert [h.as_written for h in named] == row["as_written"]
    assert all(text[h.start : h.end] == h.as_written for h in hits)


@pytest.mark.parametrize("row", rows("patient_fusions.yaml"))
def test_patient_fusion_table(row: dict[str, Any]) -> None:
    text = row["text"]
    hits = _sentence_fusions(text, 0, len(text), row["label"])
    named = [h for h in hits if h.gene5 or h.flags] or hits[:1]
    assert [_label(h.gene5, h.gene3) for h in named] == row["fusions"]


@pytest.mark.parametrize("row", rows("mutations.yaml"))
def test_mutation_table(row: dict[str, Any]) -> None:
    text = row["text"]
    hits = find_mutations(text)
    assert [f"{h.gene} {h.protein}" for h in hits] == row["mutations"]
    assert [h.value for h in find_other_alterations(text)] == row["other"]


@pytest.mark.parametrize(
    "row",
    [pytest.param(r, id=r["sentences"][0][:60]) for r in yaml.safe_load((TABLES / "sites.yaml").read_text("utf-8"))],
)
def test_site_table(row: dict[str, Any]) -> None:
    text = " ".join(row["sentences"])
    spans, pos = [], 0
    for sentence in row["sentences"]:
        spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    draft = PatientDraft("index patient")
    _sites(text, spans, [], draft)
    assert draft.values.get("primary_site") == row["primary"]
    assert draft.metastatic_sites == row["metastatic"]
    if "details" in row:
        assert [h.detail for h in find_sites(text)][: len(row["details"])] == row["details"]


@pytest.mark.parametrize(
    ("word", "lineage", "reported"),
    [
        ("hard palate", ["palate", "oral cavity", "head and neck"], "oral cavity"),
        ("endobronchial", ["bronchus", "lung"], "lung"),
        ("leptomeningeal", ["leptomeninges", "brain"], "brain"),
        ("maxillary sinus", ["maxillary sinus", "paranasal sinus", "head and neck"], "maxillary sinus"),
        ("thigh", ["limb", "soft tissue"], "soft tissue"),
        ("no such place", [], None),
    ],
)
def test_site_parents(word: str, lineage: list[str], reported: str | None) -> None:
    assert site_lineage(word) == lineage
    assert reported_site(word) == reported


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"term": "tongue", "parent": "mouth cavity", "source": "t"}], "unknown parent 'mouth cavity'"),
        ([{"term": "palate", "specific": True, "source": "t"}], "a specific site needs a parent"),
        (
            [{"term": "a", "parent": "b", "source": "t"}, {"term": "b", "parent": "a", "source": "t"}],
            "parents loop back",
        ),
    ],
)
def test_site_parents_are_checked(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        _check_parents([Site.model_validate(e) for e in entries], "sites.yaml")


@pytest.mark.parametrize(
    "row",
    [pytest.param(r, id=r["name"]) for r in yaml.safe_load((TABLES / "patient_findings.yaml").read_text("utf-8"))],
)
def test_patient_findings_table(row: dict[str, Any]) -> None:
    doc = RuleExtractor().extract(row["text"]).document
    got = [
        {
            "label": p.label,
            "status": p.alk.status.value if p.alk.status else None,
            "methods": sorted(m.value for m in p.alk.methods),
            "fusions": [_label(f.gene5, f.gene3) for f in p.fusions],
            "mutations": [f"{m.gene} {m.protein}" for m in p.mutations],
        }
        for p in doc.patients
    ]
    want = [{"mutations": [], **p, "methods": sorted(p["methods"])} for p in row["patients"]]
    assert got == want


@pytest.mark.parametrize(
    ("sentence", "general"),
    [
        ("Three adults with ALK-rearranged tumours are described.", False),
        ("Three adults with ALK-rearranged tumours were described in a recent literature review.", True),
        ("Adults with ALK-rearranged tumours often respond to crizotinib.", True),
    ],
)
def test_counted_reported_patients_are_not_general_unless_cited(sentence: str, general: bool) -> None:
    assert is_general(sentence) is general
