"""The context of mentions: negated, hedged, hypothetical, historical, another patient's, not given ...

One pass over a text range gives each typed mention (a target: a response category, a drug, a
site ...) the modifiers that cue phrases around it assign: negated, hedged, hypothetical,
historical, another patient's, one compartment's, a drug not given or given as supportive care.
The cues are data, in ``extraction/data/context_rules.json``, written in medspacy's ConTextRule JSON layout
(``{"context_rules": [{"literal", "category", "direction", "pattern", "max_scope",
"allowed_types", "terminated_by", ...}]}``) so that the file reads like any ConText rule set and
runs unchanged through medspacy (``benchmarks/bench_context.py`` compares the two).

The algorithm is ConText's, as medspacy implements it:

- a cue matches a ``literal`` as a sequence of whole tokens, ignoring case, or a ``pattern``
  (a regular expression, ignoring case, widened to whole tokens); of overlapping cues the longest
  is kept, so a ``PSEUDO`` cue ("no increase in", "not only") blocks the shorter cue inside it;
- a cue's scope runs from the cue to the end (``FORWARD``), from the start (``BACKWARD``) or both
  ways (``BIDIRECTIONAL``) of its sentence, at most ``max_scope`` tokens;
- a ``TERMINATE`` cue ("but", a comma), a cue of a category named in ``terminated_by`` and a
  later cue of the same category cut the scope;
- a cue modifies the targets its scope overlaps whose kind is in ``allowed_types`` (or not in
  ``excluded_types``), never a target it overlaps, and at most ``max_targets`` nearest ones.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from caseseries.errors import FormatError
from caseseries.extraction.annotate import Annotations, current, finditer, spans
from caseseries.vocab.trie import starts_with_letters


class Direction(StrEnum):
    """Which way a cue's scope runs (medspacy's ``direction`` values)."""

    FORWARD = "FORWARD"
    BACKWARD = "BACKWARD"
    BIDIRECTIONAL = "BIDIRECTIONAL"
    TERMINATE = "TERMINATE"
    PSEUDO = "PSEUDO"


class Category(StrEnum):
    """What a cue says about the mentions in its scope (a rule's ``category``).

    ``TERMINATE`` and ``PSEUDO`` are the categories of cues that only end or block other cues;
    ``CONJ`` ("and", "with") and ``DISCONTINUED`` ("stopped") cues modify nothing (their rules
    allow no target type) and end the scopes of the rules that name them in ``terminated_by``.
    """

    NEGATED_EXISTENCE = "NEGATED_EXISTENCE"
    POSSIBLE_EXISTENCE = "POSSIBLE_EXISTENCE"
    HYPOTHETICAL = "HYPOTHETICAL"
    HISTORICAL = "HISTORICAL"
    OTHER_PATIENT = "OTHER_PATIENT"
    COMPARTMENT = "COMPARTMENT"
    NOT_GIVEN = "NOT_GIVEN"
    SUPPORTIVE = "SUPPORTIVE"
    CONJ = "CONJ"
    DISCONTINUED = "DISCONTINUED"
    TERMINATE = "TERMINATE"
    PSEUDO = "PSEUDO"


RULE_KEYS = (
    "literal",
    "category",
    "pattern",
    "direction",
    "max_scope",
    "max_targets",
    "allowed_types",
    "excluded_types",
    "terminated_by",
    "metadata",
)
_ORIGIN = "caseseries/extraction/data/context_rules.json"
_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_TOKEN = re.compile(r"\w+|[^\w\s]")
# a literal cue found in a token sequence: its rule, first token and end token
_Found = tuple["ContextRule", int, int]


@dataclass(frozen=True)
class ContextRule:
    """One cue rule (medspacy ``ConTextRule`` fields; ``pattern`` is a regular expression or None)."""

    literal: str
    category: Category
    direction: Direction = Direction.BIDIRECTIONAL
    pattern: str | None = None
    max_scope: int | None = None
    max_targets: int | None = None
    allowed_types: frozenset[str] | None = None
    excluded_types: frozenset[str] | None = None
    terminated_by: frozenset[Category] = frozenset()

    def allows(self, kind: str) -> bool:
        """Whether the rule may modify a target of this kind."""
        if self.allowed_types is not None:
            return kind.upper() in self.allowed_types
        if self.excluded_types is not None:
            return kind.upper() not in self.excluded_types
        return True


@dataclass(frozen=True)
class Cue:
    """A matched cue: its rule and character span."""

    rule: ContextRule
    start: int
    end: int

    @property
    def category(self) -> Category:
        """The rule's category."""
        return self.rule.category


@dataclass(frozen=True)
class Mention:
    """A typed mention of the text with the modifiers the context gives it.

    Parameters
    ----------
    kind : str
        The target type (``RESPONSE``, ``DRUG``, ``SITE`` ...), matched against ``allowed_types``.
    start, end : int
        Character offsets into the document.
    value : str or None
        The normalised value (a category code, a generic drug name ...).
    modifiers : frozenset of Category
        The categories of the cues that modify the mention.
    cues : tuple of Cue
        Those cues, in text order (their spans are the evidence of the modifiers).
    """

    kind: str
    start: int
    end: int
    value: str | None = None
    modifiers: frozenset[Category] = field(default_factory=frozenset)
    cues: tuple[Cue, ...] = ()

    def has(self, category: Category) -> bool:
        """Whether a cue of this category modifies the mention."""
        return category in self.modifiers


def _fail(message: str, origin: str, where: str) -> FormatError:
    return FormatError(message, source=origin, location=where)


def _names(value: Any, key: str, origin: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(f'{key} must be a list of names, got {value!r}; write e.g. ["RESPONSE"]', origin, where)
    return [v.upper() for v in value]


def _rule(entry: Any, origin: str, where: str) -> ContextRule:
    if not isinstance(entry, dict):
        raise _fail(f"a rule is an object with keys {', '.join(RULE_KEYS)}, got {entry!r}", origin, where)
    literal = entry.get("literal")
    if not isinstance(literal, str) or not literal.strip():
        raise _fail(
            "literal missing or empty; every rule has a literal (its name and, without pattern, its text)",
            origin,
            where,
        )
    where = f"{where} ({literal!r})"
    unknown = sorted(set(entry) - set(RULE_KEYS))
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r}; allowed keys: {', '.join(RULE_KEYS)}", origin, where)
    category = str(entry.get("category", "")).upper()
    if category not in Category.__members__:
        raise _fail(f"unknown category {entry.get('category')!r}; allowed: {', '.join(Category)}", origin, where)
    direction = str(entry.get("direction", "BIDIRECTIONAL")).upper()
    if direction not in Direction.__members__:
        raise _fail(f"unknown direction {entry.get('direction')!r}; allowed: {', '.join(Direction)}", origin, where)
    pattern = entry.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            raise _fail(
                "pattern must be a regular expression string (token-pattern lists are not supported)", origin, where
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(f"pattern does not compile: {exc}; fix the regular expression", origin, where) from exc
    numbers: dict[str, int | None] = {}
    for key in ("max_scope", "max_targets"):
        value = entry.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise _fail(f"{key} must be a positive whole number of tokens or null, got {value!r}", origin, where)
        numbers[key] = value
    allowed = entry.get("allowed_types")
    excluded = entry.get("excluded_types")
    if allowed is not None and excluded is not None:
        raise _fail("allowed_types and excluded_types together; give only one of them", origin, where)
    terminated = _names(entry.get("terminated_by") or [], "terminated_by", origin, where)
    bad = [t for t in terminated if t not in Category.__members__]
    if bad:
        raise _fail(f"terminated_by names unknown category {bad[0]!r}; allowed: {', '.join(Category)}", origin, where)
    metadata = entry.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise _fail(f"metadata must be an object, got {metadata!r}", origin, where)
    return ContextRule(
        literal=literal,
        category=Category(category),
        direction=Direction(direction),
        pattern=pattern,
        max_scope=numbers["max_scope"],
        max_targets=numbers["max_targets"],
        allowed_types=None if allowed is None else frozenset(_names(allowed, "allowed_types", origin, where)),
        excluded_types=None if excluded is None else frozenset(_names(excluded, "excluded_types", origin, where)),
        terminated_by=frozenset(Category(t) for t in terminated),
    )


def parse_rules(text: str, origin: str = _ORIGIN) -> tuple[ContextRule, ...]:
    """Read a rule file in medspacy's ConTextRule JSON layout.

    Parameters
    ----------
    text : str
        JSON ``{"context_rules": [ {rule}, ... ]}``.
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    tuple of ContextRule
        In file order.

    Raises
    ------
    FormatError
        Not JSON, no ``context_rules`` list, or a rule with an unknown key, category or direction
        (the one-line message names the rule and lists the allowed values).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"not JSON: {exc.msg}; fix the file", origin, f"line {exc.lineno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("context_rules"), list):
        raise _fail('expected an object {"context_rules": [...]}', origin, "context_rules")
    extra = sorted(set(data) - {"context_rules"})
    if extra:
        raise _fail(f"unknown top-level key {extra[0]!r}; the only key is context_rules", origin, extra[0])
    return tuple(_rule(entry, origin, f"context_rules[{i}]") for i, entry in enumerate(data["context_rules"]))


@cache
def default_rules() -> tuple[ContextRule, ...]:
    """The bundled rules (``extraction/data/context_rules.json``)."""
    text = resources.files("caseseries.extraction").joinpath("data", "context_rules.json").read_text("utf-8")
    return parse_rules(text)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # medspacy's tuple_overlaps, kept as it is so that both engines scope alike
    return a[0] <= b[0] < a[1] or a[0] < b[1] <= a[1]


def _may_modify(rule: ContextRule, kinds: frozenset[str]) -> bool:
    """Whether a cue of the rule may modify a target of one of these kinds (it is no TERMINATE or PSEUDO cue)."""
    return (
        rule.direction is not Direction.TERMINATE
        and rule.direction is not Direction.PSEUDO
        and any(map(rule.allows, kinds))
    )


def _lead(pattern: str) -> str | None:
    """The punctuation character every match of ``pattern`` starts with (written first, once), or None."""
    c, after = pattern[:1], pattern[1:2]
    if not c or c.isalnum() or c.isspace() or c in _SPECIAL or (after and after in "*+?{"):
        return None
    depth, i, klass = 0, 1, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif klass:
            klass = c != "]"
        elif c == "[":
            klass = True
            i += pattern[i + 1 : i + 2] == "^"
            i += pattern[i + 1 : i + 2] == "]"
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            return None
        i += 1
    return pattern[0]


class _Modifier:
    """A cue placed in a token sequence, with its scope (token indices, end exclusive)."""

    __slots__ = ("cue", "end", "scope_end", "scope_start", "start")

    def __init__(self, cue: Cue, start: int, end: int, sentence: tuple[int, int]) -> None:
        self.cue, self.start, self.end = cue, start, end
        rule = cue.rule
        s0, s1 = sentence
        limit = rule.max_scope
        if rule.direction is Direction.FORWARD:
            self.scope_start, self.scope_end = end, s1
            if limit is not None and s1 - end > limit:
                self.scope_end = end + limit
        elif rule.direction is Direction.BACKWARD:
            self.scope_start, self.scope_end = s0, start
            if limit is not None and start - s0 > limit:
                self.scope_start = start - limit
        else:
            self.scope_start, self.scope_end = s0, s1
            if limit is not None:
                self.scope_start = max(s0, start - limit)
                self.scope_end = min(s1, end + limit)

    def limit_by(self, other: _Modifier) -> None:
        rule, theirs = self.cue.rule, other.cue.rule
        if not _overlaps((self.scope_start, self.scope_end), (other.scope_start, other.scope_end)):
            return
        if rule.direction is Direction.TERMINATE:
            return
        same = theirs.category is rule.category
        if theirs.direction is not Direction.TERMINATE and theirs.category not in rule.terminated_by and not same:
            return
        if same and (rule.allowed_types != theirs.allowed_types or rule.excluded_types != theirs.excluded_types):
            return
        if rule.direction in (Direction.FORWARD, Direction.BIDIRECTIONAL) and other.start > self.start:
            self.scope_end = min(self.scope_end, other.start)
        if rule.direction in (Direction.BACKWARD, Direction.BIDIRECTIONAL) and other.start < self.start:
            self.scope_start = max(self.scope_start, other.end)

    def modifies(self, kind: str, span: tuple[int, int]) -> bool:
        rule = self.cue.rule
        if _overlaps((self.start, self.end), span):
            return False
        if rule.direction in (Direction.TERMINATE, Direction.PSEUDO) or not rule.allows(kind):
            return False
        return _overlaps((self.scope_start, self.scope_end), span)


class ContextEngine:
    """ConText over cue rules: finds cues in a text range and gives targets their modifiers.

    Parameters
    ----------
    rules : iterable of ContextRule
        The cue rules (default: the bundled ``context_rules.json``).
    """

    def __init__(self, rules: Iterable[ContextRule] | None = None) -> None:
        self.rules = tuple(default_rules() if rules is None else rules)
        self._literals: dict[str, list[tuple[tuple[str, ...], ContextRule]]] = {}
        # the patterns as alternations: those whose first letters are known (skipped at once where
        # no such letter stands), those led by one punctuation character (written once in front, so
        # the search jumps from one such character to the next) and the others (a class ...)
        grouped: dict[str | None, list[str]] = {"": []}
        self._pattern_rules: list[ContextRule] = []
        self._modifying_rules: dict[frozenset[str], frozenset[int]] = {}  # ids of rules, by target kinds
        for rule in self.rules:
            if rule.pattern is None:
                words = tuple(t.lower() for t in _TOKEN.findall(rule.literal))
                self._literals.setdefault(words[0], []).append((words, rule))
            else:
                lead = "" if starts_with_letters(rule.pattern) else _lead(rule.pattern)
                body = rule.pattern[len(lead or "") :]
                grouped.setdefault(lead, []).append(f"(?P<p{len(self._pattern_rules)}>{body})")
                self._pattern_rules.append(rule)
        self._patterns = [
            re.compile(f"{starts_with_letters(body) if lead == '' else re.escape(lead or '')}(?:{body})", re.I)
            for lead, body in ((lead, "|".join(group)) for lead, group in grouped.items() if group)
        ]

    def cues(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """Every cue in ``text[start:end]`` after pruning overlaps (the longest is kept), in order."""
        stop = len(text) if end is None else end
        tokens = self._tokens(text, start, stop)
        return [c for c, _, _ in self._cues(text, tokens, start, stop)]

    def _tokens(self, text: str, start: int, stop: int) -> list[tuple[int, int]]:
        return spans(_TOKEN, text, start, stop)

    def _literal_cues(self, text: str, tokens: list[tuple[int, int]]) -> list[tuple[ContextRule, int, int]]:
        """Literal cues of a token sequence: (rule, first token, end token), before pruning."""
        lower = [text[a:b].lower() for a, b in tokens]
        found: list[tuple[ContextRule, int, int]] = []
        for i, word in enumerate(lower):
            for words, rule in self._literals.get(word, ()):
                n = len(words)
                if tuple(lower[i : i + n]) == words:
                    found.append((rule, i, i + n))
        return found

    def _document_literal_cues(self, text: str, ann: Annotations) -> tuple[list[int], list[_Found]]:
        """The token starts and the literal cues of the whole document being read (found once)."""
        key = (ContextEngine, id(self))
        every: tuple[list[int], list[_Found]] | None = ann.memo.get(key)
        if every is None:
            doc_tokens = self._tokens(text, 0, len(text))
            every = ([a for a, _ in doc_tokens], self._literal_cues(text, doc_tokens))
            ann.memo[key] = every
        return every

    def _range_literal_cues(self, text: str, tokens: list[tuple[int, int]]) -> list[tuple[ContextRule, int, int]]:
        """The literal cues of a range; while a document is read, from the cues of the whole document."""
        ann = current(text)
        if ann is None or not tokens:
            return self._literal_cues(text, tokens)
        starts, cues = self._document_literal_cues(text, ann)
        first = bisect.bisect_left(starts, tokens[0][0])
        last = first + len(tokens)
        lo = bisect.bisect_left(cues, first, key=lambda c: c[1])
        out: list[tuple[ContextRule, int, int]] = []
        for rule, i, j in cues[lo:]:
            if i >= last:
                break
            if j <= last:
                out.append((rule, i - first, j - first))
        return out

    def _modifying(self, kinds: frozenset[str]) -> frozenset[int]:
        """The ids of the rules whose cues may modify a target of one of these kinds (found once per kinds)."""
        ids = self._modifying_rules.get(kinds)
        if ids is None:
            ids = self._modifying_rules[kinds] = frozenset(id(rule) for rule in self.rules if _may_modify(rule, kinds))
        return ids

    def _modifier_within(self, text: str, kinds: frozenset[str], start: int, stop: int) -> bool:
        """Whether a cue that may modify a target of these kinds starts in ``text[start:stop]``.

        A cue takes part in a range's pass only when it starts inside the range, so a range
        without one leaves every target of these kinds unmodified. The starts are found once per
        document being read and set of kinds; outside a document's reading the answer is yes.
        """
        ann = current(text)
        if ann is None:
            return True
        key = (ContextEngine, id(self), kinds)
        found: list[int] | None = ann.memo.get(key)
        if found is None:
            starts, literal = self._document_literal_cues(text, ann)
            modifying = self._modifying(kinds)
            found = [starts[i] for rule, i, _ in literal if id(rule) in modifying]
            for pattern in self._patterns:
                for m in finditer(pattern, text):
                    if m.lastgroup is not None and id(self._pattern_rules[int(m.lastgroup[1:])]) in modifying:
                        found.append(m.start())
            found.sort()
            ann.memo[key] = found
        i = bisect.bisect_left(found, start)
        return i < len(found) and found[i] < stop

    def _cues(self, text: str, tokens: list[tuple[int, int]], start: int, stop: int) -> list[tuple[Cue, int, int]]:
        found: list[tuple[Cue, int, int]] = [
            (Cue(rule, tokens[i][0], tokens[j - 1][1]), i, j) for rule, i, j in self._range_literal_cues(text, tokens)
        ]
        if self._patterns and tokens:
            starts = [a for a, _ in tokens]
            ends = [b for _, b in tokens]
            for m in (m for pattern in self._patterns for m in finditer(pattern, text, start, stop)):
                if m.end() <= m.start() or m.lastgroup is None:
                    continue
                t0 = bisect.bisect_right(ends, m.start())
                t1 = bisect.bisect_left(starts, m.end())
                if t0 < t1:
                    rule = self._pattern_rules[int(m.lastgroup[1:])]
                    found.append((Cue(rule, tokens[t0][0], tokens[t1 - 1][1]), t0, t1))
        if len(found) > 1:
            found.sort(key=lambda c: (c[1] - c[2], c[1]))
            taken = bytearray(len(tokens))
            kept: list[tuple[Cue, int, int]] = []
            for c in found:
                if not any(taken[c[1] : c[2]]):
                    kept.append(c)
                    taken[c[1] : c[2]] = b"\x01" * (c[2] - c[1])
            found = kept
        found.sort(key=lambda c: c[1])
        return found

    def annotate(
        self,
        text: str,
        targets: Sequence[Mention],
        start: int = 0,
        end: int | None = None,
        sentences: Sequence[tuple[int, int]] | None = None,
    ) -> list[Mention]:
        """The targets with their modifiers (one ConText pass over ``text[start:end]``).

        Parameters
        ----------
        text : str
            The document.
        targets : sequence of Mention
            The mentions to modify (their ``modifiers`` are replaced).
        start, end : int
            The range read for cues.
        sentences : sequence of (start, end), optional
            Sentence spans inside the range (scopes stop at sentence ends); default: the range is
            one sentence.

        Returns
        -------
        list of Mention
            The targets, in the given order, with ``modifiers`` and ``cues`` set.
        """
        stop = len(text) if end is None else end
        if not targets:
            return []
        kinds = frozenset(t.kind for t in targets)
        if not self._modifier_within(text, kinds, start, stop) or not (tokens := self._tokens(text, start, stop)):
            return [Mention(t.kind, t.start, t.end, t.value) for t in targets]
        starts = [a for a, _ in tokens]
        ends = [b for _, b in tokens]
        bounds = [(0, len(tokens))]
        if sentences:
            bounds = [(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)) for a, b in sorted(sentences)]
        sent_starts = [b[0] for b in bounds]
        by_sentence: dict[int, list[_Modifier]] = {}
        for cue, t0, t1 in self._cues(text, tokens, start, stop):
            k = max(0, bisect.bisect_right(sent_starts, t0) - 1)
            by_sentence.setdefault(k, []).append(_Modifier(cue, t0, t1, bounds[k]))
        modifiers: list[_Modifier] = []
        modifying = self._modifying(kinds)
        for group in by_sentence.values():
            # scopes stay inside their sentence; only cues that may modify a target have a scope worth cutting
            for a in group:
                if id(a.cue.rule) in modifying:
                    for b in group:
                        if b is not a:
                            a.limit_by(b)
                    modifiers.append(a)
        edges: dict[int, list[_Modifier]] = {}
        spans = []
        for t in targets:
            first = bisect.bisect_right(ends, t.start)
            spans.append((first, max(bisect.bisect_left(starts, t.end), first + 1)))
        for mod in modifiers:
            hits = [i for i, t in enumerate(targets) if mod.modifies(t.kind, spans[i])]
            limit = mod.cue.rule.max_targets
            if limit is not None and len(hits) > limit:
                hits = sorted(hits, key=lambda i: min(abs(mod.start - spans[i][1]), abs(spans[i][0] - mod.end)))[:limit]
            for i in hits:
                edges.setdefault(i, []).append(mod)
        out = []
        for i, t in enumerate(targets):
            mods = sorted(edges.get(i, ()), key=lambda m: m.start)
            categories = frozenset(m.cue.category for m in mods)
            out.append(Mention(t.kind, t.start, t.end, t.value, categories, tuple(m.cue for m in mods)))
        return out


@cache
def default_engine() -> ContextEngine:
    """The engine over the bundled rules (built once)."""
    return ContextEngine()
