"""The context engine against medspacy's ConText on the same rule file: agreement and speed.

Both engines read ``extraction/data/context_rules.json`` and get the same targets (response
phrases, drugs and sites found by the extractor) and the same sentences (``sentences.py``); the
modifiers each assigns to each target are compared, then each is timed alone on abstract-length
documents (one process; pin it to one core with taskset). medspacy is optional: without it only
our engine is timed.

Run: PYTHONPATH=src taskset -c 0 python benchmarks/bench_context.py [--seconds 5] [--show]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from caseseries.extraction.context import ContextEngine, Mention
from caseseries.extraction.entities import find_drugs, find_sites
from caseseries.extraction.responses import _targets
from caseseries.extraction.sentences import sentences

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    "real-dev": ROOT.parent / "shared" / "corpus" / "real-dev",
    "dev": ROOT / "tests" / "data" / "extraction" / "dev",
}
CASES = ROOT / "tests" / "data" / "extraction" / "context_cases.yaml"
Doc = tuple[str, str, list[tuple[int, int]], list[Mention]]


def documents(folder: Path, limit: int = 2500) -> list[Doc]:
    """``(name, text, sentences, targets)`` for the abstract-length texts of a folder."""
    out: list[Doc] = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text("utf-8")
        if len(text) > limit:
            continue
        spans = [(s.start, s.end) for s in sentences(text)]
        targets: list[Mention] = []
        for a, b in spans:
            targets += _targets(text, a, b, True)
        targets += [Mention("DRUG", h.start, h.end, h.value) for h in find_drugs(text)]
        targets += [Mention("SITE", h.start, h.end, str(h.value)) for h in find_sites(text)]
        out.append((path.name, text, spans, targets))
    return out


def table_documents() -> list[Doc]:
    """The rows of the context test table, one document each (target and kind as the row gives)."""
    import yaml

    rows = yaml.safe_load(CASES.read_text("utf-8")) if CASES.exists() else []
    out: list[Doc] = []
    for i, row in enumerate(rows):
        text = row["text"]
        a = text.index(row["target"])
        spans = [(s.start, s.end) for s in sentences(text)]
        out.append((f"row {i}", text, spans, [Mention(row["kind"], a, a + len(row["target"]))]))
    return out


def rule_dicts() -> list[dict[str, Any]]:
    """The bundled rule file as dictionaries."""
    text = resources.files("caseseries.extraction").joinpath("data", "context_rules.json").read_text("utf-8")
    rules: list[dict[str, Any]] = json.loads(text)["context_rules"]
    return rules


def ours(engine: ContextEngine, doc: Doc) -> list[frozenset[str]]:
    """Our modifiers per target."""
    _, text, spans, targets = doc
    return [frozenset(m.modifiers) for m in engine.annotate(text, targets, 0, len(text), spans)]


class Medspacy:
    """A blank English pipeline with medspacy's ConText over the same rules (no model download)."""

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        import spacy
        from medspacy.context import ConText, ConTextRule
        from spacy.tokens import Span

        self.Span = Span
        self.nlp = spacy.blank("en")
        # medspacy 1.3.1's ConTextRule.from_json rejects the terminated_by key its constructor takes,
        # so the rules are built from the same dictionaries directly
        built = [ConTextRule(**{k: set(v) if isinstance(v, list) else v for k, v in r.items()}) for r in rules]
        self.context = ConText(self.nlp, rules=None, input_span_type="group", span_group_name="targets")
        self.context.add(built)

    def run(self, doc: Doc) -> list[frozenset[str]]:
        """medspacy's modifiers per target (same order)."""
        _, text, spans, targets = doc
        sdoc = self.nlp.make_doc(text)
        starts = {a for a, _ in spans}
        for token in sdoc:
            token.is_sent_start = token.i == 0 or token.idx in starts
        group = []
        index: dict[tuple[int, int, str], list[int]] = {}
        for i, t in enumerate(targets):
            span = sdoc.char_span(t.start, t.end, label=t.kind, alignment_mode="expand")
            if span is None:
                continue
            group.append(span)
            index.setdefault((span.start, span.end, t.kind), []).append(i)
        sdoc.spans["targets"] = group
        self.context(sdoc)
        found: list[set[str]] = [set() for _ in targets]
        for target, modifier in sdoc._.context_graph.edges:
            for i in index.get((target.start, target.end, target.label_), []):
                found[i].add(modifier.category)
        return [frozenset(f) for f in found]


def docs_per_second(run: Any, docs: list[Doc], seconds: float) -> tuple[float, int]:
    """Documents per second of ``run`` over ``docs`` repeated for ``seconds``."""
    for d in docs[:3]:
        run(d)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for d in docs:
            run(d)
            n += 1
    return n / (time.perf_counter() - start), n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--show", action="store_true", help="print each disagreement (document, target, modifiers)")
    args = parser.parse_args()
    engine = ContextEngine()
    try:
        medspacy: Medspacy | None = Medspacy(rule_dicts())
    except ImportError:
        medspacy = None
        print("medspacy not installed: timing our engine only (pip install medspacy to compare)")
    every: list[Doc] = []
    sets = [(name, documents(folder)) for name, folder in CORPORA.items() if folder.is_dir()]
    sets.append(("context test table", table_documents()))
    for name, docs in sets:
        if name != "context test table":
            every += docs
        n_targets = sum(len(d[3]) for d in docs)
        chars = sum(len(d[1]) for d in docs) / max(1, len(docs))
        print(f"{name}: {len(docs)} documents (mean {chars:.0f} characters), {n_targets} targets")
        if medspacy is None:
            continue
        agree = 0
        modified = 0
        per: Counter[tuple[str, str]] = Counter()
        for d in docs:
            a, b = ours(engine, d), medspacy.run(d)
            for t, x, y in zip(d[3], a, b, strict=True):
                agree += x == y
                modified += bool(x or y)
                for c in x | y:
                    per[(c, "both" if c in x and c in y else "ours only" if c in x else "medspacy only")] += 1
                if x != y and args.show:
                    print(f"  {d[0]} {t.kind} {d[1][t.start : t.end]!r}: ours {sorted(x)} medspacy {sorted(y)}")
        print(
            f"  agreement: {agree}/{n_targets} targets ({agree / max(1, n_targets):.1%}); "
            f"{modified} targets modified by either engine"
        )
        for c in sorted({c for c, _ in per}):
            print(
                f"  {c}: both {per[(c, 'both')]}, ours only {per[(c, 'ours only')]}, "
                f"medspacy only {per[(c, 'medspacy only')]}"
            )
    if not every:
        return
    rate, n = docs_per_second(lambda d: ours(engine, d), every, args.seconds)
    print(f"our engine: {rate:.0f} documents/s ({n} documents)")
    if medspacy is not None:
        rate, n = docs_per_second(medspacy.run, every, args.seconds)
        print(f"medspacy ConText (blank en, tokenizer + ConText): {rate:.0f} documents/s ({n} documents)")


if __name__ == "__main__":
    main()
