"""BSA formulas, mg/m² conversion and the check-dose flag."""

from __future__ import annotations

import json

import pytest

from caseseries.cli import main
from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.dosing import BsaFormula, absolute_dose, bsa, check_dose, mg_per_m2_to_mg, times_per_day

# Worked values from facts.md §e (computed independently there), tolerance 0.0005 m² (3 decimals).
TOL = 5e-4
WORKED = [
    (170, 70, BsaFormula.MOSTELLER, 1.818),
    (170, 70, BsaFormula.DUBOIS, 1.810),
    (170, 70, BsaFormula.HAYCOCK, 1.826),
    (170, 70, BsaFormula.GEHAN_GEORGE, 1.831),
    (110, 18, BsaFormula.MOSTELLER, 0.742),
    (110, 18, BsaFormula.HAYCOCK, 0.740),
    (110, 18, BsaFormula.DUBOIS, 0.741),
]


@pytest.mark.parametrize(("height", "weight", "formula", "expected"), WORKED)
def test_bsa_worked_values(height: float, weight: float, formula: BsaFormula, expected: float) -> None:
    """Published worked values, e.g. 170 cm / 70 kg -> Mosteller 1.818 m², DuBois 1.810 m²."""
    assert bsa(height, weight, formula) == pytest.approx(expected, abs=TOL)


def test_mosteller_matches_its_closed_form() -> None:
    """Mosteller is sqrt(H*W/3600): 180 cm x 80 kg -> exactly 2.0 m²."""
    assert bsa(180, 80) == pytest.approx(2.0, abs=1e-12)


@pytest.mark.parametrize(
    ("height", "weight", "message"),
    [
        (1.7, 70, "height_cm: height 1.7 cm is outside 20-280 cm; give the height in cm"),
        (170, 70000, "weight_kg: weight 70000 kg is outside 0.3-500 kg; give the weight in kg"),
        (170, -1, "weight_kg: weight -1 kg is outside 0.3-500 kg; give the weight in kg"),
    ],
)
def test_bsa_rejects_implausible_units(height: float, weight: float, message: str) -> None:
    """Metres or grams given by mistake raise InputError with the fix."""
    with pytest.raises(InputError) as err:
        bsa(height, weight)
    assert str(err.value) == message


def test_mg_per_m2_to_mg() -> None:
    """Crizotinib 280 mg/m² for a child with BSA 0.742 m² -> 207.8 mg per dose (before rounding)."""
    assert mg_per_m2_to_mg(280, 0.742) == pytest.approx(207.76)
    assert absolute_dose(3, "g/m²", 1.5) == (4.5, "g")
    with pytest.raises(InputError, match=r"^unit: unit 'mg' is not a dose per m²; give mg/m2, g/m2 or mcg/m2$"):
        absolute_dose(280, "mg", 0.742)
    with pytest.raises(InputError, match="not positive"):
        absolute_dose(280, "mg/m2", 0)


@pytest.mark.parametrize(
    ("text", "n"),
    [("twice daily", 2), ("BID", 2), ("b.i.d.", 2), ("every 12 hours", 2), ("per day", 1), ("once daily", 1),
     ("daily", 1), ("QD", 1), ("three times daily", 3), ("every 3 weeks", None)],
)  # fmt: skip
def test_times_per_day(text: str, n: float | None) -> None:
    """Frequencies as written map to administrations per day (None when not daily)."""
    assert times_per_day(text) == n


def test_seed_003_alectinib_600_mg_per_day_is_flagged() -> None:
    """Seed 003 records alectinib 600 mg per day; the label dose is 600 mg twice daily (1200 mg/day)."""
    assert check_dose("alectinib", 600, "mg", "per day") == (
        "check dose: alectinib 600 mg per day (600 mg/day) differs from the label dose 600 mg twice daily "
        "(1200 mg/day); label: 600 mg twice daily with food (Japan: 300 mg twice daily)"
    )


@pytest.mark.parametrize(
    ("agent", "dose", "unit", "frequency"),
    [
        ("alectinib", 600, "mg", "twice daily"),
        ("Alecensa", 0.6, "g", "BID"),
        ("alectinib", 300, "mg", "twice daily"),  # Japanese label dose, stated in the label text
        ("alectinib", 600, "mg", None),
        ("brigatinib", 90, "mg", "once daily"),  # 7-day lead-in
        ("crizotinib", 280, "mg/m2", "twice daily"),  # paediatric IMT dose
        ("lorlatinib", 100, "mg", "daily"),
        ("ifosfamide", 3, "g/m2", None),  # no label dose in the vocabulary
        ("neladalkib", 150, "mg", "once daily"),  # investigational, no label dose
    ],
)
def test_consistent_doses_are_not_flagged(agent: str, dose: float, unit: str, frequency: str | None) -> None:
    """Label doses (in any unit or frequency spelling) and drugs without a label dose give None."""
    assert check_dose(agent, dose, unit, frequency) is None


def test_differing_doses_are_flagged_with_the_label_dose() -> None:
    """Lorlatinib 200 mg and crizotinib 250 mg/m² differ from their label doses."""
    assert check_dose("lorlatinib", 200, "mg", "once daily") == (
        "check dose: lorlatinib 200 mg once daily (200 mg/day) differs from the label dose 100 mg once daily "
        "(100 mg/day)"
    )
    assert check_dose("crizotinib", 250, "mg/m2", "twice daily") == (
        "check dose: crizotinib 250 mg/m2 twice daily (500 mg/m2/day) differs from the label dose 280 mg/m2 twice "
        "daily (560 mg/m2/day); label: 250 mg orally twice daily (paediatric IMT 280 mg/m2 twice daily)"
    )
    assert check_dose("ceritinib", 750, "mg", None) == (
        "check dose: ceritinib 750 mg differs from the label dose 450 mg once daily; label: 450 mg once daily with food"
    )


def test_unknown_agent_and_negative_dose() -> None:
    """An unknown agent raises VocabularyError; a negative dose raises InputError."""
    with pytest.raises(VocabularyError) as err:
        check_dose("alectinibb", 600, "mg", None)
    assert (
        str(err.value) == "agent: unknown drug 'alectinibb'; did you mean 'alectinib', 'larotrectinib', 'entrectinib'?"
    )
    with pytest.raises(InputError, match=r"^dose: dose -600 is negative; give the recorded dose$"):
        check_dose("alectinib", -600, "mg", None)


def test_cli_bsa_and_dose(capsys: pytest.CaptureFixture[str]) -> None:
    """`knowledge bsa` prints all formulas; `knowledge dose` exits 1 with the check-dose line."""
    assert main(["knowledge", "bsa", "--height-cm", "170", "--weight-kg", "70"]) == 0
    assert capsys.readouterr().out == (
        "mosteller: 1.818 m²\ndubois: 1.810 m²\nhaycock: 1.826 m²\ngehan-george: 1.831 m²\n"
    )
    assert main(["knowledge", "bsa", "--height-cm", "110", "--weight-kg", "18", "--formula", "haycock", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"height_cm": 110.0, "weight_kg": 18.0, "bsa_m2": {"haycock": 0.74}}
    assert main(["knowledge", "bsa", "--height-cm", "1.7", "--weight-kg", "70"]) == 2
    assert capsys.readouterr().err == "Error: height_cm: height 1.7 cm is outside 20-280 cm; give the height in cm\n"
    assert main(["knowledge", "dose", "Alecensa", "--dose", "600", "--unit", "mg", "--frequency", "per day"]) == 1
    assert capsys.readouterr().out.startswith("check dose: alectinib 600 mg per day (600 mg/day) differs")
    assert main(["knowledge", "dose", "alectinib", "--dose", "600", "--unit", "mg", "--frequency", "BID"]) == 0
    assert capsys.readouterr().out == "alectinib: no difference from the label dose found\n"
