"""Wording cues of the narrative readers, read from ``extraction/data/wording_cues.yaml``.

The words that say what a sentence or the words around a drug, a duration or a mutation mean (a
drug given again, a cited patient, progression, a PFS statement, a partner written per case) are
data: one regular expression per named cue, compiled ignoring case unless the entry says
``case_sensitive: true``, with the lower-case words (``needs``) one of which every match contains.
The loader rejects unknown names and keys, listing the allowed ones, and requires every cue the
code reads.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from caseseries.errors import FormatError
from caseseries.extraction.annotate import Guarded

CUE_NAMES = (
    "several_patients",
    "partner_of_case",
    "again",
    "summarised",
    "cited",
    "general",
    "patient_anchor",
    "other_person",
    "rebiopsy",
    "driver",
    "about_next",
    "shrinkage",
    "summary",
    "fresh_chemotherapy",
    "maintenance",
    "failed_list",
    "progression",
    "pfs_statement",
    "assessment_before",
    "assessment_after",
    "running",
    "still_after",
    "from_event",
    "local_event",
    "pfs_after",
    "continuing_after",
    "lower_bound",
    "response_at",
)
_ENTRY_KEYS = ("pattern", "case_sensitive", "needs")
_ORIGIN = "caseseries/extraction/data/wording_cues.yaml"


def parse_wording(text: str, origin: str = _ORIGIN) -> dict[str, tuple[re.Pattern[str], tuple[str, ...]]]:
    """Read and check a wording cue file.

    Parameters
    ----------
    text : str
        YAML with ``version`` and one entry per name of ``CUE_NAMES``.
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    dict
        Each cue name with its compiled pattern and its ``needs`` words (empty when not given).

    Raises
    ------
    FormatError
        Unknown or missing names, an entry with unknown keys or without ``pattern``, a pattern that
        does not compile, ``needs`` that are not lower-case words.
    """
    data = yaml.safe_load(text)
    allowed = {"version", *CUE_NAMES}
    if not isinstance(data, dict) or set(data) - allowed:
        extra = sorted(set(data) - allowed) if isinstance(data, dict) else []
        raise FormatError(f"unknown top-level keys {extra}; allowed keys: {', '.join(sorted(allowed))}", source=origin)
    missing = [name for name in CUE_NAMES if name not in data]
    if missing:
        raise FormatError(f"missing cues {missing}; the code reads: {', '.join(CUE_NAMES)}", source=origin)
    return {name: _entry(data[name], name, origin) for name in CUE_NAMES}


def _entry(entry: Any, name: str, origin: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    if not isinstance(entry, dict) or "pattern" not in entry or set(entry) - set(_ENTRY_KEYS):
        keys = sorted(entry) if isinstance(entry, dict) else []
        raise FormatError(
            f"entry keys {keys}; an entry has pattern and optionally: case_sensitive, needs",
            source=origin,
            location=name,
        )
    needs = entry.get("needs") or []
    if not isinstance(needs, list) or not all(isinstance(w, str) and w and w == w.lower() for w in needs):
        raise FormatError(f"needs {needs!r}; give a list of lower-case words", source=origin, location=name)
    flags = 0 if entry.get("case_sensitive") is True else re.I
    try:
        pattern = re.compile(str(entry["pattern"]), flags)
    except re.error as exc:
        raise FormatError(f"pattern does not compile: {exc}", source=origin, location=name) from exc
    return pattern, tuple(needs)


@cache
def _cues() -> dict[str, tuple[re.Pattern[str], tuple[str, ...]]]:
    text = resources.files("caseseries.extraction").joinpath("data", "wording_cues.yaml").read_text("utf-8")
    return parse_wording(text)


def cue(name: str) -> re.Pattern[str]:
    """The compiled pattern of the bundled cue ``name`` (one of ``CUE_NAMES``).

    Raises
    ------
    FormatError
        ``name`` is not a cue (the message lists them).
    """
    if name not in CUE_NAMES:
        raise FormatError(f"unknown wording cue {name!r}; allowed: {', '.join(CUE_NAMES)}", source=_ORIGIN)
    return _cues()[name][0]


def guarded(name: str) -> Guarded:
    """The bundled cue ``name`` tried only where one of its ``needs`` words occurs.

    Raises
    ------
    FormatError
        ``name`` is not a cue, or its entry gives no ``needs``.
    """
    pattern = cue(name)
    words = _cues()[name][1]
    if not words:
        raise FormatError("a guarded cue needs its words (needs: [...])", source=_ORIGIN, location=name)
    return Guarded(pattern, words)
