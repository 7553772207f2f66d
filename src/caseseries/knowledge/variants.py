"""HGVS notation for ALK point mutations and checks against the shipped reference protein.

Without a coding (CDS) sequence the exact codon is unknown, so the checks are:

1. the reference amino acid at the stated position matches the protein FASTA;
2. the coding position lies in the codon of the protein position (codon ``p`` is
   ``c.(3p-2)`` to ``c.(3p)``);
3. the base change is *plausible*: some codon of the reference amino acid carrying the stated
   reference base at that codon position gives the stated alternate amino acid when the base is
   changed (standard genetic code).

Example: ``c.3604G>A`` with ``p.G1202R`` is plausible (GGA/GGG -> AGA/AGG = Arg), while
``c.3605G>A`` with ``p.G1202R`` is impossible (GGN -> GAN = Asp/Glu).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from caseseries.errors import InputError, VocabularyError
from caseseries.vocab import genes

#: Reference protein FASTA files shipped in ``caseseries/knowledge/data``, by HGNC symbol.
PROTEIN_FASTA = {"ALK": "ALK_human_protein.fasta"}

THREE_TO_ONE = {
    "Ala": "A",
    "Arg": "R",
    "Asn": "N",
    "Asp": "D",
    "Cys": "C",
    "Gln": "Q",
    "Glu": "E",
    "Gly": "G",
    "His": "H",
    "Ile": "I",
    "Leu": "L",
    "Lys": "K",
    "Met": "M",
    "Phe": "F",
    "Pro": "P",
    "Ser": "S",
    "Thr": "T",
    "Trp": "W",
    "Tyr": "Y",
    "Val": "V",
    "Ter": "*",
}
ONE_TO_THREE = {v: k for k, v in THREE_TO_ONE.items()}

_BASES = "TCAG"
_AMINO = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
#: The standard genetic code (NCBI translation table 1), DNA codons to one-letter amino acids.
GENETIC_CODE = {a + b + c: _AMINO[16 * i + 4 * j + k] for i, a in enumerate(_BASES) for j, b in enumerate(_BASES)
                for k, c in enumerate(_BASES)}  # fmt: skip

_AA1 = "ACDEFGHIKLMNPQRSTVWY"
_AA3 = "|".join(THREE_TO_ONE)
_AA = rf"(?:{_AA3}|[{_AA1}])"
_STOP = rf"(?:{_AA3}|[{_AA1}*])"
_SUBST = re.compile(rf"^(?P<ref>{_AA})(?P<pos>[1-9]\d*)(?P<alt>{_STOP}|=)$")
_DEL = re.compile(rf"^(?P<ref>{_AA})(?P<pos>[1-9]\d*)del$")
_INS = re.compile(rf"^(?P<ref>{_AA})(?P<pos>[1-9]\d*)_(?P<ref2>{_AA})(?P<pos2>[1-9]\d*)ins(?P<alt>(?:{_AA})+)$")
_INS_SHORT = re.compile(rf"^(?P<pos>[1-9]\d*)(?P<alt>{_AA})ins$")
_CODING = re.compile(r"^c\.(?P<pos>[1-9]\d*)(?P<ref>[ACGT])>(?P<alt>[ACGT])$")


@dataclass(frozen=True)
class ProteinChange:
    """A parsed protein change; ``kind`` is ``substitution``, ``deletion`` or ``insertion``."""

    kind: str
    ref: str
    position: int
    alt: str
    end_ref: str | None = None
    end_position: int | None = None

    def hgvs(self) -> str:
        """One-letter HGVS: ``p.G1202R``, ``p.G1202del``, ``p.T1151_L1152insT``."""
        if self.kind == "deletion":
            return f"p.{self.ref}{self.position}del"
        if self.kind == "insertion":
            return f"p.{self.ref}{self.position}_{self.end_ref}{self.end_position}ins{self.alt}"
        return f"p.{self.ref}{self.position}{'=' if self.alt == self.ref else self.alt}"


@dataclass(frozen=True)
class CodingChange:
    """A parsed coding substitution such as ``c.3604G>A``."""

    position: int
    ref: str
    alt: str

    @property
    def codon(self) -> int:
        """The codon (amino-acid position) the base lies in."""
        return (self.position + 2) // 3

    @property
    def codon_position(self) -> int:
        """1, 2 or 3: the base's position within its codon."""
        return (self.position - 1) % 3 + 1

    def hgvs(self) -> str:
        """``c.3604G>A``."""
        return f"c.{self.position}{self.ref}>{self.alt}"


class VariantCheck(BaseModel):
    """The result of :func:`check_variant`.

    ``consequences`` lists the protein changes the coding change can produce given the
    reference amino acid (empty when no coding change was given).
    """

    model_config = ConfigDict(frozen=True)

    gene: str
    protein: str | None = None
    coding: str | None = None
    ok: bool
    problems: list[str] = Field(default_factory=list)
    consequences: list[str] = Field(default_factory=list)


def _aa(token: str) -> str:
    return THREE_TO_ONE.get(token, token)


def _split_tokens(text: str) -> str:
    out = []
    rest = text
    while rest:
        m = re.match(rf"{_AA3}|[{_AA1}]", rest)
        if m is None:  # pragma: no cover - guarded by the regular expressions
            break
        out.append(_aa(m.group(0)))
        rest = rest[m.end() :]
    return "".join(out)


def _strip(text: str) -> str:
    body = text.strip()
    if ":" in body:  # "ALK:p.G1202R" / "NP_004295.2:p.(Gly1202Arg)"
        body = body.rsplit(":", 1)[1]
    if body.startswith("p."):
        body = body[2:]
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    return body


def parse_protein(text: str, *, gene: str = "ALK") -> ProteinChange:
    """Parse a protein change written as ``p.(Gly1202Arg)``, ``p.Gly1202Arg``, ``p.G1202R`` or ``G1202R``.

    Deletions (``G1202del``) and insertions (``p.T1151_L1152insT``, or the shorthand ``1151Tins``
    whose flanking residues are read from the reference protein of ``gene``) are also accepted.

    Parameters
    ----------
    text : str
        The change as written.
    gene : str
        Gene whose reference protein resolves the ``1151Tins`` shorthand.

    Returns
    -------
    ProteinChange

    Raises
    ------
    InputError
        When the text is not a protein change in any supported notation.
    """
    body = _strip(text)
    if m := _SUBST.match(body):
        ref = _aa(m["ref"])
        alt = ref if m["alt"] == "=" else _aa(m["alt"])
        return ProteinChange("substitution", ref, int(m["pos"]), alt)
    if m := _DEL.match(body):
        return ProteinChange("deletion", _aa(m["ref"]), int(m["pos"]), "")
    if m := _INS.match(body):
        pos, pos2 = int(m["pos"]), int(m["pos2"])
        if pos2 != pos + 1:
            raise InputError(
                f"insertion {text!r} must lie between adjacent residues; write p.X{pos}_Y{pos + 1}insZ",
                location="protein",
            )
        return ProteinChange("insertion", _aa(m["ref"]), pos, _split_tokens(m["alt"]), _aa(m["ref2"]), pos2)
    if m := _INS_SHORT.match(body):
        pos = int(m["pos"])
        seq = reference_protein(gene)
        if pos + 1 > len(seq):
            raise InputError(
                f"position {pos} is beyond the {len(seq)}-residue {gene} protein; check the position",
                location="protein",
            )
        return ProteinChange("insertion", seq[pos - 1], pos, _aa(m["alt"]), seq[pos], pos + 1)
    raise InputError(
        f"{text!r} is not an HGVS protein change; write it as p.G1202R, p.Gly1202Arg or p.(Gly1202Arg)",
        location="protein",
    )


def normalise_protein(text: str, *, gene: str = "ALK") -> str:
    """Normalise a protein change to one-letter HGVS.

    Parameters
    ----------
    text : str
        ``p.(Gly1202Arg)``, ``p.Gly1202Arg``, ``p.G1202R``, ``G1202R``, ``G1202del``,
        ``1151Tins`` ...
    gene : str
        Gene whose reference protein resolves the ``1151Tins`` shorthand.

    Returns
    -------
    str
        ``p.G1202R`` (``p.T1151_L1152insT`` for ``1151Tins``).

    Examples
    --------
    >>> normalise_protein("p.(Gly1202Arg)")
    'p.G1202R'
    """
    return parse_protein(text, gene=gene).hgvs()


def parse_coding(text: str) -> CodingChange:
    """Parse a coding substitution such as ``c.3604G>A`` (also ``ALK:c.3604G>A``).

    Raises
    ------
    InputError
        When the text is not a coding substitution or the two bases are the same.
    """
    body = text.strip()
    if ":" in body:
        body = body.rsplit(":", 1)[1]
    m = _CODING.match(body)
    if m is None:
        raise InputError(
            f"{text!r} is not an HGVS coding substitution; write it as c.<position><ref>><alt>, e.g. c.3604G>A",
            location="coding",
        )
    if m["ref"] == m["alt"]:
        raise InputError(
            f"{text!r} changes {m['ref']} to itself; give the reference base before '>' and the new base after it",
            location="coding",
        )
    return CodingChange(int(m["pos"]), m["ref"], m["alt"])


@cache
def _read_fasta(filename: str) -> str:
    text = resources.files("caseseries.knowledge").joinpath("data", filename).read_text("utf-8")
    return "".join(line.strip() for line in text.splitlines() if line and not line.startswith(">"))


def reference_protein(gene: str) -> str:
    """The shipped reference protein sequence of ``gene`` (one-letter, no stop).

    Raises
    ------
    VocabularyError
        When no reference sequence is shipped for the gene; the message lists the known genes.
    """
    entry = genes().lookup(gene)
    symbol = entry.symbol if entry else gene.strip().upper()
    filename = PROTEIN_FASTA.get(symbol)
    if filename is None:
        known = ", ".join(sorted(PROTEIN_FASTA))
        raise VocabularyError(
            f"no reference protein sequence for gene {gene!r}; known genes: {known}",
            location="gene",
        )
    return _read_fasta(filename)


def gene_with_sequence(gene: str) -> str:
    """The HGNC symbol of ``gene`` if a reference protein is shipped for it (else raise VocabularyError)."""
    reference_protein(gene)
    entry = genes().lookup(gene)
    return entry.symbol if entry else gene.strip().upper()


def codons_of(amino_acid: str) -> list[str]:
    """All codons that encode a one-letter amino acid (``*`` for stop), sorted."""
    return sorted(c for c, a in GENETIC_CODE.items() if a == amino_acid)


def _mutate(codon: str, index: int, base: str) -> str:
    return codon[:index] + base + codon[index + 1 :]


def possible_alternates(ref_aa: str, change: CodingChange) -> dict[str, list[str]]:
    """Amino acids a base change can produce from codons of ``ref_aa``, with the codons that do it.

    Only codons of ``ref_aa`` whose base at the change's codon position equals the change's
    reference base are considered. An empty result means no codon of ``ref_aa`` carries that base
    there.
    """
    index = change.codon_position - 1
    out: dict[str, list[str]] = {}
    for codon in codons_of(ref_aa):
        if codon[index] != change.ref:
            continue
        alt = GENETIC_CODE[_mutate(codon, index, change.alt)]
        out.setdefault(alt, []).append(codon)
    return out


def _name(aa: str) -> str:
    return ONE_TO_THREE.get(aa, aa)


def _codon_family(codons: list[str]) -> str:
    """``GGN`` when the codons are the four that differ only at one position, else 'GGA/GGG'."""
    varying = [i for i in range(3) if len({c[i] for c in codons}) > 1]
    if len(codons) == 4 and len(varying) == 1:
        return _mutate(codons[0], varying[0], "N")
    return "/".join(codons)


def check_variant(gene: str, protein: str | None = None, coding: str | None = None) -> VariantCheck:
    """Check a protein and/or coding change against the reference protein and the genetic code.

    Parameters
    ----------
    gene : str
        HGNC symbol (previous symbols and aliases accepted); a reference protein must be shipped.
    protein : str, optional
        Protein change in any notation accepted by :func:`parse_protein`.
    coding : str, optional
        Coding substitution such as ``c.3604G>A``.

    Returns
    -------
    VariantCheck
        ``ok`` is False when a check found a problem; ``problems`` says which and why.

    Raises
    ------
    VocabularyError
        Unknown gene or no reference sequence for it.
    InputError
        Neither change given, or a change that is not valid HGVS.
    """
    symbol = gene_with_sequence(gene)
    seq = reference_protein(symbol)
    if protein is None and coding is None:
        raise InputError("give a protein change (e.g. p.G1202R), a coding change (e.g. c.3604G>A) or both")
    p = parse_protein(protein, gene=symbol) if protein is not None else None
    c = parse_coding(coding) if coding is not None else None
    problems: list[str] = []
    consequences: list[str] = []

    if p is not None:
        for ref, pos in ((p.ref, p.position), (p.end_ref, p.end_position)):
            if ref is None or pos is None:
                continue
            if pos > len(seq):
                problems.append(f"{p.hgvs()}: position {pos} is beyond the {len(seq)}-residue {symbol} protein")
            elif seq[pos - 1] != ref:
                problems.append(
                    f"{p.hgvs()}: the reference residue at {pos} is {seq[pos - 1]} ({_name(seq[pos - 1])}), "
                    f"not {ref} ({_name(ref)})"
                )

    if c is not None:
        cds_length = 3 * len(seq) + 3
        if c.position > cds_length:
            problems.append(f"{c.hgvs()}: position {c.position} is beyond the {cds_length}-nt {symbol} coding sequence")
        elif c.codon <= len(seq):
            ref_aa = seq[c.codon - 1]
            alternates = possible_alternates(ref_aa, c)
            consequences = [f"p.{ref_aa}{c.codon}{alt}" for alt in sorted(alternates)]
            if not alternates:
                problems.append(
                    f"{c.hgvs()}: no {_name(ref_aa)} codon (reference residue {ref_aa}{c.codon}) has "
                    f"{c.ref} at codon position {c.codon_position}"
                )
        if p is not None:
            if c.codon != p.position:
                problems.append(
                    f"{c.hgvs()} lies in codon {c.codon} (c.{3 * c.codon - 2}-c.{3 * c.codon}) but {p.hgvs()} "
                    f"is at residue {p.position} (c.{3 * p.position - 2}-c.{3 * p.position})"
                )
            elif p.kind != "substitution":
                problems.append(f"{c.hgvs()} is a single-base substitution and cannot produce {p.hgvs()}")
            elif c.position <= cds_length and p.ref == seq[p.position - 1]:
                problems.extend(_plausibility(p, c))

    return VariantCheck(
        gene=symbol,
        protein=p.hgvs() if p else None,
        coding=c.hgvs() if c else None,
        ok=not problems,
        problems=problems,
        consequences=consequences,
    )


def _plausibility(p: ProteinChange, c: CodingChange) -> list[str]:
    alternates = possible_alternates(p.ref, c)
    if p.alt in alternates:
        return []
    if not alternates:
        return []  # already reported: no codon of the reference residue has this base
    index = c.codon_position - 1
    sources = sorted(codon for codons in alternates.values() for codon in codons)
    family = _codon_family(sources)
    mutated = _codon_family(sorted(_mutate(x, index, c.alt) for x in sources))
    gives = "/".join(_name(a) for a in sorted(alternates))
    return [
        f"{c.hgvs()} changes codon position {c.codon_position} of {_name(p.ref)}{p.position} "
        f"({family} -> {mutated}), which gives {gives}, not {_name(p.alt)}: it cannot produce {p.hgvs()}"
    ]
