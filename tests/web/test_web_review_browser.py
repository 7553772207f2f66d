"""A curator in real headless Chromium: open an extracted patient, click a value and see its span, correct a value
by selecting text, accept, and see the change in the analysis page and the audit log. Screenshots at 1280 px."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import LiveServer, browser_login, serve_live
from web_review_data import TEXT, seed_review

from caseseries.model import CurationStatus
from caseseries.store import Store


@pytest.fixture
def seeded_server(app: Any, web_store: Store) -> Iterator[tuple[LiveServer, int]]:
    pid = seed_review(web_store, hostile=True)
    for url in serve_live(app):
        yield LiveServer(url, app, web_store), pid


def select_text(page: Any, quoted: str) -> None:
    """Select ``quoted`` in the source text as a person would with the mouse, then release the button."""
    page.evaluate(
        """(quoted) => {
            const doc = document.getElementById("doc");
            for (const seg of doc.querySelectorAll(".seg")) {
                const at = seg.textContent.indexOf(quoted);
                if (at < 0) { continue; }
                const range = document.createRange();
                range.setStart(seg.firstChild, at);
                range.setEnd(seg.firstChild, at + quoted.length);
                const sel = window.getSelection();
                sel.removeAllRanges();
                sel.addRange(range);
                doc.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                return;
            }
            throw new Error("text not found: " + quoted);
        }""",
        quoted,
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_curator_checks_corrects_and_accepts_a_patient(
    chromium: Any, seeded_server: tuple[LiveServer, int], screenshots: Path
) -> None:
    server, pid = seeded_server
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        browser_login(page, server.url, "alice")
        page.goto(f"{server.url}/review/{pid}")
        assert page.locator(".seg.active").count() == 0

        # click a value: its span in the source text is marked and scrolled to
        page.click('button.value[data-field="lines[1].agents"]')
        active = page.locator(".seg.active")
        assert active.count() == 1
        assert active.first.text_content() == "Alecensa"
        assert "Alecensa" in (page.text_content("#status") or "")
        page.screenshot(path=str(screenshots / "review-patient.png"), full_page=True)

        # correct line 2's response by selecting its words in the text
        select_text(page, "partial response")
        start = TEXT.index("partial response")
        assert page.text_content("#selection") == f"\u201cpartial response\u201d ({start}\u2013{start + 16})"
        assert page.input_value("#edit-value") == "partial response"
        page.select_option("#edit-field", "lines[1].best_response")
        with page.expect_navigation():
            page.click("#edit-save")
        assert page.text_content('button.value[data-field="lines[1].best_response"]') == "PR"
        page.click('button.value[data-field="lines[1].best_response"]')
        assert [t.strip() for t in page.locator(".seg.active").all_text_contents()] == ["partial response"]
        stored = server.store.get_patient(pid)
        assert stored.patient.lines[1].best_response is not None
        assert stored.patient.lines[1].best_response.value == "PR"

        # accept
        with page.expect_navigation():
            page.click("#accept")
        assert page.text_content("#curation-status") == "reviewed"
        assert server.store.get_patient(pid).patient.curation_status is CurationStatus.REVIEWED
        audit = page.locator("table.audit").inner_text()
        assert "lines[1].best_response" in audit and '"SD"' in audit and '"PR"' in audit
        assert "curation_status" in audit and "alice" in audit
        page.screenshot(path=str(screenshots / "review-accepted.png"), full_page=True)

        # the analysis counts the corrected, now reviewed patient apart from the unreviewed one
        page.goto(f"{server.url}/analysis")
        reviewed = page.locator('#response tr[data-group="Reviewed"] td').all_text_contents()
        unreviewed = page.locator('#response tr[data-group="Unreviewed"] td').all_text_contents()
        assert reviewed[:4] == ["1", "2", "0", "1"]  # patients, lines, CR, PR
        assert unreviewed[:3] == ["1", "1", "1"]  # the other text's patient: one line, one CR
        page.screenshot(path=str(screenshots / "analysis.png"), full_page=True)

        for name, url in (
            ("review-queue", "/review"),
            ("review-compare", f"/review/{pid}/compare?extractor=rules"),
            ("cases-list", "/cases"),
            ("cases-patient", f"/cases/{pid}"),
        ):
            page.goto(f"{server.url}{url}")
            page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        page.goto(f"{server.url}/report")
        with page.expect_navigation():
            page.click("#build-report")
        assert page.locator("#report-zip").count() == 1
        page.screenshot(path=str(screenshots / "report.png"), full_page=True)
        assert page.title() != "pwned" and errors == []
    finally:
        page.close()
