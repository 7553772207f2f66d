"""``caseseries screen``: rule suggestions, reviewer decisions, conflicts and PRISMA 2020 output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from caseseries.choices import FIRST_STAGE
from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError

if TYPE_CHECKING:
    from caseseries.screening import Stage
    from caseseries.store import Store

screen_app = typer.Typer(
    help=(
        "Screen the records of a review protocol: rules suggest, reviewers decide, PRISMA 2020 counts.\n\n"
        "Example: caseseries screen --protocol review.yaml --stage title-abstract"
    ),
    invoke_without_command=True,
)

_PROTOCOL_HELP = "Review protocol (YAML file, or the name of a shipped protocol)."
_STAGE_HELP = "Screening stage: title-abstract or full-text."


def _stage(value: str) -> Stage:
    from caseseries.screening import Stage

    try:
        return Stage(value)
    except ValueError:
        raise InputError(
            f"unknown stage {value!r}; allowed: {', '.join(s.value for s in Stage)}", location="--stage"
        ) from None


def _reviewer(name: str) -> str:
    if not name.strip():
        raise InputError("the reviewer name is empty; give your name or initials", location="--reviewer")
    return name.strip()


@screen_app.callback()
def screen_records(
    ctx: typer.Context,
    protocol: str | None = typer.Option(None, "--protocol", "-p", help=_PROTOCOL_HELP),
    stage: str = typer.Option(FIRST_STAGE, "--stage", help=_STAGE_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the suggestions as JSON."),
) -> None:
    """Apply the protocol's rules to every record of its searches and imports, recording suggestions.

    Example: caseseries screen --protocol alk-imt-alectinib-first-line --stage title-abstract
    """
    if ctx.invoked_subcommand is not None:
        return
    if protocol is None:
        raise InputError("give the review protocol with --protocol FILE", location="--protocol")
    from caseseries.app.screen import screen_protocol
    from caseseries.screening import load_protocol

    proto = load_protocol(protocol)  # a bad protocol is reported before the database is opened
    run = screen_protocol(open_store(ctx), proto, _stage(stage))
    result = run.result
    if json_out:
        print_json(run.to_json())
        return
    typer.echo(run.summary())
    if result.not_eligible:
        typer.echo(f"{len(result.not_eligible)} records not screened at this stage (excluded earlier or no full text).")
    if result.missing:
        typer.echo(f"{len(result.missing)} records found by the searches are not stored; fetch or import them.")
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
) -> None:
    """Walk the records you have not confirmed yet, one at a time, most likely includes first.

    By default the queue holds every record without a decision of yours, also those the rules
    already decided (their suggestion is shown: c confirms it, i/e/m overturn it) and your own
    'maybe's; --all shows every record. Keys: c confirm the rules, i include, e exclude,
    m maybe (then a reason picker), s skip, q quit. Every decision is saved as it is made.

    Example: caseseries screen review --protocol review.yaml --reviewer AB
    """
    from caseseries.screening import ReviewSession, load_protocol

    session = ReviewSession(
        open_store(ctx),
        load_protocol(protocol),
        _reviewer(reviewer),
        stage=_stage(stage),
        resolve=resolve,
        include_suggested=all_records,
    )
    summary = session.run(limit=limit)
    typer.echo(
        f"{summary.decided} decided, {summary.skipped} skipped, {summary.remaining} still to review "
        f"(ordered by {summary.method})."
    )


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
    from caseseries.screening import import_decisions, load_protocol

    proto = load_protocol(protocol) if protocol else None
    result = import_decisions(csv_file, open_store(ctx), reviewer=_reviewer(reviewer), protocol=proto)
    for name, n in result.items():
        typer.echo(f"{name}: {n} decisions recorded for {reviewer}.")


def _protocol_names(store: Store, protocol: str | None) -> list[str]:
    from caseseries.screening import load_protocol

    if protocol:
        return [load_protocol(protocol).name]
    return store.decisions.protocols()


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
    from caseseries.screening import DecisionLog

    store = open_store(ctx)
    chosen = _stage(stage) if stage else None
    rows: list[dict[str, Any]] = []
    for name in _protocol_names(store, protocol):
        for e in DecisionLog(store, name).conflicts(chosen):
            pub = store.get_publication(e.key)
            rows.append(
                {
                    "protocol": name,
                    "key": e.key,
                    "stage": e.stage.value,
                    "title": pub.title if pub else None,
                    "decisions": [
                        {"reviewer": x.actor, "decision": x.decision.value, "reason": x.reason}
                        for x in e.entries
                        if x.role.value == "reviewer"
                    ],
                }
            )
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
    from caseseries.screening import DecisionLog, load_protocol, prisma_counts, work_saved, write_prisma

    store = open_store(ctx)
    proto = load_protocol(protocol)
    counts = prisma_counts(store, proto)
    written = write_prisma(counts, out)
    saved = work_saved(DecisionLog(store, proto.name))
    if json_out:
        print_json(
            {
                **counts.as_dict(),
                "files": {k: str(v) for k, v in written.items()},
                "screened_before_last_include": saved.screened_before_last_include,
            }
        )
        return
    typer.echo(counts.methods_sentence())
    typer.echo(f"Title-abstract screening: {saved.sentence()}.")
    for problem in counts.arithmetic_problems():
        typer.echo(f"Warning: counts do not add up: {problem}", err=True)
    typer.echo("Wrote " + ", ".join(str(p) for p in written.values()))


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command group."""
    app.add_typer(screen_app, name="screen")
