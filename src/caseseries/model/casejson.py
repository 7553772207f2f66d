"""The public Case JSON interchange format ``caseseries/1``: read, write, validate, schema."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import Field

from caseseries.errors import ValidationError
from caseseries.files import read_data
from caseseries.model.base import Strict
from caseseries.model.case import AGE_MAX_YEARS, MONTHS_MAX, Patient
from caseseries.model.publication import Author, Publication, document_key

SCHEMA_ID = "caseseries/1"


class Source(Strict):
    """Where a document came from."""

    path: str | None = None
    pmid: str | None = None
    doi: str | None = None
    title: str | None = None
    citation: str | None = None
    year: int | None = Field(
        default=None, description="Publication year (part of the key of a record without PMID/DOI)."
    )
    first_author: str | None = Field(default=None, description="First author's surname (part of the same key).")

    @classmethod
    def from_publication(cls, pub: Publication) -> Source:
        """The source of a document read from ``pub`` (same key as the publication)."""
        citation = pub.citation_text or (pub.citation() if pub.authors or pub.journal else None)
        return cls(
            path=pub.source_path,
            pmid=pub.pmid,
            doi=pub.doi,
            title=pub.title,
            citation=citation,
            year=pub.year,
            first_author=pub.first_author,
        )

    def to_publication(self) -> Publication:
        """A minimal publication record for this source (same key as the document)."""
        return Publication(
            pmid=self.pmid,
            doi=self.doi,
            title=self.title,
            source_path=self.path,
            citation_text=self.citation,
            year=self.year,
            authors=[Author(last_name=self.first_author)] if self.first_author else [],
        )


class CaseDocument(Strict):
    """One source document and the patients it reports."""

    source: Source = Field(default_factory=Source)
    patients: list[Patient] = Field(default_factory=list)

    def key(self) -> str:
        """Stable identity of the document: PMID, DOI, title or path (see :func:`document_key`)."""
        s = self.source
        return document_key(
            pmid=s.pmid, doi=s.doi, title=s.title, year=s.year, first_author=s.first_author, path=s.path or "unknown"
        )


class CaseFile(Strict):
    """A Case JSON file: ``{"schema": "caseseries/1", "documents": [...]}``."""

    schema_: Literal["caseseries/1"] = Field(default="caseseries/1", alias="schema")
    documents: list[CaseDocument] = Field(default_factory=list)

    model_config = pydantic.ConfigDict(extra="forbid", populate_by_name=True)

    def patients(self) -> Iterable[tuple[CaseDocument, Patient]]:
        """Every (document, patient) pair in file order."""
        for doc in self.documents:
            for patient in doc.patients:
                yield doc, patient


def _path_of(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).isprintable() or not str(part):
            out += f"[{str(part)!r}]"  # a key with line breaks or controls, shown escaped on one line
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def describe_validation_error(err: pydantic.ValidationError, model: type[pydantic.BaseModel]) -> tuple[str, str]:
    """Turn the first pydantic error into (field path, message with the fix).

    Parameters
    ----------
    err : pydantic.ValidationError
        The error raised by validation.
    model : type
        The model that was validated (used to list allowed keys).

    Returns
    -------
    tuple of str
        The field path and a one-line message that names the fix.
    """
    first = err.errors()[0]
    loc = tuple(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = ", ".join(sorted(_aliases(parent))) if parent else ""
        msg = f"unknown key {loc[-1]!r}; allowed keys: {allowed}"
        return _path_of(loc), msg
    if kind == "missing":
        return _path_of(loc), "required field is missing; add it"
    value = first.get("input")
    name = str(loc[-1]) if loc else ""
    if kind in ("greater_than_equal", "less_than_equal") and name in _RANGES:
        low, high, unit = _RANGES[name]
        return _path_of(loc), (
            f"{value!r} is outside the plausible range {low}-{high} {unit}; "
            f"give the value in {unit} (convert other units) or null if unknown"
        )
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    quiet = isinstance(value, dict | list) or kind in ("value_error", "string_too_long")
    shown = "" if quiet else f" (got {value!r})"
    fix = {"finite_number": "; give a finite number or null", "string_too_long": "; shorten it"}.get(kind, "")
    return _path_of(loc), f"{message}{shown}{fix}"


_RANGES = {
    "age_years": (0, AGE_MAX_YEARS, "years"),
    "pfs_months": (0, MONTHS_MAX, "months"),
    "start_month": (0, MONTHS_MAX, "months"),
    "months_from_diagnosis": (0, MONTHS_MAX, "months"),
}


def _aliases(model: type[pydantic.BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(model: type[pydantic.BaseModel], loc: tuple[int | str, ...]) -> type[pydantic.BaseModel] | None:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = current.model_fields
        name = next((n for n, f in fields.items() if n == part or f.alias == part), None)
        if name is None:
            return None
        annotation = fields[name].annotation
        current = _inner_model(annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, pydantic.BaseModel) else None


def _inner_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def parse_case_data(data: Any, *, source: str = "<data>") -> CaseFile:
    """Validate already-decoded Case JSON data.

    Accepts a full ``caseseries/1`` file, a single document (``{"source", "patients"}``) or a
    single patient object.

    Parameters
    ----------
    data : Any
        Decoded JSON or YAML.
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    CaseFile
        The validated case file.

    Raises
    ------
    ValidationError
        With the file, the field path and the fix.
    """
    if not isinstance(data, dict):
        raise ValidationError(
            f"expected a JSON object with 'schema' and 'documents', got {type(data).__name__}",
            source=source,
        )
    if "documents" not in data and "schema" not in data:
        data = {
            "schema": SCHEMA_ID,
            "documents": [data if "patients" in data else {"patients": [data]}],
        }
    if data.get("schema") != SCHEMA_ID:
        raise ValidationError(
            f'schema is {data.get("schema")!r}; set "schema": "{SCHEMA_ID}"',
            source=source,
            location="schema",
        )
    try:
        case_file = CaseFile.model_validate(data)
    except pydantic.ValidationError as err:
        path, msg = describe_validation_error(err, CaseFile)
        raise ValidationError(msg, source=source, location=path) from None
    _check_unique_labels(case_file, source)
    return case_file


def _check_unique_labels(case_file: CaseFile, source: str) -> None:
    """A label identifies a patient within its document: refuse one given twice."""
    for d, doc in enumerate(case_file.documents):
        first: dict[str, int] = {}
        for p, patient in enumerate(doc.patients):
            if patient.label in first:
                raise ValidationError(
                    f"{patient.label!r} is also the label of patients[{first[patient.label]}]; "
                    "give each patient of a document its own label",
                    source=source,
                    location=f"documents[{d}].patients[{p}].label",
                )
            first[patient.label] = p


def load_case_file(path: str | Path) -> CaseFile:
    """Read and validate a Case JSON (or YAML) file.

    Parameters
    ----------
    path : str or Path
        A ``.json``, ``.yaml`` or ``.yml`` file.

    Returns
    -------
    CaseFile
        The validated content.

    Raises
    ------
    FormatError
        If the file cannot be read or decoded.
    ValidationError
        If the content breaks the model, naming the field path and the fix.
    """
    p = Path(path)
    data = read_data(p)
    return parse_case_data(data, source=str(p))


def dump_case_file(case_file: CaseFile, *, indent: int | None = 2) -> str:
    """Serialise a case file as Case JSON text (``None`` values kept, so every key is present).

    Written by pydantic's serializer, several times faster than ``json.dumps`` of the model's JSON
    dump and the same text (same indent, non-ASCII characters as they are), but for the spelling
    of a number with an exponent (``1e-5`` where ``json.dumps`` writes ``1e-05``).
    """
    if indent is None:
        return json.dumps(case_file.model_dump(mode="json", by_alias=True), ensure_ascii=False)
    return case_file.model_dump_json(by_alias=True, indent=indent)


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``caseseries/1``, generated from the model."""
    schema = CaseFile.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://caseseries.invalid/schema/caseseries-1.json"
    schema["title"] = "caseseries/1 Case JSON"
    return schema
