"""Benchmark: screening a 100,000-record protocol: rules run, a no-change re-run, first record of a review.

Run: PYTHONPATH=src python benchmarks/bench_screen.py [--records 100000] [--seed 7]

Builds (once, kept in ``benchmarks/_work/``) a SQLite database of generated records (the
generator and protocol of ``bench_web.py``: made-up titles and abstracts, one stored search,
three rules), copies it, and runs in turn, each in its own process (so the peak RSS is that
step's alone):

1. ``screen``: the protocol's rules applied to every record and the suggestions recorded;
2. ``screen`` again with nothing changed;
3. ``review``: a reviewer's session, timed until the first record is shown (then quit).

Prints wall time, CPU time and peak RSS of each step (and, for the review, both times until the
first record is shown).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"


def _build(path: Path, n: int, seed: int) -> None:
    from bench_web import PROTOCOL, _records

    from caseseries.model.publication import SearchRecord
    from caseseries.store import Store
    from caseseries.store.publications import PublicationRepository, PublicationUpsert

    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{tmp}")
    pubs = _records(n, random.Random(seed))
    for start in range(0, n, 1000):
        PublicationRepository(store).write([PublicationUpsert(p) for p in pubs[start : start + 1000]])
    store.save_search(
        SearchRecord(
            query="spindle cell tumour",
            name="bench-search",
            run_at="2026-01-01T00:00:00Z",
            count=n,
            pmids=[p.pmid or "" for p in pubs],
        )
    )
    store.engine.dispose()
    tmp.rename(path)
    path.with_suffix(".yaml").write_text(PROTOCOL, "utf-8")


def _child(step: str, db: str, protocol: str) -> None:
    from caseseries.app.screen import screen_protocol
    from caseseries.screening import ReviewSession, load_protocol
    from caseseries.store import Store

    t0, c0 = time.perf_counter(), time.process_time()
    store = Store.open(f"sqlite:///{db}", create=False)
    out: dict[str, object] = {}
    if step == "screen":
        run = screen_protocol(store, protocol)
        out["screened"], out["changed"] = len(run.result.suggestions), run.result.changed
    else:
        from rich.console import Console

        shown: list[tuple[float, float]] = []

        def answer(prompt: str) -> str:
            shown.append((time.perf_counter(), time.process_time()))
            return "q"

        with open(os.devnull, "w") as sink:
            console = Console(file=sink)
            session = ReviewSession(store, load_protocol(protocol), "bench", input_fn=answer, console=console)
            summary = session.run()
        out["first_record_s"] = shown[0][0] - t0 if shown else None
        out["first_record_cpu_s"] = shown[0][1] - c0 if shown else None
        out["remaining"] = summary.remaining
    out["wall_s"], out["cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, metavar=("STEP", "DB", "PROTOCOL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    WORK.mkdir(exist_ok=True)
    db = WORK / f"screen_{args.records}_{args.seed}.db"
    if not db.exists():
        t = time.perf_counter()
        _build(db, args.records, args.seed)
        print(f"built {db.name} ({args.records:,} records) in {time.perf_counter() - t:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "screen.db"
        shutil.copy(db, copy)
        for label, step in (("screen", "screen"), ("screen again, nothing changed", "screen"), ("review", "review")):
            cmd = [sys.executable, __file__, "--child", step, str(copy), str(db.with_suffix(".yaml"))]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            print(f"{label}: {done.stdout.strip().splitlines()[-1]}")


if __name__ == "__main__":
    main()
