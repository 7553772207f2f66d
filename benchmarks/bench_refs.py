"""Benchmark: offline check of a 100-reference list against 100,000 generated local records.

Run: PYTHONPATH=src python benchmarks/bench_refs.py [--records 100000] [--refs 100] [--seed 1]

Prints the time (wall clock and CPU of this one process) to build the record index and to
check the references (the two make up an offline ``refs check`` once the records are in memory),
and the verdict counts.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time

from caseseries.model.publication import Author, Publication
from caseseries.references.check import ReferenceChecker
from caseseries.references.citation import reference_from_text
from caseseries.references.index import RecordIndex
from caseseries.references.render import summary

SYLLABLES = ["ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "de", "an", "or", "el", "is", "um", "ta", "go", "pe", "ri"]
JOURNALS = [
    ("Journal of Clinical Oncology", "J Clin Oncol"),
    ("Lung cancer (Amsterdam, Netherlands)", "Lung Cancer"),
    ("Cancer chemotherapy and pharmacology", "Cancer Chemother Pharmacol"),
    ("Oncology letters", "Oncol Lett"),
    ("BMC cancer", "BMC Cancer"),
    ("Case reports in oncology", "Case Rep Oncol"),
    ("Medicine", "Medicine (Baltimore)"),
    ("The New England journal of medicine", "N Engl J Med"),
    ("Japanese journal of clinical oncology", "Jpn J Clin Oncol"),
    ("Pediatric blood & cancer", "Pediatr Blood Cancer"),
]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def generate(n: int, rng: random.Random) -> list[Publication]:
    vocabulary = [_word(rng) for _ in range(20_000)]
    cumulative = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(vocabulary))))  # Zipf-like
    surnames = [_word(rng).capitalize() for _ in range(30_000)]
    pubs = []
    for i in range(n):
        title = " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(6, 14))).capitalize() + "."
        journal, abbrev = rng.choice(JOURNALS)
        first = rng.randint(1, 3000)
        pubs.append(
            Publication(
                pmid=str(10_000_000 + i),
                title=title,
                authors=[Author(last_name=rng.choice(surnames), initials="AB") for _ in range(rng.randint(1, 6))],
                journal=journal,
                journal_abbrev=abbrev,
                year=rng.randint(1990, 2024),
                volume=str(rng.randint(1, 400)),
                pages=f"{first}-{first + rng.randint(1, 12)}",
            )
        )
    return pubs


def citation(pub: Publication, rng: random.Random, kind: str) -> str:
    authors = ", ".join(a.display for a in pub.authors[:6])
    title = (pub.title or "").rstrip(".")
    year, volume, page = pub.year, pub.volume, (pub.pages or "").split("-")[0]
    if kind == "misspelled":
        authors = authors[:2] + authors[3:] if len(pub.authors[0].last_name or "") > 4 else authors
    elif kind == "garbled":
        words = title.split()
        title = " ".join(words[:-2])
    elif kind == "fabricated":
        title = " ".join(_word(rng) for _ in range(9)).capitalize()
        volume, page = str(rng.randint(401, 500)), str(rng.randint(1, 3000))
    pmid = f" PMID: {pub.pmid}." if kind == "pmid" else ""
    return f"{authors}. {title}. {pub.journal_abbrev}. {year};{volume}:{page}-9.{pmid}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--refs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    pubs = generate(args.records, rng)
    t1 = time.perf_counter()
    kinds = ["exact", "pmid", "misspelled", "garbled", "fabricated"]
    refs = [
        reference_from_text(citation(rng.choice(pubs), rng, kinds[i % len(kinds)]), n=i + 1) for i in range(args.refs)
    ]
    t2, c2 = time.perf_counter(), time.process_time()
    index = RecordIndex(pubs)
    t3, c3 = time.perf_counter(), time.process_time()
    results = ReferenceChecker(index, "the local records").check(refs)
    t4, c4 = time.perf_counter(), time.process_time()

    print(f"records generated: {args.records} in {t1 - t0:.2f} s (not part of the check)")
    print(f"references parsed: {args.refs} in {t2 - t1:.3f} s")
    print(f"index built:        {t3 - t2:.2f} s wall, {c3 - c2:.2f} s CPU")
    print(f"references checked: {t4 - t3:.3f} s wall, {c4 - c3:.3f} s CPU")
    print(f"check total (parse + index + check): {t4 - t1:.2f} s wall")
    print("verdicts:", {k: v for k, v in summary(results).items() if v})


if __name__ == "__main__":
    main()
