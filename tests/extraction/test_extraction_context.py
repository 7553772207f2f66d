"""The context engine and the response phrases: data-driven tables and the rule-file loader."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from tests.conftest import DATA as TESTS_DATA

from caseseries.errors import FormatError
from caseseries.extraction.context import Category, ContextEngine, Mention, default_engine, default_rules, parse_rules
from caseseries.extraction.responses import RANKING, best_of, find_responses, parse_phrases, rank, vague_of
from caseseries.extraction.sentences import sentences
from caseseries.model.enums import Response

DATA = TESTS_DATA / "extraction"
CONTEXT_CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "context_cases.yaml").read_text("utf-8"))
RESPONSE_CASES: list[dict[str, Any]] = yaml.safe_load((DATA / "response_cases.yaml").read_text("utf-8"))


@pytest.mark.parametrize("case", CONTEXT_CASES, ids=[c["text"][:50] for c in CONTEXT_CASES])
def test_context_cases(case: dict[str, Any]) -> None:
    text = case["text"]
    start = text.index(case["target"])
    target = Mention(case["kind"], start, start + len(case["target"]))
    spans = [(s.start, s.end) for s in sentences(text)]
    (found,) = default_engine().annotate(text, [target], 0, len(text), spans)
    assert sorted(found.modifiers) == sorted(Category(m) for m in case["modifiers"])
    assert all(text[c.start : c.end] for c in found.cues)


@pytest.mark.parametrize("case", RESPONSE_CASES, ids=[c["text"][:50] for c in RESPONSE_CASES])
def test_response_cases(case: dict[str, Any]) -> None:
    hits = find_responses(case["text"])
    best = best_of(hits)
    assert (best.category.value if best and best.category else None) == case["best"]
    vague = vague_of(hits)
    assert (vague.as_written if vague else None) == case["vague"]
    assert any(h.negated for h in hits) == case.get("negated", False)


def test_ranking_is_one_order() -> None:
    assert [rank(r) for r in RANKING] == list(range(len(Response)))
    assert rank(Response.PD) < rank(Response.NE)


def test_bundled_rules_load_and_cover_every_category() -> None:
    rules = default_rules()
    assert {r.category for r in rules} == set(Category)


def _rules(entry: str) -> str:
    return '{"context_rules": [' + entry + "]}"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '{"literal": "no", "category": "NEGATED_EXISTENCE", "scope": 3}',
            "r.json: context_rules[0] ('no'): unknown key 'scope'; allowed keys: literal, category, pattern",
        ),
        (
            '{"literal": "no", "category": "NEGATION"}',
            "r.json: context_rules[0] ('no'): unknown category 'NEGATION'; allowed: NEGATED_EXISTENCE, ",
        ),
        (
            '{"literal": "no", "category": "NEGATED_EXISTENCE", "direction": "LEFT"}',
            "r.json: context_rules[0] ('no'): unknown direction 'LEFT'; allowed: FORWARD, BACKWARD, BIDIRECTIONAL",
        ),
        (
            '{"literal": "no", "category": "NEGATED_EXISTENCE", "terminated_by": ["CONJUNCTION"]}',
            "terminated_by names unknown category 'CONJUNCTION'",
        ),
        ('{"literal": "no", "category": "NEGATED_EXISTENCE", "max_scope": 0}', "max_scope must be a positive"),
        ('{"literal": "no", "category": "NEGATED_EXISTENCE", "pattern": "(no"}', "pattern does not compile"),
        (
            '{"literal": "no", "category": "NEGATED_EXISTENCE", "pattern": [{"LOWER": "no"}]}',
            "token-pattern lists are not supported",
        ),
        (
            '{"literal": "no", "category": "NEGATED_EXISTENCE", "allowed_types": ["A"], "excluded_types": ["B"]}',
            "give only one of them",
        ),
        ('{"category": "NEGATED_EXISTENCE"}', "literal missing or empty"),
    ],
)
def test_rule_loader_rejects_bad_rules(entry: str, message: str) -> None:
    with pytest.raises(FormatError) as err:
        parse_rules(_rules(entry), origin="r.json")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_rule_loader_reads_medspacy_fields() -> None:
    (rule,) = parse_rules(
        _rules(
            '{"literal": "free of", "category": "negated_existence", "direction": "forward", "max_scope": 2, '
            '"allowed_types": ["site"], "terminated_by": ["possible_existence"], "metadata": {"source": "x"}}'
        )
    )
    assert rule.category is Category.NEGATED_EXISTENCE and rule.max_scope == 2
    assert rule.allows("SITE") and not rule.allows("DRUG")
    assert rule.terminated_by == {Category.POSSIBLE_EXISTENCE}


def test_terminated_by_and_max_targets() -> None:
    rules = parse_rules(
        _rules(
            '{"literal": "positive for", "category": "POSSIBLE_EXISTENCE", "direction": "FORWARD", '
            '"terminated_by": ["NEGATED_EXISTENCE"], "max_targets": 1}, '
            '{"literal": "negative for", "category": "NEGATED_EXISTENCE", "direction": "FORWARD"}'
        )
    )
    text = "positive for ALK ROS1 negative for RET"
    targets = [Mention("GENE", text.index(g), text.index(g) + len(g)) for g in ("ALK", "ROS1", "RET")]
    alk, ros1, ret = ContextEngine(rules).annotate(text, targets)
    assert alk.modifiers == {Category.POSSIBLE_EXISTENCE}
    assert ros1.modifiers == frozenset()  # max_targets 1: only the nearest
    assert ret.modifiers == {Category.NEGATED_EXISTENCE}  # the positive cue ends at "negative for"


@pytest.mark.parametrize(
    "pattern",
    [r";\s*x", r";x|y", r";+x", r";[|]x", r";(?:x|y)", r"[;]x", r"\;x", ";"],
)
def test_punctuation_led_patterns_find_what_the_pattern_finds(pattern: str) -> None:
    entry = json.dumps({"literal": "c", "category": "TERMINATE", "direction": "TERMINATE", "pattern": pattern})
    text = "a ;x b ;;x y ;z ;"
    found = [(c.start, c.end) for c in ContextEngine(parse_rules(_rules(entry))).cues(text)]
    assert found == [m.span() for m in re.finditer(pattern, text, re.I)]


def test_phrase_loader_rejects_bad_entries() -> None:
    with pytest.raises(FormatError, match=r"unknown kind 'WORD'; allowed: RESPONSE"):
        parse_phrases("version: 1\nphrases:\n  - {kind: WORD, category: CR, pattern: x}\n")
    with pytest.raises(FormatError, match=r"category 'XR' for kind RESPONSE; allowed: CR, PR"):
        parse_phrases("version: 1\nphrases:\n  - {kind: RESPONSE, category: XR, pattern: x}\n")
    with pytest.raises(FormatError, match=r"category 'CR' for kind VAGUE; allowed: null"):
        parse_phrases("version: 1\nphrases:\n  - {kind: VAGUE, category: CR, pattern: x}\n")
