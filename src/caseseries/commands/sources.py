"""``caseseries search`` (PubMed E-utilities) and ``caseseries import`` (record and full-text files)."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from caseseries.choices import EUTILS_URL as DEFAULT_BASE_URL
from caseseries.commands._common import open_store, print_json, stderr_progress
from caseseries.plugins import IMPORTERS, plugin_names

if TYPE_CHECKING:
    from caseseries.app.sources import Skip

AUTO = IMPORTERS.extra[0]

SHOWN_SKIPS = 50
EUTILS_URL_ENV = "CASESERIES_EUTILS_URL"
_BASE_URL_HELP = f"E-utilities root URL (a mirror or a local test server; also ${EUTILS_URL_ENV})."


def _show_skips(skips: list[Skip], total: int, word: str = "Skipped") -> None:
    for skip in skips[:SHOWN_SKIPS]:
        typer.echo(f"{word}: {skip}", err=True)
    if total > SHOWN_SKIPS:
        typer.echo(f"... and {total - SHOWN_SKIPS} more skipped records (see --json)", err=True)


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="PubMed query, as typed on pubmed.ncbi.nlm.nih.gov."),
    max_records: int | None = typer.Option(None, "--max", min=1, help="Keep only the first N hits."),
    mindate: str | None = typer.Option(None, "--mindate", help="Earliest publication date: YYYY[/MM[/DD]]."),
    maxdate: str | None = typer.Option(None, "--maxdate", help="Latest publication date: YYYY[/MM[/DD]]."),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="NCBI_API_KEY", help="Your NCBI API key (10 requests/s instead of 3)."
    ),
    email: str | None = typer.Option(None, "--email", help="Your e-mail, sent to NCBI as it asks."),
    tool: str = typer.Option("caseseries", "--tool", help="Tool name sent to NCBI."),
    name: str | None = typer.Option(None, "--name", help="A label stored with the search."),
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url", envvar=EUTILS_URL_ENV, help=_BASE_URL_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Search PubMed and store the search (query, date, hit count, PMIDs) and every record found.

    Resumable: running an interrupted search again fetches only the records still missing.
    Result sets above PubMed's 10,000 retrieval cap are split by publication date.

    Example: caseseries search '"inflammatory myofibroblastic tumor" AND alectinib' --email me@example.org
    """
    from caseseries.app.sources import NcbiSettings, search_pubmed, search_summary

    store = open_store(ctx, create=True)
    ncbi = NcbiSettings(base_url, api_key=api_key, email=email, tool=tool)
    with stderr_progress("Fetching records") as bar:
        task = bar.add_task("fetch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        outcome = search_pubmed(
            store, query, ncbi, max_records=max_records, mindate=mindate, maxdate=maxdate, name=name,
            progress=progress,
        )  # fmt: skip
    _show_skips(outcome.skips, outcome.report.skipped, "Error")
    if json_out:
        print_json(outcome.to_json())
    else:
        typer.echo(search_summary(outcome))
    sys.stdout.flush()
    if outcome.report.skipped:
        raise typer.Exit(code=1)


def import_(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Files to import (gzip-compressed or not)."),
    fmt: str = typer.Option(AUTO, "--format", help=f"One of: {', '.join([AUTO, *plugin_names(IMPORTERS)])}."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and count only; write nothing."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    api_key: str | None = typer.Option(
        None, "--api-key", envvar="NCBI_API_KEY", help="Your NCBI API key (for files of PMIDs/DOIs to fetch)."
    ),
    email: str | None = typer.Option(None, "--email", help="Your e-mail, sent to NCBI as it asks."),
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url", envvar=EUTILS_URL_ENV, help=_BASE_URL_HELP),
) -> None:
    """Import PubMed XML, MEDLINE, JATS, RIS, Web of Science, PubMed CSV or text/Markdown files.

    A file that lists PMIDs or DOIs (one a line) is read as identifiers: their PubMed records
    are fetched with E-utilities (exit 2 when PubMed cannot be reached). A file in none of
    these formats is refused (exit 2) with the list of formats.

    Duplicates across sources (same PMID, DOI, or title + year + first author) are merged and
    reported. Unreadable records are skipped and listed with their file, place and reason; the
    others are still imported.

    Exit code: 0 when every record was read; 1 when any record was skipped (also with
    --dry-run); 2 when a file cannot be opened or is wholly not of the declared format.

    Example: caseseries import pubmed-result.xml papers/*.md --format auto
    """
    from caseseries.app.sources import NcbiSettings, import_records, import_summary

    store = None if dry_run else open_store(ctx, create=True)
    # This one-shot command's start-up objects (modules, classes, the store's tables) live to its
    # end: out of the cyclic collector's scans, which the records read and held in batches trigger often.
    gc.freeze()
    with stderr_progress("Importing {task.description}") as bar:
        task = bar.add_task("", total=len(files))
        started = False

        def on_file(path: str) -> None:
            nonlocal started
            bar.update(task, description=Path(path).name, advance=1 if started else 0)
            started = True

        report = import_records(store, files, fmt, NcbiSettings(base_url, api_key, email), on_file=on_file)
    _show_skips(report.skips, report.skipped)
    if json_out:
        print_json(report.dry_run_json() if dry_run else report.to_json())
    else:
        typer.echo(import_summary(report, dry_run))
        if not dry_run:
            for merge in report.merges[:SHOWN_SKIPS]:
                typer.echo(f"Merged: {merge}")
            for key in report.delete_kept:
                typer.echo(f"Kept {key}: deleted by PubMed but cases were curated from it.", err=True)
    sys.stdout.flush()
    if report.skipped:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("search")(search)
    app.command("import")(import_)
