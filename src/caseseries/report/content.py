"""Assemble the report's content (sections of text, tables and figures) from a case series."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caseseries.analysis.cohort import Cohort, LineUnit, Selection
from caseseries.analysis.response import GROUPINGS, response_summary, responses_by
from caseseries.analysis.sequencing import short_source, similar, transition_summary, transitions
from caseseries.analysis.summary import analyze
from caseseries.analysis.survival import PfsSummary, benchmark_for, logrank, pfs_summary
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseFile
from caseseries.report import figures, tables
from caseseries.report.figures import RenderedFigure
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
        f"Across {overall.n} lines, {overall.evaluable} were evaluable; {overall.NE} were not evaluable and "
        f"{overall.missing} had no reported response category. ORR {tables.percent_ci(overall.orr, overall.orr_ci95)}, "
        f"DCR {tables.percent_ci(overall.dcr, overall.dcr_ci95)} (exact 95% CIs)."
    )
    for by in GROUPINGS:
        section.tables.append(
            tables.response_table(by_group[by], key=f"response_by_{by}", title=f"Best response by {by}",
                                  group_name=by.capitalize())
        )  # fmt: skip
    if units:
        section.figures.append(figures.forest_figure({by: by_group[by] for by in FOREST_GROUPINGS}, overall))
    return section


def _pfs_section(units: list[LineUnit], case_file: CaseFile, agent: str) -> Section:
    section = Section("pfs", "Progression-free survival")
    groups = _pfs_groups(units)
    test = logrank([g.km for g in groups.values()])
    section.tables.append(tables.pfs_table(groups, key="pfs_by_line", title="PFS by line", group_name="Line"))
    if test:
        section.paragraphs.append(
            f"Log-rank test across {', '.join(test.groups)}: chi-square {test.statistic:.2f} on {test.df} df, "
            f"p = {test.p_value:.3g}."
        )
    section.figures.append(
        figures.km_figure([g.km for g in groups.values()], key="km_by_line", title="PFS by line of therapy")
    )
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


def _sequencing_section(selection: Selection, sub_file: CaseFile) -> Section:
    section = Section("sequencing", "Sequencing")
    items = transitions(sub_file)
    multi = [(label, p) for label, p in ((p.label, p) for _, _, p in selection.patients) if len(p.lines) >= 2]
    section.paragraphs.append(
        f"{len(multi)} patients received two or more lines; {len(items)} line-to-line transitions are listed."
    )
    summary = tables.Table(
        key="transition_summary",
        title="Transitions pooled by regimen (response to the later line)",
        columns=["Line n", "Line n+1", "n", "CR", "PR", "SD", "PD", "NE", "Missing"],
    )
    for g in transition_summary(items):
        r = g.responses
        summary.rows.append([g.before, g.after, str(g.n), *(str(x) for x in (r.CR, r.PR, r.SD, r.PD, r.NE, r.missing))])
        summary.row_labels.append(f"{g.before} -> {g.after}")
    summary.add_abbreviations()
    section.tables.extend([summary, tables.transition_table(items)])
    if multi:
        section.figures.append(figures.swimmer_figure(display_labels(selection)))
    mutations = sorted({m for _, _, p in selection.patients for ln in p.lines for m in ln.resistance_mutations})
    for m in mutations:
        found = similar(sub_file, Cohort(mutation=m))
        if found:
            section.tables.append(
                tables.similar_table(found, title=f"What followed a reported {m} (published patients)")
            )
    return section


def _timeline_section(selection: Selection) -> Section | None:
    dated = [(label, p) for label, p in display_labels(selection) if any(ln.start for ln in p.lines)][:MAX_TIMELINES]
    if not dated:
        return None
    section = Section("timelines", "Per-patient timelines")
    for i, (label, p) in enumerate(dated, start=1):
        section.figures.append(figures.timeline_figure(label, p, key=f"timeline_{i}"))
    return section


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
        Search and screening records for the methods paragraph.
    agent : str
        The first-line agent of Table 1 and of the benchmark KM plot.
    """
    cohort = cohort or Cohort()
    selection = cohort.apply(case_file)
    sub_file = selection.case_file()
    units = selection.units
    literature = [tables.table1(sub_file, agent), tables.table2(sub_file)]
    sections = [Section("literature", "Literature tables", tables=literature)]
    sections.append(_response_section(units))
    sections.append(_pfs_section(units, sub_file, agent))
    sections.append(_sequencing_section(selection, sub_file))
    timeline = _timeline_section(selection)
    if timeline:
        sections.append(timeline)
    numbers = analyze(case_file, cohort, by="line").to_dict()
    resp = numbers["response"]
    summary = [
        f"{selection.n_patients} patients from {selection.n_documents} source documents; {len(units)} lines of "
        f"systemic therapy ({cohort.describe()}).",
        f"Objective response rate {tables.percent_ci(resp['orr'], resp['orr_ci95'])} and disease control rate "
        f"{tables.percent_ci(resp['dcr'], resp['dcr_ci95'])} over {resp['evaluable']} evaluable lines "
        f"({resp['NE']} not evaluable, {resp['missing']} without a reported response).",
    ]
    return ReportContent(
        title="Evidence report: " + (cohort.name or cohort.describe()),
        statement=STATEMENT,
        cohort=cohort,
        summary=summary,
        methods=methods_paragraphs(selection, provenance),
        sections=sections,
        literature_tables=literature,
        numbers=numbers,
    )


def display_labels(selection: Selection) -> list[tuple[str, Patient]]:
    """Patient labels for figures, with the source added where a label repeats ("index patient")."""
    counts = Counter(p.label for _, _, p in selection.patients)
    return [
        (p.label if counts[p.label] == 1 else f"{p.label} ({short_source(doc)})", p) for _, doc, p in selection.patients
    ]
