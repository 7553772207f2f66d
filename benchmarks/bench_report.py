"""Benchmark: the full evidence report for synthetic series: time, size written and peak memory.

Each size runs in its own process (so the peak RSS is that size's alone); with two or more sizes
the growth exponents of size and RSS are printed (1 = linear: ten times the patients, ten times
the bytes). Target: under 10 s for 1,000 patients on one core; size linear in patients.

What is measured: ``build_report`` of a synthetic ``CaseFile`` built in memory in the measured
process (about 7.4 KB of pydantic objects per patient, inside the peak); the report itself reads
no store. With ``--store``, each size is first stored in a new SQLite database (in a process of
its own, not measured) and the measured process does what ``caseseries report`` does: read the
stored series (``caseseries.app.report.write_report``) and build the full report, and the target
is peak RSS under 1 GB at 100,000 patients. ``--breakdown N`` measures one size in one process
step by step (peak and current RSS after the imports and a warm-up report of 50 patients, the
series, assembling the content, and each writer), to show where the memory goes.

Run: PYTHONPATH=src python benchmarks/bench_report.py [--patients N [N ...]] [--seed S] [--store] [--breakdown N]
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from caseseries.model.case import CitedReference, Fusion, Patient, TherapyLine
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.model.enums import AlkStatus, Response

SITES = ["lung", "uterus", "mesentery", "urinary bladder", "peritoneum", "pleura", "omentum", "mediastinum"]
PARTNERS = ["EML4", "TPM3", "TPM4", "CLTC", "RANBP2", "SQSTM1", "FN1", "TNS1", None]
REGIMENS = [["alectinib"], ["crizotinib"], ["ceritinib"], ["lorlatinib"], ["brigatinib"],
            ["ifosfamide", "etoposide"], ["methotrexate", "vinorelbine"], ["doxorubicin"]]  # fmt: skip
RESPONSES = [Response.CR, Response.PR, Response.PR, Response.SD, Response.PD, Response.NE, None]


def synthetic_series(n: int, seed: int) -> CaseFile:
    """``n`` synthetic patients (deterministic for a given seed), 10 per document."""
    rng = random.Random(seed)
    docs = []
    for d in range(0, n, 10):
        patients = []
        for i in range(d, min(d + 10, n)):
            lines = []
            for k in range(1, rng.choice([1, 1, 2, 2, 3, 4]) + 1):
                pfs = round(rng.expovariate(1 / 12), 1) if rng.random() < 0.85 else None
                censored = None if pfs is None else rng.choice([True, False, False, None])
                mutations = ["ALK p.G1202R"] if k == 1 and rng.random() < 0.1 else []
                lines.append(
                    TherapyLine(
                        line=k,
                        agents=rng.choice(REGIMENS),
                        best_response=rng.choice(RESPONSES),
                        pfs_months=pfs,
                        pfs_censored=censored,
                        resistance_mutations=mutations,
                    )
                )
            partner = rng.choice(PARTNERS)
            patients.append(Patient(
                label=f"case {i + 1}", primary_site=rng.choice(SITES), diagnosis="inflammatory myofibroblastic tumor",
                alk={"status": AlkStatus.POSITIVE}, fusions=[Fusion(gene5=partner, as_written=f"{partner or 'ALK'}")],
                reference=f"[{d // 10 + 1}]", lines=lines,
                cited=CitedReference(first_author=f"Author{d // 10}", journal="J Synth Oncol", year=2010 + d % 15),
            ))  # fmt: skip
        docs.append(CaseDocument(source=Source(title=f"Synthetic report {d // 10}"), patients=patients))
    return CaseFile(documents=docs)


def measure(n: int, seed: int) -> dict[str, float]:
    """Build the full report for ``n`` patients in this process: time, bytes written, peak RSS."""
    series = synthetic_series(n, seed)
    from caseseries.report.build import build_report

    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        result = build_report(series, Path(tmp) / "report")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = sum(p.stat().st_size for p in result.files)
        html = (Path(tmp) / "report" / "report.html").stat().st_size
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    return {"patients": result.n_patients, "lines": result.n_lines, "files": len(result.files), "seconds": elapsed,
            "cpu_seconds": cpu, "bytes": size, "html_bytes": html, "rss_mb": rss_mb}  # fmt: skip


def fill_store(n: int, seed: int, db: Path) -> None:
    """Store the ``n``-patient synthetic series in a new SQLite database ``db`` (not measured)."""
    from caseseries.store import Store

    Store.open(f"sqlite:///{db}").add_case_file(synthetic_series(n, seed))


def measure_store(db: Path) -> dict[str, float]:
    """What ``caseseries report`` does, in this process: read the stored series, build the full report."""
    from caseseries.analysis.cohort import Cohort
    from caseseries.app.report import write_report
    from caseseries.report.build import FORMATS
    from caseseries.store import Store

    store = Store.open(f"sqlite:///{db}", create=False)
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        result = write_report(store, Path(tmp) / "report", formats=FORMATS, cohort=Cohort())
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = sum(p.stat().st_size for p in result.files)
        html = (Path(tmp) / "report" / "report.html").stat().st_size
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"patients": result.n_patients, "lines": result.n_lines, "files": len(result.files), "seconds": elapsed,
            "cpu_seconds": cpu, "bytes": size, "html_bytes": html, "rss_mb": rss_mb}  # fmt: skip


def _rss_now_mb() -> float:
    with open("/proc/self/status") as status:  # Linux
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS"))


def breakdown(n: int, seed: int) -> None:
    """Print peak and current RSS after each step of one ``n``-patient report in this process."""
    from caseseries.report.content import assemble
    from caseseries.report.docx_out import write_docx
    from caseseries.report.html import write_html, write_markdown, write_pieces
    from caseseries.report.tables import markdown_pieces, write_csv

    def step(name: str, start: float) -> None:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {name} | {peak:.0f} MB | {_rss_now_mb():.0f} MB | {time.perf_counter() - start:.1f} s |", flush=True)

    print("| step | peak RSS | RSS after | wall |")
    print("| --- | ---: | ---: | ---: |")
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_html(assemble(synthetic_series(50, seed)), folder / "warm.html")
        step("imports and a 50-patient warm-up", t)
        t = time.perf_counter()
        series = synthetic_series(n, seed)
        step(f"synthetic CaseFile of {n:,} patients", t)
        t = time.perf_counter()
        content = assemble(series)
        step("assemble (tables, analyses, figures)", t)
        t = time.perf_counter()
        write_html(content, folder / "report.html")
        step("report.html (streamed)", t)
        t = time.perf_counter()
        write_markdown(content, folder / "report.md")
        for table in content.all_tables():
            write_pieces(markdown_pieces(table), folder / f"{table.key}.md")
        step("report.md and tables/*.md (streamed)", t)
        t = time.perf_counter()
        for table in content.all_tables():
            with (folder / f"{table.key}.csv").open("w", encoding="utf-8", newline="") as f:
                write_csv(table, f)
        step("tables/*.csv", t)
        t = time.perf_counter()
        write_docx(content.all_tables(), folder / "tables.docx", title=content.title, statement=content.statement)
        step("tables.docx (body rows streamed)", t)


def _run(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1])) if out.strip() else {}


def _child(n: int, seed: int, store: bool) -> dict[str, float]:
    if not store:
        return _run("--one", str(n), "--seed", str(seed))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "series.db"
        _run("--fill", str(n), "--seed", str(seed), "--db", str(db))
        return _run("--one-store", "--db", str(db))


def exponent(a: float, b: float, n_a: float, n_b: float) -> float:
    """Growth exponent k of ``value ~ n**k`` between two measurements."""
    return math.log(b / a) / math.log(n_b / n_a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=20240320)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", type=int, metavar="N", help="Measure one size step by step.")
    parser.add_argument(
        "--store", action="store_true", help="Report a stored series (SQLite), as the report command does."
    )
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-store", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill:
        fill_store(args.fill, args.seed, args.db)
        return
    if args.one_store:
        print(json.dumps(measure_store(args.db)))
        return
    if args.breakdown:
        breakdown(args.breakdown, args.seed)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.seed)))
        return
    rows = [_child(n, args.seed, args.store) for n in args.patients]
    print("| patients | lines | files | written | report.html | peak RSS | time (CPU) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['patients']:,.0f} | {r['lines']:,.0f} | {r['files']:.0f} | {r['bytes'] / 1e6:.1f} MB | "
              f"{r['html_bytes'] / 1e6:.1f} MB | {r['rss_mb']:.0f} MB | "
              f"{r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s) |")  # fmt: skip
    for a, b in itertools.pairwise(rows):
        n_a, n_b = a["patients"], b["patients"]
        print(f"growth {n_a:,.0f} -> {n_b:,.0f} patients: size exponent "
              f"{exponent(a['bytes'], b['bytes'], n_a, n_b):.2f}, report.html "
              f"{exponent(a['html_bytes'], b['html_bytes'], n_a, n_b):.2f}, peak RSS "
              f"{exponent(a['rss_mb'], b['rss_mb'], n_a, n_b):.2f} (1 = linear)")  # fmt: skip
    sizes = " ".join(str(n) for n in args.patients)
    store = " --store" if args.store else ""
    print(f"command: PYTHONPATH=src python benchmarks/bench_report.py --patients {sizes} --seed {args.seed}{store}")


if __name__ == "__main__":
    main()
