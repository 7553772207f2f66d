"""Benchmark: page times of the screening queue of a 10,000-record protocol in the web app.

Run: PYTHONPATH=src python benchmarks/bench_web.py [--records 10000] [--requests 60] [--seed 7]

Builds a SQLite database in a temporary folder with generated records (title and abstract from a
small made-up vocabulary), one stored search and a protocol with a term, a drug and a
publication-type rule, logs a reviewer in and measures, in-process (the ASGI app without the
network): the first queue page (gathers the records, applies the rules, ranks), then queue pages
(random pages, both views) interleaved with decisions, and the PRISMA counts. Prints p50/p95/max.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from caseseries.app.accounts import add_user
from caseseries.model.publication import Publication, SearchRecord
from caseseries.store import Store
from caseseries.store.accounts import Accounts, UserRole, Via
from caseseries.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PROTOCOL = """\
name: bench-review
question: Which reports describe patients with a spindle-cell tumour treated with alectinib?
searches:
  - name: bench-search
    query: 'spindle cell tumour'
criteria:
  - {id: reviews, type: publication-type, types: [review], only: true, action: exclude, reason: review only}
  - {id: no-patients, type: term, pattern: 'in mice|cell lines? only', action: exclude, reason: no patients}
  - {id: any-alectinib, type: drug, drugs: [alectinib], action: include, reason: alectinib given}
"""
WORDS = [
    "tumour",
    "mass",
    "child",
    "adult",
    "woman",
    "man",
    "bladder",
    "lung",
    "abdomen",
    "neck",
    "resection",
    "relapse",
    "response",
    "partial",
    "complete",
    "stable",
    "progression",
    "months",
    "weeks",
    "biopsy",
    "fusion",
    "kinase",
    "inhibitor",
    "chemotherapy",
    "surgery",
    "follow-up",
    "imaging",
    "spindle",
    "cell",
    "lesion",
    "grew",
    "shrank",
    "treated",
    "received",
    "dose",
    "daily",
    "therapy",
    "first",
    "second",
    "line",
]
EXTRA = ["alectinib", "crizotinib", "in mice", "cell lines only", "ceritinib", ""]


def _records(n: int, rng: random.Random) -> list[Publication]:
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 160))]
        words.insert(rng.randrange(len(words)), rng.choice(EXTRA))
        out.append(
            Publication(
                pmid=str(10_000_000 + i),
                title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize(),
                abstract=[{"text": " ".join(w for w in words if w).capitalize() + "."}],
                publication_types=[rng.choice(["Case Reports", "Journal Article", "Review"])],
                language="eng",
                year=rng.randint(2000, 2025),
            )
        )
    return out


def _pcts(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{folder}/bench.db")
        t = time.perf_counter()
        pubs = _records(args.records, rng)
        with store.session() as s:
            for pub in pubs:
                store.upsert_publication(pub, s)
        store.save_search(
            SearchRecord(
                query="spindle cell tumour",
                name="bench-search",
                run_at="2026-01-01T00:00:00Z",
                count=len(pubs),
                pmids=[p.pmid or "" for p in pubs],
            )
        )
        print(f"stored {len(pubs):,} records in {time.perf_counter() - t:.1f} s")
        protocol = Path(folder) / "bench.yaml"
        protocol.write_text(PROTOCOL, "utf-8")
        add_user(Accounts(store), "rev", UserRole.REVIEWER, "bench password", actor="bench", via=Via.CLI)
        client = TestClient(create_app(store=store, protocols=[protocol]), headers={"Accept": "text/html"})
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        client.post("/login", data={"username": "rev", "password": "bench password", "csrf_token": token.group(1)})
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert csrf
        url = "/screening/bench-review"
        t = time.perf_counter()
        first = client.get(url)
        assert first.status_code == 200
        print(f"first queue page (gather {args.records:,} records, rules, ranking): {time.perf_counter() - t:.1f} s")
        keys = [f"pmid:{p.pmid}" for p in pubs]
        pages, decisions = [], []
        for i in range(args.requests):
            params = {"show": rng.choice(["todo", "all"]), "page": str(rng.randint(1, args.records // 20))}
            t = time.perf_counter()
            answer = client.get(url, params=params)
            pages.append(time.perf_counter() - t)
            assert answer.status_code == 200
            body = {"key": rng.choice(keys), "stage": "title-abstract", "decision": "include", "reason": f"r{i}"}
            t = time.perf_counter()
            done = client.post(
                "/api/screening/bench-review/decisions", json=body, headers={"X-CSRF-Token": csrf.group(1)}
            )
            decisions.append(time.perf_counter() - t)
            assert done.status_code == 200, done.text
        counts = []
        for _ in range(10):
            t = time.perf_counter()
            assert client.get("/api/screening/bench-review/counts").status_code == 200
            counts.append(time.perf_counter() - t)
        print(f"queue page ({args.requests} requests, 20 records each): {_pcts(pages)}")
        print(f"decision (POST): {_pcts(decisions)}")
        print(f"PRISMA counts (JSON): {_pcts(counts)}")


if __name__ == "__main__":
    main()
