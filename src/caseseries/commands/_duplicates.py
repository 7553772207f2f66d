"""``caseseries cases duplicates | link | unlink | not-duplicate``: the same patient reported twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from caseseries.app.duplicates import PairView
    from caseseries.store import Store

REVIEW_PROMPT = "[l]ink as one patient  [n]ot a duplicate  [s]kip  [q]uit > "
_REVIEWER_HELP = "Your name or initials (the decision is filed under it)."


def _show_pair(console: Console, view: PairView, n: int, total: int) -> None:
    kind = "likely duplicate" if view.pair.likely else "possible duplicate"
    console.print(f"\n{n}/{total}  cases {view.pair.a} and {view.pair.b}: {kind}, score {view.pair.score:g}")
    console.print("  " + view.patient_line(0), markup=False, highlight=False)
    console.print("  " + view.patient_line(1), markup=False, highlight=False)
    for r in view.pair.reasons:
        console.print(f"    {r.points:+g}  {r.detail}", markup=False, highlight=False)


def duplicates(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print the candidate pairs as JSON."),
    review: bool = typer.Option(False, "--review", help="Decide each pair in turn (link / not a duplicate / skip)."),
    reviewer: str | None = typer.Option(None, "--reviewer", "-r", help=_REVIEWER_HELP),
) -> None:
    """List stored patients that may be one person reported twice, each pair with its score and reasons.

    Pairs come from different documents; the scoring (shared PMID/DOI, first author, age, sex,
    site, fusion partner, agents, response, PFS, dates) is in analysis/data/duplicates.yaml.
    Pairs already linked or marked as not duplicates are not listed again. With --review each
    pair is shown in turn: l links it (the analyses then pool one patient citing both sources),
    n marks it as two patients, s skips, q quits; every decision is saved as it is made.

    Example: caseseries cases duplicates --review --reviewer AB
    """
    from rich.console import Console

    from caseseries.app.duplicates import duplicates_json, find_duplicates

    store = open_store(ctx)
    views = find_duplicates(store)
    if json_out:
        print_json(duplicates_json(store, views))
        return
    if review:
        if not reviewer or not reviewer.strip():
            raise InputError("give your name or initials with --reviewer to record decisions", location="--reviewer")
        _review(store, views, reviewer.strip())
        return
    console = Console()
    if not views:
        typer.echo("No candidate duplicate patients.")
        return
    for n, view in enumerate(views, start=1):
        _show_pair(console, view, n, len(views))
    typer.echo(
        f"\n{len(views)} candidate pairs. Decide them with: caseseries cases duplicates --review --reviewer NAME "
        "(or caseseries cases link A B / cases not-duplicate A B)"
    )


def _review(store: Store, views: list[PairView], reviewer: str) -> None:
    from rich.console import Console

    from caseseries.app.duplicates import LinkStatus, decide, find_duplicates

    console = Console()
    decided = skipped = 0
    for n, view in enumerate(views, start=1):
        _show_pair(console, view, n, len(views))
        while True:
            try:
                answer = input(REVIEW_PROMPT).strip().lower()
            except (EOFError, KeyboardInterrupt):
                answer = "q"
            if answer in ("l", "n", "s", "q"):
                break
            console.print(f"unknown key {answer!r}; press l, n, s or q", markup=False)
        if answer == "q":
            break
        if answer == "s":
            skipped += 1
            continue
        status = LinkStatus.LINKED if answer == "l" else LinkStatus.NOT_DUPLICATE
        decide(store, view.pair.a, view.pair.b, status, actor=reviewer)
        decided += 1
        typer.echo("saved: " + ("linked as one patient" if answer == "l" else "not a duplicate"))
    remaining = len(find_duplicates(store))
    typer.echo(f"{decided} decided, {skipped} skipped, {remaining} still to review.")


def link(
    ctx: typer.Context,
    a: int = typer.Argument(..., help="Case id from 'cases list'."),
    b: int = typer.Argument(..., help="The other case id."),
    reviewer: str = typer.Option(..., "--reviewer", "-r", help=_REVIEWER_HELP),
) -> None:
    """Link two stored cases as one patient: the analyses and the report pool them once, citing both.

    Example: caseseries cases link 12 22 --reviewer AB
    """
    from caseseries.app.duplicates import LinkStatus, decide, pooled_series

    store = open_store(ctx)
    decide(store, a, b, LinkStatus.LINKED, actor=reviewer)
    n = pooled_series(store).merged_duplicates
    typer.echo(f"Linked cases {min(a, b)} and {max(a, b)} as one patient ({n} duplicate reports merged in all).")


def not_duplicate(
    ctx: typer.Context,
    a: int = typer.Argument(..., help="Case id from 'cases list'."),
    b: int = typer.Argument(..., help="The other case id."),
    reviewer: str = typer.Option(..., "--reviewer", "-r", help=_REVIEWER_HELP),
) -> None:
    """Record that two stored cases are different patients ('cases duplicates' stops proposing them).

    Example: caseseries cases not-duplicate 5 7 --reviewer AB
    """
    from caseseries.app.duplicates import LinkStatus, decide

    decide(open_store(ctx), a, b, LinkStatus.NOT_DUPLICATE, actor=reviewer)
    typer.echo(f"Cases {min(a, b)} and {max(a, b)} recorded as different patients.")


def unlink_command(
    ctx: typer.Context,
    a: int = typer.Argument(..., help="Case id from 'cases list'."),
    b: int = typer.Argument(..., help="The other case id."),
) -> None:
    """Undo 'cases link' or 'cases not-duplicate' for a pair: both are pooled again, and the pair may be proposed.

    Example: caseseries cases unlink 12 22
    """
    from caseseries.app.duplicates import unlink

    if not unlink(open_store(ctx), a, b):
        raise InputError(f"cases {min(a, b)} and {max(a, b)} are not linked; nothing to undo", location="cases unlink")
    typer.echo(f"Unlinked cases {min(a, b)} and {max(a, b)}.")


def register_duplicates(app: typer.Typer) -> None:
    """Add the duplicate-patient commands to the ``cases`` group."""
    app.command("duplicates")(duplicates)
    app.command("link")(link)
    app.command("unlink")(unlink_command)
    app.command("not-duplicate")(not_duplicate)
