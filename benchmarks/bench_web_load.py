"""Soak: twenty reviewers decide the same screening queue through a live server for a fixed time.

Run: PYTHONPATH=src python benchmarks/bench_web_load.py [--seconds 60] [--reviewers 20] [--records 30] [--db URL]

The scenario of ``tests/web/test_web_concurrency.py`` (which makes a fixed number of decisions),
run for ``--seconds`` instead: each reviewer is a thread with its own client on a uvicorn server
on 127.0.0.1, deciding random records until the time is up. Prints the acknowledged decisions and
their rate, and checks that the store holds exactly the last acknowledged decision of every
reviewer on every record and one audit entry per acknowledged decision (exit 1 otherwise).
``--db`` defaults to a SQLite file in a temporary folder; give an empty PostgreSQL database's URL
to soak PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "web"), str(HERE.parent / "tests")]

from web_helpers import USERS, add_users  # noqa: E402
from web_load import add_reviewers, run_load  # noqa: E402

from caseseries.store import Store  # noqa: E402


def main() -> int:
    """Run the soak; return 0 when nothing was lost or counted twice."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--records", type=int, default=30)
    parser.add_argument("--db", default=None, help="an empty database (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db or f"sqlite:///{Path(tmp) / 'load.db'}")
        add_users(store, USERS)
        add_reviewers(store, args.reviewers)
        started = time.perf_counter()
        result = run_load(store, Path(tmp), reviewers=args.reviewers, records=args.records, seconds=args.seconds)
        wall = time.perf_counter() - started
        acknowledged = sum(r.acknowledged for r in result.reviewers)
        backend = store.engine.url.get_backend_name()
        print(f"{backend}: {args.reviewers} reviewers, {args.records} records, {wall:.1f} s with the logins")
        print(f"acknowledged decisions: {acknowledged} ({acknowledged / args.seconds:.1f}/s)")
        problems = list(result.errors)
        if result.stored != result.expected:
            problems.append("the stored decisions are not the last acknowledged ones")
        if result.audited != Counter({r.name: r.acknowledged for r in result.reviewers}):
            problems.append("the audit does not have one entry per acknowledged decision")
        for problem in problems:
            print(f"PROBLEM: {problem}")
        store.engine.dispose()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
