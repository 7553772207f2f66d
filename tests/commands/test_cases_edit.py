"""``cases edit`` and ``cases delete``: validated corrections, history kept, nothing changed on error."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.store import Store


def _editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Point $EDITOR at a script that rewrites the opened file with ``body`` (Python, ``d`` is the JSON)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        "d = json.load(open(path))\n"
        f"{body}\n"
        "open(path, 'w').write(d if isinstance(d, str) else json.dumps(d))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")


def _setup(db_url: str, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {
                "source": {"pmid": "11"},
                "patients": [
                    {"label": "case 1", "age_years": 30, "lines": [{"line": 1, "agents": ["crizotinib"]}]},
                    {"label": "case 2", "age_years": 50},
                ],
            }
        )
    )
    assert main(["--db", db_url, "cases", "add", str(case)]) == 0


def _show(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    assert main(["--db", db_url, "cases", "show", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _edit(db_url: str, case_id: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--db", db_url, "cases", "edit", case_id])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_edit_stores_a_new_revision_and_keeps_the_old(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(db_url, tmp_path)
    _editor(tmp_path, monkeypatch, "d['age_years'] = 31; d['lines'][0]['best_response'] = 'PR'")
    capsys.readouterr()
    assert main(["--db", db_url, "cases", "edit", "1"]) == 0
    assert capsys.readouterr().out == "Case 1: stored revision 2; revision 1 is kept in the history.\n"
    shown = _show(db_url, capsys, "1", "--history")
    assert (shown["revision"], shown["patient"]["age_years"]) == (2, 31)
    assert shown["patient"]["lines"][0]["best_response"] == "PR"
    assert [(h["revision"], h["change"], h["patient"]["age_years"]) for h in shown["history"]] == [(1, "edited", 30)]
    (line,) = Store.open(db_url).patients()[0].patient.lines
    assert line.best_response is not None and line.best_response.value == "PR"


BAD_EDITS = [
    ("d['age_years'] = 250", "age_years: 250 is outside the plausible range 0-120 years"),
    ("d['lines'][0]['agents'] = ['alectnib']", "lines[0].agents[0]: unknown drug 'alectnib'"),
    ("d['label'] = 'case 2'", "label: label 'case 2' is already used by case 2 of the same document"),
    ("d = '{\"label\": \"a\", \"label\": \"b\"}'", "duplicate key 'label'"),
    ("d = '{\"label\": '", "invalid JSON at line 1"),
    ("d = {'documents': []}", "(top level): give one patient object (as opened)"),
]


@pytest.mark.parametrize(("body", "message"), BAD_EDITS)
def test_an_invalid_edit_is_refused_and_nothing_changes(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    message: str,
) -> None:
    _setup(db_url, tmp_path)
    before = _show(db_url, capsys, "1")
    _editor(tmp_path, monkeypatch, body)
    assert main(["--db", db_url, "cases", "edit", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Error: ")
    assert message in err
    assert err.rstrip().endswith("nothing was changed; the edit is kept in this file")
    kept = Path(err.split(": ")[1])
    assert kept.exists()  # the user's edit is not lost
    kept.unlink()
    assert _show(db_url, capsys, "1", "--history") == {**before, "history": []}


def test_an_unchanged_edit_and_a_failing_editor_change_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(db_url, tmp_path)
    _editor(tmp_path, monkeypatch, "pass")
    assert _edit(db_url, "2", capsys)[:2] == (0, "Case 2: no changes.\n")
    _editor(tmp_path, monkeypatch, "d['age_years'] = 1; sys.exit(3)")
    assert main(["--db", db_url, "cases", "edit", "2"]) == 2
    assert "the editor exited with status 3; nothing was changed" in capsys.readouterr().err
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    assert main(["--db", db_url, "cases", "edit", "2"]) == 2
    assert capsys.readouterr().err.startswith("Error: $EDITOR: cannot run the editor '/nonexistent/editor'")
    monkeypatch.delenv("EDITOR")
    assert main(["--db", db_url, "cases", "edit", "2"]) == 2
    assert capsys.readouterr().err == "Error: $EDITOR: no editor is set; set EDITOR (e.g. EDITOR=nano) and run again\n"
    assert _show(db_url, capsys, "2")["revision"] == 1
    assert main(["--db", db_url, "cases", "edit", "9"]) == 2


def test_delete_is_all_or_nothing_and_keeps_history(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(db_url, tmp_path)
    capsys.readouterr()
    assert main(["--db", db_url, "cases", "delete", "1", "99"]) == 2
    assert capsys.readouterr().err == "Error: no case with id 99; run 'caseseries cases list' to see the ids\n"
    assert len(Store.open(db_url).patients()) == 2
    assert main(["--db", db_url, "cases", "delete", "1"]) == 0
    assert capsys.readouterr().out == "Deleted case 1 ('case 1' of pmid:11); kept in its history.\n"
    store = Store.open(db_url)
    assert [sp.patient.label for sp in store.patients()] == ["case 2"]
    (kept,) = store.patient_history(1)
    assert (kept.change, kept.data["age_years"]) == ("deleted", 30)
    assert store.has_publication("pmid:11")
    assert main(["--db", db_url, "cases", "show", "1"]) == 2


def test_adding_changed_content_keeps_the_replaced_version(db_url: str, tmp_path: Path) -> None:
    _setup(db_url, tmp_path)
    case = tmp_path / "again.json"
    case.write_text(json.dumps({"source": {"pmid": "11"}, "patients": [{"label": "case 2", "age_years": 51}]}))
    assert main(["--db", db_url, "cases", "add", str(case)]) == 0
    store = Store.open(db_url)
    stored = store.get_patient(2)
    assert (stored.revision, stored.patient.age_years) == (2, 51)
    assert [(r.revision, r.change, r.data["age_years"]) for r in store.patient_history(2)] == [(1, "replaced", 50)]


def test_extracted_cases_record_extractor_and_ruleset(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from caseseries.extraction.ruleset import ruleset_version

    text = tmp_path / "report.txt"
    text.write_text("A 34-year-old woman had an ALK-positive inflammatory myofibroblastic tumour of the lung.\n")
    assert main(["--db", sqlite_url, "extract", str(text)]) == 0
    shown = _show(sqlite_url, capsys, "1")
    assert (shown["extractor"], shown["ruleset_version"]) == ("rules", ruleset_version())
    assert ruleset_version().startswith("rules-") and len(ruleset_version()) == 18


def test_init_leaves_edited_and_deleted_bundled_cases_alone(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sqlite_url, "init"]) == 0
    _editor(tmp_path, monkeypatch, "d['notes'] = d['notes'] + ['checked against the full text']")
    assert _edit(sqlite_url, "1", capsys)[0] == 0
    assert main(["--db", sqlite_url, "cases", "delete", "2"]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "init"]) == 0
    assert "0 added, 0 updated, 21 unchanged" in capsys.readouterr().out
    store = Store.open(sqlite_url)
    assert store.get_patient(1).patient.notes[-1] == "checked against the full text"
    assert len(store.patients()) == 20
