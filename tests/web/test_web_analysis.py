"""The analysis page counts reviewed and unreviewed patients apart and follows every accepted review."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_helpers import login
from web_review_data import many_patients, seed_review

from caseseries.model import parse_case_data
from caseseries.store import Store


def row(page: str, table: str, group: str) -> list[str]:
    body = page[page.index(f'id="{table}"') :]
    m = re.search(rf'<tr data-group="{group}">(.*?)</tr>', body, re.S)
    assert m, body
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", m[1], re.S)]


def expected_counts(n: int, keep: Any) -> dict[str, tuple[int, int, int]]:
    """(patients, CR, PR) by group, computed from the generated patients themselves."""
    out = {}
    for group, statuses in (("All analysed", {"reviewed", "extracted"}), ("Reviewed", {"reviewed"}),
                            ("Unreviewed", {"extracted"})):  # fmt: skip
        chosen = [p for d in many_patients(n)["documents"] for p in d["patients"]
                  if p["curation_status"] in statuses and keep(p)]  # fmt: skip
        responses = [p["lines"][0]["best_response"] for p in chosen]
        out[group] = (len(chosen), responses.count("CR"), responses.count("PR"))
    return out


CASES = [
    ("", lambda p: True),
    ("agent=crizotinib", lambda p: p["lines"][0]["agents"] == ["crizotinib"]),
    ("site=lung&line=1", lambda p: p["primary_site"] == "lung"),
    ("partner=EML4", lambda p: p["fusions"][0]["gene5"] == "EML4"),
]


@pytest.mark.parametrize(("query", "keep"), CASES)
def test_analysis_counts_reviewed_and_unreviewed_apart(client: Any, web_store: Store, query: str, keep: Any) -> None:
    web_store.add_case_file(parse_case_data(many_patients(30)))
    login(client, "vera")
    page = client.get(f"/analysis?{query}")
    assert page.status_code == 200
    for group, (patients, cr, pr) in expected_counts(30, keep).items():
        cells = row(page.text, "response", group)
        assert (int(cells[0]), int(cells[2]), int(cells[3])) == (patients, cr, pr), group
    assert 'src="data:image/png;base64,' in page.text


def test_accepting_a_patient_moves_it_to_the_reviewed_column(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    token = login(client, "alice")
    before = client.get("/analysis").text
    assert row(before, "response", "Reviewed")[:2] == ["0", "0"]
    assert row(before, "response", "Unreviewed")[:2] == ["1", "2"]
    client.post(f"/review/{pid}/accept", data={"csrf_token": token})
    after = client.get("/analysis").text
    assert row(after, "response", "Reviewed")[:2] == ["1", "2"]
    assert row(after, "response", "Unreviewed")[:2] == ["0", "0"]
    assert row(after, "pfs", "Reviewed")[:2] == ["1", "1"]  # line 1: 6 months, progressed


@pytest.mark.parametrize(
    ("query", "message"),
    [("line=first", "line &#39;first&#39; is not a line number"), ("agent=nodrug", "unknown drug &#39;nodrug&#39;")],
)
def test_bad_filters_are_refused_with_the_reason(client: Any, web_store: Store, query: str, message: str) -> None:
    login(client, "vera")
    page = client.get(f"/analysis?{query}")
    assert page.status_code == 400
    assert message in page.text
