"""What published sources report about ALK kinase-domain mutations and ALK inhibitors.

The knowledge is a versioned data file (``knowledge/data/alk_resistance.yaml``): every
mutation x inhibitor cell names its sources. Everything here is worded as reported evidence
("reported resistant", "reported active", "preclinical only"); it never recommends a treatment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.variants import ProteinChange, check_variant, parse_protein
from caseseries.model.casejson import describe_validation_error
from caseseries.vocab import drug_name, drugs, genes

TABLE_FILE = "alk_resistance.yaml"


class EvidenceStatus(StrEnum):
    """What a source reports for a mutation x inhibitor cell."""

    REPORTED_RESISTANT = "reported_resistant"
    REPORTED_ACTIVE = "reported_active"
    PRECLINICAL_ONLY = "preclinical_only"

    @property
    def phrase(self) -> str:
        """Wording used in evidence sentences."""
        return {
            EvidenceStatus.REPORTED_RESISTANT: "reported resistant to",
            EvidenceStatus.REPORTED_ACTIVE: "reported active:",
            EvidenceStatus.PRECLINICAL_ONLY: "preclinical activity only:",
        }[self]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A publication or database the table cites."""

    short: str
    citation: str
    checked: bool = True
    note: str | None = None


class Call(_Strict):
    """One cell of the table as written in the data file."""

    agent: str
    status: EvidenceStatus
    sources: list[str] = Field(min_length=1)
    only: list[str] = Field(default_factory=list)
    context: str | None = None
    checked: bool = True


class Observation(_Strict):
    """A published patient trajectory involving the mutation."""

    text: str
    sources: list[str] = Field(min_length=1)


class Entry(_Strict):
    """One row group of the table: alternative changes, a compound mutation or whole residues."""

    changes: list[str] = Field(default_factory=list)
    compound: list[str] = Field(default_factory=list)
    residues: list[str] = Field(default_factory=list)
    region: str | None = None
    note: str | None = None
    calls: list[Call] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind(self) -> Entry:
        kinds = [k for k in ("changes", "compound", "residues") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("give exactly one of changes, compound, residues")
        return self


class TableFile(_Strict):
    """The data file as a whole."""

    version: int
    gene: str
    sources: dict[str, Source]
    entries: list[Entry]


class SourceRef(BaseModel):
    """A source as attached to a piece of evidence."""

    model_config = ConfigDict(frozen=True)

    key: str
    short: str
    citation: str
    checked: bool


class AgentEvidence(BaseModel):
    """What is reported for one agent against one mutation, merged over the table's calls."""

    model_config = ConfigDict(frozen=True)

    agent: str
    status: EvidenceStatus
    sources: list[SourceRef]
    contexts: list[str] = Field(default_factory=list)
    checked: bool = True

    def cite(self) -> str:
        """``Lin 2017; Gainor 2016`` (``not re-checked`` appended for unchecked evidence)."""
        text = "; ".join(s.short for s in self.sources)
        return text if self.checked else f"{text}; not re-checked"


class MutationKnowledge(BaseModel):
    """Everything the table reports about one mutation (empty ``evidence`` when nothing is)."""

    model_config = ConfigDict(frozen=True)

    gene: str
    change: str
    table_version: int
    region: str | None = None
    notes: list[str] = Field(default_factory=list)
    evidence: list[AgentEvidence] = Field(default_factory=list)
    observations: list[str] = Field(default_factory=list)
    compounds: list[str] = Field(default_factory=list)

    @property
    def known(self) -> bool:
        """Whether the table has anything for this mutation."""
        return bool(self.evidence or self.observations or self.notes)

    @property
    def label(self) -> str:
        """``ALK p.G1202R``."""
        return f"{self.gene} {self.change}"

    def with_status(self, status: EvidenceStatus) -> list[AgentEvidence]:
        """The evidence items with one status."""
        return [e for e in self.evidence if e.status is status]

    def sentence(self, agents: list[str] | None = None) -> str:
        """One evidence sentence, optionally restricted to ``agents`` when any of them appear.

        Example: ``ALK p.G1202R: reported resistant to alectinib (Lin 2017; Gainor 2016);
        reported active: lorlatinib (Lin 2017; OncoKB 2018-07-12)``.
        """
        items = self.evidence
        if agents:
            wanted = {_agent_key(a) for a in agents}
            chosen = [e for e in items if e.agent in wanted]
            items = chosen or items
        if not items:
            return f"{self.label}: no reported evidence in the ALK resistance table (version {self.table_version})"
        parts = []
        for status in EvidenceStatus:
            group = [e for e in items if e.status is status]
            if group:
                parts.append(f"{status.phrase} " + ", ".join(f"{e.agent} ({e.cite()})" for e in group))
        return f"{self.label}: " + "; ".join(parts)


@dataclass(frozen=True)
class _Row:
    entry: Entry
    keys: tuple[str, ...]


class ResistanceTable:
    """The loaded mutation x inhibitor table."""

    def __init__(self, data: TableFile):
        self.version = data.version
        self.gene = data.gene
        self.sources = data.sources
        self.entries = data.entries

    def _refs(self, keys: list[str]) -> list[SourceRef]:
        return [
            SourceRef(key=k, short=self.sources[k].short, citation=self.sources[k].citation,
                      checked=self.sources[k].checked)
            for k in keys
        ]  # fmt: skip

    def _matches(self, entry: Entry, changes: frozenset[str]) -> bool:
        if entry.compound:
            return frozenset(entry.compound) == changes
        if len(changes) != 1:
            return False
        (change,) = changes
        if entry.changes:
            return change in entry.changes
        parsed = parse_protein(change, gene=self.gene)
        return parsed.kind == "substitution" and f"p.{parsed.ref}{parsed.position}" in entry.residues

    def knowledge(self, changes: list[str]) -> MutationKnowledge:
        """Merge every entry that applies to a single change or to a compound (set of changes)."""
        wanted = frozenset(changes)
        label = "+".join(sorted(wanted, key=_position))
        merged: dict[tuple[str, EvidenceStatus], dict[str, Any]] = {}
        region: str | None = None
        notes: list[str] = []
        observations: list[str] = []
        for entry in self.entries:
            if not self._matches(entry, wanted):
                continue
            region = region or entry.region
            if entry.note:
                notes.append(entry.note)
            for call in entry.calls:
                if call.only and not wanted <= set(call.only):
                    continue
                slot = merged.setdefault((call.agent, call.status), {"sources": [], "contexts": [], "checked": True})
                for key in call.sources:
                    if key not in slot["sources"]:
                        slot["sources"].append(key)
                if call.context and call.context not in slot["contexts"]:
                    slot["contexts"].append(call.context)
                slot["checked"] = (
                    slot["checked"] and call.checked and all(self.sources[k].checked for k in call.sources)
                )
            for obs in entry.observations:
                cite = "; ".join(self.sources[k].short for k in obs.sources)
                observations.append(f"{obs.text} ({cite})")
        evidence = [
            AgentEvidence(
                agent=agent,
                status=status,
                sources=self._refs(slot["sources"]),
                contexts=slot["contexts"],
                checked=slot["checked"],
            )
            for (agent, status), slot in merged.items()
        ]
        compounds = []
        if len(wanted) == 1:
            compounds = ["+".join(e.compound) for e in self.entries if e.compound and wanted <= set(e.compound)]
        return MutationKnowledge(
            gene=self.gene,
            change=label,
            table_version=self.version,
            region=region,
            notes=notes,
            evidence=evidence,
            observations=observations,
            compounds=compounds,
        )

    def compound_entries(self) -> list[frozenset[str]]:
        """Every compound mutation in the table, as sets of changes."""
        return [frozenset(e.compound) for e in self.entries if e.compound]


def _position(change: str) -> int:
    m = re.search(r"\d+", change)
    return int(m.group(0)) if m else 0


def _agent_key(agent: str) -> str:
    return drug_name(agent) or agent.strip().lower()


def _validate(data: TableFile, origin: str) -> None:
    vocab = drugs()
    for i, entry in enumerate(data.entries):
        base = f"entries[{i}]"
        listed = entry.changes or entry.compound
        for j, change in enumerate(listed):
            field = "changes" if entry.changes else "compound"
            _check_change(data.gene, change, origin, f"{base}.{field}[{j}]")
        for j, residue in enumerate(entry.residues):
            m = re.fullmatch(r"p\.([A-Z])(\d+)", residue)
            if m is None or not check_variant(data.gene, f"{residue}=").ok:
                raise VocabularyError(
                    f"{residue!r} is not a reference residue of {data.gene}; write it as p.F1245",
                    source=origin,
                    location=f"{base}.residues[{j}]",
                )
        for j, call in enumerate(entry.calls):
            where = f"{base}.calls[{j}]"
            found = vocab.lookup(call.agent)
            if found is None or found.name != call.agent:
                raise VocabularyError(
                    f"agent {call.agent!r} is not a generic name in the drug vocabulary; write "
                    f"{found.name if found else 'a known generic name'!r}",
                    source=origin,
                    location=f"{where}.agent",
                )
            _check_sources(call.sources, data, origin, f"{where}.sources")
            for k, change in enumerate(call.only):
                if change not in entry.changes:
                    raise VocabularyError(
                        f"{change!r} is not one of this entry's changes ({', '.join(entry.changes)}); "
                        "list it under changes or remove it from only",
                        source=origin,
                        location=f"{where}.only[{k}]",
                    )
        for j, obs in enumerate(entry.observations):
            _check_sources(obs.sources, data, origin, f"{base}.observations[{j}].sources")


def _check_sources(keys: list[str], data: TableFile, origin: str, location: str) -> None:
    for k, key in enumerate(keys):
        if key not in data.sources:
            raise VocabularyError(
                f"unknown source {key!r}; known sources: {', '.join(sorted(data.sources))}",
                source=origin,
                location=f"{location}[{k}]",
            )


def _check_change(gene: str, change: str, origin: str, location: str) -> None:
    try:
        parsed = parse_protein(change, gene=gene)
    except InputError as err:
        raise VocabularyError(err.message, source=origin, location=location) from None
    if parsed.hgvs() != change:
        raise VocabularyError(f"write {change!r} as {parsed.hgvs()!r}", source=origin, location=location)
    result = check_variant(gene, change)
    if not result.ok:
        raise VocabularyError("; ".join(result.problems), source=origin, location=location)


def load_table(path: Path | None = None) -> ResistanceTable:
    """Load and validate the resistance table (the shipped one unless ``path`` is given).

    Raises
    ------
    VocabularyError
        Unknown keys (listing the allowed ones), unknown agents or sources, changes that are not
        normalised HGVS or whose reference residue does not match the reference protein.
    """
    if path is None:
        text = resources.files("caseseries.knowledge").joinpath("data", TABLE_FILE).read_text("utf-8")
        origin = f"caseseries/knowledge/data/{TABLE_FILE}"
    else:
        text, origin = path.read_text("utf-8"), str(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise VocabularyError(f"not valid YAML ({err.__class__.__name__}); fix the syntax", source=origin) from None
    try:
        data = TableFile.model_validate(raw)
    except pydantic.ValidationError as err:
        loc, msg = describe_validation_error(err, TableFile)
        raise VocabularyError(msg, source=origin, location=loc) from None
    _validate(data, origin)
    return ResistanceTable(data)


@cache
def table() -> ResistanceTable:
    """The shipped resistance table (loaded once)."""
    return load_table()


def _split_changes(change: str) -> list[str]:
    parts = [p for p in re.split(r"\s*(?:\+|,|;|\band\b|/(?=\s*p\.))\s*", change.strip()) if p]
    if not parts:
        raise InputError("no mutation given; write it as G1202R or p.(Gly1202Arg)", location="change")
    return parts


def lookup(gene: str, change: str) -> MutationKnowledge:
    """What the table reports for a mutation.

    Parameters
    ----------
    gene : str
        Gene symbol (aliases and previous symbols accepted); must be in the gene vocabulary.
    change : str
        ``G1202R``, ``p.G1202R``, ``p.(Gly1202Arg)``, ``1151Tins``, or a compound such as
        ``G1202R+L1196M``.

    Returns
    -------
    MutationKnowledge
        Empty evidence when the table has nothing for the mutation (or the gene is not ALK).

    Raises
    ------
    VocabularyError
        Unknown gene (the message lists close matches).
    InputError
        A change that is not a protein change.
    """
    current = table()
    entry = genes().lookup(gene)
    if entry is None:
        raise VocabularyError(
            f"unknown gene {gene!r}; genes with resistance knowledge: {current.gene}", location="gene"
        )
    symbol = entry.symbol
    if symbol != current.gene:
        changes = [_safe_normalise(c, current.gene) for c in _split_changes(change)]
        return MutationKnowledge(gene=symbol, change="+".join(changes), table_version=current.version)
    changes = [parse_protein(c, gene=symbol).hgvs() for c in _split_changes(change)]
    return current.knowledge(changes)


def _safe_normalise(change: str, gene: str) -> str:
    parsed: ProteinChange = parse_protein(change, gene=gene)
    return parsed.hgvs()


def _parse_label(label: str) -> tuple[str, str]:
    text = label.strip()
    m = re.match(r"^([A-Za-z][A-Za-z0-9-]*)[\s:]+(.+)$", text)
    if m and genes().lookup(m.group(1)) is not None:
        return m.group(1), m.group(2)
    return "ALK", text


def annotate_line(resistance_mutations: list[str], agents: list[str]) -> list[str]:
    """Evidence sentences for a therapy line that follows resistance mutations.

    Parameters
    ----------
    resistance_mutations : list of str
        Labels as in Case JSON (``"ALK p.G1202R"``; ``"G1202R"`` is read as ALK).
    agents : list of str
        The line's agents; when any of them appears in the table, each sentence is restricted
        to those agents.

    Returns
    -------
    list of str
        One sentence per mutation, plus one per compound mutation of the table whose changes are
        all present, e.g. ``"ALK p.G1202R: reported resistant to alectinib (Lin 2017; Gainor 2016)"``.
    """
    sentences: list[str] = []
    by_gene: dict[str, list[str]] = {}
    for label in resistance_mutations:
        gene, change = _parse_label(label)
        knowledge = lookup(gene, change)
        sentences.append(knowledge.sentence(agents))
        by_gene.setdefault(knowledge.gene, []).extend(knowledge.change.split("+"))
    current = table()
    present = set(by_gene.get(current.gene, []))
    for compound in current.compound_entries():
        if len(compound) > 1 and compound <= present:
            sentences.append(current.knowledge(sorted(compound)).sentence(agents))
    return sentences
