"""Ranking: the model puts a clearly relevant record first; rule scores when too few decisions."""

from __future__ import annotations

from screening_fixtures import Review

from caseseries.model.publication import AbstractSection, Publication
from caseseries.screening import Decision, DecisionLog, Ranker, Role, Stage, rank_records, work_saved
from caseseries.screening.records import protocol_records
from caseseries.screening.rules import ScreeningRecord

TA = Stage.TITLE_ABSTRACT


def rec(pmid: str, title: str, abstract: str) -> ScreeningRecord:
    return ScreeningRecord(Publication(pmid=pmid, title=title, abstract=[AbstractSection(text=abstract)]))


INCLUDES = [
    rec(
        "1",
        "Alectinib in ALK-positive inflammatory myofibroblastic tumor: case report",
        "A woman responded to alectinib.",
    ),
    rec("2", "Inflammatory myofibroblastic tumour treated with crizotinib then alectinib", "A boy with an IMT."),
    rec("3", "ALK-rearranged inflammatory myofibroblastic tumor of the lung: a case", "Partial response to ceritinib."),
]
EXCLUDES = [
    rec("4", "Cardiac surgery outcomes in elderly patients", "A registry of bypass surgery."),
    rec("5", "Statins and stroke prevention: a cohort", "Cholesterol lowering in 10,000 adults."),
    rec("6", "Knee osteoarthritis physiotherapy trial", "Exercise improved pain scores."),
]
CANDIDATES = [
    rec("7", "Hip replacement rehabilitation in older adults", "Walking distance after surgery."),
    rec("8", "Blood pressure control in a primary care cohort", "Adults with hypertension."),
    rec("9", "Inflammatory myofibroblastic tumour of the bladder with ALK fusion", "Alectinib gave a response."),
    rec("10", "Diet and cholesterol in adults", "A cohort of adults."),
]


def labelled(includes: int, excludes: int) -> dict[str, tuple[ScreeningRecord, Decision]]:
    out = {r.key: (r, Decision.INCLUDE) for r in INCLUDES[:includes]}
    out.update({r.key: (r, Decision.EXCLUDE) for r in EXCLUDES[:excludes]})
    return out


def test_model_puts_the_clearly_relevant_record_first() -> None:
    ranking = Ranker(min_per_class=3).rank(CANDIDATES, labelled(3, 3), {})
    assert ranking.method == "model"
    assert ranking.keys()[0] == "pmid:9"
    assert ranking.order[0].score > 0.5 > ranking.order[-1].score


def test_too_few_decisions_fall_back_to_rule_scores() -> None:
    scores = {"pmid:7": 0.0, "pmid:8": 2.5, "pmid:9": 1.0, "pmid:10": 0.0}
    ranking = Ranker(min_per_class=3).rank(CANDIDATES, labelled(3, 2), scores)
    assert ranking.method == "rules"
    assert ranking.keys() == ["pmid:8", "pmid:9", "pmid:7", "pmid:10"]


def test_review_queue_uses_rule_scores_then_learns(sqlite_review: Review) -> None:
    review = sqlite_review
    records = protocol_records(review.store, review.protocol)
    log = DecisionLog(review.store, review.protocol.name)
    keys = list(records.records)
    ranking = rank_records(log, review.protocol, records.records, keys)
    assert ranking.method == "rules"
    # the rules include 1001, 1002, 1003 and the DOI record: they come first, in record order
    assert ranking.keys()[:4] == ["pmid:1001", "pmid:1002", "pmid:1003", "doi:10.1000/imt.2023.7"]
    for key in ("pmid:1001", "pmid:1002", "pmid:1003"):
        log.record(key, TA, Decision.INCLUDE, role=Role.REVIEWER, actor="AB")
    for key in ("pmid:1004", "pmid:1005", "pmid:1006"):
        log.record(key, TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB")
    rest = ["pmid:1006", "pmid:1008", "pmid:1007", "doi:10.1000/imt.2023.7"]
    learned = rank_records(log, review.protocol, records.records, rest, ranker=Ranker(min_per_class=3))
    assert learned.method == "model"
    # the lung-cancer trial goes last; the three IMT records are all more likely includes than not
    assert learned.keys()[-1] == "pmid:1006"
    assert all(r.score > 0.5 for r in learned.order[:3])


def test_work_saved_reports_records_screened_before_the_last_include(sqlite_review: Review) -> None:
    log = DecisionLog(sqlite_review.store, sqlite_review.protocol.name)
    assert work_saved(log).last_include_position is None
    order = [
        ("pmid:1004", Decision.EXCLUDE),
        ("pmid:1001", Decision.INCLUDE),
        ("pmid:1005", Decision.EXCLUDE),
        ("pmid:1002", Decision.INCLUDE),
        ("pmid:1006", Decision.EXCLUDE),
    ]
    for key, decision in order:
        log.record(key, TA, decision, role=Role.REVIEWER, actor="AB")
    log.record("pmid:1004", TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB", reason="changed reason")
    saved = work_saved(log)
    assert (saved.screened, saved.includes, saved.last_include_position, saved.screened_before_last_include) == (
        5,
        2,
        4,
        3,
    )
    assert saved.sentence() == "the last of 2 includes was record 4 of 5 screened (3 screened before it)"
