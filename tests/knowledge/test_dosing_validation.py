"""`knowledge dose` refuses what it cannot check and never says "no difference" without comparing.

Data-driven: the spellings of units and frequencies (``knowledge/data/dosing.yaml``) and the
command's answers, each as a table.
"""

from __future__ import annotations

import pytest

from caseseries.cli import main
from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.dosing import (
    DoseCheck,
    DoseFrequency,
    DoseUnit,
    compare_dose,
    load_dosing,
    parse_frequency,
    parse_unit,
)

UNITS = "mg, g, mcg, mg/m2, g/m2, mcg/m2"
FREQUENCIES = "once daily, twice daily, three times daily"


@pytest.mark.parametrize(
    ("text", "unit"),
    [("mg", DoseUnit.MG), ("MG", DoseUnit.MG), ("milligrams", DoseUnit.MG), ("µg", DoseUnit.MCG),
     ("ug", DoseUnit.MCG), ("g", DoseUnit.G), ("mg/m²", DoseUnit.MG_M2), ("mg / m2", DoseUnit.MG_M2),
     ("mg/m^2", DoseUnit.MG_M2), ("g/m2", DoseUnit.G_M2), ("µg/m²", DoseUnit.MCG_M2)],
)  # fmt: skip
def test_unit_spellings(text: str, unit: DoseUnit) -> None:
    assert parse_unit(text) is unit


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("BID", DoseFrequency.TWICE_DAILY), ("twice  daily", DoseFrequency.TWICE_DAILY),
     ("q12h", DoseFrequency.TWICE_DAILY), ("every 12 hours", DoseFrequency.TWICE_DAILY),
     ("QD", DoseFrequency.ONCE_DAILY), ("per day", DoseFrequency.ONCE_DAILY), ("once daily", DoseFrequency.ONCE_DAILY),
     ("t.i.d.", DoseFrequency.THREE_TIMES_DAILY), ("every 8 hours", DoseFrequency.THREE_TIMES_DAILY)],
)  # fmt: skip
def test_frequency_spellings(text: str, frequency: DoseFrequency) -> None:
    assert parse_frequency(text) is frequency


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--unit", "spoons", "--frequency", "BID"], f"Error: --unit: unknown dose unit 'spoons'; use one of: {UNITS}"),
        (["--unit", "mg", "--frequency", "whenever"],
         f"Error: --frequency: unknown frequency 'whenever'; use one of: {FREQUENCIES} (also QD, BID, TID, every 12 "
         "hours ...)"),
        (["--unit", "mg"], f"Error: --frequency: missing; give how often the dose is taken: {FREQUENCIES}"),
        (["--unit", "mg/m2", "--frequency", "BID"],
         "Error: --unit: a dose in mg/m2 needs the body-surface area; add --height-cm and --weight-kg"),
        (["--unit", "mg/m2", "--frequency", "BID", "--height-cm", "110"],
         "Error: --unit: a dose in mg/m2 needs the body-surface area; add --height-cm and --weight-kg"),
        (["--unit", "mg", "--frequency", "BID", "--dose", "0"],
         "Error: dose: dose 0 is not a positive number; give the recorded dose"),
    ],
)  # fmt: skip
def test_what_cannot_be_checked_is_refused(args: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 2 and one line listing the allowed values; nothing claims the dose was checked."""
    dose = [] if "--dose" in args else ["--dose", "600"]
    assert main(["knowledge", "dose", "alectinib", *dose, *args]) == 2
    captured = capsys.readouterr()
    assert captured.err == error + "\n"
    assert captured.out == ""


@pytest.mark.parametrize(
    ("argv", "code", "out"),
    [
        (["alectinib", "--dose", "600", "--unit", "mg", "--frequency", "BID"], 0,
         "alectinib: no difference from the label dose found\n"),
        (["ifosfamide", "--dose", "3", "--unit", "g", "--frequency", "once daily"], 1,
         "ifosfamide: not compared: no label dose in the drug vocabulary\n"),
        (["crizotinib", "--dose", "280", "--unit", "mg/m2", "--frequency", "BID", "--height-cm", "110",
          "--weight-kg", "18"], 0,
         "body-surface area (Mosteller): 0.742 m²; 280 mg/m2 = 207.654 mg\n"
         "crizotinib: no difference from the label dose found\n"),
        (["lorlatinib", "--dose", "60", "--unit", "mg/m2", "--frequency", "QD", "--height-cm", "180",
          "--weight-kg", "80"], 1,
         "body-surface area (Mosteller): 2.000 m²; 60 mg/m2 = 120 mg\n"
         "check dose: lorlatinib 60 mg/m2 QD = 120 mg for 2.000 m² (120 mg/day) differs from the label dose 100 mg "
         "once daily (100 mg/day)\n"),
    ],
)  # fmt: skip
def test_answers_say_what_was_compared(
    argv: list[str], code: int, out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A match exits 0; a difference, or a dose that could not be compared, exits 1 and says which."""
    assert main(["knowledge", "dose", *argv]) == code
    assert capsys.readouterr().out == out


def test_library_not_compared_is_not_a_match() -> None:
    """A per-m² dose against a label dose per patient, without BSA, is NOT_COMPARED (it used to pass)."""
    result = compare_dose("alectinib", 300, "mg/m2", "BID")
    assert result.status is DoseCheck.NOT_COMPARED
    assert result.message == (
        "alectinib: not compared: the label dose (600 mg twice daily with food (Japan: 300 mg twice daily)) is per "
        "patient, the recorded dose is not; give the height and weight"
    )
    with pytest.raises(InputError, match=r"^unit: unknown dose unit 'spoons'"):
        compare_dose("alectinib", 600, "spoons", "BID")
    with pytest.raises(InputError, match=r"^frequency: unknown frequency 'whenever'"):
        compare_dose("alectinib", 600, "mg", "whenever")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nunits: {}\nfrequencies: {}\nextra: 1\n", "invalid dosing vocabulary"),
        ("version: 1\nunits: {spoon: {mg: 5, per_m2: false}}\nfrequencies: {}\n", "invalid dosing vocabulary"),
        ("version: 1\nunits: {mg: {mg: 1, per_m2: false}}\nfrequencies: {}\n", "no entry for g, mcg"),
    ],
)
def test_the_vocabulary_file_is_checked(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        load_dosing(text)
