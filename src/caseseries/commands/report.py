"""``caseseries report``: the evidence report (HTML, Markdown, DOCX, CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from caseseries.choices import REPORT_FORMATS as FORMATS
from caseseries.commands._common import open_store
from caseseries.commands._filters import with_cohort_options

if TYPE_CHECKING:
    from caseseries.analysis.cohort import Cohort


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
    cohort: Cohort | None = None,
) -> None:
    """Write the evidence report: literature tables, response rates, PFS, sequencing and figures.

    With --protocol, the methods paragraph reports the search and screening flow (PRISMA 2020)
    of that review protocol.

    The folder keeps a manifest of the files caseseries wrote: a new report replaces exactly
    those (--format md keeps the HTML and DOCX written earlier) and leaves every other file
    alone; a non-empty folder caseseries did not write needs --force.

    Example: caseseries report --cohort first-line-alectinib --out report --format html,md
    """
    from caseseries.app.report import parse_formats, write_report
    from caseseries.files import check_folder_target

    assert cohort is not None  # given by with_cohort_options
    formats = parse_formats(fmt)
    check_folder_target(out)
    result = write_report(open_store(ctx), out, formats=formats, cohort=cohort, protocol=protocol, force=force)
    where = result.html or result.out_dir
    typer.echo(
        f"Report for {result.n_patients} patients ({result.n_lines} lines): {where} "
        f"({len(result.files)} files in {result.out_dir})."
    )


def register(app: typer.Typer) -> None:
    """Add ``report`` to the root app."""
    app.command("report")(report_command)
