"""The one entry point of the evidence report: :func:`build_report`.

Output directory layout::

    report.html          one self-contained page (figures inline as SVG)
    report.md            the same in Markdown (figures linked from figures/)
    tables.docx          every table, ready to paste into a manuscript
    tables/*.csv, *.md   each table on its own
    figures/*.png, *.svg each figure
    analysis.json        every number the report shows

The folder keeps a manifest of the files caseseries wrote (see :mod:`caseseries.output_folder`):
a rebuild replaces exactly those, keeps the formats it does not write (``--format md`` keeps an
earlier HTML and DOCX), never touches the user's other files, and a non-empty folder caseseries
did not write is refused unless ``force``. A failed or killed run leaves the previous report
untouched, never a half-written one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from caseseries.analysis.cohort import Cohort
from caseseries.choices import REPORT_FORMATS
from caseseries.errors import InputError
from caseseries.files import check_folder_target, safe_file_name
from caseseries.model.casejson import CaseFile
from caseseries.output_folder import output_folder
from caseseries.report.content import assemble
from caseseries.report.docx_out import write_docx
from caseseries.report.html import write_html, write_markdown, write_pieces
from caseseries.report.methods import Provenance
from caseseries.report.tables import markdown_pieces, write_csv

FORMATS = REPORT_FORMATS


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    out_dir : Path
        The report directory.
    files : list of Path
        Every file written (inside ``out_dir``).
    n_patients, n_lines : int
        Size of the reported cohort.
    html : Path or None
        The HTML page, when written.
    """

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    n_patients: int = 0
    n_lines: int = 0
    html: Path | None = None


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"html,md"`` -> ``("html", "md")``; unknown formats raise listing the allowed ones."""
    items = [f.strip().lower() for f in (text.split(",") if isinstance(text, str) else text) if f.strip()]
    bad = [f for f in items if f not in FORMATS]
    if bad or not items:
        raise InputError(
            f"unknown report format {', '.join(map(repr, bad)) or '(none)'}; use a comma-separated list of: "
            f"{', '.join(FORMATS)}",
            location="--format",
        )
    return tuple(dict.fromkeys(items))


def build_report(
    case_file: CaseFile,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    cohort: Cohort | None = None,
    provenance: Provenance | None = None,
    force: bool = False,
) -> ReportResult:
    """Build the evidence report for a case series.

    Parameters
    ----------
    case_file : CaseFile
        The case series (e.g. ``Store.case_file()``).
    out_dir : str or Path
        Folder to write to; an earlier report there is replaced only once the new one is complete.
    formats : sequence of {"html", "md", "docx", "csv"}
        What to write; figures and ``analysis.json`` are always written.
    cohort : Cohort or None
        Restrict the report to a cohort.
    provenance : Provenance or None
        Search and screening records for the methods paragraph.
    force : bool
        Write into a non-empty folder caseseries did not write, beside the files there.

    Returns
    -------
    ReportResult
        Paths written and cohort size.

    Raises
    ------
    InputError
        For an unknown format, an ``out_dir`` that is not a folder, a non-empty folder caseseries
        did not write (without ``force``), or a file of the user's in the way of the report's.
    """
    formats = parse_formats(formats)
    out = check_folder_target(out_dir)
    content = assemble(case_file, cohort, provenance)
    keep = [f for f in FORMATS if f not in formats]
    with output_folder(out, kind="report", force=force, keep_groups=keep, adopt=_earlier_report) as folder:
        for fig in content.all_figures():
            name = safe_file_name(fig.key)
            folder.write(f"figures/{name}.svg", fig.svg, group="figures")
            folder.write(f"figures/{name}.png", fig.png, group="figures")
        folder.write(
            "analysis.json", json.dumps(content.numbers, indent=2, ensure_ascii=False) + "\n", group="analysis"
        )
        if "html" in formats:
            write_html(content, folder.path("report.html", group="html"))
        if "md" in formats:
            write_markdown(content, folder.path("report.md", group="md"))
            for t in content.all_tables():
                write_pieces(markdown_pieces(t), folder.path(f"tables/{safe_file_name(t.key)}.md", group="md"))
        if "csv" in formats:
            for t in content.all_tables():
                path = folder.path(f"tables/{safe_file_name(t.key)}.csv", group="csv")
                with path.open("w", encoding="utf-8", newline="") as f:
                    write_csv(t, f)
        if "docx" in formats:
            path = folder.path("tables.docx", group="docx")
            write_docx(content.all_tables(), path, title=content.title, statement=content.statement)
        written = list(folder.written)
    files = [out / rel for rel in written]
    numbers = content.numbers
    return ReportResult(
        out_dir=out,
        files=files,
        n_patients=int(numbers["n_patients"]),
        n_lines=int(numbers["n_lines"]),
        html=out / "report.html" if "html" in formats else None,
    )


def _earlier_report(folder: Path, existing: list[str], new: dict[str, str]) -> bool:
    """True when ``folder`` holds only a report of a caseseries version that wrote no manifest.

    That is: ``analysis.json`` and figures are there, and every file is one this run writes.
    """
    del folder
    names = set(existing)
    return "analysis.json" in names and any(r.startswith("figures/") for r in names) and names <= set(new)
