"""``caseseries recist`` and ``caseseries knowledge mutation|variant|bsa|dose``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from caseseries.app.knowledge import BsaFormula, DoseFrequency, DoseUnit
from caseseries.commands._common import print_json

if TYPE_CHECKING:
    from rich.console import Console

knowledge_app = typer.Typer(
    help="Clinical knowledge: resistance mutations, variant checks, BSA and doses. Reports evidence only.",
    no_args_is_help=True,
)


def _console() -> Console:
    """A console that does not squeeze tables when output is piped or captured."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def _num(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:g}{suffix}"


def recist(
    file: Path = typer.Argument(..., help="RECIST JSON file (baseline first, then follow-up time points)."),
    json_out: bool = typer.Option(False, "--json", help="Print the RECIST output JSON instead of a table."),
    confirm: bool = typer.Option(False, "--confirm", help="Require CR/PR to be confirmed >= 28 days later."),
    min_sd_weeks: float | None = typer.Option(
        None, "--min-sd-weeks", help="SD counts for best response only at >= N weeks after baseline."
    ),
) -> None:
    """Compute RECIST 1.1 time-point responses and the best overall response.

    Example: caseseries recist lesions.json --confirm --min-sd-weeks 6
    """
    from caseseries.app.knowledge import recist as evaluate

    result = evaluate(file, confirm=confirm, min_sd_weeks=min_sd_weeks)
    if json_out:
        print_json(result.to_json())
        return
    from rich.table import Table

    table = Table(title=f"RECIST 1.1: {file.name}")
    for col in ("time point", "date", "sum mm", "vs baseline", "vs nadir", "target", "non-target", "overall"):
        table.add_column(col)
    for row in result.timepoints:
        table.add_row(
            row.label,
            row.date.isoformat(),
            _num(row.sum_mm),
            _num(row.change_from_baseline_pct, "%"),
            _num(row.change_from_nadir_pct, "%"),
            row.target.value if row.target else "",
            row.non_target.value if row.non_target else "",
            row.overall.value if row.overall else "",
        )
    console = _console()
    console.print(table)
    rules = []
    if confirm:
        rules.append("CR/PR confirmed >= 28 days later")
    if min_sd_weeks is not None:
        rules.append(f"SD >= {min_sd_weeks:g} weeks after baseline")
    applied = f" ({'; '.join(rules)})" if rules else ""
    console.print(f"Best overall response: {result.best_overall_response.value}{applied}", highlight=False)


@knowledge_app.command("mutation")
def mutation(
    gene: str = typer.Argument(..., help="Gene symbol, e.g. ALK."),
    change: str = typer.Argument(..., help="Protein change: G1202R, p.G1202R, p.(Gly1202Arg), G1202R+L1196M."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show what published sources report about a mutation, with the sources.

    Example: caseseries knowledge mutation ALK G1202R
    """
    from caseseries.app.knowledge import mutation_report

    report = mutation_report(gene, change)
    knowledge, problems = report.knowledge, report.problems
    if json_out:
        print_json(report.to_json())
        return
    from rich.table import Table

    console = _console()
    console.print(knowledge.label + (f" ({knowledge.region})" if knowledge.region else ""), highlight=False)
    for problem in problems:
        console.print(f"warning: {problem}", highlight=False)
    if not knowledge.known:
        console.print(knowledge.sentence(), highlight=False)
        return
    for note in knowledge.notes:
        console.print(note, highlight=False)
    if knowledge.evidence:
        table = Table(title=f"Reported evidence (ALK resistance table version {knowledge.table_version})")
        for col in ("agent", "reported", "sources", "context"):
            table.add_column(col)
        for item in knowledge.evidence:
            table.add_row(item.agent, item.status.value.replace("_", " "), item.cite(), "; ".join(item.contexts))
        console.print(table)
    for obs in knowledge.observations:
        console.print(f"Published case: {obs}", highlight=False)
    if knowledge.compounds:
        console.print(f"Compound mutations in the table: {', '.join(knowledge.compounds)}", highlight=False)
    cited = {s.key: s for e in knowledge.evidence for s in e.sources}
    for ref in cited.values():
        console.print(f"[{ref.short}] {ref.citation}", highlight=False, markup=False)


@knowledge_app.command("variant")
def variant(
    gene: str = typer.Argument(..., help="Gene symbol, e.g. ALK."),
    protein: str | None = typer.Option(None, "--protein", help="Protein change, e.g. p.(Gly1202Arg)."),
    coding: str | None = typer.Option(None, "--coding", help="Coding change, e.g. c.3604G>A."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Check a mutation against the reference protein and the genetic code (exit 1 on problems).

    Example: caseseries knowledge variant ALK --protein p.G1202R --coding c.3604G>A
    """
    from caseseries.app.knowledge import variant as check_variant

    result = check_variant(gene, protein=protein, coding=coding)
    if json_out:
        print_json(result.model_dump(mode="json"))
    else:
        shown = " ".join(x for x in (result.gene, result.protein, result.coding) if x)
        typer.echo(f"{shown}: {'ok' if result.ok else 'problems found'}")
        for problem in result.problems:
            typer.echo(f"  - {problem}")
        if result.coding and result.consequences:
            typer.echo(f"  {result.coding} can give: {', '.join(result.consequences)}")
    if not result.ok:
        raise typer.Exit(1)


@knowledge_app.command("bsa")
def bsa_command(
    height_cm: float = typer.Option(..., "--height-cm", help="Height in cm."),
    weight_kg: float = typer.Option(..., "--weight-kg", help="Weight in kg."),
    formula: BsaFormula | None = typer.Option(None, "--formula", help="One formula (default: all four)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Body-surface area in m² by Mosteller, DuBois, Haycock and Gehan-George.

    Example: caseseries knowledge bsa --height-cm 170 --weight-kg 70 --formula mosteller
    """
    from caseseries.app.knowledge import body_surface

    result = body_surface(height_cm, weight_kg, formula)
    if json_out:
        print_json(result.to_json())
        return
    for line in result.lines():
        typer.echo(line)


@knowledge_app.command("dose")
def dose_command(
    agent: str = typer.Argument(..., help="Generic, brand or code name."),
    dose: float = typer.Option(..., "--dose", help="Dose per administration as recorded."),
    unit: str = typer.Option(..., "--unit", help=f"One of: {', '.join(u.value for u in DoseUnit)}."),
    frequency: str | None = typer.Option(
        None, "--frequency", help=f"One of: {', '.join(f.value for f in DoseFrequency)} (also QD, BID, every 12 hours)."
    ),
    height_cm: float | None = typer.Option(None, "--height-cm", help="Height in cm (needed for a dose per m²)."),
    weight_kg: float | None = typer.Option(None, "--weight-kg", help="Weight in kg (needed for a dose per m²)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Compare a recorded dose with the label dose; prints "check dose: ..." and exits 1 when they differ.

    Exits 1 too when the dose could not be compared (no label dose in the vocabulary, or a
    label dose per m² against a dose per patient), saying why. A dose per m² needs
    --height-cm and --weight-kg (Mosteller body-surface area).

    Example: caseseries knowledge dose alectinib --dose 600 --unit mg --frequency "per day"
    """
    from caseseries.app.knowledge import check_dose

    result = check_dose(agent, dose, unit, frequency, height_cm=height_cm, weight_kg=weight_kg)
    if json_out:
        print_json(result.to_json())
    else:
        for line in result.lines():
            typer.echo(line)
    if not result.matches:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``recist`` and the ``knowledge`` group to the root app."""
    app.command("recist")(recist)
    app.add_typer(knowledge_app, name="knowledge")
