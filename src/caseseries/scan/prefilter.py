"""The fast pre-filter of a scan: vocabulary terms in a record's title, abstract and MeSH terms.

Most of PubMed says nothing about the tumours and drugs of a review. Before a record is screened
by the protocol's rules (and, if it passes, extracted), a set of the terms of the
disease, drug and gene vocabularies, compared as runs of word tokens, tells whether it names any
of them at all.

Almost no text names one, and almost every text is ASCII: for those, one C pass
(:meth:`bytes.translate` to lower-case letters and digits, spaces for the rest, then
:meth:`bytes.split`) gives the lower-cased tokens, and a text none of whose tokens is the first
token of a term, in any case, is rejected without the exact comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from caseseries.model.publication import Publication
from caseseries.vocab import diseases, drugs, genes

GENE_ROLES = frozenset({"kinase"})
"""Gene roles whose symbols count as pre-filter terms (the driver kinases, not every partner)."""


_TOKEN = re.compile(r"[^\W_]+")

_ASCII_TOKENS = bytes(b if chr(b).isascii() and chr(b).isalnum() else 0x20 for b in range(256)).lower()
"""A :meth:`bytes.translate` table: ASCII letters lower-cased, digits kept, every other byte a space.

In an ASCII text the tokens of :func:`tokens` are the runs of letters and digits, so the table
and :meth:`bytes.split` give them, lower-cased."""


def tokens(text: str) -> tuple[str, ...]:
    """The word tokens of a text (letters and digits; hyphens, spaces and punctuation split)."""
    return tuple(_TOKEN.findall(text))


class Terms:
    """Vocabulary terms as token sequences: ``loose`` compared in lower case, ``exact`` as written.

    Parameters
    ----------
    loose, exact : iterable of tuple of str
        The terms' token sequences (``loose`` in lower case).
    """

    def __init__(self, loose: Iterable[tuple[str, ...]], exact: Iterable[tuple[str, ...]]):
        self.loose = _by_first(loose)
        self.exact = _by_first(exact)
        self._loose_first = frozenset(self.loose)
        self._exact_first = frozenset(self.exact)
        self._ascii_first = frozenset(t.lower().encode() for t in (*self.loose, *self.exact) if t.isascii())

    def found_in(self, text: str) -> bool:
        """Whether any term occurs in ``text`` as a whole run of tokens."""
        # the common case: an ASCII text none of whose tokens starts a term, in any case (its tokens
        # are ASCII, so terms with other letters cannot start at any of them)
        if text.isascii() and self._ascii_first.isdisjoint(text.encode().translate(_ASCII_TOKENS).split()):
            return False
        return self.found_in_tokens(tokens(text))

    def found_in_tokens(self, words: tuple[str, ...]) -> bool:
        """Whether any term occurs in the tokens ``words`` (of :func:`tokens`) as a whole run."""
        lower = tuple(map(str.lower, words))  # one C loop
        if self._loose_first.isdisjoint(lower) and self._exact_first.isdisjoint(words):
            return False
        for i, (word, low) in enumerate(zip(words, lower, strict=True)):
            if any(lower[i : i + len(t)] == t for t in self.loose.get(low, ())):
                return True
            if any(words[i : i + len(t)] == t for t in self.exact.get(word, ())):
                return True
        return False


def _by_first(terms: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for t in sorted(set(terms)):
        if t:
            index.setdefault(t[0], []).append(t)
    return index


@cache
def prefilter_terms() -> Terms:
    """The disease, drug and driver-kinase terms of the vocabularies.

    Disease names, synonyms and related (broader, historical) names and drug names are compared
    ignoring case; disease abbreviations and gene symbols case-sensitively.
    """
    loose: set[tuple[str, ...]] = set()
    exact: set[tuple[str, ...]] = set()
    for disease in diseases().entries:
        loose.update(tokens(w.lower()) for w in (disease.name, *disease.synonyms, *disease.related))
        exact.update(tokens(a) for a in disease.abbreviations)
    for drug in drugs().entries:
        loose.update(tokens(n.lower()) for n in drug.names())
    for gene in genes().entries:
        if gene.role in GENE_ROLES:
            exact.add(tokens(gene.symbol))
    return Terms(loose, exact)


def passes_prefilter(pub: Publication) -> bool:
    """Whether a record names any vocabulary term in its title, abstract or MeSH terms."""
    terms = prefilter_terms()
    texts = (pub.title or "", pub.abstract_text, " ; ".join(pub.mesh_terms))
    return any(t and terms.found_in(t) for t in texts)
