"""ALK resistance-mutation knowledge: data file, lookups, evidence sentences and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from tests.conftest import ROOT as REPO

from caseseries.cli import main
from caseseries.errors import InputError, VocabularyError
from caseseries.knowledge.resistance import EvidenceStatus, annotate_line, load_table, lookup, table

RESISTANT, ACTIVE, PRECLINICAL = (
    EvidenceStatus.REPORTED_RESISTANT,
    EvidenceStatus.REPORTED_ACTIVE,
    EvidenceStatus.PRECLINICAL_ONLY,
)

# Lin, Riely & Shaw 2017 Table 2 as rebuilt in facts.md §b (typed here independently of the data file).
LIN_RESISTANT = {
    "crizotinib": "1151Tins L1152P L1152R C1156Y C1156T I1171T I1171N I1171S F1174C F1174L F1174V V1180L L1196M "
    "G1202R S1206C S1206Y E1210K G1269A G1269S",
    "ceritinib": "1151Tins L1152P L1152R C1156Y C1156T F1174C F1174L F1174V G1202R",
    "alectinib": "I1171T I1171N I1171S V1180L G1202R",
    "brigatinib": "G1202R",
    "entrectinib": "G1202R",
}
LIN_ACTIVE = {
    "crizotinib": "L1198F",
    "ceritinib": "I1171T I1171N L1196M S1206C S1206Y G1269A G1269S",
    "alectinib": "L1152P L1152R C1156Y C1156T F1174C F1174L F1174V L1196M S1206C S1206Y G1269A G1269S",
    "brigatinib": "1151Tins L1152P L1152R C1156Y C1156T F1174C F1174L F1174V L1196M G1269A G1269S",
    "lorlatinib": "1151Tins L1152P L1152R C1156Y C1156T I1171T I1171N I1171S F1174C F1174L F1174V L1196M G1202R "
    "S1206C S1206Y E1210K G1269A G1269S",
    "entrectinib": "C1156Y C1156T L1196M",
    "ensartinib": "C1156Y C1156T L1196M",
}
LIN_LORLATINIB_RESISTANT_COMPOUNDS = ["L1198F+C1156Y", "E1210K+S1206C", "E1210K+D1203N"]


def _statuses(change: str, agent: str) -> dict[EvidenceStatus, list[str]]:
    k = lookup("ALK", change)
    return {e.status: [s.key for s in e.sources] for e in k.evidence if e.agent == agent}


@pytest.mark.parametrize("agent", sorted(LIN_RESISTANT))
def test_lin_2017_resistance_lists_are_in_the_table(agent: str) -> None:
    """Every mutation Lin 2017 lists as resistant to a drug is reported resistant, citing Lin 2017."""
    for change in LIN_RESISTANT[agent].split():
        assert "lin2017" in _statuses(change, agent).get(RESISTANT, []), (agent, change)


@pytest.mark.parametrize("agent", sorted(LIN_ACTIVE))
def test_lin_2017_targeted_lists_are_in_the_table(agent: str) -> None:
    """Every mutation Lin 2017 lists as targeted by a drug is reported active (brigatinib/G1202R aside)."""
    for change in LIN_ACTIVE[agent].split():
        statuses = _statuses(change, agent)
        assert "lin2017" in statuses.get(ACTIVE, []) or (agent, change) == ("brigatinib", "G1202R"), (agent, change)


def test_lin_2017_lorlatinib_compounds() -> None:
    """The three compound mutations Lin 2017 lists as lorlatinib-resistant."""
    for compound in LIN_LORLATINIB_RESISTANT_COMPOUNDS:
        assert "lin2017" in _statuses(compound, "lorlatinib")[RESISTANT], compound


def test_every_cell_has_a_source_and_a_known_status() -> None:
    """No mutation x inhibitor cell without a source; statuses are the three allowed ones."""
    for entry in table().entries:
        for call in entry.calls:
            assert call.sources and call.status in set(EvidenceStatus)


@pytest.mark.parametrize("notation", ["G1202R", "p.G1202R", "p.(Gly1202Arg)", "p.Gly1202Arg", "ALK:p.G1202R"])
def test_lookup_accepts_every_protein_notation(notation: str) -> None:
    """G1202R in any notation gives the same knowledge."""
    assert lookup("ALK", notation) == lookup("ALK", "G1202R")
    assert lookup("alk", notation).change == "p.G1202R"


def test_g1202r_knowledge() -> None:
    """G1202R: reported resistant to alectinib (Lin 2017; Gainor 2016), active with lorlatinib, NVL-655 (Level 3A)."""
    k = lookup("ALK", "G1202R")
    assert k.region == "solvent front"
    resistant = {e.agent: e for e in k.with_status(RESISTANT)}
    assert set(resistant) == {"crizotinib", "ceritinib", "alectinib", "brigatinib", "entrectinib"}
    assert resistant["alectinib"].cite() == "Lin 2017; Gainor 2016"
    active = {e.agent: e for e in k.with_status(ACTIVE)}
    assert set(active) == {"lorlatinib", "neladalkib"}
    assert "OncoKB Level 3A in NSCLC; investigational" in active["neladalkib"].contexts
    assert [e.agent for e in k.with_status(PRECLINICAL)] == ["repotrectinib"]
    assert k.compounds == ["p.G1202R+p.L1196M"]
    assert any("PMID 39188081" in o for o in k.observations)


def test_only_restricts_calls_to_the_named_changes() -> None:
    """I1171T/N/S share an entry; ceritinib is reported active for I1171T/N only (Lin 2017)."""
    assert ACTIVE not in _statuses("I1171S", "ceritinib")
    assert _statuses("I1171N", "ceritinib")[ACTIVE] == ["lin2017"]
    assert _statuses("I1171T", "ceritinib")[ACTIVE] == ["lin2017", "katayama2014"]
    assert _statuses("I1171S", "alectinib")[RESISTANT] == ["lin2017", "oncokb_2026_05"]


def test_imt_trajectories_are_observations() -> None:
    """Published IMT trajectories: G1269A (DCTN1-ALK), L1196Q (RRBP1-ALK), F1174L (RANBP2-ALK)."""
    assert "DCTN1-ALK" in lookup("ALK", "G1269A").observations[0]
    assert "RRBP1-ALK" in lookup("ALK", "L1196Q").observations[0]
    assert "RANBP2-ALK" in lookup("ALK", "F1174L").observations[0]
    assert lookup("ALK", "G1269S").observations  # same entry as G1269A


def test_residue_entries_and_unknown_mutations() -> None:
    """F1245 and R1275 entries match any substitution there; a mutation not in the table has no evidence."""
    assert _statuses("F1245V", "lorlatinib")[ACTIVE] == ["oncokb_2024_09"]
    assert _statuses("R1275Q", "lorlatinib")[ACTIVE] == ["oncokb_2024_09"]
    empty = lookup("ALK", "G1202E")
    assert not empty.known
    assert empty.sentence() == "ALK p.G1202E: no reported evidence in the ALK resistance table (version 1)"
    other_gene = lookup("EGFR", "L858R")
    assert other_gene.gene == "EGFR" and not other_gene.known


def test_unknown_gene_and_bad_change() -> None:
    """An unknown gene raises VocabularyError naming the genes covered; a non-HGVS change raises InputError."""
    with pytest.raises(VocabularyError) as err:
        lookup("ALKK", "G1202R")
    assert str(err.value) == "gene: unknown gene 'ALKK'; genes with resistance knowledge: ALK"
    with pytest.raises(InputError, match="not an HGVS protein change"):
        lookup("ALK", "solvent front")


def test_annotate_line_restricts_to_the_lines_agents() -> None:
    """Seed 000: lorlatinib after G1202R on alectinib gets only the lorlatinib evidence."""
    assert annotate_line(["ALK p.G1202R"], ["lorlatinib"]) == [
        "ALK p.G1202R: reported active: lorlatinib (Lin 2017; OncoKB 2018-07-12; OncoKB 2024-06-04; Gainor 2016; "
        "Shaw 2019)"
    ]
    assert annotate_line(["ALK p.G1202R"], ["Alecensa", "lorlatinib"]) == [
        "ALK p.G1202R: reported resistant to alectinib (Lin 2017; Gainor 2016); reported active: lorlatinib "
        "(Lin 2017; OncoKB 2018-07-12; OncoKB 2024-06-04; Gainor 2016; Shaw 2019)"
    ]


def test_annotate_line_without_table_agents_gives_the_full_picture_and_compounds() -> None:
    """Chemotherapy after G1202R + L1196M: all evidence for each mutation plus the compound."""
    sentences = annotate_line(["ALK p.G1202R", "L1196M"], ["ifosfamide", "etoposide"])
    assert len(sentences) == 3
    assert sentences[0].startswith("ALK p.G1202R: reported resistant to crizotinib (Lin 2017), ceritinib")
    assert sentences[1].startswith("ALK p.L1196M: reported resistant to crizotinib (Lin 2017; OncoKB 2018-10-26)")
    assert sentences[2] == (
        "ALK p.L1196M+p.G1202R: reported resistant to lorlatinib (Yoda 2018; not re-checked); "
        "reported active: lorlatinib (OncoKB biomarker table)"
    )


NOT_EVIDENCE = re.compile(r"\b(use|uses|using|should|recommend\w*|advis\w*|prescrib\w*)\b", re.IGNORECASE)


def test_wording_is_evidence_never_a_recommendation(capsys: pytest.CaptureFixture[str]) -> None:
    """No sentence, note, observation or CLI output says 'use', 'should' or 'recommend'."""
    texts: list[str] = []
    for entry in table().entries:
        changes = (entry.compound and ["+".join(entry.compound)]) or entry.changes or [f"{r}A" for r in entry.residues]
        for change in changes:
            k = lookup("ALK", change)
            sentences = [k.sentence(), *(k.sentence([a]) for a in ("lorlatinib", "crizotinib", "gilteritinib"))]
            assert all(re.match(r"^ALK p\.\S+: (reported|preclinical activity only:)", x) for x in sentences)
            texts += [*sentences, *k.notes, *k.observations, *(c for e in k.evidence for c in e.contexts)]
            assert main(["knowledge", "mutation", "ALK", change]) == 0
            texts.append(capsys.readouterr().out)
    texts += [s.note or "" for s in table().sources.values()]
    assert texts
    offending = [t for t in texts if NOT_EVIDENCE.search(t)]
    assert offending == []


def test_loader_rejects_unknown_keys_listing_allowed_ones(tmp_path: Path) -> None:
    """A typo in the data file fails loudly with the allowed keys."""
    raw = yaml.safe_load((REPO / "src/caseseries/knowledge/data/alk_resistance.yaml").read_text())
    raw["entries"][0]["calls"][0]["level"] = 2
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(VocabularyError) as err:
        load_table(path)
    assert str(err.value) == (
        f"{path}: entries[0].calls[0].level: unknown key 'level'; allowed keys: agent, checked, context, only, "
        "sources, status"
    )


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"changes": ["p.A1202R"]}, "entries[0].changes[0]: p.A1202R: the reference residue at 1202 is G (Gly), "
         "not A (Ala)"),
        ({"changes": ["G1202R"]}, "entries[0].changes[0]: write 'G1202R' as 'p.G1202R'"),
        ({"compound": ["p.G1202R", "p.L1196M"]}, "entries[0]: give exactly one of changes, compound, residues"),
        ({"calls": [{"agent": "Alecensa", "status": "reported_resistant", "sources": ["lin2017"]}]},
         "entries[0].calls[0].agent: agent 'Alecensa' is not a generic name in the drug vocabulary; write "
         "'alectinib'"),
        ({"calls": [{"agent": "alectinib", "status": "reported_resistant", "sources": ["lin2018"]}]},
         "entries[0].calls[0].sources[0]: unknown source 'lin2018'; known sources: "),
        ({"calls": [{"agent": "alectinib", "status": "resistant", "sources": ["lin2017"]}]},
         "entries[0].calls[0].status: Input should be 'reported_resistant', 'reported_active' or 'preclinical_only' "
         "(got 'resistant')"),
        ({"calls": [{"agent": "alectinib", "status": "reported_resistant", "sources": ["lin2017"],
                     "only": ["p.G1202E"]}]},
         "entries[0].calls[0].only[0]: 'p.G1202E' is not one of this entry's changes (p.G1202R); list it under "
         "changes or remove it from only"),
    ],
)  # fmt: skip
def test_loader_validates_changes_agents_and_sources(tmp_path: Path, patch: dict[str, object], message: str) -> None:
    """Changes must be normalised reference-correct HGVS; agents generic names; sources declared."""
    raw = yaml.safe_load((REPO / "src/caseseries/knowledge/data/alk_resistance.yaml").read_text())
    raw["entries"][0].update(patch)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(VocabularyError) as err:
        load_table(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_cli_mutation(capsys: pytest.CaptureFixture[str]) -> None:
    """`knowledge mutation ALK G1202R` prints the evidence with sources; unknown gene exits 2."""
    assert main(["knowledge", "mutation", "ALK", "p.(Gly1202Arg)"]) == 0
    out = capsys.readouterr().out
    assert "ALK p.G1202R (solvent front)" in out
    assert re.search(r"alectinib\s+│ reported resistant │ Lin 2017; Gainor 2016", out)
    assert "[Gainor 2016] Gainor JF et al." in out
    assert main(["knowledge", "mutation", "ALK", "G1202R", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["change"] == "p.G1202R" and data["known"] is True and data["variant_problems"] == []
    assert data["sentence"].startswith("ALK p.G1202R: reported resistant to crizotinib")
    assert main(["knowledge", "mutation", "ALK", "A1202R"]) == 0
    assert "warning: p.A1202R: the reference residue at 1202 is G (Gly), not A (Ala)" in capsys.readouterr().out
    assert main(["knowledge", "mutation", "FOO", "G1202R"]) == 2
    assert capsys.readouterr().err == "Error: gene: unknown gene 'FOO'; genes with resistance knowledge: ALK\n"
