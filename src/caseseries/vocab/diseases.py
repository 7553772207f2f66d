"""The disease vocabulary: canonical names, OncoTree codes, synonyms, abbreviations, variants."""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field, PrivateAttr

from caseseries.vocab.loader import Vocabulary, _build, _Entry, _key
from caseseries.vocab.trie import alternation

# a space or hyphen in a name matches any run of white space and hyphens (ASCII and Unicode)
_GAP = r"[\s\-‐‑]+"


def _loose(words: list[str]) -> str:
    """Alternatives of ``words`` (longest first), spaces and hyphens loose."""
    return alternation(words, _GAP, fold=True)


def _exact(words: list[str]) -> str:
    return alternation(words, None, fold=False)


def whole_word_pattern(words: list[str], abbreviations: list[str]) -> re.Pattern[str]:
    """Names (any case, spaces and hyphens loose) and abbreviations (exact) as one whole-word pattern."""
    alternatives = [f"(?i:{_loose(words)})"]
    if abbreviations:
        alternatives.append(_exact(abbreviations))
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


class Variant(_Entry):
    """A histological variant of a disease (EIMS of IMT, adenocarcinoma of NSCLC)."""

    histology: str = Field(description="The value of a case's ``histology`` field.")
    synonyms: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)

    def words(self) -> list[str]:
        """Every name the variant is written as."""
        return [self.histology, *self.synonyms, *self.abbreviations]


class Disease(_Entry):
    """A disease with its OncoTree node and the words it is written as."""

    name: str
    diagnosis: str = Field(description="The value a case's ``diagnosis`` field takes (Case JSON uses US spelling).")
    oncotree_code: str | None = Field(default=None, description="OncoTree code (or the closest broader node).")
    oncotree_name: str | None = None
    synonyms: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    source: str
    _histologies: dict[str, str] | None = PrivateAttr(default=None)

    def written(self, *, related: bool = False) -> tuple[list[str], list[str]]:
        """The names (any case, loose spaces and hyphens) and abbreviations (exact) of the disease and its variants."""
        words = [self.name, *self.synonyms, *(self.related if related else [])]
        abbreviations = list(self.abbreviations)
        for v in self.variants:
            words.extend([v.histology, *v.synonyms])
            abbreviations.extend(v.abbreviations)
        return words, abbreviations

    def pattern(self, *, related: bool = False) -> re.Pattern[str]:
        """A regular expression matching the disease (or one of its variants) as a whole word.

        Parameters
        ----------
        related : bool
            Also match the broader or historical terms in ``related``.

        Returns
        -------
        re.Pattern
            Synonyms match case-insensitively and abbreviations case-sensitively.
        """
        return whole_word_pattern(*self.written(related=related))

    def histology_of(self, written: str) -> str | None:
        """The variant a mention names (``EIMS`` -> epithelioid ... sarcoma), or None."""
        if self._histologies is None:
            found: dict[str, str] = {}
            for v in self.variants:  # the first variant naming a key is its variant
                for w in v.words():
                    found.setdefault(_key(w), v.histology)
            self._histologies = found
        return self._histologies.get(_key(written.replace("‐", "-").replace("‑", "-")))


@cache
def diseases() -> Vocabulary[Disease]:
    """The disease vocabulary (``vocab/data/diseases.yaml``)."""
    version, entries = _build("diseases", Disease, "diseases.yaml")
    names = {
        n: d
        for d in entries
        for n in (d.name, *d.synonyms, *d.abbreviations, *(w for v in d.variants for w in v.words()))
    }
    return Vocabulary("diseases", version, entries, names)
