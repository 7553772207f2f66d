"""``caseseries report``: the evidence report (HTML, Markdown, DOCX, CSV)."""

from __future__ import annotations

from pathlib import Path

import typer

from caseseries.analysis.cohort import Cohort
from caseseries.app.duplicates import merge_sentence, pooled_series
from caseseries.commands._common import open_store
from caseseries.commands._filters import with_cohort_options
from caseseries.files import check_folder_target
from caseseries.model.casejson import CaseDocument
from caseseries.report.build import FORMATS, build_report, parse_formats
from caseseries.report.methods import Provenance, extraction_key


@with_cohort_options
def report_command(
    ctx: typer.Context,
    out: Path = typer.Option(Path("report"), "--out", help="Folder to write the report to."),
    fmt: str = typer.Option(",".join(FORMATS), "--format", help=f"Comma-separated: {', '.join(FORMATS)}."),
    protocol: str | None = typer.Option(
        None, "--protocol", help="Review protocol (file or shipped name) whose PRISMA counts go in the methods."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty folder caseseries did not write (nothing is deleted)."
    ),
    cohort: Cohort = Cohort(),
) -> None:
    """Write the evidence report: literature tables, response rates, PFS, sequencing and figures.

    With --protocol, the methods paragraph reports the search and screening flow (PRISMA 2020)
    of that review protocol.

    The folder keeps a manifest of the files caseseries wrote: a new report replaces exactly
    those (--format md keeps the HTML and DOCX written earlier) and leaves every other file
    alone; a non-empty folder caseseries did not write needs --force.

    Example: caseseries report --cohort first-line-alectinib --out report --format html,md
    """
    formats = parse_formats(fmt)
    check_folder_target(out)
    store = open_store(ctx)
    extraction = {
        extraction_key(CaseDocument(source=sp.source), sp.patient.label): (sp.extractor, sp.ruleset_version)
        for sp in store.patients()
        if sp.extractor
    }
    provenance = Provenance(searches=[s for _, s in store.searches()], extraction=extraction)
    if protocol is not None:
        from caseseries.screening import load_protocol, prisma_counts

        counts = prisma_counts(store, load_protocol(protocol))
        provenance = Provenance(
            searches=provenance.searches,
            extraction=extraction,
            screening={
                "identified": counts.identified,
                "duplicates_removed": counts.duplicates,
                "screened": counts.records_screened,
                "excluded": counts.records_excluded,
                "full_text_assessed": counts.reports_assessed,
                "included_studies": counts.included_studies,
                "included_patients": counts.included_patients,
            },
            notes=[f"Review protocol '{counts.protocol}': {counts.methods_sentence()}"],
        )
    series = pooled_series(store)  # linked duplicate patients pooled once, the kept one citing every report
    if series.merged:
        note = f"Duplicate patients: {merge_sentence(series.merged_duplicates, len(series.merged))} after review."
        provenance = Provenance(provenance.searches, provenance.screening, [*provenance.notes, note])
    result = build_report(series.case_file, out, formats=formats, cohort=cohort, provenance=provenance, force=force)
    where = result.html or result.out_dir
    typer.echo(
        f"Report for {result.n_patients} patients ({result.n_lines} lines): {where} "
        f"({len(result.files)} files in {result.out_dir})."
    )


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report_command)
