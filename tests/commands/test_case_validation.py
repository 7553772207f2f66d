"""Case JSON values that would break analysis are refused by ``cases add`` (exit 2, one line, nothing stored)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.errors import FormatError
from caseseries.files import decode_data

P = "documents[0].patients[0]"

# (file name, raw file text, expected message after "Error: FILE: ")
REFUSED = [
    (
        "inf.json",
        '{"label": "x", "lines": [{"line": 1, "pfs_months": Infinity}]}',
        "Infinity is not a number in JSON; give a finite number or null",
    ),
    ("nan.json", '{"label": "x", "age_years": NaN}', "NaN is not a number in JSON; give a finite number or null"),
    (
        "huge.json",
        '{"label": "x", "lines": [{"line": 1, "pfs_months": 1e308}]}',
        f"{P}.lines[0].pfs_months: 1e+308 is outside the plausible range 0-600 months; "
        "give the value in months (convert other units) or null if unknown",
    ),
    (
        "age.json",
        '{"label": "x", "age_years": 250}',
        f"{P}.age_years: 250 is outside the plausible range 0-120 years; "
        "give the value in years (convert other units) or null if unknown",
    ),
    (
        "follow.json",
        '{"label": "x", "follow_up": {"months_from_diagnosis": 601}}',
        f"{P}.follow_up.months_from_diagnosis: 601 is outside the plausible range 0-600 months; "
        "give the value in months (convert other units) or null if unknown",
    ),
    (
        "dup.json",
        '{"label": "x", "age_years": 30, "age_years": 31}',
        "duplicate key 'age_years'; give each key once (the later value would silently win)",
    ),
    (
        "future.json",
        '{"label": "x", "lines": [{"line": 1, "start": "2999-05"}]}',
        f"{P}.lines[0].start: date '2999-05' is in the future; check the year",
    ),
    (
        "nodate.json",
        '{"label": "x", "lines": [{"line": 1, "end": "2021-02-30"}]}',
        f"{P}.lines[0].end: date '2021-02-30' does not exist; check the day of the month",
    ),
    (
        "offset.json",
        '{"label": "x", "evidence": [{"field": "age_years", "start": 0, "end": 4294967296, "text": "a"}]}',
        f"{P}.evidence[0].end: Input should be less than or equal to 2147483647 (got 4294967296)",
    ),
    (
        "line.json",
        '{"label": "x", "lines": [{"line": 100000}]}',
        f"{P}.lines[0].line: Input should be less than or equal to 100 (got 100000)",
    ),
    (
        "inf.yaml",
        "label: x\nlines:\n  - line: 1\n    pfs_months: .inf\n",
        f"{P}.lines[0].pfs_months: Input should be a finite number (got inf); give a finite number or null",
    ),
    (
        "dup.yaml",
        "label: x\nage_years: 30\nage_years: 31\n",
        "duplicate key 'age_years' at line 3 column 1; give each key once (the later value would silently win)",
    ),
    (
        "deep.json",
        "[" * 100_000 + "]" * 100_000,
        "nested too deeply to be a caseseries file; check that it is the intended file",
    ),
    (
        "deep.yaml",
        "[" * 100_000 + "]" * 100_000,
        "nested too deeply to be a caseseries file; check that it is the intended file",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_implausible_values_are_refused_and_nothing_is_stored(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"label": "fine", "age_years": 40}))
    bad = tmp_path / name
    bad.write_text(text)
    assert main(["--db", sqlite_url, "cases", "add", str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"Error: {bad}: {message}\n"
    assert main(["--db", sqlite_url, "cases", "list", "--json"]) == 2  # nothing was created either
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "patient",
    [
        {"label": "boundaries", "age_years": 120, "lines": [{"line": 1, "pfs_months": 600, "start": "1900"}]},
        {"label": "zeros", "age_years": 0, "lines": [{"line": 1, "pfs_months": 0, "start": "2020-02-29"}]},
    ],
)
def test_values_at_the_limits_are_accepted(sqlite_url: str, tmp_path: Path, patient: dict) -> None:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(patient))
    assert main(["--db", sqlite_url, "cases", "add", str(path)]) == 0


def test_decoder_keeps_nested_duplicates_apart_and_refuses_them_inside() -> None:
    assert decode_data('{"a": {"k": 1}, "b": {"k": 2}}') == {"a": {"k": 1}, "b": {"k": 2}}
    with pytest.raises(FormatError, match="duplicate key 'k'"):
        decode_data('{"a": {"k": 1, "k": 2}}')
    with pytest.raises(FormatError, match="duplicate key 'k' at line 3 column 3"):
        decode_data("a:\n  k: 1\n  k: 2\n", yaml_syntax=True)
