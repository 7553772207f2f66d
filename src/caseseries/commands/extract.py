"""``caseseries extract`` and ``caseseries evaluate``."""

from __future__ import annotations

from pathlib import Path

import typer

from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError


def no_included_hint(protocol: str, sought: int) -> str:
    """What to run when no record of a protocol is past the full-text stage."""
    if not sought:
        return (
            f"Note: no record of {protocol} is included at the title-abstract stage yet; run: "
            f"caseseries screen --protocol {protocol}"
        )
    return (
        f"Note: none of the {sought} records of {protocol} included on title and abstract is past the "
        f"full-text stage yet. Import their full texts (caseseries import FILE...) and run: "
        f"caseseries screen --protocol {protocol} --stage full-text. To include a record on its abstract "
        f"when no full text can be had, decide it by hand: caseseries screen review --protocol {protocol} "
        "--stage full-text --reviewer NAME (extraction then reads its title and abstract)."
    )


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
        if not found.publications:
            typer.echo(no_included_hint(included, found.sought), err=True)
        pubs = found.publications
    run = extract_documents(files, pubs, extractor=extractor)
    for origin, warning in run.warnings():
        typer.echo(f"Warning: {origin}: {warning}", err=True)
    if json_out:
        typer.echo(dump_case_file(run.case_file()))
        return
    written = run.store(open_store(ctx, create=True))
    for doc in run.documents:
        typer.echo(f"{doc.origin}: {len(doc.result.document.patients)} patients extracted.")
    typer.echo(
        f"Stored: {len(written.added)} added, {len(written.updated)} updated, {len(written.unchanged)} unchanged "
        "(status extracted)."
    )


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
    from rich.table import Table

    from caseseries.extraction.base import read_text_file
    from caseseries.extraction.evaluate import FIELDS, evaluate, tolerance_text

    evaluations = [
        evaluate(gold_dir, text_dir, extractor=name, tolerance=tolerance, read_text=read_text_file)
        for name in extractors
    ]
    if json_out:
        print_json([e.as_dict() for e in evaluations])
        return
    console = Console(width=120)
    first = evaluations[0]
    console.print(
        f"{first.documents} documents; gold patients {first.gold_patients}. Tolerance: {tolerance_text(tolerance)}."
    )
    table = Table(title="Field-level precision / recall / F1")
    table.add_column("field")
    for e in evaluations:
        table.add_column(f"{e.extractor} P/R/F1 (tp/fp/fn)")
    for name in (*FIELDS, "overall"):
        row = [name]
        for e in evaluations:
            c = e.scores.overall if name == "overall" else e.scores.fields[name]
            row.append(f"{c.precision:.3f} / {c.recall:.3f} / {c.f1:.3f} ({c.tp}/{c.fp}/{c.fn})")
        table.add_row(*row)
    console.print(table)
    for e in evaluations:
        console.print(
            f"{e.extractor}: patients predicted {e.predicted_patients}, matched {e.matched_patients} "
            f"of {e.gold_patients}; overall F1 {e.scores.overall.f1:.3f}"
        )
        for w in e.warnings:
            typer.echo(f"Warning: {w}", err=True)
        if mismatches:
            for m in e.scores.mismatches:
                console.print(f"  {e.extractor}: {m}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("extract")(extract)
    app.command("evaluate")(evaluate_command)
