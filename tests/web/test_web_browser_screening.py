"""Screening as a person does it, in real headless Chromium through the live server.

Two reviewers screen with the keyboard, disagree on a record, a third person resolves the
conflict, and the PRISMA counts on the page follow; screenshots of each page at 1280 px.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_helpers import LiveServer, browser_login, serve_live
from web_review import write_web_review

from caseseries.screening import DecisionLog, Role, Stage
from caseseries.store import Store


@pytest.fixture
def screening_server(make_app: Any, web_store: Store, tmp_path: Path) -> Iterator[tuple[LiveServer, Any]]:
    review = write_web_review(web_store, tmp_path, n=12)
    app = make_app(protocols=[review.path])
    for url in serve_live(app):
        yield LiveServer(url, app, web_store), review


def _count(page: Any, field: str) -> int:
    return int(page.text_content(f'#prisma-counts [data-count="{field}"]') or "-1")


def _until(page: Any, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression until it is true (the page's CSP forbids wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def _saved(page: Any) -> None:
    _until(page, "document.getElementById('status').textContent.startsWith('Saved')")
    page.evaluate("document.getElementById('status').textContent = ''")


def _decide(page: Any, key: str, reason_key: str) -> None:
    """Press a decision key and a reason key; wait until the page says it was saved."""
    page.keyboard.press(key)
    page.wait_for_selector("#reason-picker:not([hidden])")
    page.keyboard.press(reason_key)
    _saved(page)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_reviewers_screen_with_the_keyboard_and_a_conflict_is_resolved(
    chromium: Any, screening_server: tuple[LiveServer, Any], screenshots: Path
) -> None:
    server, review = screening_server
    base = f"{server.url}/screening/{review.protocol.name}"
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        browser_login(page, server.url, "alice")
        page.goto(f"{server.url}/screening")
        page.screenshot(path=str(screenshots / "web-screening-protocols.png"), full_page=True)
        page.goto(base)
        page.wait_for_selector("article.record.current")
        assert _count(page, "records_screened") == 0
        assert page.locator("mark.hit").count() > 0  # the rule hits are highlighted
        page.keyboard.press("?")
        assert page.is_visible("#help")
        page.screenshot(path=str(screenshots / "web-screening-help.png"))
        page.keyboard.press("Escape")
        first = page.get_attribute("article.record.current", "data-key")
        page.keyboard.press("j")
        page.keyboard.press("k")
        assert page.get_attribute("article.record.current", "data-key") == first
        decided = []
        for n in range(10):
            decided.append(page.get_attribute("article.record.current", "data-key"))
            if n == 0:
                page.keyboard.press("i")
                page.wait_for_selector("#reason-picker:not([hidden])")
                page.screenshot(path=str(screenshots / "web-screening-reason.png"))
                page.keyboard.press("Enter")
                _saved(page)
            else:
                _decide(page, "e" if n % 3 == 0 else "i", "1")
        _until(page, "document.querySelector('[data-count=records_screened]').textContent === '10'")
        page.screenshot(path=str(screenshots / "web-screening-queue.png"), full_page=True)
        log = DecisionLog(server.store, review.protocol.name)
        mine = {e.key: e for e in log.entries(Stage.TITLE_ABSTRACT) if e.actor == "alice"}
        assert set(mine) == set(decided)
        assert mine[decided[0]].reason == "treated with alectinib"  # Enter took the rules' reason
        page.click("form.logout button")

        # bob disagrees on alice's first record: a conflict, and it stops counting as screened
        browser_login(page, server.url, "bob")
        page.goto(base)
        page.wait_for_selector("article.record.current")
        assert page.locator("article.record .mine", has_text="Your decision").count() == 0  # blind to alice
        index = page.eval_on_selector_all(
            "article.record", f"(cards) => cards.findIndex((c) => c.dataset.key === {decided[0]!r})"
        )
        for _ in range(index):
            page.keyboard.press("j")
        _decide(page, "e", "1")
        page.goto(f"{base}/conflicts")
        assert page.locator("article.conflict").count() == 1
        assert _count(page, "records_screened") == 9
        page.screenshot(path=str(screenshots / "web-screening-conflicts.png"), full_page=True)
        page.click("form.logout button")

        # the admin resolves it as include
        browser_login(page, server.url, "admin")
        page.goto(f"{base}/conflicts")
        page.select_option("article.conflict select[name=decision]", "include")
        page.fill("article.conflict input[name=reason]", "agreed after discussion")
        page.click("article.conflict button[type=submit]")
        page.wait_for_selector("#no-conflicts")
        assert _count(page, "records_screened") == 10
        resolved = log.effective(Stage.TITLE_ABSTRACT)[decided[0]]
        assert resolved.status.value == "resolved" and resolved.decision.value == "include"
        assert [e.actor for e in resolved.entries if e.role is Role.RESOLUTION] == ["admin"]

        page.goto(f"{base}/records/{decided[0]}")
        audit = page.text_content("table.audit") or ""
        assert "alice" in audit and "bob" in audit and "admin" in audit
        page.screenshot(path=str(screenshots / "web-screening-record.png"), full_page=True)
        page.goto(f"{base}/prisma")
        _until(page, "document.getElementById('prisma-diagram').naturalWidth > 0")
        assert "10" in (page.text_content("#prisma-counts [data-count=records_screened]") or "")
        page.screenshot(path=str(screenshots / "web-screening-prisma.png"), full_page=True)
    finally:
        page.close()
