"""``caseseries init`` and ``caseseries cases list|show|add|edit|delete|export``."""

from __future__ import annotations

from pathlib import Path

import typer

from caseseries.commands._common import open_store, print_json, print_json_array
from caseseries.commands._duplicates import register_duplicates
from caseseries.plugins import EXPORTERS, plugin_names

PIPED_WIDTH = 100_000
"""Line width when the output is not a terminal: wide enough that no table is cut."""

cases_app = typer.Typer(help="List, show, add, edit, delete and export cases.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    no_bundled: bool = typer.Option(False, "--no-bundled", help="Do not load the bundled case series."),
) -> None:
    """Create or migrate the database and load the bundled case series.

    Bundled cases you edited or deleted stay as you left them.

    Example: caseseries --db sqlite:///review.db init
    """
    from caseseries.app.cases import init_database

    done = init_database(open_store(ctx, create=True), bundled=not no_bundled)
    for line in done.lines():
        typer.echo(line)


@cases_app.command("list")
def list_cases(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List stored cases.

    Example: caseseries cases list --json
    """
    from caseseries.app.cases import CASE_COLUMNS, list_cases

    rows = list_cases(open_store(ctx))
    if json_out:
        print_json_array(row.to_json() for row in rows)
        return
    from rich.console import Console
    from rich.table import Table

    shown = list(rows)
    console = Console()
    if not console.is_terminal:  # piped or redirected: never cut to a width, every column in full
        console = Console(width=PIPED_WIDTH)
    table = Table(title=f"{len(shown)} cases")
    for col in CASE_COLUMNS:
        table.add_column(col, no_wrap=not console.is_terminal)
    for row in shown:
        table.add_row(*row.cells())
    console.print(table)


@cases_app.command("show")
def show(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Case id from 'cases list'."),
    history: bool = typer.Option(False, "--history", help="Also list the earlier versions of the case."),
) -> None:
    """Show one case as Case JSON, with its revision and, if extracted, the extractor and rule-set version.

    The output is accepted by 'cases add' as it is (the id, revision and history are
    ignored there): save it, correct it, add it to another database.

    Example: caseseries cases show 3 --history
    """
    from caseseries.app.cases import show_case

    print_json(show_case(open_store(ctx), case_id, history=history))


@cases_app.command("delete")
def delete(
    ctx: typer.Context,
    case_ids: list[int] = typer.Argument(..., help="Case ids from 'cases list'."),
) -> None:
    """Delete stored cases; their last versions stay in the history ('cases show ID --history').

    All or nothing: if any id does not exist, nothing is deleted. The publications stay.

    Example: caseseries cases delete 3
    """
    from caseseries.app.cases import delete_cases

    for line in delete_cases(open_store(ctx), case_ids):
        typer.echo(line)


@cases_app.command("edit")
def edit(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Case id from 'cases list'."),
) -> None:
    """Correct a stored case in your editor ($VISUAL or $EDITOR); the old version is kept in the history.

    The case opens as a Case JSON patient object. When the editor closes, the edit is
    validated like 'cases add'; an invalid edit is refused with the error (exit code 2),
    nothing is changed and the edited text is kept in a file named in the message.

    Example: EDITOR=nano caseseries cases edit 3
    """
    from caseseries.app.cases import edit_case

    typer.echo(edit_case(open_store(ctx), case_id))


@cases_app.command("add")
def add(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Case JSON or YAML files."),
) -> None:
    """Validate Case JSON/YAML files and store their cases (idempotent).

    Every file is checked first; nothing is written unless all are valid.

    Example: caseseries cases add my_case.json
    """
    from caseseries.app.cases import add_cases, read_case_files

    loaded = read_case_files(files)
    for line in add_cases(open_store(ctx, create=True), files, loaded):
        typer.echo(line)


@cases_app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("json", "--format", help=f"One of: {', '.join(plugin_names(EXPORTERS))}."),
    out: str = typer.Option(
        ..., "--out", help="File to write, - for standard output (json, csv); a folder for phenopacket."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="phenopacket: write into a non-empty folder caseseries did not write (nothing is deleted).",
    ),
) -> None:
    """Export every stored case.

    A file is replaced atomically; a folder, device or FIFO given as the file is refused. A
    phenopacket folder keeps a manifest of the files caseseries wrote: a re-export replaces
    exactly those and leaves every other file alone.

    Example: caseseries cases export --format csv --out cases.csv
    """
    from caseseries.app.cases import check_export_target, export_cases
    from caseseries.files import STDOUT

    check_export_target(fmt, out)
    written = export_cases(open_store(ctx), fmt, out, force=force)
    if out != STDOUT:
        typer.echo(f"Wrote {written}.")


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("init")(init)
    register_duplicates(cases_app)
    app.add_typer(cases_app, name="cases")
