"""The scan pre-filter: vocabulary terms as whole runs of tokens, in title, abstract or MeSH terms."""

from __future__ import annotations

import pytest

from caseseries.model.publication import AbstractSection, Publication
from caseseries.scan.prefilter import passes_prefilter, prefilter_terms, tokens

CASES = [
    # (title, abstract, mesh terms, passes)
    ("Inflammatory myofibroblastic tumour of the bladder", "", [], True),
    ("A spindle-cell lesion", "The inflammatory-myofibroblastic tumor was resected.", [], True),  # hyphen joins
    ("Case report", "She received Alecensa for six months.", [], True),  # a brand name
    ("Case report", "Treated with PF-02341066 in a trial.", [], True),  # a code name across a hyphen
    ("An IMT in a child", "", [], True),  # an abbreviation, as written
    ("An imt in a child", "", [], False),  # ... not in another case
    ("Kinase fusions", "An ALK rearrangement was found.", [], True),  # a driver kinase symbol
    ("Walking after knee replacement", "We followed 120 adults.", ["Knee", "Gait"], False),
    ("Outcomes", "", ["Granuloma, Plasma Cell"], False),  # words of a related name, but not in its order
    ("Outcomes", "", ["Plasma cell granuloma"], True),  # a related (historical) name in MeSH terms
    ("Inflammatory myofibroblasts in wound healing", "", [], False),  # part of a term is not the term
]


@pytest.mark.parametrize(("title", "abstract", "mesh", "passes"), CASES)
def test_prefilter_table(title: str, abstract: str, mesh: list[str], passes: bool) -> None:
    pub = Publication(title=title, abstract=[AbstractSection(text=abstract)] if abstract else [], mesh_terms=mesh)
    assert passes_prefilter(pub) is passes


def test_every_vocabulary_term_is_indexed_by_its_first_token() -> None:
    terms = prefilter_terms()
    assert ("alectinib",) in terms.loose["alectinib"]
    assert ("ALK",) in terms.exact["ALK"]
    assert all(t[0] == first for first, ts in terms.loose.items() for t in ts)


FAST_PATH = [
    # (text, found): ASCII texts the one-pass check looks at first, and texts it leaves alone
    ("an alk rearrangement", False),  # a symbol's first token in another case: checked, not found
    ("an ALK_rearrangement", True),  # the underscore splits tokens in both
    ("x-ray of the knee", False),  # a loose term's first token ("x") alone
    ("ALECTINIB 600 mg", True),
    ("crizotinib2", False),  # letters and digits run together
    ("Na\u00efve ALK-positive", True),  # not ASCII: the tokens are compared directly
    ("Na\u00efve walkers", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "found"), FAST_PATH)
def test_the_one_pass_check_never_changes_the_answer(text: str, found: bool) -> None:
    terms = prefilter_terms()
    assert terms.found_in(text) is found
    assert terms.found_in_tokens(tokens(text)) is found
