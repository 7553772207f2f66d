"""Check a case file against the controlled vocabularies (drugs, genes)."""

from __future__ import annotations

import re

from caseseries.errors import VocabularyError
from caseseries.model.casejson import CaseFile
from caseseries.vocab.loader import drugs, genes

RESISTANCE = re.compile(r"^(?P<gene>[A-Z0-9]+) (?P<change>p\.[A-Z]\d+[A-Z*]|p\.[A-Z]\d+_[A-Z]\d+ins[A-Z]+|c\.\S+)$")


def check_case_file(case_file: CaseFile, *, source: str = "<data>") -> None:
    """Raise on the first agent, gene or mutation label the vocabularies do not know.

    Parameters
    ----------
    case_file : CaseFile
        A validated case file.
    source : str
        File name for the error message.

    Raises
    ------
    VocabularyError
        Naming the file, the field path and the closest known names.
    """
    for d, doc in enumerate(case_file.documents):
        for p, patient in enumerate(doc.patients):
            base = f"documents[{d}].patients[{p}]"
            for i, line in enumerate(patient.lines):
                for j, agent in enumerate(line.agents):
                    _check_agent(agent, source, f"{base}.lines[{i}].agents[{j}]")
                for j, label in enumerate(line.resistance_mutations):
                    _check_mutation_label(label, source, f"{base}.lines[{i}].resistance_mutations[{j}]")
            for i, fusion in enumerate(patient.fusions):
                for end in ("gene5", "gene3"):
                    symbol = getattr(fusion, end)
                    if symbol is not None:
                        _check_gene(symbol, source, f"{base}.fusions[{i}].{end}")
            for i, mutation in enumerate(patient.mutations):
                _check_gene(mutation.gene, source, f"{base}.mutations[{i}].gene")


def _check_agent(agent: str, source: str, field: str) -> None:
    entry = drugs().require(agent, field=field, source=source)
    if entry.name != agent:
        raise VocabularyError(f"{agent!r} is not a generic name; write {entry.name!r}", source=source, location=field)


def _check_gene(symbol: str, source: str, field: str) -> None:
    entry = genes().require(symbol, field=field, source=source)
    if entry.symbol != symbol:
        raise VocabularyError(
            f"{symbol!r} is not the approved HGNC symbol; write {entry.symbol!r}",
            source=source,
            location=field,
        )


def _check_mutation_label(label: str, source: str, field: str) -> None:
    m = RESISTANCE.match(label)
    if m is None:
        raise VocabularyError(f"{label!r} is not 'GENE p.X123Y' (e.g. 'ALK p.G1202R')", source=source, location=field)
    _check_gene(m["gene"], source, field)
