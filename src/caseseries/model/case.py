"""Case-level domain model: patients, therapy lines, alterations and their evidence.

These classes serialise to the public Case JSON format ``caseseries/1`` (see
:mod:`caseseries.model.casejson`); field names are a public contract.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from caseseries.model.base import Strict
from caseseries.model.enums import (
    AlkMethod,
    AlkStatus,
    CurationStatus,
    DiseaseStatus,
    Response,
    Sex,
    StopReason,
    VitalStatus,
)

PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
NonNegative = Annotated[float, Field(ge=0)]

AGE_MAX_YEARS = 120
"""Oldest plausible age at diagnosis; larger values are refused as typing or unit errors."""
MONTHS_MAX = 600
"""Longest plausible duration (50 years) for PFS, line starts and follow-up, in months."""
LINES_MAX = 100
"""Highest plausible line number of systemic therapy."""
OFFSET_MAX = 2**31 - 1
"""Largest evidence offset: a document of more characters cannot be stored."""
LABEL_MAX = 500
"""Longest patient label (characters); labels are identities, not free text."""
EARLIEST_YEAR = 1900

Age = Annotated[float, Field(ge=0, le=AGE_MAX_YEARS)]
Months = Annotated[float, Field(ge=0, le=MONTHS_MAX)]
Offset = Annotated[int, Field(ge=0, le=OFFSET_MAX)]


class Evidence(Strict):
    """A quoted span of a document that supports one extracted value.

    ``text == document[start:end]`` always holds for the document text as read by the importer.
    """

    field: str = Field(description="Field path the span supports, e.g. 'lines[0].best_response'.")
    start: Offset = Field(description="Start offset (characters) into the document text.")
    end: Offset = Field(description="End offset (exclusive) into the document text.")
    text: str = Field(description="The quoted text, equal to document[start:end].")
    document: str | None = Field(default=None, description="Document key when not implied.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); swap them")
        return self


class Conflict(Strict):
    """Two or more statements in one text that disagree about the same field.

    Both values are kept with their evidence; nothing is silently resolved.
    """

    field: str
    values: list[str] = Field(min_length=2)
    chosen: str | None = Field(default=None, description="The value stored in the field, if any.")
    note: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class Fusion(Strict):
    """A gene fusion written 5'::3' with HGNC symbols; ``gene5`` None means partner unknown."""

    gene5: str | None = None
    gene3: str | None = "ALK"
    as_written: str = ""
    flags: list[str] = Field(default_factory=list, description="e.g. 'not an HGNC symbol: CTCL'.")

    @property
    def label(self) -> str:
        """The normalised ``5'::3'`` notation, with ``v`` for an unknown partner."""
        return f"{self.gene5 or 'v'}::{self.gene3 or 'v'}"


class Mutation(Strict):
    """A point mutation in HGNC/HGVS terms, e.g. ALK p.G1202R (c.3604G>A)."""

    gene: str = "ALK"
    protein: str | None = Field(default=None, description="HGVS protein change, one-letter: p.G1202R.")
    coding: str | None = Field(default=None, description="HGVS coding change: c.3604G>A.")
    as_written: str | None = None
    flags: list[str] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """Short label such as ``ALK p.G1202R``."""
        return f"{self.gene} {self.protein or self.coding or self.as_written or '?'}"


class AlkTesting(Strict):
    """ALK status of the tumour and the methods used to determine it."""

    status: AlkStatus | None = None
    methods: list[AlkMethod] = Field(default_factory=list)


class Dose(Strict):
    """Dose of one agent within a line, as written and parsed."""

    agent: str
    dose: float | None = Field(default=None, ge=0)
    unit: str | None = Field(default=None, description="As written: mg, mg/m2, g/m2, mg/kg, AUC.")
    schedule: str | None = Field(default=None, description="e.g. 'twice daily', 'day 1 and day 2'.")
    as_written: str | None = None


class CitedReference(Strict):
    """The publication a literature-table row cites, resolved from the reference list."""

    marker: str | None = None
    first_author: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    pages: str | None = None
    pmid: str | None = None
    doi: str | None = None


class FollowUp(Strict):
    """Status at last follow-up."""

    vital_status: VitalStatus | None = None
    disease_status: DiseaseStatus | None = None
    months_from_diagnosis: Months | None = None
    as_written: str | None = None


class TherapyLine(Strict):
    """One line of systemic therapy and what came of it."""

    line: int = Field(ge=1, le=LINES_MAX, description="1-based order of systemic therapy.")
    agents: list[str] = Field(
        default_factory=list,
        description="Lower-case generic names; non-drug entries allowed ('steroid', 'nsaid').",
    )
    best_response: Response | None = None
    pfs_months: Months | None = None
    pfs_censored: bool | None = Field(
        default=None, description="True when there was no progression at last report ('ongoing')."
    )
    resistance_mutations: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    doses: list[Dose] = Field(default_factory=list)
    start: str | None = Field(default=None, description="Start date, YYYY, YYYY-MM or YYYY-MM-DD.")
    end: str | None = Field(default=None, description="End date, YYYY, YYYY-MM or YYYY-MM-DD.")
    start_month: Months | None = Field(
        default=None, description="Start in months from the first systemic therapy, if no dates."
    )
    reason_stopped: StopReason | None = None
    response_as_written: str | None = None
    pfs_as_written: str | None = Field(
        default=None, description="PFS words as written, e.g. 'Ongoing after 3 years', 'Not evaluable'."
    )
    summarised_lines: int | None = Field(
        default=None, ge=2, le=LINES_MAX, description="Set when one entry summarises several lines."
    )
    notes: list[str] = Field(default_factory=list)

    @field_validator("agents")
    @classmethod
    def _lower_agents(cls, agents: list[str]) -> list[str]:
        return [a.strip().lower() for a in agents]

    @field_validator("start", "end")
    @classmethod
    def _partial_date(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not PARTIAL_DATE.match(value):
            raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        parts = [int(p) for p in value.split("-")]
        try:
            first_day = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            raise ValueError(f"date {value!r} does not exist; check the day of the month") from None
        if parts[0] < EARLIEST_YEAR:
            raise ValueError(f"date {value!r} is before {EARLIEST_YEAR}; check the year")
        if first_day > datetime.now(UTC).date():
            raise ValueError(f"date {value!r} is in the future; check the year")
        return value

    @model_validator(mode="after")
    def _censoring_needs_duration(self) -> Self:
        if self.pfs_censored is not None and self.pfs_months is None:
            raise ValueError("pfs_censored is set but pfs_months is missing; give the duration or drop pfs_censored")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; fix the dates")
        return self


class Patient(Strict):
    """One published patient: demographics, tumour, molecular findings and therapy lines."""

    label: str = Field(max_length=LABEL_MAX)
    age_years: Age | None = None
    sex: Sex | None = None
    diagnosis: str | None = None
    histology: str | None = None
    primary_site: str | None = None
    metastatic_sites: list[str] = Field(default_factory=list)
    alk: AlkTesting = Field(default_factory=AlkTesting)
    fusions: list[Fusion] = Field(default_factory=list)
    mutations: list[Mutation] = Field(default_factory=list)
    other_alterations: list[str] = Field(default_factory=list)
    reference: str | None = Field(default=None, description="Citation marker of a table row.")
    cited: CitedReference | None = None
    lines: list[TherapyLine] = Field(default_factory=list)
    follow_up: FollowUp | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    curation_status: CurationStatus = CurationStatus.EXTRACTED
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _lines_in_order(self) -> Self:
        numbers = [line.line for line in self.lines]
        for i, (prev, cur) in enumerate(itertools.pairwise(numbers), start=1):
            if cur <= prev:
                raise ValueError(
                    f"lines[{i}].line is {cur} after line {prev}; number lines 1, 2, 3, ... in the order given"
                )
        return self

    def all_evidence(self) -> list[Evidence]:
        """Patient-level and line-level evidence together."""
        out = list(self.evidence)
        for line in self.lines:
            out.extend(line.evidence)
        return out
