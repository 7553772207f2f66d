"""Use case ``evaluate``: score one or more extractors against gold Case JSON, side by side.

The result owns its JSON form (``--json``), the table of per-field scores and the lines said
around it, so that every adapter shows the same numbers with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseseries.extraction.base import read_text_file
from caseseries.extraction.evaluate import FIELDS, Evaluation, evaluate, tolerance_text

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class Comparison:
    """The evaluations of the extractors compared, in the order asked, on one gold set."""

    evaluations: list[Evaluation]
    tolerance: float

    def to_json(self) -> list[dict[str, Any]]:
        """One JSON-ready summary per extractor (``evaluate --json``)."""
        return [e.as_dict() for e in self.evaluations]

    def heading(self) -> str:
        """The line before the table: documents, gold patients and the numeric tolerance."""
        first = self.evaluations[0]
        return (
            f"{first.documents} documents; gold patients {first.gold_patients}. "
            f"Tolerance: {tolerance_text(self.tolerance)}."
        )

    def table(self) -> Table:
        """Precision / recall / F1 (tp/fp/fn) per field and overall, one column per extractor."""
        from rich.table import Table

        table = Table(title="Field-level precision / recall / F1")
        table.add_column("field")
        for e in self.evaluations:
            table.add_column(f"{e.extractor} P/R/F1 (tp/fp/fn)")
        for name in (*FIELDS, "overall"):
            row = [name]
            for e in self.evaluations:
                c = e.scores.overall if name == "overall" else e.scores.fields[name]
                row.append(f"{c.precision:.3f} / {c.recall:.3f} / {c.f1:.3f} ({c.tp}/{c.fp}/{c.fn})")
            table.add_row(*row)
        return table


def summary_line(evaluation: Evaluation) -> str:
    """The line after the table for one extractor: patients predicted and matched, overall F1."""
    e = evaluation
    return (
        f"{e.extractor}: patients predicted {e.predicted_patients}, matched {e.matched_patients} "
        f"of {e.gold_patients}; overall F1 {e.scores.overall.f1:.3f}"
    )


def evaluate_extractors(
    gold_dir: str | Path, text_dir: str | Path, extractors: Sequence[str], *, tolerance: float = 0.05
) -> Comparison:
    """Extract every gold-annotated text with each registered extractor and score the results.

    Parameters
    ----------
    gold_dir : str or Path
        Folder of gold Case JSON files.
    text_dir : str or Path
        Folder of the texts the gold documents name (``source.path``), read as extraction reads them.
    extractors : sequence of str
        Registered extractor names, in the order they are shown.
    tolerance : float
        Relative tolerance for PFS (absolute floor 0.5 months).

    Returns
    -------
    Comparison

    Raises
    ------
    InputError, FormatError
        An unknown extractor, a tolerance outside [0, 1), or an unreadable gold set.
    """
    evaluations = [
        evaluate(gold_dir, text_dir, extractor=name, tolerance=tolerance, read_text=read_text_file)
        for name in extractors
    ]
    return Comparison(evaluations, tolerance)
