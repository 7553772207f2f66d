"""The headless-Chromium harness itself: a page served on loopback is rendered and scripted."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_PAGE = b"""<!doctype html><html><body>
<p id="state">waiting</p>
<button id="go" onclick="document.getElementById('state').textContent='clicked'">Go</button>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(_PAGE)

    def log_message(self, *args: object) -> None:
        return


def test_chromium_renders_and_scripts_a_loopback_page(chromium: Any, screenshots: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        assert page.text_content("#state") == "waiting"
        page.click("#go")
        assert page.text_content("#state") == "clicked"
        shot = screenshots / "harness.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 0
        page.close()
    finally:
        server.shutdown()
