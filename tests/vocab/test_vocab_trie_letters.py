"""First letters of a pattern: the look-ahead written in front of a pattern keeps its matches."""

from __future__ import annotations

import re

import pytest

from caseseries.vocab.trie import alternation, first_letters, starts_with_letters

CASES = [
    # (pattern, letters or None)
    ("lung|liver", "Ll"),
    ("(?P<w0>stable)|(?P<w1>progress(?:ion|ed))", "PSps"),
    (r"\b(?:of|in)\s+marrow|(?<!no\s)bone", "BIObio"),
    (r"\b(?=\w)(?:he|she|the\s+patient)\b", "HSThst"),  # look-aheads are skipped
    ("(?:a|b)?c", "ABCabc"),  # an optional group: also what follows it
    ("(?:was|were)*?no", "NWnw"),
    ("(?:a|b)?", None),  # may match nothing
    ("(?:a|b){0,2}c", None),  # counted repeat: unsure
    ("[abc]x", None),  # a class
    (r"\dx", None),  # an escape
    ("a|", None),  # an empty alternative
    ("(?i:k)x", None),  # inline flags
    ("x*y", None),  # quantified first letter
]


@pytest.mark.parametrize(("pattern", "letters"), CASES)
def test_first_letters(pattern: str, letters: str | None) -> None:
    assert first_letters(pattern) == (None if letters is None else "".join(sorted(letters)))


TEXTS = [
    "The lung and Liver; no bone marrow. Stable, then progression of disease in marrow.",
    "LUNG, ſtable, KELVIN ķ, bone-marrow, PROGRESSED, xxy, 2lung",
]


@pytest.mark.parametrize(
    "pattern", [c[0] for c in CASES] + [alternation(["lymph node", "lung", "Liver"], r"[\s\-]+", fold=True)]
)
@pytest.mark.parametrize("flags", [0, re.I])
def test_lookahead_keeps_matches(pattern: str, flags: int) -> None:
    plain = re.compile(pattern, flags)
    ahead = re.compile(starts_with_letters(pattern) + f"(?:{pattern})", flags)
    for text in TEXTS:
        assert [m.span() for m in ahead.finditer(text)] == [m.span() for m in plain.finditer(text)]
