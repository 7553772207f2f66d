"""The generated command-line reference in docs/cli.md is current."""

from __future__ import annotations

from tests.conftest import ROOT

from caseseries.commands._docs import render


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), "run 'make docs' and commit docs/cli.md"


def test_every_command_help_has_an_example() -> None:
    text = render()
    blocks = [b for b in text.split("```text")[1:]]
    commands = [b for b in blocks if "Commands:" not in b]
    assert commands, "no leaf commands found"
    missing = [b.splitlines()[1] for b in commands if "Example:" not in b]
    assert missing == []


def test_the_command_index_is_current() -> None:
    """``caseseries --help`` lists the commands from the index: it must name every command, its module and help."""
    from caseseries.commands._docs import render_index

    index = ROOT / "src" / "caseseries" / "commands" / "_index.py"
    assert index.read_text(encoding="utf-8") == render_index(), (
        "run 'python -m caseseries.commands._docs --index > src/caseseries/commands/_index.py'"
    )
