"""The ``caseseries`` command line: a thin Typer adapter over the library.

Command groups live in :mod:`caseseries.commands`; each module there has a
``register(app)`` function and is discovered automatically. Errors raised by the library
are translated here: ``Error: <message>`` on stderr, exit code 2 for bad input, 1 for
other failures.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from dataclasses import dataclass

import typer

from caseseries import __version__
from caseseries.errors import CaseseriesError, InputError, StoreError

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


@dataclass
class CliState:
    """Options shared by every command."""

    db: str | None = None


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


def state(ctx: typer.Context) -> CliState:
    """The shared options of the running command."""
    obj = ctx.find_root().obj
    # Compare by attribute: under ``python -m caseseries.cli`` this module is loaded twice.
    return CliState(db=getattr(obj, "db", None))


def _register_commands() -> None:
    package = importlib.import_module("caseseries.commands")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"caseseries.commands.{info.name}")
        module.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 problems found, 2 bad input)."""
    try:
        code = app(args=argv, prog_name="caseseries", standalone_mode=False)
        return int(code) if isinstance(code, int) else 0
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 130
    except KeyboardInterrupt:
        typer.echo("Interrupted; work committed so far is kept.", err=True)
        return 130
    except (InputError, StoreError) as err:
        typer.echo(f"Error: {err}", err=True)
        return 2
    except CaseseriesError as err:
        typer.echo(f"Error: {err}", err=True)
        return 1
    except OSError as err:
        typer.echo(f"Error: {err.filename or ''}: {err.strerror}; check the path and permissions", err=True)
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
