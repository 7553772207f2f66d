"""p95 page time of the web app's case list for a 1,000-patient store (and the pages beside it).

The app runs in-process (Starlette's TestClient: no network, the full request path with the
session guard, the store query, filtering and the template); the store is a SQLite file (or
``--db URL``) filled with synthetic patients across 200 documents.

    PYTHONPATH=src python benchmarks/bench_web_cases.py --patients 1000 --requests 50
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from caseseries.app.accounts import add_user
from caseseries.model import parse_case_data
from caseseries.store import Store
from caseseries.store.accounts import Accounts, UserRole, Via
from caseseries.web import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SITES = ["lung", "uterus", "urinary bladder", "soft tissue", "head and neck", "abdomen", "mesentery"]
PARTNERS = ["EML4", "TPM3", "TPM4", "RANBP2", "CLTC", "TFG", None]
AGENTS = ["crizotinib", "alectinib", "ceritinib", "lorlatinib", "brigatinib", "ibuprofen", "doxorubicin"]
RESPONSES = ["CR", "PR", "SD", "PD", None]


def case_file(n: int) -> dict[str, Any]:
    docs = []
    for d in range(0, n, 5):
        patients = []
        for i in range(d, min(d + 5, n)):
            lines = [
                {"line": k + 1, "agents": [AGENTS[(i + k) % len(AGENTS)]], "best_response": RESPONSES[(i + k) % 5],
                 "pfs_months": 1 + (i * 7 + k) % 40, "pfs_censored": (i + k) % 3 == 0}
                for k in range(1 + i % 3)
            ]  # fmt: skip
            patients.append({
                "label": f"case {i - d + 1}", "age_years": 2 + i % 70, "sex": "female" if i % 2 else "male",
                "diagnosis": "inflammatory myofibroblastic tumor", "primary_site": SITES[i % len(SITES)],
                "fusions": [{"gene5": PARTNERS[i % len(PARTNERS)], "gene3": "ALK"}],
                "curation_status": "reviewed" if i % 3 == 0 else "extracted", "lines": lines,
            })  # fmt: skip
        docs.append({"source": {"pmid": str(700000 + d), "title": f"Case report {d}"}, "patients": patients})
    return {"schema": "caseseries/1", "documents": docs}


def login(client: TestClient, name: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post("/login", data={"username": name, "password": password, "csrf_token": token.group(1)})


def timed(client: TestClient, url: str, requests: int) -> tuple[float, float, float]:
    client.get(url)  # warm caches and imports
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        answer = client.get(url)
        times.append(time.perf_counter() - t0)
        assert answer.status_code == 200, (url, answer.status_code)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, times[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-cases-"))
    store = Store.open(args.db or f"sqlite:///{folder / 'bench.db'}")
    t0 = time.perf_counter()
    store.add_case_file(parse_case_data(case_file(args.patients)))
    print(f"stored {args.patients} patients in {time.perf_counter() - t0:.1f} s")
    add_user(Accounts(store), "bench", UserRole.VIEWER, "bench password 1", actor="bench", via=Via.CLI)
    pid = store.patients()[args.patients // 2].id
    pages = [
        ("case list, first page of 100", "/cases"),
        ("case list, page 5", "/cases?page=5"),
        ("case list, agent + site filters", "/cases?agent=alectinib&site=lung"),
        ("case list, free text", "/cases?q=tpm3"),
        ("case list, unreviewed", "/cases?status=unreviewed"),
        ("one patient with its timeline", f"/cases/{pid}"),
    ]
    with TestClient(create_app(store=store, protocols=[]), headers={"Accept": "text/html"}) as client:
        login(client, "bench", "bench password 1")
        print(f"| page | median | p95 | max | ({args.requests} requests each, {args.patients} patients)")
        print("| --- | ---: | ---: | ---: |")
        for name, url in pages:
            median, p95, worst = timed(client, url, args.requests)
            print(f"| {name} | {median * 1000:.0f} ms | {p95 * 1000:.0f} ms | {worst * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
