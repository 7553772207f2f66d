"""``caseseries extract`` and ``caseseries evaluate``."""

from __future__ import annotations

from pathlib import Path

import typer

from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError


def extract(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="Plain-text or Markdown case reports."),
    included: str | None = typer.Option(
        None, "--included", help="Also extract the stored records this review protocol (file or name) included."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print Case JSON to stdout and store nothing."),
    extractor: str = typer.Option("rules", "--extractor", help="Registered extractor (rules, openai, ...)."),
) -> None:
    """Extract patients, therapy lines, responses and PFS from texts, each value with its evidence.

    Without --json the publications and their patients are stored with status "extracted"
    (awaiting review); running again on the same files changes nothing. Every file is read
    first: nothing is written unless all can be read. With --included, the records a review
    protocol included at the full-text stage ('screen --stage full-text') are extracted too:
    their full texts, or title and abstract for a record a reviewer included without one.

    Example: caseseries extract case_report.txt --json
    """
    from caseseries.app.extract import extract_documents, included_publications
    from caseseries.model import dump_case_file

    files = files or []
    if not files and included is None:
        raise InputError("give case-report files or --included PROTOCOL; see 'caseseries extract --help'")
    pubs = []
    if included is not None:
        found = included_publications(open_store(ctx), included)
        note = found.note(included)
        if note is not None:
            typer.echo(note, err=True)
        pubs = found.publications
    run = extract_documents(files, pubs, extractor=extractor)
    for origin, warning in run.warnings():
        typer.echo(f"Warning: {origin}: {warning}", err=True)
    if json_out:
        typer.echo(dump_case_file(run.case_file()))
        return
    written = run.store(open_store(ctx, create=True))
    for line in run.stored_lines(written):
        typer.echo(line)


def evaluate_command(
    gold_dir: Path = typer.Argument(..., help="Folder of gold Case JSON files."),
    text_dir: Path = typer.Argument(..., help="Folder of the texts the gold documents name (source.path)."),
    extractors: list[str] = typer.Option(["rules"], "--extractor", help="Extractor to score; repeat to compare."),
    json_out: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    tolerance: float = typer.Option(
        0.05, "--tolerance", help="Relative tolerance for PFS (absolute floor 0.5 months)."
    ),
    mismatches: bool = typer.Option(False, "--mismatches", help="List every disagreement with the gold."),
) -> None:
    """Score extraction against gold Case JSON: precision, recall and F1 per field and overall.

    Patients are matched one-to-one by best agreement, lines by line number; extra patients
    count as false positives and missed ones as false negatives.

    Example: caseseries evaluate tests/data/extraction/dev tests/data/extraction/dev --extractor rules
    """
    from rich.console import Console

    from caseseries.app.evaluate import evaluate_extractors, summary_line

    done = evaluate_extractors(gold_dir, text_dir, extractors, tolerance=tolerance)
    if json_out:
        print_json(done.to_json())
        return
    console = Console(width=120)
    console.print(done.heading())
    console.print(done.table())
    for e in done.evaluations:
        console.print(summary_line(e))
        for w in e.warnings:
            typer.echo(f"Warning: {w}", err=True)
        if mismatches:
            for m in e.scores.mismatches:
                console.print(f"  {e.extractor}: {m}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("extract")(extract)
    app.command("evaluate")(evaluate_command)
