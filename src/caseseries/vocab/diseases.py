"""The disease vocabulary: canonical names, synonyms, case-sensitive abbreviations, related terms."""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field

from caseseries.vocab.loader import Vocabulary, _build, _Entry


class Disease(_Entry):
    """A disease with the words it is written as."""

    name: str
    diagnosis: str = Field(description="The value a case's ``diagnosis`` field takes (Case JSON uses US spelling).")
    synonyms: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    source: str

    def pattern(self, *, related: bool = False) -> re.Pattern[str]:
        """A regular expression matching the disease as a whole word.

        Parameters
        ----------
        related : bool
            Also match the broader or historical terms in ``related``.

        Returns
        -------
        re.Pattern
            Synonyms match case-insensitively and abbreviations case-sensitively.
        """
        words = [self.name, *self.synonyms, *(self.related if related else [])]
        words.sort(key=len, reverse=True)
        loose = "|".join(re.escape(w).replace(r"\ ", r"[\s\-]+") for w in words)
        alternatives = [f"(?i:{loose})"]
        if self.abbreviations:
            alternatives.append("|".join(re.escape(a) for a in sorted(self.abbreviations, key=len, reverse=True)))
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")


@cache
def diseases() -> Vocabulary[Disease]:
    """The disease vocabulary (``vocab/data/diseases.yaml``)."""
    version, entries = _build("diseases", Disease, "diseases.yaml")
    names = {n: d for d in entries for n in (d.name, *d.synonyms, *d.abbreviations)}
    return Vocabulary("diseases", version, entries, names)
