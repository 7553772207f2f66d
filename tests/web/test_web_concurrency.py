"""Twenty reviewers deciding the same queue at once through a live server lose and double-count nothing.

Each of :data:`REVIEWERS` reviewers makes :data:`DECISIONS` decisions on a queue of
:data:`RECORDS` records, all starting together (see :mod:`web_load`): 240 contending writes,
every record decided by many reviewers and most reviewers deciding some record twice. Afterwards
the store must hold exactly the last acknowledged decision of every reviewer on every record, and
one audit entry per acknowledged decision. The property is about concurrent writes to the store,
so it runs on SQLite and on PostgreSQL. A soak of the same scenario for a fixed time is
``benchmarks/bench_web_load.py``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from web_load import add_reviewers, run_load

from caseseries.store import Store

REVIEWERS = 20
DECISIONS = 12
RECORDS = 10


def test_twenty_reviewers_on_one_queue_lose_and_double_count_nothing(web_store: Store, tmp_path: Path) -> None:
    add_reviewers(web_store, REVIEWERS)
    result = run_load(web_store, tmp_path, reviewers=REVIEWERS, records=RECORDS, decisions=DECISIONS)
    assert result.errors == []
    assert [r.acknowledged for r in result.reviewers] == [DECISIONS] * REVIEWERS
    assert result.stored == result.expected  # nothing lost, nothing extra
    assert {key for _, key in result.stored} == {key for r in result.reviewers for key in r.last}
    assert len(result.stored) < REVIEWERS * DECISIONS  # some reviewers decided a record again: the last one counts
    # one audit entry per acknowledged decision
    assert result.audited == Counter({r.name: r.acknowledged for r in result.reviewers})
