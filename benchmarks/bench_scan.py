"""Benchmark: ``caseseries scan`` on baseline-shaped files, one worker against two, and what the
whole PubMed baseline would take.

Generates ``--files`` gzip PubMed XML files of ``--records`` baseline-shaped records each (the
full-record shape of bench_pubmed_xml.py: affiliations, history, keywords, reference lists) in
benchmarks/_work/scan/, about one record in ``--case-every`` an IMT case report (the rest name
no vocabulary term, as in the real baseline), then scans them three ways, each into a fresh
folder: in this process (``--workers 0``), on a LocalCluster of one worker and of two. Reports
the load average, wall time, records/s, the 2-worker speed-up, the CPU time of the workers, the
per-file cost (CPU seconds of the in-process scan, which the load of a shared machine inflates
far less than the wall time), the light reading against reading every record in full on the
first file (CPU seconds, in this run), each worker's peak RSS, and the projection for the 1,274
files of the annual baseline on 16 cores and on 10 such machines.
Not a test: run by hand, copy the figures into benchmarks/README.md.

    PYTHONPATH=src:benchmarks python benchmarks/bench_scan.py [--files 4 --records 30000]
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
import shutil
import sys
import time
from pathlib import Path

from bench_pubmed_xml import full_record

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.scan import run_scan
from caseseries.scan.task import scan_file
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml

WORK = Path(__file__).parent / "_work" / "scan"
PROTOCOL = "alk-imt-alectinib-first-line"
BASELINE_FILES = 1274
OFF_TOPIC = [
    "knee", "cartilage", "gait", "cohort", "randomised", "hypertension", "statin", "cortisol", "sleep",
    "microbiome", "asthma", "vaccine", "insulin", "retina", "dental", "stroke", "rehabilitation", "anxiety",
    "zebrafish", "enzyme", "kinetics",
]


def make_file(path: Path, first: int, n: int, case_every: int, rng: random.Random) -> None:
    """Baseline-shaped records; every ``case_every``-th an IMT case report treated with alectinib."""
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(PUBMED_XML_HEADER + "<PubmedArticleSet>\n")
        for i in range(first, first + n):
            if i % case_every == 0:
                title = "ALK-positive inflammatory myofibroblastic tumour of the lung treated with alectinib"
                text = (
                    f"A {20 + i % 50}-year-old woman had an ALK-positive inflammatory myofibroblastic tumour. "
                    f"She received alectinib 600 mg twice daily with a partial response lasting {3 + i % 20} months."
                )
                types = ["Case Reports"]
            else:
                title = " ".join(rng.choice(OFF_TOPIC) for _ in range(12)).capitalize()
                text = " ".join(rng.choice(OFF_TOPIC) for _ in range(180))
                types = ["Journal Article"]
            pub = Publication(
                pmid=str(20_000_000 + i), title=title, year=2000 + i % 25, language="eng", publication_types=types,
                journal="Journal of benchmark medicine",
                authors=[Author(last_name=f"Author{j}", initials="AM") for j in range(rng.randint(1, 8))],
                mesh_terms=[rng.choice(OFF_TOPIC).title() for _ in range(rng.randint(3, 12))],
                abstract=[AbstractSection(text=text)],
            )
            out.write(full_record(pubmed_article_xml(pub), rng) + "\n")
        out.write("</PubmedArticleSet>\n")


def _worker_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(label: str, files: Path, workers: int) -> float:
    out = WORK / f"out-{label}"
    shutil.rmtree(out, ignore_errors=True)
    start, cpu, workers_cpu = time.perf_counter(), time.process_time(), _children_cpu()
    summary = run_scan([str(files)], PROTOCOL, out, workers=workers)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    workers_cpu = _children_cpu() - workers_cpu
    s = summary.to_json()
    print(
        f"{label:>12}: {took:7.1f} s (CPU of this process {cpu:6.1f} s, of the workers {workers_cpu:6.1f} s)  "
        f"{s['records'] / took:8,.0f} records/s  candidates {s['candidates']}  patients {s['patients']}  "
        f"failed {len(s['failed_files'])}  ({_load()})",
        flush=True,
    )
    return took if workers else cpu


def light_against_full(path: Path) -> tuple[float, float]:
    """CPU seconds of scanning one file lightly and reading every record in full, best of two each."""
    best = {True: float("inf"), False: float("inf")}
    for _ in range(2):
        for light in (True, False):
            out = WORK / "out-one"
            shutil.rmtree(out, ignore_errors=True)
            cpu = time.process_time()
            scan_file(str(path), PROTOCOL, str(out), light=light)
            best[light] = min(best[light], time.process_time() - cpu)
    return best[True], best[False]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="caseseries scan: one worker against two")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--case-every", type=int, default=2_000)
    parser.add_argument("--reuse", action="store_true", help="keep the files of an earlier run with these options")
    args = parser.parse_args(argv)
    files = WORK / "in"
    stamp = files / f".made-{args.files}-{args.records}-{args.case_every}"
    if not (args.reuse and stamp.exists()):
        shutil.rmtree(files, ignore_errors=True)
        files.mkdir(parents=True)
        rng = random.Random(11)
        for k in range(args.files):
            make_file(files / f"bench{k:04d}.xml.gz", k * args.records, args.records, args.case_every, rng)
        stamp.touch()
    size = sum(f.stat().st_size for f in files.iterdir()) / 1e6
    print(f"{args.files} files x {args.records:,} records, {size:.0f} MB gzip; {_load()}", flush=True)
    in_process = timed("in-process", files, 0)  # its CPU time: the per-file cost, whatever the load
    one = timed("1 worker", files, 1)
    two = timed("2 workers", files, 2)
    per_file = in_process / args.files * 30_000 / args.records  # CPU seconds per 30,000-record file
    print(f"speed-up 2 workers / 1 worker: {one / two:.2f}x", flush=True)
    print(f"per 30,000-record file, one core: {per_file:.1f} s; worker peak RSS {_worker_rss_mb():.0f} MB")
    light, full = light_against_full(files / "bench0000.xml.gz")
    print(
        f"one file, CPU: read lightly {light:.2f} s, every record in full {full:.2f} s ({light / full:.2f}x); "
        f"{_load()}",
        flush=True,
    )
    for cores, label in ((16, "one 16-core machine"), (160, "10 x 16-core machines")):
        minutes = BASELINE_FILES * per_file / cores / 60
        print(f"whole baseline ({BASELINE_FILES} files) on {label}: {minutes:.0f} min (CPU-bound, ideal scaling)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
