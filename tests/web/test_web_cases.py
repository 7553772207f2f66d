"""The case list, a patient's page and the report download, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from web_helpers import login
from web_review_data import many_patients

from caseseries.model import parse_case_data
from caseseries.store import Store

COUNT = re.compile(r'id="case-count">(\d+) patients: (\d+) reviewed, (\d+) unreviewed')


def seed(store: Store, n: int = 40) -> None:
    store.add_case_file(parse_case_data(many_patients(n)))


def counts(client: Any, query: str) -> tuple[int, int, int]:
    page = client.get(f"/cases?{query}")
    assert page.status_code == 200, page.text
    m = COUNT.search(page.text)
    assert m, page.text
    return int(m[1]), int(m[2]), int(m[3])


def expected(n: int, keep: Any) -> tuple[int, int, int]:
    patients = [p for d in many_patients(n)["documents"] for p in d["patients"] if keep(p)]
    reviewed = sum(1 for p in patients if p["curation_status"] == "reviewed")
    return len(patients), reviewed, len(patients) - reviewed


FILTERS = [
    ("", lambda p: True),
    ("site=lung", lambda p: p["primary_site"] == "lung"),
    ("site=pulmonary", lambda p: p["primary_site"] == "lung"),
    ("partner=TPM3", lambda p: p["fusions"][0]["gene5"] == "TPM3"),
    ("partner=unknown", lambda p: p["fusions"][0]["gene5"] is None),
    ("agent=Alecensa", lambda p: p["lines"][0]["agents"] == ["alectinib"]),
    ("status=reviewed", lambda p: p["curation_status"] == "reviewed"),
    ("status=unreviewed", lambda p: p["curation_status"] == "extracted"),
    ("disease=myofibroblastic", lambda p: True),
    ("disease=lymphoma", lambda p: False),
    ("q=URINARY", lambda p: p["primary_site"] == "urinary bladder"),
    ("q=ceritinib&site=uterus", lambda p: p["lines"][0]["agents"] == ["ceritinib"] and p["primary_site"] == "uterus"),
]


@pytest.mark.parametrize(("query", "keep"), FILTERS)
def test_case_list_filters(client: Any, web_store: Store, query: str, keep: Any) -> None:
    seed(web_store)
    login(client, "vera")
    assert counts(client, query) == expected(40, keep)


INJECTIONS = ["' OR '1'='1", "1; DROP TABLE patients; --", '" OR ""="', "%' --", "lung')) UNION SELECT * FROM users --"]


@pytest.mark.parametrize("name", ["disease", "site", "partner", "agent", "status", "q", "page"])
def test_sql_injection_strings_in_every_filter_match_nothing_and_harm_nothing(
    client: Any, web_store: Store, name: str
) -> None:
    seed(web_store, 10)
    login(client, "vera")
    for attack in INJECTIONS:
        page = client.get("/cases", params={name: attack})
        if name in ("agent", "status", "page"):  # a value these filters cannot hold is refused with the reason
            assert page.status_code in (400, 422), page.text
        else:
            assert page.status_code == 200
            assert COUNT.search(page.text)[1] == "0"  # type: ignore[index]
    assert len(web_store.patients()) == 10
    assert counts(client, "") == expected(10, lambda p: True)


def test_an_unknown_agent_is_refused_with_suggestions(client: Any, web_store: Store) -> None:
    login(client, "vera")
    page = client.get("/cases?agent=alectinb")
    assert page.status_code == 400
    assert "unknown drug &#39;alectinb&#39;; did you mean &#39;alectinib&#39;" in page.text


def test_the_list_pages_through_many_patients(client: Any, web_store: Store) -> None:
    seed(web_store, 130)
    login(client, "vera")
    first, second = client.get("/cases").text, client.get("/cases?page=2").text
    ids = re.compile(r'<td class="num"><a href="/cases/(\d+)">')
    assert len(ids.findall(first)) == 100 and len(ids.findall(second)) == 30
    assert not set(ids.findall(first)) & set(ids.findall(second))
    assert "next →" in first and "← previous" in second


def test_a_patient_page_shows_its_lines_and_timeline(client: Any, web_store: Store) -> None:
    seed(web_store, 5)
    pid = web_store.patients()[1].id
    login(client, "vera")
    page = client.get(f"/cases/{pid}")
    assert page.status_code == 200
    table = page.text[page.text.index('id="lines"') :]
    assert "alectinib" in table.split("</table>")[0]
    assert 'src="data:image/png;base64,' in page.text
    assert client.get("/cases/99999").status_code == 404


def test_report_is_built_and_downloaded_from_its_manifest_only(client: Any, web_store: Store) -> None:
    seed(web_store, 10)
    token = login(client, "alice")
    assert client.get("/report/download/report.html").status_code == 404  # nothing built yet
    assert client.post("/report", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    listing = client.get("/report").text
    names = re.findall(r'href="/report/download/([^"]+)"', listing)
    assert "report.html" in names and "analysis.json" in names
    analysis = client.get("/report/download/analysis.json")
    assert analysis.status_code == 200 and analysis.json()["n_patients"] == 10
    html = client.get("/report/download/report.html")
    assert "sandbox" in html.headers["content-security-policy"]
    archive = zipfile.ZipFile(io.BytesIO(client.get("/report/download/report.zip").content))
    assert "report/report.html" in archive.namelist()


TRAVERSALS = [
    "../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "figures/../../outside.txt",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "report.html%00.png",
]


def test_report_download_refuses_path_traversal(client: Any, web_store: Store) -> None:
    seed(web_store, 3)
    token = login(client, "alice")
    client.post("/report", data={"csrf_token": token})
    outside = client.app.state.report_folder.parent / "outside.txt"
    outside.write_text("secret outside the report")
    try:
        for name in TRAVERSALS:
            answer = client.get(f"/report/download/{name}")
            assert answer.status_code in (404, 400), (name, answer.text)
            assert "secret" not in answer.text and "root:" not in answer.text
    finally:
        outside.unlink()


def test_a_viewer_cannot_build_the_report(client: Any, web_store: Store) -> None:
    token = login(client, "vera")
    assert client.post("/report", data={"csrf_token": token}).status_code == 403
