"""Apply a protocol's rules to every record of its searches and imports, recording suggestions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from caseseries.screening.decisions import RULES_ACTOR, DecisionLog, NewDecision, Role
from caseseries.screening.protocol import Decision, Protocol, Stage
from caseseries.screening.records import RecordSet, protocol_extractor, record_plan
from caseseries.screening.rules import Suggestion, rules_fingerprint, suggest
from caseseries.store import Store

_DECISIONS = {d.value: d for d in Decision}  # looked up, not converted: 100,000 of them

BATCH = 1000
"""Suggestions recorded per transaction (an interrupted run keeps the batches committed)."""


@dataclass
class ScreenResult:
    """What a screening run did.

    Attributes
    ----------
    stage : Stage
        The stage screened.
    suggestions : list of Suggestion
        One per record the rules were applied to.
    changed : int
        Suggestions that were new or different from the stored ones.
    not_eligible : list of str
        Keys not screened at this stage (excluded at title-abstract, or no full text).
    missing : list of str
        Keys a search found that are not stored (fetch or import them).
    unchanged : dict
        Key -> stored suggestion of the records the rules were not applied to again: neither the
        record nor the rules' fingerprint changed since their suggestion was stored.
    """

    stage: Stage
    suggestions: list[Suggestion] = field(default_factory=list)
    changed: int = 0
    not_eligible: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unchanged: dict[str, Decision] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of suggestions per decision (those made now and those that stand)."""
        c = Counter(s.decision.value for s in self.suggestions)
        c.update(d.value for d in self.unchanged.values())
        return {d.value: c.get(d.value, 0) for d in Decision}


def screen(
    store: Store,
    protocol: Protocol,
    stage: Stage = Stage.TITLE_ABSTRACT,
    records: RecordSet | None = None,
    *,
    rescreen: bool = False,
) -> ScreenResult:
    """Apply the protocol's rules at a stage and record the suggestions, a batch per transaction.

    A record whose stored suggestion stands (the record not updated since, the rules'
    fingerprint the same: :func:`~caseseries.screening.rules.rules_fingerprint`) is neither read
    nor screened again, unless ``rescreen``. At the full-text stage only records that passed
    title-abstract screening (not excluded) and have a full text are screened.

    Parameters
    ----------
    store : Store
        The case store.
    protocol : Protocol
        The review protocol.
    stage : Stage
        ``title-abstract`` or ``full-text``.
    records : RecordSet or None
        Pre-gathered records (default: the protocol's records, read from the store a batch at a time).
    rescreen : bool
        Apply the rules to every record, also those whose suggestion stands.

    Returns
    -------
    ScreenResult
        Suggestions and counts.
    """
    log = DecisionLog(store, protocol.name)
    extractor = protocol_extractor(protocol)
    fingerprint = rules_fingerprint(protocol, stage, extractor)
    if records is None:
        plan = record_plan(store, protocol)
        found_in, missing = plan.found_in, plan.missing
    else:
        found_in = {k: sorted(r.searches) for k, r in records.records.items()}
        missing = records.missing
    result = ScreenResult(stage, missing=list(missing))
    passed = log.passed_title_abstract() if stage is Stage.FULL_TEXT else set()
    standing = {} if rescreen else log.standing(stage, fingerprint, found_in)
    todo: list[str] = []
    for key in found_in:
        if stage is Stage.FULL_TEXT and key not in passed:
            result.not_eligible.append(key)
        elif key in standing:
            result.unchanged[key] = _DECISIONS[standing[key][2]]
        else:
            todo.append(key)
    # read before the records, so a record changed meanwhile is screened again next time
    versions = store.decisions.record_versions(todo if len(todo) <= BATCH else None)
    for start in range(0, len(todo), BATCH):  # a batch at a time: only the suggestions are kept
        chunk = todo[start : start + BATCH]
        if records is None:
            gathered = plan.records(store, extractor=extractor, keys=chunk)
        else:
            gathered = ((k, records.records[k]) for k in chunk)
        pending: list[NewDecision] = []
        for key, record in gathered:
            if stage is Stage.FULL_TEXT and not record.has_full_text():
                result.not_eligible.append(key)
                continue
            s = suggest(protocol, record, stage)
            result.suggestions.append(s)
            pending.append(
                NewDecision(
                    key,
                    stage,
                    s.decision,
                    Role.RULE,
                    RULES_ACTOR,
                    s.rule_id,
                    s.reason,
                    fingerprint.of(record.searches),
                    versions.get(key),
                    s.score,
                )
            )
        result.changed += log.record_many(pending, via="rules")
    return result
