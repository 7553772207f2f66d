"""Segmentation into patients and assembly of each patient's fields.

Patients come from two places: literature-table rows (``Table T, case N``) and the narrative
(the index patient of a case report, or ``case N`` of a multi-patient report). Cohorts, reviews
and tables of publications give no patient; nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from caseseries.extraction.alk import is_general
from caseseries.extraction.anatomy import SiteCue, negated_sites, site_context
from caseseries.extraction.annotate import Guarded, contains, found, per_document, search
from caseseries.extraction.diagnosis import own_diagnoses
from caseseries.extraction.draft import LineDraft, PatientDraft
from caseseries.extraction.entities import (
    SEX_NOUN as _SEX_NOUN,
)
from caseseries.extraction.entities import (
    Hit,
    find_age,
    find_birth_age,
    find_mutations,
    find_sex,
    find_sites,
)
from caseseries.extraction.findings import patient_alk
from caseseries.extraction.genes import alk_view
from caseseries.extraction.hits import MutationHit
from caseseries.extraction.lines import CITED, Narrative
from caseseries.extraction.reported import (
    counts_told,
    cues,
    group_study,
    mentions_patient,
    named_owners,
    reported,
    split_patients,
    stated_count,
    title_like,
    treats_all,
)
from caseseries.extraction.scanning import search_string
from caseseries.extraction.sentences import Section, SectionKind, Span
from caseseries.extraction.tables import TextTable
from caseseries.model import Mutation, Sex

_LITERATURE = Guarded(
    re.compile(
        r"(?=[pmelwsrt])(?:"
        r"\bPubMed\b|\bMEDLINE\b|\bEmbase\b|literature\s+(?:search|review)|\bwe\s+(?:searched|reviewed)\b"
        r"|\b(?:searched|reviewed)\s+the\s+literature|\bTable\s+\d+\s+(?:provides|summari[sz]es|shows|lists|presents)"
        r"|\bwe\s+identified\s+\d+)",
        re.I,
    ),
    ("pubmed", "medline", "embase", "literature", "searched", "reviewed", "table", "identified"),
)
_OUR_CASE = re.compile(
    r"\b(?:our|this|the\s+present|the\s+index|the\s+current)\s+(?:case|patient)\b|\bour\s+(?:report|experience)\b"
    r"|\bwe\s+(?:present|report|describe)\b|\bin\s+our\b",
    re.I,
)
# inline label of an abstract ("Conclusions:", "Conclusion." alone), a concluding sentence, keywords
_CLOSING = re.compile(
    r"(?:Conclusions?|Discussion|Comments?)\s*(?::|\.(?:\s|$))|In\s+(?:conclusion|summary)\b|Key\s*words?\s*:", re.I
)
_CAPTION = re.compile(r"^[\s*_#>]*(?:Figure|Fig\.?|FIGURE)\s*\d+", re.M)
_INTRO = re.compile(
    r"(?=[atocp(mwbg])(?:"
    r"\b(?:an?|the|this|our)\s+(?:previously\s+healthy\s+|otherwise\s+healthy\s+)?"
    r"(?:\d{1,3}(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)[\s\-]*(?:year|month|week|day)s?[\s\-]*old\b"
    r"|\b(?:case|patient)\s+\d+\s*(?:[:.(]|was|is\b)|\(\s*[MF]\s*,\s*\d{1,3}\s*(?:y|yrs?|years?)?\s*\)"
    r"|\bPt\.?\s*\d+\s*[,:]\s*\d{1,3}\s*(?:y|yrs?|years?|mo)\b"
    r"|\b(?:a|an)\s+(?:neonate|newborn|infant)\b"
    r"|\b(?:an?|the)\s+(?:\w+\s+){0,2}(?:man|woman|boy|girl|patient|infant|child|lady|gentleman)\s+"
    r"(?:aged|of)\s+\d{1,3}\b|\b(?:man|woman|boy|girl)\s+in\s+(?:his|her)\s+(?:twenties|thirties|forties|fifties|"
    r"sixties|seventies|eighties)\b)",
    re.I,
)
# Words every match of _INTRO contains one of (a sentence without any of them is no introduction).
_INTRO_NEED = (
    "old",
    "case",
    "patient",
    "(",
    "pt",
    "neonate",
    "newborn",
    "infant",
    "man",
    "boy",
    "girl",
    "child",
    "lady",
    "ties",
)
_COHORT_AGE = re.compile(
    r"\b(?:median|mean|average)\s+(?:age|\w+\s+age)\b|\bpatients\s+aged\b|\baged\s+\d+\s*(?:-|to)", re.I
)
_CASE_START = re.compile(r"^[\s*_#>]*(?:Case|Patient)\s+(\d{1,2})\b\s*[:.)\-–]?", re.M)
_MANY = re.compile(r"\b(two|three|four|five|2|3|4|5)\s+(?:\w+\s+){0,3}?(?:patients|cases)\b", re.I)
_ADJACENT_METASTASIS = re.compile(
    r"^[\s\-]*(?:metasta\w*|relaps\w*|recurren\w*|nodules?|deposits?|implants?|lesions?|involvement|spread)", re.I
)
_PRIMARY_CUE = re.compile(
    r"primary|arising|originat\w*|\bmass\b|located\s+in|diagnos\w*|\bIMT\b|tumou?r\s+(?:of|in)|"
    r"(?:of|in)\s+the\s*$|lesion\s+(?:of|in)|"
    r"(?:tumou?r|mass|lesion)\s+(?:filling|involving|occupying|within)\s+(?:the\s+)?(?:\w+\s+)?$",
    re.I,
)


@dataclass
class Segment:
    """The text of one narrative patient: ordered narrative sentences and ranked side statements.

    ``findings`` are sentences outside the story read only for the ALK status, methods, fusions and
    point mutations when the story and the side statements give none: the sentences that present the case ("we
    present the case of a patient with an EML4-ALK fusion", a "case report" title) and, in a text of
    several patients, the pooled sentences before the first of them is told ("all three tumours
    were positive for ALK", "partners were CLTC for case 1 and RANBP2 for case 2"). ``cut`` pairs each
    sentence cut between patients with this patient's piece of it: when the piece states an ALK
    finding, the tests the whole sentence names are this patient's too ("NGS revealed a CLTC-ALK
    fusion in the first patient and a RANBP2-ALK fusion in the second").
    """

    label: str
    narrative: list[Span] = field(default_factory=list)
    statements: list[tuple[Span, int]] = field(default_factory=list)
    findings: list[Span] = field(default_factory=list)
    cut: list[tuple[Span, Span]] = field(default_factory=list)


# ------------------------------------------------------------------------------------ segmentation
def _captions(text: str, secs: list[Section]) -> list[Span]:
    out = []
    for sec in secs:
        if sec.kind is SectionKind.REFERENCES:
            continue
        for sent in sec.sentences:
            line_start = text.rfind("\n", 0, sent.start) + 1
            if _CAPTION.match(text, line_start, sent.end):
                out.append(sent)
    return out


def _in_tables(span: Span, tables: list[TextTable]) -> bool:
    return any(t.start <= span.start < t.end or (t.title and t.title.start <= span.start < t.title.end) for t in tables)


def segments(text: str, secs: list[Section], tables: list[TextTable]) -> list[Segment]:
    """Split the narrative into patients.

    Parameters
    ----------
    text : str
        The document.
    secs : list of Section
        Its sections.
    tables : list of TextTable
        Its tables (their rows are not narrative).

    Returns
    -------
    list of Segment
        One per narrative patient; empty for cohorts, reviews and texts with no individual patient.
    """
    captions = _captions(text, secs)
    caption_starts = {c.start for c in captions}

    def usable(span: Span) -> bool:
        return span.start not in caption_starts and not _in_tables(span, tables)

    case_secs = [s for s in secs if s.kind is SectionKind.CASE]
    narrative: list[Span] = []
    for sec in case_secs:
        for sent in sec.sentences:
            if not usable(sent):
                continue
            if _LITERATURE.search(text, sent.start, sent.end):
                if title_like(text, sent):
                    continue  # "...: a case report and literature review" as a title line
                break
            narrative.append(sent)
    if not case_secs:
        body = [
            s
            for sec in secs
            if sec.kind not in (SectionKind.REFERENCES, SectionKind.BACK)
            for s in sec.sentences
            if usable(s)
        ]
        first = next((i for i, s in enumerate(body) if _is_intro(text, s)), None)
        if first is None:
            return _reported_segments(text, secs, body, captions)
        if group_study(text, body) and not found(_MANY, text, 0, body[first].start + 2000):
            return []  # "A 14-year-old boy of the registry died": a group study reports no individual
        narrative = []
        for s in body[first:]:
            if _LITERATURE.search(text, s.start, s.end) or _CLOSING.match(text, s.start, s.end):
                break
            narrative.append(s)
    if not narrative or not any(
        _is_intro(text, s) or re.search(r"\b(?:patient|woman|man|girl|boy)\b", text[s.start : s.end], re.I)
        for s in narrative
    ):
        return []

    def earlier() -> list[Span]:
        return [
            s
            for sec in secs
            if sec.kind not in (SectionKind.REFERENCES, SectionKind.BACK)
            for s in sec.sentences
            if s.start < narrative[0].start and usable(s)
        ]

    numbered = _split_numbered(text, narrative, case_secs, earlier)
    if numbered:
        return numbered
    intros = [i for i, s in enumerate(narrative) if _is_intro(text, s)]
    if len(intros) >= 2 and _tells_several(text, narrative, intros, earlier):
        out = []
        before = [*earlier(), *narrative[: intros[0]]]
        for k, i in enumerate(intros):
            stop = intros[k + 1] if k + 1 < len(intros) else len(narrative)
            findings = _pooled(text, before, k + 1, len(intros))
            out.append(Segment(f"case {k + 1}", narrative[i:stop], findings=findings))
        return out
    side = _side_statements(text, secs, usable, captions, narrative)
    return [Segment("index patient", narrative, side, _presenting(text, secs, usable, narrative, side))]


def _tells_several(text: str, narrative: list[Span], intros: list[int], earlier: Callable[[], list[Span]]) -> bool:
    """Whether a narrative that introduces several patients by age tells that many stories.

    It does when the text counts several patients or cases near the start of the narrative ("two
    cases", "3 patients"), or says it reports as many patients as the narrative introduces ("we
    report two adults ...", ``stated_count``) before or in the first introduction.
    """
    many = search(_MANY, text, 0, narrative[0].start + 2000)
    if many:
        return not re.match(r"(?i)one|1", many.group(1))
    return stated_count(text, [*earlier(), *narrative[: intros[0] + 1]]) == len(intros)


def _side_statements(
    text: str, secs: list[Section], usable: Callable[[Span], bool], captions: list[Span], narrative: list[Span]
) -> list[tuple[Span, int]]:
    """Abstract sentences, "our case" sentences of the discussion and captions outside the narrative."""
    statements: list[tuple[Span, int]] = []
    for sec in secs:
        if sec.kind is SectionKind.ABSTRACT:
            statements.extend((s, 2) for s in sec.sentences if usable(s))
        elif sec.kind in (SectionKind.DISCUSSION, SectionKind.CONCLUSION):
            statements.extend((s, 3) for s in sec.sentences if usable(s) and _OUR_CASE.search(text, s.start, s.end))
    statements.extend((c, 2) for c in captions)
    narrative_starts = {s.start for s in narrative}
    return [(s, r) for s, r in statements if s.start not in narrative_starts]


# Words one of which a sentence that states an ALK status, test or fusion contains.
_FINDING_NEED = ("alk", "fusion", "rearrang", "transloca", "::")


def _presenting(
    text: str, secs: list[Section], usable: Callable[[Span], bool], narrative: list[Span], side: list[tuple[Span, int]]
) -> list[Span]:
    """Sentences of the front matter and introduction that present the text's own patient (``single`` cues)."""
    taken = {s.start for s in narrative} | {s.start for s, _ in side}
    c = cues()
    return [
        s
        for sec in secs
        if sec.kind in (SectionKind.FRONT, SectionKind.INTRODUCTION)
        for s in sec.sentences
        if usable(s)
        and s.start not in taken
        and contains(text, _FINDING_NEED, s.start, s.end)
        and c.any("single", text, s.start, s.end)
        and not c.any("literature", text, s.start, s.end)
    ]


def _reported_segments(text: str, secs: list[Section], body: list[Span], captions: list[Span]) -> list[Segment]:
    """Patients of a text that introduces none by age or label: from its report cues (``reported``).

    The narrative starts at the sentence that counts the patients, or (one patient) at the first
    sentence that mentions the patient, outside a title when the text has an abstract or body, and
    runs to the end of that section, an inline "Conclusions:" label or a literature search.
    """
    report = reported(text, body)
    if report.patients == 0 or report.cue is None:
        return []
    cue = report.cue
    if report.patients == 1:
        later = next((sec.start for sec in secs if sec.kind is not SectionKind.FRONT), len(text))
        mentions = [s for s in body if mentions_patient(text, s)]
        floor = later if any(s.start >= later for s in mentions) else 0
        cue = next((s for s in mentions if s.start >= floor), cue)
    home = next((sec for sec in secs if sec.start <= cue.start < max(sec.end, sec.start + 1)), None)
    narrative: list[Span] = []
    for s in body:
        if s.start < cue.start or (home is not None and s.start >= home.end):
            continue
        if narrative and (_LITERATURE.search(text, s.start, s.end) or _CLOSING.match(text, s.start, s.end)):
            break
        narrative.append(s)
    readable = {s.start for s in body}  # not captions, tables, references or back matter

    def usable(span: Span) -> bool:
        return span.start in readable

    if report.patients == 1:
        side = _side_statements(text, secs, usable, captions, narrative)
        if home is not None:  # the sentences before the patient is mentioned are background
            side = [(s, r) for s, r in side if not home.start <= s.start < cue.start]
        return [Segment("index patient", narrative, side, _presenting(text, secs, usable, narrative, side))]
    # pooled sentences before any patient is named are not given to anyone (only a count sentence
    # that says what all of them received is)
    split = split_patients(text, narrative, report.patients, report.cue)
    shared_first = [report.cue] if treats_all(text, report.cue) and report.cue in split.shared_before else []
    out = []
    for k in range(1, report.patients + 1):
        mine = sorted({*shared_first, *(split.own[k] or split.shared_before)}, key=lambda sp: sp.start)
        if mine:
            out.append(Segment(f"case {k}", mine, cut=split.cut.get(k, [])))
    return out


@per_document
def _is_intro(text: str, span: Span) -> bool:
    """Whether a sentence introduces a patient of this text (not a cohort, not a patient cited from elsewhere)."""
    m = search(_INTRO, text, span.start, span.end) if contains(text, _INTRO_NEED, span.start, span.end) else None
    if not m:
        return False
    return not (_COHORT_AGE.search(text, span.start, span.end) or CITED.search(text, span.start, span.end))


def _split_numbered(
    text: str, narrative: list[Span], case_secs: list[Section], earlier: Callable[[], list[Span]]
) -> list[Segment]:
    numbered_secs = [s for s in case_secs if s.case_number is not None]
    if len({s.case_number for s in numbered_secs}) >= 2:
        out = []
        first = min(sec.start for sec in numbered_secs)
        before = [*earlier(), *(s for s in narrative if s.start < first)]
        told = len({s.case_number for s in numbered_secs})
        for sec in numbered_secs:
            sents = [s for s in narrative if sec.start <= s.start < sec.end]
            if sents and sec.case_number is not None:
                findings = _pooled(text, before, sec.case_number, told)
                out.append(Segment(f"case {sec.case_number}", sents, findings=findings))
        return out
    starts: list[tuple[int, int]] = []
    for i, sent in enumerate(narrative):
        line_start = text.rfind("\n", 0, sent.start) + 1
        m = _CASE_START.match(text, line_start, sent.end)
        if m and line_start >= (narrative[i - 1].end if i else 0) - 1:
            starts.append((i, int(m.group(1))))
    if len({n for _, n in starts}) < 2:
        return _interleaved(text, narrative, earlier)
    out = []
    before = [*earlier(), *narrative[: starts[0][0]]]
    told = len({n for _, n in starts})
    for k, (i, number) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else len(narrative)
        out.append(Segment(f"case {number}", narrative[i:stop], findings=_pooled(text, before, number, told)))
    return out


def _pooled(text: str, before: list[Span], number: int, told: int) -> list[Span]:
    """The sentences before the ``told`` patients are told that speak of patient ``number``.

    A sentence naming several patients inside it ("CLTC for case 1 and RANBP2 for case 2", "in the
    first patient ... in the second") speaks of those it names; one about all of them (``pooled``
    cues: "all three tumours", "both patients") or counting them ("two children with an ALK-rearranged
    tumour are reported", ``counted`` cues, when ``told`` are told) of each.
    """
    out = []
    for sent in before:
        names = _named_cases(text, sent)
        if number in names if len(names) >= 2 else _about_all(text, sent) or counts_told(text, sent, told):
            out.append(sent)
    return out


@per_document
def _about_all(text: str, sent: Span) -> bool:
    """Whether a sentence before the patients are told is about all of them (``pooled`` cues)."""
    return contains(text, _ALL_NEED, sent.start, sent.end) and cues().any("pooled", text, sent.start, sent.end)


# Words one of which every ``pooled`` cue contains (patient_cues.yaml).
_ALL_NEED = ("both", "all", "each", "either")


_SENTENCE_CASE = re.compile(
    r"[\s*_#>(\[]*(?:[A-Z][a-z]+:\s*)?(?:Case|Patient|Pt\.?)\s+(\d{1,2})\b(?!\s*(?:and|&)\s*\d|\s*,\s*\d{1,2}\s*(?:and|&|,))",
    re.I,
)
_ALL_CASES = Guarded(
    re.compile(r"\b(?:both|all|each|either)\s+(?:of\s+the\s+)?(?:\w+\s+)?(?:patients|cases|children|adults)\b", re.I),
    ("patients", "cases", "children", "adults"),
)
# cases named inside a sentence ("CLTC for case 1, RANBP2 for case 2", "in cases 1 and 3")
_INLINE_CASES = re.compile(r"\b(?:cases?|patients?)\s+(\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*)", re.I)


@per_document
def _named_cases(text: str, sent: Span) -> set[int]:
    """The numbers of the patients a sentence names inside it."""
    ordinals = named_owners(text, sent) if contains(text, _ORDINAL_NEED, sent.start, sent.end) else set()
    if not contains(text, ("case", "patient"), sent.start, sent.end):
        return ordinals
    inline = _INLINE_CASES.finditer(text, sent.start, sent.end)
    return ordinals | {int(n) for m in inline for n in re.findall(r"\d+", m.group(1))}


# Words one of which every ordinal of the ``owners`` cues contains (patient_cues.yaml).
_ORDINAL_NEED = ("first", "second", "third", "fourth", "fifth", "sixth", "former", "latter")


def _interleaved(text: str, narrative: list[Span], earlier: Callable[[], list[Span]]) -> list[Segment]:
    """Patients told in turns inside shared paragraphs ("Patient 1 was ... Patient 2 was ... Both patients ...").

    A sentence that starts with "Patient N"/"Case N" moves the story to that patient; the sentences
    after it stay with that patient until another one is named; "both/all patients" sentences go
    to every patient and a sentence naming several of them inside it ("CLTC for case 1 and RANBP2 for
    case 2") to each one it names. Before the first patient is told, the sentences about all of
    them or naming several (``_pooled``; also those of the text before the narrative,
    ``earlier``) are read only for the molecular findings (``Segment.findings``).
    """
    owners: list[int | None] = []
    starts: list[bool] = []
    current: int | None = None
    for sent in narrative:
        m = _SENTENCE_CASE.match(text, sent.start, sent.end)
        if m:
            current = int(m.group(1))
        owners.append(current)
        starts.append(m is not None)
    numbers = sorted({n for n in owners if n is not None})
    if len(numbers) < 2:
        return []
    shared = [
        not first and bool(_ALL_CASES.search(text, s.start, s.end)) for s, first in zip(narrative, starts, strict=True)
    ]
    named = [set() if first else _named_cases(text, s) for s, first in zip(narrative, starts, strict=True)]
    named = [names if len(names) >= 2 else set() for names in named]
    out = []
    before = [*earlier(), *(s for s, owner in zip(narrative, owners, strict=True) if owner is None)]
    for number in numbers:
        mine = [
            s
            for s, owner, common, names in zip(narrative, owners, shared, named, strict=True)
            if owner is not None and (number in names if names else owner == number or common)
        ]
        out.append(Segment(f"case {number}", mine, findings=_pooled(text, before, number, len(numbers))))
    return out


# ------------------------------------------------------------------------------------ narrative patients
def narrative_patient(
    text: str, seg: Segment, doc_diagnosis: tuple[str, str | None, int, int] | None, warnings: list[str]
) -> PatientDraft:
    """Assemble one narrative patient from its segment."""
    draft = PatientDraft(seg.label)
    spans = [(s.start, s.end) for s in seg.narrative]
    side = [(s.start, s.end) for s, _ in seg.statements]
    intro = next((s for s in seg.narrative if _is_intro(text, s)), seg.narrative[0])
    age = find_age(text, intro.start, intro.end) or _first(find_age, text, spans)
    age = age or _first(find_birth_age, text, spans) or _first(find_age, text, side)
    if age is not None:
        draft.set("age_years", float(age.value), age.start, age.end)
    sex = find_sex(text, intro.start, intro.end) or _sex_of(text, spans)
    if sex is not None:
        draft.set("sex", sex[0].value, sex[1], sex[2])
    own = own_diagnoses(text, spans) or own_diagnoses(text, side)
    if own:
        draft.set("diagnosis", own[0].diagnosis, own[0].start, own[0].end)
        # the variant may be named in another sentence ("... the diagnosis of EIMS was confirmed")
        variant = next((h for h in own if h.diagnosis == own[0].diagnosis and h.histology), None)
        if variant is not None and variant.histology:
            draft.set("histology", variant.histology, variant.start, variant.end)
    elif doc_diagnosis is not None:
        draft.set("diagnosis", doc_diagnosis[0], doc_diagnosis[2], doc_diagnosis[3])
        if doc_diagnosis[1]:
            draft.set("histology", doc_diagnosis[1], doc_diagnosis[2], doc_diagnosis[3])
    findings = [(s.start, s.end) for s in seg.findings]
    _sites(text, spans, side, draft)
    _site_of_diagnosis(text, draft)
    if "primary_site" not in draft.values:
        # "we describe two adults with ... tumour of the bladder. The first, ...": the site of all
        _sites(text, [], findings, draft)
    patient_alk(text, spans, side, findings, seg.cut, draft)
    narrative = Narrative(text)
    narrative.read(seg.narrative)
    for span, rank in seg.statements:
        narrative.add_statement(span, rank)
    for idx, cands, chosen in narrative.resolve_pfs():
        values = []
        for c in cands:
            v = f"{c.months:g}" + (" (censored)" if c.censored else "")
            if v not in values:
                values.append(v)
        if len(values) >= 2:
            draft.conflicts.append(
                (
                    f"lines[{idx}].pfs_months",
                    values,
                    f"{chosen.months:g}",
                    [sp for c in cands for sp in c.spans],
                    "statements in the text disagree; the most specific one (dates over rounded prose) is stored",
                )
            )
    narrative.mark_censoring(seg.narrative)
    _mutations(text, [*spans, *side], narrative.mutations, draft)
    if not draft.mutations:
        _mutations(text, [(s.start, s.end) for s in seg.findings], [], draft)
    draft.lines = [ln for ln in narrative.lines if ln.given]
    return draft


def _first(finder: Callable[[str, int, int], Hit | None], text: str, spans: list[tuple[int, int]]) -> Hit | None:
    """The first hit of ``finder`` in the spans, in order."""
    for s, e in spans:
        hit = finder(text, s, e)
        if hit is not None:
            return hit
    return None


def _sex_of(text: str, spans: list[tuple[int, int]]) -> tuple[Sex, int, int] | None:
    """Sex from the first noun in the spans (woman, boy, F), else from the pronouns of all of them."""
    for s, e in spans:
        if _SEX_NOUN.search(text, s, e):
            return find_sex(text, s, e)
    votes: dict[Sex, list[tuple[int, int]]] = {Sex.FEMALE: [], Sex.MALE: []}
    for s, e in spans:
        found = find_sex(text, s, e)
        if found is not None:
            votes[found[0]].append((found[1], found[2]))
    if len(votes[Sex.FEMALE]) == len(votes[Sex.MALE]):
        return None
    sex = Sex.FEMALE if len(votes[Sex.FEMALE]) > len(votes[Sex.MALE]) else Sex.MALE
    return sex, *votes[sex][0]


_CLAUSE_OPEN = re.compile(r"[,;(]|\bwho(?:se)?\b", re.I)
_LISTED_SITE = re.compile(r"(?:\s*(?:,|and|or|&|as\s+well\s+as)\s*)+(?:the\s+|both\s+)?(?:[a-z]+\s+){0,2}")
# A site listed before a metastatic noun that covers the list ("retroperitoneal lymph nodes and lung metastases").
_LISTED_BEFORE_METASTASES = re.compile(r"\s*(?:,|and|or)\s+(?:the\s+)?(?:[a-z]+\s+){1,2}metasta", re.I)
_LYMPHOMA = re.compile(r"lymphoma|\b(?:ALCL|LBCL|DLBCL)\b", re.I)
# A lymphoma's sites: its presenting mass is the primary, a relapse or spread named as such a metastasis.
_MASS_AFTER = re.compile(r"[\s\-]*(?:masse?s?|tumou?rs?|lesions?)\b", re.I)
_LYMPHOMA_SPREAD = re.compile(r"metasta\w*|relaps\w*|recurren\w*|progress\w*|spread|disseminat\w*", re.I)


def _sites(text: str, spans: list[tuple[int, int]], side: list[tuple[int, int]], draft: PatientDraft) -> None:
    """Primary and metastatic sites from the words around each site word.

    A general statement gives none; a site listed right after a metastatic one is metastatic
    too ("spread to the lungs, mediastinal lymph nodes and brain"); a site followed by its
    cancer ("lung adenocarcinoma", "metastatic thyroid cancer") is the primary. A lymphoma's nodes,
    skin nodules and organ involvement are its disease, not sites: its primary is a presenting
    mass ("a calvarial mass") and its metastases are relapses or spread named as such ("CNS relapse").
    """
    diagnosis = draft.values.get("diagnosis")
    lymphoma = bool(
        search_string(_LYMPHOMA, str(diagnosis))
        if diagnosis
        else any(search_string(_LYMPHOMA, alk_view(text[s:e])) and not is_general(text[s:e]) for s, e in spans)
    )
    primary_seen = False
    for source in (spans, side):
        for s, e in source:
            hits = find_sites(text, s, e)
            staged = [h for h in hits if h.role == "metastatic"]
            if not (found(site_context(SiteCue.TUMOUR), text, s, e) or staged) or is_general(text[s:e]):
                continue
            negated = negated_sites(text, s, e)
            previous_metastatic: int | None = None
            for hit in hits:
                if lymphoma and hit.value == "lymph node":
                    continue
                # the words of its clause ("metastatic NSCLC who had pulmonary disease": the cue is the disease's)
                before = _CLAUSE_OPEN.split(text[max(s, hit.start - 70) : hit.start])[-1]
                after = text[hit.end : min(e, hit.end + 30)]
                if hit.start in negated:
                    continue  # "no cervical lymphadenopathy", "without liver metastases"
                listed = previous_metastatic is not None and _LISTED_SITE.fullmatch(
                    text, previous_metastatic, hit.start
                )
                metastatic = hit.role == "metastatic" or bool(
                    hit.role is None
                    and (
                        listed
                        or site_context(SiteCue.METASTATIC).search(before)
                        or _ADJACENT_METASTASIS.match(after)
                        or _LISTED_BEFORE_METASTASES.match(after)
                        or site_context(SiteCue.METASTATIC).search(text[hit.start : hit.end])
                    )
                )
                primary = hit.role == "primary" or bool(
                    _PRIMARY_CUE.search(before)
                    or re.match(r"^[\s\-]*(?:IMT|inflammatory|tumou?r|sarcoma|mass)", after, re.I)
                )
                if lymphoma:
                    primary = bool(_MASS_AFTER.match(after))
                    metastatic = bool(_LYMPHOMA_SPREAD.search(before) or _LYMPHOMA_SPREAD.match(after.lstrip(" -")))
                previous_metastatic = hit.end if metastatic else None
                if primary and not metastatic and "primary_site" not in draft.values:
                    draft.set("primary_site", hit.value, hit.start, hit.end)
                    primary_seen = True
                elif (
                    metastatic
                    and source is spans
                    and hit.value not in draft.metastatic_sites
                    and (hit.value != draft.values.get("primary_site") or re.search(r"metasta", before + after, re.I))
                ):
                    draft.metastatic_sites.append(hit.value)
                    draft.support(f"metastatic_sites[{len(draft.metastatic_sites) - 1}]", hit.start, hit.end)
        if primary_seen:
            break
    if "primary_site" not in draft.values and not lymphoma:
        for s, e in spans:
            if not found(site_context(SiteCue.TUMOUR), text, s, e) or is_general(text[s:e]):
                continue
            hits = [
                h
                for h in find_sites(text, s, e)
                if h.value not in draft.metastatic_sites
                and h.role != "metastatic"
                and not (lymphoma and h.value == "lymph node")
                and h.start not in negated_sites(text, s, e)
            ]
            if hits:
                draft.set("primary_site", hits[0].value, hits[0].start, hits[0].end)
                break


def _site_of_diagnosis(text: str, draft: PatientDraft) -> None:
    """Without a primary site of its own, the organ the patient's diagnosis names is the primary.

    "non-small cell lung cancer" (NSCLC), "renal cell carcinoma" (RCC), "papillary thyroid
    carcinoma": the site word of the diagnosis mention that is followed by its cancer, with that
    mention as evidence. A lymphoma or an IMT names no organ.
    """
    if "primary_site" in draft.values:
        return
    where = next(((s, e) for key, s, e in draft.spans if key == "diagnosis"), None)
    if where is None:
        return
    hit = next((h for h in find_sites(text, *where) if h.role == "primary"), None)
    if hit is not None:
        draft.set("primary_site", hit.value, hit.start, hit.end)


def _mutations(text: str, spans: list[tuple[int, int]], from_lines: list[MutationHit], draft: PatientDraft) -> None:
    """The patient's point mutations, each change once.

    Those the therapy narrative read, then those of any other sentence of the patient's story
    that is not a general statement ("a relapsed ALK F1174L-mutated neuroblastoma", "cell-free
    DNA showed an NRAS Q61K mutation").
    """
    found = list(from_lines)
    for s, e in spans:
        if not is_general(text[s:e]):
            found.extend(m for m in find_mutations(text, s, e) if all(m.start != f.start for f in found))
    found.sort(key=lambda m: m.start)
    seen: set[tuple[str | None, str | None]] = set()
    for mut in found:
        key = (mut.protein, mut.coding)
        if key in seen or any(k[0] == mut.protein and mut.protein for k in seen):
            continue
        seen.add(key)
        draft.mutations.append(
            Mutation(gene=mut.gene, protein=mut.protein, coding=mut.coding, as_written=text[mut.start : mut.end])
        )
        draft.support(f"mutations[{len(draft.mutations) - 1}]", mut.start, mut.end)


def lines_of(draft: PatientDraft) -> list[LineDraft]:
    """The lines of a draft that have agents."""
    return [ln for ln in draft.lines if ln.given]
