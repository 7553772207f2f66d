"""Screening a batch at a time: the same suggestions, in the same order, as screening gathered records."""

from __future__ import annotations

from screening_fixtures import Review

from caseseries.screening import DecisionLog, Role, Stage, protocol_records, screen
from caseseries.screening.decisions import NewDecision
from caseseries.screening.protocol import Decision
from caseseries.screening.records import record_plan

TA = Stage.TITLE_ABSTRACT


def test_records_read_in_batches_give_the_gathered_records_in_order(sqlite_review: Review) -> None:
    gathered = protocol_records(sqlite_review.store, sqlite_review.protocol)
    plan = record_plan(sqlite_review.store, sqlite_review.protocol)
    batched = list(plan.records(sqlite_review.store, batch=2))
    assert [k for k, _ in batched] == list(gathered.records)
    assert [(r.publication, r.searches) for _, r in batched] == [
        (r.publication, r.searches) for r in gathered.records.values()
    ]
    assert plan.missing == gathered.missing


def test_screening_read_in_batches_suggests_what_gathered_records_do(review: Review) -> None:
    store, protocol = review.store, review.protocol
    gathered = protocol_records(store, protocol)
    streamed = screen(store, protocol)
    log = DecisionLog(store, protocol.name)
    stored = {e.key: (e.decision, e.rule_id, e.reason) for e in log.entries(TA)}
    again = screen(store, protocol, records=gathered, rescreen=True)
    assert again.changed == 0
    assert [(s.key, s.decision, s.rule_id, s.reason) for s in streamed.suggestions] == [
        (s.key, s.decision, s.rule_id, s.reason) for s in again.suggestions
    ]
    assert stored == {s.key: (s.decision, s.rule_id, s.reason) for s in streamed.suggestions}
    assert streamed.missing == again.missing


def test_a_decision_changed_twice_in_one_batch_keeps_the_last_and_audits_both(sqlite_review: Review) -> None:
    log = DecisionLog(sqlite_review.store, sqlite_review.protocol.name)
    items = [
        NewDecision("pmid:1001", TA, Decision.MAYBE, Role.REVIEWER, "AB"),
        NewDecision("pmid:1002", TA, Decision.INCLUDE, Role.REVIEWER, "AB"),
        NewDecision("pmid:1001", TA, Decision.EXCLUDE, Role.REVIEWER, "AB", reason="no patients"),
    ]
    assert log.record_many(items, via="csv") == 3
    assert log.record_many(items[1:], via="csv") == 0
    [first] = [e for e in log.entries(TA) if e.key == "pmid:1001"]
    assert (first.decision, first.reason) == (Decision.EXCLUDE, "no patients")
    trail = [(a.old_decision, a.new_decision) for a in log.audit("pmid:1001")]
    assert trail == [(None, Decision.MAYBE), (Decision.MAYBE, Decision.EXCLUDE)]
