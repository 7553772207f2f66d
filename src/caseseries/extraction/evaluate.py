"""Field-level evaluation of extraction against gold Case JSON.

Patients of a document are matched one-to-one by best agreement
(:func:`scipy.optimize.linear_sum_assignment` on the number of agreeing field values), lines by
their line number. Each field then counts true positives (gold and prediction agree), false
positives (a predicted value that is absent or different in the gold) and false negatives (a
gold value that is missing or different in the prediction); list fields count per element.
Extra predicted patients are false positives, missed gold patients false negatives.

Line start dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) are scored where the gold records one:
equal is a true positive, a different or missing predicted date a false negative (and a different
one a false positive too); a gold line without a start date has nothing to match, and the start
date of a predicted line the gold does not have is not counted (that line's other fields are).

Numbers agree within a tolerance: PFS within ``tolerance`` relative (default 5%) or 0.5 months
absolute, whichever is larger; age within 1 year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from caseseries.errors import InputError
from caseseries.extraction.base import ExtractionResult
from caseseries.extraction.registry import get_extractor
from caseseries.model import CaseDocument, Patient, TherapyLine, load_case_file

PATIENT_FIELDS = (
    "age_years",
    "sex",
    "diagnosis",
    "primary_site",
    "metastatic_sites",
    "alk.status",
    "alk.methods",
    "fusions",
    "mutations",
    "reference",
)
LINE_FIELDS = (
    "lines.agents",
    "lines.best_response",
    "lines.pfs_months",
    "lines.pfs_censored",
    "lines.resistance_mutations",
    "lines.summarised_lines",
    "lines.start",
)
FIELDS = PATIENT_FIELDS + LINE_FIELDS
PFS_ABSOLUTE = 0.5
AGE_ABSOLUTE = 1.0


@dataclass
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Add another field's counts."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when the gold has nothing."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Counts and scores rounded to 3 decimals."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class Scores:
    """Counts per field plus the mismatches behind them."""

    fields: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    mismatches: list[str] = field(default_factory=list)

    def add(self, other: Scores) -> None:
        """Add another document's counts."""
        for name, counts in other.fields.items():
            self.fields[name].add(counts)
        self.mismatches.extend(other.mismatches)

    @property
    def overall(self) -> Counts:
        """Micro-averaged counts over all fields."""
        total = Counts()
        for counts in self.fields.values():
            total.add(counts)
        return total


@dataclass
class Evaluation:
    """The result of evaluating one extractor on a gold set."""

    extractor: str
    tolerance: float
    documents: int = 0
    gold_patients: int = 0
    predicted_patients: int = 0
    matched_patients: int = 0
    scores: Scores = field(default_factory=Scores)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "extractor": self.extractor,
            "tolerance": tolerance_text(self.tolerance),
            "documents": self.documents,
            "patients": {
                "gold": self.gold_patients,
                "predicted": self.predicted_patients,
                "matched": self.matched_patients,
            },
            "fields": {name: c.as_dict() for name, c in self.scores.fields.items()},
            "overall": self.scores.overall.as_dict(),
            "mismatches": self.scores.mismatches,
            "warnings": self.warnings,
        }


def tolerance_text(tolerance: float) -> str:
    """The numeric tolerance in words, as printed with every evaluation."""
    return (
        f"PFS within {tolerance:.0%} relative or {PFS_ABSOLUTE:g} months absolute (whichever is larger); "
        f"age within {AGE_ABSOLUTE:g} year"
    )


# ------------------------------------------------------------------------------------ values per field
def _norm(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "value"):
        value = value.value
    if isinstance(value, str):
        value = " ".join(value.lower().split())
        return value or None
    return value


def _patient_value(p: Patient, name: str) -> Any:
    if name == "alk.status":
        return _norm(p.alk.status)
    if name == "alk.methods":
        return {_norm(m) for m in p.alk.methods}
    if name == "metastatic_sites":
        return {_norm(s) for s in p.metastatic_sites}
    if name == "fusions":
        return {f.label.lower() for f in p.fusions}
    if name == "mutations":
        return {f"{m.gene} {m.protein or m.coding}".lower() for m in p.mutations if m.protein or m.coding}
    return _norm(getattr(p, name))


def _line_value(line: TherapyLine, name: str) -> Any:
    key = name.split(".", 1)[1]
    if key == "agents":
        return {_norm(a) for a in line.agents}
    if key == "resistance_mutations":
        return {_norm(a) for a in line.resistance_mutations}
    return _norm(getattr(line, key))


def _agree(name: str, gold: Any, pred: Any, tolerance: float) -> bool:
    if name == "age_years":
        return abs(float(gold) - float(pred)) <= AGE_ABSOLUTE
    if name == "lines.pfs_months":
        return abs(float(gold) - float(pred)) <= max(PFS_ABSOLUTE, tolerance * abs(float(gold)))
    return bool(gold == pred)


def _count(name: str, gold: Any, pred: Any, tolerance: float) -> Counts:
    if isinstance(gold, set) or isinstance(pred, set):
        g = gold or set()
        p = pred or set()
        return Counts(len(g & p), len(p - g), len(g - p))
    if gold is None and pred is None:
        return Counts()
    if gold is None:
        return Counts(fp=1)
    if pred is None:
        return Counts(fn=1)
    if _agree(name, gold, pred, tolerance):
        return Counts(tp=1)
    return Counts(fp=1, fn=1)


def compare_patients(gold: Patient | None, pred: Patient | None, tolerance: float = 0.05, where: str = "") -> Scores:
    """Field counts for one gold patient against one predicted patient (either may be None).

    Parameters
    ----------
    gold, pred : Patient or None
        None stands for a missing patient (all the other's values count as errors).
    tolerance : float
        Relative tolerance for PFS.
    where : str
        Prefix for mismatch messages.

    Returns
    -------
    Scores
        Counts per field and a message per disagreement.
    """
    scores = Scores()
    for name in PATIENT_FIELDS:
        g = _patient_value(gold, name) if gold else None
        p = _patient_value(pred, name) if pred else None
        _score_field(scores, name, g, p, tolerance, f"{where}{name}")
    gold_lines = {ln.line: ln for ln in (gold.lines if gold else [])}
    pred_lines = {ln.line: ln for ln in (pred.lines if pred else [])}
    for number in sorted(set(gold_lines) | set(pred_lines)):
        gl, pl = gold_lines.get(number), pred_lines.get(number)
        for name in LINE_FIELDS:
            if name == "lines.start" and (gl is None or gl.start is None):
                continue  # only start dates the gold records are scored
            g = _line_value(gl, name) if gl else None
            p = _line_value(pl, name) if pl else None
            _score_field(scores, name, g, p, tolerance, f"{where}line {number} {name[6:]}")
    return scores


def _score_field(scores: Scores, name: str, g: Any, p: Any, tolerance: float, label: str) -> None:
    """Count one field's agreement into ``scores`` and note a disagreement under ``label``."""
    if isinstance(g, set) or isinstance(p, set):
        g, p = g or set(), p or set()
    c = _count(name, g, p, tolerance)
    scores.fields[name].add(c)
    if c.fp or c.fn:
        scores.mismatches.append(f"{label}: gold {_show(g)} / extracted {_show(p)}")


def _show(value: Any) -> str:
    if isinstance(value, set):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    return "null" if value is None else str(value)


def match_patients(gold: list[Patient], pred: list[Patient], tolerance: float = 0.05) -> list[tuple[int, int]]:
    """One-to-one matching of gold and predicted patients maximising agreeing field values.

    Returns
    -------
    list of (int, int)
        Index pairs ``(gold, predicted)``; pairs that agree on nothing are left out.
    """
    if not gold or not pred:
        return []
    agreement = np.zeros((len(gold), len(pred)))
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            s = compare_patients(g, p, tolerance)
            overall = s.overall
            agreement[i, j] = overall.tp - 0.01 * (overall.fp + overall.fn) + (0.5 if g.label == p.label else 0.0)
    rows, cols = linear_sum_assignment(agreement, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if agreement[i, j] > 0]


def score_document(
    gold: CaseDocument, pred: CaseDocument, tolerance: float = 0.05, name: str = ""
) -> tuple[Scores, int]:
    """Scores of one predicted document against its gold, and the number of matched patients."""
    scores = Scores()
    pairs = match_patients(gold.patients, pred.patients, tolerance)
    matched_g = {i for i, _ in pairs}
    matched_p = {j for _, j in pairs}
    for i, j in pairs:
        g, p = gold.patients[i], pred.patients[j]
        scores.add(compare_patients(g, p, tolerance, where=f"{name}: {g.label}: "))
    for i, g in enumerate(gold.patients):
        if i not in matched_g:
            scores.add(compare_patients(g, None, tolerance, where=f"{name}: {g.label} (missed): "))
    for j, p in enumerate(pred.patients):
        if j not in matched_p:
            scores.add(compare_patients(None, p, tolerance, where=f"{name}: {p.label} (extra): "))
    return scores, len(pairs)


def gold_documents(gold_dir: Path, text_dir: Path) -> tuple[list[tuple[CaseDocument, Path]], list[str]]:
    """Gold documents whose ``source.path`` basename names a file in ``text_dir``.

    Raises
    ------
    InputError
        When a directory is missing or no gold document names a text in ``text_dir``.
    """
    for d, what in ((gold_dir, "GOLD_DIR"), (text_dir, "TEXT_DIR")):
        if not d.is_dir():
            raise InputError(f"{what} is not a directory; give the folder", source=str(d))
    pairs: list[tuple[CaseDocument, Path]] = []
    warnings: list[str] = []
    for path in sorted(gold_dir.glob("*.json")):
        case_file = load_case_file(path)
        for doc in case_file.documents:
            if not doc.source.path:
                warnings.append(f"{path.name}: a document has no source.path; skipped")
                continue
            text_path = text_dir / Path(doc.source.path).name
            if text_path.is_file():
                pairs.append((doc, text_path))
            else:
                warnings.append(f"{path.name}: no text file {text_path.name} in {text_dir}; skipped")
    if not pairs:
        raise InputError(
            f"no gold document names a text file in {text_dir}; set each document's source.path to a file name there",
            source=str(gold_dir),
        )
    return pairs, warnings


def evaluate(
    gold_dir: str | Path,
    text_dir: str | Path,
    *,
    extractor: str = "rules",
    tolerance: float = 0.05,
    read_text: Callable[[Path], str] | None = None,
) -> Evaluation:
    """Extract every gold-annotated text and score the result field by field.

    Parameters
    ----------
    gold_dir : str or Path
        Folder of Case JSON gold files.
    text_dir : str or Path
        Folder of the texts the gold documents name (``source.path`` basename).
    extractor : str
        Registered extractor name.
    tolerance : float
        Relative tolerance for PFS (absolute floor 0.5 months); age within 1 year.
    read_text : callable or None
        Reads a text file (default: UTF-8).

    Returns
    -------
    Evaluation
        Per-field and overall (micro) precision, recall and F1, with the mismatches.
    """
    if not 0 <= tolerance < 1:
        raise InputError(
            f"tolerance {tolerance} is outside [0, 1); give a fraction such as 0.05", location="--tolerance"
        )
    pairs, warnings = gold_documents(Path(gold_dir), Path(text_dir))
    engine = get_extractor(extractor)
    result = Evaluation(extractor=extractor, tolerance=tolerance, warnings=warnings)
    reader = read_text or (lambda p: p.read_text("utf-8"))
    for gold, path in pairs:
        extracted: ExtractionResult = engine.extract(reader(path), source=gold.source)
        scores, matched = score_document(gold, extracted.document, tolerance, name=path.name)
        result.scores.add(scores)
        result.documents += 1
        result.gold_patients += len(gold.patients)
        result.predicted_patients += len(extracted.document.patients)
        result.matched_patients += matched
    return result
