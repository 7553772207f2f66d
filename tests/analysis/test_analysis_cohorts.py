"""Cohort filters, named-cohort files, pooled analysis and sequencing on a small fixture series."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import DATA

from caseseries.analysis.cohort import Cohort, load_cohorts, mutation_key, parse_cohorts
from caseseries.analysis.sequencing import similar, transition_summary, transitions
from caseseries.analysis.summary import analyze
from caseseries.errors import InputError, ValidationError, VocabularyError
from caseseries.model.casejson import CaseFile, load_case_file
from caseseries.model.enums import CurationStatus, DrugClass

MINI = DATA / "analysis" / "mini_series.json"


@pytest.fixture(scope="module")
def mini() -> CaseFile:
    return load_case_file(MINI)


def labels(case_file: CaseFile, cohort: Cohort) -> list[str]:
    return [p.label for _, _, p in cohort.apply(case_file).patients]


@pytest.mark.parametrize("written", ["G1202R", "p.G1202R", "ALK p.G1202R", "ALK:p.(Gly1202Arg)", "p.(Gly1202Arg)"])
def test_mutation_notations_normalise_alike(written: str) -> None:
    assert mutation_key(written) == "ALK p.G1202R"


def test_patient_level_filters(mini: CaseFile) -> None:
    uterine = ["Table 1, case 1", "Table 2, case 5", "Table 2, case 6", "index patient"]
    assert labels(mini, Cohort(site="uterine")) == uterine
    assert labels(mini, Cohort(partner="CTCL")) == ["Table 1, case 10"]
    assert labels(mini, Cohort(partner="TNS1")) == ["Table 1, case 1"]
    assert "Table 1, case 3" in labels(mini, Cohort(partner="not reported"))
    assert labels(mini, Cohort(mutation="G1202R")) == ["index patient"]
    assert labels(mini, Cohort(min_lines=2)) == ["Table 2, case 5", "Table 2, case 6", "index patient"]
    assert labels(mini, Cohort(year_from=2023)) == ["Table 1, case 3", "Table 1, case 4"]
    assert labels(mini, Cohort(year_to=2021)) == ["Table 1, case 10", "Table 2, case 5", "Table 2, case 6"]
    assert labels(mini, Cohort(status=[CurationStatus.EXTRACTED])) == []
    assert labels(mini, Cohort(disease="myofibroblastic")) == labels(mini, Cohort())


def test_line_level_filters(mini: CaseFile) -> None:
    first_alectinib = Cohort(agent="Alecensa", line=1).apply(mini)
    assert first_alectinib.n_patients == 5 and len(first_alectinib.units) == 5
    after = Cohort(after="alectinib").apply(mini)
    assert [(u.patient.label, u.line.line) for u in after.units] == [("index patient", n) for n in range(2, 7)]
    gen1 = Cohort(generation=1).apply(mini)
    assert [u.line.agents for u in gen1.units] == [["crizotinib"]]
    chemo = Cohort(drug_class=DrugClass.CHEMOTHERAPY, line=1).apply(mini)
    assert [u.patient.label for u in chemo.units] == ["Table 2, case 6"]


def test_bad_agent_suggests_the_closest_names() -> None:
    with pytest.raises(VocabularyError) as err:
        Cohort(agent="alectinb")
    assert str(err.value) == "agent: unknown drug 'alectinb'; did you mean 'alectinib', 'larotrectinib', 'trabectedin'?"


def test_shipped_cohorts_are_the_seed_cohorts(mini: CaseFile) -> None:
    cohorts = load_cohorts()
    assert sorted(cohorts.cohorts) == ["first-line-alectinib", "two-or-more-lines"]
    assert cohorts.cohorts["first-line-alectinib"].filters() == {"agent": "alectinib", "line": 1}
    assert cohorts.get("two-or-more-lines", source="x").apply(mini).n_patients == 3


def test_cohort_file_rejects_unknown_keys_listing_the_allowed_ones() -> None:
    with pytest.raises(ValidationError) as err:
        parse_cohorts("version: 1\ncohorts:\n  mine:\n    drug: alectinib\n", source="c.yaml")
    assert str(err.value) == (
        "c.yaml: cohorts.mine: unknown key 'drug'; allowed keys: after, agent, description, disease, drug_class, "
        "generation, line, min_lines, mutation, name, partner, site, status, year_from, year_to"
    )


def test_cohort_file_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        parse_cohorts("cohorts:\n  mine:\n    agent: alectinb\n", source="c.yaml")
    assert str(err.value).startswith("c.yaml: cohorts.mine.agent: unknown drug 'alectinb'; did you mean 'alectinib'")
    with pytest.raises(ValidationError) as err:
        parse_cohorts("cohorts:\n  mine:\n    line: 0\n", source="c.yaml")
    assert str(err.value) == "c.yaml: cohorts.mine.line: Input should be greater than or equal to 1 (got 0)"
    with pytest.raises(ValidationError) as err:
        parse_cohorts("cohort: {}\n", source="c.yaml")
    assert str(err.value) == "c.yaml: unknown key 'cohort'; allowed keys: cohorts, version"
    bad = tmp_path / "bad.yaml"
    bad.write_text("cohorts: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.yaml: invalid YAML at line 2; fix the syntax"):
        load_cohorts(bad)
    with pytest.raises(InputError) as err:
        load_cohorts().get("nope", source="shipped cohorts")
    assert str(err.value) == (
        "shipped cohorts: --cohort: unknown cohort 'nope'; available cohorts: first-line-alectinib, two-or-more-lines"
    )


def test_analyze_first_line_alectinib(mini: CaseFile) -> None:
    """Fixture: CR, PR, PR, PR and one uncategorised response -> ORR 4/4, missing 1.

    PFS: 36+ (censored), 8, 6.9, 5 and one missing -> KM S = 3/4 after 5, 2/4 after 6.9 -> median 6.9.
    """
    d = analyze(mini, Cohort(agent="alectinib", line=1)).to_dict()
    assert d["n_patients"] == 5
    r = d["response"]
    assert (r["CR"], r["PR"], r["SD"], r["PD"], r["NE"], r["missing"], r["evaluable"]) == (1, 3, 0, 0, 0, 1, 4)
    assert r["orr"] == 1.0 and r["orr_ci95"][0] == pytest.approx(0.3976, abs=1e-4)  # R: binom.test(4, 4)
    p = d["pfs"]
    assert (p["n"], p["events"], p["censored"], p["missing"]) == (4, 3, 1, 1)
    assert p["median_months"] == 6.9


def test_censoring_unknown_is_counted_not_plotted(mini: CaseFile) -> None:
    d = analyze(mini, Cohort(agent="ceritinib")).to_dict()
    assert d["pfs"]["censoring_unknown"] == 1  # "SD for 6 months": duration without how it ended
    assert d["pfs"]["n"] == 0 and d["pfs"]["median_months"] is None


def test_empty_cohort_gives_nulls(mini: CaseFile) -> None:
    d = analyze(mini, Cohort(partner="ROS1"), by="line").to_dict()
    assert d["n_patients"] == 0 and d["n_lines"] == 0
    assert d["response"]["orr"] is None and d["response"]["orr_ci95"] is None
    assert d["pfs"] == {"n": 0, "events": 0, "censored": 0, "censoring_unknown": 0, "missing": 0,
                        "median_months": None, "median_ci95": None}  # fmt: skip
    assert d["groups"] == [] and d["logrank"] is None


def test_analyze_by_line_groups(mini: CaseFile) -> None:
    d = analyze(mini, by="line").to_dict()
    assert [g["group"] for g in d["groups"]] == [f"line {n}" for n in range(1, 7)]
    assert d["groups"][0]["n_lines"] == 7


def test_transitions_and_summary(mini: CaseFile) -> None:
    items = transitions(mini)
    assert [(t.label, t.before.line, t.after.line) for t in items][:3] == [
        ("Wu 2024, Table 2, case 5", 1, 2), ("Wu 2024, Table 2, case 5", 2, 3), ("Wu 2024, Table 2, case 6", 1, 2)
    ]  # fmt: skip
    assert len(items) == 2 + 1 + 5
    pairs = {(g.before, g.after): g for g in transition_summary(items)}
    assert pairs[("chemotherapy", "ceritinib")].responses.PR == 1


def test_similar_after_alectinib_with_g1202r(mini: CaseFile) -> None:
    found = similar(mini, Cohort(after="alectinib", mutation="G1202R"))
    assert [sp.label for sp in found] == ["Wu 2024, index patient"]
    sp = found[0]
    assert sp.prior is not None and sp.prior.agents == ["alectinib"]
    assert [n.line.line for n in sp.next_lines] == [2, 3, 4, 5, 6]
    lorlatinib = sp.next_lines[0]
    assert lorlatinib.prior_mutations == ["ALK p.G1202R"]
    assert lorlatinib.evidence and "reported" in lorlatinib.evidence[0] and "lorlatinib" in lorlatinib.evidence[0]
    assert sp.next_lines[1].evidence == []  # chemotherapy: no kinase-inhibitor evidence
    assert "J Cancer Res Pract 2024" in sp.citation
    assert similar(mini, Cohort(after="lorlatinib", mutation="G1269A")) == []
