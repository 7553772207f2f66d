"""The extraction review pages and API in-process, on SQLite and PostgreSQL: edits, audit, roles, inert content."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from web_helpers import login
from web_review_data import HOSTILE_TEXT, TEXT, hostile_patient, seed_review

from caseseries.model import CurationStatus
from caseseries.store import Store

JSON = {"Accept": "application/json"}


def edit(client: Any, token: str, pid: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/review/{pid}/edit", json=body, headers={"X-CSRF-Token": token, **JSON})


def test_review_page_highlights_every_span_beside_its_value(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    login(client, "alice")
    page = client.get(f"/review/{pid}")
    assert page.status_code == 200
    segments = re.findall(
        r'<span class="seg(?: ev)?" data-start="(\d+)"(?: data-spans="([\d ]+)")?[^>]*>([^<]*)</span>', page.text
    )
    assert "".join(html.unescape(t) for _, _, t in segments) == TEXT
    marked = {html.unescape(t) for _, spans, t in segments if spans}
    assert {"41-year-old", "crizotinib", "stable disease", "Alecensa", "EML4-ALK"} <= marked
    value = re.search(r'data-field="lines\[1\]\.agents" data-spans="(\d+)"', page.text)
    assert value is not None
    owner = next(t for _, spans, t in segments if value.group(1) in spans.split())
    assert owner == "Alecensa"


def test_an_edit_with_a_selection_is_stored_audited_and_shown(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    token = login(client, "alice")
    start = TEXT.index("partial response")
    body = {"field": "lines[1].best_response", "value": "PR", "start": start, "end": start + 16,
            "text": "partial response", "revision": 1}  # fmt: skip
    done = edit(client, token, pid, body)
    assert done.status_code == 200, done.text
    assert done.json() == {"field": "lines[1].best_response", "old": '"SD"', "new": '"PR"', "revision": 2}
    stored = web_store.get_patient(pid)
    assert stored.patient.lines[1].best_response.value == "PR"  # type: ignore[union-attr]
    assert [e.text for e in stored.patient.lines[1].evidence if e.field.endswith("best_response")] == [
        "partial response"
    ]
    page = client.get(f"/review/{pid}").text
    audit = page[page.index("Changes to this patient") :]
    assert "alice" in audit and "lines[1].best_response" in audit and "&#34;SD&#34;" in audit


def test_a_stale_revision_is_refused(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    token = login(client, "alice")
    assert edit(client, token, pid, {"field": "age_years", "value": "42", "revision": 1}).status_code == 200
    late = edit(client, token, pid, {"field": "age_years", "value": "43", "revision": 1})
    assert late.status_code == 400
    assert "changed (now revision 2, edited from 1)" in late.json()["error"]


BAD_EDITS = [
    ({"field": "lines[0].best_response", "value": "XR"}, "'XR' is not allowed; use one of: CR, PR, SD, PD, NE"),
    ({"field": "lines[0].best_response", "value": "PR", "start": 0, "end": 4, "text": "nope"},
     "the selection 'nope' is not the text at 0-4"),
    ({"field": "notes", "value": "x"}, "'notes' is not an editable field"),
    ({"field": "lines[0].agents", "value": "aspirinx", "action": "add"}, "unknown drug 'aspirinx'"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), BAD_EDITS)
def test_bad_edits_are_refused_with_the_reason(
    client: Any, web_store: Store, body: dict[str, Any], message: str
) -> None:
    pid = seed_review(web_store)
    token = login(client, "alice")
    done = edit(client, token, pid, body)
    assert done.status_code == 400
    assert message in done.json()["error"]
    assert web_store.get_patient(pid).revision == 1


def test_accept_marks_reviewed_and_reopen_takes_it_back(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    token = login(client, "bob")
    done = client.post(f"/review/{pid}/accept", data={"csrf_token": token, "revision": "1"}, follow_redirects=False)
    assert done.status_code == 303
    assert web_store.get_patient(pid).patient.curation_status is CurationStatus.REVIEWED
    assert 'id="reopen"' in client.get(f"/review/{pid}").text
    client.post(f"/review/{pid}/reopen", data={"csrf_token": token}, follow_redirects=False)
    assert web_store.get_patient(pid).patient.curation_status is CurationStatus.EXTRACTED
    changes = client.app.state.context.accounts.changes_for("patient", str(pid))
    assert [(c.field, c.old, c.new, c.actor) for c in changes] == [
        ("curation_status", "extracted", "reviewed", "bob"),
        ("curation_status", "reviewed", "extracted", "bob"),
    ]


def test_extracting_a_pasted_text_opens_its_first_patient(client: Any, web_store: Store) -> None:
    token = login(client, "alice")
    done = client.post(
        "/review/extract",
        data={"text": TEXT, "name": "../../etc/mine.txt", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    pid = int(done.headers["location"].rsplit("/", 1)[1])
    stored = web_store.get_patient(pid)
    assert stored.source.path == "mine.txt"
    assert stored.patient.curation_status is CurationStatus.EXTRACTED
    assert 'class="seg ev"' in client.get(f"/review/{pid}").text


def test_review_queue_lists_unreviewed_patients(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    login(client, "vera")
    page = client.get("/review").text
    assert f'href="/review/{pid}"' in page
    assert "Extract a case report" not in page  # a viewer gets no form


WRITES = [
    ("/api/review/{pid}/edit", {"json": {"field": "age_years", "value": "50"}}),
    ("/review/{pid}/accept", {"data": {}}),
    ("/review/{pid}/reopen", {"data": {}}),
    ("/review/extract", {"data": {"text": TEXT}}),
    ("/review/{pid}/compare", {"data": {"case_json": "{}"}}),
    ("/review/{pid}/adjudicate", {"data": {"other": "{}"}}),
]


@pytest.mark.parametrize(("url", "payload"), WRITES)
def test_a_viewer_cannot_write_and_csrf_is_required(
    client: Any, web_store: Store, url: str, payload: dict[str, Any]
) -> None:
    pid = seed_review(web_store)
    target = url.format(pid=pid)
    token = login(client, "vera")
    body = {k: ({**v, "csrf_token": token} if k == "data" else v) for k, v in payload.items()}
    assert client.post(target, headers={"X-CSRF-Token": token, **JSON}, **body).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "alice")
    no_token = {
        k: ({kk: vv for kk, vv in v.items() if kk != "csrf_token"} if k == "data" else v) for k, v in body.items()
    }
    assert client.post(target, headers=JSON, **no_token).status_code == 403
    stored = web_store.get_patient(pid)
    assert (stored.revision, stored.patient.age_years) == (1, 41)


def test_script_and_javascript_urls_in_values_and_text_are_inert(client: Any, web_store: Store) -> None:
    seed_review(web_store, hostile=True)
    pid = next(sp.id for sp in web_store.patients() if sp.patient.label == hostile_patient()["label"])
    login(client, "alice")
    for url in (f"/review/{pid}", f"/review/{pid}/compare", f"/cases/{pid}", "/cases", "/review"):
        page = client.get(url).text
        assert "<script>document.title" not in page, url
        assert '<a href="javascript:' not in page, url
        assert "<img src=x" not in page, url
        assert 'href="javascript:' not in page, url
    page = client.get(f"/review/{pid}").text
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in page
    assert (
        html.unescape("".join(re.findall(r'<span class="seg[^"]*" data-start[^>]*>([^<]*)</span>', page)))
        == HOSTILE_TEXT
    )


def test_unknown_patient_is_a_404(client: Any, web_store: Store) -> None:
    login(client, "alice")
    assert client.get("/review/999").status_code == 404
    assert client.get("/review/999/compare").status_code == 404


def test_compare_with_a_pasted_extraction_and_adjudicate(client: Any, web_store: Store) -> None:
    from web_review_data import lung_patient

    pid = seed_review(web_store)
    token = login(client, "alice")
    other = lung_patient()
    other["age_years"] = 40
    other["lines"][1]["best_response"] = "PR"
    page = client.post(f"/review/{pid}/compare", data={"case_json": json.dumps(other), "csrf_token": token})
    assert page.status_code == 200
    assert sorted(set(re.findall(r'name="choice:([^"]+)"', page.text))) == ["age_years", "lines[1].best_response"]
    hidden = html.unescape(re.search(r'name="other" value="([^"]*)"', page.text).group(1))  # type: ignore[union-attr]
    form = {"csrf_token": token, "other": hidden, "revision": "1", "choice:age_years": "a",
            "choice:lines[1].best_response": "b"}  # fmt: skip
    done = client.post(f"/review/{pid}/adjudicate", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    stored = web_store.get_patient(pid)
    assert (stored.patient.age_years, stored.patient.lines[1].best_response.value) == (41, "PR")  # type: ignore[union-attr]
    changes = client.app.state.context.accounts.changes_for("patient", str(pid))
    assert [(c.field, c.old, c.new) for c in changes] == [("lines[1].best_response", '"SD"', '"PR"')]


def test_compare_by_running_the_extractor_again(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    login(client, "alice")
    page = client.get(f"/review/{pid}/compare?extractor=rules")
    assert page.status_code == 200
    assert 'id="compare"' in page.text
    assert client.get(f"/review/{pid}/compare?extractor=nosuch").status_code == 400
