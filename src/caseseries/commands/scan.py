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
    from caseseries.app.scan import load_scan, scan_files

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

        result = scan_files(inputs, protocol, out, workers=workers, scheduler=scheduler, progress=progress)
    if into_store:
        result = load_scan(open_store(ctx, create=True), result)
    if json_out:
        print_json(result.to_json())
    else:
        for line, warning in result.report():
            typer.echo(line, err=warning)
    if result.incomplete:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this command to the root app."""
    app.command("scan")(scan)
