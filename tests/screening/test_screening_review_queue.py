"""The review queue: ordered by the rule scores stored by ``screen``, only the records shown are read.

The order is the one the rules' suggestions give when worked out afresh (``rank_records``);
``order=model`` ranks by the TF-IDF model once enough decisions are reviewed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import pytest
from screening_fixtures import Review, quiet

from caseseries.cli import main
from caseseries.screening import Decision, DecisionLog, ReviewSession, Role, Stage, rank_records, screen
from caseseries.screening.ranking import Order
from caseseries.screening.records import protocol_records
from caseseries.store.publications import PublicationRepository

TA = Stage.TITLE_ABSTRACT
Script = Callable[[list[str]], Callable[[str], str]]


def _fresh_order(review: Review, keys: list[str]) -> list[str]:
    records = protocol_records(review.store, review.protocol)
    return rank_records(DecisionLog(review.store, review.protocol.name), review.protocol, records.records, keys).keys()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of every publication read from the store while the test runs."""
    seen: list[str] = []
    original = PublicationRepository.get

    def counting(self: PublicationRepository, keys: Collection[str]) -> object:
        seen.extend(keys)
        return original(self, keys)

    monkeypatch.setattr(PublicationRepository, "get", counting)
    return seen


def test_the_stored_scores_give_the_order_of_fresh_suggestions(review: Review) -> None:
    screen(review.store, review.protocol)
    keys, ranking = ReviewSession(review.store, review.protocol, "AB", console=quiet()).queue()
    assert ranking.method == "rules"
    assert keys == _fresh_order(review, keys)
    assert keys[:4] == ["pmid:1001", "pmid:1002", "pmid:1003", "doi:10.1000/imt.2023.7"]


def test_after_screening_only_the_records_shown_are_read(
    sqlite_review: Review, scripted: Script, reads: list[str]
) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    reads.clear()
    session = ReviewSession(review.store, review.protocol, "AB", input_fn=scripted(["s", "q"]), console=quiet())
    summary = session.run()
    assert (summary.skipped, summary.quit, summary.remaining) == (1, True, 9)
    assert reads == ["pmid:1001", "pmid:1002"]


def test_records_without_a_standing_suggestion_are_scored_afresh(sqlite_review: Review, reads: list[str]) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    pub = review.publications["pmid:1008"]
    title = "Alectinib for an inflammatory myofibroblastic tumour: case report"
    review.store.upsert_publication(pub.model_copy(update={"title": title}))
    reads.clear()
    keys, _ = ReviewSession(review.store, review.protocol, "AB", console=quiet()).queue()
    assert reads == ["pmid:1008"]
    assert keys == _fresh_order(review, keys)


def test_without_stored_suggestions_the_queue_is_the_rules_order(sqlite_review: Review) -> None:
    keys, ranking = ReviewSession(sqlite_review.store, sqlite_review.protocol, "AB", console=quiet()).queue()
    assert ranking.method == "rules" and len(keys) == 9
    assert keys == _fresh_order(sqlite_review, keys)


def _label(review: Review) -> None:
    log = DecisionLog(review.store, review.protocol.name)
    for key in ("pmid:1001", "pmid:1002", "pmid:1003"):
        log.record(key, TA, Decision.INCLUDE, role=Role.REVIEWER, actor="AB")
    for key in ("pmid:1004", "pmid:1005", "pmid:1006"):
        log.record(key, TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB")


def test_model_order_is_chosen_not_the_default(sqlite_review: Review) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    _label(review)
    default = ReviewSession(review.store, review.protocol, "CD", console=quiet())
    model = ReviewSession(review.store, review.protocol, "CD", console=quiet(), order=Order.MODEL)
    keys, ranking = default.queue()
    learned, by_model = model.queue()
    assert (ranking.method, by_model.method) == ("rules", "model")
    assert sorted(keys) == sorted(learned)
    assert all(0.0 <= r.score <= 1.0 for r in by_model.order)
    assert learned[-1] == "pmid:1006"  # the lung-cancer trial is the least likely include


def test_model_order_with_too_few_decisions_is_the_rules_order(sqlite_review: Review) -> None:
    review = sqlite_review
    screen(review.store, review.protocol)
    keys, ranking = ReviewSession(review.store, review.protocol, "AB", console=quiet(), order=Order.MODEL).queue()
    assert ranking.method == "rules" and keys == _fresh_order(review, keys)


def test_screen_again_counts_the_unchanged_and_rescreen_applies_the_rules(
    cli_review: tuple[str, Review], capsys: pytest.CaptureFixture[str]
) -> None:
    url, review = cli_review
    proto = str(review.protocol_path)
    assert main(["--db", url, "screen", "--protocol", proto]) == 0
    capsys.readouterr()
    assert main(["--db", url, "screen", "--protocol", proto]) == 0
    assert capsys.readouterr().out.startswith(
        "fixture-review, title-abstract: 9 records screened by rules (4 include, 4 exclude, 1 maybe), "
        "9 of them unchanged since their last screening; 0 new or changed.\n"
    )
    assert main(["--db", url, "screen", "--protocol", proto, "--rescreen"]) == 0
    assert capsys.readouterr().out.startswith(
        "fixture-review, title-abstract: 9 records screened by rules (4 include, 4 exclude, 1 maybe); 0 new or changed."
    )


def test_review_order_model_and_a_bad_order(
    cli_review: tuple[str, Review], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url, review = cli_review
    screen(review.store, review.protocol)
    _label(review)
    monkeypatch.setattr("builtins.input", lambda prompt="": "q")
    review_cd = ["--db", url, "screen", "review", "--protocol", str(review.protocol_path), "--reviewer", "CD"]
    assert main([*review_cd, "--order", "model"]) == 0
    assert capsys.readouterr().out.endswith("0 decided, 0 skipped, 9 still to review (ordered by model).\n")
    assert main([*review_cd, "--order", "tfidf"]) == 2
    assert capsys.readouterr().err == "Error: --order: unknown order 'tfidf'; allowed: rules, model\n"
