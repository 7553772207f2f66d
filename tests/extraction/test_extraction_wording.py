"""The wording cues of ``extraction/data/wording_cues.yaml``: a table of our own texts per cue
(``tests/extraction/tables/wording_cues.yaml``, match and no-match rows) and the loader's errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from caseseries.errors import FormatError
from caseseries.extraction.wording import CUE_NAMES, _cues, cue, guarded, parse_wording

ROWS = yaml.safe_load((Path(__file__).resolve().parent / "tables" / "wording_cues.yaml").read_text("utf-8"))


@pytest.mark.parametrize("row", [pytest.param(r, id=f"{r['cue']}: {r['text']}") for r in ROWS])
def test_wording_cue_table(row: dict[str, Any]) -> None:
    m = cue(row["cue"]).search(row["text"])
    assert (m is not None) is row["match"]
    needs = _cues()[row["cue"]][1]
    if m is not None and needs:  # a guarded cue is tried only where one of its words occurs
        assert any(w in row["text"].lower() for w in needs)
        assert guarded(row["cue"]).search(row["text"]) is not None


def test_every_cue_has_a_match_and_a_no_match_row() -> None:
    assert {(r["cue"], r["match"]) for r in ROWS} == {(name, m) for name in CUE_NAMES for m in (True, False)}


def _file(**entries: Any) -> str:
    data: dict[str, Any] = {"version": 1, **{name: {"pattern": "x"} for name in CUE_NAMES}, **entries}
    return yaml.safe_dump({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_file(rechalenge={"pattern": "x"}), "w.yaml: unknown top-level keys ['rechalenge']; allowed keys: "),
        (_file(again=None), "w.yaml: missing cues ['again']; the code reads: several_patients, "),
        (_file(again={"regex": "x"}), "w.yaml: again: entry keys ['regex']; an entry has pattern and optionally: "),
        (
            _file(again={"pattern": "x", "needs": ["Again"]}),
            "w.yaml: again: needs ['Again']; give a list of lower-case",
        ),
        (_file(again={"pattern": "(x"}), "w.yaml: again: pattern does not compile: "),
    ],
)
def test_wording_file_errors(text: str, message: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_wording(text, origin="w.yaml")
    assert str(err.value).startswith(message)


def test_an_unknown_cue_lists_the_cues() -> None:
    with pytest.raises(FormatError, match="unknown wording cue 'agian'; allowed: several_patients, partner_of_case"):
        cue("agian")


def test_case_sensitive_entry() -> None:
    text = _file(partner_of_case={"pattern": "[A-Z]+", "case_sensitive": True})
    assert parse_wording(text)["partner_of_case"][0].search("kif") is None
    assert parse_wording(text)["again"][0].search("X") is not None
