"""Fault test: ``caseseries screen review`` killed with SIGKILL at random moments while answering.

Each decision is its own transaction: after a kill the database passes ``PRAGMA
integrity_check``, every stored decision has its audit entry (and none without), and running
the review again finishes the records still undecided.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from screening_fixtures import write_review

from caseseries.cli import main

RUNS = 3


def _check(db: Path) -> dict[str, str]:
    """The reviewer's decisions by record key, after checking integrity and the audit log."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        decisions = dict(
            conn.execute("SELECT publication_key, decision FROM screening_decisions WHERE actor = 'AB'")
        )
        audited = dict(
            conn.execute(
                "SELECT publication_key, new_decision FROM screening_audit WHERE actor = 'AB' ORDER BY id"
            )
        )
        assert decisions == audited
        return decisions
    finally:
        conn.close()


def _review(url: str, proto: str) -> list[str]:
    return [sys.executable, "-m", "caseseries.cli", "--db", url, "screen", "review", "-p", proto, "-r", "AB"]


@pytest.mark.parametrize("run", range(RUNS))
def test_review_killed_at_a_random_moment(tmp_path: Path, run: int) -> None:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    review = write_review(url, tmp_path)
    proto = str(review.protocol_path)
    assert main(["--db", url, "screen", "--protocol", proto]) == 0
    rng = random.Random(run)
    proc = subprocess.Popen(
        _review(url, proto), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    assert proc.stdin is not None
    deadline = time.monotonic() + rng.uniform(1.0, 5.0)  # the moment of the kill, not an assertion
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            proc.stdin.write(rng.choice(["i\n\n", "e\n\n", "m\n\n"]))
            proc.stdin.flush()
            time.sleep(rng.uniform(0.05, 0.4))
    except BrokenPipeError:
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    before = _check(tmp_path / "review.db")
    answers = "i\n\n" * 50 + "q\n"
    done = subprocess.run(_review(url, proto), input=answers, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = _check(tmp_path / "review.db")
    assert ", 0 still to review" in done.stdout
    assert set(before) <= set(after)
    # decisions made before the kill stay; only "maybe" ones come back to the queue
    assert {k: v for k, v in before.items() if v != "maybe"} == {k: after[k] for k, v in before.items() if v != "maybe"}
    assert "maybe" not in after.values()
