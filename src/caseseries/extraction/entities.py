"""Named things in case-report text: drugs, genes and fusions, mutations, sites, ALK testing, age and sex.

Each finder scans ``text[start:end]`` and returns hits with document offsets. Vocabularies come
from :mod:`caseseries.vocab`; nothing here knows any particular publication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from caseseries.extraction.diagnosis import find_diagnosis as find_diagnosis
from caseseries.extraction.patterns import ordered_patterns
from caseseries.extraction.reported import count_value
from caseseries.knowledge.variants import THREE_TO_ONE
from caseseries.model.enums import AlkMethod, AlkStatus, Sex
from caseseries.vocab import drugs, genes, sites

# ----------------------------------------------------------------------------------------- hits


@dataclass(frozen=True)
class Hit:
    """A value found at ``[start, end)`` of the document."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class DrugHit(Hit):
    """A drug mention; ``value`` is the lower-case generic name."""

    fuzzy: bool = False


@dataclass(frozen=True)
class FusionHit:
    """A fusion mention: ``gene5`` None when the partner is unknown."""

    gene5: str | None
    gene3: str | None
    as_written: str
    start: int
    end: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MutationHit:
    """A point mutation: protein one-letter HGVS (``p.G1202R``) and/or coding (``c.3604G>A``)."""

    gene: str
    protein: str | None
    coding: str | None
    start: int
    end: int


@dataclass(frozen=True)
class SiteHit(Hit):
    """An anatomic site mention; ``value`` is the canonical term; ``role`` primary/metastatic/None."""

    role: str | None = None


@dataclass
class AlkFinding:
    """ALK status and methods found in a range, with the spans that support them."""

    status: AlkStatus | None = None
    status_span: tuple[int, int] | None = None
    methods: dict[AlkMethod, tuple[int, int]] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------- drugs
def flexible(name: str, *, optional_hyphen: bool = False) -> str:
    """A regex for ``name`` in which spaces and hyphens match any run of spaces or hyphens."""
    parts = re.split(r"[\s\-]+", name)
    sep = r"[\s\-]*" if optional_hyphen else r"[\s\-]+"
    return sep.join(re.escape(p) for p in parts if p)


_WORDISH = re.compile(r"^[A-Za-z]")


@cache
def _drug_regex() -> re.Pattern[str]:
    names = sorted({n for d in drugs().entries for n in d.names()}, key=len, reverse=True)
    alts = "|".join(flexible(n, optional_hyphen=True) for n in names)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alts})(?![A-Za-z0-9])", re.I)


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


def find_drugs(text: str, start: int = 0, end: int | None = None) -> list[DrugHit]:
    """Drug mentions by generic, brand or code name (and near-miss code names, flagged fuzzy).

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
    for m in _drug_regex().finditer(text, start, stop):
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", m.group(0)))
        if entry is None:
            entry = vocab.lookup(m.group(0).replace(" ", "").replace("-", ""))
        if entry is None:
            continue
        out.append(DrugHit(entry.name, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _CODE.finditer(text, start, stop):
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
    for m in _drug_regex().finditer(text):
        a = _ABBREVIATION.match(text, m.end() + (1 if text[m.end() : m.end() + 1] == " " else 0))
        if a is None:
            continue
        abbr = a.group(1)
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", m.group(0)))
        if entry is None or abbr.upper() in NOT_GENES or vocab.lookup(abbr) is not None:
            continue
        out[abbr] = entry.name
    return out


# ----------------------------------------------------------------------------------------- genes
_DASH = "-‐‑‒–—"
_SYMBOL = r"[A-Z][A-Z0-9]{1,9}(?:orf\d+)?"
_FUSION_PAIR = re.compile(rf"(?<![A-Za-z0-9\-])({_SYMBOL})\s*(::|:|/|[{_DASH}]|\s*-\s*)\s*({_SYMBOL})(?![A-Za-z0-9])")
_FUSION_WORDS = re.compile(
    rf"\b(?:fusion|rearrangement|translocation)\s+(?:of|between|involving)\s+(?:the\s+)?({_SYMBOL})"
    rf"(?:\s+gene)?\s+(?:and|with|to)\s+(?:the\s+)?({_SYMBOL})\b"
    rf"|\b({_SYMBOL})\s+(?:fused|fusing)\s+(?:to|with)\s+(?:the\s+)?({_SYMBOL})\b"
    rf"|\b(ALK)\s+(?:fusion|rearrangement)\s+(?:with|to|partner(?:\s+gene)?(?:\s+was|\s+is|,)?)\s+(?:the\s+)?({_SYMBOL})\b"
)
_TRANSLOCATION = re.compile(r"\bt\(\s*\d{1,2}\s*;\s*\d{1,2}\s*\)(?:\s*\(\s*[pq][\d.]+\s*;\s*[pq][\d.]+\s*\))?")
_INVERSION = re.compile(r"\binv\(\s*2\s*\)(?:\s*\(\s*p[\d.]+\s*[;q][\d.]*\s*\))?")
_UNKNOWN_PARTNER = re.compile(
    r"\bALK[\s\-]*(?:gene\s+)?(?:rearrangement|rearranged|translocation|translocated|fusion(?!\s+partner)"
    r"|break[\s\-]*apart|split|gene\s+rearrangement)s?\b"
    r"|\b(?:rearranged|translocated)\s+ALK\b|\b(?:rearrangement|translocation)\s+of\s+the\s+ALK\s+(?:gene|locus)\b|\bALK\s+(?:gene\s+)?(?:was\s+|is\s+)?(?:rearranged|translocated)\b",
    re.I,
)
NOT_GENES = frozenset(
    {
        "ALK",
        "IHC",
        "FISH",
        "NGS",
        "PCR",
        "RT",
        "TKI",
        "TKIS",
        "CT",
        "MRI",
        "PET",
        "CR",
        "PR",
        "SD",
        "PD",
        "NE",
        "IMT",
        "IMTS",
        "EIMS",
        "NSCLC",
        "DNA",
        "RNA",
        "CDX",
        "WHO",
        "PFS",
        "OS",
        "ORR",
        "DCR",
        "HE",
        "FDA",
        "NOS",
        "CNS",
        "BID",
        "QD",
        "IV",
        "MG",
        "NSAID",
        "UK",
        "USA",
        "II",
        "III",
        "TPM",
        "CD",
        "AND",
        "OR",
        "THE",
        "BSA",
        "ECOG",
        "AJCC",
        "RECIST",
        "SUV",
        "SUVMAX",
        "HR",
        "CI",
        "NA",
        "NR",
        "POSITIVE",
        "NEGATIVE",
        "CAR",
        "AML",
        "ALCL",
        "NSAIDS",
    }
)


def normalise_gene(symbol: str) -> tuple[str | None, list[str]]:
    """The HGNC-approved symbol for a symbol as written, and flags when it is not a known gene.

    Parameters
    ----------
    symbol : str
        As written, e.g. ``CARS``, ``SEC31L1``, ``CTCL``.

    Returns
    -------
    tuple
        ``(approved symbol or None, flags)``; an unknown symbol gives None and a flag naming the
        closest known symbols (``not an HGNC symbol: CTCL (closest: CLTC)``).
    """
    found = genes().lookup(symbol)
    if found is not None:
        return found.symbol, []
    close = closest_genes(symbol)
    hint = f" (closest: {', '.join(close)})" if close else ""
    return None, [f"not an HGNC symbol: {symbol}{hint}"]


def closest_genes(symbol: str, n: int = 3) -> list[str]:
    """Known gene symbols within two edits (transpositions count once) of ``symbol``."""
    up = symbol.upper()
    scored: list[tuple[int, str]] = []
    for g in genes().entries:
        for cand in (g.symbol, *g.previous, *g.aliases):
            d = DamerauLevenshtein.distance(up, cand.upper())
            if d <= 2 and cand.upper() != up:
                scored.append((d, g.symbol))
    scored.sort()
    out: list[str] = []
    for _, sym in scored:
        if sym not in out:
            out.append(sym)
    return out[:n]


def _gene_like(token: str) -> bool:
    return (
        bool(re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", token))
        and token.upper() not in NOT_GENES
        and any(c.isalpha() for c in token)
    )


def partner_hit(token: str, start: int, end: int, as_written: str | None = None) -> FusionHit | None:
    """A fusion of ALK with the partner written ``token`` (a table cell, a partner phrase)."""
    sym, flags = normalise_gene(token)
    if sym == "ALK":
        return None
    if sym is None and not _gene_like(token):
        return None
    return FusionHit(sym, "ALK", as_written or token, start, end, tuple(flags))


# Kinases other than ALK that are the 3' partner of fusions in ALK-negative IMT.
OTHER_KINASES = frozenset({"ROS1", "NTRK1", "NTRK2", "NTRK3", "RET", "PDGFRB", "IGF1R", "MET", "BRAF"})
_NO_BEFORE = re.compile(r"\b(?:no|not|without|lacks?|lacking|absence\s+of|negative\s+for)\s+(?:\w+\s+){0,2}$", re.I)
_NO_AFTER = re.compile(
    r"[\s\-]*(?:FISH|probe|testing|test|assay)?\s*(?:was\s+negative|showed\s+no|revealed\s+no|did\s+not|negative)",
    re.I,
)


def _fusion_pairs(text: str, start: int, stop: int) -> list[re.Match[str]]:
    """Symbol pairs written as a fusion; a pair that is not one is re-read from its second symbol.

    "NGS: RANBP2-ALK" is a label and a fusion: "NGS: RANBP2" (a colon followed by a space) is
    skipped and "RANBP2-ALK" read; a dash broken by a line end joins nothing.
    """
    out: list[re.Match[str]] = []
    pos = start
    while pos < stop:
        m = _FUSION_PAIR.search(text, pos, stop)
        if m is None:
            break
        sep = m.group(2)
        label = sep.strip() == ":" and text[m.end(2) : m.end(2) + 1].isspace()
        broken = sep.strip() in ("-", "‐", "‑", "–", "—") and "\n" in m.group(0)
        if label or broken:
            pos = m.start(3)
            continue
        out.append(m)
        pos = m.end()
    return out


def other_kinase_fusion(a: str, b: str, start: int, end: int, as_written: str) -> FusionHit | None:
    """A fusion whose 3' gene is a kinase other than ALK (ETV6::NTRK3, TFG::ROS1), written either way round."""
    if b in OTHER_KINASES and a not in OTHER_KINASES and a != "ALK":
        gene5, kinase = a, b
    elif a in OTHER_KINASES and b not in OTHER_KINASES and b != "ALK" and genes().lookup(b) is not None:
        gene5, kinase = b, a
    else:
        return None
    sym, flags = normalise_gene(gene5)
    if sym is None and not _gene_like(gene5):
        return None
    return FusionHit(sym, kinase, as_written, start, end, tuple(flags))


def find_fusions(text: str, start: int = 0, end: int | None = None) -> list[FusionHit]:
    """ALK fusions in every notation: ``X-ALK``, ``X::ALK``, ``ALK-X``, ``fusion of X and ALK``, ``t(1;2)``.

    ALK is always the 3' partner. "ALK rearrangement"/"break-apart" with no partner gives a
    fusion with ``gene5`` None. Unknown symbols are kept with a flag.
    """
    stop = len(text) if end is None else end
    out: list[FusionHit] = []
    for m in _fusion_pairs(text, start, stop):
        a, b = m.group(1), m.group(3)
        if b == "ALK" and a != "ALK":
            partner = a
        elif a == "ALK" and b != "ALK":
            partner = b
            if genes().lookup(b) is None or b in OTHER_KINASES:
                continue  # ALK-positive, ALK-IHC, ALK/ROS1 ...: the reversed order needs a known partner gene
        else:
            kinase = other_kinase_fusion(a, b, m.start(), m.end(), m.group(0))
            if kinase is not None:
                out.append(kinase)
            continue
        hit = partner_hit(partner, m.start(), m.end(), m.group(0))
        if hit is not None:
            out.append(hit)
    for m in _FUSION_WORDS.finditer(text, start, stop):
        groups = [g for g in m.groups() if g]
        if len(groups) != 2 or "ALK" not in groups:
            continue
        partner = groups[0] if groups[1] == "ALK" else groups[1]
        if any(h.start <= m.start() < h.end or m.start() <= h.start < m.end() for h in out):
            continue
        hit = partner_hit(partner, m.start(), m.end(), m.group(0))
        if hit is not None:
            out.append(hit)
    for pattern in (_TRANSLOCATION, _INVERSION):
        for m in pattern.finditer(text, start, stop):
            if "2" in re.findall(r"\d+", m.group(0))[:2] or m.group(0).startswith("inv"):
                out.append(FusionHit(None, "ALK", m.group(0), m.start(), m.end()))
    if not any(h.gene5 or h.flags for h in out):
        for m in _UNKNOWN_PARTNER.finditer(text, start, stop):
            if _NO_BEFORE.search(text, max(start, m.start() - 30), m.start()) or _NO_AFTER.match(text, m.end(), stop):
                continue  # "no ALK rearrangement", "lack ALK rearrangements", "break-apart FISH showed no ..."
            out.append(FusionHit(None, "ALK", m.group(0), m.start(), m.end()))
    out.sort(key=lambda h: h.start)
    return out


_OTHER_FUSION = re.compile(rf"\b({_SYMBOL})\s+(?:gene\s+)?(fusion|rearrangement|amplification|deletion|mutation)\b")


def find_other_alterations(text: str, start: int = 0, end: int | None = None) -> list[Hit]:
    """Alterations of genes other than ALK written ``GENE fusion``/``GENE rearrangement`` etc."""
    stop = len(text) if end is None else end
    out: list[Hit] = []
    for m in _OTHER_FUSION.finditer(text, start, stop):
        sym = m.group(1)
        if sym == "ALK" or not _gene_like(sym):
            continue
        out.append(Hit(m.group(0), m.start(), m.end()))
    return out


# ----------------------------------------------------------------------------------------- mutations
AA3 = THREE_TO_ONE
_AA3 = "|".join(AA3)
_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_PROTEIN = re.compile(
    rf"\bp\.\(?(?:({_AA3})(\d{{1,4}})({_AA3}|\*)|([{_AA1}])(\d{{1,4}})([{_AA1}*]))\)?"
    rf"|(?<![A-Za-z0-9.])([{_AA1}])(\d{{3,4}})([{_AA1}])(?![A-Za-z0-9])"
)
_CODING = re.compile(r"\bc\.(\d{1,5})([ACGT])>([ACGT])\b")
_GENE_BEFORE = re.compile(r"([A-Z][A-Z0-9]{1,9})\s*[:\s]\s*(?:p\.|c\.)?\(?$")


def _clause(text: str, m: re.Match[str], start: int, stop: int) -> str:
    """The clause around a bare protein change ("detected G1202R together with L1196M in cis, a compound mutation")."""
    before = re.split(r"[.;]\s", text[max(start, m.start() - 80) : m.start()])[-1]
    after = re.split(r"[.;](?:\s|$)", text[m.end() : min(stop, m.end() + 80)])[0]
    return before + m.group(0) + after


def find_mutations(text: str, start: int = 0, end: int | None = None, *, bare: bool = False) -> list[MutationHit]:
    """Point mutations in ``p.(Gly1202Arg)``, ``p.G1202R``, ``G1202R`` and ``c.3604G>A`` forms.

    A coding and a protein change written together (``ALK:c.3604G>A; p.(Gly1202Arg)``) make one
    mutation. Bare short forms (``G1202R``) count only next to a gene name or the word mutation,
    in the same clause, unless ``bare`` (a mutation column of a table).
    """
    stop = len(text) if end is None else end
    prot: list[tuple[str, int, int]] = []
    for m in _PROTEIN.finditer(text, start, stop):
        if m.group(1):
            ref, pos, alt = AA3[m.group(1)], m.group(2), AA3.get(m.group(3), m.group(3))
        elif m.group(4):
            ref, pos, alt = m.group(4), m.group(5), m.group(6)
        else:
            ref, pos, alt = m.group(7), m.group(8), m.group(9)
            if not bare and not re.search(
                r"\bALK\b|mutation|substitution|variant|resistan", _clause(text, m, start, stop)
            ):
                continue
        prot.append((f"p.{ref}{pos}{alt}", m.start(), m.end()))
    cod = [
        (f"c.{m.group(1)}{m.group(2)}>{m.group(3)}", m.start(), m.end()) for m in _CODING.finditer(text, start, stop)
    ]
    out: list[MutationHit] = []
    used: set[int] = set()
    for c_val, c_start, c_end in cod:
        partner = next(
            (
                i
                for i, (_, ps, pe) in enumerate(prot)
                if i not in used and (0 <= ps - c_end <= 20 or 0 <= c_start - pe <= 20)
            ),
            None,
        )
        if partner is not None:
            used.add(partner)
            p_val, ps, pe = prot[partner]
            s, e = min(c_start, ps), max(c_end, pe)
            out.append(MutationHit(_gene_at(text, s, start), p_val, c_val, *_extend_gene(text, s, e, start)))
        else:
            out.append(
                MutationHit(_gene_at(text, c_start, start), None, c_val, *_extend_gene(text, c_start, c_end, start))
            )
    for i, (p_val, ps, pe) in enumerate(prot):
        if i not in used:
            out.append(MutationHit(_gene_at(text, ps, start), p_val, None, ps, pe))
    out.sort(key=lambda h: h.start)
    return out


def _gene_at(text: str, pos: int, floor: int) -> str:
    m = _GENE_BEFORE.search(text[max(floor, pos - 14) : pos])
    if m and genes().lookup(m.group(1)) is not None:
        sym = genes().lookup(m.group(1))
        return sym.symbol if sym else "ALK"
    return "ALK"


def _extend_gene(text: str, s: int, e: int, floor: int) -> tuple[int, int]:
    m = re.search(r"([A-Z][A-Z0-9]{1,9}):$", text[max(floor, s - 12) : s])
    if m and genes().lookup(m.group(1)) is not None:
        return s - len(m.group(0)), e
    return s, e


# ----------------------------------------------------------------------------------------- sites


@cache
def _site_regex() -> re.Pattern[str]:
    names = sorted({n for s in sites().entries for n in (s.term, *s.synonyms, *s.adjectives)}, key=len, reverse=True)
    alts = "|".join(flexible(n) for n in names)
    return re.compile(rf"(?<![A-Za-z])(?:{alts})(?![A-Za-z])", re.I)


_CASE_SENSITIVE_SITES = frozenset({"CNS"})


def find_sites(text: str, start: int = 0, end: int | None = None) -> list[SiteHit]:
    """Anatomic-site mentions (terms, synonyms, adjectives) mapped to canonical terms."""
    stop = len(text) if end is None else end
    out: list[SiteHit] = []
    vocab = sites()
    for m in _site_regex().finditer(text, start, stop):
        word = m.group(0)
        if word.upper() in _CASE_SENSITIVE_SITES and word != word.upper():
            continue
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", word))
        if entry is not None:
            out.append(SiteHit(entry.term, m.start(), m.end()))
    return out


def site_of_cell(cell: str) -> str | None:
    """The canonical site of a short table cell (``Uterine``, ``Pleural cavity``, ``Gall bladder``)."""
    hits = find_sites(cell)
    return hits[0].value if hits else None


# ----------------------------------------------------------------------------------------- ALK testing
_ALK_POS = re.compile(
    r"\bALK\s+(?:immunohisto\w*|IHC|staining|immunostaining)\s+(?:was|were|is)\s+(?:\w+\s+)?positive|\bALK[\s\-]*(?:positive|positivity|\+)(?![A-Za-z])|\bpositive\s+(?:for|of)\s+(?:the\s+)?ALK\b"
    r"|\bALK\s+(?:was|were|is)\s+(?:strongly\s+|diffusely\s+|focally\s+)?positive\b"
    r"|\b(?:strong|diffuse|intense|positive|cytoplasmic|high)\s+(?:\w+\s+)?ALK\s+(?:expression|staining|immunoreactivity)"
    r"|\bALK\s+(?:expression|immunoreactivity|staining)\b"
    r"|\bALK[\s\-]*(?:gene\s+)?(?:rearrangement|rearranged|translocation|translocated|fusion|break[\s\-]*apart)"
    r"|\b(?:rearrangement|translocation)\s+of\s+(?:the\s+)?ALK\b|\bexpress(?:ed|ing)\s+(?:\w+\s+){0,4}?(?:and\s+)?ALK\b",
    re.I,
)
_ALK_NEG = re.compile(
    r"\bALK\s+(?:immunohisto\w*|IHC|staining|immunostaining|expression)\s+(?:was|were|is)\s+negative"
    r"|\bALK[\s\-]*negative|\bnegative\s+(?:for|of)\s+(?:the\s+)?ALK\b|\bALK\s+(?:was|were|is)\s+negative\b"
    r"|\bno\s+ALK\s+(?:expression|rearrangement|fusion)|\bwithout\s+ALK\s+(?:expression|rearrangement)",
    re.I,
)
_METHODS = ordered_patterns("alk_methods", AlkMethod)


def find_alk(text: str, spans: list[tuple[int, int]]) -> AlkFinding:
    """ALK status and methods from the sentences ``spans`` (only sentences that mention ALK)."""
    found = AlkFinding()
    for s, e in spans:
        sentence = text[s:e]
        if "ALK" not in sentence and "alk" not in sentence.lower():
            continue
        neg = _ALK_NEG.search(sentence)
        pos = _ALK_POS.search(sentence)
        if found.status is None:
            if neg:
                found.status = AlkStatus.NEGATIVE
                found.status_span = (s + neg.start(), s + neg.end())
            elif pos:
                found.status = AlkStatus.POSITIVE
                found.status_span = (s + pos.start(), s + pos.end())
        if not (pos or neg or re.search(r"\bALK\b", sentence)):
            continue
        for c_start, c_end in _alk_clauses(sentence):
            for pattern, method in _METHODS:
                mm = pattern.search(sentence, c_start, c_end)
                if mm and method not in found.methods:
                    found.methods[method] = (s + mm.start(), s + mm.end())
    return found


_CLAUSE_BREAK = re.compile(r",\s*(?:and|but|while|whereas)\s+|;\s*|\s+(?:but|whereas|while)\s+")
_GENERIC_TEST = re.compile(r"\b(?:fusions?|rearrange\w*|translocation|break[\s\-]*apart|kinase)\b", re.I)


def _alk_clauses(sentence: str) -> list[tuple[int, int]]:
    """The clauses of a sentence that speak of testing ALK (methods are read only there).

    A clause qualifies when it names ALK, or reports a fusion or rearrangement without naming
    another gene ("break-apart FISH showed a rearrangement", "a panel found no kinase fusion");
    "RNA sequencing identified a TFG-ROS1 fusion" and "no ROS1, NTRK or RET fusion" do not.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(sentence)] + [(len(sentence), len(sentence))]
    for b_start, b_end in bounds:
        clause = sentence[pos:b_start]
        names_alk = bool(re.search(r"\bALK\b", clause, re.I))
        other_gene = any(_gene_like(t) for t in re.findall(r"\b[A-Z][A-Z0-9]{1,9}\b", clause))
        if names_alk or (_GENERIC_TEST.search(clause) and not other_gene):
            out.append((pos, b_start))
        pos = b_end
    return out


def alk_methods_in(cell: str) -> list[tuple[AlkMethod, int, int]]:
    """Methods named in a short text (a table cell)."""
    out = []
    for pattern, method in _METHODS:
        m = pattern.search(cell)
        if m:
            out.append((method, m.start(), m.end()))
    return out


# ----------------------------------------------------------------------------------------- demographics
_AGE = re.compile(
    r"\b(\d{1,3}(?:\.\d+)?|[a-z]+(?:-[a-z]+)?)[\s\-]*(year|yr|month|week|day)s?[\s\-]*old\b"
    r"|\b(?:aged|age(?:\s+of)?|age:)\s*(\d{1,3}(?:\.\d+)?)(?:\s*(years|yrs|months|y\b))?"
    r"|\(\s*[MF]\s*,\s*(\d{1,3})\s*(?:y|yrs?|years?)?\s*\)"
    r"|\b(neonate|newborn)\b"
    r"|\b(?:infant|baby|child|toddler|boy|girl)\s+of\s+(\d{1,2})\s*(months?|weeks?|mo)\b"
    r"|\b(\d{1,3})\s*(?:y|yrs?)\s*,?\s*(?=(?-i:[MF])\b)"
    r"|\b(\d{1,3})[\s\-]*(?:yo|y/o|y\.o\.)(?![\w/])",
    re.I,
)
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
    for m in _AGE.finditer(text, start, stop):
        if m.group(1):
            raw = m.group(1).lower()
            count = None if raw[0].isdigit() else count_value(raw)
            value = float(raw) if raw[0].isdigit() else (float(count) if count is not None else None)
            if value is None:
                continue
            unit = m.group(2).lower()
            years = value / {"year": 1, "yr": 1, "month": 12, "week": 52.1775, "day": 365.25}[unit]
        elif m.group(3):
            years = float(m.group(3))
            if m.group(4) and m.group(4).lower().startswith("month"):
                years /= 12
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
