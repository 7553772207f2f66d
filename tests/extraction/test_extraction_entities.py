"""Entities: drugs, fusions, mutations, sites, ALK testing, demographics."""

from __future__ import annotations

import pytest

from caseseries.extraction.entities import (
    find_age,
    find_alk,
    find_drugs,
    find_fusions,
    find_mutations,
    find_sex,
    find_sites,
    normalise_gene,
)
from caseseries.model import AlkMethod, AlkStatus, Sex


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("treated with Alecensa", ["alectinib"]),
        ("Xalkori then Zykadia", ["crizotinib", "ceritinib"]),
        ("the cisplatin-pemetrexed regimen", ["cisplatin", "pemetrexed"]),
        ("methotrexate plus vinorelbine (Navelbine)", ["methotrexate", "vinorelbine", "vinorelbine"]),
        ("steroid and NSAID", ["steroid", "nsaid"]),
        ("ASP3062", ["asp3026"]),
        ("she joined the STARTRK-2 basket study", ["entrectinib"]),
        ("enrolled on PROFILE-1001 at our centre", ["crizotinib"]),
        ("randomised in the ALEX and CROWN studies; the word profile 1001 in lower case", []),
        ("no drug named here", []),
    ],
)
def test_drugs_by_generic_brand_and_code_name(text: str, expected: list[str]) -> None:
    assert [h.value for h in find_drugs(text)] == expected


def test_mistyped_code_name_is_marked_fuzzy() -> None:
    (hit,) = find_drugs("ASP3062")
    assert hit.fuzzy
    (exact,) = find_drugs("ASP3026")
    assert not exact.fuzzy


@pytest.mark.parametrize(
    ("text", "gene5"),
    [
        ("a TNS1-ALK fusion", "TNS1"),
        ("SQSTM1::ALK", "SQSTM1"),
        ("ALK-FN1 fusion", "FN1"),
        ("a SQSTM1:ALK fusion", "SQSTM1"),
        ("fusion of RANBP2 and ALK", "RANBP2"),
        ("CARS-ALK", "CARS1"),
        ("SEC31L1-ALK", "SEC31A"),
    ],
)
def test_fusion_notations_normalise_to_hgnc(text: str, gene5: str) -> None:
    hits = [h for h in find_fusions(text) if h.gene5]
    assert [(h.gene5, h.gene3) for h in hits] == [(gene5, "ALK")]


def test_unknown_partner_and_translocation() -> None:
    (hit,) = find_fusions("break-apart FISH demonstrated an ALK rearrangement")
    assert hit.gene5 is None and hit.as_written == "ALK rearrangement"
    (t,) = find_fusions("karyotype t(1;2)(q25;p23)")
    assert t.gene5 is None and t.as_written == "t(1;2)(q25;p23)"


def test_non_gene_symbol_is_flagged_with_closest_known() -> None:
    symbol, flags = normalise_gene("CTCL")
    assert symbol is None
    assert flags == ["not an HGNC symbol: CTCL (closest: CLTC)"]
    (hit,) = find_fusions("CTCL-ALK")
    assert hit.gene5 is None and hit.flags


def test_alk_positive_is_not_a_fusion_partner() -> None:
    assert not [h for h in find_fusions("ALK-positive IMT") if h.gene5]


@pytest.mark.parametrize(
    ("text", "protein", "coding"),
    [
        ("ALK:c.3604G>A; p.(Gly1202Arg)", "p.G1202R", "c.3604G>A"),
        ("the ALK p.G1202R mutation", "p.G1202R", None),
        ("a secondary ALK I1171N mutation", "p.I1171N", None),
        ("c.3604G>A was found", None, "c.3604G>A"),
    ],
)
def test_mutation_forms(text: str, protein: str | None, coding: str | None) -> None:
    (hit,) = find_mutations(text)
    assert (hit.gene, hit.protein, hit.coding) == ("ALK", protein, coding)
    assert text[hit.start : hit.end]


def test_bare_short_form_needs_context() -> None:
    assert find_mutations("room G1202R was booked") == []
    assert [m.protein for m in find_mutations("G1202R", bare=True)] == ["p.G1202R"]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("uterine sarcoma", "uterus"),
        ("Gall bladder", "gallbladder"),
        ("vesical mass", "urinary bladder"),
        ("mediastinal lymphadenopathy", "lymph node"),
        ("the nasal spine", "nasal cavity"),
    ],
)
def test_sites_map_to_canonical_terms(text: str, term: str) -> None:
    assert [h.value for h in find_sites(text)] == [term]


def test_alk_status_and_methods() -> None:
    text = "IHC analysis confirmed ALK positivity. NGS with FoundationOne CDx showed ALK rearrangement."
    found = find_alk(text, [(0, 38), (39, len(text))])
    assert found.status is AlkStatus.POSITIVE
    assert list(found.methods) == [AlkMethod.IHC, AlkMethod.NGS]
    neg = find_alk("The tumour was ALK-negative by IHC.", [(0, 35)])
    assert neg.status is AlkStatus.NEGATIVE


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("A 52-year-old woman", 52.0),
        ("a 7-month-old girl", 0.58),
        ("aged 62", 62.0),
        ("Patient 2 (F, 34 y)", 34.0),
        ("A neonate", 0.0),
        ("the boy was first seen at 18 months of age", 1.5),
        ("diagnosed at eleven months of age", 0.92),
        ("a baby aged 3 weeks", 0.06),
        ("an infant aged 10 days", 0.03),
    ],
)
def test_age(text: str, years: float) -> None:
    hit = find_age(text)
    assert hit is not None and float(hit.value) == years


def test_sex_from_nouns_then_pronouns() -> None:
    assert find_sex("A 52-year-old woman")[0] is Sex.FEMALE  # type: ignore[index]
    assert find_sex("The patient was seen. He improved and his pain resolved.")[0] is Sex.MALE  # type: ignore[index]
    assert find_sex("The patient was seen.") is None
