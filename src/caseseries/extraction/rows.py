"""Literature-table rows to patients: each row of a patient table is one patient.

Cells are read by their column's role (:mod:`caseseries.extraction.tables`). The table title
supplies what every row shares ("receiving first-line alectinib" -> line 1 alectinib); a blank
reference cell continues the row above; footnote marks bring their footnote's text to the row.
"""

from __future__ import annotations

import re

from caseseries.extraction.agents import doses_after
from caseseries.extraction.annotate import Guarded, search
from caseseries.extraction.draft import LineDraft, PatientDraft
from caseseries.extraction.entities import (
    DrugHit,
    alk_methods_in,
    find_age,
    find_diagnosis,
    find_drugs,
    find_fusions,
    find_mutations,
    find_sites,
    partner_hit,
)
from caseseries.extraction.responses import best_of, find_responses, vague_of
from caseseries.extraction.sentences import Span
from caseseries.extraction.tables import Column, Role, TextTable
from caseseries.extraction.timeline import CENSORED, NUMBER_WORDS, find_durations
from caseseries.model import AlkMethod, Fusion, Mutation, Response

NOT_REPORTED = re.compile(
    r"^(?:not\s+(?:reported|known|available|done|tested|stated|applicable|specified)|n\.?\s*r\.?|n/?a|unknown|"
    r"unk|none|nil|-+|–|—|\?|not\s+assessed)\.?$",
    re.I,
)
NOT_EVALUABLE = re.compile(r"^(?:not\s+evaluable|non[\s\-]*evaluable|inevaluable|unevaluable|n\.?e\.?)\.?$", re.I)
_MARK_AT_END = re.compile(r"([*†‡§¶]+|\^?[a-d])$")
_SUMMARISED = re.compile(r"\b(\d+|two|three|four|five|six)\s+lines?\s+of\s+(chemotherapy|therapy|treatment)", re.I)
_DURATION_OF_RESPONSE = re.compile(r"\b(?:CR|PR|SD|response|remission|disease)\s+(?:for|lasting)\b", re.I)
_SEQUENCE = re.compile(r"→|->|\bthen\b|\bfollowed\s+by\b|;|,\s*then\b", re.I)
_TITLE_LINE = re.compile(r"\b(first|1st|second|2nd|third|3rd)[\s\-]+line\b", re.I)
_TITLE_NUMBERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}


def _cell(text: str, c: Span) -> tuple[str, Span, str | None]:
    """The cell text without a trailing footnote mark, its span, and the mark."""
    raw = text[c.start : c.end]
    m = _MARK_AT_END.search(raw)
    if m and m.group(1)[0] in "*†‡§¶" and len(raw) > len(m.group(1)):
        core = raw[: m.start()].rstrip()
        return core, Span(c.start, c.start + len(core)), m.group(1)
    return raw, c, None


_UNKNOWN_BY_METHOD = re.compile(
    r"\b(?:detected|determined|shown|assessed|confirmed)\s+(?:only\s+)?by\s+(IHC|immunohisto\w+|FISH)\b[^.]{0,60}?"
    r"\bpartners?\b[^.]{0,30}?\b(?:not\s+(?:known|identified|reported|determined)|unknown)",
    re.I,
)


def unknown_partner_method(text: str) -> tuple[AlkMethod, int, int] | None:
    """The method a text says left fusion partners unknown ("detected by IHC, so the partners were not known")."""
    m = search(_UNKNOWN_BY_METHOD, text)
    if m is None:
        return None
    method = AlkMethod.FISH if m.group(1).upper() == "FISH" else AlkMethod.IHC
    return method, m.start(1), m.end(1)


def table_patients(
    text: str,
    table: TextTable,
    warnings: list[str],
    unknown_method: tuple[AlkMethod, int, int] | None = None,
    doc_diagnosis: tuple[str, str | None, int, int] | None = None,
) -> list[PatientDraft]:
    """One patient draft per row of a patient table (none for other tables).

    Parameters
    ----------
    text : str
        The document.
    table : TextTable
        A table found by :func:`~caseseries.extraction.tables.find_tables`.
    warnings : list of str
        Receives the table's warnings (ragged rows, fuzzy code names).
    unknown_method : tuple or None
        The method the text says left partners unknown ("detected by IHC"), for rows whose
        partner is not reported.
    doc_diagnosis : tuple or None
        The document's diagnosis, used when the title names none.

    Returns
    -------
    list of PatientDraft
        Labelled ``Table T, case N``. Rows without a case number in a table with a line-number
        column continue the patient above; a "present case" row repeats the index patient and
        is skipped.
    """
    if not table.is_patient_table(text):
        return []
    warnings.extend(f"Table {table.number or '?'}: {w}" for w in table.warnings)
    columns = table.columns(text)
    title = table.title
    title_drugs = [h for h in find_drugs(text, title.start, title.end) if h.value != "chemotherapy"] if title else []
    title_line = 1
    if title is not None:
        m = _TITLE_LINE.search(text, title.start, title.end)
        if m:
            title_line = _TITLE_NUMBERS[m.group(1).lower()]
    has_line_column = any(c.role is Role.LINE for c in columns)
    has_line_no = any(c.role is Role.LINE_NO for c in columns)
    diagnosis = find_diagnosis(text, title.start, title.end) if title is not None else None
    diagnosis = diagnosis or doc_diagnosis
    out: list[PatientDraft] = []
    state: list[tuple[PatientDraft, dict[int, LineDraft], bool]] = []
    previous_ref: Span | None = None
    number = table.number or 0
    continued_rows = 0  # rows that continue a patient are not patient rows
    for r, row in enumerate(table.rows, start=1):
        if all(c.start == c.end for c in row):
            continue
        case_no = str(r - continued_rows)
        case_blank = False
        skip = False
        for col, c in zip(columns, row, strict=False):
            if col.role is Role.CASE:
                cell = text[c.start : c.end].strip()
                if re.fullmatch(r"\d{1,3}", cell):
                    case_no = cell
                elif re.fullmatch(r"[A-Z]", cell):
                    case_no = str(ord(cell) - ord("A") + 1)  # "Patient A" is case 1
                elif not cell:
                    case_blank = True
                elif re.search(r"\b(?:present|our|current|this|index)\s+(?:case|patient|report)\b", cell, re.I):
                    skip = True
        if skip:
            continue
        row_line = _row_line_number(text, columns, row)
        if case_blank and has_line_no and state:
            draft, lines, partner_unreported = state[-1]
            continuing = True
        elif state and has_line_column and not has_line_no and _continues_patient(text, columns, row):
            draft, lines, partner_unreported = state[-1]
            continuing = True
            row_line = max(lines, default=0) + 1
            continued_rows += 1
        else:
            draft = PatientDraft(f"Table {number}, case {case_no}" if number else f"table case {case_no}")
            lines = {}
            partner_unreported = False
            continuing = False
        current_line = row_line or title_line
        if not continuing and diagnosis is not None:
            draft.set("diagnosis", diagnosis[0], diagnosis[2], diagnosis[3])
            if diagnosis[1]:
                draft.set("histology", diagnosis[1], diagnosis[2], diagnosis[3])
        if title_drugs and not has_line_column:
            line = lines.setdefault(current_line, LineDraft(order=current_line))
            for h in title_drugs:
                line.add_agent(h.value, h.start, h.end)
        for col, c in zip(columns, row, strict=False):
            raw, span, mark = _cell(text, c)
            value = raw.strip()
            if col.role is Role.REFERENCE:
                if value and not NOT_REPORTED.match(value):
                    previous_ref = span
                elif value:
                    continue
                if previous_ref is not None and not continuing:
                    draft.set(
                        "reference", text[previous_ref.start : previous_ref.end], previous_ref.start, previous_ref.end
                    )
                continue
            if col.role is Role.ALK and value in ("-", "–", "−"):
                draft.set("alk.status", "negative", span.start, span.end)  # a minus sign in an ALK column
                continue
            if not value or NOT_REPORTED.match(value):
                partner_unreported = partner_unreported or (col.role is Role.PARTNER and bool(value))
                continue
            if col.role is Role.LINE_NO:
                prior = [h for h in find_drugs(text, span.start, span.end) if h.value != "chemotherapy"]
                if prior and row_line and row_line > 1:
                    line = lines.setdefault(row_line - 1, LineDraft(order=row_line - 1))
                    for h in prior:
                        line.add_agent(h.value, h.start, h.end)
                continue
            if col.named_drug and col.role is Role.RESPONSE:
                header = table.header[columns.index(col)]
                line = lines.setdefault(col.line or 1, LineDraft(order=col.line or 1))
                for h in find_drugs(text, header.start, header.end):
                    line.add_agent(h.value, h.start, h.end)
            if row_line is not None and col.role in (Role.LINE, Role.RESPONSE, Role.PFS):
                col = Column(col.role, row_line)
            _read_cell(text, draft, lines, col, span, value, table)
            if mark and mark in table.marks:
                _footnote(text, draft, lines, col, table.marks[mark])
        state_entry = (draft, lines, partner_unreported)
        if continuing:
            state[-1] = state_entry
        else:
            state.append(state_entry)
    for draft, lines, partner_unreported in state:
        fusion_span = next(((s, e) for k, s, e in draft.spans if k.startswith("fusions[")), None)
        if fusion_span is not None and "alk.status" not in draft.values:
            draft.set("alk.status", "positive", *fusion_span)
        if unknown_method is not None and partner_unreported and not draft.alk_methods:
            draft.alk_methods.append(unknown_method[0])
            draft.support("alk.methods[0]", unknown_method[1], unknown_method[2])
            draft.set("alk.status", "positive", unknown_method[1], unknown_method[2])
        draft.lines = [lines[k] for k in sorted(lines) if lines[k].agents]
        out.append(draft)
    return out


_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
}


_PATIENT_ROLES = (Role.CASE, Role.AGE, Role.SEX, Role.AGE_SEX, Role.SITE)


def _continues_patient(text: str, columns: list[Column], row: list[Span]) -> bool:
    """Whether a row of a one-line-per-row table continues the patient above.

    True when the table has patient columns (case, age/sex, site), all of them are blank in
    this row and a treatment cell is not.
    """
    patient = [c for col, c in zip(columns, row, strict=False) if col.role in _PATIENT_ROLES]
    treated = any(col.role is Role.LINE and text[c.start : c.end].strip() for col, c in zip(columns, row, strict=False))
    return bool(patient) and treated and all(not text[c.start : c.end].strip() for c in patient)


def _row_line_number(text: str, columns: list[Column], row: list[Span]) -> int | None:
    """The line number a row states in a line-number column ("2", "Second (after crizotinib)")."""
    for col, c in zip(columns, row, strict=False):
        if col.role is not Role.LINE_NO:
            continue
        cell = text[c.start : c.end].strip().lower()
        m = re.match(r"(\d{1,2})\b", cell)
        if m:
            return int(m.group(1))
        m = re.match(r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b", cell)
        if m:
            return _ORDINALS[m.group(1)]
    return None


def _read_cell(
    text: str, draft: PatientDraft, lines: dict[int, LineDraft], col: Column, span: Span, value: str, table: TextTable
) -> None:
    s, e = span.start, span.end
    role = col.role
    if role is Role.SITE:
        hits = find_sites(text, s, e)
        if hits:
            draft.set("primary_site", hits[0].value, hits[0].start, hits[0].end)
    elif role is Role.METASTASIS:
        for h in find_sites(text, s, e):
            if h.value not in draft.metastatic_sites:
                draft.metastatic_sites.append(h.value)
                draft.support(f"metastatic_sites[{len(draft.metastatic_sites) - 1}]", h.start, h.end)
    elif role in (Role.AGE, Role.AGE_SEX):
        age = find_age(text, s, e)
        m = re.search(r"\d{1,3}(?:\.\d+)?", value)
        if age is not None:
            draft.set("age_years", float(age.value), age.start, age.end)
        elif m:
            unit_months = bool(re.match(r"\s*(?:mo|mos|months?)\b", value[m.end() :], re.I))
            years = float(m.group(0)) / (12 if unit_months else 1)
            draft.set("age_years", round(years, 2), s + m.start(), s + m.end())
        if role is Role.AGE_SEX:
            _sex_cell(text, draft, s, e)
    elif role is Role.SEX:
        _sex_cell(text, draft, s, e)
    elif role is Role.PARTNER:
        _partner_cell(text, draft, span, value)
        _methods(text, draft, s, e)
    elif role is Role.ALK:
        if find_fusions(text, s, e):
            _partner_cell(text, draft, span, value)
        low = value.lower()
        if re.search(r"\bneg|^-$|\bnot\s+detected", low):
            draft.set("alk.status", "negative", s, e)
        elif re.search(r"\bpos|\+|detected|rearrang|fusion|express", low):
            draft.set("alk.status", "positive", s, e)
        _methods(text, draft, s, e)
    elif role is Role.METHOD:
        _methods(text, draft, s, e)
    elif role is Role.MUTATION:
        header = table.header[table.columns(text).index(col)] if col in table.columns(text) else None
        acquired = header is not None and bool(
            re.search(r"progress|resist|acquired|secondary|relapse", text[header.start : header.end], re.I)
        )
        line_no = max((k for k in lines if lines[k].agents), default=1)
        for mut in find_mutations(text, s, e, bare=True):
            draft.mutations.append(
                Mutation(gene=mut.gene, protein=mut.protein, coding=mut.coding, as_written=text[mut.start : mut.end])
            )
            draft.support(f"mutations[{len(draft.mutations) - 1}]", mut.start, mut.end)
            if acquired:
                line = lines.setdefault(line_no, LineDraft(order=line_no))
                label = f"{mut.gene} {mut.protein or mut.coding}"
                if label not in line.resistance_mutations:
                    line.resistance_mutations.append(label)
                    line.support("resistance_mutations", mut.start, mut.end)
    elif role is Role.LINE:
        _line_cell(text, lines, col.line or 1, span, value, table.abbreviations)
    elif role is Role.RESPONSE:
        _response_cell(text, lines.setdefault(col.line or 1, LineDraft(order=col.line or 1)), span, value)
    elif role is Role.PFS:
        header = table.header[table.columns(text).index(col)] if col in table.columns(text) else None
        unit = "months"
        if header is not None and re.search(r"\b(?:years?|yrs?)\b", text[header.start : header.end], re.I):
            unit = "years"
        _pfs_cell(
            text,
            lines.setdefault(col.line or 1, LineDraft(order=col.line or 1)),
            span,
            value,
            unit,
            "+" in table.marks or bool(re.search(r"\+\s*[:=]?\s*ongoing", " ".join(table.abbreviations))),
        )


def _sex_cell(text: str, draft: PatientDraft, s: int, e: int) -> None:
    m = re.search(r"\b(female|male|woman|man|girl|boy|F|M)\b", text[s:e], re.I)
    if m:
        word = m.group(1).lower()
        sex = "female" if word in ("female", "woman", "girl", "f") else "male"
        draft.set("sex", sex, s + m.start(), s + m.end())


def _methods(text: str, draft: PatientDraft, s: int, e: int) -> None:
    for method, ms, me in alk_methods_in(text[s:e]):
        if method not in draft.alk_methods:
            draft.alk_methods.append(method)
            draft.support(f"alk.methods[{len(draft.alk_methods) - 1}]", s + ms, s + me)


def _partner_cell(text: str, draft: PatientDraft, span: Span, value: str) -> None:
    hits = find_fusions(text, span.start, span.end)
    hits = [h for h in hits if h.gene5 or h.flags] or hits
    if not hits:
        token = re.sub(r"\s*\(.*\)$", "", value).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9\-]{1,11}", token):
            hit = partner_hit(
                token.upper() if token.isupper() or len(token) <= 6 else token, span.start, span.end, value
            )
            hits = [hit] if hit is not None else []
    for h in hits:
        draft.fusions.append(
            Fusion(gene5=h.gene5, gene3=h.gene3, as_written=text[h.start : h.end], flags=list(h.flags))
        )
        draft.support(f"fusions[{len(draft.fusions) - 1}]", h.start, h.end)


def _line_cell(
    text: str, lines: dict[int, LineDraft], number: int, span: Span, value: str, abbreviations: dict[str, str]
) -> None:
    summarised = _SUMMARISED.search(value)
    if summarised:
        line = lines.setdefault(number, LineDraft(order=number))
        raw = summarised.group(1).lower()
        count = int(raw) if raw.isdigit() else int(NUMBER_WORDS.get(raw, 0))
        agent = "chemotherapy" if "chemo" in summarised.group(2).lower() else "therapy"
        line.add_agent(agent, span.start + summarised.start(), span.start + summarised.end())
        if count and count >= 2:
            line.summarised_lines = count
            line.support("summarised_lines", span.start + summarised.start(), span.start + summarised.end())
        return
    hits = find_drugs(text, span.start, span.end)
    for m in re.finditer(r"\b[A-Za-z][A-Za-z0-9\-]{1,7}\b", value):
        expansion = abbreviations.get(m.group(0))
        a, b = span.start + m.start(), span.start + m.end()
        if expansion and not any(h.start <= a < h.end for h in hits):
            found = find_drugs(expansion)
            if found:
                hits.append(DrugHit(found[0].value, a, b))
    hits.sort(key=lambda h: h.start)
    real = [h for h in hits if h.value != "chemotherapy"] or hits
    k = number
    for i, h in enumerate(real):
        if i and _SEQUENCE.search(text[real[i - 1].end : h.start]):
            k += 1
        line = lines.setdefault(k, LineDraft(order=k))
        line.add_agent(h.value, h.start, h.end)
        line.doses.extend(doses_after(text, h, span.end))
        if h.fuzzy:
            line.notes.append(f"{text[h.start : h.end]!r} read as {h.value} (closest known code name)")


def _response_cell(text: str, line: LineDraft, span: Span, value: str) -> None:
    if NOT_EVALUABLE.match(value):
        line.best_response = Response.NE
        line.support("best_response", span.start, span.end)
        return
    hits = find_responses(text, span.start, span.end)
    best = best_of(hits)
    if best is not None and best.category is not None:
        line.best_response = best.category
        line.support("best_response", best.start, best.end)
    else:
        vague = vague_of(hits)
        if vague is not None:
            line.response_as_written = vague.as_written
            line.support("response_as_written", vague.start, vague.end)
    for d in find_durations(text, span.start, span.end):
        line.pfs_months = d.months
        line.pfs_censored = True if d.censored else None
        line.support("pfs_months", d.start, d.end)
        break


def _pfs_cell(
    text: str, line: LineDraft, span: Span, value: str, unit: str = "months", plus_ongoing: bool = False
) -> None:
    if NOT_EVALUABLE.match(value):
        line.notes.append(f"PFS {value}")
        return
    bare = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(\+)?", value)
    if bare:
        number = float(bare.group(1).replace(",", "."))
        line.pfs_months = round(number * (12 if unit == "years" else 1), 2)
        line.pfs_censored = bool(bare.group(2))
        line.support("pfs_months", span.start + bare.start(1), span.start + bare.end(1))
        line.support("pfs_censored", span.start, span.end)
        return
    for d in find_durations(text, span.start, span.end):
        line.pfs_months = d.months
        if CENSORED.search(value):
            line.pfs_censored = True
        elif not _DURATION_OF_RESPONSE.search(value):
            line.pfs_censored = False  # a bare duration in a PFS column ends with progression
        # "SD for 4 months": a duration with a category and no word on how it ended stays null
        line.support("pfs_months", d.start, d.end)
        line.support("pfs_censored", span.start, span.end)
        break


def _footnote(text: str, draft: PatientDraft, lines: dict[int, LineDraft], col: Column, note: Span) -> None:
    """A footnote on a treatment or response cell that names a later therapy adds that line."""
    note_text = text[note.start : note.end]
    draft.notes.append(note_text)
    if col.role not in (Role.LINE, Role.RESPONSE, Role.PFS):
        return
    if not re.search(r"\b(?:subsequent\w*|then|followed|later|next|after\s+progression|switched)\b", note_text, re.I):
        return
    hits = [h for h in find_drugs(text, note.start, note.end) if h.value != "chemotherapy"]
    if not hits:
        return
    number = max(lines) + 1 if lines else (col.line or 1) + 1
    line = lines.setdefault(number, LineDraft(order=number))
    for h in hits:
        line.add_agent(h.value, h.start, h.end)
    responses = find_responses(text, note.start, note.end)
    best = best_of(responses)
    if best is not None and best.category is not None:
        line.best_response = best.category
        line.support("best_response", best.start, best.end)
    vague = vague_of(responses)
    if vague is not None:
        line.response_as_written = vague.as_written
        line.support("response_as_written", vague.start, vague.end)


_GROUP_SWITCH = Guarded(
    re.compile(
        r"\b(?:all|each|every|both)\s+(?:of\s+)?(?:the\s+)?(?:\d+\s+|two\s+|three\s+|four\s+|five\s+|six\s+)?"
        r"(?:cases|patients)\s+(?:that|who)\s+(?:received|were\s+treated\s+with|were\s+given|had\s+received)\s+"
        r"(?P<drug>[\w\-]+)\s+(?:as\s+)?(?:the\s+)?(?P<order>first|second|third|1st|2nd|3rd)[\s\-]+line(?:\s+(?:therapy|treatment))?"
        r"\s+(?:switched|changed|moved|were\s+switched|progressed)[^.]{0,100}?\b(?:after|because\s+of|due\s+to|upon|at|for|on)\s+"
        r"(?:the\s+)?(?:emergence|development|onset)?(?:\s+of)?\s*(?:drug\s+|acquired\s+|secondary\s+)?(?:resistance|progression)",
        re.I,
    ),
    ("cases", "patients"),
)


def apply_group_statements(text: str, sentences: list[Span], drafts: list[PatientDraft]) -> None:
    """Statements about a group of table rows that say how a line ended.

    "All of the 5 cases that received crizotinib as first-line therapy switched to later generations
    of ALK inhibitors after the emergence of drug resistance" ends those first lines with
    progression: a duration in those rows ("SD for 4 months") becomes uncensored. Only rows of a
    literature table with a later line are changed, and only where censoring was not stated.

    Parameters
    ----------
    text : str
        The document.
    sentences : list of Span
        The sentences outside tables and references.
    drafts : list of PatientDraft
        All patient drafts; table rows (labels ``Table T, case N``) are the ones read.
    """
    for sent in sentences:
        m = _GROUP_SWITCH.search(text, sent.start, sent.end)
        if m is None:
            continue
        drug = find_drugs(text, m.start("drug"), m.end("drug"))
        if not drug:
            continue
        number = _TITLE_NUMBERS[m.group("order").lower()]
        for draft in drafts:
            if not draft.label.startswith("Table "):
                continue
            ordered = sorted((ln for ln in draft.lines if ln.agents), key=lambda ln: ln.order)
            if len(ordered) <= number:
                continue
            line = ordered[number - 1]
            if drug[0].value in line.agents and line.pfs_months is not None and line.pfs_censored is None:
                line.pfs_censored = False
                line.support("pfs_censored", m.start(), m.end())
