"""Body-surface area, mg/m² to mg, and a "check dose" flag against the label dose.

BSA formulas (H = height in cm, W = weight in kg), facts.md §e:

=============  ==========================================  ==================================
Mosteller      sqrt(H x W / 3600)                          N Engl J Med 1987;317:1098
DuBois         0.007184 x W^0.425 x H^0.725                Arch Intern Med 1916;17:863
Haycock        0.024265 x W^0.5378 x H^0.3964              J Pediatr 1978;93:62
Gehan-George   0.0235 x W^0.51456 x H^0.42246              Cancer Chemother Rep 1970;54:225
=============  ==========================================  ==================================

A recorded dose that differs from the label dose is flagged as "check dose: ..." for a
curator to look at; it is never treated as an error or as advice.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum

from caseseries.errors import InputError
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


_PER_M2 = re.compile(r"^\s*(?P<mass>mg|g|mcg|µg|ug)\s*/\s*m(?:2|²|\^2)\s*$", re.IGNORECASE)
_MASS_IN_MG = {"g": 1000.0, "mg": 1.0, "mcg": 0.001, "µg": 0.001, "ug": 0.001}


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
    m = _PER_M2.match(unit)
    if m is None:
        raise InputError(f"unit {unit!r} is not a dose per m²; give mg/m2, g/m2 or mcg/m2", location="unit")
    if dose < 0:
        raise InputError(f"dose {dose:g} is negative; give the dose per m²", location="dose")
    if bsa_m2 <= 0:
        raise InputError(f"body-surface area {bsa_m2:g} m² is not positive; compute it with bsa()", location="bsa")
    return round(dose * bsa_m2, 6), m["mass"].lower().replace("µg", "mcg").replace("ug", "mcg")


def mg_per_m2_to_mg(dose_mg_per_m2: float, bsa_m2: float) -> float:
    """Absolute dose in mg for a dose in mg/m² (not rounded to available strengths)."""
    return absolute_dose(dose_mg_per_m2, "mg/m2", bsa_m2)[0]


_FREQUENCIES: list[tuple[re.Pattern[str], float]] = [
    (re.compile(p, re.IGNORECASE), n)
    for p, n in [
        (r"^(?:twice (?:daily|a day|per day)|two times (?:daily|a day)|2 ?x ?(?:daily|/ ?day)|b\.?i\.?d\.?|"
         r"(?:every|q) ?12 ?h(?:ours?)?)$", 2.0),
        (r"^(?:(?:three|3) times (?:daily|a day)|t\.?i\.?d\.?|(?:every|q) ?8 ?h(?:ours?)?)$", 3.0),
        (r"^(?:once (?:daily|a day|per day)|daily|per day|a day|/ ?day|every day|q\.?d\.?|o\.?d\.?|"
         r"(?:every|q) ?24 ?h(?:ours?)?)$", 1.0),
    ]
]  # fmt: skip
_LABEL_DOSE = re.compile(
    r"(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>mg(?:\s*/\s*m(?:2|²))?)(?:\s+orally)?\s+(?P<freq>once daily|twice daily)",
    re.IGNORECASE,
)


_TIMES_WORDS = {1.0: "once daily", 2.0: "twice daily", 3.0: "three times daily"}


def times_per_day(frequency: str) -> float | None:
    """Administrations per day for a frequency as written (``twice daily``, ``BID``, ``per day``), or None."""
    text = re.sub(r"\s+", " ", frequency.strip().lower())
    for pattern, n in _FREQUENCIES:
        if pattern.match(text):
            return n
    return None


def _unit_key(unit: str) -> tuple[str, float] | None:
    """(``flat`` or ``per_m2``, factor to mg) for a dose unit, or None when not a mass unit."""
    text = unit.strip().lower()
    if m := _PER_M2.match(text):
        return "per_m2", _MASS_IN_MG[m["mass"].lower()]
    if text in _MASS_IN_MG:
        return "flat", _MASS_IN_MG[text]
    return None


def check_dose(agent: str, dose: float, unit: str, frequency: str | None = None) -> str | None:
    """Compare a recorded dose with the label dose of the drug vocabulary.

    The accepted doses are the structured label dose and every "<dose> mg [/m2] once|twice daily"
    stated in the label text (so a lead-in dose or a paediatric mg/m² dose is consistent).

    Parameters
    ----------
    agent : str
        Generic, brand or code name.
    dose : float
        Dose per administration as recorded.
    unit : str
        ``mg``, ``g``, ``mcg`` or a per-m² unit such as ``mg/m2``.
    frequency : str, optional
        As recorded (``twice daily``, ``BID``, ``per day`` ...). When absent, only the amount per
        administration is compared.

    Returns
    -------
    str or None
        ``"check dose: ..."`` when the dose or frequency differs from the label dose; None when
        they agree, when the drug has no label dose, or when the unit cannot be compared.

    Raises
    ------
    VocabularyError
        Unknown agent.
    InputError
        Negative dose.

    Examples
    --------
    >>> check_dose("alectinib", 600, "mg", "per day").split(";")[0]
    'check dose: alectinib 600 mg per day (600 mg/day) differs from the label dose 600 mg twice daily (1200 mg/day)'
    """
    if dose < 0:
        raise InputError(f"dose {dose:g} is negative; give the recorded dose", location="dose")
    drug = drugs().require(agent, field="agent")
    label = drug.label_dose
    if label is None:
        return None
    key = _unit_key(unit)
    if key is None:
        return None
    kind, factor = key
    amount_mg = dose * factor
    per_day = times_per_day(frequency) if frequency else None

    accepted: list[tuple[str, float, float]] = []  # (kind, mg per administration, times per day)
    label_key = _unit_key(label.unit)
    label_times = times_per_day(label.frequency)
    if label_key is not None and label_times is not None:
        accepted.append((label_key[0], label.dose * label_key[1], label_times))
    for m in _LABEL_DOSE.finditer(label.text):
        found_key = _unit_key(m["unit"])
        found_times = times_per_day(m["freq"])
        if found_key is not None and found_times is not None:
            accepted.append((found_key[0], float(m["dose"]) * found_key[1], found_times))
    comparable = [a for a in accepted if a[0] == kind]
    if not comparable:
        return None
    for _, mg, times in comparable:
        if math.isclose(mg, amount_mg, rel_tol=1e-6) and (per_day is None or per_day == times):
            return None

    _, label_mg, label_times_n = comparable[0]
    shown_unit = "mg/m2" if kind == "per_m2" else "mg"
    recorded = f"{dose:g} {unit.strip()}" + (f" {frequency.strip()}" if frequency else "")
    reference = f"{label_mg:g} {shown_unit} {_TIMES_WORDS.get(label_times_n, f'{label_times_n:g} times daily')}"
    if per_day is not None:
        recorded += f" ({amount_mg * per_day:g} {shown_unit}/day)"
        reference += f" ({label_mg * label_times_n:g} {shown_unit}/day)"
    message = f"check dose: {drug.name} {recorded} differs from the label dose {reference}"
    if label.text.strip() != f"{label.dose:g} {label.unit} {label.frequency}":
        message += f"; label: {label.text}"
    return message
