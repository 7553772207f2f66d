"""Patients for the review, case and analysis web tests: own short texts, stored with their evidence."""

from __future__ import annotations

from typing import Any

from caseseries.model import CurationStatus, Publication, parse_case_data
from caseseries.store import Store

TEXT = (
    "A 41-year-old man had a mass in the lung. Biopsy showed ALK positivity by IHC and an EML4-ALK fusion. "
    "He was given crizotinib and reached stable disease; progression followed after 6 months. "
    "He then received Alecensa with a partial response lasting 10 months."
)
HOSTILE_TEXT = (
    'A girl aged 9 had a tumour of the bladder <script>document.title="pwned"</script> and '
    '<a href="javascript:alert(1)">a link</a>. She received crizotinib with a complete response.'
)
HOSTILE_LABEL = '<script>document.title="pwned"</script>case 1'


def span(text: str, field: str, quoted: str) -> dict[str, Any]:
    start = text.index(quoted)
    return {"field": field, "start": start, "end": start + len(quoted), "text": quoted}


def lung_patient() -> dict[str, Any]:
    t = TEXT
    return {
        "label": "index patient",
        "age_years": 41,
        "sex": "male",
        "diagnosis": "inflammatory myofibroblastic tumor",
        "primary_site": "lung",
        "alk": {"status": "positive", "methods": ["IHC"]},
        "fusions": [{"gene5": "EML4", "gene3": "ALK", "as_written": "EML4-ALK"}],
        "lines": [
            {"line": 1, "agents": ["crizotinib"], "best_response": "SD", "pfs_months": 6, "pfs_censored": False,
             "evidence": [span(t, "lines[0].agents", "crizotinib"), span(t, "lines[0].best_response", "stable disease"),
                          span(t, "lines[0].pfs_months", "6 months")]},
            {"line": 2, "agents": ["alectinib"], "best_response": "SD", "pfs_months": 10,
             "evidence": [span(t, "lines[1].agents", "Alecensa"), span(t, "lines[1].best_response", "lasting"),
                          span(t, "lines[1].pfs_months", "10 months")]},
        ],
        "evidence": [span(t, "age_years", "41-year-old"), span(t, "sex", "man"), span(t, "primary_site", "lung"),
                     span(t, "alk.status", "ALK positivity"), span(t, "alk.methods[0]", "IHC"),
                     span(t, "fusions[0]", "EML4-ALK")],
    }  # fmt: skip


def hostile_patient() -> dict[str, Any]:
    t = HOSTILE_TEXT
    return {
        "label": HOSTILE_LABEL,
        "age_years": 9,
        "sex": "female",
        "primary_site": "urinary bladder",
        "histology": '<img src=x onerror="document.title=1">',
        "notes": ["javascript:alert(1)"],
        "lines": [{"line": 1, "agents": ["crizotinib"], "best_response": "CR",
                   "response_as_written": '<a href="javascript:alert(1)">complete</a>',
                   "evidence": [span(t, "lines[0].agents", "crizotinib"),
                                span(t, "lines[0].best_response", "complete response")]}],
        "evidence": [span(t, "primary_site", "bladder <script>"), span(t, "sex", "girl")],
    }  # fmt: skip


def seed_review(store: Store, *, hostile: bool = False) -> int:
    """Store the lung patient (status extracted) with its text; return its id."""
    store.upsert_publication(Publication(source_path="lung-case.txt", text=TEXT))
    doc = {"source": {"path": "lung-case.txt"}, "patients": [lung_patient()]}
    store.add_case_file(parse_case_data(doc), status=CurationStatus.EXTRACTED, extractor="rules")
    if hostile:
        store.upsert_publication(Publication(source_path="hostile.txt", text=HOSTILE_TEXT))
        doc = {"source": {"path": "hostile.txt"}, "patients": [hostile_patient()]}
        store.add_case_file(parse_case_data(doc), status=CurationStatus.EXTRACTED, extractor="rules")
    return min(sp.id for sp in store.patients())


def many_patients(n: int, *, reviewed_every: int = 3) -> dict[str, Any]:
    """A case file of ``n`` patients across documents, sites, partners and agents."""
    sites = ["lung", "uterus", "urinary bladder", "soft tissue", "head and neck"]
    partners = ["EML4", "TPM3", "RANBP2", None]
    agents = ["crizotinib", "alectinib", "ceritinib", "lorlatinib"]
    responses = ["CR", "PR", "SD", "PD", None]
    docs = []
    for d in range(0, n, 5):
        patients = []
        for i in range(d, min(d + 5, n)):
            patients.append({
                "label": f"case {i - d + 1}",
                "age_years": 5 + i % 60,
                "diagnosis": "inflammatory myofibroblastic tumor",
                "primary_site": sites[i % len(sites)],
                "fusions": [{"gene5": partners[i % len(partners)], "gene3": "ALK"}],
                "curation_status": "reviewed" if i % reviewed_every == 0 else "extracted",
                "lines": [{"line": 1, "agents": [agents[i % len(agents)]], "best_response": responses[i % 5],
                           "pfs_months": 1 + i % 30, "pfs_censored": i % 4 == 0}],
            })  # fmt: skip
        docs.append({"source": {"pmid": str(900000 + d)}, "patients": patients})
    return {"schema": "caseseries/1", "documents": docs}
