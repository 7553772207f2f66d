"""Named things in case-report text: drugs, genes and fusions, mutations, sites, ALK testing, age and sex.

Each finder scans ``text[start:end]`` and returns hits with document offsets. Vocabularies come
from :mod:`caseseries.vocab`; nothing here knows any particular publication.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from caseseries.extraction.alk import AlkFinding, alk_methods_in, find_alk
from caseseries.extraction.anatomy import find_sites, site_of_cell
from caseseries.extraction.annotate import find_all, finditer, per_document
from caseseries.extraction.diagnosis import find_diagnosis as find_diagnosis
from caseseries.extraction.genes import (
    NOT_GENES,
    OTHER_KINASES,
    closest_genes,
    find_fusions,
    find_mutations,
    find_other_alterations,
    normalise_gene,
    other_kinase_fusion,
    partner_hit,
)
from caseseries.extraction.hits import DrugHit, FusionHit, Hit, MutationHit, SiteHit, flexible
from caseseries.extraction.reported import count_value
from caseseries.model.enums import Sex
from caseseries.vocab import drugs
from caseseries.vocab.trie import alternation, starts_with_letters

__all__ = [
    "NOT_GENES",
    "OTHER_KINASES",
    "AlkFinding",
    "DrugHit",
    "FusionHit",
    "Hit",
    "MutationHit",
    "SiteHit",
    "alk_methods_in",
    "closest_genes",
    "drug_abbreviations",
    "find_age",
    "find_alk",
    "find_diagnosis",
    "find_drugs",
    "find_fusions",
    "find_mutations",
    "find_other_alterations",
    "find_sex",
    "find_sites",
    "flexible",
    "fuzzy_code",
    "normalise_gene",
    "other_kinase_fusion",
    "partner_hit",
    "site_of_cell",
]

# ----------------------------------------------------------------------------------------- drugs
_WORDISH = re.compile(r"^[A-Za-z]")


@cache
def _drug_regex() -> re.Pattern[str]:
    names = sorted({n for d in drugs().entries for n in d.names()}, key=len, reverse=True)
    alts = alternation(names, r"[\s\-]*", fold=True)
    return re.compile(rf"(?<![A-Za-z0-9]){starts_with_letters(alts)}(?:{alts})(?![A-Za-z0-9])", re.I)


@cache
def _trial_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """The single-arm trials of the drug vocabulary (``trials``), matched with their case, and their drugs."""
    drug_of = {_trial_key(t): d.name for d in drugs().entries for t in d.trials}
    names = sorted({t for d in drugs().entries for t in d.trials}, key=len, reverse=True)
    alts = "|".join(r"[\s\-]*".join(map(re.escape, re.split(r"[\s\-]+", n))) for n in names) or "(?!)"
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])"), drug_of


def _trial_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "", name).upper()


_CODE = re.compile(r"(?<![A-Za-z0-9\-])([A-Z]{2,5})-?(\d{3,7})(?![A-Za-z0-9])")


@cache
def _known_codes() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in drugs().entries:
        for code in d.codes:
            m = re.fullmatch(r"([A-Za-z]{2,5})-?(\d{3,7})", code)
            if m:
                out[m.group(1).upper() + m.group(2)] = d.name
    return out


def fuzzy_code(token: str) -> str | None:
    """The drug a mistyped code name most likely means (``ASP3062`` -> ``asp3026``), or None.

    Only the same letter prefix with the same digits in another order, or one digit changed,
    counts; the result is reported with a warning by the caller.
    """
    m = re.fullmatch(r"([A-Za-z]{2,5})-?(\d{3,7})", token)
    if not m:
        return None
    key = m.group(1).upper() + m.group(2)
    codes = _known_codes()
    if key in codes:
        return codes[key]
    best = None
    for code, name in codes.items():
        prefix = re.match(r"[A-Z]+", code)
        if prefix is None or prefix.group(0) != m.group(1).upper():
            continue
        digits = code[len(prefix.group(0)) :]
        if len(digits) == len(m.group(2)) and (
            sorted(digits) == sorted(m.group(2)) or DamerauLevenshtein.distance(digits, m.group(2)) <= 1
        ):
            best = name
    return best


@per_document
def find_drugs(text: str, start: int = 0, end: int | None = None) -> list[DrugHit]:
    """Drug mentions by generic, brand or code name (and near-miss code names, flagged fuzzy).

    The name of a single-arm trial of one drug (``trials`` in ``vocab/data/drugs.yaml``,
    "STARTRK-NG") is a mention of that drug.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        Range to scan.

    Returns
    -------
    list of DrugHit
        In text order; ``value`` is the vocabulary's lower-case generic name.
    """
    stop = len(text) if end is None else end
    vocab = drugs()
    out: list[DrugHit] = []
    taken: list[tuple[int, int]] = []
    for m in finditer(_drug_regex(), text, start, stop):
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", m.group(0)))
        if entry is None:
            entry = vocab.lookup(m.group(0).replace(" ", "").replace("-", ""))
        if entry is None:
            continue
        out.append(DrugHit(entry.name, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    trials, drug_of = _trial_names()
    for m in trials.finditer(text, start, stop):
        out.append(DrugHit(drug_of[_trial_key(m.group(0))], m.start(), m.end()))  # "enrolled in STARTRK-NG"
        taken.append((m.start(), m.end()))
    for m in finditer(_CODE, text, start, stop):
        if any(a <= m.start() < b for a, b in taken):
            continue
        name = fuzzy_code(m.group(0))
        if name is not None:
            out.append(DrugHit(name, m.start(), m.end(), fuzzy=True))
    abbreviations = drug_abbreviations(text)
    if abbreviations:
        pattern = re.compile(r"(?<![A-Za-z0-9\-])(" + "|".join(map(re.escape, abbreviations)) + r")(?![A-Za-z0-9])")
        for m in pattern.finditer(text, start, stop):
            defining = any(0 <= m.start() - b <= 3 for _, b in taken)  # "alectinib (ALC)" itself
            if not defining and not any(a <= m.start() < b for a, b in taken):
                out.append(DrugHit(abbreviations[m.group(1)], m.start(), m.end()))
    out.sort(key=lambda h: h.start)
    return out


_ABBREVIATION = re.compile(r"\(\s*([A-Z][A-Za-z]{1,5})\s*\)")


@lru_cache(maxsize=4)
def drug_abbreviations(text: str) -> dict[str, str]:
    """Abbreviations the text defines for drugs ("alectinib (ALC)" -> ``{"ALC": "alectinib"}``).

    An abbreviation counts when it is written in brackets right after a drug name and it is
    not itself a name of another drug or a common clinical abbreviation.
    """
    out: dict[str, str] = {}
    vocab = drugs()
    for m in finditer(_drug_regex(), text):
        a = _ABBREVIATION.match(text, m.end() + (1 if text[m.end() : m.end() + 1] == " " else 0))
        if a is None:
            continue
        abbr = a.group(1)
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", m.group(0)))
        if entry is None or abbr.upper() in NOT_GENES or vocab.lookup(abbr) is not None:
            continue
        out[abbr] = entry.name
    return out


# ----------------------------------------------------------------------------------------- demographics
_AGE = re.compile(
    r"\b(\d{1,3}(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)[\s\-]*(year|yr|month|week|day)s?[\s\-]*old\b"
    r"|\b(?:aged|age(?:\s+of)?|age:)\s*(\d{1,3}(?:\.\d+)?)(?:\s*(years|yrs|months|weeks|days|y\b))?"
    r"|\(\s*[MF]\s*,\s*(\d{1,3})\s*(?:y|yrs?|years?)?\s*\)"
    r"|\b(neonate|newborn)\b"
    r"|\b(?:infant|baby|child|toddler|boy|girl)\s+of\s+(\d{1,2})\s*(months?|weeks?|mo)\b"
    r"|\b(\d{1,3})\s*(?:y|yrs?)\s*,?\s*(?=(?-i:[MF])\b)"
    r"|\b(\d{1,3})[\s\-]*(?:yo|y/o|y\.o\.)(?![\w/])"
    r"|\b(?:at|aged)\s+(\d{1,3}(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)\s+(year|month|week|day)s?\s+of\s+age\b",
    re.I,
)
_PER_YEAR = {"year": 1, "yr": 1, "y": 1, "month": 12, "week": 52.1775, "day": 365.25}
_SEX_WORDS = re.compile(
    r"\b(woman|women|female|girl|lady|mother|daughter|man|male|boy|gentleman|father|son)\b|\(\s*([MF])\s*,"
    r"|\b\d{1,3}\s*(?:y|yrs?)\s*,?\s*((?-i:[MF]))\b",
    re.I,
)
SEX_NOUN = _SEX_WORDS  # a word that says the sex (not a pronoun)
_FEMALE = {"woman", "women", "female", "girl", "lady", "mother", "daughter", "f"}
_PRONOUN = re.compile(r"\b(she|her|hers|he|his|him)\b", re.I)


def find_age(text: str, start: int = 0, end: int | None = None) -> Hit | None:
    """The first age in the range, in years (``7-month-old`` -> ``0.58``)."""
    stop = len(text) if end is None else end
    for m in find_all(_AGE, text, start, stop):
        if m.group(1) or m.group(11):
            raw = (m.group(1) or m.group(11)).lower()
            count = None if raw[0].isdigit() else count_value(raw)
            value = float(raw) if raw[0].isdigit() else (float(count) if count is not None else None)
            if value is None:
                continue
            years = value / _PER_YEAR[(m.group(2) or m.group(12)).lower()]
        elif m.group(3):
            years = float(m.group(3)) / _PER_YEAR[(m.group(4) or "y").lower().rstrip("s")]
        elif m.group(5):
            years = float(m.group(5))
        elif m.group(7):
            years = float(m.group(7)) / (52.1775 if m.group(8).lower().startswith("w") else 12)
        elif m.group(9) or m.group(10):
            years = float(m.group(9) or m.group(10))
        else:
            years = 0.0
        if years > 120:
            continue
        return Hit(f"{round(years, 2):g}", m.start(), m.end())
    return None


_AT_BIRTH = re.compile(
    r"\b(?:presented|diagnosed|detected|noted|found|seen|identified)\s+(?:\w+\s+){0,10}?"
    r"(?:antenatally|prenatally|in\s+utero|at\s+birth)\b|\b(?:antenatally|prenatally)\s+(?:diagnosed|detected)\b"
    r"|\b(?:mass|tumou?r|lesion|swelling)\s+(?:\w+\s+){0,3}?(?:at|since)\s+birth\b",
    re.I,
)


def find_birth_age(text: str, start: int = 0, end: int | None = None) -> Hit | None:
    """Age 0 for a tumour found before or at birth ("presented antenatally", "a mass at birth")."""
    m = _AT_BIRTH.search(text, start, len(text) if end is None else end)
    return Hit("0", m.start(), m.end()) if m else None


def find_sex(text: str, start: int = 0, end: int | None = None) -> tuple[Sex, int, int] | None:
    """Sex from nouns (woman, boy, F) near the start of the range, else from pronouns."""
    stop = len(text) if end is None else end
    m = _SEX_WORDS.search(text, start, stop)
    if m:
        word = (m.group(1) or m.group(2) or m.group(3)).lower()
        sex = Sex.FEMALE if word in _FEMALE else Sex.MALE
        return sex, m.start(m.lastindex or 1), m.end(m.lastindex or 1)
    counts = {Sex.FEMALE: 0, Sex.MALE: 0}
    first: dict[Sex, tuple[int, int]] = {}
    for p in _PRONOUN.finditer(text, start, stop):
        sex = Sex.FEMALE if p.group(1).lower() in ("she", "her", "hers") else Sex.MALE
        counts[sex] += 1
        first.setdefault(sex, (p.start(), p.end()))
    if counts[Sex.FEMALE] == counts[Sex.MALE]:
        return None
    sex = Sex.FEMALE if counts[Sex.FEMALE] > counts[Sex.MALE] else Sex.MALE
    return sex, *first[sex]
