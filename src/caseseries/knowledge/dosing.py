"""Body-surface area, mg/m² to mg, and a "check dose" comparison with the label dose.

BSA formulas (H = height in cm, W = weight in kg), facts.md §e:

=============  ==========================================  ==================================
Mosteller      sqrt(H x W / 3600)                          N Engl J Med 1987;317:1098
DuBois         0.007184 x W^0.425 x H^0.725                Arch Intern Med 1916;17:863
Haycock        0.024265 x W^0.5378 x H^0.3964              J Pediatr 1978;93:62
Gehan-George   0.0235 x W^0.51456 x H^0.42246              Cancer Chemother Rep 1970;54:225
=============  ==========================================  ==================================

A recorded dose that differs from the label dose is flagged as "check dose: ..." for a
curator to look at; it is never treated as an error or as advice. Dose units and frequencies
are the closed vocabularies :class:`DoseUnit` and :class:`DoseFrequency`; their spellings are
in ``knowledge/data/dosing.yaml``. An unknown unit or frequency is refused, and a comparison
that could not be made says so (:attr:`DoseCheck.NOT_COMPARED`), never "no difference".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict

from caseseries.errors import InputError, VocabularyError
from caseseries.vocab import drugs

MIN_HEIGHT_CM, MAX_HEIGHT_CM = 20.0, 280.0
MIN_WEIGHT_KG, MAX_WEIGHT_KG = 0.3, 500.0


class BsaFormula(StrEnum):
    """Body-surface-area formula."""

    MOSTELLER = "mosteller"
    DUBOIS = "dubois"
    HAYCOCK = "haycock"
    GEHAN_GEORGE = "gehan-george"


def bsa(height_cm: float, weight_kg: float, formula: BsaFormula = BsaFormula.MOSTELLER) -> float:
    """Body-surface area in m² (not rounded).

    Parameters
    ----------
    height_cm : float
        Height in cm (20 to 280).
    weight_kg : float
        Weight in kg (0.3 to 500).
    formula : BsaFormula
        Mosteller (default), DuBois, Haycock or Gehan-George.

    Raises
    ------
    InputError
        Height or weight outside the plausible range (e.g. metres or grams given by mistake).

    Examples
    --------
    >>> round(bsa(170, 70), 3)
    1.818
    """
    if not MIN_HEIGHT_CM <= height_cm <= MAX_HEIGHT_CM:
        raise InputError(
            f"height {height_cm:g} cm is outside {MIN_HEIGHT_CM:g}-{MAX_HEIGHT_CM:g} cm; give the height in cm",
            location="height_cm",
        )
    if not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        raise InputError(
            f"weight {weight_kg:g} kg is outside {MIN_WEIGHT_KG:g}-{MAX_WEIGHT_KG:g} kg; give the weight in kg",
            location="weight_kg",
        )
    h, w = float(height_cm), float(weight_kg)
    if formula is BsaFormula.MOSTELLER:
        return math.sqrt(h * w / 3600.0)
    if formula is BsaFormula.DUBOIS:
        return 0.007184 * math.pow(w, 0.425) * math.pow(h, 0.725)
    if formula is BsaFormula.HAYCOCK:
        return 0.024265 * math.pow(w, 0.5378) * math.pow(h, 0.3964)
    return 0.0235 * math.pow(w, 0.51456) * math.pow(h, 0.42246)


class DoseUnit(StrEnum):
    """Unit of a dose per administration: an amount, or an amount per m² of body-surface area."""

    MG = "mg"
    G = "g"
    MCG = "mcg"
    MG_M2 = "mg/m2"
    G_M2 = "g/m2"
    MCG_M2 = "mcg/m2"


class DoseFrequency(StrEnum):
    """How often a daily dose is taken."""

    ONCE_DAILY = "once daily"
    TWICE_DAILY = "twice daily"
    THREE_TIMES_DAILY = "three times daily"


class DoseCheck(StrEnum):
    """Outcome of comparing a recorded dose with the label dose."""

    MATCHES = "matches"
    DIFFERS = "differs"
    NOT_COMPARED = "not_compared"


class _UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mg: float
    per_m2: bool
    aliases: list[str] = []


class _FrequencyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_day: float
    patterns: list[str]


class _DosingData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    units: dict[DoseUnit, _UnitEntry]
    frequencies: dict[DoseFrequency, _FrequencyEntry]


@dataclass(frozen=True)
class _Vocabulary:
    units: dict[str, tuple[DoseUnit, _UnitEntry]]  # normalised spelling -> unit
    factors: dict[DoseUnit, _UnitEntry]
    frequencies: list[tuple[re.Pattern[str], DoseFrequency, float]]


def _norm_unit(text: str) -> str:
    return re.sub(r"\s+", "", text.strip().lower())


def load_dosing(text: str | None = None) -> _Vocabulary:
    """Load the dose units and frequencies (the shipped ``dosing.yaml`` unless ``text`` is given).

    Raises
    ------
    VocabularyError
        Unknown keys or values (listing the allowed ones), or a bad pattern.
    """
    source = "knowledge/data/dosing.yaml"
    if text is None:
        text = resources.files("caseseries.knowledge").joinpath("data", "dosing.yaml").read_text("utf-8")
    try:
        data = _DosingData.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, pydantic.ValidationError) as err:
        raise VocabularyError(
            f"invalid dosing vocabulary ({str(err).splitlines()[0]}); fix the file", source=source
        ) from None
    missing = [u.value for u in DoseUnit if u not in data.units] + [
        f.value for f in DoseFrequency if f not in data.frequencies
    ]
    if missing:
        raise VocabularyError(f"no entry for {', '.join(missing)}; add it", source=source)
    units: dict[str, tuple[DoseUnit, _UnitEntry]] = {}
    for unit, entry in data.units.items():
        for spelling in (unit.value, *entry.aliases):
            units[_norm_unit(spelling)] = (unit, entry)
    frequencies: list[tuple[re.Pattern[str], DoseFrequency, float]] = []
    for freq, fentry in data.frequencies.items():
        for pattern in (re.escape(freq.value), *fentry.patterns):
            try:
                frequencies.append((re.compile(f"^(?:{pattern})$", re.IGNORECASE), freq, fentry.per_day))
            except re.error as err:
                raise VocabularyError(f"bad pattern {pattern!r} ({err}); fix it", source=source) from None
    return _Vocabulary(units=units, factors=dict(data.units), frequencies=frequencies)


@cache
def _vocabulary() -> _Vocabulary:
    return load_dosing()


def _allowed_units() -> str:
    return ", ".join(u.value for u in DoseUnit)


def _allowed_frequencies() -> str:
    return ", ".join(f.value for f in DoseFrequency) + " (also QD, BID, TID, every 12 hours ...)"


def parse_unit(unit: str, *, location: str = "unit") -> DoseUnit:
    """The :class:`DoseUnit` written as ``unit`` (``mg``, ``µg``, ``mg/m²`` ...).

    Raises
    ------
    InputError
        An unknown unit, listing the allowed ones.
    """
    found = _vocabulary().units.get(_norm_unit(unit))
    if found is None:
        raise InputError(f"unknown dose unit {unit!r}; use one of: {_allowed_units()}", location=location)
    return found[0]


def is_per_m2(unit: DoseUnit) -> bool:
    """True for a dose per m² of body-surface area."""
    return _vocabulary().factors[unit].per_m2


def parse_frequency(frequency: str, *, location: str = "frequency") -> DoseFrequency:
    """The :class:`DoseFrequency` written as ``frequency`` (``BID``, ``every 12 hours`` ...).

    Raises
    ------
    InputError
        An unknown frequency, listing the allowed ones.
    """
    text = re.sub(r"\s+", " ", frequency.strip().lower())
    for pattern, freq, _ in _vocabulary().frequencies:
        if pattern.match(text):
            return freq
    raise InputError(f"unknown frequency {frequency!r}; use one of: {_allowed_frequencies()}", location=location)


def absolute_dose(dose: float, unit: str, bsa_m2: float) -> tuple[float, str]:
    """Convert a dose per m² to an absolute dose: dose x BSA.

    Parameters
    ----------
    dose : float
        Dose per m² (e.g. 280).
    unit : str
        ``mg/m2`` (also ``mg/m²``, ``g/m2``, ``mcg/m2``).
    bsa_m2 : float
        Body-surface area in m².

    Returns
    -------
    tuple of (float, str)
        The absolute dose and its unit (``mg`` for ``mg/m2``, ``g`` for ``g/m2``), not rounded.

    Raises
    ------
    InputError
        A unit that is not per m², a negative dose or a non-positive BSA.

    Examples
    --------
    >>> absolute_dose(280, "mg/m2", 0.742)
    (207.76, 'mg')
    """
    found = _vocabulary().units.get(_norm_unit(unit))
    if found is None or not found[1].per_m2:
        raise InputError(f"unit {unit!r} is not a dose per m²; give mg/m2, g/m2 or mcg/m2", location="unit")
    if dose < 0:
        raise InputError(f"dose {dose:g} is negative; give the dose per m²", location="dose")
    if bsa_m2 <= 0:
        raise InputError(f"body-surface area {bsa_m2:g} m² is not positive; compute it with bsa()", location="bsa")
    return round(dose * bsa_m2, 6), found[0].value.split("/")[0]


def mg_per_m2_to_mg(dose_mg_per_m2: float, bsa_m2: float) -> float:
    """Absolute dose in mg for a dose in mg/m² (not rounded to available strengths)."""
    return absolute_dose(dose_mg_per_m2, "mg/m2", bsa_m2)[0]


_LABEL_DOSE = re.compile(
    r"(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>mg(?:\s*/\s*m(?:2|²))?)(?:\s+orally)?\s+(?P<freq>once daily|twice daily)",
    re.IGNORECASE,
)


def times_per_day(frequency: str) -> float | None:
    """Administrations per day for a frequency as written (``twice daily``, ``BID``, ``per day``), or None."""
    text = re.sub(r"\s+", " ", frequency.strip().lower())
    for pattern, _, n in _vocabulary().frequencies:
        if pattern.match(text):
            return n
    return None


def _unit_key(unit: str) -> tuple[bool, float] | None:
    """(per m², factor to mg) for a dose unit as written, or None when not a known unit."""
    found = _vocabulary().units.get(_norm_unit(unit))
    return None if found is None else (found[1].per_m2, found[1].mg)


@dataclass(frozen=True)
class DoseComparison:
    """A recorded dose compared with the label dose.

    Attributes
    ----------
    status : DoseCheck
        ``matches``, ``differs`` or ``not_compared`` (and why, in ``message``).
    message : str
        One line: ``check dose: ...`` when it differs, the reason when it was not compared.
    """

    status: DoseCheck
    message: str

    def to_json(self) -> dict[str, Any]:
        """``{"status": ..., "message": ...}``."""
        return {"status": self.status.value, "message": self.message}


def compare_dose(
    agent: str, dose: float, unit: str, frequency: str | None = None, *, bsa_m2: float | None = None
) -> DoseComparison:
    """Compare a recorded dose with the label dose of the drug vocabulary.

    The accepted doses are the structured label dose and every "<dose> mg [/m2] once|twice daily"
    stated in the label text (so a lead-in dose or a paediatric mg/m² dose is consistent). A dose
    per m² is compared with the label's doses per m², or, with ``bsa_m2``, as dose x BSA with
    its doses per patient.

    Parameters
    ----------
    agent : str
        Generic, brand or code name.
    dose : float
        Dose per administration as recorded (positive).
    unit : str
        A :class:`DoseUnit` as written (``mg``, ``g``, ``mcg``, ``mg/m2`` ...).
    frequency : str, optional
        A :class:`DoseFrequency` as written (``twice daily``, ``BID``, ``per day`` ...). When
        absent, only the amount per administration is compared.
    bsa_m2 : float, optional
        Body-surface area, for a dose per m² when the label dose is per patient.

    Raises
    ------
    VocabularyError
        Unknown agent.
    InputError
        A dose that is not a positive number, an unknown unit or an unknown frequency.

    Examples
    --------
    >>> compare_dose("alectinib", 600, "mg", "BID").status
    <DoseCheck.MATCHES: 'matches'>
    """
    if dose < 0:
        raise InputError(f"dose {dose:g} is negative; give the recorded dose", location="dose")
    if not math.isfinite(dose) or dose <= 0:
        raise InputError(f"dose {dose:g} is not a positive number; give the recorded dose", location="dose")
    dose_unit = parse_unit(unit)
    per_m2, factor = is_per_m2(dose_unit), _vocabulary().factors[dose_unit].mg
    per_day = None if frequency is None else _vocabulary_times(parse_frequency(frequency))
    drug = drugs().require(agent, field="agent")
    label = drug.label_dose
    if label is None:
        return DoseComparison(
            DoseCheck.NOT_COMPARED, f"{drug.name}: not compared: no label dose in the drug vocabulary"
        )
    accepted: list[tuple[bool, float, float]] = []  # (per m², mg per administration, times per day)
    label_key, label_times = _unit_key(label.unit), times_per_day(label.frequency)
    if label_key is not None and label_times is not None:
        accepted.append((label_key[0], label.dose * label_key[1], label_times))
    for m in _LABEL_DOSE.finditer(label.text):
        found_key, found_times = _unit_key(m["unit"]), times_per_day(m["freq"])
        if found_key is not None and found_times is not None:
            accepted.append((found_key[0], float(m["dose"]) * found_key[1], found_times))
    amount_mg, kind = dose * factor, per_m2
    comparable = [a for a in accepted if a[0] == kind]
    via_bsa = ""
    if not comparable and per_m2 and bsa_m2 is not None:
        amount_mg, kind = amount_mg * bsa_m2, False
        comparable = [a for a in accepted if not a[0]]
        via_bsa = f" = {amount_mg:g} mg for {bsa_m2:.3f} m²"
    if not comparable:
        stated = "per m²" if not per_m2 else "per patient"
        fix = "; give the height and weight" if per_m2 and bsa_m2 is None else ""
        return DoseComparison(
            DoseCheck.NOT_COMPARED,
            f"{drug.name}: not compared: the label dose ({label.text}) is {stated}, the recorded dose is not{fix}",
        )
    for _, mg, times in comparable:
        if math.isclose(mg, amount_mg, rel_tol=1e-6) and (per_day is None or per_day == times):
            return DoseComparison(DoseCheck.MATCHES, f"{drug.name}: no difference from the label dose found")

    _, label_mg, label_times_n = comparable[0]
    shown_unit = "mg/m2" if kind else "mg"
    recorded = f"{dose:g} {unit.strip()}" + (f" {frequency.strip()}" if frequency else "") + via_bsa
    reference = f"{label_mg:g} {shown_unit} {_times_words(label_times_n)}"
    if per_day is not None:
        recorded += f" ({amount_mg * per_day:g} {shown_unit}/day)"
        reference += f" ({label_mg * label_times_n:g} {shown_unit}/day)"
    message = f"check dose: {drug.name} {recorded} differs from the label dose {reference}"
    if label.text.strip() != f"{label.dose:g} {label.unit} {label.frequency}":
        message += f"; label: {label.text}"
    return DoseComparison(DoseCheck.DIFFERS, message)


def _vocabulary_times(frequency: DoseFrequency) -> float:
    return next(n for _, f, n in _vocabulary().frequencies if f is frequency)


def _times_words(n: float) -> str:
    for _, f, times in _vocabulary().frequencies:
        if times == n:
            return f.value
    return f"{n:g} times daily"


def check_dose(agent: str, dose: float, unit: str, frequency: str | None = None) -> str | None:
    """``"check dose: ..."`` when a recorded dose differs from the label dose, else None.

    None also when the dose could not be compared (no label dose, per m² against a dose per
    patient): use :func:`compare_dose` to tell "matches" from "not compared". Parameters and
    errors as :func:`compare_dose`.

    Examples
    --------
    >>> check_dose("alectinib", 600, "mg", "per day").split(";")[0]
    'check dose: alectinib 600 mg per day (600 mg/day) differs from the label dose 600 mg twice daily (1200 mg/day)'
    """
    result = compare_dose(agent, dose, unit, frequency)
    return result.message if result.status is DoseCheck.DIFFERS else None
