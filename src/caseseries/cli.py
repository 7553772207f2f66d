"""The ``caseseries`` command line: a thin Typer adapter over the library.

Command groups live in :mod:`caseseries.commands`; each module there has a
``register(app)`` function. The index :mod:`caseseries.commands._index` (generated, checked by a
test) names the module of every command, so that only the module of the command that runs is
imported. Errors raised by the library
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

from collections.abc import Callable  # noqa: E402
from functools import cache  # noqa: E402
from importlib import import_module  # noqa: E402
from typing import Any  # noqa: E402

import typer  # noqa: E402
from typer.core import TyperCommand, TyperGroup  # noqa: E402

from caseseries import __version__, interrupt  # noqa: E402
from caseseries.commands._index import COMMANDS  # noqa: E402
from caseseries.commands._state import CliState, state  # noqa: E402,F401  (state: the shared options)
from caseseries.errors import CaseseriesError, InputError, StoreError  # noqa: E402

SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
"""The Typer settings of the root app, given as well to the apps the command modules register into."""

_MODULE_OF = {name: module for name, module, _ in COMMANDS}


@cache
def module_commands(module: str) -> dict[str, Any]:
    """The commands a module of :mod:`caseseries.commands` registers, by name (imported once, when first needed)."""
    registered = typer.Typer(**SETTINGS)
    import_module(f"caseseries.commands.{module}").register(registered)
    return dict(typer.main.get_group(registered).commands)


class LazyGroup(TyperGroup):
    """The root command group: ``caseseries --help`` lists the commands from the index without importing them.

    ``commands`` holds the index's entries (name and short help, in order: the listing and the
    "Did you mean" of a mistyped name read them); :meth:`get_command` imports the one module
    that defines the command run or asked for its help, so that start-up does not pay for the
    libraries of the others (databases, statistics, figures, web).
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = {name: TyperCommand(name, help=short) for name, _, short in COMMANDS}

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name`` as its module registers it (None for a name not in the index)."""
        module = _MODULE_OF.get(cmd_name)
        return None if module is None else module_commands(module)[cmd_name]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """List the commands with their short help as the index records it (no module is imported)."""
        TyperGroup(commands=dict(self.commands)).format_commands(ctx, formatter)


app = typer.Typer(
    name="caseseries",
    help=(
        "Turn published case reports into a structured, analysable case series and its "
        "literature review. Reports evidence; never recommends a treatment.\n\n"
        "Example: caseseries init && caseseries report --out report/"
    ),
    no_args_is_help=True,
    cls=LazyGroup,
    **SETTINGS,
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


class _Interrupted:
    """SIGINT handler for the run of a command: remembers the interruption, then raises KeyboardInterrupt."""

    def __init__(self) -> None:
        self.seen = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.seen = True
        raise KeyboardInterrupt

    def unraisable(self, hook: Callable[[Any], object]) -> Callable[[Any], object]:
        """Python's hook for exceptions it cannot raise, quiet about this interruption.

        A SIGINT that lands in a finaliser or a weak-reference callback cannot propagate: Python
        would print it with a traceback and carry on. The interruption is remembered (``seen``)
        and reported in one line when the command returns, so it is not printed there.
        """

        def quiet(unraisable: Any) -> object:
            if isinstance(unraisable.exc_value, KeyboardInterrupt) and self.seen:
                return None
            return hook(unraisable)

        return quiet


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 problems found, 2 bad input, 130 interrupted)."""
    interrupt.reset()  # database writes are tracked from the first opened store (commands._common.open_store)
    handler = _Interrupted()
    in_main_thread = _in_main_thread()
    previous = signal.signal(signal.SIGINT, handler) if in_main_thread else None
    unraisable_hook = sys.unraisablehook
    sys.unraisablehook = handler.unraisable(unraisable_hook)
    try:
        code = _run(argv, lambda: handler.seen)
        if handler.seen:
            return _interrupted()
        return _flushed(code)
    except KeyboardInterrupt:
        return _interrupted()
    finally:
        sys.unraisablehook = unraisable_hook
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
        from caseseries.files import silence_stdout

        silence_stdout()
        typer.echo(f"Error: stdout: cannot write ({err.strerror}); free some space or redirect elsewhere", err=True)
        return max(code, 1)
    return code


def _run(argv: list[str] | None, interrupted: Callable[[], bool] = lambda: False) -> int:
    """Run the command; its error as one line and an exit code.

    An error raised after a SIGINT was received is the interruption: a library that catches the
    KeyboardInterrupt raised inside it may raise its own error instead (a C extension whose
    argument conversion was interrupted), and the command then reports the interruption, not
    that error.
    """
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
    except Exception as err:
        if interrupted():
            raise KeyboardInterrupt from None
        return _failed(err)


def _failed(err: Exception) -> int:
    """Print the one line of a command's error; its exit code."""
    if isinstance(err, (InputError, StoreError)):
        typer.echo(f"Error: {err}", err=True)
        return 2
    if isinstance(err, CaseseriesError):
        typer.echo(f"Error: {err}", err=True)
        return 1
    if isinstance(err, OSError):
        if err.filename is None and err.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EFBIG):
            from caseseries.files import silence_stdout

            silence_stdout()  # a failed write to standard output
            typer.echo(f"Error: stdout: cannot write ({err.strerror}); free some space or redirect elsewhere", err=True)
            return 1
        where = f"{err.filename}: " if err.filename else ""
        typer.echo(f"Error: {where}{err.strerror}; check the path and permissions", err=True)
        return 2
    if isinstance(err, typer.exceptions.TyperException):  # usage errors arrive here in non-standalone mode
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"Error: {err}", err=True)
        return int(getattr(err, "exit_code", 2))
    if os.environ.get("CASESERIES_DEBUG"):
        raise err
    typer.echo(
        f"Error: internal error ({err.__class__.__name__}: {err}); "
        "re-run with CASESERIES_DEBUG=1 for the traceback and report it",
        err=True,
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
