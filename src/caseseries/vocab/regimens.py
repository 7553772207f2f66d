"""The regimen vocabulary: chemotherapy regimens, treatment protocols and unnamed drug-class phrases.

``vocab/data/regimens.yaml`` lists, per entry, how it is written and what it stands for: a
regimen acronym expands to its drugs (CHOP -> cyclophosphamide, doxorubicin, vincristine,
prednisone), a protocol name to ``chemotherapy`` and a class phrase ("an ALK inhibitor") to no
named drug. The loader rejects unknown keys and component names the drug vocabulary lacks.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from caseseries.errors import VocabularyError
from caseseries.model.enums import DrugClass
from caseseries.vocab.loader import Vocabulary, _build, _Entry, drugs
from caseseries.vocab.trie import alternation


class RegimenKind(StrEnum):
    """What a regimen entry names."""

    REGIMEN = "regimen"
    PROTOCOL = "protocol"
    CLASS = "class"


class Regimen(_Entry):
    """A regimen, protocol or class phrase with the words it is written as and its drugs."""

    name: str
    kind: RegimenKind
    written: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    drug_class: DrugClass | None = None
    target: str | None = None
    source: str

    @model_validator(mode="after")
    def _consistent(self) -> Regimen:
        if self.kind is RegimenKind.CLASS and (self.components or self.drug_class is None):
            raise ValueError("a class entry has a drug_class and no components")
        if self.kind is not RegimenKind.CLASS and not self.components:
            raise ValueError("a regimen or protocol entry lists its components")
        return self

    def names(self) -> list[str]:
        """Every way the entry is written."""
        return [self.name, *self.written]

    def pattern(self) -> re.Pattern[str]:
        """A regular expression for the entry as a whole word.

        Regimen and protocol acronyms match case-sensitively ("ICE" is not "ice"); class phrases
        ignore case. Spaces and hyphens match any run of spaces or hyphens (or none), also between
        letters and the digits after them ("ALCL99", "ALCL-99", "ALCL 99").
        """
        return _whole_word(tuple(self.names()), ignore_case=self.kind is RegimenKind.CLASS)


@cache
def _whole_word(names: tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str]:
    spaced = [re.sub(r"(?<=[A-Za-z])(?=\d)", " ", w) for w in names]  # ALCL99 = ALCL 99
    alts = alternation(spaced, r"[\s\-]*", fold=ignore_case)
    return re.compile(rf"(?<![A-Za-z0-9\-])(?:{alts})(?![A-Za-z0-9])", re.I if ignore_case else 0)


def any_entry(entries: tuple[Regimen, ...], *, ignore_case: bool) -> re.Pattern[str]:
    """One pattern for every way the ``entries`` are written (the entry is the one whose pattern matches)."""
    return _whole_word(tuple(n for e in entries for n in e.names()), ignore_case=ignore_case)


def load_regimens(path: Path | None = None) -> Vocabulary[Regimen]:
    """Read a regimen file (default: the shipped ``regimens.yaml``).

    Parameters
    ----------
    path : Path or None
        Another regimen file, for curators testing an edit.

    Returns
    -------
    Vocabulary of Regimen

    Raises
    ------
    VocabularyError
        On unknown keys, a missing source, or a component the drug vocabulary does not know.
    """
    version, entries = _build("regimens", Regimen, "regimens.yaml", path)
    known = drugs()
    for i, entry in enumerate(entries):
        for j, component in enumerate(entry.components):
            if known.lookup(component) is None:
                raise VocabularyError(
                    f"unknown drug {component!r}; add it to drugs.yaml or fix the name",
                    source=str(path or "regimens.yaml"),
                    location=f"entries[{i}].components[{j}]",
                )
    names = {n: r for r in entries for n in r.names()}
    return Vocabulary("regimens", version, entries, names)


@cache
def regimens() -> Vocabulary[Regimen]:
    """The shipped regimen vocabulary (``vocab/data/regimens.yaml``)."""
    return load_regimens()
