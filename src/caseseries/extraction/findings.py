"""A patient's ALK testing and fusions, read from the story, the side statements and the findings.

The story (narrative sentences) comes first; side statements (the abstract, "our case" sentences)
and the sentences outside the story that state a finding (the sentence that presents the case,
pooled sentences of numbered patients) fill what it does not give; a sentence cut between
patients lends the test it names to each patient whose piece states an ALK finding.
"""

from __future__ import annotations

import re

from caseseries.extraction.alk import elided_status, find_alk, is_general
from caseseries.extraction.draft import PatientDraft
from caseseries.extraction.genes import alk_view, find_fusions, find_other_alterations, partner_hit
from caseseries.extraction.hits import FusionHit
from caseseries.extraction.reported import cues, own_piece
from caseseries.extraction.sentences import Span
from caseseries.extraction.wording import cue
from caseseries.model import Fusion
from caseseries.model.enums import AlkStatus


def patient_alk(
    text: str,
    spans: list[tuple[int, int]],
    side: list[tuple[int, int]],
    findings: list[tuple[int, int]],
    cut: list[tuple[Span, Span]],
    draft: PatientDraft,
) -> None:
    """Set the ALK status, methods and fusions of a patient's draft.

    Parameters
    ----------
    text : str
        The document.
    spans : list of tuple
        The patient's story (narrative sentences or pieces of them).
    side : list of tuple
        Side statements (abstract, "our case" sentences, captions).
    findings : list of tuple
        Sentences outside the story read only for these fields (``Segment.findings``).
    cut : list of tuple of Span
        Sentences cut between patients, each with this patient's piece (``Segment.cut``).
    draft : PatientDraft
        Filled in place.

    Notes
    -----
    The status comes from the story, else the side statements, else a named fusion, else the
    findings; the methods from the first of the story, the side statements and the findings that
    names any, and those of a cut sentence whose piece states an ALK finding; the fusions as
    ``_fusions`` reads them.
    """
    alk = find_alk(text, spans)
    # "... positive in the first patient and negative in the second": the piece of a sentence cut
    # between patients may say the status without naming ALK
    pieces = [
        ((w.start, w.end), (p.start, p.end), elided_status(text, (w.start, w.end), (p.start, p.end))) for w, p in cut
    ]
    if alk.status is None:
        told = next((e for _, _, e in pieces if e is not None), None)
        if told is not None:
            alk.status, alk.status_span = told[0], (told[1], told[2])
    side_alk = find_alk(text, side)
    late = find_alk(text, findings)
    if alk.status is None and side_alk.status is not None:
        alk.status, alk.status_span = side_alk.status, side_alk.status_span
    if alk.status is not None and alk.status_span is not None:
        draft.set("alk.status", alk.status.value, *alk.status_span)
    for method, (s, e) in (alk.methods or side_alk.methods or late.methods).items():
        draft.alk_methods.append(method)
        draft.support(f"alk.methods[{len(draft.alk_methods) - 1}]", s, e)
    _fusions(text, spans, [*side, *findings], draft)
    named = next((i for i, f in enumerate(draft.fusions) if f.gene3 == "ALK" and f.gene5), None)
    if "alk.status" not in draft.values and named is not None:
        # a named ALK fusion (RANBP2::ALK) shows ALK is positive
        fusion_span = next(((s, e) for key, s, e in draft.spans if key == f"fusions[{named}]"), None)
        if fusion_span is not None:
            draft.set("alk.status", "positive", *fusion_span)
    if "alk.status" not in draft.values and late.status is not None:
        own = _findings_status(text, findings, _case_number(draft.label))
        if own is not None:
            draft.set("alk.status", own[0].value, own[1], own[2])
    for w, p, elided in pieces:
        if find_alk(text, [p]).status is None and not find_fusions(text, *p) and elided is None:
            continue
        for method, (s, e) in find_alk(text, [w]).methods.items():
            if method not in draft.alk_methods:
                draft.alk_methods.append(method)
                draft.support(f"alk.methods[{len(draft.alk_methods) - 1}]", s, e)


def _findings_status(
    text: str, findings: list[tuple[int, int]], number: int | None
) -> tuple[AlkStatus, int, int] | None:
    """The ALK status of the findings for patient ``number``, with its span: the first sentence's that states one.

    A sentence that names several patients by ordinal ("ALK staining was positive in the first
    patient and negative in the second") states for each the status of its own piece
    (``own_piece``), also one said without naming ALK again (``elided_status``).
    """
    for s, e in findings:
        piece = own_piece(text, Span(s, e), number, cues().max_series) if number is not None else None
        own = find_alk(text, [(s, e) if piece is None else (piece.start, piece.end)])
        if own.status is not None and own.status_span is not None:
            return own.status, *own.status_span
        told = elided_status(text, (s, e), (piece.start, piece.end)) if piece is not None else None
        if told is not None:
            return told
    return None


_SEVERAL_PATIENTS = cue("several_patients")
_PARTNER_OF_CASE = cue("partner_of_case")


def _case_number(label: str) -> int | None:
    m = re.fullmatch(r"case (\d+)", label)
    return int(m.group(1)) if m else None


def _sentence_fusions(text: str, s: int, e: int, label: str) -> list[FusionHit]:
    """The fusions a sentence gives the patient ``label``.

    A general statement gives none. In a sentence about several patients, partners written per
    case ("partners were CLTC for case 1 and RANBP2 for case 2") or fusions listed in the order of
    the patients ("a CLTC-ALK fusion in the first patient and a RANBP2-ALK fusion in the second",
    "... in case 1 and ... in case 2")
    give case N its own one.
    """
    if is_general(alk_view(text[s:e])):
        return []
    number = _case_number(label)
    if number is not None and re.search(r"\bpartners?\b", text[s:e], re.I):
        per_case = [(int(m.group(2)), m) for m in _PARTNER_OF_CASE.finditer(text, s, e)]
        mine = [m for n, m in per_case if n == number]
        if per_case:
            return [h for m in mine if (h := partner_hit(m.group(1), m.start(1), m.end(1))) is not None]
    hits = find_fusions(text, s, e)
    named = [h for h in hits if h.gene5 or h.flags]
    if number is not None and len(named) >= 2 and _SEVERAL_PATIENTS.search(text, s, e):
        return [named[number - 1]] if number <= len(named) else []
    return hits


def _fusions(text: str, spans: list[tuple[int, int]], side: list[tuple[int, int]], draft: PatientDraft) -> None:
    hits = [h for s, e in spans for h in _sentence_fusions(text, s, e, draft.label)]
    if not any(h.gene5 for h in hits):
        side_hits = [h for s, e in side for h in _sentence_fusions(text, s, e, draft.label)]
        # a named partner stated outside the story, or its rearrangement when the story states none
        hits = [h for h in side_hits if h.gene5] or hits or side_hits
    if draft.values.get("alk.status") == "negative":
        hits = [
            h for h in hits if h.gene3 != "ALK" or h.gene5
        ]  # no unknown-partner ALK fusion in an ALK-negative tumour
    known = [h for h in hits if h.gene5 or h.flags]
    # "ALK-X" written again after the text read ALK as the 5' gene of X ("non-reciprocal ALK-X")
    # is that fusion, not X::ALK
    alk_first = {h.gene3 for h in known if h.gene5 == "ALK"}
    known = [h for h in known if not (h.gene3 == "ALK" and h.gene5 in alk_first and _written_alk_first(h))]
    chosen = known or hits[:1]
    seen: set[str | None] = set()
    for h in chosen:
        if (h.gene5 or h.as_written) in seen:
            continue
        seen.add(h.gene5 or h.as_written)
        draft.fusions.append(Fusion(gene5=h.gene5, gene3=h.gene3, as_written=h.as_written, flags=list(h.flags)))
        draft.support(f"fusions[{len(draft.fusions) - 1}]", h.start, h.end)
    for s, e in spans:
        for alt in find_other_alterations(text, s, e):
            gene, kind = alt.value.split(" ", 1)
            fused = kind in ("fusion", "rearrangement") and any(gene in (f.gene5, f.gene3) for f in draft.fusions)
            if alt.value not in draft.other_alterations and not fused:
                draft.other_alterations.append(alt.value)
                draft.support(f"other_alterations[{len(draft.other_alterations) - 1}]", alt.start, alt.end)


def _written_alk_first(hit: FusionHit) -> bool:
    """Whether a fusion is written with ALK first ("ALK-GCA", "ALK::X")."""
    return alk_view(hit.as_written).lstrip("( ").startswith("ALK")
