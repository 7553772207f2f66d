"""cases show -> cases add round trip; cases list in full when piped, sources cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseseries.cli import main


def _out(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_show_output_is_accepted_by_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    _out(capsys, "--db", first, "init")
    shown = _out(capsys, "--db", first, "cases", "show", "3", "--history")
    saved = tmp_path / "case3.json"
    saved.write_text(shown)
    assert "1 added" in _out(capsys, "--db", second, "cases", "add", str(saved))
    again = json.loads(_out(capsys, "--db", second, "cases", "show", "1"))
    original = json.loads(shown)
    assert again["patient"] == original["patient"]
    assert again["source"]["doi"] == original["source"]["doi"]
    # adding it back where it came from changes nothing
    assert "1 unchanged" in _out(capsys, "--db", first, "cases", "add", str(saved))


def test_list_is_not_cut_when_piped_and_cites_sources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    _out(capsys, "--db", db, "init")
    out = _out(capsys, "--db", db, "cases", "list")
    assert "Benedetti Pedroza J et al., 2024" in out
    assert "Carballo EV, 2022, Gynecol Oncol Rep" in out
    assert "…" not in out and max(len(line) for line in out.splitlines()) > 80
    assert ".txt" not in out
    rows = json.loads(_out(capsys, "--db", db, "cases", "list", "--json"))
    assert rows[1]["source"] == "Carballo EV, 2022, Gynecol Oncol Rep"
