"""Benchmark: ``caseseries extract`` as a whole command against a reused extractor, in one run.

The abstract-length texts of the development set (those of ``bench_extraction.py``) are written
``--copies`` times each into a temporary folder. Measured: the CPU time (user + system) of one
``caseseries extract --json`` process on every file, start-up and output included, run from
compiled bytecode as ``bench_import.py`` runs its commands; and the CPU time of one
``RuleExtractor`` extracting the same texts in this process, already loaded and warmed. The
ratio of the two is what the command adds (target: within 1.3x).

    PYTHONPATH=src python benchmarks/bench_extract_cli.py --copies 10 --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_extraction import abstracts
from bench_import import run

from caseseries.extraction.rules import RuleExtractor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    texts = abstracts() * args.copies
    folder = Path(tempfile.mkdtemp())
    try:
        files = []
        for i, text in enumerate(texts):
            path = folder / f"doc{i:05d}.txt"
            path.write_text(text, encoding="utf-8")
            files.append(str(path))
        cli = [str(Path(sys.executable).with_name("caseseries")), "extract", "--json", *files]
        run(cli)  # untimed: bytecode written where it is missing
        command = min(run(cli)[0] for _ in range(args.repeat))
        extractor = RuleExtractor()
        for text in texts[:3]:
            extractor.extract(text)
        reused = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            for text in texts:
                extractor.extract(text)
            reused = min(reused, time.process_time() - start)
    finally:
        shutil.rmtree(folder)
    n = len(texts)
    print(f"{n} abstract-length documents, minimum of {args.repeat} runs (CPU)")
    print(f"caseseries extract --json   {command:6.2f} s  {n / command:6.0f} documents/s (start-up included)")
    print(f"reused RuleExtractor        {reused:6.2f} s  {n / reused:6.0f} documents/s")
    print(f"command / reused extractor: {command / reused:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
