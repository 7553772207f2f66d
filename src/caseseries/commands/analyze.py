"""``caseseries analyze`` (pooled response and PFS) and ``caseseries similar`` (comparable patients)."""

from __future__ import annotations

import typer

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.response import GROUPINGS
from caseseries.analysis.sequencing import line_text, similar
from caseseries.analysis.summary import analyze
from caseseries.app.duplicates import merge_sentence, pooled_series
from caseseries.commands._common import open_store, print_json
from caseseries.commands._filters import with_cohort_options
from caseseries.errors import InputError
from caseseries.report.methods import STATEMENT
from caseseries.report.tables import median_ci, percent_ci


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
    typer.echo(f"Cohort: {cohort.describe()} - {sel.n_patients} patients{merged_text}, {len(sel.units)} lines.")
    for name, r, p in rows:
        typer.echo(
            f"{name}: CR {r.CR}, PR {r.PR}, SD {r.SD}, PD {r.PD}, NE {r.NE}, missing {r.missing}; "
            f"ORR {percent_ci(r.orr, r.orr_ci95)}, DCR {percent_ci(r.dcr, r.dcr_ci95)} over {r.evaluable} evaluable; "
            f"PFS n={p.km.n}, events {p.km.events}, censored {p.km.censored}, censoring unknown "
            f"{p.censoring_unknown}, median {median_ci(p)} months"
        )
    if result.logrank:
        t = result.logrank
        typer.echo(f"Log-rank: chi-square {t.statistic:.2f}, df {t.df}, p = {t.p_value:.3g}")
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
    typer.echo(f"{len(found)} published patients comparable to: {cohort.describe()}")
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
