"""Benchmark: the full evidence report for 1,000 synthetic patients (target: under 10 s on one core).

Run: PYTHONPATH=src python benchmarks/bench_report.py [--patients N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240320)
    args = parser.parse_args()
    series = synthetic_series(args.patients, args.seed)
    from caseseries.report.build import build_report

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = build_report(series, Path(tmp) / "report")
        elapsed = time.perf_counter() - start
        size = sum(p.stat().st_size for p in result.files)
    print(f"patients: {result.n_patients}, lines: {result.n_lines}, files: {len(result.files)}, "
          f"{size / 1e6:.1f} MB written")  # fmt: skip
    print(f"full report (html, md, docx, csv, figures): {elapsed:.2f} s (target < 10 s)")
    print(f"command: PYTHONPATH=src python benchmarks/bench_report.py --patients {args.patients} --seed {args.seed}")


if __name__ == "__main__":
    main()
