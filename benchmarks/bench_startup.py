"""Start-up time of the command line: ``--help``, ``--version`` and every command's ``--help``.

Each figure is the minimum over ``--runs`` fresh processes (user + system CPU of the child, and
wall time), next to ``python -c pass`` in the same run; the extra time over it is the command
line's own start-up (target: at most 0.3 s).

    python benchmarks/bench_startup.py --runs 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from caseseries.commands._index import COMMANDS


def once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run (output discarded)."""
    start = time.perf_counter()
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(argv, stdout=null, stderr=null)
        _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def best(argv: list[str], runs: int) -> tuple[float, float]:
    """The minimum wall and CPU time over ``runs`` fresh processes."""
    results = [once(argv) for _ in range(runs)]
    return min(w for w, _ in results), min(c for _, c in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    py = sys.executable
    script = shutil.which("caseseries", path=str(Path(py).parent)) or "caseseries"
    cases: list[tuple[str, list[str]]] = [
        ("python -c pass", [py, "-c", "pass"]),
        ("python -m caseseries --help", [py, "-m", "caseseries", "--help"]),
        ("caseseries --help", [script, "--help"]),
        ("caseseries --version", [script, "--version"]),
    ]
    cases += [(f"caseseries {name} --help", [script, name, "--help"]) for name, _, _ in COMMANDS]
    base_wall, base_cpu = best(cases[0][1], args.runs)
    print(f"min of {args.runs} fresh processes each")
    print("| command | wall | CPU | CPU over python -c pass | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, argv in cases:
        wall, cpu = (base_wall, base_cpu) if argv is cases[0][1] else best(argv, args.runs)
        print(f"| `{label}` | {wall:.3f} s | {cpu:.3f} s | {cpu - base_cpu:+.3f} s | {cpu / base_cpu:.1f}x |")


if __name__ == "__main__":
    main()
