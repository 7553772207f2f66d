"""Rule-based extraction speed: abstract-length documents per second (one core) and a 50 MB text.

Run: PYTHONPATH=src python benchmarks/bench_extraction.py [--big-mb 50]

Instruction counts (independent of the load of a shared machine): run
``valgrind --tool=callgrind python benchmarks/bench_extraction.py --passes N`` for N = 1 and 3;
(Ir of 3 passes - Ir of 1 pass) / (2 x documents) is the count per abstract-length document.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from caseseries.extraction.rules import RuleExtractor

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "extraction" / "dev"
SEED = ROOT.parent / "shared" / "seeds" / "003_90a95ad148c6f17c.txt"


def abstracts() -> list[str]:
    """Abstract-length texts (under 2,500 characters) of the development set."""
    texts = [p.read_text("utf-8") for p in sorted(DEV.glob("*.txt"))]
    short = [t for t in texts if len(t) <= 2500]
    return short or [t[:2000] for t in texts]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--big-mb", type=float, default=50.0)
    parser.add_argument("--passes", type=int, default=0, help="extract every document N times, untimed, and stop")
    args = parser.parse_args()
    extractor = RuleExtractor()
    docs = abstracts()
    if args.passes:
        for _ in range(args.passes):
            for t in docs:
                extractor.extract(t)
        return
    for t in docs[:3]:
        extractor.extract(t)  # warm the vocabulary caches
    n = 0
    chars = 0
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for t in docs:
            extractor.extract(t)
            n += 1
            chars += len(t)
    elapsed = time.perf_counter() - start
    print(f"abstract-length documents: {len(docs)} distinct, mean {chars / n:.0f} characters")
    print(f"rule-based extraction: {n / elapsed:.0f} documents/s ({n} in {elapsed:.1f} s, one process)")
    unit = SEED.read_text("utf-8") if SEED.exists() else docs[0]
    big = (unit * (int(args.big_mb * 1_000_000 / len(unit)) + 1))[: int(args.big_mb * 1_000_000)]
    start = time.perf_counter()
    result = RuleExtractor().extract(big)
    elapsed = time.perf_counter() - start
    print(
        f"{len(big) / 1e6:.0f} MB text: {elapsed:.1f} s, {len(result.document.patients)} patients, "
        f"warnings: {result.warnings}"
    )
    start = time.perf_counter()
    result = RuleExtractor(max_chars=len(big)).extract(big)
    elapsed = time.perf_counter() - start
    print(
        f"{len(big) / 1e6:.0f} MB text read in full (no limit): {elapsed:.1f} s, "
        f"{len(result.document.patients)} patients"
    )


if __name__ == "__main__":
    main()
