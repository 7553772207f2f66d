"""``caseseries refs check``: verify a manuscript's references against PubMed or local records."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from caseseries.commands._common import print_json, stderr_progress

refs_app = typer.Typer(help="Check a manuscript's reference list and literature tables.", no_args_is_help=True)


class OutputFormat(StrEnum):
    """How ``refs check`` prints its results."""

    TABLE = "table"
    MD = "md"
    JSON = "json"


@refs_app.command("check")
def check(
    file: Path = typer.Argument(..., help="Manuscript or reference list (text/Markdown), BibTeX (.bib) or RIS (.ris)."),
    records: list[str] = typer.Option(
        [],
        "--records",
        help="Local records to match first: PubMed XML, MEDLINE text, RIS, or a database URL. Repeatable.",
    ),
    offline: bool = typer.Option(False, "--offline", help="Never touch the network (needs --records)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (same as --format json)."),
    fmt: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="table, md (Markdown report) or json."),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="NCBI_API_KEY", help="NCBI API key (10 requests/s instead of 3)."
    ),
    email: str | None = typer.Option(None, "--email", envvar="NCBI_EMAIL", help="Contact e-mail sent to NCBI."),
    base_url: str | None = typer.Option(
        None, "--base-url", envvar="CASESERIES_EUTILS_URL", help="E-utilities root URL (a mirror or a local server)."
    ),
) -> None:
    """Check every reference: verified, minor_mismatch, mismatch, not_found, lookup_failed or unparsed.

    Reads numbered and author-year styles: Vancouver, AMA, NLM, BMC, PLoS, APA, Harvard and
    Nature (the styles are data: references/data/styles.yaml). A book, report or patent that no
    record matches is not_indexed (PubMed indexes journal articles): check it by hand.

    Exits 1 when a reference is a mismatch, not found, lookup_failed or unparsed (use it to
    guard a manuscript in CI), and when PubMed cannot be reached (the check stops at the first
    network failure; --offline --records checks without the network); 0 otherwise; 2 on bad
    input, including a file with no reference list.

    Example: caseseries refs check manuscript.md --records pubmed.xml --offline --format md
    """
    from rich.console import Console

    from caseseries.app.references import check_manuscript

    bar = stderr_progress("Checking references against {task.description}")
    task = bar.add_task("records", total=None)

    def progress(done: int, total: int, where: str) -> None:
        bar.update(task, completed=done, total=total, description=where)

    with bar:
        checked = check_manuscript(
            file, records, offline=offline, api_key=api_key, email=email, base_url=base_url, progress=progress
        )
    for warning in checked.warnings():
        typer.echo(f"Warning: {warning}", err=True)
    if json_out or fmt is OutputFormat.JSON:
        print_json(checked.to_json())
    elif fmt is OutputFormat.MD:
        typer.echo(checked.markdown(), nl=False)
    else:
        Console(width=160).print(checked.table())
    if checked.has_problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``refs`` command group."""
    app.add_typer(refs_app, name="refs")
