"""``caseseries scan``: whole-PubMed scans (baseline and update files) as Dask tasks."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from caseseries.commands._common import open_store, print_json


def scan(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(..., help="PubMed XML files (gzip or not), folders of them, or fsspec URLs."),
    protocol: str = typer.Option(..., "--protocol", "-p", help="Review protocol (YAML file or shipped name)."),
    out: Path = typer.Option(Path("scan"), "--out", help="Folder for the Parquet tables and the scan manifest."),
    workers: int | None = typer.Option(
        None, "--workers", help="Workers of the local Dask cluster (default: one per core; 0: in this process)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://host:8786."
    ),
    into_store: bool = typer.Option(
        False, "--into-store", help="Also load the candidates and their rule decisions into the store."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Screen every record of PubMed files with a protocol's rules and extract the candidates.

    Each file is one task on a Dask cluster; its records, screening suggestions, candidates,
    patients, lines and evidence are written to OUT as Parquet (one file per table and input
    file), readable by pandas or DuckDB. Files are applied in name order (baseline, then
    updates): revised records replace earlier versions and DeleteCitation entries remove them.
    A scan that is stopped resumes where it stopped when run again with the same OUT.
    Exit code 1 when a file failed or records were skipped.

    Example: caseseries scan baseline/ --protocol alk-imt-alectinib-first-line --out scan/ --json
    """
    from caseseries.scan import load_into_store, run_scan

    err = Console(stderr=True)
    with Progress(
        TextColumn("Scanning files"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=json_out or not err.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("scan", total=None)

        def progress(done: int, total: int, _file: str) -> None:
            bar.update(task, completed=done, total=total)

        summary = run_scan(inputs, protocol, out, workers=workers, scheduler=scheduler, progress=progress)
    data = summary.to_json()
    if into_store:
        load = load_into_store(open_store(ctx, create=True), out, summary, protocol)
        data["store"] = {
            "stored": load.stored,
            "decisions": load.decisions,
            "deleted": load.deleted,
            "orphaned_patients": load.orphaned_patients,
        }
    if json_out:
        print_json(data)
    else:
        typer.echo(
            f"{summary.files} files ({summary.resumed} from an earlier run), {summary.records:,} records, "
            f"{summary.candidates:,} candidates, {summary.patients:,} patients, {summary.skipped:,} skipped; "
            f"tables in {out}"
        )
        for failed in summary.failed_files:
            typer.echo(f"Failed: {failed['file']}: {failed['reason']}", err=True)
        for pmid in summary.deleted_with_patients:
            typer.echo(f"Deleted by an update file, with extracted patients: PMID {pmid}", err=True)
        if into_store:
            typer.echo(f"Store: {load.stored} records stored, {load.decisions} rule decisions, {load.deleted} deleted")
            for p in load.orphaned_patients:
                typer.echo(f"Stored patient whose record was deleted: {p}", err=True)
    if summary.failed_files or summary.skipped:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this command to the root app."""
    app.command("scan")(scan)
