"""Swimmer plot: labels never shortened, margin sized to them, patients without durations listed not drawn."""

from __future__ import annotations

from report_series import line, patient

from caseseries.model.enums import Response
from caseseries.report.figures import swimmer_figure, text_width_inches

LONG = "Benedetti Pedroza Carrasco Garcia 2024, Table 3, case 12 (unreviewed)"


def test_long_labels_are_drawn_whole() -> None:
    rows = [
        (LONG, patient("a", [line(1, ["alectinib"], Response.PR, 12, False)])),
        ("Short 2020, case 1", patient("b", [line(1, ["crizotinib"], Response.SD, 4, False),
                                             line(2, ["alectinib"], None)])),
    ]  # fmt: skip
    fig = swimmer_figure(rows)
    assert f">{LONG}<" in fig.svg.replace("\n", "")  # the full label, as SVG text
    assert [r["label"] for r in fig.data["rows"]] == [LONG, "Short 2020, case 1"]
    assert fig.data["rows"][1]["segments"][1][2] is False  # the second line: duration not reported, hatched
    assert fig.data["not_drawn"] == []


def test_patients_without_any_duration_are_listed_not_drawn() -> None:
    rows = [
        ("A 2020, case 1", patient("a", [line(1, ["alectinib"], Response.PR, 12, False)])),
        ("A 2020, case 2", patient("b", [line(1, ["alectinib"], Response.PR), line(2, ["lorlatinib"], None)])),
        ("A 2020, case 3", patient("c", [line(1, ["crizotinib"], Response.SD)])),
    ]
    fig = swimmer_figure(rows)
    assert [r["label"] for r in fig.data["rows"]] == ["A 2020, case 1"]
    assert fig.data["not_drawn"] == ["A 2020, case 2", "A 2020, case 3"]
    assert "2 patients with no reported duration for any line are not drawn: A 2020, case 2; A 2020, case 3." in (
        fig.caption
    )
    assert "A 2020, case 2" not in fig.svg
    one = swimmer_figure(rows[:2])
    assert "1 patient with no reported duration for any line is not drawn: A 2020, case 2." in one.caption


def test_label_width_is_measured() -> None:
    short, long = text_width_inches(["ab"], 7), text_width_inches([LONG], 7)
    assert 0 < short < long and long > 2.5
    assert text_width_inches([], 7) == 0.0
