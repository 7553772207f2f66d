"""Decisions: one commit each, the audit log, interrupted reviews, CSV import, two reviewers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from screening_fixtures import Review, quiet

from caseseries.errors import InputError
from caseseries.screening import Decision, DecisionLog, ReviewSession, Role, Stage, Status, import_decisions, screen
from caseseries.screening.decisions import RULES_ACTOR

TA = Stage.TITLE_ABSTRACT
Script = Callable[[list[str]], Callable[[str], str]]


def test_changes_are_audited_and_unchanged_writes_are_not(review: Review) -> None:
    log = DecisionLog(review.store, review.protocol.name)
    assert log.record("pmid:1007", TA, Decision.MAYBE, role=Role.REVIEWER, actor="AB") is True
    assert log.record("pmid:1007", TA, Decision.MAYBE, role=Role.REVIEWER, actor="AB") is False
    assert log.record("pmid:1007", TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB", reason="no alectinib")
    trail = [(a.old_decision, a.new_decision, a.reason, a.via) for a in log.audit("pmid:1007")]
    assert trail == [
        (None, Decision.MAYBE, None, "review"),
        (Decision.MAYBE, Decision.EXCLUDE, "no alectinib", "review"),
    ]
    [entry] = log.entries(TA)
    assert (entry.decision, entry.by, entry.reason) == (Decision.EXCLUDE, "AB", "no alectinib")


def test_rule_suggestions_are_recorded_with_the_rule(review: Review) -> None:
    screen(review.store, review.protocol)
    log = DecisionLog(review.store, review.protocol.name)
    entries = {e.key: e for e in log.entries(TA)}
    assert (entries["pmid:1005"].decision, entries["pmid:1005"].by) == (Decision.EXCLUDE, "animals-only")
    assert entries["pmid:1005"].reason == "animal or laboratory study"
    assert all(e.role is Role.RULE and e.actor == RULES_ACTOR for e in entries.values())
    again = screen(review.store, review.protocol)
    assert again.changed == 0
    assert len(log.audit()) == 9


def test_reserved_and_empty_reviewer_names_are_refused(sqlite_review: Review) -> None:
    log = DecisionLog(sqlite_review.store, "p")
    with pytest.raises(InputError) as err:
        log.record("pmid:1001", TA, Decision.INCLUDE, role=Role.REVIEWER, actor="rules")
    assert str(err.value) == "reviewer name 'rules' is empty or reserved; give your name with --reviewer"


def test_review_loop_records_decisions_with_picked_reasons(review: Review, scripted: Script) -> None:
    screen(review.store, review.protocol)
    keys, _ = ReviewSession(review.store, review.protocol, "AB", console=quiet()).queue()
    assert len(keys) == 9 and "pmid:1007" in keys  # the rules' decisions await a human; 1007 they left undecided
    # confirm every rule decision (c), decide the undecided record by hand
    answers = [a for k in keys for a in (["x", "e", "9", "0", "crizotinib only"] if k == "pmid:1007" else ["c"])]
    session = ReviewSession(review.store, review.protocol, "AB", input_fn=scripted(answers), console=quiet())
    summary = session.run()
    assert (summary.decided, summary.remaining, summary.quit) == (9, 0, False)
    human = {e.key: e for e in DecisionLog(review.store, review.protocol.name).entries(TA) if e.role is Role.REVIEWER}
    assert (human["pmid:1007"].decision, human["pmid:1007"].reason) == (Decision.EXCLUDE, "crizotinib only")
    # a confirmation files the rules' decision and reason under the reviewer
    assert (human["pmid:1005"].decision, human["pmid:1005"].reason) == (Decision.EXCLUDE, "animal or laboratory study")


def test_reason_picker_numbers_the_protocol_reasons(sqlite_review: Review, scripted: Script) -> None:
    review = sqlite_review
    session = ReviewSession(
        review.store, review.protocol, "AB", input_fn=scripted(["e", "2", "q"]), console=quiet(), include_suggested=True
    )
    session.run()
    [entry] = DecisionLog(review.store, review.protocol.name).entries(TA)
    assert (
        entry.reason == review.protocol.reasons(Decision.EXCLUDE)[1] == "not about inflammatory myofibroblastic tumour"
    )


def test_interrupted_review_keeps_every_decision_made(review: Review, scripted: Script) -> None:
    protocol = review.protocol
    first = ReviewSession(
        review.store, protocol, "AB", input_fn=scripted(["i", "", "s", "e", "", "^C"]), console=quiet()
    )
    before, _ = first.queue()
    assert len(before) == 9  # nothing screened by rules yet: every record is undecided
    summary = first.run()
    assert (summary.decided, summary.skipped, summary.quit) == (2, 1, True)
    # a new session (as after a crash) sees the two decisions and offers the other seven
    second = ReviewSession(review.store, protocol, "AB", input_fn=scripted([]), console=quiet())
    after, _ = second.queue()
    decided = {e.key: e.decision for e in DecisionLog(review.store, protocol.name).entries(TA)}
    assert decided == {before[0]: Decision.INCLUDE, before[2]: Decision.EXCLUDE}
    assert set(after) == set(before) - set(decided)
    assert second.run().quit is True  # end of input stops cleanly


def test_csv_import_and_two_reviewer_conflicts(review: Review, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("pmid,decision,reason\n1007,exclude,no alectinib\n1001,include,\n1003,include,\n", "utf-8")
    b = tmp_path / "b.csv"
    b.write_text("key,decision,reason,stage\npmid:1007,include,,title-abstract\npmid:1001,include,,\n", "utf-8")
    assert import_decisions(a, review.store, reviewer="AB", protocol=review.protocol) == {"fixture-review": 3}
    assert import_decisions(b, review.store, reviewer="CD", protocol=review.protocol) == {"fixture-review": 2}
    log = DecisionLog(review.store, review.protocol.name)
    [conflict] = log.conflicts()
    assert conflict.key == "pmid:1007"
    assert {(e.actor, e.decision) for e in conflict.entries} == {("AB", Decision.EXCLUDE), ("CD", Decision.INCLUDE)}
    agreed = log.effective(TA)["pmid:1001"]
    assert (agreed.status, agreed.decision) == (Status.REVIEWED, Decision.INCLUDE)
    log.record("pmid:1007", TA, Decision.EXCLUDE, role=Role.RESOLUTION, actor="EF", reason="no alectinib")
    assert log.conflicts() == []
    resolved = log.effective(TA)["pmid:1007"]
    assert (resolved.status, resolved.decision, resolved.reason) == (Status.RESOLVED, Decision.EXCLUDE, "no alectinib")


def test_resolve_mode_walks_only_conflicts(sqlite_review: Review, scripted: Script) -> None:
    review = sqlite_review
    log = DecisionLog(review.store, review.protocol.name)
    log.record("pmid:1007", TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB")
    log.record("pmid:1007", TA, Decision.INCLUDE, role=Role.REVIEWER, actor="CD")
    log.record("pmid:1001", TA, Decision.INCLUDE, role=Role.REVIEWER, actor="AB")
    session = ReviewSession(
        review.store, review.protocol, "EF", input_fn=scripted(["e", ""]), console=quiet(), resolve=True
    )
    assert session.queue()[0] == ["pmid:1007"]
    session.run()
    assert log.effective(TA)["pmid:1007"].status is Status.RESOLVED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "pmid,verdict\n1,include\n",
            "unknown column 'verdict'; allowed columns: key, pmid, doi, decision, reason, stage, protocol",
        ),
        ("pmid,decision\n1001,yes\n", "line 2: decision: unknown value 'yes'; allowed: include, exclude, maybe"),
        (
            "pmid,decision\n1001,include\n9999,exclude\n",
            "line 3: key: record 'pmid:9999' is not in the database; import it first (caseseries import FILE)",
        ),
        (
            "pmid,decision,stage\n1001,include,abstract\n",
            "line 2: stage: unknown value 'abstract'; allowed: title-abstract, full-text",
        ),
    ],
)
def test_csv_errors_name_the_line_and_write_nothing(
    sqlite_review: Review, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(InputError) as err:
        import_decisions(path, sqlite_review.store, reviewer="AB", protocol=sqlite_review.protocol)
    where = "" if message.startswith("line") else "line 1: "
    assert str(err.value) == f"{path}: {where}{message}"
    assert DecisionLog(sqlite_review.store, "fixture-review").entries() == []


decisions = st.lists(
    st.tuples(
        st.sampled_from(["pmid:1001", "pmid:1002"]),
        st.sampled_from(list(Decision)),
        st.sampled_from(["AB", "CD"]),
        st.none() | st.text(min_size=1, max_size=8),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=decisions)
def test_audit_log_replays_to_the_current_decisions(
    sqlite_review: Review, steps: list[tuple[str, Decision, str, str | None]]
) -> None:
    log = DecisionLog(sqlite_review.store, f"prop-{abs(hash(tuple(steps)))}")
    for key, decision, who, reason in steps:
        log.record(key, TA, decision, role=Role.REVIEWER, actor=who, reason=reason)
    replay: dict[tuple[str, str], tuple[Decision, str | None]] = {}
    for a in log.audit():
        assert a.old_decision == (replay[(a.key, a.actor)][0] if (a.key, a.actor) in replay else None)
        replay[(a.key, a.actor)] = (a.new_decision, a.reason)
    assert replay == {(e.key, e.actor): (e.decision, e.reason) for e in log.entries(TA)}
