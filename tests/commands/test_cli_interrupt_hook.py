"""A SIGINT that Python cannot raise (inside a finaliser or weak-reference callback) is not printed."""

from __future__ import annotations

import gc
import signal
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from caseseries import cli
from caseseries.cli import _Interrupted


def _hooked(seen: bool) -> tuple[list[Any], Any]:
    handler = _Interrupted()
    handler.seen = seen
    received: list[Any] = []
    return received, handler.unraisable(received.append)


@pytest.mark.parametrize(
    ("seen", "error", "passed_on"),
    [
        (True, KeyboardInterrupt(), False),  # the interruption the command will report in one line
        (False, KeyboardInterrupt(), True),  # not ours: Python's own hook shows it
        (True, ValueError("x"), True),  # any other unraisable error is shown as before
        (False, ValueError("x"), True),
    ],
)
def test_only_a_seen_interruption_is_kept_quiet(seen: bool, error: BaseException, passed_on: bool) -> None:
    received, hook = _hooked(seen)
    hook(SimpleNamespace(exc_value=error, exc_type=type(error)))
    assert (len(received) == 1) is passed_on


class _RaisesInFinaliser:
    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


def test_sigint_in_a_finaliser_during_a_command_is_remembered_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    handler = _Interrupted()
    previous = signal.signal(signal.SIGINT, handler)
    default_hook = sys.unraisablehook
    sys.unraisablehook = handler.unraisable(default_hook)
    try:
        _RaisesInFinaliser()  # dropped at once: the SIGINT lands in __del__
        gc.collect()
    finally:
        sys.unraisablehook = default_hook
        signal.signal(signal.SIGINT, previous)
    assert handler.seen
    assert "Traceback" not in capsys.readouterr().err


def _interrupted_inside_a_library(**_: Any) -> int:
    """A command whose SIGINT lands in a library that turns the KeyboardInterrupt into its own error."""
    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt:
        raise ValueError("invalid matrix") from None  # what a C extension may raise instead
    return 0


def _failing_without_interruption(**_: Any) -> int:
    raise ValueError("invalid matrix")


@pytest.mark.parametrize(
    ("command", "code", "line"),
    [
        (_interrupted_inside_a_library, 130, "Interrupted: "),
        (_failing_without_interruption, 1, "Error: internal error (ValueError: invalid matrix)"),
    ],
)
def test_an_error_after_a_sigint_is_reported_as_the_interruption(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: Any, code: int, line: str
) -> None:
    monkeypatch.setattr(cli, "app", command)
    assert cli.main(["report"]) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(line), err
