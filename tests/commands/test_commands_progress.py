"""Progress bars: drawn by Rich on a terminal; off a terminal nothing is drawn and Rich is not needed."""

from __future__ import annotations

import io

import pytest
from rich.progress import Progress

from caseseries.commands._common import QuietProgress, stderr_progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_forced_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_TERMINAL", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)


def test_off_a_terminal_the_bar_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with stderr_progress("Importing {task.description}") as bar:
        task = bar.add_task("a.xml", total=2)
        bar.update(task, advance=1, description="b.xml")
    assert isinstance(bar, QuietProgress)


def test_on_a_terminal_rich_draws_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", _Tty())
    bar = stderr_progress("Importing {task.description}")
    assert isinstance(bar, Progress)
    assert not bar.disable


@pytest.mark.parametrize("variable", ["FORCE_TERMINAL", "TTY_COMPATIBLE"])
def test_a_terminal_forced_for_rich_gets_rich_s_bar(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setenv(variable, "1")
    assert isinstance(stderr_progress("Checking"), Progress)
