"""Genes, fusions, other alterations and point mutations in case-report text.

Each finder scans ``text[start:end]`` and returns hits with document offsets. Symbols are
normalised through the gene vocabulary (:mod:`caseseries.vocab`); nothing here knows any
particular publication.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import DamerauLevenshtein

from caseseries.extraction.hits import FusionHit, Hit, MutationHit
from caseseries.knowledge.variants import THREE_TO_ONE
from caseseries.vocab import genes

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


def gene_like(token: str) -> bool:
    """Whether a token looks like a gene symbol (capitals and digits, not a clinical abbreviation)."""
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
    if sym is None and not gene_like(token):
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
    if sym is None and not gene_like(gene5):
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
        if sym == "ALK" or not gene_like(sym):
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
