"""Review protocols: a YAML file naming the question, the searches and the screening rules.

A protocol is validated by :class:`Protocol` (a pydantic model whose JSON Schema ships as
``screening/data/protocol.schema.json``). Errors name the YAML line, the key and the allowed
values::

    protocol.yaml: line 14: criteria[2].type: unknown rule type 'langauge'; allowed: disease, drug, ...
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from caseseries.choices import FIRST_STAGE
from caseseries.errors import InputError
from caseseries.model.enums import DrugClass
from caseseries.vocab import drugs
from caseseries.vocab.diseases import diseases


class Stage(StrEnum):
    """Screening stage."""

    TITLE_ABSTRACT = FIRST_STAGE
    FULL_TEXT = "full-text"


class Decision(StrEnum):
    """A screening decision."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


class StudyDesign(StrEnum):
    """Study design of a record, mapped from PubMed publication types and title wording."""

    CASE_REPORT = "case-report"
    CASE_SERIES = "case-series"
    REVIEW = "review"
    TRIAL = "trial"
    OBSERVATIONAL = "observational"
    LETTER = "letter"
    EDITORIAL = "editorial"
    COMMENT = "comment"


class TextField(StrEnum):
    """Part of a record a content rule reads."""

    TITLE = "title"
    ABSTRACT = "abstract"
    FULL_TEXT = "full-text"


LANGUAGES = {
    "english": "eng",
    "french": "fre",
    "german": "ger",
    "spanish": "spa",
    "italian": "ita",
    "portuguese": "por",
    "japanese": "jpn",
    "chinese": "chi",
    "korean": "kor",
    "russian": "rus",
    "dutch": "dut",
    "polish": "pol",
    "turkish": "tur",
}
"""Language names to the ISO 639-2 codes PubMed uses."""


def language_code(text: str) -> str | None:
    """The ISO 639-2 code for a language name or code (``English`` or ``eng`` -> ``eng``)."""
    key = text.strip().lower()
    if key in LANGUAGES:
        return LANGUAGES[key]
    return key if re.fullmatch(r"[a-z]{3}", key) else None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


_ALL_FIELDS = [TextField.TITLE, TextField.ABSTRACT, TextField.FULL_TEXT]


class _Rule(_Model):
    """Fields every rule has."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="Unique id, cited in decisions.")
    action: Decision = Field(description="Decision suggested when the rule fires.")
    reason: str = Field(min_length=1, description="Why; recorded with the decision and shown in PRISMA.")
    negate: bool = Field(default=False, description="Fire when the condition is NOT met (unknown never fires).")
    stages: list[Stage] = Field(
        default_factory=lambda: [Stage.TITLE_ABSTRACT, Stage.FULL_TEXT], description="Stages the rule applies at."
    )
    searches: list[str] = Field(
        default_factory=list, description="Names of the protocol's searches the rule is limited to (empty: all)."
    )


class PublicationTypeRule(_Rule):
    """The record's study design is one of ``types`` (``only``: every design it has is among them)."""

    type: Literal["publication-type"]
    types: list[StudyDesign] = Field(min_length=1)
    only: bool = False


class LanguageRule(_Rule):
    """The record is written in one of ``languages`` (ISO 639-2 codes or English names)."""

    type: Literal["language"]
    languages: list[str] = Field(min_length=1)

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        out = []
        for item in value:
            code = language_code(item)
            if code is None:
                raise ValueError(
                    f"unknown language {item!r}; use an ISO 639-2 code (eng, fre, ...) or one of: "
                    + ", ".join(sorted(LANGUAGES))
                )
            out.append(code)
        return out


class YearRule(_Rule):
    """The publication year lies in ``[min, max]`` (either bound optional)."""

    type: Literal["year"]
    min: int | None = Field(default=None, ge=1800, le=2100)
    max: int | None = Field(default=None, ge=1800, le=2100)

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is after max {self.max}; swap them")
        return self


class HumansRule(_Rule):
    """The record is about humans (MeSH ``Humans``); false for ``Animals`` without ``Humans``."""

    type: Literal["humans"]


class _ContentRule(_Rule):
    fields: list[TextField] = Field(default_factory=lambda: list(_ALL_FIELDS), min_length=1)


class TermRule(_ContentRule):
    """Any of ``terms`` (whole words, case-insensitive) or the regular expression ``pattern`` occurs."""

    type: Literal["term"]
    terms: list[str] = Field(default_factory=list)
    pattern: str | None = None
    case_sensitive: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as err:
                raise ValueError(f"regular expression does not compile ({err}); fix the pattern") from None
        return value

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.terms and not self.pattern:
            raise ValueError("give terms, pattern or both")
        return self


class DiseaseRule(_ContentRule):
    """The disease (by any synonym of the disease vocabulary) is mentioned."""

    type: Literal["disease"]
    disease: str = "inflammatory myofibroblastic tumour"
    related: bool = Field(default=False, description="Also accept broader/historical names.")

    @field_validator("disease")
    @classmethod
    def _known(cls, value: str) -> str:
        found = diseases().lookup(value)
        if found is None:
            allowed = ", ".join(sorted(d.name for d in diseases().entries))
            raise ValueError(f"unknown disease {value!r}; allowed: {allowed}")
        return found.name


class _DrugSelector(_Model):
    drugs: list[str] = Field(default_factory=list, description="Drug names (generic, brand or code).")
    drug_class: DrugClass | None = None
    generation: int | None = Field(default=None, ge=1, le=4, description="ALK-inhibitor generation.")

    @field_validator("drugs")
    @classmethod
    def _known_drugs(cls, value: list[str]) -> list[str]:
        out = []
        for name in value:
            found = drugs().lookup(name)
            if found is None:
                hint = drugs().suggest(name)
                fix = f"did you mean {', '.join(repr(h) for h in hint)}?" if hint else "add it to vocab/data/drugs.yaml"
                raise ValueError(f"unknown drug {name!r}; {fix}")
            out.append(found.name)
        return out

    def has_selector(self) -> bool:
        """Whether any of drugs, drug_class or generation is given."""
        return bool(self.drugs) or self.drug_class is not None or self.generation is not None

    def drug_names(self) -> set[str]:
        """Generic names of every drug the selector covers."""
        out = set(self.drugs)
        for d in drugs().entries:
            if self.drug_class is not None and d.drug_class != self.drug_class:
                continue
            if self.generation is not None and d.generation != self.generation:
                continue
            if self.drug_class is not None or self.generation is not None:
                out.add(d.name)
        return out


class DrugRule(_ContentRule, _DrugSelector):
    """A drug is mentioned: by name, by class or by ALK-inhibitor generation."""

    type: Literal["drug"]

    @model_validator(mode="after")
    def _selector(self) -> Self:
        if not self.has_selector():
            raise ValueError("give drugs, drug_class or generation")
        return self


class IndividualPatientRule(_ContentRule):
    """The text reports at least ``min_patients`` individual patients (by the extractor)."""

    type: Literal["individual-patient"]
    min_patients: int = Field(default=1, ge=1)


class LineOfTherapyRule(_ContentRule, _DrugSelector):
    """A reported patient has a systemic-therapy line numbered ``min``..``max`` (with the drug, if given)."""

    type: Literal["line-of-therapy"]
    min: int = Field(default=1, ge=1)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}; swap them")
        return self


Rule = Annotated[
    PublicationTypeRule
    | LanguageRule
    | YearRule
    | HumansRule
    | TermRule
    | DiseaseRule
    | DrugRule
    | IndividualPatientRule
    | LineOfTherapyRule,
    Field(discriminator="type"),
]

_RULE_CLASSES: tuple[type[_Rule], ...] = (
    PublicationTypeRule,
    LanguageRule,
    YearRule,
    HumansRule,
    TermRule,
    DiseaseRule,
    DrugRule,
    IndividualPatientRule,
    LineOfTherapyRule,
)
RULE_TYPES = sorted(typ.model_fields["type"].annotation.__args__[0] for typ in _RULE_CLASSES)  # type: ignore[union-attr]
"""Every rule type a protocol may use."""


class RecordScope(StrEnum):
    """Which stored records a protocol screens."""

    LISTED = "listed"
    """The records of the protocol's searches and imports."""
    ALL = "all"
    """Every record a search or an import stored, whichever it was."""


class Search(_Model):
    """A PubMed search of the protocol (matched to stored searches by name or query)."""

    name: str = Field(min_length=1)
    query: str = Field(min_length=1)
    mindate: str | None = Field(default=None, pattern=r"^\d{4}(/\d{2}(/\d{2})?)?$", description="YYYY[/MM[/DD]]")
    maxdate: str | None = Field(default=None, pattern=r"^\d{4}(/\d{2}(/\d{2})?)?$", description="YYYY[/MM[/DD]]")


class Protocol(_Model):
    """A review protocol: the question, where records come from and how they are screened."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="Identifier decisions are filed under.")
    version: int = Field(default=1, ge=1)
    question: str = Field(min_length=1)
    searches: list[Search] = Field(default_factory=list)
    imports: list[str] = Field(default_factory=list, description="Record files, relative to the protocol file.")
    records: RecordScope = Field(
        default=RecordScope.LISTED,
        description=(
            "Which stored records are screened: 'listed' = those of the searches and imports above; "
            "'all' = every record in the database (searches not yet run are then skipped)."
        ),
    )
    criteria: list[Rule] = Field(default_factory=list)
    path: str | None = Field(default=None, exclude=True, description="Where the protocol was read from.")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Self:
        names = [s.name for s in self.searches]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise _LocatedValueError(("searches",), f"search name {dup!r} is used twice; names must be unique")
        seen: set[str] = set()
        for i, rule in enumerate(self.criteria):
            if rule.id in seen:
                raise _LocatedValueError(
                    ("criteria", i, "id"), f"rule id {rule.id!r} is used twice; ids must be unique"
                )
            seen.add(rule.id)
            for j, ref in enumerate(rule.searches):
                if ref not in names:
                    allowed = ", ".join(names) or "(the protocol has no searches)"
                    raise _LocatedValueError(
                        ("criteria", i, "searches", j), f"no search named {ref!r} in this protocol; allowed: {allowed}"
                    )
        if not self.searches and not self.imports and self.records is RecordScope.LISTED:
            raise _LocatedValueError(("searches",), "the protocol has no searches and no imports; add one of them")
        return self

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises
        ------
        InputError
            If there is none (the message lists the ids).
        """
        for r in self.criteria:
            if r.id == rule_id:
                return r
        raise InputError(f"no rule {rule_id!r}; rules: {', '.join(r.id for r in self.criteria)}", source=self.path)

    def reasons(self, action: Decision | None = None) -> list[str]:
        """Distinct reasons of the rules (optionally of one action), in file order."""
        out: list[str] = []
        for r in self.criteria:
            if (action is None or r.action == action) and r.reason not in out:
                out.append(r.reason)
        return out

    def error(self, loc: tuple[str | int, ...], message: str) -> InputError:
        """An :class:`InputError` about a key of this protocol, naming its YAML line.

        Parameters
        ----------
        loc : tuple
            Path of the key, e.g. ``("searches", 0, "query")``.
        message : str
            What is wrong and the fix.
        """
        line, path = _line_of(self._lines, loc)
        return InputError(message, source=self.path, location=f"line {line}: {path}" if line else path)

    def import_paths(self) -> list[Path]:
        """The import files, resolved against the protocol file's directory."""
        base = Path(self.path).parent if self.path else Path.cwd()
        return [p if p.is_absolute() else base / p for p in map(Path, self.imports)]


class _LocatedValueError(ValueError):
    """A cross-field error that knows which key it is about."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


# ---------------------------------------------------------------------------------- loading


def _line_index(node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            out[(*path, k)] = key.start_mark.line + 1
            _line_index(value, (*path, k), out)
            out[(*path, k)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), out)


def _line_of(lines: dict[tuple[str | int, ...], int], loc: tuple[str | int, ...]) -> tuple[int | None, str]:
    """The YAML line of a pydantic error location, and the location as a path (union tags dropped)."""
    path: tuple[str | int, ...] = ()
    for part in loc:
        if (*path, part) in lines:
            path = (*path, part)
        elif isinstance(part, str) and (part.startswith(("function-", "union[")) or part in RULE_TYPES):
            continue
        else:
            path = (*path, part)
    line = None
    probe = path
    while probe:
        if probe in lines:
            line = lines[probe]
            break
        probe = probe[:-1]
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return line, text or "(top level)"


def _allowed_keys(model: type[BaseModel]) -> str:
    return ", ".join(sorted(f.alias or n for n, f in model.model_fields.items() if n != "path"))


def _rule_model(data: Any, loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
        try:
            kind = data["criteria"][loc[1]]["type"]
        except (KeyError, IndexError, TypeError):
            return None
        for cls in _RULE_CLASSES:
            if cls.model_fields["type"].annotation.__args__[0] == kind:  # type: ignore[union-attr]
                return cls
    return None


def _describe(err: pydantic.ValidationError, data: Any) -> tuple[tuple[str | int, ...], str]:
    first = err.errors()[0]
    loc = tuple(first["loc"])
    kind = first["type"]
    ctx = first.get("ctx") or {}
    if kind == "union_tag_invalid":
        return (*loc, "type"), f"unknown rule type {ctx.get('tag')!r}; allowed: {', '.join(RULE_TYPES)}"
    if kind == "union_tag_not_found":
        return (*loc, "type"), f"rule has no type; add 'type:' with one of: {', '.join(RULE_TYPES)}"
    if kind == "extra_forbidden":
        parent: type[BaseModel] | None
        if loc[0] == "criteria":
            parent = _rule_model(data, loc)
        elif loc[0] == "searches":
            parent = Search
        else:
            parent = Protocol
        allowed = _allowed_keys(parent) if parent else ""
        return loc, f"unknown key {loc[-1]!r}; allowed keys: {allowed}"
    if kind == "missing":
        return loc, "required key is missing; add it"
    if kind in ("enum", "literal_error"):
        allowed = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        return loc, f"unknown value {first.get('input')!r}; allowed: {allowed}"
    if kind == "value_error" and isinstance(ctx.get("error"), _LocatedValueError):
        located: _LocatedValueError = ctx["error"]
        return located.loc, located.message
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    shown = "" if isinstance(value, dict | list) or kind == "value_error" else f" (got {value!r})"
    return loc, f"{message}{shown}"


def parse_protocol(text: str, *, source: str = "<protocol>") -> Protocol:
    """Validate a protocol given as YAML text.

    Parameters
    ----------
    text : str
        The YAML document.
    source : str
        Name used in error messages and to resolve relative import paths.

    Returns
    -------
    Protocol
        The validated protocol.

    Raises
    ------
    InputError
        Naming the YAML line, the key and the allowed values.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise InputError(f"not valid YAML ({problem}); fix the syntax", source=source, location=where) from None
    if not isinstance(data, dict) or node is None:
        raise InputError(
            f"expected a mapping with keys {_allowed_keys(Protocol)}, got {type(data).__name__}", source=source
        )
    lines: dict[tuple[str | int, ...], int] = {}
    _line_index(node, (), lines)
    try:
        protocol = Protocol.model_validate({**data, "path": source})
    except pydantic.ValidationError as err:
        loc, message = _describe(err, data)
        line, path = _line_of(lines, loc)
        where = f"line {line}: {path}" if line else path
        raise InputError(message, source=source, location=where) from None
    protocol._lines = lines
    return protocol


def load_protocol(path: str | Path) -> Protocol:
    """Read and validate a protocol file.

    Parameters
    ----------
    path : str or Path
        A YAML file; a bare name (e.g. ``alk-imt-alectinib-first-line``) selects a shipped protocol.

    Returns
    -------
    Protocol
        The validated protocol.

    Raises
    ------
    InputError
        If the file cannot be read or is invalid (naming the line, key and allowed values).
    """
    p = Path(path)
    if not p.exists() and p.suffix == "" and str(path) in shipped_protocols():
        res = resources.files("caseseries.screening").joinpath("data", "protocols", f"{path}.yaml")
        return parse_protocol(res.read_text("utf-8"), source=f"caseseries/screening/data/protocols/{path}.yaml")
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        shipped = ", ".join(shipped_protocols())
        raise InputError(
            f"cannot read the protocol ({err.__class__.__name__}); give a YAML file or a shipped protocol: {shipped}",
            source=str(path),
        ) from None
    return parse_protocol(text, source=str(path))


def shipped_protocols() -> list[str]:
    """Names of the example protocols shipped with caseseries."""
    folder = resources.files("caseseries.screening").joinpath("data", "protocols")
    return sorted(f.name.removesuffix(".yaml") for f in folder.iterdir() if f.name.endswith(".yaml"))


def protocol_json_schema() -> dict[str, Any]:
    """The JSON Schema of protocol files (as shipped in ``screening/data/protocol.schema.json``)."""
    schema = Protocol.model_json_schema(mode="validation")
    schema.get("properties", {}).pop("path", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://caseseries.invalid/schema/protocol.schema.json"
    return schema


def shipped_json_schema() -> dict[str, Any]:
    """The JSON Schema file shipped with the package."""
    text = resources.files("caseseries.screening").joinpath("data", "protocol.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def write_json_schema(path: str | Path) -> None:
    """Write :func:`protocol_json_schema` to ``path`` (regenerates the shipped file)."""
    Path(path).write_text(json.dumps(protocol_json_schema(), indent=2, ensure_ascii=False) + "\n", "utf-8")
