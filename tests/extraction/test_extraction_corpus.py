"""The extraction corpus: gold Case JSON beside each text, valid, traceable to the text, split as documented.

These tests check the data in ``tests/data/extraction`` (see its README): each gold file must load
and pass the vocabulary check, every literal value it claims must be findable in its text, and the
dev / held-aside split must keep the documented size and mix of styles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.conftest import DATA as TESTS_DATA

from caseseries.model.casejson import CaseFile, load_case_file
from caseseries.vocab import drugs, genes, sites
from caseseries.vocab.check import check_case_file

CORPUS = TESTS_DATA / "extraction"
SETS = ("dev", "heldout")
MANIFEST = CORPUS / "manifest.json"
GOLD = sorted(p for s in SETS for p in (CORPUS / s).glob("*.json"))
MIN_SIZE = {"dev": 30, "heldout": 15}
MIN_MIX = {"table": 3, "zero-patient": 2, "multi-patient": 3}


def _norm(text: str) -> str:
    """Lower-case, hyphens/underscores/whitespace runs as one space (as the vocabulary index does)."""
    return re.sub(r"[\s\-_]+", " ", text.lower())


def _mentions(text: str, names: list[str]) -> bool:
    norm = _norm(text)
    return any(re.search(rf"(?<![a-z0-9]){re.escape(_norm(n))}(?![a-z0-9])", norm) for n in names if n)


def _load(path: Path) -> tuple[CaseFile, str]:
    case_file = load_case_file(path)
    check_case_file(case_file, source=str(path))
    assert len(case_file.documents) == 1, f"{path.name}: exactly one document per gold file"
    src = case_file.documents[0].source.path
    assert src == f"{path.stem}.txt", f"{path.name}: source.path is {src!r}, expected {path.stem}.txt"
    text_path = path.with_name(src)
    assert text_path.is_file(), f"{path.name}: {src} does not exist beside it"
    raw = text_path.read_bytes()
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    assert text.strip(), f"{src} is empty"
    return case_file, text


def _manifest() -> list[dict[str, object]]:
    data = json.loads(MANIFEST.read_text("utf-8"))
    docs = data["documents"]
    assert isinstance(docs, list)
    return docs


def _styles(entry: dict[str, object]) -> list[str]:
    styles = entry["styles"]
    assert isinstance(styles, list)
    return [str(s) for s in styles]


def test_corpus_is_present() -> None:
    assert len(GOLD) >= 45


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_is_valid_and_traceable(path: Path) -> None:
    case_file, text = _load(path)
    patients = case_file.documents[0].patients
    labels = [p.label for p in patients]
    assert len(labels) == len(set(labels)), f"{path.name}: duplicate labels {labels}"
    for patient in patients:
        where = f"{path.name} {patient.label}"
        assert re.fullmatch(r"index patient|case \d+|Table \d+, case \d+", patient.label), where
        if patient.reference is not None:
            assert patient.reference in text, f"{where}: reference {patient.reference!r} not in text"
        if patient.age_years is not None and patient.age_years >= 1 and patient.age_years == int(patient.age_years):
            assert re.search(rf"(?<!\d){int(patient.age_years)}(?!\d)", text), f"{where}: age not in text"
        for site in [patient.primary_site, *patient.metastatic_sites]:
            if site is not None:
                entry = sites().require(site)
                assert entry.term == site, f"{where}: site {site!r} is not canonical ({entry.term!r})"
                assert _mentions(text, [entry.term, *entry.synonyms, *entry.adjectives]), f"{where}: {site}"
        for fusion in patient.fusions:
            assert fusion.as_written and fusion.as_written in text, f"{where}: fusion {fusion.as_written!r}"
            for symbol in (fusion.gene5, fusion.gene3):
                if symbol is not None:
                    gene = genes().require(symbol)
                    assert _mentions(text, [gene.symbol, *gene.previous, *gene.aliases]), f"{where}: {symbol}"
        for mutation in patient.mutations:
            if mutation.as_written is not None:
                assert mutation.as_written in text, f"{where}: mutation {mutation.as_written!r}"
            position = re.search(r"\d+", mutation.protein or mutation.coding or "")
            assert position and position.group() in text, f"{where}: mutation position not in text"
        labels_known = {f"{m.gene} {m.protein}" for m in patient.mutations} | {
            f"{m.gene} {m.coding}" for m in patient.mutations
        }
        assert [line.line for line in patient.lines] == list(range(1, len(patient.lines) + 1)), where
        for line in patient.lines:
            for agent in line.agents:
                drug = drugs().require(agent)
                assert _mentions(text, drug.names()), f"{where}: agent {agent!r} not written in text"
            for label in line.resistance_mutations:
                assert label in labels_known, f"{where}: resistance mutation {label!r} not in mutations"
            if line.response_as_written is not None:
                assert line.response_as_written in text, f"{where}: {line.response_as_written!r}"
                assert line.best_response is None, f"{where}: response_as_written is for vague wording only"
        for conflict in patient.conflicts:
            assert conflict.chosen in conflict.values, f"{where}: conflict chosen value not among values"


def test_manifest_matches_files() -> None:
    docs = _manifest()
    listed = {str(d["name"]): d for d in docs}
    assert len(listed) == len(docs), "duplicate names in manifest"
    on_disk = {p.stem: p.parent.name for p in GOLD}
    assert set(listed) == set(on_disk)
    for name, entry in listed.items():
        assert entry["set"] == on_disk[name], f"{name}: manifest says {entry['set']}, file is in {on_disk[name]}"
        case_file = load_case_file(CORPUS / on_disk[name] / f"{name}.json")
        count = len(case_file.documents[0].patients)
        assert entry["patients"] == count, f"{name}: manifest says {entry['patients']} patients, gold has {count}"
        styles = entry["styles"]
        assert isinstance(styles, list) and styles, name
        assert ("zero-patient" in styles) == (count == 0), f"{name}: zero-patient tag disagrees with gold"
        assert ("multi-patient" in styles) == (count >= 2), f"{name}: multi-patient tag disagrees with gold"
        text = (CORPUS / on_disk[name] / f"{name}.txt").read_text("utf-8")
        if "table-tsv" in styles:
            assert re.search(r"^[^\n]*\t[^\n]*\t", text, re.M), f"{name}: no tab-separated table"
        if "table-pipe" in styles:
            assert re.search(r"^\|.*\|.*\|\s*$", text, re.M), f"{name}: no pipe table"


@pytest.mark.parametrize("subset", SETS)
def test_split_size_and_mix(subset: str) -> None:
    docs = [d for d in _manifest() if d["set"] == subset]
    assert len(docs) >= MIN_SIZE[subset]
    for tag, minimum in MIN_MIX.items():
        n = sum(1 for d in docs if tag in _styles(d))
        assert n >= minimum, f"{subset}: only {n} documents tagged {tag!r}, need {minimum}"
    groups = {d["group"] for d in docs}
    all_groups = {d["group"] for d in _manifest()}
    assert groups == all_groups, f"{subset} lacks style groups {sorted(all_groups - groups)}"  # type: ignore[type-var]


def test_readme_lists_every_document() -> None:
    readme = (CORPUS / "README.md").read_text("utf-8")
    for entry in _manifest():
        row = re.search(rf"^\| {re.escape(str(entry['name']))} \| (\w+) \|.*\| (\d+) \|$", readme, re.M)
        assert row, f"README table lacks {entry['name']}"
        assert row.group(1) == entry["set"] and int(row.group(2)) == entry["patients"], entry["name"]
