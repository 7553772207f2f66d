"""``caseseries analyze`` (pooled response and PFS) and ``caseseries similar`` (comparable patients)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from caseseries.choices import GROUPINGS
from caseseries.commands._common import open_store, print_json
from caseseries.commands._filters import with_cohort_options

if TYPE_CHECKING:
    from caseseries.analysis.cohort import Cohort


@with_cohort_options
def analyze_command(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help=f"Break down by one of: {', '.join(GROUPINGS)}."),
    json_out: bool = typer.Option(False, "--json", help="Print every number as JSON."),
    cohort: Cohort | None = None,
) -> None:
    """Pooled response rates (exact CIs) and Kaplan-Meier PFS of the stored case series.

    Example: caseseries analyze --agent alectinib --line 1 --json
    """
    from caseseries.app.analyze import analyze_cohort, check_grouping

    assert cohort is not None  # given by with_cohort_options
    check_grouping(by)
    done = analyze_cohort(open_store(ctx), cohort, by=by)
    if json_out:
        print_json(done.to_json())
        return
    for line in done.lines():
        typer.echo(line)


@with_cohort_options
def similar_command(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print the patients as JSON."),
    cohort: Cohort | None = None,
) -> None:
    """Published patients comparable to the filters, and what happened to them next.

    Example: caseseries similar --after alectinib --mutation G1202R
    """
    from caseseries.app.analyze import check_filters, similar_patients

    assert cohort is not None  # given by with_cohort_options
    check_filters(cohort)
    found = similar_patients(open_store(ctx), cohort)
    if json_out:
        print_json(found.to_json())
        return
    for line in found.lines():
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``similar`` to the root app."""
    app.command("analyze")(analyze_command)
    app.command("similar")(similar_command)
