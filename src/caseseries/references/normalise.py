"""Comparison forms of bibliographic fields: titles, surnames, journals, pages, DOIs.

Every function here is pure and cheap: the offline index calls them for each local record.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein

from caseseries.model.publication import normalise_title

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_GREEK_CHARS = re.compile("[" + "".join(GREEK) + "]")
_LATEX_GREEK = re.compile(r"\\(" + "|".join(sorted(set(GREEK.values()), key=len, reverse=True)) + r")\b")
# British and American spellings that differ between a manuscript and PubMed.
_SPELLING = {
    "tumour": "tumor",
    "oesophag": "esophag",
    "paediatr": "pediatr",
    "haemat": "hemat",
    "haemorrh": "hemorrh",
    "anaemi": "anemi",
    "foetal": "fetal",
    "gynaecolog": "gynecolog",
    "oestrogen": "estrogen",
}
_SPELLING_RE = re.compile("|".join(_SPELLING))
_BRACKETED = re.compile(r"^\[(.*)\]\.?$")
TITLE_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "for",
        "with",
        "to",
        "by",
        "from",
        "at",
        "as",
        "or",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "case",
        "report",
        "reports",
    ]
)
PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "le",
        "la",
        "ten",
        "ter",
        "al",
        "el",
        "bin",
        "ben",
        "st",
        "saint",
        "mac",
    ]
)
JOURNAL_STOPWORDS = frozenset(
    ["the", "of", "and", "in", "on", "for", "de", "la", "le", "der", "und", "et", "y", "e", "d", "l"]
)
_EMPHASIS_MARKS = str.maketrans("", "", "{}$*_")
_NON_LETTER = re.compile(r"[^a-z]")
_ELISION = re.compile(r"^(?:d|l|o)'")
_MARKUP = re.compile(r"<[^>]+>")
_PAREN = re.compile(r"\([^)]*\)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PAGE_SPLIT = re.compile(r"\s*[-–—‐‑]\s*")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents (``Völker`` -> ``volker``), keeping Greek as names."""
    text = text.lower()
    if text.isascii():
        return text
    text = _GREEK_CHARS.sub(lambda m: GREEK[m.group(0)], text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def title_key(title: str | None) -> str:
    """Comparison form of a title: markup, case, accents and punctuation removed, Greek spelled out.

    Parameters
    ----------
    title : str or None
        A title as cited or as indexed (PubMed puts translated titles in square brackets).

    Returns
    -------
    str
        E.g. ``"tgf beta signalling in alk positive imt"``; empty for no title.
    """
    if not title:
        return ""
    text = title.strip()
    if text.startswith("["):
        bracketed = _BRACKETED.match(text)
        if bracketed:
            text = bracketed.group(1)
    if "\\" in text:
        text = _LATEX_GREEK.sub(lambda m: m.group(1), text)
    text = fold(text.translate(_EMPHASIS_MARKS))
    if "ae" in text or "oe" in text or "tumour" in text:
        text = _SPELLING_RE.sub(lambda m: _SPELLING[m.group(0)], text)
    if text.isascii():  # already folded: only markup and punctuation are left to remove
        if "<" in text:
            text = _MARKUP.sub("", text)
        return _NON_ALNUM.sub(" ", text).strip()
    return normalise_title(text)


def title_tokens(key: str) -> list[str]:
    """Significant words of a title key (stop words and one-letter words dropped), in order."""
    stop = TITLE_STOPWORDS
    return [t for t in key.split() if t not in stop and len(t) > 1]


def title_similarity(a: str, b: str) -> float:
    """Similarity (0-100) of two title keys, tolerant of reordered and garbled words."""
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def surname_key(name: str | None) -> str:
    """Comparison form of a surname: accents, case, particles and punctuation removed.

    ``"van Noesel"``, ``"Van Noesel"`` and ``"Noesel"`` all give ``"noesel"``; ``"Martínez-Trufero"``
    gives ``"martineztrufero"``.
    """
    if not name:
        return ""
    words = fold(name).replace("’", "'").split()
    while len(words) > 1 and words[0].strip(".'") in PARTICLES:
        words = words[1:]
    joined = "".join(words)
    if "'" in joined:
        joined = _ELISION.sub("", joined)
    return joined if joined.isalpha() and joined.isascii() else _NON_LETTER.sub("", joined)


def surname_agreement(cited: str | None, indexed: str | None) -> str | None:
    """Compare two surnames: ``"same"``, ``"close"`` (a likely misspelling), ``"different"``.

    None when either is missing. A hyphenated surname cited by its first part counts as the same.
    """
    a, b = surname_key(cited), surname_key(indexed)
    if not a or not b:
        return None
    if a == b:
        return "same"
    parts_a = {surname_key(p) for p in re.split(r"[-\s]", cited or "") if p}
    parts_b = {surname_key(p) for p in re.split(r"[-\s]", indexed or "") if p}
    if a in parts_b or b in parts_a:
        return "same"
    if min(len(a), len(b)) >= 4 and (DamerauLevenshtein.distance(a, b) <= 2 or fuzz.ratio(a, b) >= 80):
        return "close"
    return "different"


def journal_tokens(journal: str, *, keep_parenthetical: bool = True) -> list[str]:
    """Words of a journal name for comparison (stop words dropped)."""
    text = journal if keep_parenthetical else _PAREN.sub(" ", journal)
    text = fold(text).replace("&", " and ").replace("'", "").replace("’", "")
    return [t for t in _NON_ALNUM.split(text) if t and t not in JOURNAL_STOPWORDS]


def _abbreviates(short: str, word: str) -> bool:
    """Whether ``short`` abbreviates ``word`` (same first letter, letters in order: Jpn -> Japanese)."""
    if short == word:
        return True
    if not short or not word or short[0] != word[0] or len(short) > len(word):
        return False
    it = iter(word)
    return all(ch in it for ch in short)


def journal_matches(cited: str | None, *indexed: str | None) -> bool | None:
    """Whether a cited journal name designates the same journal as any indexed name.

    Compares NLM/ISO abbreviations and full titles both ways: each word of the shorter form must
    abbreviate the corresponding word of the longer one (``Cancer Chemother Pharmacol`` ~
    ``Cancer chemotherapy and pharmacology``). Place qualifiers such as ``(Basel)`` may be omitted.

    Returns
    -------
    bool or None
        None when the cited journal or every indexed name is missing.
    """
    names = [n for n in indexed if n]
    if not cited or not names:
        return None
    for keep in (True, False):
        a = journal_tokens(cited, keep_parenthetical=keep)
        for name in names:
            b = journal_tokens(name, keep_parenthetical=keep)
            if not a or len(a) != len(b):
                continue
            if all(_abbreviates(x, y) or _abbreviates(y, x) for x, y in zip(a, b, strict=True)):
                return True
    return False


def first_page(pages: str | None) -> str | None:
    """The first page of a page range (``"1727-33"`` -> ``"1727"``, ``"e316–23"`` -> ``"e316"``)."""
    if not pages:
        return None
    head = _PAGE_SPLIT.split(pages.strip(), maxsplit=1)[0].strip().rstrip(".,;")
    return head or None


def page_key(page: str | None) -> str:
    """Comparison form of a page or article number (case and leading zeros ignored)."""
    if not page:
        return ""
    return re.sub(r"[^a-z0-9]", "", page.lower()).lstrip("0")


def doi_key(doi: str | None) -> str:
    """Comparison form of a DOI: resolver prefix removed, lower case, no trailing punctuation."""
    if not doi:
        return ""
    return _DOI_PREFIX.sub("", doi.strip()).rstrip(".,;)>").lower()


def volume_key(volume: str | None) -> str:
    """Comparison form of a volume (``"Vol. 5"`` -> ``"5"``)."""
    if not volume:
        return ""
    return re.sub(r"^vol(?:ume)?\.?\s*", "", volume.strip().lower()).strip()
