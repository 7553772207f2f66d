"""Load the controlled vocabularies shipped as versioned YAML data files.

Each loader rejects unknown keys (listing the allowed ones) so that a typo in a data file
fails loudly rather than silently dropping a synonym.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Generic, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from caseseries.errors import VocabularyError
from caseseries.model.casejson import describe_validation_error
from caseseries.model.enums import DrugClass, Response


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LabelDose(_Entry):
    """Label (standard adult) dose of a drug."""

    dose: float
    unit: str
    frequency: str
    text: str


class Drug(_Entry):
    """A systemic agent with its names, class and, for ALK inhibitors, generation."""

    name: str
    brands: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)
    trials: list[str] = Field(default_factory=list)
    drug_class: DrugClass = Field(alias="class")
    generation: int | None = Field(default=None, ge=1, le=4)
    targets: list[str] = Field(default_factory=list)
    label_dose: LabelDose | None = None
    ncit: str | None = None
    non_drug: bool = False
    source: str

    def names(self) -> list[str]:
        """Every name the drug is written as."""
        return [self.name, *self.brands, *self.codes, *self.synonyms]


class Gene(_Entry):
    """An HGNC gene with previous symbols and aliases."""

    symbol: str
    hgnc_id: str | None = None
    name: str
    previous: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    role: str
    source: str


class Site(_Entry):
    """An anatomic site with synonyms, adjectives and ontology IDs where known.

    ``parent`` names the enclosing site (tongue -> oral cavity); ``specific`` marks a sub-site
    finer than the terms a case series records, which is recorded as its nearest ancestor that
    is not specific (:func:`reported_site`).
    """

    term: str
    synonyms: list[str] = Field(default_factory=list)
    adjectives: list[str] = Field(default_factory=list)
    parent: str | None = None
    specific: bool = False
    uberon: str | None = None
    ncit: str | None = None
    source: str


class ResponseTerm(_Entry):
    """A response category with its NCIt code and synonyms."""

    code: Response
    label: str
    ncit: str | None = None
    ncit_label: str | None = None
    synonyms: list[str] = Field(default_factory=list)
    source: str


E = TypeVar("E", bound=_Entry)


_SEPARATORS = re.compile(r"[\s\-_]+")


@lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    """The index key of a name: lower case, runs of spaces, hyphens and underscores as one space."""
    return _SEPARATORS.sub(" ", text.strip().lower())


class Vocabulary(Generic[E]):
    """A loaded vocabulary: entries plus a case- and hyphen-insensitive name index."""

    def __init__(self, name: str, version: int, entries: list[E], names: dict[str, E]):
        self.name = name
        self.version = version
        self.entries = entries
        self._index = {_key(k): v for k, v in names.items()}

    def lookup(self, text: str) -> E | None:
        """The entry a name refers to, or None."""
        return self._index.get(_key(text))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Closest known names, for 'did you mean' messages."""
        return difflib.get_close_matches(_key(text), list(self._index), n=n, cutoff=0.6)

    def require(self, text: str, *, field: str = "", source: str | None = None) -> E:
        """The entry for ``text``; raise :class:`VocabularyError` with suggestions otherwise."""
        found = self.lookup(text)
        if found is None:
            hint = self.suggest(text)
            fix = (
                f"did you mean {', '.join(repr(h) for h in hint)}?"
                if hint
                else (f"add it to the {self.name} vocabulary")
            )
            raise VocabularyError(f"unknown {self.name[:-1]} {text!r}; {fix}", source=source, location=field or None)
        return found

    def names(self) -> list[str]:
        """All indexed names (normalised)."""
        return list(self._index)


def _read(filename: str, path: Path | None = None) -> tuple[int, list[dict[str, Any]]]:
    if path is None:
        text = resources.files("caseseries.vocab").joinpath("data", filename).read_text("utf-8")
        origin = f"caseseries/vocab/data/{filename}"
    else:
        text, origin = path.read_text("utf-8"), str(path)
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) - {"version", "entries"}:
        extra = sorted(set(data) - {"version", "entries"}) if isinstance(data, dict) else []
        raise VocabularyError(f"unknown top-level keys {extra}; allowed keys: version, entries", source=origin)
    return int(data.get("version", 0)), list(data.get("entries") or [])


def _build(name: str, model: type[E], filename: str, path: Path | None = None) -> tuple[int, list[E]]:
    version, raw = _read(filename, path)
    entries: list[E] = []
    for i, item in enumerate(raw):
        try:
            entries.append(model.model_validate(item))
        except pydantic.ValidationError as err:
            loc, msg = describe_validation_error(err, model)
            raise VocabularyError(msg, source=str(path or filename), location=f"entries[{i}].{loc}") from None
    return version, entries


@cache
def drugs() -> Vocabulary[Drug]:
    """The drug vocabulary (generic, brand and code names)."""
    version, entries = _build("drugs", Drug, "drugs.yaml")
    names = {n: d for d in entries for n in d.names()}
    return Vocabulary("drugs", version, entries, names)


@cache
def genes() -> Vocabulary[Gene]:
    """The gene vocabulary (approved symbols, previous symbols and aliases)."""
    version, entries = _build("genes", Gene, "genes.yaml")
    names: dict[str, Gene] = {}
    for g in entries:
        for n in (*g.aliases, *g.previous, g.symbol):
            names[n] = g
    return Vocabulary("genes", version, entries, names)


@cache
def sites() -> Vocabulary[Site]:
    """The anatomic-site vocabulary (terms, synonyms, adjectives)."""
    version, entries = _build("sites", Site, "sites.yaml")
    _check_parents(entries, "sites.yaml")
    names = {n: s for s in entries for n in (s.term, *s.synonyms, *s.adjectives)}
    return Vocabulary("sites", version, entries, names)


def _check_parents(entries: list[Site], origin: str) -> None:
    """Every ``parent`` names a term of the file, no chain loops, and a specific site has a parent."""
    by_term = {e.term: e for e in entries}
    for i, entry in enumerate(entries):
        if entry.parent is not None and entry.parent not in by_term:
            hint = difflib.get_close_matches(entry.parent, list(by_term), n=1)
            fix = f"did you mean {hint[0]!r}?" if hint else "name a term of this file"
            raise VocabularyError(
                f"unknown parent {entry.parent!r}; {fix}", source=origin, location=f"entries[{i}].parent"
            )
        if entry.specific and entry.parent is None:
            raise VocabularyError(
                "a specific site needs a parent; give the site it is recorded as",
                source=origin,
                location=f"entries[{i}].parent",
            )
        seen = {entry.term}
        node = entry
        while node.parent is not None:
            if node.parent in seen:
                raise VocabularyError(
                    f"parents loop back to {node.parent!r}; break the chain",
                    source=origin,
                    location=f"entries[{i}].parent",
                )
            seen.add(node.parent)
            node = by_term[node.parent]


def site_lineage(term: str) -> list[str]:
    """The site and its enclosing sites, innermost first (``tongue`` -> tongue, oral cavity, head and neck).

    Parameters
    ----------
    term : str
        A site term, synonym or adjective.

    Returns
    -------
    list of str
        Empty when the site is unknown.
    """
    vocab = sites()
    entry = vocab.lookup(term)
    out: list[str] = []
    while entry is not None:
        out.append(entry.term)
        entry = vocab.lookup(entry.parent) if entry.parent else None
    return out


def reported_site(term: str) -> str | None:
    """The term a case series records for a site: itself, or for a sub-site its nearest ancestor that is not specific.

    ``hard palate`` -> ``oral cavity``; ``lung`` -> ``lung``; None when the site is unknown.
    """
    vocab = sites()
    entry = vocab.lookup(term)
    while entry is not None and entry.specific and entry.parent:
        entry = vocab.lookup(entry.parent)
    return entry.term if entry else None


@cache
def responses() -> Vocabulary[ResponseTerm]:
    """The response categories with synonyms and NCIt codes."""
    version, entries = _build("responses", ResponseTerm, "responses.yaml")
    names = {n: r for r in entries for n in (r.code.value, r.label, *r.synonyms)}
    return Vocabulary("responses", version, entries, names)


def gene_symbol(text: str) -> str | None:
    """The HGNC-approved symbol for a symbol as written (CARS -> CARS1), or None if unknown."""
    found = genes().lookup(text)
    return found.symbol if found else None


def drug_name(text: str) -> str | None:
    """The lower-case generic name for a generic, brand or code name, or None if unknown."""
    found = drugs().lookup(text)
    return found.name if found else None


def site_term(text: str) -> str | None:
    """The canonical site term for a site, synonym or adjective (a sub-site as it is recorded), or None if unknown."""
    return reported_site(text)
