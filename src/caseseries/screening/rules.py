"""Apply a protocol's rules to a record: which rules fire, the matched text, the suggested decision.

Every rule evaluates to true, false or unknown (e.g. no MeSH terms, no language, no full text).
A rule *fires* when its condition is true (false with ``negate: true``); unknown never fires.
The suggestion of a record at a stage, over the rules that apply at that stage:

1. an ``exclude`` rule fired -> exclude (reason of the first such rule in file order);
2. else a ``maybe`` rule fired -> maybe;
3. else every ``include`` rule fired (and there is at least one) -> include;
4. else -> maybe, with the include rules that did not fire as the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from caseseries.errors import InputError, VocabularyError
from caseseries.extraction.base import ExtractionResult, Extractor
from caseseries.model.case import Patient
from caseseries.model.casejson import Source
from caseseries.model.publication import Publication
from caseseries.screening.protocol import (
    LANGUAGES,
    Decision,
    DiseaseRule,
    DrugRule,
    HumansRule,
    IndividualPatientRule,
    LanguageRule,
    LineOfTherapyRule,
    Protocol,
    PublicationTypeRule,
    Rule,
    Stage,
    StudyDesign,
    TermRule,
    TextField,
    YearRule,
    language_code,
)
from caseseries.vocab import drugs
from caseseries.vocab.diseases import diseases

RULES_VERSION = 1
"""Version of the rules' code: raise it whenever a change here can change a suggestion (see
:func:`rules_fingerprint`), so stored suggestions are made again."""


class Span(NamedTuple):
    """A matched piece of text: the field, character offsets into that field's text, the words.

    Spans, rule results and suggestions are named tuples: screening 100,000 records makes
    several hundred thousand of them, and a tuple is made several times faster than a frozen
    dataclass.
    """

    field: TextField
    start: int
    end: int
    text: str


class RuleResult(NamedTuple):
    """How one rule evaluated on one record."""

    rule_id: str
    value: bool | None
    fired: bool
    spans: tuple[Span, ...] = ()


class Suggestion(NamedTuple):
    """The rules' suggestion for one record at one stage."""

    key: str
    stage: Stage
    decision: Decision
    rule_id: str | None
    reason: str
    results: tuple[RuleResult, ...] = ()

    @property
    def fired(self) -> list[str]:
        """Ids of the rules that fired."""
        return [r.rule_id for r in self.results if r.fired]

    @property
    def score(self) -> float:
        """Relevance by rules alone: include rules fired count up, exclude rules count down."""
        return _score(self)

    def spans(self) -> list[Span]:
        """Every matched span of every rule, in field then offset order."""
        out = {s for r in self.results for s in r.spans}
        return sorted(out, key=lambda s: (s.field.value, s.start, s.end))


_BASE_SCORE = {Decision.INCLUDE: 2.0, Decision.MAYBE: 1.0, Decision.EXCLUDE: 0.0}


def _score(s: Suggestion) -> float:
    spans = 0
    for r in s.results:
        if r.fired:
            spans += len(r.spans)
    return _BASE_SCORE[s.decision] + min(spans, 20) / 40


# ---------------------------------------------------------------------------------- records


class ScreeningRecord:
    """A publication as the rules see it: its texts per field and, lazily, its extracted patients.

    Parameters
    ----------
    publication : Publication
        The stored record.
    searches : set of str
        Names of the protocol searches that found it (empty for imported records).
    extractor : Extractor or None
        Finds the patients for the ``individual-patient`` and ``line-of-therapy`` rules (from the
        registry: :func:`caseseries.extraction.get_extractor`); None when the protocol has no such rule.
    """

    def __init__(
        self, publication: Publication, searches: Iterable[str] = (), *, extractor: Extractor | None = None
    ) -> None:
        self.publication = publication
        self.key = publication.key()
        self.searches = set(searches)
        self.extractor = extractor
        self._patients: dict[Stage, list[Patient]] = {}
        self._texts: dict[TextField, str] = {}
        self._designs: set[StudyDesign] | None = None

    def text(self, fld: TextField) -> str:
        """The text of one field ('' when absent; made once per record)."""
        found = self._texts.get(fld)
        if found is None:
            pub = self.publication
            if fld is TextField.TITLE:
                found = pub.title or ""
            elif fld is TextField.ABSTRACT:
                found = pub.abstract_text
            else:
                found = self.full_text() or ""
            self._texts[fld] = found
        return found

    def designs(self) -> set[StudyDesign]:
        """The record's study designs (:func:`study_designs`, found once per record)."""
        if self._designs is None:
            self._designs = study_designs(self.publication)
        return self._designs

    def full_text(self) -> str | None:
        """The full text when one was imported (body text, sections, tables), else None."""
        pub = self.publication
        if pub.text:
            return pub.text
        if not pub.sections and not pub.tables:
            return None
        parts = [f"{s.title}\n{s.text}" if s.title else s.text for s in pub.sections]
        for t in pub.tables:
            rows = [t.header, *t.rows] if t.header else t.rows
            parts.append("\n".join(x for x in (t.label, t.caption) if x))
            parts.extend("\t".join(r) for r in rows)
            parts.extend(t.footnotes)
        return "\n\n".join(p for p in parts if p)

    def has_full_text(self) -> bool:
        """Whether a full text is available for the full-text stage."""
        return self.full_text() is not None

    def fields(self, wanted: Iterable[TextField], stage: Stage) -> list[TextField]:
        """The wanted fields that exist at ``stage`` (full text only at the full-text stage)."""
        return [f for f in wanted if f is not TextField.FULL_TEXT or stage is Stage.FULL_TEXT]

    def patients(self, stage: Stage, fields: Sequence[TextField]) -> list[Patient]:
        """Patients the extractor finds in the stage's text (cached per stage).

        Raises
        ------
        InputError
            When the record was made without an extractor.
        """
        if stage not in self._patients:
            parts = [self.text(f) for f in self.fields(fields, stage)]
            text = "\n\n".join(p for p in parts if p)
            self._patients[stage] = list(self._extract(text).document.patients) if text else []
        return self._patients[stage]

    def _extract(self, text: str) -> ExtractionResult:
        if self.extractor is None:
            raise InputError(
                "the rule types individual-patient and line-of-therapy need an extractor; "
                "make the screening records with one (caseseries.extraction.get_extractor)"
            )
        pub = self.publication
        return self.extractor.extract(text, source=Source(pmid=pub.pmid, doi=pub.doi, title=pub.title))


# ---------------------------------------------------------------------------------- designs


@dataclass(frozen=True)
class _DesignMap:
    exact: dict[str, StudyDesign]
    prefixes: list[tuple[str, StudyDesign]]
    titles: list[tuple[re.Pattern[str], StudyDesign]] = field(default_factory=list)
    """One pattern per design: its title patterns as alternatives."""


@cache
def _design_map() -> _DesignMap:
    data = yaml.safe_load(_design_file())
    allowed = {"version", "designs", "title_patterns"}
    if set(data) - allowed:
        raise VocabularyError(
            f"unknown keys {sorted(set(data) - allowed)}; allowed keys: {', '.join(sorted(allowed))}",
            source="caseseries/screening/data/publication_types.yaml",
        )
    exact: dict[str, StudyDesign] = {}
    prefixes: list[tuple[str, StudyDesign]] = []
    titles: list[tuple[re.Pattern[str], StudyDesign]] = []
    for name, pts in (data.get("designs") or {}).items():
        design = StudyDesign(name)
        for pt in pts:
            if pt.endswith("*"):
                prefixes.append((pt[:-1].lower(), design))
            else:
                exact[pt.lower()] = design
    for name, patterns in (data.get("title_patterns") or {}).items():
        if patterns:
            titles.append((re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE), StudyDesign(name)))
    return _DesignMap(exact, prefixes, titles)


def study_designs(pub: Publication) -> set[StudyDesign]:
    """Study designs of a record, from its PubMed publication types and the wording of its title.

    Parameters
    ----------
    pub : Publication
        The record.

    Returns
    -------
    set of StudyDesign
        Possibly several ("case report and review of the literature" is both); empty when unknown.
    """
    m = _design_map()
    out: set[StudyDesign] = set()
    for pt in pub.publication_types:
        key = pt.strip().lower()
        if key in m.exact:
            out.add(m.exact[key])
        out.update(d for prefix, d in m.prefixes if key.startswith(prefix))
    title = pub.title or ""
    out.update(d for pattern, d in m.titles if pattern.search(title))
    return out


# ---------------------------------------------------------------------------------- rules


def _find(pattern: re.Pattern[str], record: ScreeningRecord, fields: Iterable[TextField]) -> list[Span]:
    spans: list[Span] = []
    for fld in fields:
        text = record.text(fld)
        spans.extend(Span(fld, m.start(), m.end(), m.group(0)) for m in pattern.finditer(text) if m.end() > m.start())
    return spans


def _content(
    pattern: re.Pattern[str], record: ScreeningRecord, rule: Any, stage: Stage
) -> tuple[bool | None, list[Span]]:
    fields = record.fields(rule.fields, stage)
    if not any(record.text(f) for f in fields):
        return None, []
    spans = _find(pattern, record, fields)
    return bool(spans), spans


def _words(words: Iterable[str], *, case_sensitive: bool = False) -> str:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    body = "|".join(re.escape(w).replace(r"\ ", r"[\s\-]+") for w in ordered)
    return body if case_sensitive else f"(?i:{body})"


@cache
def _drug_pattern(names: frozenset[str]) -> re.Pattern[str]:
    words = [n for d in drugs().entries if d.name in names for n in d.names()]
    return re.compile(r"(?<![\w-])(?:" + _words(words) + r")(?![\w-])")


@cache
def _term_pattern(terms: tuple[str, ...], pattern: str | None, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    if terms:
        parts.append(r"(?<![\w-])(?:" + _words(terms, case_sensitive=case_sensitive) + r")(?![\w-])")
    if pattern:
        parts.append(f"(?:{pattern})")
    return re.compile("|".join(parts), 0 if case_sensitive else re.IGNORECASE)


def _term(rule: TermRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    return _content(_term_pattern(tuple(rule.terms), rule.pattern, rule.case_sensitive), record, rule, stage)


def _disease(rule: DiseaseRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    disease = diseases().lookup(rule.disease)
    assert disease is not None  # validated by the protocol
    return _content(disease.pattern(related=rule.related), record, rule, stage)


def _drug(rule: DrugRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    return _content(_drug_pattern(_drug_names(rule)), record, rule, stage)


_DRUG_NAMES: dict[tuple[tuple[str, ...], str | None, int | None], frozenset[str]] = {}


def _drug_names(rule: DrugRule | LineOfTherapyRule) -> frozenset[str]:
    """The generic names a rule's drug selector covers (worked out once per selector)."""
    key = (tuple(rule.drugs), rule.drug_class.value if rule.drug_class else None, rule.generation)
    found = _DRUG_NAMES.get(key)
    if found is None:
        found = _DRUG_NAMES[key] = frozenset(rule.drug_names())
    return found


def _publication_type(
    rule: PublicationTypeRule, record: ScreeningRecord, stage: Stage
) -> tuple[bool | None, list[Span]]:
    designs = record.designs()
    if not designs:
        return None, []
    wanted = set(rule.types)
    return (designs <= wanted if rule.only else bool(designs & wanted)), []


def _language(rule: LanguageRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    lang = record.publication.language
    code = language_code(lang) if lang else None
    if code is None:
        return None, []
    return code in rule.languages, []


def _year(rule: YearRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    year = record.publication.year
    if year is None:
        return None, []
    return (rule.min is None or year >= rule.min) and (rule.max is None or year <= rule.max), []


def _humans(rule: HumansRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    mesh = {m.strip().lower() for m in record.publication.mesh_terms}
    if "humans" in mesh:
        return True, []
    if "animals" in mesh:
        return False, []
    return None, []


def _fields_ready(record: ScreeningRecord, rule: Any, stage: Stage) -> bool:
    return any(record.text(f) for f in record.fields(rule.fields, stage))


def _individual(rule: IndividualPatientRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    if not _fields_ready(record, rule, stage):
        return None, []
    return len(record.patients(stage, rule.fields)) >= rule.min_patients, []


def _line_of_therapy(rule: LineOfTherapyRule, record: ScreeningRecord, stage: Stage) -> tuple[bool | None, list[Span]]:
    if not _fields_ready(record, rule, stage):
        return None, []
    wanted = _drug_names(rule) if rule.has_selector() else None
    for patient in record.patients(stage, rule.fields):
        for line in patient.lines:
            number = int(line.line)
            if number < rule.min or (rule.max is not None and number > rule.max):
                continue
            if wanted is None:
                return True, []
            agents = {drugs().lookup(a).name if drugs().lookup(a) else a for a in line.agents}  # type: ignore[union-attr]
            if agents & wanted:
                return True, []
    return False, []


_EVALUATORS: dict[str, Callable[[Any, ScreeningRecord, Stage], tuple[bool | None, list[Span]]]] = {
    "term": _term,
    "disease": _disease,
    "drug": _drug,
    "publication-type": _publication_type,
    "language": _language,
    "year": _year,
    "humans": _humans,
    "individual-patient": _individual,
    "line-of-therapy": _line_of_therapy,
}


PATIENT_RULES = frozenset({"individual-patient", "line-of-therapy"})
"""The rule types that need an extractor (see :class:`ScreeningRecord`)."""


def needs_extractor(protocol: Protocol) -> bool:
    """Whether a rule of ``protocol`` reads the patients an extractor finds."""
    return any(rule.type in PATIENT_RULES for rule in protocol.criteria)


def evaluate_rule(rule: Rule, record: ScreeningRecord, stage: Stage) -> RuleResult:
    """Evaluate one rule on one record.

    Parameters
    ----------
    rule : Rule
        A protocol rule.
    record : ScreeningRecord
        The record.
    stage : Stage
        Which texts are available (full text only at the full-text stage).

    Returns
    -------
    RuleResult
        The condition's value (None when unknown), whether the rule fired and the matched spans.
    """
    value, spans = _EVALUATORS[rule.type](rule, record, stage)
    fired = value is not None and value != rule.negate
    return RuleResult(rule.id, value, fired, tuple(spans) if value else ())


def applies(rule: Rule, record: ScreeningRecord, stage: Stage) -> bool:
    """Whether a rule applies to a record at a stage (its stages and its searches)."""
    if stage not in rule.stages:
        return False
    return not rule.searches or bool(record.searches & set(rule.searches))


def suggest(protocol: Protocol, record: ScreeningRecord, stage: Stage) -> Suggestion:
    """The rules' suggestion for a record at a stage (see the module docstring for the order).

    Parameters
    ----------
    protocol : Protocol
        The review protocol.
    record : ScreeningRecord
        The record.
    stage : Stage
        The screening stage.

    Returns
    -------
    Suggestion
        Decision, deciding rule id (None when no single rule decided) and reason.
    """
    rules = [r for r in protocol.criteria if applies(r, record, stage)]
    results = tuple(evaluate_rule(r, record, stage) for r in rules)
    fired = {res.rule_id for res in results if res.fired}
    for action in (Decision.EXCLUDE, Decision.MAYBE):
        for r in rules:
            if r.action is action and r.id in fired:
                return Suggestion(record.key, stage, action, r.id, r.reason, results)
    includes = [r for r in rules if r.action is Decision.INCLUDE]
    if includes and all(r.id in fired for r in includes):
        reason = "; ".join(r.reason for r in includes)
        return Suggestion(
            record.key, stage, Decision.INCLUDE, includes[0].id if len(includes) == 1 else None, reason, results
        )
    unmet = [r.id for r in includes if r.id not in fired]
    reason = f"inclusion rules not met: {', '.join(unmet)}" if unmet else "no rule decided"
    return Suggestion(record.key, stage, Decision.MAYBE, None, reason, results)


# ---------------------------------------------------------------------------------- fingerprint


@dataclass(frozen=True)
class RulesFingerprint:
    """What the suggestions of a protocol's rules at a stage depend on, as a short hash.

    Attributes
    ----------
    value : str
        The hash of the rules applying at the stage (in order), what each reads besides the record
        (the disease and drug patterns from the vocabularies, the publication-type map, the
        language codes, the extractor and its rule-set version) and :data:`RULES_VERSION`.
    searches : frozenset of str
        Names of the searches rules are limited to: which of them found a record is part of its
        fingerprint (:meth:`of`).
    """

    value: str
    searches: frozenset[str] = frozenset()

    def of(self, searches: Iterable[str]) -> str:
        """The fingerprint of a record found by ``searches`` (the value itself unless rules are limited to searches)."""
        if not self.searches:
            return self.value
        found = sorted(self.searches.intersection(searches))
        return f"{self.value}/{_digest(found)[:8]}"


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _extractor_identity(extractor: Extractor | None) -> list[str] | None:
    if extractor is None:
        return None
    name = str(getattr(extractor, "name", type(extractor).__name__))
    if name == "rules":
        from caseseries.extraction.ruleset import ruleset_version

        return [name, ruleset_version()]
    return [name, str(getattr(extractor, "version", ""))]


def _reads(rule: Rule, extractor: Extractor | None) -> Any:
    """What evaluating ``rule`` reads besides the record and the rule itself."""
    if isinstance(rule, DiseaseRule):  # the words its pattern is made of (sorted: a set's order varies)
        disease = diseases().lookup(rule.disease)
        return [sorted(w) for w in disease.written(related=rule.related)] if disease is not None else None
    if isinstance(rule, DrugRule):
        names = _drug_names(rule)
        return sorted(n for d in drugs().entries if d.name in names for n in d.names())
    if isinstance(rule, PublicationTypeRule):
        return _design_file()
    if isinstance(rule, LanguageRule):
        return LANGUAGES
    if isinstance(rule, IndividualPatientRule):
        return _extractor_identity(extractor)
    if isinstance(rule, LineOfTherapyRule):
        vocabulary = [d.model_dump(mode="json") for d in drugs().entries]
        return [sorted(_drug_names(rule)), _digest(vocabulary), _extractor_identity(extractor)]
    return None


@cache
def _design_file() -> str:
    return resources.files("caseseries.screening").joinpath("data", "publication_types.yaml").read_text("utf-8")


def rules_fingerprint(protocol: Protocol, stage: Stage, extractor: Extractor | None = None) -> RulesFingerprint:
    """The fingerprint of the protocol's rules at ``stage`` (see :class:`RulesFingerprint`).

    Parameters
    ----------
    protocol : Protocol
        The review protocol.
    stage : Stage
        The screening stage (rules that do not apply at it are left out).
    extractor : Extractor or None
        The extractor the patient rules use.

    Returns
    -------
    RulesFingerprint
        Equal for two runs exactly when their rules suggest the same for the same record.
    """
    rules = [r for r in protocol.criteria if stage in r.stages]
    parts = [[r.model_dump(mode="json"), _reads(r, extractor)] for r in rules]
    value = f"v{RULES_VERSION}-{_digest([stage.value, parts])[:16]}"
    return RulesFingerprint(value, frozenset(name for r in rules for name in r.searches))
