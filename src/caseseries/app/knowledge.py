"""Use cases of the clinical knowledge: RECIST 1.1, resistance mutations, variant checks, BSA and doses.

Everything here reports published evidence or arithmetic; nothing recommends a treatment. The
results own their JSON form; ``caseseries recist`` and ``caseseries knowledge ...`` print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.dosing import (
    BsaFormula,
    DoseCheck,
    DoseComparison,
    DoseFrequency,
    DoseUnit,
    absolute_dose,
    bsa,
    compare_dose,
    is_per_m2,
    parse_frequency,
    parse_unit,
)
from caseseries.knowledge.recist import RecistResult, evaluate_file
from caseseries.knowledge.resistance import MutationKnowledge, lookup
from caseseries.knowledge.variants import VariantCheck, check_variant

__all__ = [
    "BodySurface",
    "BsaFormula",
    "DoseCheck",
    "DoseFrequency",
    "DoseResult",
    "DoseUnit",
    "MutationReport",
    "body_surface",
    "check_dose",
    "mutation_report",
    "recist",
    "variant",
]  # fmt: skip


def recist(file: Path, *, confirm: bool = False, min_sd_weeks: float | None = None) -> RecistResult:
    """RECIST 1.1 time-point responses and the best overall response of a RECIST JSON file."""
    return evaluate_file(file, confirm=confirm, min_sd_weeks=min_sd_weeks)


@dataclass(frozen=True)
class MutationReport:
    """What published sources report about a mutation, and what is wrong with how it is written."""

    knowledge: MutationKnowledge
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``knowledge mutation --json``)."""
        k = self.knowledge
        data = k.model_dump(mode="json")
        data["known"] = k.known
        data["sentence"] = k.sentence()
        data["variant_problems"] = self.problems
        return data


def mutation_report(gene: str, change: str) -> MutationReport:
    """The published evidence on ``gene`` ``change``; a single change is also checked against the reference protein."""
    knowledge = lookup(gene, change)
    problems: list[str] = []
    if "+" not in knowledge.change:
        try:
            problems = check_variant(knowledge.gene, knowledge.change).problems
        except VocabularyError:
            problems = []  # no reference protein for this gene: nothing to check
    return MutationReport(knowledge, problems)


def variant(gene: str, *, protein: str | None = None, coding: str | None = None) -> VariantCheck:
    """Check a mutation against the reference protein and the genetic code."""
    return check_variant(gene, protein=protein, coding=coding)


@dataclass(frozen=True)
class BodySurface:
    """Body-surface areas of one height and weight, by formula (m², rounded to 3 decimals)."""

    height_cm: float
    weight_kg: float
    bsa_m2: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``knowledge bsa --json``)."""
        return {"height_cm": self.height_cm, "weight_kg": self.weight_kg, "bsa_m2": self.bsa_m2}

    def lines(self) -> list[str]:
        """One line per formula."""
        return [f"{name}: {value:.3f} m²" for name, value in self.bsa_m2.items()]


def body_surface(height_cm: float, weight_kg: float, formula: BsaFormula | None = None) -> BodySurface:
    """Body-surface area by one formula, or by all four (Mosteller, DuBois, Haycock, Gehan-George)."""
    formulas = [formula] if formula else list(BsaFormula)
    return BodySurface(height_cm, weight_kg, {f.value: round(bsa(height_cm, weight_kg, f), 3) for f in formulas})


@dataclass(frozen=True)
class DoseResult:
    """A recorded dose compared with the label dose (per m² doses with the body-surface area used)."""

    comparison: DoseComparison
    bsa_m2: float | None
    conversion: str | None

    @property
    def matches(self) -> bool:
        """Whether the dose matches the label dose."""
        return self.comparison.status is DoseCheck.MATCHES

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``knowledge dose --json``)."""
        return {**self.comparison.to_json(), "bsa_m2": None if self.bsa_m2 is None else round(self.bsa_m2, 3)}

    def lines(self) -> list[str]:
        """The conversion (for a dose per m²) and the comparison's message."""
        return [*([self.conversion] if self.conversion else []), self.comparison.message]


def check_dose(
    agent: str,
    dose: float,
    unit: str,
    frequency: str | None,
    *,
    height_cm: float | None = None,
    weight_kg: float | None = None,
) -> DoseResult:
    """Compare a recorded dose with the label dose; a dose per m² needs the height and weight (Mosteller BSA).

    Raises
    ------
    InputError
        For an unknown unit or frequency, a missing frequency, or a dose per m² without height and weight.
    """
    dose_unit = parse_unit(unit, location="--unit")
    if frequency is None:
        raise InputError(
            f"missing; give how often the dose is taken: {', '.join(f.value for f in DoseFrequency)}",
            location="--frequency",
        )
    parse_frequency(frequency, location="--frequency")
    bsa_m2 = None
    conversion = None
    if is_per_m2(dose_unit):
        if height_cm is None or weight_kg is None:
            raise InputError(
                f"a dose in {dose_unit.value} needs the body-surface area; add --height-cm and --weight-kg",
                location="--unit",
            )
        bsa_m2 = bsa(height_cm, weight_kg)
        amount, mass = absolute_dose(dose, unit, bsa_m2)
        conversion = f"body-surface area (Mosteller): {bsa_m2:.3f} m²; {dose:g} {unit.strip()} = {amount:g} {mass}"
    return DoseResult(compare_dose(agent, dose, unit, frequency, bsa_m2=bsa_m2), bsa_m2, conversion)
