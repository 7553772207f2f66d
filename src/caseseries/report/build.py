"""The one entry point of the evidence report: :func:`build_report`.

Output directory layout::

    report.html          one self-contained page (figures inline as SVG)
    report.md            the same in Markdown (figures linked from figures/)
    tables.docx          every table, ready to paste into a manuscript
    tables/*.csv, *.md   each table on its own
    figures/*.png, *.svg each figure
    analysis.json        every number the report shows

Everything is written to a temporary directory next to ``out_dir`` and moved into place at the
end, so a failed run leaves the previous report untouched and never a half-written one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from caseseries.analysis.cohort import Cohort
from caseseries.errors import InputError
from caseseries.files import staged_directory
from caseseries.model.casejson import CaseFile
from caseseries.report.content import assemble
from caseseries.report.docx_out import write_docx
from caseseries.report.html import render_html, render_markdown
from caseseries.report.methods import Provenance
from caseseries.report.tables import to_csv, to_markdown

FORMATS = ("html", "md", "docx", "csv")


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


def _write(path: Path, data: str | bytes, files: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    files.append(path)


def build_report(
    case_file: CaseFile,
    out_dir: str | Path,
    *,
    formats: Sequence[str] = FORMATS,
    cohort: Cohort | None = None,
    provenance: Provenance | None = None,
) -> ReportResult:
    """Build the evidence report for a case series.

    Parameters
    ----------
    case_file : CaseFile
        The case series (e.g. ``Store.case_file()``).
    out_dir : str or Path
        Directory to (re)create; an existing report there is replaced only once the new one is complete.
    formats : sequence of {"html", "md", "docx", "csv"}
        What to write; figures and ``analysis.json`` are always written.
    cohort : Cohort or None
        Restrict the report to a cohort.
    provenance : Provenance or None
        Search and screening records for the methods paragraph.

    Returns
    -------
    ReportResult
        Paths written and cohort size.

    Raises
    ------
    InputError
        For an unknown format or an ``out_dir`` that is an existing file.
    """
    formats = parse_formats(formats)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a directory; choose another --out", source=str(out))
    content = assemble(case_file, cohort, provenance)
    written: list[Path] = []
    with staged_directory(out) as tmp:
        for fig in content.all_figures():
            _write(tmp / "figures" / f"{fig.key}.svg", fig.svg, written)
            _write(tmp / "figures" / f"{fig.key}.png", fig.png, written)
        _write(tmp / "analysis.json", json.dumps(content.numbers, indent=2, ensure_ascii=False) + "\n", written)
        if "html" in formats:
            _write(tmp / "report.html", render_html(content), written)
        if "md" in formats:
            _write(tmp / "report.md", render_markdown(content), written)
            for t in content.all_tables():
                _write(tmp / "tables" / f"{t.key}.md", to_markdown(t), written)
        if "csv" in formats:
            for t in content.all_tables():
                _write(tmp / "tables" / f"{t.key}.csv", to_csv(t), written)
        if "docx" in formats:
            path = tmp / "tables.docx"
            write_docx(content.all_tables(), path, title=content.title, statement=content.statement)
            written.append(path)
    files = [out / p.relative_to(tmp) for p in written]
    numbers = content.numbers
    return ReportResult(
        out_dir=out,
        files=files,
        n_patients=int(numbers["n_patients"]),
        n_lines=int(numbers["n_lines"]),
        html=out / "report.html" if "html" in formats else None,
    )
