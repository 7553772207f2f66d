"""Migration 0006: the rules' fingerprint, the record version and the score of rule decisions.

Upgrading a database that holds decisions keeps every decision and audit entry; the new columns
start empty, and the next screening run fills them without changing or auditing a decision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text
from tests.screening.screening_fixtures import write_review

from caseseries.screening import DecisionLog, Role, Stage, screen
from caseseries.screening.records import protocol_extractor, record_plan
from caseseries.screening.rules import rules_fingerprint
from caseseries.store import Store
from caseseries.store.db import _alembic_config

NEW_COLUMNS = {"rules_fingerprint", "record_updated_at", "score"}


def _decisions(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT publication_key, stage, role, actor, decision, rule_id, reason FROM screening_decisions")
        ).all()
    engine.dispose()
    return sorted(tuple(r) for r in rows)


def test_upgrading_a_database_with_decisions_keeps_them_and_the_next_run_completes_them(
    db_url: str, tmp_path: Path
) -> None:
    review = write_review(db_url, tmp_path)
    first = screen(review.store, review.protocol)
    DecisionLog(review.store, review.protocol.name).record(
        "pmid:1001", Stage.TITLE_ABSTRACT, first.suggestions[0].decision, role=Role.REVIEWER, actor="AB"
    )
    review.store.engine.dispose()
    before = _decisions(db_url)
    engine = create_engine(db_url)
    cfg = _alembic_config()
    with engine.begin() as conn:  # back to the schema of 0005, as a database made by the previous version
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_patient_links")
    assert not NEW_COLUMNS & {c["name"] for c in inspect(engine).get_columns("screening_decisions")}
    engine.dispose()

    store = Store.open(db_url)  # upgraded on opening
    assert {c["name"] for c in inspect(store.engine).get_columns("screening_decisions")} >= NEW_COLUMNS
    assert _decisions(db_url) == before
    log = DecisionLog(store, review.protocol.name)
    audited = len(log.audit())
    with store.engine.connect() as conn:
        empty = conn.execute(
            text("SELECT DISTINCT rules_fingerprint, record_updated_at, score FROM screening_decisions")
        )
        assert empty.all() == [(None, None, None)]
    fingerprint = rules_fingerprint(review.protocol, Stage.TITLE_ABSTRACT, protocol_extractor(review.protocol))
    found_in = record_plan(store, review.protocol).found_in
    assert log.standing(Stage.TITLE_ABSTRACT, fingerprint, found_in) == {}

    again = screen(store, review.protocol)  # every record screened once more: nothing stands yet
    assert (len(again.suggestions), again.changed, len(log.audit())) == (9, 0, audited)
    assert _decisions(db_url) == before
    standing = log.standing(Stage.TITLE_ABSTRACT, fingerprint, found_in)
    assert {k: row[3] for k, row in standing.items()} == {s.key: s.score for s in first.suggestions}
    assert screen(store, review.protocol).suggestions == []
