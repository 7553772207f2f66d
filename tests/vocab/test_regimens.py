"""The regimen vocabulary (vocab/data/regimens.yaml) and the agent finder that uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseseries.errors import VocabularyError
from caseseries.extraction.agents import class_matches, find_agents
from caseseries.vocab import drugs
from caseseries.vocab.regimens import RegimenKind, load_regimens, regimens


def test_every_component_is_a_known_drug_and_every_entry_has_a_source() -> None:
    vocab = regimens()
    assert vocab.entries
    for entry in vocab.entries:
        assert entry.source.strip()
        for component in entry.components:
            assert drugs().lookup(component) is not None, (entry.name, component)
        if entry.kind is RegimenKind.PROTOCOL:
            assert entry.components == ["chemotherapy"]


@pytest.mark.parametrize(
    ("text", "agents"),
    [
        ("She received CHOP.", ["cyclophosphamide", "doxorubicin", "vincristine", "prednisone"]),
        ("He received R-CHOP.", ["rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"]),
        ("CHO(E)P was given.", ["cyclophosphamide", "doxorubicin", "vincristine", "etoposide", "prednisone"]),
        ("ABVD was given.", ["doxorubicin", "bleomycin", "vinblastine", "dacarbazine"]),
        ("Treatment followed NHL-BFM 90.", ["chemotherapy"]),
        ("Treatment followed the ALCL 99 protocol.", ["chemotherapy"]),
        ("The ice pack helped.", []),  # acronyms are case-sensitive
        ("She was given VAC.", ["vincristine", "dactinomycin", "cyclophosphamide"]),
        # listed regimens of one phase are that chemotherapy
        ("two courses of chemotherapy (COP, ICE) and alectinib", ["chemotherapy", "alectinib"]),
        # one drug in brackets is part of the chemotherapy, not a list of regimens
        ("high-dose chemotherapy (including cytarabine)", ["chemotherapy", "cytarabine"]),
        ("He received an ALK inhibitor.", ["class:ALK inhibitor"]),
        ("response to a second-generation ALK-TKI", ["class:ALK inhibitor:2"]),
        ("treated with a PD-1 monoclonal antibody", ["class:PD-1 antibody"]),
        ("the ALK inhibitor alectinib was given", ["alectinib"]),
        ("crizotinib, a first-generation ALK inhibitor, was given", ["crizotinib"]),
        ("ALK inhibitors such as crizotinib are active", ["crizotinib"]),
        ("sunitinib, then irinotecan and temozolomide", ["sunitinib", "irinotecan", "temozolomide"]),
        ("brentuximab vedotin and selpercatinib", ["brentuximab vedotin", "selpercatinib"]),
    ],
)
def test_find_agents(text: str, agents: list[str]) -> None:
    assert [h.value for h in find_agents(text)] == agents


@pytest.mark.parametrize(
    ("value", "drug", "fits"),
    [
        ("class:ALK inhibitor:1", "crizotinib", True),
        ("class:ALK inhibitor:1", "lorlatinib", False),
        ("class:ALK inhibitor", "lorlatinib", True),
        ("class:TRK inhibitor", "larotrectinib", True),
        ("class:TRK inhibitor", "sunitinib", False),
        ("class:PD-1 antibody", "pembrolizumab", True),
        ("class:PD-1 antibody", "rituximab", False),
        ("crizotinib", "crizotinib", False),
    ],
)
def test_class_matches(value: str, drug: str, fits: bool) -> None:
    assert class_matches(value, drug) is fits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "version: 1\nentries:\n  - {name: X, kind: regimen, components: [cisplatin], source: s, colour: red}\n",
            "colour",
        ),
        ("version: 1\nentries:\n  - {name: X, kind: regimen, components: [aspirinox], source: s}\n", "aspirinox"),
        ("version: 1\nentries:\n  - {name: X, kind: regimen, components: [cisplatin]}\n", "source"),
        ("version: 1\nentries:\n  - {name: X, kind: class, source: s}\n", "drug_class"),
        ("version: 1\nentries:\n  - {name: X, kind: mixture, components: [cisplatin], source: s}\n", "kind"),
        ("version: 1\nentry: []\n", "entry"),
    ],
)
def test_bad_regimen_files_are_rejected(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "regimens.yaml"
    path.write_text(body, "utf-8")
    with pytest.raises(VocabularyError) as err:
        load_regimens(path)
    assert message in str(err.value)
