"""The ``caseseries`` command line: a thin Typer adapter over the library.

Command groups live in :mod:`caseseries.commands`; each module there has a
``register(app)`` function and is discovered automatically. Errors raised by the library
are translated here: ``Error: <message>`` on stderr, exit code 2 for bad input, 1 for
other failures. Ctrl-C exits with 130 and one line saying what was kept
(:mod:`caseseries.interrupt`), never a traceback.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path
from types import FrameType


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"Interrupted: nothing was written\n")
    os._exit(130)


if Path(sys.argv[0]).name == "caseseries" and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _interrupted_while_starting)  # Ctrl-C while the modules load

import importlib  # noqa: E402
import pkgutil  # noqa: E402

import typer  # noqa: E402

from caseseries import __version__, interrupt  # noqa: E402
from caseseries.commands._state import CliState, state  # noqa: E402,F401  (state: the shared options)
from caseseries.errors import CaseseriesError, InputError, StoreError  # noqa: E402
from caseseries.files import silence_stdout  # noqa: E402

app = typer.Typer(
    name="caseseries",
    help=(
        "Turn published case reports into a structured, analysable case series and its "
        "literature review. Reports evidence; never recommends a treatment.\n\n"
        "Example: caseseries init && caseseries report --out report/"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"caseseries {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="CASESERIES_DB", help="Database URL (default sqlite:///caseseries.db)."
    ),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Global options."""
    ctx.obj = CliState(db=db)


def _register_commands() -> None:
    package = importlib.import_module("caseseries.commands")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"caseseries.commands.{info.name}")
        module.register(app)


_register_commands()


class _Interrupted:
    """SIGINT handler for the run of a command: remembers the interruption, then raises KeyboardInterrupt."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.seen = True
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 problems found, 2 bad input, 130 interrupted)."""
    interrupt.reset()
    interrupt.track_database_writes()
    handler = _Interrupted()
    in_main_thread = _in_main_thread()
    previous = signal.signal(signal.SIGINT, handler) if in_main_thread else None
    try:
        code = _run(argv)
        if handler.seen:
            return _interrupted()
        return _flushed(code)
    except KeyboardInterrupt:
        return _interrupted()
    finally:
        if in_main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _interrupted() -> int:
    sys.stderr.write(interrupt.message() + "\n")
    sys.stderr.flush()
    return 130


def _flushed(code: int) -> int:
    """Flush standard output; a failed write (full disk, closed pipe) is one line, exit 1."""
    try:
        sys.stdout.flush()
    except OSError as err:
        silence_stdout()
        typer.echo(f"Error: stdout: cannot write ({err.strerror}); free some space or redirect elsewhere", err=True)
        return max(code, 1)
    return code


def _run(argv: list[str] | None) -> int:
    try:
        code = app(args=argv, prog_name="caseseries", standalone_mode=False)
        if code == 130:  # Typer's translation of KeyboardInterrupt
            raise KeyboardInterrupt
        return int(code) if isinstance(code, int) else 0
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort as err:
        if isinstance(err.__cause__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        typer.echo("Aborted.", err=True)
        return 130
    except (InputError, StoreError) as err:
        typer.echo(f"Error: {err}", err=True)
        return 2
    except CaseseriesError as err:
        typer.echo(f"Error: {err}", err=True)
        return 1
    except OSError as err:
        if err.filename is None and err.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG):
            silence_stdout()  # a failed write to standard output
            typer.echo(f"Error: stdout: cannot write ({err.strerror}); free some space or redirect elsewhere", err=True)
            return 1
        where = f"{err.filename}: " if err.filename else ""
        typer.echo(f"Error: {where}{err.strerror}; check the path and permissions", err=True)
        return 2
    except typer.exceptions.TyperException as err:  # usage errors arrive here in non-standalone mode
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {err}", err=True)
        return int(getattr(err, "exit_code", 2))
    except Exception as err:
        if os.environ.get("CASESERIES_DEBUG"):
            raise
        typer.echo(
            f"Error: internal error ({err.__class__.__name__}: {err}); "
            "re-run with CASESERIES_DEBUG=1 for the traceback and report it",
            err=True,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
