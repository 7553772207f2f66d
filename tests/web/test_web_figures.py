"""The figures of the web app are drawn once per data they show: again only when the data change."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from web_helpers import login, new_client
from web_review import write_web_review
from web_review_data import seed_review

from caseseries.store import Store
from caseseries.web.analysis import pfs_png
from caseseries.web.screening import diagram_svg

_PNG = re.compile(r'src="data:image/png;base64,([^"]+)"')


def _figure(page: str) -> str:
    found = _PNG.search(page)
    assert found, page
    return found.group(1)


def test_the_analysis_figure_is_drawn_again_only_when_the_curves_change(client: Any, web_store: Store) -> None:
    pid = seed_review(web_store)
    token = login(client, "alice")
    pfs_png.cache_clear()  # the cache is shared by every app of the process (keyed by the curves alone)
    first = client.get("/analysis")
    before = pfs_png.cache_info()
    assert (before.hits, before.misses) == (0, 1)
    second = client.get("/analysis")
    after = pfs_png.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
    assert _figure(second.text) == _figure(first.text)
    assert client.post(f"/review/{pid}/accept", data={"csrf_token": token}).status_code < 400
    changed = client.get("/analysis")  # the patient moved from the unreviewed curve to the reviewed one
    assert pfs_png.cache_info().misses == after.misses + 1
    assert _figure(changed.text) != _figure(first.text)


def test_the_prisma_diagram_is_drawn_again_only_when_the_counts_change(
    make_app: Callable[..., FastAPI], web_store: Store, tmp_path: Path
) -> None:
    review = write_web_review(web_store, tmp_path, n=6)
    url = f"/screening/{review.protocol.name}/prisma.svg"
    with new_client(make_app(protocols=[review.path])) as client:
        token = login(client, "alice")
        diagram_svg.cache_clear()  # shared by every app of the process (keyed by the counts alone)
        first = client.get(url)
        assert first.status_code == 200 and first.headers["content-type"].startswith("image/svg+xml")
        before = diagram_svg.cache_info()
        assert (before.hits, before.misses) == (0, 1)
        assert client.get(url).content == first.content
        after = diagram_svg.cache_info()
        assert (after.hits, after.misses) == (before.hits + 1, before.misses)
        decision = {"key": review.keys[0], "stage": "title-abstract", "decision": "exclude", "reason": "not a case"}
        done = client.post(f"/api/screening/{review.protocol.name}/decisions", json=decision,
                           headers={"X-CSRF-Token": token})  # fmt: skip
        assert done.status_code == 200, done.text
        changed = client.get(url)
        assert diagram_svg.cache_info().misses == after.misses + 1
        assert changed.content != first.content and b"<svg" in changed.content
