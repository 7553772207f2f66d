"""Compare two extractions of one text field by field, and adjudicate them into one patient.

Two extractions are two Case JSON patients of the same document: two curators' versions, or
the rule extractor's and the LLM extractor's. :func:`compare_patients` lines them up field
by field (lines by position); :func:`adjudicate` builds the patient a curator chose field by
field, keeping the evidence spans of both sides; :func:`adjudicate_stored` stores it in place
of the stored patient and returns the changes for the audit trail.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from caseseries.app.review import (
    LINE_FIELDS,
    PATIENT_FIELDS,
    FieldChange,
    document_text,
    field_container,
    shown_value,
    validated_patient,
)
from caseseries.errors import ValidationError
from caseseries.model import Evidence, Patient, parse_case_data
from caseseries.store import Store


class Side(StrEnum):
    """Which extraction a field's value is taken from."""

    A = "a"
    B = "b"


_LISTS = {"metastatic_sites", "alk.methods", "other_alterations", "fusions", "mutations"}
"""Patient lists whose evidence is recorded per item (``fusions[0]``)."""

COMPARED_FIELDS: tuple[tuple[str, str], ...] = (
    *((f.name, f.label) for f in PATIENT_FIELDS),
    ("fusions", "Fusions"),
    ("mutations", "Mutations"),
)
"""Patient-level fields compared, with the label shown."""


@dataclass(frozen=True)
class FieldComparison:
    """One field of two extractions side by side.

    Attributes
    ----------
    field : str
        Field path (``age_years``, ``lines[1].pfs_months``); ``lines[i]`` when one extraction
        has a line the other lacks.
    label : str
        Name shown to a curator.
    a, b : Any
        The values (Case JSON), None when absent.
    evidence_a, evidence_b : list of Evidence
        The spans supporting each value.
    """

    field: str
    label: str
    a: Any
    b: Any
    evidence_a: tuple[Evidence, ...] = ()
    evidence_b: tuple[Evidence, ...] = ()

    @property
    def agree(self) -> bool:
        """Whether both extractions give the same value."""
        return bool(self.a == self.b)


def _supporting(evidence: list[Evidence], path: str) -> tuple[Evidence, ...]:
    return tuple(e for e in evidence if e.field == path or e.field.startswith(path + "["))


def _labels(data: dict[str, Any], name: str) -> Any:
    if name == "fusions":
        return [f"{f['gene5'] or 'v'}::{f['gene3'] or 'v'}" for f in data["fusions"]]
    if name == "mutations":
        return [f"{m['gene']} {m['protein'] or m['coding'] or m['as_written'] or '?'}" for m in data["mutations"]]
    holder, key = field_container(data, None, name)
    return holder.get(key)


def _line_summary(line: dict[str, Any]) -> str:
    return f"line {line['line']}: {', '.join(line['agents']) or 'no agent'}"


def compare_patients(a: Patient, b: Patient) -> list[FieldComparison]:
    """Line up two extractions of one patient field by field.

    Parameters
    ----------
    a, b : Patient
        The two extractions (same document).

    Returns
    -------
    list of FieldComparison
        Patient fields first, then each line's fields; lines are matched by position, and a
        line only one side has is one ``lines[i]`` entry.
    """
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    out = [
        FieldComparison(
            name,
            label,
            _labels(da, name),
            _labels(db, name),
            _supporting(a.evidence, name),
            _supporting(b.evidence, name),
        )
        for name, label in COMPARED_FIELDS
    ]
    for i in range(max(len(a.lines), len(b.lines))):
        la = da["lines"][i] if i < len(a.lines) else None
        lb = db["lines"][i] if i < len(b.lines) else None
        if la is None or lb is None:
            ev_a = tuple(a.lines[i].evidence) if la is not None else ()
            ev_b = tuple(b.lines[i].evidence) if lb is not None else ()
            sa = _line_summary(la) if la is not None else None
            sb = _line_summary(lb) if lb is not None else None
            out.append(FieldComparison(f"lines[{i}]", f"Line {i + 1}", sa, sb, ev_a, ev_b))
            continue
        for spec in LINE_FIELDS:
            path = f"lines[{i}].{spec.name}"
            out.append(
                FieldComparison(
                    path,
                    f"Line {i + 1}: {spec.label}",
                    la.get(spec.name),
                    lb.get(spec.name),
                    _supporting(a.lines[i].evidence, path),
                    _supporting(b.lines[i].evidence, path),
                )
            )
    return out


def _item_values(data: dict[str, Any], name: str) -> list[Any]:
    labels = _labels(data, name)
    return list(labels) if isinstance(labels, list) else []


def _merge_evidence(
    chosen: list[dict[str, Any]], other: list[dict[str, Any]], path: str, remap: dict[int, int] | None
) -> list[dict[str, Any]]:
    """The chosen side's evidence of ``path`` plus the other side's (items renumbered by ``remap``)."""
    item = re.compile(rf"^{re.escape(path)}\[(\d+)\](.*)$")
    out = [e for e in chosen if e["field"] == path or item.match(e["field"])]
    seen = {(e["field"], e["start"], e["end"]) for e in out}
    for e in other:
        m = item.match(e["field"])
        if m is not None and remap is not None:
            if int(m[1]) not in remap:
                continue
            e = {**e, "field": f"{path}[{remap[int(m[1])]}]{m[2]}"}
        elif e["field"] != path and m is None:
            continue
        if (e["field"], e["start"], e["end"]) not in seen:
            seen.add((e["field"], e["start"], e["end"]))
            out.append(e)
    return out


def _remap(chosen_items: list[Any], other_items: list[Any]) -> dict[int, int]:
    """Item k of the other side -> the index of the same value in the chosen list."""
    return {k: chosen_items.index(v) for k, v in enumerate(other_items) if v in chosen_items}


def _without(evidence: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [e for e in evidence if not (e["field"] == path or e["field"].startswith(path + "["))]


def _choice(comparison: FieldComparison, choices: Mapping[str, Side]) -> Side:
    return choices.get(comparison.field, Side.A)


def _adjudicate_patient_fields(
    out: dict[str, Any],
    da: dict[str, Any],
    db: dict[str, Any],
    comparisons: list[FieldComparison],
    choices: Mapping[str, Side],
) -> None:
    for c in comparisons:
        if c.field.startswith("lines["):
            continue
        side = _choice(c, choices)
        chosen, other = (da, db) if side is Side.A else (db, da)
        if c.field in ("fusions", "mutations"):
            out[c.field] = chosen[c.field]
        else:
            holder, key = field_container(out, None, c.field)
            source, _ = field_container(chosen, None, c.field)
            holder[key] = source.get(key)
        remap = _remap(_item_values(chosen, c.field), _item_values(other, c.field)) if c.field in _LISTS else None
        merged = _merge_evidence(chosen["evidence"], other["evidence"], c.field, remap)
        out["evidence"] = _without(out["evidence"], c.field) + merged


def _renumbered(line: dict[str, Any], old: int, new: int) -> dict[str, Any]:
    prefix = f"lines[{old}]"
    line = dict(line)
    line["evidence"] = [
        {**e, "field": f"lines[{new}]" + e["field"][len(prefix) :]} if e["field"].startswith(prefix) else e
        for e in line["evidence"]
    ]
    return line


def _adjudicate_lines(
    da: dict[str, Any], db: dict[str, Any], comparisons: list[FieldComparison], choices: Mapping[str, Side]
) -> list[dict[str, Any]]:
    by_field = {c.field: c for c in comparisons}
    lines: list[dict[str, Any]] = []
    for i in range(max(len(da["lines"]), len(db["lines"]))):
        whole = by_field.get(f"lines[{i}]")
        if whole is not None:
            side = _choice(whole, choices)
            picked = (da if side is Side.A else db)["lines"]
            if i < len(picked):
                lines.append(_renumbered(picked[i], i, len(lines)))
            continue
        la, lb = da["lines"][i], db["lines"][i]
        merged = dict(la)
        evidence = list(la["evidence"])
        for spec in LINE_FIELDS:
            path = f"lines[{i}].{spec.name}"
            side = _choice(by_field[path], choices)
            chosen, other = (la, lb) if side is Side.A else (lb, la)
            merged[spec.name] = chosen.get(spec.name)
            evidence = _without(evidence, path) + _merge_evidence(chosen["evidence"], other["evidence"], path, None)
        merged["evidence"] = evidence
        lines.append(_renumbered(merged, i, len(lines)))
    numbers = [ln["line"] for ln in lines]
    if any(b <= a for a, b in itertools.pairwise(numbers)):
        for k, ln in enumerate(lines):
            ln["line"] = k + 1
    return lines


def adjudicate(a: Patient, b: Patient, choices: Mapping[str, Side]) -> Patient:
    """The patient a curator chose field by field from two extractions.

    Every field where the two disagree must be chosen; fields they agree on come from ``a``.
    The evidence of both sides is kept for every field (a list item's spans follow the item
    into the chosen list; spans of items not chosen are dropped). A note records each
    disagreement and the choice.

    Parameters
    ----------
    a, b : Patient
        The two extractions; ``a``'s label, curation status and other fields are kept.
    choices : mapping of str to Side
        Field path (as in :func:`compare_patients`) -> the side chosen.

    Returns
    -------
    Patient
        The adjudicated, validated patient.

    Raises
    ------
    ValidationError
        If a disagreeing field has no choice, a choice names an unknown field, or the
        result breaks the model (e.g. censoring without a duration).
    """
    comparisons = compare_patients(a, b)
    known = {c.field for c in comparisons}
    unknown = sorted(set(choices) - known)
    if unknown:
        raise ValidationError(
            f"{unknown[0]!r} is not a compared field; choose among the listed fields", location="choices"
        )
    missing = [c.field for c in comparisons if not c.agree and c.field not in choices]
    if missing:
        raise ValidationError(
            f"choose a value for every field where the extractions disagree: {', '.join(missing)}",
            location=missing[0],
        )
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    out = a.model_dump(mode="json")
    _adjudicate_patient_fields(out, da, db, comparisons, choices)
    out["lines"] = _adjudicate_lines(da, db, comparisons, choices)
    seen = {(c["field"], tuple(c["values"])) for c in out["conflicts"]}
    out["conflicts"] += [c for c in db["conflicts"] if (c["field"], tuple(c["values"])) not in seen]
    for c in comparisons:
        if not c.agree:
            a_value, b_value = shown_value(c.a) or "none", shown_value(c.b) or "none"
            chosen = choices[c.field].value.upper()
            out["notes"].append(f"adjudicated {c.field}: A {a_value}, B {b_value}; chose {chosen}")
    return validated_patient(out, "choices")


def adjudicate_stored(
    store: Store,
    patient_id: int,
    other: Patient,
    choices: Mapping[str, Side],
    *,
    expected_revision: int | None = None,
) -> list[FieldChange]:
    """Adjudicate a stored patient (side A) against another extraction (side B) and store the result.

    Returns
    -------
    list of FieldChange
        One per compared field whose stored value changed (empty when nothing changed), all
        with the new revision.

    Raises
    ------
    ValidationError
        As :func:`adjudicate`, or when the stored patient changed since ``expected_revision``.
    """
    stored = store.get_patient(patient_id)
    result = adjudicate(stored.patient, other, choices)
    result = result.model_copy(update={"label": stored.patient.label})
    if result == stored.patient:
        return []
    revision = store.replace_patient(patient_id, result, expected_revision=expected_revision or stored.revision)
    before = {c.field: c.a for c in compare_patients(stored.patient, result)}
    return [
        FieldChange(patient_id, c.field, shown_value(before[c.field]), shown_value(c.b), revision)
        for c in compare_patients(stored.patient, result)
        if not c.agree
    ]


def other_extraction(store: Store, patient_id: int, *, extractor: str = "rules") -> Patient:
    """Extract the stored patient's document text again (with ``extractor``): the patient of the same label.

    Raises
    ------
    ValidationError
        If the document has no stored text, or the extractor finds no patient of that label.
    """
    from caseseries.extraction import extract_text

    stored = store.get_patient(patient_id)
    text = document_text(store, stored.publication_key)
    if text is None:
        raise ValidationError(
            "this document has no stored text to extract again; compare with an uploaded Case JSON instead",
            location="extractor",
        )
    result = extract_text(text, source=stored.source, extractor=extractor)
    return _same_label(result.document.patients, stored.patient.label, f"extractor {extractor!r}")


def other_from_case_json(data: Any, label: str, *, source: str = "upload") -> Patient:
    """The patient called ``label`` (or the only patient) of an uploaded Case JSON file, patient or document.

    Raises
    ------
    ValidationError
        If the data is not valid Case JSON, or holds no patient of that label.
    """
    case_file = parse_case_data(data, source=source)
    return _same_label([p for _, p in case_file.patients()], label, source)


def _same_label(patients: list[Patient], label: str, where: str) -> Patient:
    for p in patients:
        if p.label == label:
            return p
    if len(patients) == 1:
        return patients[0]
    found = ", ".join(repr(p.label) for p in patients) or "no patients"
    raise ValidationError(f"{where} has no patient {label!r} (found {found}); give the same label", location="label")
