"""Benchmark: whole commands on one gzip PubMed XML file, as ratios measured in one run.

Each command is a fresh process (start-up included), run ``--repeat`` times in turn with the
others (so that the machine's load falls on all alike); the minimum CPU time (user + system,
from ``wait4``) and the peak RSS (``ru_maxrss`` of the child) are reported, with ratios:

- ``library``: the importer alone (``PubmedXmlImporter().read`` in a bare Python process);
- ``dry-run``: ``caseseries import --dry-run FILE``;
- ``store``: ``caseseries --db sqlite:///... import FILE`` into a new SQLite database;
- ``pubmed_parser``: ``pubmed_parser.parse_medline_xml(FILE)`` consumed in full;
- ``floor``: the least any store path can cost: the importer's records read in batches of 500 as
  ``import`` reads them, each serialised once (``model_dump_json``) and inserted with the
  standard library's ``sqlite3`` (one executemany and one commit a batch) into a table of the
  store's columns and indexes; no de-duplication, no look-ups, no SQLAlchemy;
- ``biopython``: ``Bio.Entrez.parse`` on the file, record by record; Biopython 1.88 refuses a
  ``PubmedArticleSet`` in ``parse`` ("use Entrez.read"), and the script then falls back to
  ``Bio.Entrez.read`` (what Biopython documents for PubMed XML: the whole set in memory);
- ``python``: ``python -c pass`` and ``startup``: ``caseseries --help`` (the command's start-up).

Every program runs from compiled bytecode, as an installed package does (``pip install``
compiles it, and Python caches what it compiles on first import): the children run without
``PYTHONDONTWRITEBYTECODE`` and each command is run once, untimed, before the timed runs.
Without that, an environment that sets the variable makes caseseries compile its own modules
in every run while the peers, installed with their bytecode, do not.

The ratios against the faster of Biopython and pubmed_parser are printed twice: whole commands
as they are, and with the start-up removed (``dry-run - startup + python``: what the command
costs once its start-up is that of a bare interpreter).

Not a test: run by hand and copy the figures into benchmarks/README.md.

    PYTHONPATH=src python benchmarks/bench_import.py --records 30000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_pubmed_xml import WORK, make_file

PEERS = {
    "library": (
        "import sys\nfrom caseseries.sources.importer import Record\n"
        "from caseseries.sources.pubmed_xml import PubmedXmlImporter\n"
        "print(sum(isinstance(i, Record) for i in PubmedXmlImporter().read(sys.argv[1])))"
    ),
    "pubmed_parser": "import sys, pubmed_parser\nprint(sum(1 for _ in pubmed_parser.parse_medline_xml(sys.argv[1])))",
    "biopython": (
        "import gzip, sys\nfrom Bio import Entrez\n"
        "try:\n    n = sum(1 for _ in Entrez.parse(gzip.open(sys.argv[1]), validate=False))\n"
        "except ValueError:\n"
        "    n = len(Entrez.read(gzip.open(sys.argv[1]), validate=False)['PubmedArticle'])\n"
        "print(n)"
    ),
    "python": "pass",
    "floor": (
        "import gc, sqlite3, sys\nfrom itertools import islice\nfrom caseseries.sources.importer import Record\n"
        "from caseseries.sources.pubmed_xml import PubmedXmlImporter\ngc.freeze()\n"
        "db = sqlite3.connect(sys.argv[2], isolation_level=None)\n"
        "db.executescript('CREATE TABLE publications (id INTEGER PRIMARY KEY, key TEXT UNIQUE, pmid TEXT, doi TEXT, "
        "title TEXT, year INTEGER, journal TEXT, source_format VARCHAR(32), data JSON, created_at DATETIME, "
        "updated_at DATETIME); CREATE INDEX ix_pmid ON publications (pmid); "
        "CREATE INDEX ix_doi ON publications (doi)')\n"
        "sql = ('INSERT INTO publications (key, pmid, doi, title, year, journal, source_format, data, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING')\n"
        "stream = iter(PubmedXmlImporter().read(sys.argv[1]))\n"
        "while batch := list(islice(stream, 500)):\n"
        "    pubs = [i.publication for i in batch if isinstance(i, Record)]\n"
        "    rows = [(p.key(), p.pmid, p.doi, p.title, p.year, p.journal, 'pubmed_xml', "
        "p.model_dump_json(exclude_none=True), 'now', 'now') for p in pubs]\n"
        "    db.execute('BEGIN IMMEDIATE'); db.executemany(sql, rows); db.execute('COMMIT')\n"
    ),
}


def command(name: str, path: Path, db: Path) -> list[str]:
    """The command line of ``name`` on ``path``."""
    if name == "floor":
        return [sys.executable, "-c", PEERS[name], str(path), str(db.with_suffix(".floor.db"))]
    if name in PEERS:
        return [sys.executable, "-c", PEERS[name], str(path)]
    cli = str(Path(sys.executable).with_name("caseseries"))
    if name == "startup":
        return [cli, "--help"]
    if name == "dry-run":
        return [cli, "import", "--dry-run", str(path)]
    return [cli, "--db", f"sqlite:///{db}", "import", str(path)]


CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
"""The environment of the commands: this one, bytecode caching allowed."""


def run(cmd: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS (MB) of one run of ``cmd``.

    CPU time, not wall time: the machine these figures come from is shared, and its load moves
    wall times by more than the differences measured.
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="whole-command import benchmark")
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only",
        nargs="*",
        default=["python", "startup", "library", "dry-run", "store", "floor", "pubmed_parser", "biopython"],
    )
    args = parser.parse_args(argv)
    WORK.mkdir(exist_ok=True)
    path = WORK / f"pubmed_baseline_like_{args.records}.xml.gz"
    if not path.exists():
        make_file(path, args.records)
    tmp = Path(tempfile.mkdtemp())
    best: dict[str, tuple[float, float]] = {}
    try:
        for name in args.only:  # untimed: each program's bytecode written where it is missing
            run(command(name, path, tmp / "warm-up.db"))
        for i in range(args.repeat):
            for name in args.only:
                db = tmp / f"store{i}.db"
                seconds, rss = run(command(name, path, db))
                old = best.get(name, (float("inf"), 0.0))
                best[name] = (min(old[0], seconds), max(old[1], rss))
    finally:
        shutil.rmtree(tmp)
    print(f"{path.name}: {args.records} records, minimum of {args.repeat} runs (CPU, start-up included)")
    for name, (seconds, rss) in best.items():
        print(f"{name:<14} {seconds:7.2f} s {args.records / seconds:>9,.0f} records/s  peak RSS {rss:7.1f} MB")

    def ratio(a: str, b: str) -> None:
        if a in best and b in best:
            print(f"{a} / {b}: {best[a][0] / best[b][0]:.2f}")

    ratio("dry-run", "library")
    ratio("store", "dry-run")
    ratio("floor", "dry-run")
    ratio("store", "floor")
    ratio("pubmed_parser", "dry-run")
    ratio("biopython", "dry-run")
    peers = [best[p][0] for p in ("pubmed_parser", "biopython") if p in best]
    if peers and "dry-run" in best:
        print(f"faster peer / dry-run: {min(peers) / best['dry-run'][0]:.2f} (whole commands)")
        if "startup" in best and "python" in best:
            bare = best["dry-run"][0] - best["startup"][0] + best["python"][0]
            print(f"faster peer / dry-run with its start-up removed ({bare:.2f} s): {min(peers) / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
