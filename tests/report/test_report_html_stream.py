"""The HTML page is written as it is rendered: the same bytes, and the external-resource check still holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseseries.data import bundled_case_series
from caseseries.report.content import assemble
from caseseries.report.html import checked_pieces, render_html, write_html

PAGES_WITHOUT = ['<svg><use xlink:href="#glyph1"/></svg>', '<img src="data:image/png;base64,AAAA">', "<p>src=</p>"]
PAGES_WITH = ['<img src="http://example.org/x.png">', "<link href='style.css'>", '<script SRC = "a.js">']


def _splits(page: str) -> list[list[str]]:
    return [[page]] + [[page[:i], page[i:]] for i in range(1, len(page))]


@pytest.mark.parametrize("page", PAGES_WITHOUT)
def test_local_references_pass_however_the_page_is_split(page: str) -> None:
    for pieces in _splits(page):
        assert "".join(checked_pieces(pieces)) == page


@pytest.mark.parametrize("page", PAGES_WITH)
def test_an_external_reference_is_refused_however_the_page_is_split(page: str) -> None:
    for pieces in _splits(page):
        with pytest.raises(ValueError, match="external resource"):
            "".join(checked_pieces(pieces))


def test_the_written_page_is_the_rendered_page(tmp_path: Path) -> None:
    content = assemble(bundled_case_series())
    page = render_html(content)
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and page.count("<tr>") > 20
    assert write_html(content, tmp_path / "report.html").read_bytes() == page.encode("utf-8")
