"""A screening run applies the rules only to records whose stored suggestion no longer stands.

A suggestion stands while its record is not updated and the rules' fingerprint is the same; the
fingerprint changes with anything a rule's outcome depends on (the table below).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from screening_fixtures import Review

from caseseries.screening import DecisionLog, Protocol, Stage, parse_protocol, screen
from caseseries.screening import rules as rules_module
from caseseries.screening.records import protocol_extractor, record_plan
from caseseries.screening.rules import rules_fingerprint
from caseseries.vocab import drugs

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


def _standing(review: Review) -> dict[str, float | None]:
    """Key -> score of the stored suggestions that stand for the review's protocol as it is."""
    protocol = review.protocol
    fingerprint = rules_fingerprint(protocol, TA, protocol_extractor(protocol))
    found_in = record_plan(review.store, protocol).found_in
    return {
        k: row[3] for k, row in DecisionLog(review.store, protocol.name).standing(TA, fingerprint, found_in).items()
    }


def _stored(review: Review) -> dict[str, tuple[Any, ...]]:
    log = DecisionLog(review.store, review.protocol.name)
    return {e.key: (e.decision, e.rule_id, e.reason) for e in log.entries(TA)}


def test_a_second_run_screens_nothing_and_counts_the_standing_suggestions(review: Review) -> None:
    first = screen(review.store, review.protocol)
    stored = _stored(review)
    again = screen(review.store, review.protocol)
    assert (len(first.suggestions), first.unchanged) == (9, {})
    assert (again.suggestions, again.changed) == ([], 0)
    assert again.unchanged == {s.key: s.decision for s in first.suggestions}
    assert again.counts() == first.counts()
    assert _stored(review) == stored
    assert len(DecisionLog(review.store, review.protocol.name).audit()) == 9


def test_only_an_updated_record_is_screened_again(review: Review) -> None:
    screen(review.store, review.protocol)
    pub = review.publications["pmid:1003"]
    review.store.upsert_publication(pub.model_copy(update={"title": f"{pub.title} (corrected)"}))
    again = screen(review.store, review.protocol)
    assert [s.key for s in again.suggestions] == ["pmid:1003"]
    assert "pmid:1003" not in again.unchanged and len(again.unchanged) == 8
    assert screen(review.store, review.protocol).suggestions == []


def test_rescreen_applies_the_rules_to_every_record(sqlite_review: Review) -> None:
    screen(sqlite_review.store, sqlite_review.protocol)
    forced = screen(sqlite_review.store, sqlite_review.protocol, rescreen=True)
    assert (len(forced.suggestions), forced.unchanged, forced.changed) == (9, {}, 0)


def _reworded(protocol: Protocol, rule_id: str, reason: str) -> Protocol:
    """The protocol with the reason of one rule reworded."""
    criteria = [c.model_copy(update={"reason": reason}) if c.id == rule_id else c for c in protocol.criteria]
    return protocol.model_copy(update={"criteria": criteria})


def test_an_edited_rule_screens_every_record_again(sqlite_review: Review) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    again = screen(review.store, _reworded(review.protocol, "animals-only", "no animals"))
    assert len(again.suggestions) == 9 and again.unchanged == {}
    excluded = {k for k, (d, rule, _) in _stored(review).items() if rule == "animals-only"}
    assert excluded and again.changed == len(excluded)  # only the reason they record changed
    assert {_stored(review)[k][2] for k in excluded} == {"no animals"}


def test_a_full_text_rule_leaves_title_abstract_suggestions_standing(sqlite_review: Review) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    assert screen(review.store, _reworded(review.protocol, "not-first-line", "late line")).suggestions == []


def test_decisions_stored_without_a_fingerprint_are_completed_without_audit(sqlite_review: Review) -> None:
    review = sqlite_review
    first = screen(review.store, review.protocol)
    with review.store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE screening_decisions SET rules_fingerprint = NULL, score = NULL"))
    again = screen(review.store, review.protocol)
    assert (len(again.suggestions), again.changed) == (9, 0)
    assert len(DecisionLog(review.store, review.protocol.name).audit()) == 9
    assert _standing(review) == {s.key: s.score for s in first.suggestions}
    assert screen(review.store, review.protocol).suggestions == []


def test_full_text_screening_skips_what_stands_and_what_did_not_pass(review: Review) -> None:
    screen(review.store, review.protocol)
    first = screen(review.store, review.protocol, FT)
    again = screen(review.store, review.protocol, FT)
    assert first.suggestions and again.suggestions == []
    assert again.unchanged == {s.key: s.decision for s in first.suggestions}
    assert sorted(again.not_eligible) == sorted(first.not_eligible)


PROTOCOL = """\
name: fp
question: q
searches: [{name: a, query: qa}, {name: b, query: qb}]
criteria:
  - {id: t, type: term, terms: [spindle], action: include, reason: spindle}
  - {id: d, type: disease, action: exclude, negate: true, reason: not the disease}
  - {id: g, type: drug, drugs: [alectinib], action: include, reason: alectinib}
  - {id: p, type: publication-type, types: [review], only: true, action: exclude, reason: review}
  - {id: f, type: term, terms: [late], stages: [full-text], action: exclude, reason: late}
"""


def _fp(text: str = PROTOCOL, stage: Stage = TA) -> str:
    return rules_fingerprint(parse_protocol(text), stage).value


def _more_brands() -> SimpleNamespace:
    entries = [d.model_copy(update={"brands": [*d.brands, "newbrand"]}) if d.name == "alectinib" else d
               for d in drugs().entries]  # fmt: skip
    return SimpleNamespace(entries=entries)


def _patch(monkeypatch: pytest.MonkeyPatch, name: str, value: Any) -> None:
    monkeypatch.setattr(rules_module, name, value)


FINGERPRINT_CASES: list[tuple[str, Callable[[pytest.MonkeyPatch], str], bool]] = [
    ("nothing changed", lambda mp: _fp(), False),
    ("a term added", lambda mp: _fp(PROTOCOL.replace("[spindle]", "[spindle, fusiform]")), True),
    ("a reason reworded", lambda mp: _fp(PROTOCOL.replace("reason: alectinib", "reason: given alectinib")), True),
    ("a rule renamed", lambda mp: _fp(PROTOCOL.replace("  - {id: t,", "  - {id: x,")), True),
    ("a full-text rule edited", lambda mp: _fp(PROTOCOL.replace("[late]", "[later]")), False),
    ("the other stage", lambda mp: _fp(stage=FT), True),
    ("the rules' code version", lambda mp: (_patch(mp, "RULES_VERSION", 99), _fp())[1], True),
    (
        "the publication-type map",
        lambda mp: (_patch(mp, "_design_file", lambda: "designs: {review: [Review, Survey]}\n"), _fp())[1],
        True,
    ),
    ("a brand name added to the drug vocabulary", lambda mp: (_patch(mp, "drugs", _more_brands), _fp())[1], True),
]


@pytest.mark.parametrize(("change", "fingerprint", "differs"), FINGERPRINT_CASES, ids=[c[0] for c in FINGERPRINT_CASES])
def test_the_fingerprint_changes_with_what_decides_a_rule(
    monkeypatch: pytest.MonkeyPatch, change: str, fingerprint: Callable[[pytest.MonkeyPatch], str], differs: bool
) -> None:
    before = _fp()
    assert (fingerprint(monkeypatch) != before) is differs


def test_the_disease_vocabulary_is_part_of_the_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    from caseseries.vocab.diseases import Disease

    before = _fp()
    written = Disease.written
    monkeypatch.setattr(Disease, "written", lambda self, related=False: (["new name"], written(self)[1]))
    assert _fp() != before


def test_the_fingerprint_is_the_same_in_every_process() -> None:
    script = (
        "import sys; from caseseries.screening import parse_protocol, Stage; "
        "from caseseries.screening.rules import rules_fingerprint; "
        "print(rules_fingerprint(parse_protocol(sys.stdin.read()), Stage.TITLE_ABSTRACT).value)"
    )
    found = {
        subprocess.run(
            [sys.executable, "-c", script], input=PROTOCOL, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert found == {_fp()}


def test_records_found_by_other_searches_differ_only_for_rules_limited_to_searches() -> None:
    plain = rules_fingerprint(parse_protocol(PROTOCOL), TA)
    assert plain.of(["a"]) == plain.of(["b"]) == plain.value
    text = PROTOCOL.replace("reason: spindle}", "reason: spindle, searches: [a]}")
    limited = rules_fingerprint(parse_protocol(text), TA)
    assert limited.of(["a"]) != limited.of(["b"]) == limited.of([]) and limited.of(["a", "b"]) == limited.of(["a"])


def test_the_suggestion_of_an_updated_record_no_longer_stands(sqlite_review: Review) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    pub = review.publications["pmid:1001"]
    review.store.upsert_publication(pub.model_copy(update={"year": (pub.year or 2000) + 1}))
    assert set(_standing(review)) == set(review.publications) - {"pmid:1001"}
