"""Assemble the report's content (sections of text, tables and figures) from a case series."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseseries.analysis.cohort import Cohort, LineUnit, Selection
from caseseries.analysis.limits import min_groups, not_computed
from caseseries.analysis.response import response_summary, responses_by
from caseseries.analysis.sequencing import PatientLabels, similar, transition_summary, transitions
from caseseries.analysis.summary import analyze, unreviewed
from caseseries.analysis.survival import PfsSummary, benchmark_for, logrank, pfs_data, pfs_summary, too_small
from caseseries.choices import GROUPINGS
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseFile
from caseseries.report import figures, tables
from caseseries.report.figures import RenderedFigure
from caseseries.report.grammar import count, verb
from caseseries.report.methods import STATEMENT, Provenance, methods_paragraphs
from caseseries.report.tables import Table

MAX_TIMELINES = 4
FOREST_GROUPINGS = ("line", "generation", "agent")


@dataclass
class Section:
    """A titled part of the report: paragraphs, tables and figures, in that order."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[RenderedFigure] = field(default_factory=list)


@dataclass
class ReportContent:
    """Everything the writers render."""

    title: str
    statement: str
    cohort: Cohort
    summary: list[str]
    methods: list[str]
    sections: list[Section]
    literature_tables: list[Table]
    numbers: dict[str, Any]

    def all_tables(self) -> list[Table]:
        """Every table, literature tables first."""
        return [t for s in self.sections for t in s.tables]

    def all_figures(self) -> list[RenderedFigure]:
        """Every figure."""
        return [f for s in self.sections for f in s.figures]


def _line_band(u: LineUnit) -> str:
    return f"line {u.line.line}" if u.line.line < 3 else "line 3 or later"


def _pfs_groups(units: list[LineUnit]) -> dict[str, PfsSummary]:
    bands: dict[str, list[LineUnit]] = {}
    for u in units:
        bands.setdefault(_line_band(u), []).append(u)
    return {k: pfs_summary(bands[k], label=k) for k in sorted(bands)}


def _response_section(units: list[LineUnit]) -> Section:
    section = Section("response", "Response")
    overall = response_summary(units)
    by_group = {by: responses_by(units, by) for by in GROUPINGS}
    section.paragraphs.append(
        f"Across {count(overall.n, 'line')} of therapy, {overall.evaluable} {verb(overall.evaluable)} evaluable; "
        f"{overall.NE} {verb(overall.NE)} not evaluable and {overall.missing} had no reported response category. "
        f"ORR {tables.rate_cell(overall, 'orr')}; DCR {tables.rate_cell(overall, 'dcr')} (rates over evaluable "
        "lines, exact 95% CIs)."
    )
    for by in GROUPINGS:
        section.tables.append(
            tables.response_table(by_group[by], key=f"response_by_{by}", title=f"Best response by {by}",
                                  group_name=by.capitalize())
        )  # fmt: skip
    if units:
        section.figures.append(figures.forest_figure({by: by_group[by] for by in FOREST_GROUPINGS}, overall))
    return section


def pfs_exclusions(units: list[LineUnit]) -> tuple[int, int]:
    """Lines left off the PFS curves: (duration without progression status, no PFS reported)."""
    _, _, unknown, missing = pfs_data(units)
    return unknown, missing


def _logrank_paragraph(groups: dict[str, PfsSummary]) -> str:
    limit = min_groups().logrank_lines_per_group
    curves = [g.km for g in groups.values()]
    small = too_small(curves, limit)
    test = logrank(curves, min_lines=limit)
    if test is None:
        sizes = "; ".join(f"{c.label}: {c.n}" for c in curves) or "none"
        return (f"Log-rank test across lines: {not_computed(limit)}; at least two groups need {limit} or more lines "
                f"on the curve (lines on the curve: {sizes}).")
    text = (f"Log-rank test across {', '.join(test.groups)}: chi-square {test.statistic:.2f} on {test.df} df, "
            f"p = {test.p_value:.3g}.")
    if small:
        text += (f" Left out of the test ({not_computed(limit)}): "
                 + "; ".join(f"{c.label}: {c.n}" for c in small) + ".")
    return text


def _pfs_section(units: list[LineUnit], case_file: CaseFile, agent: str) -> Section:
    section = Section("pfs", "Progression-free survival")
    groups = _pfs_groups(units)
    unknown, missing = pfs_exclusions(units)
    section.paragraphs.append(
        f"Lines excluded from PFS: {unknown} (duration without progression status) and {missing} (no PFS reported); "
        f"{count(sum(g.km.n for g in groups.values()), 'line')} {verb(sum(g.km.n for g in groups.values()), 'is')} "
        "on the curves."
    )
    section.paragraphs.append(_logrank_paragraph(groups))
    section.tables.append(tables.pfs_table(groups, key="pfs_by_line", title="PFS by line", group_name="Line"))
    section.figures.append(
        figures.km_figure([g.km for g in groups.values()], key="km_by_line", title="PFS by line of therapy",
                          min_lines=min_groups().km_median_lines)
    )  # fmt: skip
    first = Cohort(agent=agent, line=1).apply(case_file).units
    if first:
        bench = benchmark_for(agent, 1)
        summary = pfs_summary(first, label=f"first-line {agent}")
        section.tables.append(
            tables.pfs_table({f"First-line {agent}": summary}, key=f"pfs_first_line_{agent}",
                             title=f"PFS on first-line {agent}", group_name="Cohort")
        )  # fmt: skip
        caption = f"Reference line: {bench.label}; source: {bench.source}. Context only." if bench else ""
        section.figures.append(
            figures.km_figure([summary.km], key=f"km_first_line_{agent}", title=f"PFS on first-line {agent}",
                              benchmark=bench, caption=caption)
        )  # fmt: skip
    return section


def _sequencing_section(selection: Selection, sub_file: CaseFile, labels: PatientLabels) -> Section:
    section = Section("sequencing", "Sequencing")
    items = transitions(sub_file, labels)
    multi = [p for _, _, p in selection.patients if len(p.lines) >= 2]
    section.paragraphs.append(
        f"{count(len(multi), 'patient')} received two or more lines; {count(len(items), 'line-to-line transition')} "
        f"{verb(len(items), 'is')} listed."
    )
    summary = tables.Table(
        key="transition_summary",
        title="Transitions pooled by regimen (response to the later line)",
        columns=["Line n", "Line n+1", "Transitions", "CR", "PR", "SD", "PD", "NE", "Not reported"],
    )
    for g in transition_summary(items):
        r = g.responses
        summary.add_row(
            [g.before, g.after, str(g.n), *(str(x) for x in (r.CR, r.PR, r.SD, r.PD, r.NE, r.missing))],
            f"{g.before} -> {g.after}",
        )
    summary.footnotes.append("Counts are line-to-line transitions (one per patient and pair of consecutive lines).")
    summary.add_abbreviations()
    section.tables.extend([summary, tables.transition_table(items)])
    if multi:
        section.figures.append(figures.swimmer_figure(patient_rows(selection, labels)))
    mutations = sorted({m for _, _, p in selection.patients for ln in p.lines for m in ln.resistance_mutations})
    for m in mutations:
        found = similar(sub_file, Cohort(mutation=m), labels)
        if found:
            section.tables.append(
                tables.similar_table(found, title=f"What followed a reported {m} (published patients)")
            )
    return section


def _timeline_section(selection: Selection, labels: PatientLabels) -> Section | None:
    rows = patient_rows(selection, labels)
    dated = [(label, p) for label, p in rows if any(ln.start for ln in p.lines)][:MAX_TIMELINES]
    if not dated:
        return None
    section = Section("timelines", "Per-patient timelines")
    for i, (label, p) in enumerate(dated, start=1):
        section.figures.append(figures.timeline_figure(label, p, key=f"timeline_{i}"))
    return section


def _merged_duplicates(selection: Selection, provenance: Provenance | None) -> int | None:
    """Duplicate patients merged, from the provenance or from the selection when the cohort layer records it."""
    if provenance is not None and provenance.merged_duplicates is not None:
        return provenance.merged_duplicates
    merged = getattr(selection, "merged_duplicates", None)
    return merged if isinstance(merged, int) else None


def _summary(selection: Selection, cohort: Cohort, merged: int | None) -> list[str]:
    units = selection.units
    overall = response_summary(units)
    n_unreviewed = unreviewed(selection)
    reviewed = selection.n_patients - n_unreviewed
    first = (
        f"{count(selection.n_patients, 'patient')} from {count(selection.n_documents, 'source document')} "
        f"({reviewed} reviewed or curated, {n_unreviewed} extracted and not yet reviewed); "
        f"{count(len(units), 'line')} of systemic therapy ({cohort.describe()})."
    )
    if merged:
        first += f" {count(merged, 'duplicate patient')} reported in more than one source {verb(merged)} merged."
    return [
        first,
        f"Objective response rate {tables.rate_cell(overall, 'orr')} and disease control rate "
        f"{tables.rate_cell(overall, 'dcr')}, over evaluable lines of therapy.",
    ]


def assemble(
    case_file: CaseFile,
    cohort: Cohort | None = None,
    provenance: Provenance | None = None,
    *,
    agent: str = "alectinib",
) -> ReportContent:
    """Compute every table, figure and paragraph of the report.

    Parameters
    ----------
    case_file : CaseFile
        The case series.
    cohort : Cohort or None
        Restrict the report to this cohort (None: every patient and line).
    provenance : Provenance or None
        Search, screening, extraction and duplicate records for the methods section.
    agent : str
        The first-line agent of Table 1 and of the benchmark KM plot.
    """
    cohort = cohort or Cohort()
    labels = PatientLabels(case_file)
    selection = cohort.apply(case_file)
    sub_file = selection.case_file()
    units = selection.units
    literature = [tables.table1(sub_file, agent, labels), tables.table2(sub_file, labels)]
    sections = [Section("literature", "Literature tables", tables=literature)]
    sections.append(_response_section(units))
    sections.append(_pfs_section(units, sub_file, agent))
    sections.append(_sequencing_section(selection, sub_file, labels))
    timeline = _timeline_section(selection, labels)
    if timeline:
        sections.append(timeline)
    numbers = analyze(case_file, cohort, by="line").to_dict()
    merged = _merged_duplicates(selection, provenance)
    if merged is not None:
        numbers["merged_duplicates"] = merged
    unknown, missing = pfs_exclusions(units)
    return ReportContent(
        title="Evidence report: " + (cohort.name or cohort.describe()),
        statement=STATEMENT,
        cohort=cohort,
        summary=_summary(selection, cohort, merged),
        methods=methods_paragraphs(selection, provenance, merged=merged, pfs_unknown=unknown, pfs_missing=missing),
        sections=sections,
        literature_tables=literature,
        numbers=numbers,
    )


def patient_rows(selection: Selection, labels: PatientLabels) -> list[tuple[str, Patient]]:
    """Every selected patient with its label (:class:`PatientLabels`), in case-file order, for figures."""
    return [(labels(doc, p), p) for _, doc, p in selection.patients]
