"""Cohorts: filters over a case file that select (patient, therapy line) units.

A :class:`Cohort` holds patient-level filters (disease, site, fusion partner, resistance
mutation, year, curation status, minimum number of lines) and line-level filters (agent,
drug class, ALK-inhibitor generation, line number, prior agent). Applying it to a
:class:`~caseseries.model.casejson.CaseFile` gives a :class:`Selection`: every therapy line
that passes all filters, as :class:`LineUnit` objects, plus the patients they belong to.

Named cohorts live in a YAML file (``version`` and ``cohorts``); the package ships one with the
two cohorts of the seed literature review (first-line alectinib; two or more lines).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from caseseries.errors import InputError, ValidationError
from caseseries.files import load_yaml_mapping, read_data_file
from caseseries.model.case import Patient, TherapyLine
from caseseries.model.casejson import CaseDocument, CaseFile, describe_validation_error
from caseseries.model.enums import CurationStatus, DrugClass
from caseseries.vocab import drugs, gene_symbol, site_term

EXAMPLE_COHORTS = "cohorts.yaml"
UNKNOWN_PARTNER = "unknown"

_AA3 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G",
    "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S",
    "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*",
}  # fmt: skip
_MUTATION = re.compile(
    r"^(?:([A-Z0-9]+)[\s:]+)?(?:p\.)?\(?([A-Z][a-z]{2}|[A-Z])(\d+)([A-Z][a-z]{2}|[A-Z*]|del|ins\w*)\)?$"
)


def mutation_key(text: str) -> str:
    """Normalise a protein change to ``GENE p.X123Y`` (gene defaults to ALK).

    Accepts ``G1202R``, ``p.G1202R``, ``ALK p.G1202R``, ``ALK:p.(Gly1202Arg)`` and the like.

    Parameters
    ----------
    text : str
        The mutation as written.

    Returns
    -------
    str
        e.g. ``"ALK p.G1202R"``; the stripped input upper-cased when it is not a protein change.
    """
    m = _MUTATION.match(text.strip())
    if not m:
        return text.strip().upper()
    gene, ref, pos, alt = m.groups()
    ref = _AA3.get(ref, ref)
    alt = _AA3.get(alt, alt)
    return f"{(gene or 'ALK').upper()} p.{ref}{pos}{alt}"


def agent_name(text: str, *, field: str = "agent") -> str:
    """The vocabulary's generic name for an agent; bad names raise with suggestions."""
    return drugs().require(text, field=field).name


@dataclass(frozen=True, slots=True)
class LineUnit:
    """One therapy line selected by a cohort, with its patient and document.

    Attributes
    ----------
    document : CaseDocument
        The source document of the patient.
    patient : Patient
        The patient.
    line : TherapyLine
        The selected line.
    patient_index : int
        Position of the patient in the case file (stable identity within one analysis).
    """

    document: CaseDocument
    patient: Patient
    line: TherapyLine
    patient_index: int

    @property
    def previous(self) -> TherapyLine | None:
        """The line given just before this one, if any."""
        lines = self.patient.lines
        i = lines.index(self.line)
        return lines[i - 1] if i > 0 else None


@dataclass(frozen=True)
class Selection:
    """What a cohort selects from a case file.

    Attributes
    ----------
    cohort : Cohort
        The filters applied.
    patients : list of tuple
        ``(patient_index, document, patient)`` for every patient passing the patient-level filters
        that has at least one selected line (or every such patient when there is no line filter).
    units : list of LineUnit
        Every selected line.
    """

    cohort: Cohort
    patients: list[tuple[int, CaseDocument, Patient]]
    units: list[LineUnit]

    @property
    def n_patients(self) -> int:
        """Number of patients selected."""
        return len(self.patients)

    @property
    def n_documents(self) -> int:
        """Number of distinct source documents among the selected patients."""
        return len({doc.key() for _, doc, _ in self.patients})

    def case_file(self) -> CaseFile:
        """The selected patients as a case file (documents kept, all their lines kept)."""
        docs: dict[str, CaseDocument] = {}
        for _, doc, patient in self.patients:
            key = doc.key()
            if key not in docs:
                docs[key] = CaseDocument(source=doc.source, patients=[])
            docs[key].patients.append(patient)
        return CaseFile(documents=list(docs.values()))


class Cohort(BaseModel):
    """Filters that define a cohort; every filter left as None selects everything.

    Patient-level filters: ``disease``, ``site``, ``partner``, ``mutation``, ``year_from``,
    ``year_to``, ``status``, ``min_lines``. Line-level filters: ``agent``, ``drug_class``,
    ``generation``, ``line``, ``after``.

    Examples
    --------
    >>> Cohort(agent="Alecensa", line=1).agent
    'alectinib'
    >>> Cohort(mutation="p.(Gly1202Arg)").mutation
    'ALK p.G1202R'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    description: str | None = None
    disease: str | None = Field(default=None, description="Substring of the diagnosis or histology.")
    site: str | None = Field(default=None, description="Primary site (a term, synonym or adjective).")
    partner: str | None = Field(default=None, description="5' fusion partner (HGNC symbol) or 'unknown'.")
    agent: str | None = Field(default=None, description="An agent given in the line.")
    drug_class: DrugClass | None = Field(default=None, description="A class of agent given in the line.")
    generation: int | None = Field(default=None, ge=1, le=4, description="ALK-inhibitor generation in the line.")
    line: int | None = Field(default=None, ge=1, description="Line number (1 = first line).")
    after: str | None = Field(default=None, description="An agent given in an earlier line.")
    mutation: str | None = Field(default=None, description="A resistance mutation reported for the patient.")
    year_from: int | None = Field(default=None, description="Earliest publication year.")
    year_to: int | None = Field(default=None, description="Latest publication year.")
    status: list[CurationStatus] | None = Field(default=None, description="Curation statuses to include.")
    min_lines: int | None = Field(default=None, ge=1, description="Minimum number of therapy lines.")

    @field_validator("agent", "after")
    @classmethod
    def _agent(cls, value: str | None) -> str | None:
        return None if value is None else agent_name(value)

    @field_validator("site")
    @classmethod
    def _site(cls, value: str | None) -> str | None:
        return None if value is None else (site_term(value) or value.strip().lower())

    @field_validator("partner")
    @classmethod
    def _partner(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.strip().lower() in ("unknown", "not reported", "none", "v"):
            return UNKNOWN_PARTNER
        return gene_symbol(value) or value.strip().upper()

    @field_validator("mutation")
    @classmethod
    def _mutation(cls, value: str | None) -> str | None:
        return None if value is None else mutation_key(value)

    # ------------------------------------------------------------------ describing
    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not self.filters()

    def filters(self) -> dict[str, object]:
        """The filters that are set, by name (values as plain JSON types)."""
        data = self.model_dump(mode="json", exclude={"name", "description"}, exclude_none=True)
        return dict(data)

    def describe(self) -> str:
        """A short human-readable description, e.g. ``agent = alectinib, line = 1``."""
        if self.description:
            return self.description
        parts = [f"{k.replace('_', ' ')} = {', '.join(map(str, v)) if isinstance(v, list) else v}"
                 for k, v in self.filters().items()]  # fmt: skip
        return "; ".join(parts) if parts else "all patients and lines"

    def merged(self, other: Cohort) -> Cohort:
        """A copy with the filters that ``other`` sets added (``other`` wins on conflicts)."""
        data = self.model_dump(exclude_none=True)
        data.update(other.model_dump(exclude_none=True))
        return Cohort.model_validate(data)

    # ------------------------------------------------------------------ matching
    def has_line_filter(self) -> bool:
        """Whether any line-level filter is set."""
        return any(v is not None for v in (self.agent, self.drug_class, self.generation, self.line, self.after))

    def match_patient(self, doc: CaseDocument, patient: Patient) -> bool:
        """Whether the patient passes the patient-level filters."""
        if self.disease:
            text = f"{patient.diagnosis or ''} {patient.histology or ''}".lower()
            if self.disease.lower() not in text:
                return False
        if self.site and (site_term(patient.primary_site or "") or (patient.primary_site or "").lower()) != self.site:
            return False
        if self.partner and self.partner not in partners(patient):
            return False
        if self.mutation and self.mutation not in patient_mutations(patient):
            return False
        year = patient.cited.year if patient.cited else None
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        if self.year_to is not None and (year is None or year > self.year_to):
            return False
        if self.status is not None and patient.curation_status not in self.status:
            return False
        return not (self.min_lines is not None and n_lines(patient) < self.min_lines)

    def match_line(self, patient: Patient, line: TherapyLine) -> bool:
        """Whether a line of the patient passes the line-level filters."""
        if self.line is not None and line.line != self.line:
            return False
        if self.agent and self.agent not in line.agents:
            return False
        if self.drug_class and self.drug_class not in line_classes(line):
            return False
        if self.generation is not None and self.generation not in line_generations(line):
            return False
        if self.after:
            earlier = patient.lines[: patient.lines.index(line)]
            if not any(self.after in e.agents for e in earlier):
                return False
        return True

    def apply(self, case_file: CaseFile) -> Selection:
        """Select the patients and lines of a case file.

        Parameters
        ----------
        case_file : CaseFile
            The case series.

        Returns
        -------
        Selection
            Selected patients and (patient, line) units, in case-file order.
        """
        patients: list[tuple[int, CaseDocument, Patient]] = []
        units: list[LineUnit] = []
        for index, (doc, patient) in enumerate(case_file.patients()):
            if not self.match_patient(doc, patient):
                continue
            chosen = [LineUnit(doc, patient, ln, index) for ln in patient.lines if self.match_line(patient, ln)]
            if chosen or not self.has_line_filter():
                patients.append((index, doc, patient))
                units.extend(chosen)
        return Selection(self, patients, units)


def partners(patient: Patient) -> set[str]:
    """The 5' partners of a patient's ALK fusions (``unknown`` for an unknown partner)."""
    out: set[str] = set()
    for fusion in patient.fusions:
        if fusion.gene5:
            out.add(fusion.gene5.upper())
        else:
            out.add(UNKNOWN_PARTNER)
            symbol = written_partner(fusion.as_written)
            if symbol:
                out.add(symbol)
    return out or {UNKNOWN_PARTNER}


def written_partner(as_written: str) -> str | None:
    """The non-ALK gene symbol of a fusion as written (``CTCL-ALK`` -> ``CTCL``), or None."""
    tokens = [t for t in re.split(r"[\s:;/\-–]+", as_written.upper()) if t and t not in ("ALK", "FUSION", "V")]
    return tokens[0] if len(tokens) == 1 and re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", tokens[0]) else None


def patient_mutations(patient: Patient) -> set[str]:
    """Every mutation reported for a patient, normalised by :func:`mutation_key`."""
    out = {mutation_key(m.label) for m in patient.mutations}
    for line in patient.lines:
        out.update(mutation_key(m) for m in line.resistance_mutations)
    return out


def n_lines(patient: Patient) -> int:
    """Number of lines of systemic therapy, counting a summarised entry as its number of lines."""
    return sum(line.summarised_lines or 1 for line in patient.lines)


def line_classes(line: TherapyLine) -> set[DrugClass]:
    """Drug classes of the agents of a line (agents unknown to the vocabulary are ignored)."""
    out = set()
    for agent in line.agents:
        drug = drugs().lookup(agent)
        if drug is not None:
            out.add(drug.drug_class)
    return out


def line_generations(line: TherapyLine) -> set[int]:
    """ALK-inhibitor generations of the agents of a line."""
    out = set()
    for agent in line.agents:
        drug = drugs().lookup(agent)
        if drug is not None and drug.generation is not None:
            out.add(drug.generation)
    return out


# ---------------------------------------------------------------------- named cohorts
class CohortFile(BaseModel):
    """A YAML file of named cohorts: ``{"version": 1, "cohorts": {NAME: {filters}}}``."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    cohorts: dict[str, Cohort] = Field(default_factory=dict)

    def get(self, name: str, *, source: str) -> Cohort:
        """The cohort called ``name``; unknown names raise listing the available ones."""
        if name not in self.cohorts:
            known = ", ".join(sorted(self.cohorts)) or "(none)"
            raise InputError(f"unknown cohort {name!r}; available cohorts: {known}", source=source, location="--cohort")
        return self.cohorts[name]

    def __iter__(self) -> Iterator[Cohort]:  # type: ignore[override]
        return iter(self.cohorts.values())


def parse_cohorts(text: str, *, source: str) -> CohortFile:
    """Validate the text of a cohorts YAML file.

    Raises
    ------
    FormatError
        If the YAML does not parse.
    ValidationError
        For unknown keys (listing the allowed ones) or bad values, naming the field path.
    """
    data = load_yaml_mapping(text, source=source, expected="version, cohorts")
    extra = sorted(set(data) - {"version", "cohorts"})
    if extra:
        raise ValidationError(f"unknown key {extra[0]!r}; allowed keys: cohorts, version", source=source)
    raw = data.get("cohorts") or {}
    if not isinstance(raw, dict):
        raise ValidationError("expected a mapping of cohort names to filters", source=source, location="cohorts")
    cohorts: dict[str, Cohort] = {}
    for name, body in raw.items():
        where = f"cohorts.{name}"
        if not isinstance(body, dict):
            raise ValidationError("expected a mapping of filters", source=source, location=where)
        unknown = sorted(set(body) - set(Cohort.model_fields))
        if unknown:
            allowed = ", ".join(sorted(Cohort.model_fields))
            raise ValidationError(f"unknown key {unknown[0]!r}; allowed keys: {allowed}", source=source, location=where)
        try:
            cohorts[str(name)] = Cohort.model_validate({"name": str(name), **body})
        except pydantic.ValidationError as err:
            loc, msg = describe_validation_error(err, Cohort)
            raise ValidationError(msg, source=source, location=f"{where}.{loc}") from None
        except InputError as err:
            raise ValidationError(err.message, source=source, location=f"{where}.{err.location}") from None
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise ValidationError(f"version must be an integer (got {version!r})", source=source, location="version")
    return CohortFile(version=version, cohorts=cohorts)


def load_cohorts(path: str | Path | None = None) -> CohortFile:
    """Read a cohorts YAML file; ``None`` reads the example file shipped with the package."""
    text, source = read_data_file(path, package="caseseries.analysis", name=EXAMPLE_COHORTS, what="cohorts file")
    return parse_cohorts(text, source=source)
