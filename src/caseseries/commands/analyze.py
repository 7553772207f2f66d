"""``caseseries analyze`` (pooled response and PFS) and ``caseseries similar`` (comparable patients)."""

from __future__ import annotations

import typer

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.limits import min_groups, not_computed
from caseseries.analysis.response import GROUPINGS
from caseseries.analysis.sequencing import line_text, similar
from caseseries.analysis.summary import analyze
from caseseries.app.duplicates import merge_sentence, pooled_series
from caseseries.commands._common import open_store, print_json
from caseseries.commands._filters import with_cohort_options
from caseseries.errors import InputError
from caseseries.report.grammar import count
from caseseries.report.methods import STATEMENT
from caseseries.report.tables import median_ci, rate_cell


@with_cohort_options
def analyze_command(
    ctx: typer.Context,
    by: str | None = typer.Option(None, "--by", help=f"Break down by one of: {', '.join(GROUPINGS)}."),
    json_out: bool = typer.Option(False, "--json", help="Print every number as JSON."),
    cohort: Cohort = Cohort(),
) -> None:
    """Pooled response rates (exact CIs) and Kaplan-Meier PFS of the stored case series.

    Example: caseseries analyze --agent alectinib --line 1 --json
    """
    if by is not None and by not in GROUPINGS:
        raise InputError(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}", location="--by")
    series = pooled_series(open_store(ctx))
    result = analyze(series.case_file, cohort, by=by)
    sel = result.selection
    merges = series.merges_for((doc, patient) for _, doc, patient in sel.patients)
    n_merged = sum(len(m.merged) for m in merges)
    if json_out:
        print_json({**result.to_dict(), "merged_duplicates": n_merged, "merged": [m.to_dict() for m in merges]})
        return
    rows = [("all", result.response, result.pfs)] + [(g.name, g.response, g.pfs) for g in result.groups]
    merged_text = f" ({merge_sentence(n_merged, len(merges))})" if merges else ""
    typer.echo(
        f"Cohort: {cohort.describe()} - {count(sel.n_patients, 'patient')}{merged_text}, "
        f"{count(len(sel.units), 'line')}."
    )
    for name, r, p in rows:
        typer.echo(
            f"{name}: {count(r.n, 'line')}: CR {r.CR}, PR {r.PR}, SD {r.SD}, PD {r.PD}, NE {r.NE}, not reported "
            f"{r.missing}; ORR {rate_cell(r, 'orr')}, DCR {rate_cell(r, 'dcr')} "
            f"over {count(r.evaluable, 'evaluable line')}; "
            f"PFS {count(p.km.n, 'line')} on the curve, events {p.km.events}, censored {p.km.censored}, censoring "
            f"unknown {p.censoring_unknown}, median {median_ci(p)}"
            + (" months" if p.km.n >= min_groups().km_median_lines else "")
        )
    if result.logrank:
        t = result.logrank
        typer.echo(f"Log-rank: chi-square {t.statistic:.2f}, df {t.df}, p = {t.p_value:.3g}")
    elif by is not None:
        typer.echo(f"Log-rank: {not_computed(min_groups().logrank_lines_per_group)} lines on the curve in two groups")
    typer.echo(STATEMENT)


@with_cohort_options
def similar_command(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print the patients as JSON."),
    cohort: Cohort = Cohort(),
) -> None:
    """Published patients comparable to the filters, and what happened to them next.

    Example: caseseries similar --after alectinib --mutation G1202R
    """
    if cohort.is_empty():
        raise InputError("give at least one filter, e.g. --after alectinib --mutation G1202R", location="similar")
    found = similar(open_store(ctx).case_file(), cohort)
    if json_out:
        print_json({"query": cohort.filters(), "patients": [p.to_dict() for p in found], "statement": STATEMENT})
        return
    typer.echo(f"{count(len(found), 'published patient')} comparable to: {cohort.describe()}")
    for sp in found:
        typer.echo(f"\n{sp.label} - {sp.citation}")
        if sp.prior:
            typer.echo(f"  before: line {sp.prior.line} {line_text(sp.prior)}")
        for nl in sp.next_lines:
            typer.echo(f"  then:   line {nl.line.line} {line_text(nl.line)}")
            for sentence in nl.evidence:
                typer.echo(f"          reported: {sentence}")
    typer.echo(f"\n{STATEMENT}")


def register(app: typer.Typer) -> None:
    """Add ``analyze`` and ``similar`` to the root app."""
    app.command("analyze")(analyze_command)
    app.command("similar")(similar_command)
