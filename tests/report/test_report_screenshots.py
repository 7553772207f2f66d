"""The report as a person sees it: the bundled series' HTML report rendered by headless Chromium at 1280 px.

Writes a full-page screenshot and one per table and figure (``build/screenshots/report_*.png``)
and checks what a reader would notice: an image that did not load, a page wider than the window,
a table cell or a figure label cut off, swimmer-plot labels that are not the patients' labels,
or bars of patients without durations drawn as stubs.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from caseseries.data import bundled_case_series
from caseseries.report.build import build_report
from caseseries.report.content import ReportContent, assemble

WIDTH = 1280


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportContent]:
    series = bundled_case_series()
    out = tmp_path_factory.mktemp("shots") / "report"
    build_report(series, out, formats=("html",))
    return out, assemble(series)


@pytest.fixture(scope="module")
def page(chromium: Any, built: tuple[Path, ReportContent], screenshots: Path) -> Any:
    out, _ = built
    page = chromium.new_page(viewport={"width": WIDTH, "height": 900})
    page.goto((out / "report.html").as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(screenshots / "report_full.png"), full_page=True)
    yield page
    page.close()


def test_every_table_and_figure_gets_a_screenshot(page: Any, built: tuple[Path, ReportContent],
                                                  screenshots: Path) -> None:  # fmt: skip
    _, content = built
    keys = [t.key for t in content.all_tables()] + [f.key for f in content.all_figures()]
    assert len(keys) >= 10
    for key in dict.fromkeys(keys):
        element = page.locator(f"#{key}").first
        shot = screenshots / f"report_{key}.png"
        element.screenshot(path=str(shot))
        assert shot.stat().st_size > 1000, key
    assert (screenshots / "report_full.png").stat().st_size > 10_000


def test_every_image_loads(chromium: Any, built: tuple[Path, ReportContent]) -> None:
    """Each figure's PNG file and each inline SVG is drawn with a real size."""
    out, content = built
    pngs = sorted((out / "figures").glob("*.png"))
    assert {p.stem for p in pngs} == {f.key for f in content.all_figures()}
    html = "".join(f'<img id="{p.stem}" src="{p.as_uri()}">' for p in pngs)
    gallery = out / "gallery.html"
    gallery.write_text(f"<!doctype html><html><body>{html}</body></html>", encoding="utf-8")
    page = chromium.new_page(viewport={"width": WIDTH, "height": 900})
    try:
        page.goto(gallery.as_uri())
        page.wait_for_load_state("load")
        widths = page.evaluate("Array.from(document.images).map(i => [i.id, i.complete, i.naturalWidth])")
    finally:
        page.close()
    assert len(widths) == len(pngs)
    assert all(done and width > 0 for _, done, width in widths), widths


def test_inline_svgs_are_drawn(page: Any, built: tuple[Path, ReportContent]) -> None:
    _, content = built
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('figure')).map(f => {"
        " const r = f.querySelector('svg').getBoundingClientRect(); return [f.id, r.width, r.height]; })"
    )
    assert [s[0] for s in sizes] == [f.key for f in content.all_figures()]
    assert all(w > 100 and h > 100 for _, w, h in sizes), sizes
    assert page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")


def test_nothing_overflows_the_page_horizontally(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    wide = page.evaluate(
        f"Array.from(document.querySelectorAll('table, figure, p, h1, h2')).filter("
        f"e => e.getBoundingClientRect().right > {WIDTH}).map(e => e.id || e.tagName)"
    )
    assert wide == []


def test_no_table_cell_is_cut_and_cells_match_the_tables(page: Any, built: tuple[Path, ReportContent]) -> None:
    _, content = built
    cut = page.evaluate(
        "Array.from(document.querySelectorAll('td, th')).filter(c => c.scrollWidth > c.clientWidth + 1"
        " || c.scrollHeight > c.clientHeight + 1).map(c => c.textContent)"
    )
    assert cut == []
    for table in content.all_tables():
        cells = page.evaluate(
            f"Array.from(document.querySelectorAll('table#{table.key}')).flatMap(t =>"
            " Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent)))"
        )
        assert all(row in cells for row in table.rows), table.key


def test_figure_text_stays_inside_its_figure(page: Any) -> None:
    """No label, tick or legend text runs past the edge of its SVG (that would be cut off)."""
    outside = page.evaluate(
        "Array.from(document.querySelectorAll('figure svg')).flatMap(svg => {"
        " const box = svg.getBoundingClientRect();"
        " return Array.from(svg.querySelectorAll('text')).filter(t => {"
        "  const r = t.getBoundingClientRect();"
        "  return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 ||"
        "   r.top < box.top - 1 || r.bottom > box.bottom + 1); })"
        " .map(t => svg.parentElement.id + ': ' + t.textContent); })"
    )
    assert outside == []


def test_swimmer_labels_are_the_patient_labels_in_full(page: Any, built: tuple[Path, ReportContent]) -> None:
    _, content = built
    swimmer = next(f for f in content.all_figures() if f.key == "swimmer")
    rows = swimmer.data["rows"]
    texts = page.evaluate("Array.from(document.querySelectorAll('#swimmer svg text')).map(t => t.textContent)")
    labels = [r["label"] for r in rows]
    assert labels and all(label in texts for label in labels)
    longest = max(labels, key=len)
    assert len(longest) > 30 and longest in texts  # e.g. "Benedetti Pedroza 2024, index patient", not cut
    table_labels = {label for t in content.all_tables() for label in t.row_labels}
    assert set(labels) <= table_labels  # the same naming as the tables
    # tick labels do not overlap one another
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('#swimmer svg text')).filter(t => "
        f"{labels!r}.includes(t.textContent)).map(t => {{ const r = t.getBoundingClientRect();"
        " return [r.top, r.bottom]; })"
    )
    boxes.sort()
    assert all(a[1] <= b[0] + 0.5 for a, b in itertools.pairwise(boxes)), boxes


def test_swimmer_draws_no_stubs_and_lists_patients_without_durations(
    page: Any, built: tuple[Path, ReportContent]
) -> None:
    _, content = built
    swimmer = next(f for f in content.all_figures() if f.key == "swimmer")
    for row in swimmer.data["rows"]:
        segments = row["segments"]
        assert any(known for _, _, known in segments), row["label"]  # something measured in every bar
        for i, (start, length, known) in enumerate(segments):  # a nominal-length stub overlaps nothing
            if not known:
                others = [(s, s + n) for j, (s, n, _) in enumerate(segments) if j != i]
                assert all(end <= start + 1e-9 or s >= start + length - 1e-9 for s, end in others), row
    not_drawn = swimmer.data["not_drawn"]
    assert len(not_drawn) == 6  # the bundled Table 2 rows (and one Table 1 row) give no duration at all
    caption = page.text_content("#swimmer figcaption")
    assert f"{len(not_drawn)} patients with no reported duration for any line are not drawn" in caption
    assert all(label in caption for label in not_drawn)
    drawn = {r["label"] for r in swimmer.data["rows"]}
    assert drawn.isdisjoint(not_drawn)
