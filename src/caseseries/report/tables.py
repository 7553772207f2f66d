"""Report tables: the seed-style literature tables and the analysis tables, with md/CSV renderers.

Every table is a :class:`Table` (title, columns, rows of text cells, footnotes) so that the
Markdown, CSV, HTML and DOCX writers render them all the same way.

Literature-table conventions (as in the seeds): PFS ``Ongoing after 36 months`` when censored,
``5.5 months`` otherwise, ``Not reported`` when missing; outcomes ``SD for 4 months`` or ``PR``;
a fusion partner ``Not reported`` when unknown, or the symbol as written with a numbered footnote
mark when it is not an HGNC symbol; ``3 lines of chemotherapy`` for a summarised line; references
as the marker plus first author, journal and year; abbreviations explained in a footnote.

Every table names a patient the same way (:class:`~caseseries.analysis.sequencing.PatientLabels`:
``Wu 2024, Table 1, case 2``), and every response rate shows its fraction and what is left out
of the denominator (:func:`rate_cell`: ``100% (11/11; 1 not reported)``).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from caseseries.analysis.cohort import Cohort, written_partner
from caseseries.analysis.duplicates import ALSO_REPORTED
from caseseries.analysis.limits import min_groups, not_computed
from caseseries.analysis.response import ResponseSummary
from caseseries.analysis.sequencing import PatientLabels, SimilarPatient, Transition, citation, line_text
from caseseries.analysis.survival import PfsSummary
from caseseries.model.case import Fusion, Patient, TherapyLine
from caseseries.model.casejson import CaseDocument, CaseFile
from caseseries.model.enums import Response
from caseseries.vocab import drugs

NOT_REPORTED = "Not reported"
NOT_EVALUABLE = "Not evaluable"
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

ABBREVIATIONS: dict[str, str] = {
    "ALK": "Anaplastic lymphoma kinase",
    "CR": "Complete response",
    "PR": "Partial response",
    "SD": "Stable disease",
    "PD": "Progressive disease",
    "NE": "Not evaluable",
    "PFS": "Progression-free survival",
    "ORR": "Objective response rate (CR + PR over evaluable lines)",
    "DCR": "Disease control rate (CR + PR + SD over evaluable lines)",
    "CI": "Confidence interval",
    "NSAID": "Nonsteroidal anti-inflammatory drug",
    "IMT": "Inflammatory myofibroblastic tumor",
}


@dataclass
class Table:
    """A rendered table: text cells only.

    Attributes
    ----------
    key : str
        File-name stem (``table1``).
    title : str
        Caption, e.g. ``Table 1: ...``.
    columns : list of str
        Header row.
    rows : list of list of str
        Body rows (same length as ``columns``).
    footnotes : list of str
        Footnotes, abbreviation line last.
    row_labels : list of str
        The patient label (or group) of each row, for tracing rows back to cases.
    """

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    row_labels: list[str] = field(default_factory=list)

    def add_row(self, cells: list[str], label: str) -> None:
        """Append a body row and the patient (or group) it traces back to.

        Cells repeat from row to row (sites, regimens, outcomes, references): each is kept as one
        interned string, so a table of many rows holds its distinct texts once.
        """
        self.rows.append([c if c is label else sys.intern(c) for c in cells])
        self.row_labels.append(label)

    def add_abbreviations(self, extra: Mapping[str, str] | None = None) -> None:
        """Append the abbreviation footnote for the abbreviations the table uses."""
        known = {**ABBREVIATIONS, **(extra or {})}
        text = " ".join(dict.fromkeys([*self.columns, *(c for r in self.rows for c in r)]))
        used = [f"{k}: {v}" for k, v in known.items() if re.search(rf"(?<![A-Za-z]){re.escape(k)}(?![A-Za-z])", text)]
        if used:
            self.footnotes.append(", ".join(used))


# ---------------------------------------------------------------------- cell formatting
def months(value: float) -> str:
    """``5.5 months``, ``1 month``."""
    return f"{value:g} month" + ("" if value == 1 else "s")


def agent_display(agent: str) -> str:
    """How an agent is written in a table: code names and abbreviations in capitals."""
    drug = drugs().lookup(agent)
    if drug is not None:
        for written in (*drug.codes, *drug.synonyms):
            if written.lower() == agent and written != agent:
                return written
    return agent


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def regimen_cell(line: TherapyLine | None) -> str:
    """``Ifosfamide and etoposide``; ``3 lines of chemotherapy`` for a summarised line."""
    if line is None:
        return NOT_REPORTED
    names = [agent_display(a) for a in line.agents]
    if not names:
        text = "agent not reported"
    elif len(names) == 1:
        text = names[0]
    else:
        text = ", ".join(names[:-1]) + " and " + names[-1]
    if line.summarised_lines:
        text = f"{line.summarised_lines} lines of {text}"
    return _sentence_case(text)


def _pfs_not_evaluable(line: TherapyLine) -> bool:
    return bool(line.pfs_as_written and re.search(r"not evaluable", line.pfs_as_written, re.I))


def pfs_cell(line: TherapyLine | None) -> str:
    """PFS as in Table 1: ``Ongoing after 36 months`` / ``5.5 months`` / ``Not reported``."""
    if line is None:
        return NOT_REPORTED
    if line.pfs_months is None:
        return NOT_EVALUABLE if _pfs_not_evaluable(line) else NOT_REPORTED
    if line.pfs_censored:
        return f"Ongoing after {months(line.pfs_months)}"
    return months(line.pfs_months)


def response_cell(line: TherapyLine | None) -> str:
    """Best response: ``PR``; ``Not evaluable``; the words as written when uncategorised."""
    if line is None:
        return NOT_REPORTED
    if line.best_response is Response.NE:
        return NOT_EVALUABLE
    if line.best_response is not None:
        return line.best_response.value
    if line.response_as_written:
        return f'"{line.response_as_written}" (not categorised)'
    return NOT_REPORTED


def outcome_cell(line: TherapyLine | None) -> str:
    """Outcome as in Table 2: ``SD for 4 months``, ``PR``, ``PR, ongoing after 12 months``."""
    if line is None:
        return NOT_REPORTED
    resp = response_cell(line)
    if line.pfs_months is None or line.best_response is Response.NE:
        return resp
    if line.best_response is None:
        how = "ongoing after" if line.pfs_censored else "PFS"
        return f"{resp}; {how} {months(line.pfs_months)}"
    if line.pfs_censored:
        return f"{resp}, ongoing after {months(line.pfs_months)}"
    return f"{resp} for {months(line.pfs_months)}"


def partner_cell(fusions: Sequence[Fusion]) -> tuple[str, str | None]:
    """The 5' partner cell and, for a symbol that is not an HGNC gene, the footnote text."""
    known = [f.gene5 for f in fusions if f.gene5]
    if known:
        return " / ".join(dict.fromkeys(known)), None
    for f in fusions:
        if f.flags:
            symbol = written_partner(f.as_written) or f.as_written
            return symbol, f"{symbol} as written in the source; {'; '.join(f.flags)}"
    return NOT_REPORTED, None


def alk_cell(patient: Patient) -> str:
    """``Positive`` / ``Negative`` / ``Not reported`` (with methods in brackets when known)."""
    status = patient.alk.status
    if status is None:
        return NOT_REPORTED
    methods = ", ".join(m.value for m in patient.alk.methods)
    return status.value.capitalize() + (f" ({methods})" if methods else "")


def site_cell(patient: Patient) -> str:
    """Primary site, capitalised (``Uterus``)."""
    return _sentence_case(patient.primary_site) if patient.primary_site else NOT_REPORTED


def footnote_mark(number: int) -> str:
    """The mark of the ``number``-th footnote: a superscript number (``¹``, ``¹²``).

    A mark grows with its number of digits only, so a table's size stays linear in its rows.
    """
    return str(number).translate(_SUPERSCRIPT)


class _Marks:
    """Assigns numbered footnote marks in order of first use."""

    def __init__(self) -> None:
        self.notes: dict[str, str] = {}

    def mark(self, note: str) -> str:
        if note not in self.notes:
            self.notes[note] = footnote_mark(len(self.notes) + 1)
        return self.notes[note]

    def footnotes(self) -> list[str]:
        return [f"{m}{note}" for note, m in self.notes.items()]


def reference_cell(doc: CaseDocument, patient: Patient, marks: _Marks) -> str:
    """The patient's citation, with a footnote naming every other report of a linked duplicate."""
    cell = citation(doc, patient)
    for note in patient.notes:
        if note.startswith(ALSO_REPORTED):
            cell += marks.mark(note)
    return cell


# ---------------------------------------------------------------------- literature tables
def table1(case_file: CaseFile, agent: str = "alectinib", labels: PatientLabels | None = None) -> Table:
    """Seed Table 1: patients whose first line includes ``agent``.

    Columns: Patient | Primary site | ALK fusion partner | Best response | PFS | Reference. The
    patient is named by ``labels`` (default: :class:`PatientLabels` of ``case_file``).
    """
    labels = labels or PatientLabels(case_file)
    selection = Cohort(agent=agent, line=1).apply(case_file)
    table = Table(
        key="table1",
        title=f"Table 1: Reported cases of inflammatory myofibroblastic tumor receiving first-line {agent}",
        columns=["Patient", "Primary site", "ALK fusion partner", "Best response", "PFS", "Reference"],
    )
    marks = _Marks()
    for unit in selection.units:
        partner, note = partner_cell(unit.patient.fusions)
        if note:
            partner += marks.mark(note)
        label = labels(unit.document, unit.patient)
        table.add_row(
            [label, site_cell(unit.patient), partner, response_cell(unit.line), pfs_cell(unit.line),
             reference_cell(unit.document, unit.patient, marks)],
            label,
        )  # fmt: skip
    table.footnotes.extend(marks.footnotes())
    table.add_abbreviations()
    return table


def table2(case_file: CaseFile, labels: PatientLabels | None = None) -> Table:
    """Seed Table 2: patients with two or more lines of systemic therapy.

    Columns: Patient | Primary site | Testing for ALK | First-line | Outcome | Second line | Outcome |
    Reference. Later lines are summarised in a footnote on the second-line outcome.
    """
    labels = labels or PatientLabels(case_file)
    selection = Cohort(min_lines=2).apply(case_file)
    table = Table(
        key="table2",
        title="Table 2: Reported cases of inflammatory myofibroblastic tumor receiving two or more lines of "
        "systemic therapy",
        columns=["Patient", "Primary site", "Testing for ALK", "First-line", "Outcome", "Second line", "Outcome",
                 "Reference"],
    )  # fmt: skip
    marks = _Marks()
    for _, doc, patient in selection.patients:
        first = patient.lines[0] if patient.lines else None
        second = patient.lines[1] if len(patient.lines) > 1 else None
        second_outcome = outcome_cell(second)
        later = patient.lines[2:]
        if later:
            note = "Subsequent therapy: " + "; ".join(f"line {ln.line} {line_text(ln)}" for ln in later)
            second_outcome += marks.mark(note)
        label = labels(doc, patient)
        table.add_row(
            [label, site_cell(patient), alk_cell(patient), regimen_cell(first), outcome_cell(first),
             regimen_cell(second), second_outcome, reference_cell(doc, patient, marks)],
            label,
        )  # fmt: skip
    table.footnotes.extend(marks.footnotes())
    table.add_abbreviations()
    return table


# ---------------------------------------------------------------------- analysis tables
def left_out(summary: ResponseSummary) -> str:
    """What a rate's denominator leaves out: ``1 not evaluable, 1 not reported`` (empty when nothing)."""
    parts = []
    if summary.NE:
        parts.append(f"{summary.NE} not evaluable")
    if summary.missing:
        parts.append(f"{summary.missing} not reported")
    return ", ".join(parts)


def rate_cell(summary: ResponseSummary, rate: str = "orr") -> str:
    """A response rate with its fraction, what the denominator leaves out and its exact 95% CI.

    ``100% (11/11; 95% CI 72–100; 1 not reported)``. The CI is ``not computed, n < N`` below the
    minimum number of evaluable lines (``analysis/data/min_groups.yaml``); with nothing evaluable
    the rate itself is ``not computed``.

    Parameters
    ----------
    summary : ResponseSummary
        Counts of best response over lines.
    rate : {"orr", "dcr"}
        Objective response rate (CR + PR) or disease control rate (CR + PR + SD).
    """
    k = summary.responders if rate == "orr" else summary.controlled
    value, ci = (summary.orr, summary.orr_ci95) if rate == "orr" else (summary.dcr, summary.dcr_ci95)
    extra = left_out(summary)
    if value is None or ci is None:
        return "not computed (no evaluable line" + (f"; {extra})" if extra else ")")
    minimum = min_groups().rate_ci_evaluable
    if summary.evaluable < minimum:
        interval = f"95% CI not computed, n < {minimum}"
    else:
        interval = f"95% CI {100 * ci[0]:.0f}–{100 * ci[1]:.0f}"
    return f"{100 * value:.0f}% ({k}/{summary.evaluable}; {interval}" + (f"; {extra})" if extra else ")")


def median_ci(summary: PfsSummary) -> str:
    """``6.9 (5.0–NR)``; ``NR`` (not reached) when the curve stays above 0.5.

    Below the minimum number of lines on the curve (``analysis/data/min_groups.yaml``):
    ``not computed (n < 5)``.
    """
    km = summary.km
    if km.n == 0:
        return "–"
    minimum = min_groups().km_median_lines
    if km.n < minimum:
        return not_computed(minimum)
    if km.median_months is None:
        return "NR"
    ci = km.median_ci95
    if not ci:
        return f"{km.median_months:g}"
    low = "NR" if ci[0] is None else f"{ci[0]:g}"
    high = "NR" if ci[1] is None else f"{ci[1]:g}"
    return f"{km.median_months:g} ({low}–{high})"


def response_table(groups: Mapping[str, ResponseSummary], *, key: str, title: str, group_name: str) -> Table:
    """Counts and rates per group, counting lines of therapy (not patients).

    Columns: lines, CR, PR, SD, PD, NE, not reported, evaluable lines, ORR and DCR with their
    fractions, exact 95% CIs and what the denominator leaves out.
    """
    table = Table(
        key=key,
        title=title,
        columns=[group_name, "Lines", "CR", "PR", "SD", "PD", "NE", "Not reported", "Evaluable lines",
                 "ORR (responders/evaluable lines)", "DCR (controlled/evaluable lines)"],
    )  # fmt: skip
    for name, s in groups.items():
        table.add_row(
            [name, str(s.n), str(s.CR), str(s.PR), str(s.SD), str(s.PD), str(s.NE), str(s.missing),
             str(s.evaluable), rate_cell(s, "orr"), rate_cell(s, "dcr")],
            name,
        )  # fmt: skip
    table.footnotes.append(
        "Counts are lines of therapy (a patient can contribute several lines). Rates are over evaluable lines "
        "(CR + PR + SD + PD); lines not evaluable (NE) or without a reported response are counted beside the rate "
        "but are not in the denominator. 95% CIs are exact (Clopper–Pearson), computed from "
        f"{min_groups().rate_ci_evaluable} evaluable lines."
    )
    table.add_abbreviations()
    return table


def pfs_table(groups: Mapping[str, PfsSummary], *, key: str, title: str, group_name: str) -> Table:
    """Kaplan–Meier PFS per group: n, events, censored, censoring unknown, missing, median (95% CI)."""
    table = Table(
        key=key,
        title=title,
        columns=[group_name, "Lines on curve", "Progressions", "Censored (ongoing)", "Censoring unknown",
                 "PFS not reported", "Median PFS, months (95% CI)"],
    )  # fmt: skip
    for name, s in groups.items():
        km = s.km
        table.add_row(
            [name, str(km.n), str(km.events), str(km.censored), str(s.censoring_unknown), str(s.missing),
             median_ci(s)],
            name,
        )  # fmt: skip
    table.footnotes.append(
        "Kaplan–Meier estimates over lines of therapy; lines reported as ongoing are censored. Lines with a "
        "duration but no word on whether they ended in progression are not on the curve (censoring unknown). "
        f"Medians are computed from {min_groups().km_median_lines} lines on the curve. NR: not reached."
    )
    table.add_abbreviations()
    return table


def transition_table(items: Iterable[Transition]) -> Table:
    """One row per consecutive pair of lines (line n -> line n+1)."""
    table = Table(
        key="transitions",
        title="Sequencing: line n followed by line n+1",
        columns=["Patient", "Line n", "Outcome", "Resistance mutations", "Line n+1", "Outcome", "Reference"],
    )
    for t in items:
        table.add_row(
            [t.label, f"{t.before.line}: {regimen_cell(t.before)}", outcome_cell(t.before),
             ", ".join(t.mutations) or "–", f"{t.after.line}: {regimen_cell(t.after)}", outcome_cell(t.after),
             t.reference],
            t.label,
        )  # fmt: skip
    table.add_abbreviations()
    return table


def similar_table(patients: Iterable[SimilarPatient], *, title: str) -> Table:
    """Comparable published patients and what happened next, with reported evidence."""
    table = Table(
        key="similar",
        title=title,
        columns=["Patient", "Prior line", "Next line", "Outcome", "Reported evidence", "Reference"],
    )
    for sp in patients:
        prior = f"{sp.prior.line}: {regimen_cell(sp.prior)} ({outcome_cell(sp.prior)})" if sp.prior else "–"
        for nl in sp.next_lines:
            table.add_row(
                [sp.label, prior, f"{nl.line.line}: {regimen_cell(nl.line)}", outcome_cell(nl.line),
                 " ".join(nl.evidence) or "–", sp.citation],
                sp.label,
            )  # fmt: skip
    table.footnotes.append("Reported evidence from published sources; not a treatment recommendation.")
    table.add_abbreviations()
    return table


# ---------------------------------------------------------------------- renderers
def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_pieces(table: Table) -> Iterator[str]:
    """:func:`to_markdown`, line by line (each line with its newline)."""
    yield f"**{table.title}**\n"
    yield "\n"
    yield "| " + " | ".join(_md_cell(c) for c in table.columns) + " |\n"
    yield "| " + " | ".join("---" for _ in table.columns) + " |\n"
    yield from ("| " + " | ".join(_md_cell(c) for c in row) + " |\n" for row in table.rows)
    if table.footnotes:
        yield "\n"
        yield from (f"{note}  \n" for note in table.footnotes)


def to_markdown(table: Table) -> str:
    """GitHub-flavoured Markdown: caption, pipe table, footnotes."""
    return "".join(markdown_pieces(table))


def write_csv(table: Table, out: TextIO) -> None:
    """Write the CSV of :func:`to_csv` to the text stream ``out`` (opened with ``newline=""``)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)


def to_csv(table: Table) -> str:
    """CSV with a header row (footnotes are not part of the CSV)."""
    buf = io.StringIO()
    write_csv(table, buf)
    return buf.getvalue()
