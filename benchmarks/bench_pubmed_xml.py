"""Benchmark: PubMed XML -> Publication objects, side by side with Biopython's Bio.Entrez.

Generates a baseline-like file of N records (default 30,000, gzip-compressed like the annual
baseline files) in benchmarks/_work/, then runs each parser in its own child process and
reports records/s (CPU time of that process, one core) and peak resident memory (ru_maxrss,
whole process including the interpreter). Not a test: run by hand, copy the figures into
benchmarks/README.md.

    PYTHONPATH=src taskset -c 0 python benchmarks/bench_pubmed_xml.py [--records 30000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources.importer import Record, open_source
from caseseries.sources.pubmed_xml import PubmedXmlImporter
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml

WORK = Path(__file__).parent / "_work"
WORDS = [
    "inflammatory",
    "myofibroblastic",
    "tumor",
    "alk",
    "fusion",
    "alectinib",
    "crizotinib",
    "lorlatinib",
    "response",
    "partial",
    "complete",
    "progression",
    "survival",
    "patient",
    "case",
    "report",
    "lung",
    "uterus",
    "bladder",
    "mesentery",
    "resistance",
    "mutation",
    "g1202r",
    "therapy",
]


def full_record(xml: str, rng: random.Random) -> str:
    """A record with the other elements baseline records carry (dates, affiliations, chemicals,
    keywords, qualifiers, history, a reference list in every other record), indented as there."""
    from lxml import etree

    record = etree.fromstring(xml)
    mc, article = record.find("MedlineCitation"), record.find("MedlineCitation/Article")
    mc.set("IndexingMethod", "Automated")

    def date(tag: str, **attrs: str) -> etree._Element:
        el = etree.Element(tag, **attrs)
        for part, value in (("Year", "2020"), ("Month", "05"), ("Day", str(rng.randint(10, 28)))):
            etree.SubElement(el, part).text = value
        return el

    mc.insert(1, date("DateCompleted"))
    mc.insert(2, date("DateRevised"))
    issn = etree.Element("ISSN", IssnType="Electronic")
    issn.text = "1234-5678"
    article.find("Journal").insert(0, issn)
    etree.SubElement(article.find("Journal/JournalIssue/PubDate"), "Month").text = "May"
    for author in article.iterfind("AuthorList/Author"):
        if rng.random() < 0.3:
            etree.SubElement(author, "Identifier", Source="ORCID").text = "0000-0002-1825-0097"
        info = etree.SubElement(author, "AffiliationInfo")
        etree.SubElement(info, "Affiliation").text = text_of(rng, 16).title() + ", Benchmark City, Country."
    article.append(date("ArticleDate", DateType="Electronic"))
    info = mc.find("MedlineJournalInfo")
    for tag, value in (("Country", "England"), ("NlmUniqueID", "0000001"), ("ISSNLinking", "1234-5678")):
        etree.SubElement(info, tag).text = value
    at = mc.index(info) + 1
    chemicals = etree.Element("ChemicalList")
    for _ in range(rng.randint(0, 4)):
        chemical = etree.SubElement(chemicals, "Chemical")
        etree.SubElement(chemical, "RegistryNumber").text = "0"
        etree.SubElement(chemical, "NameOfSubstance", UI="D000001").text = text_of(rng, 2)
    if len(chemicals):
        mc.insert(at, chemicals)
        at += 1
    subset = etree.Element("CitationSubset")
    subset.text = "IM"
    mc.insert(at, subset)
    for heading in mc.iterfind("MeshHeadingList/MeshHeading"):
        for _ in range(rng.randint(0, 2)):
            etree.SubElement(heading, "QualifierName", UI="Q000000", MajorTopicYN="N").text = text_of(rng, 1)
    keywords = etree.SubElement(mc, "KeywordList", Owner="NOTNLM")
    for _ in range(rng.randint(3, 6)):
        etree.SubElement(keywords, "Keyword", MajorTopicYN="N").text = text_of(rng, 2)
    pubmed_data = record.find("PubmedData")
    history = etree.Element("History")
    for status in ("received", "accepted", "pubmed", "medline", "entrez"):
        history.append(date("PubMedPubDate", PubStatus=status))
    pubmed_data.insert(0, history)
    if rng.random() < 0.5:
        references = etree.SubElement(pubmed_data, "ReferenceList")
        etree.SubElement(references, "Title").text = "References"
        for _ in range(rng.randint(10, 40)):
            ref = etree.SubElement(references, "Reference")
            etree.SubElement(ref, "Citation").text = text_of(rng, 20).capitalize() + ". J Bench. 2019;1:1-9."
            ids = etree.SubElement(ref, "ArticleIdList")
            etree.SubElement(ids, "ArticleId", IdType="pubmed").text = str(rng.randint(1, 39_000_000))
    etree.indent(record, space="  ")
    return etree.tostring(record, encoding="unicode")


def text_of(rng: random.Random, k: int) -> str:
    """``k`` words drawn from :data:`WORDS`."""
    return " ".join(rng.choice(WORDS) for _ in range(k))


def make_file(path: Path, n: int, seed: int = 7, full: bool = False) -> None:
    """A gzip PubMed XML file of ``n`` records shaped like baseline records (``full``: with
    every other element baseline records carry, and indented)."""
    rng = random.Random(seed)

    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(PUBMED_XML_HEADER + "<PubmedArticleSet>\n")
        for i in range(n):
            pub = Publication(
                pmid=str(30_000_000 + i),
                doi=f"10.{1000 + i % 9000}/bench.{i}",
                title=text_of(rng, 14).capitalize() + ".",
                authors=[
                    Author(last_name=f"Author{j}", fore_name="Anna M", initials="AM") for j in range(rng.randint(1, 8))
                ],
                journal="Journal of benchmark oncology",
                journal_abbrev="J Bench Oncol",
                year=1990 + i % 35,
                volume=str(i % 120),
                issue=str(i % 12),
                pages=f"{i % 900}-{i % 900 + 7}",
                publication_types=["Journal Article", "Case Reports"][: 1 + i % 2],
                language="eng",
                mesh_terms=[text_of(rng, 2).title() for _ in range(rng.randint(3, 12))],
                abstract=[
                    AbstractSection(label=label, text=text_of(rng, 45))
                    for label in (["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"] if i % 3 else [None])
                ],
            )
            xml = pubmed_article_xml(pub)
            out.write((full_record(xml, rng) if full else xml) + "\n")
        out.write("</PubmedArticleSet>\n")


def ours(path: Path) -> int:
    """Stream the file through our importer; count the Publication records."""
    n = 0
    for item in PubmedXmlImporter().read(path):
        if isinstance(item, Record):
            n += 1
    return n


def biopython(path: Path) -> int:
    """Bio.Entrez on the same file.

    ``Bio.Entrez.parse`` refuses a PubmedArticleSet ("does not represent a list"; it is a
    dictionary of PubmedArticle and PubmedBookArticle lists in Biopython >= 1.79), so this uses
    ``Bio.Entrez.read``, which Biopython documents for EFetch PubMed XML.
    """
    from Bio import Entrez

    with open_source(path) as stream:
        try:
            return sum(1 for _ in Entrez.parse(stream, validate=False))
        except ValueError:
            pass
    with open_source(path) as stream:
        result = Entrez.read(stream, validate=False)
    return len(result["PubmedArticle"]) + len(result["PubmedBookArticle"])


def child(name: str, path: Path) -> None:
    fn = {"caseseries": ours, "biopython": biopython}[name]
    t0 = time.process_time()
    n = fn(path)
    seconds = time.process_time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "seconds": seconds, "peak_mb": peak}))


def run_child(name: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path)], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    rate = result["n"] / result["seconds"]
    print(
        f"{name:<11} {int(result['n']):>7} records {result['seconds']:7.2f} s CPU {rate:>9,.0f} records/s "
        f"peak RSS {result['peak_mb']:6.1f} MB"
    )
    return {**result, "rate": rate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PubMed XML parsing benchmark")
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument(
        "--full-records",
        action="store_true",
        help="records with every other element baseline records carry, indented as in baseline files",
    )
    parser.add_argument("--child", nargs=2, metavar=("PARSER", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    WORK.mkdir(exist_ok=True)
    path = WORK / f"pubmed_baseline_like_{args.records}{'_full' if args.full_records else ''}.xml.gz"
    if not path.exists():
        make_file(path, args.records, full=args.full_records)
    print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MiB gzip, Python {sys.version.split()[0]}")
    mine = run_child("caseseries", path)
    bio = run_child("biopython", path)
    assert mine["n"] == bio["n"] == args.records, (mine["n"], bio["n"])
    print(f"speed-up {mine['rate'] / bio['rate']:.1f}x; targets: >= 10,000 records/s, >= 3x Biopython, < 200 MB peak")
    ok = mine["rate"] >= 10_000 and mine["rate"] >= 3 * bio["rate"] and mine["peak_mb"] < 200
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
