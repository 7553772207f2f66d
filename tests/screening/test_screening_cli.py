"""The screen commands through caseseries.cli.main: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from screening_fixtures import Review

from caseseries.cli import main


def test_screen_then_prisma(cli_review: tuple[str, Review], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, review = cli_review
    proto = str(review.protocol_path)
    assert main(["--db", url, "screen", "--protocol", proto]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "fixture-review, title-abstract: 9 records screened by rules (4 include, 4 exclude, 1 maybe); 9 new or changed."
    )
    assert main(["--db", url, "screen", "--protocol", proto, "--stage", "full-text", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"include": 2, "exclude": 1, "maybe": 0}
    assert sorted(data["not_eligible"]) == [
        "pmid:1003",
        "pmid:1004",
        "pmid:1005",
        "pmid:1006",
        "pmid:1007",
        "pmid:1008",
    ]
    assert main(["--db", url, "screen", "prisma", "--protocol", proto, "--out", str(tmp_path / "out"), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert (counts["records_screened"], counts["reports_sought"], counts["included_studies"]) == (9, 5, 2)
    assert counts["awaiting_assessment"] == 0 and counts["reports_not_retrieved"] == 2
    assert Path(counts["files"]["svg"]).exists()


def test_bad_stage_exits_2(cli_review: tuple[str, Review], capsys: pytest.CaptureFixture[str]) -> None:
    url, review = cli_review
    assert main(["--db", url, "screen", "--protocol", str(review.protocol_path), "--stage", "abstract"]) == 2
    assert capsys.readouterr().err == "Error: --stage: unknown stage 'abstract'; allowed: title-abstract, full-text\n"


def test_review_command_reads_keys_from_the_terminal(
    cli_review: tuple[str, Review], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, review = cli_review
    proto = str(review.protocol_path)
    main(["--db", url, "screen", "--protocol", proto])
    answers = iter(["e", "0", "crizotinib only"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["--db", url, "screen", "review", "--protocol", proto, "--reviewer", "AB", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "rules suggest: include" in out  # the first record is one the rules included, shown for confirmation
    # the other eight were decided by the rules only: they still await a human
    assert out.rstrip().endswith("1 decided, 0 skipped, 8 still to review (ordered by rules).")


def test_import_decisions_and_conflicts(
    cli_review: tuple[str, Review], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = cli_review
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("pmid,decision,reason,protocol\n1007,exclude,no alectinib,fixture-review\n", "utf-8")
    b.write_text("pmid,decision,protocol\n1007,include,fixture-review\n", "utf-8")
    assert main(["--db", url, "screen", "conflicts"]) == 0
    assert main(["--db", url, "screen", "import-decisions", str(a), "--reviewer", "AB"]) == 0
    assert main(["--db", url, "screen", "import-decisions", str(b), "--reviewer", "CD"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "fixture-review: 1 decisions recorded for AB.",
        "fixture-review: 1 decisions recorded for CD.",
    ]
    assert main(["--db", url, "screen", "conflicts", "--json"]) == 1
    [row] = json.loads(capsys.readouterr().out)
    assert (row["key"], row["stage"]) == ("pmid:1007", "title-abstract")
    assert row["decisions"] == [
        {"reviewer": "AB", "decision": "exclude", "reason": "no alectinib"},
        {"reviewer": "CD", "decision": "include", "reason": None},
    ]


def test_import_decisions_without_protocol_exits_2(
    cli_review: tuple[str, Review], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = cli_review
    path = tmp_path / "a.csv"
    path.write_text("pmid,decision\n1007,exclude\n", "utf-8")
    assert main(["--db", url, "screen", "import-decisions", str(path), "--reviewer", "AB"]) == 2
    assert capsys.readouterr().err == f"Error: {path}: line 1: no protocol column; add one or give --protocol FILE\n"


def test_every_screen_command_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["screen"],
        ["screen", "review"],
        ["screen", "import-decisions"],
        ["screen", "conflicts"],
        ["screen", "prisma"],
    ):
        main([*args, "--help"])
        assert "Example: caseseries screen" in capsys.readouterr().out
