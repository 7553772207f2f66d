"""RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-247): time-point and best overall response.

Input and output follow the RECIST JSON of the design document::

    {"timepoints": [{"label": "baseline", "date": "2019-04-01",
                     "targets": [{"id": "T1", "organ": "oral cavity", "diameter_mm": 22, "node": false}],
                     "non_targets": [{"id": "N1", "status": "present"}], "new_lesion": false}, ...]}

The first time point is the baseline. For a node ``diameter_mm`` is the short axis. A target
without a diameter at a follow-up (``null`` or not listed) is not evaluated.

Rules applied (facts.md §d):

* measurability at baseline: non-nodal target >= 10 mm; nodal target short axis >= 15 mm
  (10 to < 15 mm is a pathological non-target node, < 10 mm is normal);
* at most 5 targets, at most 2 per organ;
* target CR: every non-nodal target 0 mm and every nodal target < 10 mm (so the sum may be > 0);
  PR: sum <= -30 % vs baseline; PD: sum >= +20 % vs the nadir (smallest previous sum, baseline
  included) and >= 5 mm absolute; otherwise SD; a missing target makes the target response NE
  unless the measured targets already show PD;
* non-target CR when every non-target is absent, PD on unequivocal progression, NE when one is
  not evaluated, otherwise NON_CR_NON_PD;
* overall response by RECIST 1.1 Table 1 (target disease) or the non-target-only table;
* best overall response up to the first PD; with ``confirm`` a CR/PR needs a later assessment
  >= 28 days after it (CR by CR, PR by PR or CR), and an unconfirmed one counts as SD; with
  ``min_sd_weeks`` SD (and NON_CR_NON_PD) counts only at a time point >= N weeks after baseline.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from caseseries.errors import FormatError, ValidationError
from caseseries.model.casejson import describe_validation_error
from caseseries.model.enums import Response

MAX_TARGETS = 5
MAX_TARGETS_PER_ORGAN = 2
NON_NODAL_MIN_MM = 10.0
NODE_TARGET_MIN_MM = 15.0
NODE_NORMAL_MM = 10.0
PR_THRESHOLD_PCT = -30.0
PD_THRESHOLD_PCT = 20.0
PD_MIN_INCREASE_MM = 5.0
CONFIRMATION_DAYS = 28
_EPS = 1e-9


class NonTargetResponse(StrEnum):
    """Non-target response categories; ``NON_CR_NON_PD`` is also an overall response."""

    CR = "CR"
    NON_CR_NON_PD = "NON_CR_NON_PD"
    PD = "PD"
    NE = "NE"


class NonTargetStatus(StrEnum):
    """Status of a non-target lesion at a time point."""

    PRESENT = "present"
    ABSENT = "absent"
    PROGRESSION = "progression"


OverallResponse = Response | NonTargetResponse


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetLesion(_Strict):
    """A target lesion measurement; ``diameter_mm`` is the short axis for a node."""

    id: str = Field(min_length=1)
    organ: str | None = None
    diameter_mm: float | None = None
    node: bool | None = None


class NonTargetLesion(_Strict):
    """A non-target lesion (or group of lesions in one organ) and its status."""

    id: str = Field(min_length=1)
    organ: str | None = None
    status: NonTargetStatus | None = None


class TimepointInput(_Strict):
    """One assessment."""

    label: str
    date: dt.date
    targets: list[TargetLesion] = Field(default_factory=list)
    non_targets: list[NonTargetLesion] = Field(default_factory=list)
    new_lesion: bool = False


class RecistInput(_Strict):
    """The whole RECIST input: baseline first, then follow-up assessments in date order."""

    timepoints: list[TimepointInput] = Field(min_length=1)


class TimepointResult(BaseModel):
    """Sums, changes and responses at one time point (the baseline row has null responses)."""

    model_config = ConfigDict(frozen=True)

    label: str
    date: dt.date
    sum_mm: float | None
    change_from_baseline_pct: float | None
    change_from_nadir_pct: float | None
    target: Response | None
    non_target: NonTargetResponse | None
    overall: OverallResponse | None

    def to_json(self) -> dict[str, Any]:
        """The time point as in the RECIST output JSON."""
        return {
            "label": self.label,
            "sum_mm": self.sum_mm,
            "change_from_baseline_pct": self.change_from_baseline_pct,
            "change_from_nadir_pct": self.change_from_nadir_pct,
            "target": self.target.value if self.target else None,
            "non_target": self.non_target.value if self.non_target else None,
            "overall": self.overall.value if self.overall else None,
        }


class RecistResult(BaseModel):
    """Time-point responses and the best overall response."""

    model_config = ConfigDict(frozen=True)

    timepoints: list[TimepointResult]
    best_overall_response: OverallResponse
    confirm: bool = False
    min_sd_weeks: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The RECIST output JSON of the design document."""
        return {
            "timepoints": [t.to_json() for t in self.timepoints],
            "best_overall_response": self.best_overall_response.value,
        }


def _fail(message: str, source: str, location: str) -> ValidationError:
    return ValidationError(message, source=source, location=location)


def _fmt(mm: float) -> str:
    return f"{mm:g} mm"


def parse_input(data: Any, *, source: str = "<data>") -> RecistInput:
    """Validate decoded RECIST JSON and every RECIST 1.1 rule about the input.

    Raises
    ------
    ValidationError
        Naming the field (``timepoints[0].targets[2]``), the lesion and the fix.
    """
    try:
        parsed = RecistInput.model_validate(data)
    except pydantic.ValidationError as err:
        loc, msg = describe_validation_error(err, RecistInput)
        raise _fail(msg, source, loc) from None
    _check_dates(parsed, source)
    for i, tp in enumerate(parsed.timepoints):
        _check_ids_and_diameters(tp, i, source)
    baseline_targets = _check_baseline(parsed.timepoints[0], source)
    baseline_non_targets = {n.id for n in parsed.timepoints[0].non_targets}
    for i, tp in enumerate(parsed.timepoints[1:], start=1):
        for j, t in enumerate(tp.targets):
            where = f"timepoints[{i}].targets[{j}]"
            base = baseline_targets.get(t.id)
            if base is None:
                raise _fail(
                    f"target {t.id!r} is not a baseline target; follow-up targets must be the baseline ones "
                    '(report new disease with "new_lesion": true)',
                    source,
                    f"{where}.id",
                )
            if t.node is not None and t.node != base.node:
                raise _fail(
                    f"target {t.id!r} has node={str(t.node).lower()} but node={str(base.node).lower()} at baseline; "
                    "keep the baseline value",
                    source,
                    f"{where}.node",
                )
        for j, n in enumerate(tp.non_targets):
            if n.id not in baseline_non_targets:
                raise _fail(
                    f'non-target {n.id!r} is not a baseline non-target; report new disease with "new_lesion": true',
                    source,
                    f"timepoints[{i}].non_targets[{j}].id",
                )
    return parsed


def _check_dates(parsed: RecistInput, source: str) -> None:
    for i in range(1, len(parsed.timepoints)):
        before, here = parsed.timepoints[i - 1], parsed.timepoints[i]
        if here.date <= before.date:
            raise _fail(
                f"{here.date.isoformat()} is not after {before.date.isoformat()} (timepoints[{i - 1}]); "
                "list the baseline first and the time points in date order",
                source,
                f"timepoints[{i}].date",
            )


def _check_ids_and_diameters(tp: TimepointInput, i: int, source: str) -> None:
    seen: set[str] = set()
    lesions: list[tuple[str, str]] = [(f"targets[{j}]", t.id) for j, t in enumerate(tp.targets)]
    lesions += [(f"non_targets[{j}]", n.id) for j, n in enumerate(tp.non_targets)]
    for where, lesion_id in lesions:
        if lesion_id in seen:
            raise _fail(
                f"duplicate lesion id {lesion_id!r}; give each lesion its own id",
                source,
                f"timepoints[{i}].{where}.id",
            )
        seen.add(lesion_id)
    for j, t in enumerate(tp.targets):
        if t.diameter_mm is not None and t.diameter_mm < 0:
            raise _fail(
                f"target {t.id!r}: diameter {t.diameter_mm:g} mm is negative; give the measured diameter in mm "
                "(0 if the lesion has disappeared)",
                source,
                f"timepoints[{i}].targets[{j}].diameter_mm",
            )


def _check_baseline(baseline: TimepointInput, source: str) -> dict[str, TargetLesion]:
    where = "timepoints[0]"
    if not baseline.targets and not baseline.non_targets:
        raise _fail(
            "the baseline has no target and no non-target lesions; list the disease present at baseline",
            source,
            where,
        )
    if baseline.new_lesion:
        raise _fail('a baseline cannot have a new lesion; set "new_lesion": false', source, f"{where}.new_lesion")
    if len(baseline.targets) > MAX_TARGETS:
        raise _fail(
            f"{len(baseline.targets)} target lesions at baseline; RECIST 1.1 allows at most {MAX_TARGETS} "
            "(move the others to non_targets)",
            source,
            f"{where}.targets",
        )
    per_organ: dict[str, int] = {}
    out: dict[str, TargetLesion] = {}
    for j, t in enumerate(baseline.targets):
        at = f"{where}.targets[{j}]"
        if t.organ is None or not t.organ.strip():
            raise _fail(f"target {t.id!r} has no organ; give the organ of every baseline target", source, f"{at}.organ")
        if t.diameter_mm is None:
            raise _fail(
                f"target {t.id!r} has no baseline diameter; give the measured diameter in mm "
                "or move the lesion to non_targets",
                source,
                f"{at}.diameter_mm",
            )
        node = bool(t.node)
        if node and t.diameter_mm < NODE_TARGET_MIN_MM:
            kind = "a pathological non-target node" if t.diameter_mm >= NODE_NORMAL_MM else "a normal node"
            raise _fail(
                f"target {t.id!r} is a lymph node with short axis {_fmt(t.diameter_mm)}, under the "
                f"{_fmt(NODE_TARGET_MIN_MM)} RECIST 1.1 minimum for a target node; at this size it is {kind} "
                "(move it to non_targets or drop it)",
                source,
                f"{at}.diameter_mm",
            )
        if not node and t.diameter_mm < NON_NODAL_MIN_MM:
            raise _fail(
                f"target {t.id!r} measures {_fmt(t.diameter_mm)}, under the {_fmt(NON_NODAL_MIN_MM)} "
                "RECIST 1.1 measurability minimum; move it to non_targets",
                source,
                f"{at}.diameter_mm",
            )
        organ = t.organ.strip().lower()
        per_organ[organ] = per_organ.get(organ, 0) + 1
        if per_organ[organ] > MAX_TARGETS_PER_ORGAN:
            raise _fail(
                f"target {t.id!r} is target lesion {per_organ[organ]} in {t.organ!r}; RECIST 1.1 allows at most "
                f"{MAX_TARGETS_PER_ORGAN} per organ (move it to non_targets)",
                source,
                f"{at}.organ",
            )
        out[t.id] = TargetLesion(id=t.id, organ=t.organ, diameter_mm=t.diameter_mm, node=node)
    for j, n in enumerate(baseline.non_targets):
        if n.status not in (None, NonTargetStatus.PRESENT):
            raise _fail(
                f"non-target {n.id!r} has status {n.status.value!r} at baseline; a baseline lesion is 'present'",
                source,
                f"{where}.non_targets[{j}].status",
            )
    return out


def _pct(value: float, reference: float) -> float | None:
    if reference <= 0:
        return None
    return round(100.0 * (value - reference) / reference, 1)


def _target_response(
    measured: dict[str, float],
    baseline: dict[str, TargetLesion],
    baseline_sum: float,
    nadir: float,
) -> tuple[Response, float | None]:
    """Target response and the complete sum (None when a target was not evaluated)."""
    partial = sum(measured.values())
    complete = len(measured) == len(baseline)
    increase = partial - nadir
    pd = increase >= PD_THRESHOLD_PCT / 100.0 * nadir - _EPS and increase >= PD_MIN_INCREASE_MM - _EPS
    if not complete:
        return (Response.PD if pd else Response.NE), None
    all_gone = all((measured[i] < NODE_NORMAL_MM) if baseline[i].node else (measured[i] == 0) for i in baseline)
    if all_gone:
        return Response.CR, partial
    if pd:
        return Response.PD, partial
    if baseline_sum > 0 and 100.0 * (partial - baseline_sum) / baseline_sum <= PR_THRESHOLD_PCT + _EPS:
        return Response.PR, partial
    return Response.SD, partial


def _non_target_response(tp: TimepointInput, baseline_ids: list[str]) -> NonTargetResponse:
    status = {n.id: n.status for n in tp.non_targets}
    values = [status.get(i) for i in baseline_ids]
    if NonTargetStatus.PROGRESSION in values:
        return NonTargetResponse.PD
    if None in values:
        return NonTargetResponse.NE
    if all(v is NonTargetStatus.ABSENT for v in values):
        return NonTargetResponse.CR
    return NonTargetResponse.NON_CR_NON_PD


def overall_response(
    target: Response | None, non_target: NonTargetResponse | None, new_lesion: bool
) -> OverallResponse:
    """Overall time-point response from RECIST 1.1 Table 1 (or the non-target-only table).

    Parameters
    ----------
    target : Response or None
        Target response; None when the patient has no target disease.
    non_target : NonTargetResponse or None
        Non-target response; None when the patient has no non-target disease.
    new_lesion : bool
        Whether an unequivocal new lesion was seen.
    """
    if new_lesion or target is Response.PD or non_target is NonTargetResponse.PD:
        return Response.PD
    if target is None:
        if non_target is None:
            return Response.NE
        only_non_target: dict[NonTargetResponse, OverallResponse] = {
            NonTargetResponse.CR: Response.CR,
            NonTargetResponse.NON_CR_NON_PD: NonTargetResponse.NON_CR_NON_PD,
            NonTargetResponse.NE: Response.NE,
        }
        return only_non_target[non_target]
    if target is Response.CR:
        return Response.CR if non_target in (None, NonTargetResponse.CR) else Response.PR
    return target  # PR, SD, NE with non-target non-PD or not evaluated


def evaluate(
    data: dict[str, Any],
    *,
    confirm: bool = False,
    min_sd_weeks: float | None = None,
    source: str = "<data>",
) -> RecistResult:
    """Compute RECIST 1.1 responses for every time point and the best overall response.

    Parameters
    ----------
    data : dict
        Decoded RECIST JSON (see the module docstring).
    confirm : bool
        Require CR/PR to be confirmed by a later assessment at least 28 days later.
    min_sd_weeks : float, optional
        Minimum time after baseline for SD (and NON_CR_NON_PD) to count as best response.
    source : str
        File name used in error messages.

    Returns
    -------
    RecistResult

    Raises
    ------
    ValidationError
        Malformed input or an input that breaks a RECIST 1.1 rule (too many targets, a
        non-measurable target, a node under 15 mm as target, negative or missing baseline
        diameters, dates out of order, duplicate lesion ids).

    Examples
    --------
    >>> r = evaluate({"timepoints": [
    ...     {"label": "baseline", "date": "2019-04-01",
    ...      "targets": [{"id": "T1", "organ": "oral cavity", "diameter_mm": 22}]},
    ...     {"label": "month 5", "date": "2019-09-01", "targets": [{"id": "T1", "diameter_mm": 0}]}]})
    >>> r.best_overall_response.value
    'CR'
    """
    if min_sd_weeks is not None and min_sd_weeks < 0:
        raise ValidationError(
            f"minimum SD duration {min_sd_weeks:g} weeks is negative; give 0 or more weeks",
            location="--min-sd-weeks",
        )
    parsed = parse_input(data, source=source)
    baseline_tp = parsed.timepoints[0]
    baseline = {t.id: t for t in baseline_tp.targets}
    baseline = {k: v.model_copy(update={"node": bool(v.node)}) for k, v in baseline.items()}
    baseline_non_target_ids = [n.id for n in baseline_tp.non_targets]
    baseline_sum = sum(float(t.diameter_mm or 0.0) for t in baseline.values())

    rows = [
        TimepointResult(
            label=baseline_tp.label,
            date=baseline_tp.date,
            sum_mm=round(baseline_sum, 1) if baseline else None,
            change_from_baseline_pct=None,
            change_from_nadir_pct=None,
            target=None,
            non_target=None,
            overall=None,
        )
    ]
    nadir = baseline_sum
    for tp in parsed.timepoints[1:]:
        measured = {t.id: float(t.diameter_mm) for t in tp.targets if t.diameter_mm is not None}
        target: Response | None = None
        total: float | None = None
        if baseline:
            target, total = _target_response(measured, baseline, baseline_sum, nadir)
        non_target = _non_target_response(tp, baseline_non_target_ids) if baseline_non_target_ids else None
        rows.append(
            TimepointResult(
                label=tp.label,
                date=tp.date,
                sum_mm=round(total, 1) if total is not None else None,
                change_from_baseline_pct=_pct(total, baseline_sum) if total is not None else None,
                change_from_nadir_pct=_pct(total, nadir) if total is not None else None,
                target=target,
                non_target=non_target,
                overall=overall_response(target, non_target, tp.new_lesion),
            )
        )
        if total is not None:
            nadir = min(nadir, total)
    best = best_overall_response(rows, confirm=confirm, min_sd_weeks=min_sd_weeks)
    return RecistResult(timepoints=rows, best_overall_response=best, confirm=confirm, min_sd_weeks=min_sd_weeks)


_RANK: dict[OverallResponse, int] = {
    Response.CR: 5,
    Response.PR: 4,
    Response.SD: 3,
    NonTargetResponse.NON_CR_NON_PD: 3,
    Response.PD: 2,
    Response.NE: 1,
}


def best_overall_response(
    rows: list[TimepointResult], *, confirm: bool = False, min_sd_weeks: float | None = None
) -> OverallResponse:
    """Best overall response from time-point rows (baseline first), up to the first PD.

    Parameters
    ----------
    rows : list of TimepointResult
        The baseline row followed by follow-up rows in date order.
    confirm : bool
        CR needs a later CR, PR a later PR or CR, at least 28 days later; an unconfirmed CR/PR
        counts as stable disease (SD, or NON_CR_NON_PD for non-target-only disease).
    min_sd_weeks : float, optional
        SD/NON_CR_NON_PD counts only at a time point at least this many weeks after baseline;
        otherwise it does not count (BOR is then PD if progression follows, else NE).
    """
    baseline_date = rows[0].date
    follow = []
    for row in rows[1:]:
        follow.append(row)
        if row.overall is Response.PD:
            break
    stable_level: OverallResponse = (
        Response.SD if any(r.target is not None for r in follow) else NonTargetResponse.NON_CR_NON_PD
    )

    def sd_counts(row: TimepointResult) -> bool:
        if min_sd_weeks is None:
            return True
        return (row.date - baseline_date).days >= 7.0 * min_sd_weeks - _EPS

    candidates: list[OverallResponse] = []
    for i, row in enumerate(follow):
        overall = row.overall
        if overall is None:
            continue
        if confirm and overall in (Response.CR, Response.PR):
            accepted = (Response.CR,) if overall is Response.CR else (Response.CR, Response.PR)
            later = [
                r for r in follow[i + 1 :] if (r.date - row.date).days >= CONFIRMATION_DAYS and r.overall in accepted
            ]
            if later:
                candidates.append(overall)
                continue
            if overall is Response.CR and any(
                (r.date - row.date).days >= CONFIRMATION_DAYS and r.overall is Response.PR for r in follow[i + 1 :]
            ):
                candidates.append(Response.PR)
                continue
            overall = stable_level
        if overall in (Response.SD, NonTargetResponse.NON_CR_NON_PD) and not sd_counts(row):
            continue
        candidates.append(overall)
    if not candidates:
        return Response.NE
    return max(candidates, key=lambda c: _RANK[c])


def load_file(path: str | Path) -> Any:
    """Read a RECIST JSON file (decoded, not yet validated).

    Raises
    ------
    FormatError
        The file cannot be read, is not UTF-8 or is not valid JSON (naming line and column).
    """
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as err:
        raise FormatError(f"cannot read file ({err.strerror}); check the path", source=str(p)) from None
    except UnicodeDecodeError as err:
        raise FormatError(f"not UTF-8 at byte {err.start}; save the file as UTF-8", source=str(p)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FormatError(
            f"invalid JSON: {err.msg}; fix the syntax", source=str(p), location=f"line {err.lineno} column {err.colno}"
        ) from None


def evaluate_file(path: str | Path, *, confirm: bool = False, min_sd_weeks: float | None = None) -> RecistResult:
    """Read a RECIST JSON file and :func:`evaluate` it (errors name the file)."""
    data = load_file(path)
    if not isinstance(data, dict):
        raise ValidationError(
            'the file must hold a JSON object {"timepoints": [...]}; wrap the time points in it',
            source=str(path),
            location="(top level)",
        )
    return evaluate(data, confirm=confirm, min_sd_weeks=min_sd_weeks, source=str(path))
