"""Logging in and out in a real headless Chromium, through the live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web_helpers import PASSWORD, browser_login


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_browser_logs_in_and_out(chromium: Any, live_server: Any, screenshots: Path) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{live_server.url}/")
        assert page.url.startswith(f"{live_server.url}/login")
        page.screenshot(path=str(screenshots / "web-login.png"), full_page=True)
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", PASSWORD + "-wrong")
        page.click("button[type=submit]")
        assert "wrong password" in (page.text_content("[role=alert]") or "")
        browser_login(page, live_server.url, "alice")
        assert "alice" in (page.text_content(".who") or "")
        page.screenshot(path=str(screenshots / "web-start.png"), full_page=True)
        page.click("form.logout button")
        page.wait_for_selector("input[name=username]")
        page.goto(f"{live_server.url}/")
        assert "/login" in page.url
    finally:
        page.close()
