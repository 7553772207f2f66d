"""``caseseries records list`` and ``records show ID``: the publications stored by import and search."""

from __future__ import annotations

import sys

import typer

from caseseries.choices import SCREENING_STATES
from caseseries.commands._common import open_store, print_json

records_app = typer.Typer(help="List and show stored publication records.", no_args_is_help=True)


def list_records(
    ctx: typer.Context,
    search: str | None = typer.Option(None, "--search", help="Words that must all appear (title, abstract, authors)."),
    source_file: str | None = typer.Option(
        None, "--source-file", help="Only records read from this file (or path part)."
    ),
    year: int | None = typer.Option(None, "--year", help="Only records of this publication year."),
    screening: str | None = typer.Option(
        None, "--screening", help=f"Only records in this screening state: {', '.join(SCREENING_STATES)}."
    ),
    protocol: str | None = typer.Option(None, "--protocol", help="The screening protocol name (with --screening)."),
    json_out: bool = typer.Option(False, "--json", help="Print the records as JSON."),
) -> None:
    """List stored records: key, year, first author, title, journal, format (and screening state).

    Example: caseseries records list --search alectinib --year 2021
    """
    from caseseries.app.records import RecordFilter, list_records

    selection = RecordFilter(search, source_file, year, screening, protocol)
    selection.check()
    rows = list(list_records(open_store(ctx), selection))
    if json_out:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "year", "first author", "title", "journal", "format", *(["screening"] if protocol else []))
    for row in rows:
        cells = [row["id"], str(row["year"] or ""), row["first_author"] or "", row["title"] or "", row["journal"] or ""]
        cells.append(row["source_format"] or "")
        if protocol:
            cells.append(row.get("screening") or "")
        table.add_row(*cells)
    console = Console(width=None if sys.stdout.isatty() else 200, soft_wrap=not sys.stdout.isatty())
    console.print(table)
    typer.echo(f"{len(rows)} records.")


def show_record(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., help="The record's id (pmid:N, doi:..., as listed), or a bare PMID or DOI."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole record as JSON."),
) -> None:
    """Show one stored record: its fields, abstract, and how many sections, tables and references it has.

    Example: caseseries records show pmid:34926741
    """
    from caseseries.app.records import show_record

    shown = show_record(open_store(ctx), record_id)
    if json_out:
        print_json(shown.to_json())
        return
    typer.echo(shown.text())


records_app.command("list")(list_records)
records_app.command("show")(show_record)


def register(app: typer.Typer) -> None:
    """Add the ``records`` group to the root app."""
    app.add_typer(records_app, name="records")
