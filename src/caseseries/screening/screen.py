"""Apply a protocol's rules to every record of its searches and imports, recording suggestions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from caseseries.screening.decisions import RULES_ACTOR, DecisionLog, NewDecision, Role
from caseseries.screening.protocol import Decision, Protocol, Stage
from caseseries.screening.records import RecordSet, protocol_extractor, record_plan
from caseseries.screening.rules import ScreeningRecord, Suggestion, suggest
from caseseries.store import Store

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
    """

    stage: Stage
    suggestions: list[Suggestion] = field(default_factory=list)
    changed: int = 0
    not_eligible: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Number of suggestions per decision."""
        c = Counter(s.decision.value for s in self.suggestions)
        return {d.value: c.get(d.value, 0) for d in Decision}


def screen(
    store: Store, protocol: Protocol, stage: Stage = Stage.TITLE_ABSTRACT, records: RecordSet | None = None
) -> ScreenResult:
    """Apply the protocol's rules at a stage and record the suggestions, a batch per transaction.

    At the full-text stage only records that passed title-abstract screening (not excluded) and
    have a full text are screened.

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

    Returns
    -------
    ScreenResult
        Suggestions and counts.
    """
    log = DecisionLog(store, protocol.name)
    gathered: Iterable[tuple[str, ScreeningRecord]]
    if records is None:  # read a batch at a time: only the suggestions are kept
        plan = record_plan(store, protocol)
        gathered, missing = plan.records(store, extractor=protocol_extractor(protocol)), plan.missing
    else:
        gathered, missing = records.records.items(), records.missing
    result = ScreenResult(stage, missing=list(missing))
    passed: dict[str, bool] = {}
    if stage is Stage.FULL_TEXT:
        passed = {
            k: e.decision in (Decision.INCLUDE, Decision.MAYBE) for k, e in log.effective(Stage.TITLE_ABSTRACT).items()
        }
    pending: list[NewDecision] = []
    for key, record in gathered:
        if stage is Stage.FULL_TEXT and (not passed.get(key, False) or not record.has_full_text()):
            result.not_eligible.append(key)
            continue
        s = suggest(protocol, record, stage)
        result.suggestions.append(s)
        pending.append(NewDecision(key, stage, s.decision, Role.RULE, RULES_ACTOR, s.rule_id, s.reason))
        if len(pending) == BATCH:
            result.changed += log.record_many(pending, via="rules")
            pending.clear()
    result.changed += log.record_many(pending, via="rules")
    return result
