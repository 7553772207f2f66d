"""``cases list --json`` on a large store against a raw ``sqlite3`` read of the same rows, in one run.

The store is a SQLite file of synthetic patients (five per document, from
``bench_web_cases.case_file``): 5,000 stored through the store, copied by SQL (new keys) up to
``--patients``; made once and reused with ``--keep FILE``. Each reader runs in its own
process; the figures are its wall time, CPU time and peak RSS:

- ``cases list --json``: the command, rows streamed from the store and written as they come;
- ``all in memory``: the same rows built from ``Store.patients()`` (every patient at once) and
  dumped in one ``json.dumps`` — how the command read the store before;
- ``raw sqlite3``: ``SELECT`` of the patients joined to their publications, each row's JSON
  parsed and one JSON line written per patient (the floor: no validation, no model).

    PYTHONPATH=src python benchmarks/bench_cases.py --patients 100000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

RAW = """
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = sys.stdout
query = ("SELECT p.id, p.data, pub.data FROM patients p JOIN publications pub ON pub.id = p.publication_id "
         "ORDER BY p.id")
for pid, data, pub in con.execute(query):
    patient, source = json.loads(data), json.loads(pub)
    out.write(json.dumps({"id": pid, "label": patient["label"], "source": source.get("title")}) + "\\n")
"""

IN_MEMORY = """
import sys
from caseseries.app.cases import CaseRow
from caseseries.commands._common import print_json
from caseseries.store import Store
print_json([CaseRow.of(sp).to_json() for sp in Store(sys.argv[1]).patients()])
"""


BLOCK = 5_000


def build(path: Path, n: int) -> None:
    """Store ``BLOCK`` patients through the store, then copy them by SQL up to ``n`` (copies get new keys)."""
    from bench_web_cases import case_file  # imported here: the parent of the measured readers stays small

    from caseseries.model import parse_case_data
    from caseseries.store import Store

    store = Store(f"sqlite:///{path}")
    store.migrate(create=True)
    store.add_case_file(parse_case_data(case_file(min(BLOCK, n)), source="bench"))
    store.engine.dispose()
    con = sqlite3.connect(path)
    (pubs,) = con.execute("SELECT max(id) FROM publications").fetchone()
    (pats,) = con.execute("SELECT max(id) FROM patients").fetchone()
    for k in range(1, -(-n // BLOCK)):
        con.execute(
            "INSERT INTO publications (id, key, pmid, doi, title, year, journal, source_format, data, created_at, "
            "updated_at) SELECT id + ?, key || '-' || ?, pmid, doi, title, year, journal, source_format, data, "
            "created_at, updated_at FROM publications WHERE id <= ?",
            (k * pubs, k, pubs),
        )
        con.execute(
            "INSERT INTO patients (id, publication_id, label, curation_status, age_years, sex, primary_site, "
            "alk_status, data, created_at, updated_at, revision, extractor, ruleset_version) SELECT id + ?, "
            "publication_id + ?, label, curation_status, age_years, sex, primary_site, alk_status, data, created_at, "
            "updated_at, revision, extractor, ruleset_version FROM patients WHERE id <= ? AND id + ? <= ?",
            (k * pats, k * pubs, pats, k * pats, n),
        )
    con.commit()
    con.close()


def measure(argv: list[str]) -> tuple[float, float, float]:
    """Wall s, CPU s and peak RSS MB of one child process (its output to /dev/null)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(argv, stdout=null)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:3]} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Store file to make once and reuse.")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.keep or Path(tempfile.mkdtemp()) / "cases.db"
    if args.build_only:
        build(path, args.patients)
        return
    if not path.exists():  # built in a child process, so that the readers do not inherit its memory
        t = time.perf_counter()
        build_argv = [sys.executable, __file__, "--build-only", "--patients", str(args.patients), "--keep", str(path)]
        subprocess.run(build_argv, check=True)
        print(f"built {args.patients:,} patients in {time.perf_counter() - t:.0f} s: {path}")
    py = sys.executable
    env_src = str(Path(__file__).resolve().parents[1] / "src")
    os.environ["PYTHONPATH"] = env_src + os.pathsep + os.environ.get("PYTHONPATH", "")
    runs = {
        "cases list --json": [py, "-m", "caseseries", "--db", f"sqlite:///{path}", "cases", "list", "--json"],
        "all in memory (before)": [py, "-c", IN_MEMORY, f"sqlite:///{path}"],
        "raw sqlite3": [py, "-c", RAW, str(path)],
    }
    results = {name: measure(argv) for name, argv in runs.items()}
    raw_wall, raw_cpu, _ = results["raw sqlite3"]
    print(f"{args.patients:,} patients")
    print("| reader | wall | CPU | peak RSS | CPU / raw |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (wall, cpu, rss) in results.items():
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {rss:.0f} MB | {cpu / raw_cpu:.1f}x |")
    del raw_wall


if __name__ == "__main__":
    main()
