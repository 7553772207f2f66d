"""Extraction review: check every extracted value against its highlighted source, correct it, accept it.

The use cases of the review, shared by every adapter (the web app calls them):

- :func:`load_review` -- a stored patient with its source text, evidence spans and conflicts;
- :func:`highlight_segments` -- a text cut into pieces at every span boundary, each piece
  knowing which fields point at it (spans may overlap, nest or lie out of range);
- :func:`apply_edit` -- set, add or remove a value, with a text selection as its new evidence;
  the value is validated through the model and the vocabularies, the stored revision bumped,
  and the old -> new change returned for the audit trail;
- :func:`accept` / :func:`reopen` -- curation status ``reviewed`` and back;
- :func:`extract_for_review` -- extract a text and store it with its patients, so that the
  review can show the spans in it.

Comparing and adjudicating two extractions of one text is in :mod:`caseseries.app.review_compare`.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pydantic

from caseseries.errors import InputError, ValidationError
from caseseries.model import (
    AlkMethod,
    AlkStatus,
    CaseDocument,
    CaseFile,
    Conflict,
    CurationStatus,
    Evidence,
    Patient,
    Response,
    Sex,
    Source,
    StopReason,
)
from caseseries.model.casejson import describe_validation_error
from caseseries.store import Store, StoredPatient
from caseseries.store.review_queries import document_patient_ids
from caseseries.vocab import drugs, responses, sites
from caseseries.vocab.check import check_case_file


class FieldKind(StrEnum):
    """How the value of an editable field is written in a form."""

    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    DATE = "date"
    ITEMS = "items"


class EditAction(StrEnum):
    """What an edit does: set a single value (empty clears it), add or remove a list item, remove a line."""

    SET = "set"
    ADD = "add"
    REMOVE = "remove"
    REMOVE_LINE = "remove-line"


@dataclass(frozen=True)
class FieldSpec:
    """An editable field of a patient or of a therapy line.

    Attributes
    ----------
    name : str
        Path within the patient (``alk.status``) or within a line (``best_response``).
    label : str
        Name shown to a curator.
    kind : FieldKind
        How the value is written.
    choices : tuple of str
        The allowed values of a ``choice`` field (or of the items of an ``items`` field).
    vocabulary : str or None
        ``drugs`` or ``sites`` when values are names of that vocabulary.
    indexed : bool
        Whether evidence of a list item is recorded per item (``metastatic_sites[1]``) rather than
        for the whole list (``lines[0].agents``), as the extractor records it.
    """

    name: str
    label: str
    kind: FieldKind
    choices: tuple[str, ...] = ()
    vocabulary: str | None = None
    indexed: bool = False


PATIENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("age_years", "Age (years)", FieldKind.NUMBER),
    FieldSpec("sex", "Sex", FieldKind.CHOICE, tuple(Sex)),
    FieldSpec("diagnosis", "Diagnosis", FieldKind.TEXT),
    FieldSpec("histology", "Histology", FieldKind.TEXT),
    FieldSpec("primary_site", "Primary site", FieldKind.TEXT, vocabulary="sites"),
    FieldSpec("metastatic_sites", "Metastatic sites", FieldKind.ITEMS, vocabulary="sites", indexed=True),
    FieldSpec("alk.status", "ALK status", FieldKind.CHOICE, tuple(AlkStatus)),
    FieldSpec("alk.methods", "ALK methods", FieldKind.ITEMS, tuple(AlkMethod), indexed=True),
    FieldSpec("other_alterations", "Other alterations", FieldKind.ITEMS, indexed=True),
    FieldSpec("reference", "Reference", FieldKind.TEXT),
)
"""Editable patient-level fields, in the order a form shows them."""

LINE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("agents", "Agents", FieldKind.ITEMS, vocabulary="drugs"),
    FieldSpec("best_response", "Best response", FieldKind.CHOICE, tuple(Response)),
    FieldSpec("pfs_months", "PFS (months)", FieldKind.NUMBER),
    FieldSpec("pfs_censored", "PFS censored (no progression at last report)", FieldKind.BOOLEAN),
    FieldSpec("resistance_mutations", "Resistance mutations", FieldKind.ITEMS),
    FieldSpec("response_as_written", "Response as written", FieldKind.TEXT),
    FieldSpec("reason_stopped", "Reason stopped", FieldKind.CHOICE, tuple(StopReason)),
    FieldSpec("start", "Start (YYYY[-MM[-DD]])", FieldKind.DATE),
    FieldSpec("end", "End (YYYY[-MM[-DD]])", FieldKind.DATE),
)
"""Editable fields of every therapy line (paths ``lines[i].NAME``)."""

_BY_NAME = {f.name: f for f in PATIENT_FIELDS}
_LINE_BY_NAME = {f.name: f for f in LINE_FIELDS}
_PATH = re.compile(r"^(?:lines\[(?P<line>\d{1,3})\]\.)?(?P<name>[a-z_]+(?:\.[a-z_]+)?)$")
_LINE_PATH = re.compile(r"^lines\[(?P<line>\d{1,3})\]$")


def field_spec(path: str) -> tuple[int | None, FieldSpec]:
    """The line index (None for a patient field) and the spec of an editable field path.

    Parameters
    ----------
    path : str
        ``age_years``, ``alk.status``, ``lines[0].best_response``, ...

    Raises
    ------
    ValidationError
        If the path names no editable field (the message lists them).
    """
    m = _PATH.match(path)
    if m is not None:
        table = _BY_NAME if m["line"] is None else _LINE_BY_NAME
        spec = table.get(m["name"])
        if spec is not None:
            return (None if m["line"] is None else int(m["line"])), spec
    allowed = ", ".join([f.name for f in PATIENT_FIELDS] + [f"lines[N].{f.name}" for f in LINE_FIELDS])
    raise ValidationError(f"{path!r} is not an editable field; use one of: {allowed}", location="field")


# ---------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Span:
    """One evidence span of a patient as the review shows it.

    Attributes
    ----------
    index : int
        Position in :attr:`PatientReview.spans` (stable for one load; used to link value and span).
    field : str
        The field path the span supports.
    start, end : int
        Character offsets into the document text.
    text : str
        The quoted text stored with the evidence.
    matches : bool
        Whether ``document[start:end]`` equals ``text`` (False when the text is missing or differs).
    """

    index: int
    field: str
    start: int
    end: int
    text: str
    matches: bool


@dataclass(frozen=True)
class PatientReview:
    """A stored patient with everything needed to check it against its source.

    Attributes
    ----------
    stored : StoredPatient
        The patient as stored (id, revision, source, extractor).
    text : str or None
        The document text the evidence offsets refer to; None when the store has no text
        for the document (e.g. patients added from Case JSON).
    spans : list of Span
        Every evidence span (patient and lines), in text order.
    conflicts : list of Conflict
        Disagreeing statements flagged by the extractor.
    siblings : list of int
        Ids of the other patients of the same document.
    """

    stored: StoredPatient
    text: str | None
    spans: list[Span]
    conflicts: list[Conflict]
    siblings: list[int] = field(default_factory=list)

    @property
    def patient(self) -> Patient:
        """The patient."""
        return self.stored.patient

    @property
    def status(self) -> CurationStatus:
        """The patient's curation status."""
        return self.stored.patient.curation_status

    @property
    def revision(self) -> int:
        """The stored revision (edits must name it)."""
        return self.stored.revision

    def spans_for(self, path: str) -> list[Span]:
        """The spans supporting a field path, also those of its items (``alk.methods`` -> ``alk.methods[0]``)."""
        return [s for s in self.spans if s.field == path or s.field.startswith(path + "[")]


def document_text(store: Store, publication_key: str) -> str | None:
    """The stored text of a document that evidence offsets refer to, or None when none is stored.

    Only a record with imported content (full text, abstract or sections) has a text: a
    document known from its source path or Case JSON alone has none.
    """
    pub = store.get_publication(publication_key)
    if pub is None or not (pub.text or pub.abstract or pub.sections):
        return None
    return pub.document_text()


def load_review(store: Store, patient_id: int) -> PatientReview:
    """Load a stored patient for review.

    Parameters
    ----------
    store : Store
        The case store.
    patient_id : int
        Database id (as in ``cases list``).

    Returns
    -------
    PatientReview
        The patient, its document text, every evidence span and its conflicts.

    Raises
    ------
    NotFoundError
        If there is no such patient.
    """
    stored = store.get_patient(patient_id)
    text = document_text(store, stored.publication_key)
    evidence = sorted(stored.patient.all_evidence(), key=lambda e: (e.start, -e.end, e.field))
    spans = [
        Span(i, e.field, e.start, e.end, e.text, text is not None and text[e.start : e.end] == e.text)
        for i, e in enumerate(evidence)
    ]
    siblings = [i for i in document_patient_ids(store, stored.publication_key) if i != patient_id]
    return PatientReview(stored, text, spans, list(stored.patient.conflicts), siblings)


# ---------------------------------------------------------------------- highlighting
@dataclass(frozen=True)
class Segment:
    """A piece of text between two span boundaries.

    Attributes
    ----------
    start, end : int
        Offsets of the piece in the text.
    text : str
        ``text[start:end]``.
    spans : tuple of int
        Indexes of the spans covering the whole piece (empty for plain text).
    fields : tuple of str
        The field paths of those spans, without repeats, in span order.
    """

    start: int
    end: int
    text: str
    spans: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()


def highlight_segments(text: str, spans: Sequence[Span]) -> list[Segment]:
    """Cut a text into segments at every span boundary.

    Overlapping and nested spans are allowed: each segment lists every span covering it.
    Spans are clipped to the text; a span that is empty or wholly outside it is ignored.
    The segments cover the text exactly once, in order.

    Parameters
    ----------
    text : str
        The document text.
    spans : sequence of Span
        The evidence spans (any order).

    Returns
    -------
    list of Segment
        ``"".join(s.text for s in segments) == text``.
    """
    size = len(text)
    clipped = [(max(0, s.start), min(size, s.end), s) for s in spans]
    clipped = [(a, b, s) for a, b, s in clipped if a < b]
    cuts = sorted({0, size, *(a for a, _, _ in clipped), *(b for _, b, _ in clipped)})
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        covering = [s for lo, hi, s in clipped if lo <= a and b <= hi]
        out.append(
            Segment(
                a,
                b,
                text[a:b],
                tuple(s.index for s in covering),
                tuple(dict.fromkeys(s.field for s in covering)),
            )
        )
    return out


# ---------------------------------------------------------------------- editing
@dataclass(frozen=True)
class Selection:
    """A piece of the document text a curator selected as evidence."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Edit:
    """One change a curator asks for.

    Attributes
    ----------
    field : str
        An editable field path (see :func:`field_spec`); for ``remove-line`` the line, ``lines[i]``.
    value : str
        The value as typed; an empty value with ``set`` clears the field.
    action : EditAction
        ``set`` for single values; ``add`` / ``remove`` for an item of a list field.
    selection : Selection or None
        The text that supports the new value; it becomes the field's evidence.
    """

    field: str
    value: str = ""
    action: EditAction = EditAction.SET
    selection: Selection | None = None


@dataclass(frozen=True)
class FieldChange:
    """What an edit changed, for the audit trail: field, old and new value (JSON text), new revision."""

    patient_id: int
    field: str
    old: str | None
    new: str | None
    revision: int
    evidence: Evidence | None = None


def shown_value(value: Any) -> str | None:
    """A value as the audit trail records it: JSON text, None for null."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _parse_scalar(spec: FieldSpec, raw: str, path: str) -> Any:
    value = raw.strip()
    if not value:
        return None
    if spec.kind is FieldKind.NUMBER:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            raise ValidationError(f"{value!r} is not a number; give a number such as 5.5", location=path) from None
    if spec.kind is FieldKind.BOOLEAN:
        word = value.lower()
        if word in ("true", "yes", "1", "censored", "ongoing"):
            return True
        if word in ("false", "no", "0", "progressed", "event"):
            return False
        raise ValidationError(f"{value!r} is not true or false; give true, false or leave it empty", location=path)
    if spec.kind is FieldKind.CHOICE:
        return _choice(spec, value, path)
    if spec.vocabulary == "sites":
        return sites().require(value, field=path).term
    return value


def _choice(spec: FieldSpec, value: str, path: str) -> str:
    if spec.name == "best_response":
        term = responses().lookup(value)
        if term is not None:
            return term.code.value
    lowered = {c.lower(): c for c in spec.choices}
    if value.lower() in lowered:
        return lowered[value.lower()]
    raise ValidationError(f"{value!r} is not allowed; use one of: {', '.join(spec.choices)}", location=path)


def _parse_item(spec: FieldSpec, raw: str, path: str) -> str:
    value = raw.strip()
    if not value:
        raise ValidationError("the value is empty; give the item to add or remove", location=path)
    if spec.vocabulary == "drugs":
        return drugs().require(value, field=path).name
    if spec.vocabulary == "sites":
        return sites().require(value, field=path).term
    if spec.choices:
        return _choice(spec, value, path)
    return value


def field_container(data: dict[str, Any], line: int | None, name: str) -> tuple[dict[str, Any], str]:
    """The dict holding field ``name`` of a patient's Case JSON (of line ``line``) and the field's last key."""
    holder = data if line is None else data["lines"][line]
    *parents, key = name.split(".")
    for p in parents:
        holder = holder[p]
    return holder, key


def _evidence_list(data: dict[str, Any], line: int | None) -> list[dict[str, Any]]:
    holder = data if line is None else data["lines"][line]
    ev: list[dict[str, Any]] = holder["evidence"]
    return ev


def _reindex(evidence: list[dict[str, Any]], path: str, removed: int) -> list[dict[str, Any]]:
    """Drop the evidence of item ``removed`` of ``path`` and renumber the items after it."""
    item = re.compile(rf"^{re.escape(path)}\[(\d+)\](.*)$")
    out = []
    for e in evidence:
        m = item.match(e["field"])
        if m is None:
            out.append(e)
        elif int(m[1]) != removed:
            k = int(m[1])
            out.append({**e, "field": f"{path}[{k - 1 if k > removed else k}]{m[2]}"})
    return out


def _same_item(spec: FieldSpec, quoted: str, item: str) -> bool:
    """Whether an evidence text of a non-indexed list names ``item`` (``Alecensa`` names alectinib)."""
    if spec.vocabulary == "drugs":
        found = drugs().lookup(quoted)
        return (found.name if found else quoted.strip().lower()) == item
    return item.lower() in quoted.lower() or quoted.lower() in item.lower()


def _new_evidence(path: str, selection: Selection | None) -> dict[str, Any] | None:
    if selection is None:
        return None
    return {"field": path, "start": selection.start, "end": selection.end, "text": selection.text, "document": None}


def _edit_items(
    data: dict[str, Any], line: int | None, spec: FieldSpec, path: str, edit: Edit
) -> tuple[Any, Any, dict[str, Any] | None]:
    holder, key = field_container(data, line, spec.name)
    items: list[str] = holder[key]
    old = list(items)
    item = _parse_item(spec, edit.value, path)
    evidence = _evidence_list(data, line)
    new_ev: dict[str, Any] | None = None
    if edit.action is EditAction.ADD:
        if item not in items:
            items.append(item)
        where = f"{path}[{items.index(item)}]" if spec.indexed else path
        new_ev = _new_evidence(where, edit.selection)
        if new_ev is not None:
            evidence.append(new_ev)
    else:
        if item not in items:
            raise ValidationError(f"{item!r} is not in {path}; nothing to remove", location=path)
        k = items.index(item)
        items.pop(k)
        if spec.indexed:
            evidence[:] = _reindex(evidence, path, k)
        else:
            evidence[:] = [e for e in evidence if not (e["field"] == path and _same_item(spec, e["text"], item))]
    return old, list(items), new_ev


def _edit_scalar(
    data: dict[str, Any], line: int | None, spec: FieldSpec, path: str, edit: Edit
) -> tuple[Any, Any, dict[str, Any] | None]:
    holder, key = field_container(data, line, spec.name)
    old = holder.get(key)
    new = _parse_scalar(spec, edit.value, path)
    holder[key] = new
    evidence = _evidence_list(data, line)
    new_ev = _new_evidence(path, edit.selection if new is not None else None)
    if new != old or new_ev is not None:
        evidence[:] = [e for e in evidence if e["field"] != path]
    if new_ev is not None:
        evidence.append(new_ev)
    for conflict in data.get("conflicts", []):
        if conflict["field"] == path:
            conflict["chosen"] = None if new is None else str(new)
    return old, new, new_ev


def _remove_line(data: dict[str, Any], index: int) -> tuple[Any, Any]:
    lines: list[dict[str, Any]] = data["lines"]
    removed = lines.pop(index)
    prefix = re.compile(r"^lines\[(\d+)\]")
    for k, later in enumerate(lines[index:], start=index):
        later["line"] -= 1
        for e in later["evidence"]:
            e["field"] = prefix.sub(f"lines[{k}]", e["field"])
    for conflict in data.get("conflicts", []):
        m = prefix.match(conflict["field"])
        if m and int(m[1]) > index:
            conflict["field"] = prefix.sub(f"lines[{int(m[1]) - 1}]", conflict["field"])
    return {"line": removed["line"], "agents": removed["agents"]}, None


def validated_patient(data: dict[str, Any], path: str) -> Patient:
    """Validate a patient's Case JSON through the model and the vocabularies.

    Raises
    ------
    ValidationError
        Naming the field path (within the patient; ``path`` when the error has none) and the fix.
    """
    try:
        patient = Patient.model_validate(data)
    except pydantic.ValidationError as err:
        where, msg = describe_validation_error(err, Patient)
        raise ValidationError(msg, location=where) from None
    try:
        check_case_file(CaseFile(documents=[CaseDocument(patients=[patient])]))
    except InputError as err:
        location = (err.location or path).removeprefix("documents[0].patients[0].")
        raise err.__class__(err.message, location=location) from None
    return patient


def _check_selection(text: str | None, selection: Selection) -> None:
    if text is None:
        raise ValidationError(
            "this document has no stored text to select from; type the value without a selection",
            location="selection",
        )
    if not 0 <= selection.start < selection.end <= len(text):
        raise ValidationError(
            f"the selection {selection.start}-{selection.end} is outside the text (0-{len(text)}); select again",
            location="selection",
        )
    if text[selection.start : selection.end] != selection.text:
        raise ValidationError(
            f"the selection {selection.text!r} is not the text at {selection.start}-{selection.end} "
            f"({text[selection.start : selection.end]!r}); select again",
            location="selection",
        )


def apply_edit(store: Store, patient_id: int, edit: Edit, *, expected_revision: int | None = None) -> FieldChange:
    """Change one value of a stored patient, with a text selection as its new evidence.

    The value is validated through the model and the vocabularies (a brand name becomes its
    generic name, a site synonym its term, "partial response" PR); the selection must be the
    document text at its offsets. The selection replaces the field's evidence (``set``) or
    is added for the item (``add``). The earlier version stays in the history and the
    revision is bumped.

    Parameters
    ----------
    store : Store
        The case store.
    patient_id : int
        Database id.
    edit : Edit
        What to change.
    expected_revision : int or None
        The revision the curator saw; if the patient changed since, nothing is written.

    Returns
    -------
    FieldChange
        The field, old and new value, and the new revision (for the audit trail). When the
        value and evidence are unchanged the revision stays and ``old == new``.

    Raises
    ------
    ValidationError
        For an unknown field or line, an invalid value (naming the field and the fix), a
        selection that is not the text at its offsets, or a stale revision.
    NotFoundError
        If there is no such patient.
    """
    stored = store.get_patient(patient_id)
    data = stored.patient.model_dump(mode="json")
    if edit.action is EditAction.REMOVE_LINE:
        m = _LINE_PATH.match(edit.field)
        if m is None or int(m["line"]) >= len(data["lines"]):
            raise ValidationError(f"{edit.field!r} is not a line of this patient; give lines[N]", location="field")
        old, new = _remove_line(data, int(m["line"]))
        new_ev: dict[str, Any] | None = None
    else:
        line, spec = field_spec(edit.field)
        if edit.selection is not None:
            _check_selection(document_text(store, stored.publication_key), edit.selection)
        if line is not None and line >= len(data["lines"]):
            if not (line == len(data["lines"]) and edit.action is EditAction.ADD and spec.name == "agents"):
                raise ValidationError(
                    f"there is no line {line + 1}; add an agent to lines[{len(data['lines'])}] to start a new line",
                    location=edit.field,
                )
            number = data["lines"][-1]["line"] + 1 if data["lines"] else 1
            data["lines"].append({"line": number, "agents": [], "evidence": []})
        if (spec.kind is FieldKind.ITEMS) != (edit.action in (EditAction.ADD, EditAction.REMOVE)):
            hint = "add or remove an item" if spec.kind is FieldKind.ITEMS else "set the value"
            raise ValidationError(
                f"{edit.field} cannot be changed with {edit.action.value!r}; {hint}", location="action"
            )
        if spec.kind is FieldKind.ITEMS:
            old, new, new_ev = _edit_items(data, line, spec, edit.field, edit)
        else:
            old, new, new_ev = _edit_scalar(data, line, spec, edit.field, edit)
    patient = validated_patient(data, edit.field)
    evidence = Evidence.model_validate(new_ev) if new_ev is not None else None
    if patient == stored.patient:
        return FieldChange(patient_id, edit.field, shown_value(old), shown_value(new), stored.revision, evidence)
    revision = store.replace_patient(patient_id, patient, expected_revision=expected_revision or stored.revision)
    return FieldChange(patient_id, edit.field, shown_value(old), shown_value(new), revision, evidence)


def _set_status(store: Store, patient_id: int, status: CurationStatus, expected_revision: int | None) -> FieldChange:
    stored = store.get_patient(patient_id)
    old = stored.patient.curation_status
    if old is status:
        return FieldChange(patient_id, "curation_status", old.value, status.value, stored.revision)
    patient = stored.patient.model_copy(update={"curation_status": status})
    revision = store.replace_patient(patient_id, patient, expected_revision=expected_revision or stored.revision)
    return FieldChange(patient_id, "curation_status", old.value, status.value, revision)


def accept(store: Store, patient_id: int, *, expected_revision: int | None = None) -> FieldChange:
    """Mark a patient ``reviewed``: a curator checked every value against the source.

    Returns
    -------
    FieldChange
        ``curation_status`` old -> ``reviewed`` and the new revision.
    """
    return _set_status(store, patient_id, CurationStatus.REVIEWED, expected_revision)


def reopen(store: Store, patient_id: int, *, expected_revision: int | None = None) -> FieldChange:
    """Take a reviewed patient back to review: ``extracted`` when an extractor made it, else ``curated``.

    Returns
    -------
    FieldChange
        ``curation_status`` ``reviewed`` -> the earlier status and the new revision.
    """
    stored = store.get_patient(patient_id)
    status = CurationStatus.EXTRACTED if stored.extractor else CurationStatus.CURATED
    return _set_status(store, patient_id, status, expected_revision)


# ---------------------------------------------------------------------- extracting for review
def extract_for_review(store: Store, text: str, source: Source, *, extractor: str = "rules") -> list[int]:
    """Extract a text and store the document (with its text) and its patients for review.

    Parameters
    ----------
    store : Store
        The case store.
    text : str
        The document text (evidence offsets refer to it).
    source : Source
        Where the text came from (a path, PMID or title names the document).
    extractor : str
        Registered extractor name.

    Returns
    -------
    list of int
        The ids of the document's stored patients (empty when the text reports none).
    """
    from caseseries.extraction import extract_text
    from caseseries.extraction.ruleset import ruleset_version

    if not text.strip():
        raise ValidationError("the text is empty; paste or upload the case report", location="text")
    result = extract_text(text, source=source, extractor=extractor)
    store.upsert_publication(source.to_publication().model_copy(update={"text": text}))
    case_file = CaseFile(documents=[result.document])
    store.add_case_file(
        case_file, status=CurationStatus.EXTRACTED, extractor=extractor, ruleset_version=ruleset_version()
    )
    return document_patient_ids(store, result.document.key())


def editable_fields(patient: Patient) -> Iterable[tuple[str, FieldSpec, Any]]:
    """Every editable field path of a patient with its spec and current value, in form order."""
    data = patient.model_dump(mode="json")
    for spec in PATIENT_FIELDS:
        holder, key = field_container(data, None, spec.name)
        yield spec.name, spec, holder.get(key)
    for i in range(len(patient.lines)):
        for spec in LINE_FIELDS:
            yield f"lines[{i}].{spec.name}", spec, data["lines"][i].get(spec.name)
