"""ALK variant checks: notation, reference residues, codon arithmetic and genetic-code plausibility."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import ROOT as REPO
from tests.conftest import SHARED

from caseseries.cli import main
from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.variants import (
    GENETIC_CODE,
    ONE_TO_THREE,
    check_variant,
    codons_of,
    normalise_protein,
    parse_coding,
    reference_protein,
)

SHARED_FASTA = SHARED / "data" / "ALK_human_protein.fasta"

# facts.md §f: reference residues checked against the 1620-aa sequence, with codon ranges where given.
RESIDUES = [
    ("T1151", (3451, 3453)),
    ("L1152", (3454, 3456)),
    ("C1156", (3466, 3468)),
    ("I1171", (3511, 3513)),
    ("F1174", (3520, 3522)),
    ("V1180", (3538, 3540)),
    ("L1196", (3586, 3588)),
    ("L1198", (3592, 3594)),
    ("G1202", (3604, 3606)),
    ("D1203", (3607, 3609)),
    ("S1206", (3616, 3618)),
    ("E1210", (3628, 3630)),
    ("F1245", None),
    ("G1269", (3805, 3807)),
    ("R1275", (3823, 3825)),
]


def test_shipped_fasta_is_the_shared_one_with_its_source_header() -> None:
    """The package ships the UniProt Q9UM73 / NP_004295.2 sequence, 1620 aa, header kept."""
    shipped = REPO / "src" / "caseseries" / "knowledge" / "data"
    text = (shipped / "ALK_human_protein.fasta").read_text()
    assert text.splitlines()[0].startswith(">ALK_HUMAN") and "Q9UM73" in text.splitlines()[0]
    if SHARED_FASTA.exists():
        assert text == SHARED_FASTA.read_text()
    seq = reference_protein("ALK")
    assert len(seq) == 1620
    assert seq[1115:1130] == "ITLIRGLGHGAFGEV"  # glycine-rich loop starts at 1116
    assert seq[1057:1067] == "VYRRKHQELQ"  # usual start of ALK in fusions (V1058)


@pytest.mark.parametrize(("residue", "codon"), RESIDUES, ids=[r for r, _ in RESIDUES])
def test_every_residue_of_facts_f_matches_the_reference(residue: str, codon: tuple[int, int] | None) -> None:
    """Each residue in facts.md §f is the reference residue; a wrong residue letter is flagged."""
    ref, pos = residue[0], int(residue[1:])
    alt = "A" if ref != "A" else "G"
    ok = check_variant("ALK", f"p.{ref}{pos}{alt}")
    assert ok.ok, ok.problems
    wrong = "W" if ref != "W" else "Y"
    bad = check_variant("ALK", f"p.{wrong}{pos}{alt}")
    assert not bad.ok
    assert bad.problems == [
        f"p.{wrong}{pos}{alt}: the reference residue at {pos} is {ref} ({ONE_TO_THREE[ref]}), "
        f"not {wrong} ({ONE_TO_THREE[wrong]})"
    ]
    if codon is not None:
        first, last = codon
        assert (3 * pos - 2, 3 * pos) == codon
        assert parse_coding(f"c.{first}A>C").codon == pos
        assert parse_coding(f"c.{last}A>C").codon == pos
        assert parse_coding(f"c.{last + 1}A>C").codon == pos + 1


@pytest.mark.parametrize(
    ("protein", "coding"),
    [
        ("p.G1202R", "c.3604G>A"),
        ("p.(Gly1202Arg)", "ALK:c.3604G>A"),
        ("F1174L", "c.3522C>A"),
        ("L1196M", "c.3586C>A"),
        ("p.Leu1196Met", "c.3586C>A"),
    ],
)
def test_plausible_pairs(protein: str, coding: str) -> None:
    """The published c./p. pairs are plausible under the genetic code.

    G1202R/c.3604G>A: first-position G>A of GGA/GGG gives AGA/AGG = Arg. F1174L/c.3522C>A:
    third-position TTC -> TTA = Leu. L1196M/c.3586C>A: CTG -> ATG = Met.
    """
    result = check_variant("ALK", protein=protein, coding=coding)
    assert result.ok, result.problems
    assert result.coding == coding.split(":")[-1]


def test_second_position_change_cannot_give_g1202r() -> None:
    """c.3605G>A is a second-position change of Gly1202 (GGN -> GAN = Asp/Glu), never Arg."""
    result = check_variant("ALK", protein="p.G1202R", coding="c.3605G>A")
    assert not result.ok
    assert result.problems == [
        "c.3605G>A changes codon position 2 of Gly1202 (GGN -> GAN), which gives Asp/Glu, not Arg: "
        "it cannot produce p.G1202R"
    ]
    assert result.consequences == ["p.G1202D", "p.G1202E"]


def test_first_position_g_to_a_in_glycine_gives_arg_or_ser() -> None:
    """GGA/GGG -> Arg, GGC/GGT -> Ser: both G1202R and G1202S are plausible for c.3604G>A."""
    assert check_variant("ALK", coding="c.3604G>A").consequences == ["p.G1202R", "p.G1202S"]
    assert check_variant("ALK", protein="G1202S", coding="c.3604G>A").ok
    assert not check_variant("ALK", protein="G1202E", coding="c.3604G>A").ok


def test_codon_mismatch_and_impossible_reference_base() -> None:
    """A coding change in another codon, or a base no codon of the residue has there, is flagged."""
    shifted = check_variant("ALK", protein="p.G1202R", coding="c.3607G>A")
    assert shifted.problems == [
        "c.3607G>A lies in codon 1203 (c.3607-c.3609) but p.G1202R is at residue 1202 (c.3604-c.3606)"
    ]
    no_c = check_variant("ALK", protein="p.G1202R", coding="c.3604C>A")
    assert no_c.problems == ["c.3604C>A: no Gly codon (reference residue G1202) has C at codon position 1"]


def test_positions_beyond_the_protein() -> None:
    """Residue 1700 and c.5000 lie beyond the 1620-aa protein and its 4863-nt CDS."""
    assert check_variant("ALK", protein="p.G1700R").problems == [
        "p.G1700R: position 1700 is beyond the 1620-residue ALK protein"
    ]
    assert check_variant("ALK", coding="c.5000A>G").problems == [
        "c.5000A>G: position 5000 is beyond the 4863-nt ALK coding sequence"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p.(Gly1202Arg)", "p.G1202R"),
        ("p.Gly1202Arg", "p.G1202R"),
        ("p.G1202R", "p.G1202R"),
        ("G1202R", "p.G1202R"),
        ("ALK:p.(Gly1202Arg)", "p.G1202R"),
        ("G1202del", "p.G1202del"),
        ("1151Tins", "p.T1151_L1152insT"),
        ("p.Thr1151_Leu1152insThr", "p.T1151_L1152insT"),
        ("p.R1275*", "p.R1275*"),
        ("p.Arg1275Ter", "p.R1275*"),
    ],
)
def test_normalise_protein_notations(text: str, expected: str) -> None:
    """Every notation in case reports normalises to one-letter HGVS."""
    assert normalise_protein(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Gly1202", "protein: 'Gly1202' is not an HGVS protein change; write it as p.G1202R, p.Gly1202Arg or "
         "p.(Gly1202Arg)"),
        ("p.G1202RR", "protein: 'p.G1202RR' is not an HGVS protein change; write it as p.G1202R, p.Gly1202Arg or "
         "p.(Gly1202Arg)"),
        ("p.T1151_L1153insT", "protein: insertion 'p.T1151_L1153insT' must lie between adjacent residues; write "
         "p.X1151_Y1152insZ"),
    ],
)  # fmt: skip
def test_impossible_protein_strings_raise_input_error(text: str, message: str) -> None:
    """Strings that are not HGVS raise InputError naming the fix."""
    with pytest.raises(InputError) as err:
        normalise_protein(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("c.3604G", "coding: 'c.3604G' is not an HGVS coding substitution; write it as c.<position><ref>><alt>, "
         "e.g. c.3604G>A"),
        ("c.3604G>G", "coding: 'c.3604G>G' changes G to itself; give the reference base before '>' and the new "
         "base after it"),
        ("c.-5G>A", "coding: 'c.-5G>A' is not an HGVS coding substitution; write it as c.<position><ref>><alt>, "
         "e.g. c.3604G>A"),
    ],
)  # fmt: skip
def test_impossible_coding_strings_raise_input_error(text: str, message: str) -> None:
    """Malformed coding changes raise InputError naming the fix."""
    with pytest.raises(InputError) as err:
        parse_coding(text)
    assert str(err.value) == message


def test_unknown_gene_names_the_known_ones() -> None:
    """A gene without a shipped reference protein raises VocabularyError listing the known genes."""
    with pytest.raises(VocabularyError) as err:
        check_variant("EGFR", protein="L858R")
    assert str(err.value) == "gene: no reference protein sequence for gene 'EGFR'; known genes: ALK"
    with pytest.raises(InputError, match="give a protein change"):
        check_variant("ALK")


def test_genetic_code_is_the_standard_table() -> None:
    """64 codons, 3 stops, 6 Arg codons, ATG = Met, TGG = Trp."""
    assert len(GENETIC_CODE) == 64
    assert codons_of("*") == ["TAA", "TAG", "TGA"]
    assert codons_of("R") == ["AGA", "AGG", "CGA", "CGC", "CGG", "CGT"]
    assert codons_of("M") == ["ATG"] and codons_of("W") == ["TGG"]


AA = "ACDEFGHIKLMNPQRSTVWY"


@given(ref=st.sampled_from(AA), pos=st.integers(1, 99999), alt=st.sampled_from(AA + "*"), paren=st.booleans())
def test_three_letter_and_one_letter_notations_agree(ref: str, pos: int, alt: str, paren: bool) -> None:
    """p.(Xaa123Yaa), p.Xaa123Yaa, p.X123Y and X123Y all normalise to the same one-letter form."""
    three = f"{ONE_TO_THREE[ref]}{pos}{ONE_TO_THREE[alt]}"
    expected = f"p.{ref}{pos}{alt if alt != ref else '='}"
    assert normalise_protein(f"p.({three})" if paren else f"p.{three}") == expected
    assert normalise_protein(f"{ref}{pos}{alt}") == expected


@given(pos=st.integers(1, 4863), ref=st.sampled_from("ACGT"), alt=st.sampled_from("ACGT"))
def test_plausibility_agrees_with_brute_force_translation(pos: int, ref: str, alt: str) -> None:
    """The consequences equal the brute-force set over all codons of the reference residue."""
    if ref == alt:
        return
    seq = reference_protein("ALK")
    codon_no, index = (pos + 2) // 3, (pos - 1) % 3
    result = check_variant("ALK", coding=f"c.{pos}{ref}>{alt}")
    if codon_no > len(seq):
        assert result.consequences == []
        return
    aa = seq[codon_no - 1]
    brute = set()
    for codon, amino in GENETIC_CODE.items():
        if amino == aa and codon[index] == ref:
            brute.add(f"p.{aa}{codon_no}{GENETIC_CODE[codon[:index] + alt + codon[index + 1 :]]}")
    assert set(result.consequences) == brute
    assert result.ok == bool(brute)


def test_cli_variant_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """`knowledge variant` exits 0 when consistent, 1 when problems are found, 2 on bad input."""
    assert main(["knowledge", "variant", "ALK", "--protein", "p.(Gly1202Arg)", "--coding", "c.3604G>A"]) == 0
    assert capsys.readouterr().out.startswith("ALK p.G1202R c.3604G>A: ok\n")
    assert main(["knowledge", "variant", "ALK", "--protein", "G1202R", "--coding", "c.3605G>A"]) == 1
    out = capsys.readouterr().out
    assert "ALK p.G1202R c.3605G>A: problems found" in out and "cannot produce p.G1202R" in out
    assert main(["knowledge", "variant", "ALK", "--protein", "G12O2R", "--json"]) == 2
    assert capsys.readouterr().err == (
        "Error: protein: 'G12O2R' is not an HGVS protein change; write it as p.G1202R, p.Gly1202Arg or p.(Gly1202Arg)\n"
    )
    assert main(["knowledge", "variant", "KRAS", "--protein", "G12D"]) == 2
    assert capsys.readouterr().err == "Error: gene: no reference protein sequence for gene 'KRAS'; known genes: ALK\n"


def test_cli_variant_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints the VariantCheck fields."""
    import json

    assert main(["knowledge", "variant", "ALK", "--protein", "A1202R", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["protein"] == "p.A1202R" and data["gene"] == "ALK"
    assert data["problems"] == ["p.A1202R: the reference residue at 1202 is G (Gly), not A (Ala)"]
