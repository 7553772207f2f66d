"""Genes, fusions, other alterations and point mutations in case-report text.

Each finder scans ``text[start:end]`` and returns hits with document offsets. Symbols are
normalised through the gene vocabulary (:mod:`caseseries.vocab`); nothing here knows any
particular publication.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein

from caseseries.extraction.annotate import contains, may_match, per_document
from caseseries.extraction.context import Category, Mention, default_engine
from caseseries.extraction.hits import FusionHit, Hit, MutationHit
from caseseries.knowledge.variants import THREE_TO_ONE
from caseseries.vocab import genes

_DASH = "-‐‑‒–—"
DASHES = str.maketrans({c: "-" for c in _DASH[1:] + "\u2212"})
_SYMBOL = r"[A-Z][A-Z0-9]{1,9}(?:orf\d+)?"
_FUSION_PAIR = re.compile(rf"(?<![A-Za-z0-9\-])({_SYMBOL})\s*(::|:|/|[{_DASH}]|\s*-\s*)\s*({_SYMBOL})(?![A-Za-z0-9])")
_FUSION_WORDS = re.compile(
    rf"\b(?:fusion|rearrangement|translocation)\s+(?:of|between|involving)\s+(?:the\s+)?({_SYMBOL})"
    rf"(?:\s+gene)?\s+(?:and|with|to)\s+(?:the\s+)?({_SYMBOL})\b"
    rf"|\b({_SYMBOL})(?:\s+gene)?\s+(?:fused|fusing)\s+(?:to|with)\s+(?:(?:the\s+)?exon\s+\d{{1,2}}\s+of\s+)?(?:the\s+)?({_SYMBOL})\b"
    rf"|\b(ALK)\s+(?:fusion|rearrangement)\s+(?:with|to|partner(?:\s+gene)?(?:\s+was|\s+is|,)?)\s+(?:the\s+)?({_SYMBOL})\b"
)
# A partner named without a fusion notation: "the fusion partner was identified as TPM4",
# "RANBP2 as the partner of ALK", "ALK was fused to EML4".
_PARTNER_PHRASE = re.compile(
    rf"\b(?:fusion\s+)?partner(?:\s+gene)?(?:\s+of\s+ALK)?\s+(?:was|is)\s+(?:identified\s+as\s+|found\s+to\s+be\s+)?"
    rf"(?:the\s+)?({_SYMBOL})\b(?!\s*[-:/])"
    rf"|\b({_SYMBOL})\s+as\s+(?:the|its)\s+(?:ALK\s+)?(?:fusion\s+)?partner\b"
    rf"|\bALK\s+(?:gene\s+)?(?:was|is)\s+fused\s+(?:to|with)\s+(?:the\s+)?({_SYMBOL})\b"
)
_TRANSLOCATION = re.compile(r"\bt\(\s*\d{1,2}\s*;\s*\d{1,2}\s*\)(?:\s*\(\s*[pq][\d.]+\s*;\s*[pq][\d.]+\s*\))?")
_INVERSION = re.compile(r"\binv\(\s*2\s*\)(?:\s*\(\s*p[\d.]+\s*[;q][\d.]*\s*\))?")
_UNKNOWN_PARTNER = re.compile(
    r"\bALK[\s\-]*(?:gene\s+)?(?:rearrangement|rearranged|translocation|translocated|fusion(?!\s+partner)"
    r"|break[\s\-]*apart|split|gene\s+rearrangement)s?\b"
    r"|\b(?:rearranged|translocated)\s+ALK\b|\b(?:rearrangement|translocation)\s+of\s+(?:the\s+)?ALK\s+(?:gene|locus)\b|\bALK\s+(?:gene\s+)?(?:was\s+|is\s+)?(?:rearranged|translocated)\b",
    re.I,
)
# Words one of the patterns above needs (a range without them skips it). They are letters and
# brackets only, which ``fusion_view`` leaves as they are.
_FUSION_WORDS_NEED = ("fus", "rearrangement", "translocation")
_PARTNER_NEED = ("partner", "fused")
_TRANSLOCATION_NEED = ("t(", "inv(")
_UNKNOWN_PARTNER_NEED = ("alk",)
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
        "LBCL",
        "DLBCL",
        "RCC",
        "PTC",
        "NB",
        "IFS",
        "TRK",
        "WES",
        "WGS",
        "CTC",
        "CTCS",
        "TMB",
        "MSI",
        "HSCT",
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
    """The known gene symbols nearest to ``symbol``, within two edits (transpositions count once).

    Only the symbols at the smallest distance are given; the same letters in another order
    (CTCL, CLTC) count as one edit.
    """
    up = symbol.upper()
    scored: list[tuple[int, str]] = []
    for g in genes().entries:
        for cand in (g.symbol, *g.previous, *g.aliases):
            c = cand.upper()
            d = 1 if sorted(c) == sorted(up) else DamerauLevenshtein.distance(up, c)
            if d <= 2 and c != up:
                scored.append((d, g.symbol))
    scored.sort()
    out: list[str] = []
    for d, sym in scored:
        if sym not in out and d == scored[0][0]:
            out.append(sym)
    return out[:n]


def gene_like(token: str) -> bool:
    """Whether a token looks like a gene symbol (capitals and digits, not a clinical abbreviation)."""
    return (
        bool(re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", token))
        and token.upper() not in NOT_GENES
        and any(c.isalpha() for c in token)
    )


def partner_symbol(token: str) -> tuple[str | None, list[str]] | None:
    """The symbol to record for a fusion partner written ``token``, with its flags; None if not a gene.

    A vocabulary symbol is normalised (CARS -> CARS1). A gene-like symbol the vocabulary lacks
    is kept as written with a flag (``unverified symbol: NUMA1 (not in the gene vocabulary)``),
    unless it has the letters of a known symbol in another order: then it is read as a probable
    typo, the partner is left unknown and the flag names the closest known symbol (``CTCL``,
    closest CLTC). Other near misses are real genes often enough (NRAS beside KRAS) to be kept.
    """
    sym, flags = normalise_gene(token)
    if sym is not None:
        return sym, flags
    if not gene_like(token):
        return None
    if any(sorted(token.upper()) == sorted(c) for c in closest_genes(token)):  # letters swapped: a typo
        return None, flags
    return token, [f"unverified symbol: {token} (not in the gene vocabulary)"]


def partner_hit(token: str, start: int, end: int, as_written: str | None = None) -> FusionHit | None:
    """A fusion of ALK with the partner written ``token`` (a table cell, a partner phrase)."""
    found = partner_symbol(token)
    if found is None or found[0] == "ALK":
        return None
    return FusionHit(found[0], "ALK", as_written or token, start, end, tuple(found[1]))


# Kinases other than ALK that are the 3' partner of fusions in ALK-negative IMT.
OTHER_KINASES = frozenset({"ROS1", "NTRK1", "NTRK2", "NTRK3", "RET", "PDGFRB", "IGF1R", "MET", "BRAF"})
# A kinase family named without its member ("ETV6-NTRK fusion"): 3' gene unknown, flagged.
KINASE_FAMILIES = {"NTRK": "NTRK1/2/3"}


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
    if b in KINASE_FAMILIES and a not in OTHER_KINASES and a != "ALK":
        found = partner_symbol(a)
        if found is None:
            return None
        flag = f"{b} gene not specified ({KINASE_FAMILIES[b]})"
        return FusionHit(found[0], None, as_written, start, end, (*found[1], flag))
    if b in OTHER_KINASES and a not in OTHER_KINASES and a != "ALK":
        gene5, kinase = a, b
    elif a in OTHER_KINASES and b not in OTHER_KINASES and b != "ALK" and genes().lookup(b) is not None:
        gene5, kinase = b, a
    else:
        return None
    found = partner_symbol(gene5)
    if found is None:
        return None
    return FusionHit(found[0], kinase, as_written, start, end, tuple(found[1]))


# A gene written by its long name with the symbol in brackets, next to the other gene of a fusion:
# "striatin (STRN)-ALK", "ALK-grancalcin (GCA)". The view blanks the brackets (and a 3' long name).
_BRACKETED_5 = re.compile(rf"\(\s*({_SYMBOL})\s*\)(?=\s*-\s*[A-Z])")
_BRACKETED_3 = re.compile(rf"(?<=[A-Z0-9]-)([a-z][a-z0-9\-]*(?:\s+[a-z0-9][a-z0-9\-]*){{0,5}}\s*)\(\s*({_SYMBOL})\s*\)")
# ALK written first and described as the 5' gene ("a 5' ... fusion ALK-X", "non-reciprocal",
# an exon label starting with ALK's exon: "ALK-X (A19:C5)").
_ALK_FIRST_CUE = re.compile(r"5\s*['′’]|\bnon[\s\-]*reciprocal\b", re.I)
_ALK_EXON_FIRST = re.compile(r"\s*\(\s*A\d{1,2}\s*:")


# Long and variant names of ALK, read as ``ALK`` (padded to the same length, so offsets hold).
_ALK_NAME = re.compile(
    r"\banaplastic[\s\-]+lymphoma[\s\-]+kinase(?:[\s\-]*1)?(?:\s*\(\s*ALK[\s\-]?1?\s*\))?"
    r"|\bALK[\s\-]?1(?![\d.,]*\d)\b(?!\s*\))|(?<=ALK)\u207a",
    re.I,
)


@lru_cache(maxsize=2048)
def alk_view(sentence: str) -> str:
    """``sentence`` with every name of ALK written ``ALK`` and dashes as ``-``, at the same offsets.

    "anaplastic lymphoma kinase 1 (ALK1)", "anaplastic lymphoma kinase", "ALK1" (the antibody)
    become ``ALK`` followed by spaces; "ALK⁺" becomes ``ALK+``.

    Examples
    --------
    >>> alk_view("positive for anaplastic lymphoma kinase (ALK) in 90%")
    'positive for ALK                              in 90%'
    """
    return _ALK_NAME.sub(_short_name, sentence.translate(DASHES))


def _short_name(m: re.Match[str]) -> str:
    return "+" if m.group(0) == "\u207a" else "ALK".ljust(len(m.group(0)))


def alk_name_end(sentence: str, pos: int) -> int:
    """``pos``, moved to the end of the long ALK name it falls inside (evidence quotes the whole name)."""
    for m in _ALK_NAME.finditer(sentence, max(0, pos - 60)):
        if m.start() >= pos:
            break
        if pos < m.end():
            return m.end()
    return pos


@lru_cache(maxsize=4)
def fusion_view(text: str) -> str:
    """``text`` with dashes as ``-`` and bracketed symbols beside a fusion unbracketed, at the same offsets.

    Examples
    --------
    >>> fusion_view("a striatin (STRN)\u2010ALK fusion")
    'a striatin  STRN -ALK fusion'
    """
    view = alk_view(text)
    if "Alk" in view:
        view = _TITLE_CASE_PAIR.sub(_upper_pair, view)
    view = _BRACKETED_5.sub(lambda m: " " + m.group(1).ljust(len(m.group(0)) - 1), view)
    return _BRACKETED_3.sub(lambda m: " " * (m.start(2) - m.start()) + m.group(2).ljust(m.end() - m.start(2)), view)


# A fusion written in title case ("Tpm3-Alk", "Eml4::Alk"): read as the symbols when the first is a known gene.
_TITLE_CASE_PAIR = re.compile(r"(?<![A-Za-z0-9\-])([A-Z][a-z][a-z0-9]{0,8})(\s*(?:::|:|/|-)\s*)Alk(?![A-Za-z0-9])")


def _upper_pair(m: re.Match[str]) -> str:
    """``Tpm3-Alk`` as ``TPM3-ALK`` (same length) when ``TPM3`` is a vocabulary gene, else unchanged."""
    if genes().lookup(m.group(1).upper()) is None:
        return m.group(0)
    return f"{m.group(1).upper()}{m.group(2)}ALK"


def _long_name_start(text: str, pos: int, symbol: str) -> int:
    """Where the gene's long name written just before ``pos`` starts ("clathrin heavy chain (CLTC)"), else ``pos``."""
    gene = genes().lookup(symbol)
    if gene is None:
        return pos
    floor = max(0, pos - len(gene.name) - 3)
    before = text[floor:pos].rstrip()
    if before.lower().endswith(gene.name.lower()):
        return floor + len(before) - len(gene.name)
    return pos


def _written(text: str, m: re.Match[str]) -> tuple[int, int]:
    """The span of a fusion pair as written, with the brackets (and long name) of a bracketed gene."""
    start, end = m.start(), m.end()
    if text[end : end + 1] == ")" and "(" in text[m.end(2) : m.start(3)]:
        end += 1  # "ALK-grancalcin (GCA)"
    if text[start - 1 : start] == "(" and text[m.end(1) : m.start(2) + 1].lstrip().startswith(")"):
        start = _long_name_start(text, start - 1, m.group(1))  # "striatin (STRN)-ALK"
    return start, end


@per_document
def find_fusions(text: str, start: int = 0, end: int | None = None) -> list[FusionHit]:
    """ALK fusions in every notation: ``X-ALK``, ``X::ALK``, ``ALK-X``, ``fusion of X and ALK``, ``t(1;2)``.

    ALK is the 3' partner unless the text describes it as the 5' gene ("a 5' fusion ALK-X",
    "non-reciprocal ALK-X", "ALK-X (A19:C5)"), which is kept as written. Long names with the
    symbol in brackets ("striatin (STRN)-ALK") and any dash character are read. "ALK
    rearrangement"/"break-apart" with no partner gives a fusion with ``gene5`` None. Unknown
    gene-like symbols are kept with a flag.
    """
    stop = len(text) if end is None else end
    view = fusion_view(text)
    out: list[FusionHit] = []
    for m in _fusion_pairs(view, start, stop):
        a, b = m.group(1), m.group(3)
        s, e = _written(text, m)
        if b == "ALK" and a != "ALK":
            partner = a
        elif a == "ALK" and b != "ALK":
            partner = b
            if b in OTHER_KINASES or b in KINASE_FAMILIES:
                continue  # ALK/ROS1 is not a fusion
            alk_first = _ALK_FIRST_CUE.search(view, max(start, m.start() - 60), m.start()) or _ALK_EXON_FIRST.match(
                view, e
            )
            if alk_first:
                found = partner_symbol(b)
                if found is not None and found[0] is not None:
                    out.append(FusionHit("ALK", found[0], text[s:e], s, e, tuple(found[1])))
                continue
            if genes().lookup(b) is None:
                continue  # ALK-positive, ALK-IHC ...: the reversed order needs a known partner gene
        else:
            kinase = other_kinase_fusion(a, b, s, e, text[s:e])
            if kinase is not None:
                out.append(kinase)
            continue
        hit = partner_hit(partner, s, e, text[s:e])
        if hit is not None:
            out.append(hit)
    for m in _FUSION_WORDS.finditer(view, start, stop) if contains(text, _FUSION_WORDS_NEED, start, stop) else ():
        groups = [g for g in m.groups() if g]
        if len(groups) != 2 or "ALK" not in groups:
            continue
        partner = groups[0] if groups[1] == "ALK" else groups[1]
        if any(h.start <= m.start() < h.end or m.start() <= h.start < m.end() for h in out):
            continue
        hit = partner_hit(partner, m.start(), m.end(), text[m.start() : m.end()])
        if hit is not None:
            out.append(hit)
    other_kinase = any(k in text[start:stop] for k in (*OTHER_KINASES, *KINASE_FAMILIES))
    for m in _PARTNER_PHRASE.finditer(view, start, stop) if contains(text, _PARTNER_NEED, start, stop) else ():
        token = next(g for g in m.groups() if g)
        if other_kinase or any(h.start <= m.start() < h.end or m.start() <= h.start < m.end() for h in out):
            continue  # the partner of a ROS1 or NTRK fusion, or a fusion already read
        hit = partner_hit(token, m.start(), m.end(), text[m.start() : m.end()])
        if hit is not None:
            out.append(hit)
    translocated = contains(text, _TRANSLOCATION_NEED, start, stop)
    for pattern in (_TRANSLOCATION, _INVERSION) if translocated else ():
        for m in pattern.finditer(text, start, stop):
            if "2" in re.findall(r"\d+", m.group(0))[:2] or m.group(0).startswith("inv"):
                out.append(FusionHit(None, "ALK", m.group(0), m.start(), m.end()))
    if not any(h.gene5 or h.flags for h in out) and contains(text, _UNKNOWN_PARTNER_NEED, start, stop):
        for m in affirmed(view, list(_UNKNOWN_PARTNER.finditer(view, start, stop)), start, stop):
            out.append(FusionHit(None, "ALK", text[m.start() : m.end()], m.start(), m.end()))
    out.extend(_unknown_kinase_partner(text, view, start, stop, out))
    out.sort(key=lambda h: h.start)
    return out


def affirmed(text: str, found: list[re.Match[str]], start: int, stop: int) -> list[re.Match[str]]:
    """The rearrangements (or other alterations) of a sentence that no negation cue modifies.

    "no ALK rearrangement", "lack ALK rearrangements", "ALK rearrangement FISH was negative",
    "no ROS1 or NTRK fusion": the FUSION cue rules of ``extraction/data/context_rules.json``.
    """
    if not found:
        return []
    targets = default_engine().annotate(text, [Mention("FUSION", m.start(), m.end()) for m in found], start, stop)
    return [m for m, target in zip(found, targets, strict=True) if not target.has(Category.NEGATED_EXISTENCE)]


# A kinase other than ALK said to be rearranged with no partner named ("ALK-negative,
# ROS1-rearranged", "a PDGFRB rearrangement", "ROS1 break-apart FISH was positive").
_KINASE_UNKNOWN = re.compile(
    rf"(?<![A-Za-z0-9\-/])({'|'.join(sorted(OTHER_KINASES, key=len, reverse=True))})[\s\-]*(?:gene\s+)?"
    r"(?:rearrangements?|rearranged|translocations?|translocated|break[\s\-]*apart|split)\b"
)
_KINASE_UNKNOWN_NEED = ("rearrange", "transloc", "break", "split")


def _unknown_kinase_partner(text: str, view: str, start: int, stop: int, found: list[FusionHit]) -> list[FusionHit]:
    """Fusions of another kinase with an unknown 5' gene (``gene5`` None), when none of it is named."""
    if not contains(text, _KINASE_UNKNOWN_NEED, start, stop):
        return []
    named = {h.gene3 for h in found}
    out: list[FusionHit] = []
    for m in affirmed(view, list(_KINASE_UNKNOWN.finditer(view, start, stop)), start, stop):
        if m.group(1) not in named:
            named.add(m.group(1))
            out.append(FusionHit(None, m.group(1), text[m.start() : m.end()], m.start(), m.end()))
    return out


_ALTERATION = r"fusion|rearrangement|amplification|amplified|deletion|deleted|gain|loss|mutation"
_ARM = r"\d{1,2}[pq](?:\d{1,2}(?:\.\d{1,2})?)?"  # a chromosome arm or band: 11q, 1p36
_OTHER_FUSION = re.compile(rf"\b({_SYMBOL}|{_ARM})[\s\-]+(?:gene\s+)?({_ALTERATION})\b")
_ALTERATION_OF = re.compile(
    rf"\b(amplification|deletion|gain|loss)s?\s+of\s+(?:the\s+)?"
    rf"({_SYMBOL}(?:\s*(?:,|and|&)\s*{_SYMBOL}){{0,4}})(?:\s+genes?)?\b"
)
_ALTERATION_NEED = ("fusion", "rearrangement", "amplifi", "delet", "gain", "loss", "mutation")
_NOUN = {"amplified": "amplification", "deleted": "deletion"}
_PROTEIN_SHAPED = re.compile(r"[A-Z]\d+[A-Z]?|[A-Z][A-Z0-9]*?[A-Z]\d{2,4}[A-Z]?")


def _other_gene(token: str) -> bool:
    """A gene symbol other than ALK, or a chromosome arm or band (``11q``, ``1p36``), that can be altered."""
    if re.fullmatch(r"\d{1,2}[pq][\d.]*", token):
        return True
    return (
        token != "ALK"
        and gene_like(token)
        and (genes().lookup(token) is not None or not _PROTEIN_SHAPED.fullmatch(token))
    )


@per_document
def find_other_alterations(text: str, start: int = 0, end: int | None = None) -> list[Hit]:
    """Alterations other than ALK fusions and point mutations, as ``GENE amplification`` etc.

    "MYCN amplification", "11q deletion", "amplification of CDK4 and FGFR1" (one value per
    gene), "ROS1 fusion". A "mutation" counts only for a gene named without its protein change
    (point mutations are mutations: "NRAS Q61K mutation" gives nothing here).
    """
    stop = len(text) if end is None else end
    out: list[Hit] = []
    if not contains(text, _ALTERATION_NEED, start, stop):
        return out
    for m in affirmed(text, list(_OTHER_FUSION.finditer(text, start, stop)), start, stop):
        sym, kind = m.group(1), m.group(2).lower()
        if not _other_gene(sym):
            continue
        out.append(Hit(f"{sym} {_NOUN.get(kind, kind)}", m.start(), m.end()))
    for m in _ALTERATION_OF.finditer(text, start, stop):
        for g in re.finditer(_SYMBOL, m.group(2)):
            if _other_gene(g.group(0)):
                out.append(Hit(f"{g.group(0)} {m.group(1).lower()}", m.start(), m.end()))
    out.sort(key=lambda h: h.start)
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
# A protein change written right after its gene, with or without a space: "ALKF1174L", "NRAS Q61K".
_GENE_PROTEIN = re.compile(
    rf"(?<![A-Za-z0-9\-])([A-Z][A-Z0-9]{{1,8}}?)\s?([{_AA1}])(\d{{1,4}})([{_AA1}*])(?![A-Za-z0-9])"
)
_LISTED = re.compile(r"(?:\s*(?:,|and|&|/)\s*)+")  # between changes listed together
# Where one of the three could match: "p.", "c.", or amino-acid letter, position, amino-acid letter.
_MUTATION_TRIGGER = re.compile(rf"[pc]\.|[{_AA1}]\d{{1,4}}[{_AA1}*]")
_GENE_BEFORE = re.compile(r"([A-Z][A-Z0-9]{1,9})\s*[:\s]\s*(?:p\.|c\.)?\(?$")


def _clause(text: str, m: re.Match[str], start: int, stop: int) -> str:
    """The clause around a bare protein change ("detected G1202R together with L1196M in cis, a compound mutation")."""
    before = re.split(r"[.;]\s", text[max(start, m.start() - 80) : m.start()])[-1]
    after = re.split(r"[.;](?:\s|$)", text[m.end() : min(stop, m.end() + 80)])[0]
    return before + m.group(0) + after


@per_document
def find_mutations(text: str, start: int = 0, end: int | None = None, *, bare: bool = False) -> list[MutationHit]:
    """Point mutations: ``p.(Gly1202Arg)``, ``p.G1202R``, ``G1202R``, ``ALKF1174L``, ``NRAS Q61K``, ``c.3604G>A``.

    A protein change written right after a gene of the vocabulary (with or without a space)
    belongs to that gene, also for genes other than ALK.
    A coding and a protein change written together (``ALK:c.3604G>A; p.(Gly1202Arg)``) make one
    mutation. Bare short forms (``G1202R``) count only next to a gene name or the word mutation,
    in the same clause, unless ``bare`` (a mutation column of a table).
    """
    stop = len(text) if end is None else end
    if not may_match(_MUTATION_TRIGGER, text, start, stop):
        return []
    prot: list[tuple[str, int, int]] = []
    genes_of: dict[int, tuple[str, int]] = {}  # protein change start -> (gene, start of the gene)
    for m in _GENE_PROTEIN.finditer(text, start, stop):
        named = genes().lookup(m.group(1))
        if named is not None:
            prot.append((f"p.{m.group(2)}{m.group(3)}{m.group(4)}", m.start(2), m.end()))
            genes_of[m.start(2)] = (named.symbol, m.start())
    for m in _PROTEIN.finditer(text, start, stop):
        if m.start() in genes_of:
            continue
        if m.group(1):
            ref, pos, alt = AA3[m.group(1)], m.group(2), AA3.get(m.group(3), m.group(3))
        elif m.group(4):
            ref, pos, alt = m.group(4), m.group(5), m.group(6)
        else:
            ref, pos, alt = m.group(7), m.group(8), m.group(9)
            after_named = any(_LISTED.fullmatch(text, e, m.start()) for _, _, e in prot if e <= m.start())
            if not (bare or after_named) and not re.search(
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
    listed: tuple[str, int] | None = None  # the gene of the last change written after its gene
    for i, (p_val, ps, pe) in sorted(enumerate(prot), key=lambda item: item[1][1]):
        if i in used:
            continue
        if ps in genes_of:
            gene, gs = genes_of[ps]
            out.append(MutationHit(gene, p_val, None, gs, pe))
            listed = (gene, pe)
        elif (
            listed
            and re.fullmatch(r"(?:\s*(?:,|and|&|/)\s*)+", text[listed[1] : ps])
            and not _GENE_BEFORE.search(text[max(start, ps - 14) : ps])
        ):
            out.append(MutationHit(listed[0], p_val, None, ps, pe))  # "EGFR L858R and T790M"
            listed = (listed[0], pe)
        else:
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
