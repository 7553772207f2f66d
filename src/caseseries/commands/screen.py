"""``caseseries screen``: rule suggestions, reviewer decisions, conflicts and PRISMA 2020 output."""

from __future__ import annotations

from pathlib import Path

import typer

from caseseries.choices import FIRST_STAGE, REVIEW_ORDERS
from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError

screen_app = typer.Typer(
    help=(
        "Screen the records of a review protocol: rules suggest, reviewers decide, PRISMA 2020 counts.\n\n"
        "Example: caseseries screen --protocol review.yaml --stage title-abstract"
    ),
    invoke_without_command=True,
)

_PROTOCOL_HELP = "Review protocol (YAML file, or the name of a shipped protocol)."
_STAGE_HELP = "Screening stage: title-abstract or full-text."


@screen_app.callback()
def screen_records(
    ctx: typer.Context,
    protocol: str | None = typer.Option(None, "--protocol", "-p", help=_PROTOCOL_HELP),
    stage: str = typer.Option(FIRST_STAGE, "--stage", help=_STAGE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the suggestions as JSON."),
    rescreen: bool = typer.Option(
        False, "--rescreen", help="Apply the rules to every record, also those unchanged since their last screening."
    ),
) -> None:
    """Apply the protocol's rules to every record of its searches and imports, recording suggestions.

    A record whose suggestion is stored, that was not updated since and whose rules (their
    definitions, the vocabularies they use, the rules' version) are the same is not read or
    screened again: it is counted with its stored suggestion ('unchanged' in --json).

    Example: caseseries screen --protocol alk-imt-alectinib-first-line --stage title-abstract
    """
    if ctx.invoked_subcommand is not None:
        return
    if protocol is None:
        raise InputError("give the review protocol with --protocol FILE", location="--protocol")
    from caseseries.app.screen import protocol_of, screen_protocol

    proto = protocol_of(protocol)  # a bad protocol is reported before the database is opened
    run = screen_protocol(open_store(ctx), proto, stage, rescreen=rescreen)
    if json_out:
        print_json(run.to_json())
        return
    typer.echo(run.summary())
    for line in run.notes():
        typer.echo(line)
    typer.echo(f"Next: caseseries screen review --protocol {protocol} --reviewer NAME")


@screen_app.command("review")
def review(
    ctx: typer.Context,
    protocol: str = typer.Option(..., "--protocol", "-p", help=_PROTOCOL_HELP),
    reviewer: str = typer.Option(..., "--reviewer", "-r", help="Your name or initials (decisions are filed under it)."),
    stage: str = typer.Option(FIRST_STAGE, "--stage", help=_STAGE_HELP),
    resolve: bool = typer.Option(False, "--resolve", help="Walk the reviewers' disagreements and resolve them."),
    all_records: bool = typer.Option(
        False, "--all", help="Show every record, also those you already decided (to change a decision)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Stop after this many records."),
    order: str = typer.Option(
        REVIEW_ORDERS[0],
        "--order",
        help=(
            f"Queue order: {REVIEW_ORDERS[0]} (the rules' scores stored by 'caseseries screen') or "
            f"{REVIEW_ORDERS[1]} (a TF-IDF model trained on the reviewed decisions; it reads every record "
            "of the queue, so it starts slower on a large protocol)."
        ),
    ),
) -> None:
    """Walk the records you have not confirmed yet, one at a time, most likely includes first.

    By default the queue holds every record without a decision of yours, also those the rules
    already decided (their suggestion is shown: c confirms it, i/e/m overturn it) and your own
    'maybe's; --all shows every record. Keys: c confirm the rules, i include, e exclude,
    m maybe (then a reason picker), s skip, q quit. Every decision is saved as it is made.

    Example: caseseries screen review --protocol review.yaml --reviewer AB
    """
    from caseseries.app.screen import review_line, review_protocol

    summary = review_protocol(
        open_store(ctx),
        protocol,
        reviewer,
        stage=stage,
        resolve=resolve,
        all_records=all_records,
        order=order,
        limit=limit,
    )
    typer.echo(review_line(summary))


@screen_app.command("import-decisions")
def import_decisions_cmd(
    ctx: typer.Context,
    csv_file: Path = typer.Argument(
        ..., help="CSV with columns key|pmid|doi, decision, and optional reason, stage, protocol."
    ),
    reviewer: str = typer.Option(..., "--reviewer", "-r", help="Name the decisions are filed under."),
    protocol: str | None = typer.Option(None, "--protocol", "-p", help="Protocol for rows without a protocol column."),
) -> None:
    """Record a reviewer's decisions from a CSV file (all rows or none).

    Example: caseseries screen import-decisions decisions.csv --reviewer AB --protocol review.yaml
    """
    from caseseries.app.screen import import_decisions_file, protocol_of, reviewer_name

    proto = protocol_of(protocol) if protocol else None
    result = import_decisions_file(open_store(ctx), csv_file, reviewer_name(reviewer), proto)
    for name, n in result.items():
        typer.echo(f"{name}: {n} decisions recorded for {reviewer}.")


@screen_app.command("conflicts")
def conflicts(
    ctx: typer.Context,
    protocol: str | None = typer.Option(None, "--protocol", "-p", help="Only this protocol (default: all)."),
    stage: str | None = typer.Option(None, "--stage", help="Only this stage (default: both)."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List records on which reviewers disagree (exit code 1 when there are any).

    Resolve them with: caseseries screen review --protocol FILE --reviewer NAME --resolve

    Example: caseseries screen conflicts --protocol review.yaml
    """
    from caseseries.app.screen import conflicts as find_conflicts

    rows = find_conflicts(open_store(ctx), protocol, stage)
    if json_out:
        print_json(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rows)} disagreements")
        for col in ("protocol", "stage", "key", "title", "decisions"):
            table.add_column(col)
        for r in rows:
            decisions = "; ".join(
                f"{d['reviewer']}: {d['decision']}" + (f" ({d['reason']})" if d["reason"] else "")
                for d in r["decisions"]
            )
            table.add_row(r["protocol"], r["stage"], r["key"], r["title"] or "", decisions)
        Console().print(table)
    if rows:
        raise typer.Exit(1)


@screen_app.command("prisma")
def prisma(
    ctx: typer.Context,
    protocol: str = typer.Option(..., "--protocol", "-p", help=_PROTOCOL_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for prisma2020.csv/.json/.svg/.png."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Write PRISMA 2020 counts (PRISMA2020 R package CSV layout, JSON) and the flow diagram (SVG, PNG).

    Example: caseseries screen prisma --protocol review.yaml --out report/
    """
    from caseseries.app.screen import prisma_report

    report = prisma_report(open_store(ctx), protocol, out)
    if json_out:
        print_json(report.to_json())
        return
    for line in report.lines():
        typer.echo(line)
    for warning in report.warnings():
        typer.echo(warning, err=True)
    typer.echo(report.wrote())


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command group."""
    app.add_typer(screen_app, name="screen")
