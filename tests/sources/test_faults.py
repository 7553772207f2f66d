"""Fault test: ``caseseries import`` killed with SIGKILL at random moments.

After each kill the SQLite database passes ``PRAGMA integrity_check`` and holds only whole
records (each batch of an import is one transaction: there or not), and running the import
again completes the work: the database then equals that of an import never interrupted.
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

from caseseries.cli import main

N_RECORDS = 2000
RUNS = 3
WORDS = ["tumour", "kinase", "fusion", "patient", "response", "therapy"]
WORDS += ["lesion", "biopsy", "marker", "growth", "review", "outcome"]


def _medline(path: Path, n: int) -> dict[str, str]:
    """Write ``n`` made-up MEDLINE records; return their titles by key."""
    rng = random.Random(13)
    titles: dict[str, str] = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize() + f" {i}."
            abstract = " ".join(rng.choice(WORDS) for _ in range(60))
            pmid = 7_000_000 + i
            titles[f"pmid:{pmid}"] = title
            fh.write(
                f"PMID- {pmid}\nDP  - {2000 + i % 24} Jan\nTI  - {title}\nAB  - {abstract}\n"
                "FAU - Writer, Ann\nAU  - Writer A\nTA  - J Test\n\n"
            )
    return titles


def _state(db: Path) -> dict[str, str | None]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return dict(conn.execute("SELECT key, title FROM publications"))
    finally:
        conn.close()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "caseseries.cli", *args]


@pytest.mark.parametrize("run", range(RUNS))
def test_import_killed_at_a_random_moment(tmp_path: Path, run: int) -> None:
    source = tmp_path / "records.nbib"
    titles = _medline(source, N_RECORDS)
    db = tmp_path / "kill.db"
    url = f"sqlite:///{db}"
    assert main(["--db", url, "init", "--no-bundled"]) == 0
    proc = subprocess.Popen(_cli("--db", url, "import", str(source)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(random.Random(run).uniform(0.5, 5.0))  # the moment of the kill, not an assertion
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    partial = _state(db)
    assert set(partial) <= set(titles)
    assert all(partial[key] == titles[key] for key in partial)  # whole records only
    done = subprocess.run(_cli("--db", url, "import", str(source)), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _state(db) == titles
