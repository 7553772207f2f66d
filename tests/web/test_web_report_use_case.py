"""The web report is the ``report`` command's: same pooled patients and provenance from the same store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from web_helpers import login
from web_review_data import many_patients

from caseseries.app.duplicates import LinkStatus, decide
from caseseries.cli import main
from caseseries.model import parse_case_data
from caseseries.model.publication import SearchRecord
from caseseries.store import Store

QUERY = "inflammatory myofibroblastic tumour AND alk"


def _store_with_a_linked_duplicate(store: Store) -> tuple[int, int]:
    store.add_case_file(parse_case_data(many_patients(6)), extractor="rules", ruleset_version="7")
    store.save_search(SearchRecord(query=QUERY, run_at="2026-01-05T10:00:00Z", count=6))
    first, second = (sp.id for sp in store.patients()[:2])
    decide(store, first, second, LinkStatus.LINKED, actor="AB")
    return first, second


def test_web_report_pools_linked_duplicates_and_cites_provenance_as_the_command_does(
    client: Any, web_store: Store, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_with_a_linked_duplicate(web_store)
    token = login(client, "alice")
    assert client.post("/report", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    web_numbers = client.get("/report/download/analysis.json").json()
    web_md = client.get("/report/download/report.md").text

    out = tmp_path / "report"
    assert main(["--db", db_url, "report", "--out", str(out)]) == 0
    capsys.readouterr()
    cli_numbers = json.loads((out / "analysis.json").read_text("utf-8"))
    cli_md = (out / "report.md").read_text("utf-8")

    assert web_numbers["n_patients"] == cli_numbers["n_patients"] == 5  # six stored, two of them one person
    methods = web_md.split("## Methods", 1)[1].split("\n## ", 1)[0]
    assert f'query "{QUERY}"' in methods and "(6 records)" in methods  # the search, as the command reports it
    assert "Duplicate patients: 1 duplicate report of 1 patient merged after review." in methods
    assert "Extraction recorded on the patients: rules (rule set 7)" in methods
    assert web_md == cli_md  # the same report, word for word
