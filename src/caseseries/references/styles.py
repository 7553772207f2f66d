"""Citation styles as data: read one citation by the templates of ``references/data/styles.yaml``.

Each style (Vancouver, AMA, BMC, PLoS, APA, Harvard, Nature, ...) is an author-list shape and a
few templates that give the order of the fields and the punctuation between them. A template is
compiled once into a regular expression that must match the whole citation; every style is
tried and the reading with the most fields wins (ties go to the style listed first). Curators add
or adjust a style by editing the YAML file; :func:`parse_styles` checks it and names what is
wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from caseseries.errors import FormatError

FIELDS = ("authors", "title", "journal", "year", "volume", "issue", "pages")
"""Fields a template can capture."""
SCORED = ("first_author", "title", "journal", "year", "volume", "pages")
"""Fields that count towards the score of a reading."""
KINDS = ("article", "other")
MAX_LENGTH = 3000
"""Citations longer than this (characters) are not matched against the templates."""
_ORIGIN = "caseseries/references/data/styles.yaml"
_TOP_KEYS = {"version", "fragments", "names", "corporate", "styles"}
_STYLE_KEYS = {"name", "label", "example", "authors", "templates"}
_AUTHOR_KEYS = {"names", "separator", "last", "et_al", "corporate"}
_TEMPLATE_KEYS = {"pattern", "kind"}
_ET_AL = r"(?:,?\s*(?:et\s+al\.?|and\s+others))"
_TOKEN = re.compile(r"\{(?P<name>\w+)(?::(?P<frag>\w+))?\}")


@dataclass(frozen=True)
class Author:
    """One author name read from a citation."""

    surname: str
    initials: str

    @property
    def display(self) -> str:
        """``Surname AB`` (initials without full stops), as PubMed writes names."""
        return f"{self.surname} {self.initials}".strip()


@dataclass(frozen=True)
class Reading:
    """What one style read from a citation."""

    style: str
    kind: str
    fields: dict[str, str]
    authors: list[Author] = field(default_factory=list)
    et_al: bool = False

    @property
    def score(self) -> int:
        """Number of fields read among first author, title, journal, year, volume and pages."""
        present = {k for k, v in self.fields.items() if v}
        if self.authors:
            present.add("first_author")
        return sum(1 for name in SCORED if name in present)


@dataclass(frozen=True)
class _AuthorShape:
    names: tuple[re.Pattern[str], ...]
    separator: re.Pattern[str]
    corporate: re.Pattern[str] | None
    et_al: re.Pattern[str] | None
    regex: str

    def read(self, text: str) -> tuple[list[Author], bool] | None:
        """The names in an author list matched by the template, or None when they do not read."""
        et_al = False
        if self.et_al is not None:
            m = self.et_al.search(text)
            if m and m.end() == len(text):
                et_al, text = True, text[: m.start()]
        authors: list[Author] = []
        pos = 0
        while pos < len(text):
            if authors:
                sep = self.separator.match(text, pos)
                if sep is None or sep.end() == pos:
                    break
                pos = sep.end()
            name = next((m for p in self.names if (m := p.match(text, pos))), None)
            if name is None:
                break
            authors.append(Author(name.group("surname").strip(), re.sub(r"[\s.]", "", name.group("initials"))))
            pos = name.end()
        if pos >= len(text) and authors:
            return authors, et_al
        if self.corporate is not None and not et_al:
            whole = self.corporate.fullmatch(text.strip())
            if whole:
                return [Author(whole.group("surname").strip(), "")], False
        return None


@dataclass(frozen=True)
class _Template:
    regex: re.Pattern[str]
    kind: str


@dataclass(frozen=True)
class Style:
    """One citation style: its name, label, author shape and compiled templates."""

    name: str
    label: str
    example: str | None
    authors: _AuthorShape
    templates: tuple[_Template, ...]

    def read(self, text: str) -> Reading | None:
        """The best reading of ``text`` by this style's templates, or None when none matches."""
        best: Reading | None = None
        for template in self.templates:
            m = template.regex.fullmatch(text)
            if m is None:
                continue
            names = self.authors.read(m.group("authors")) if "authors" in m.groupdict() else ([], False)
            if names is None:
                continue
            fields = {k: v.strip() for k, v in m.groupdict().items() if v and k != "authors"}
            if "title" in fields and text[m.end("title") : m.end("title") + 1] in ("?", "!"):
                fields["title"] += text[m.end("title")]  # a question or exclamation belongs to the title
            reading = Reading(self.name, template.kind, fields, names[0], names[1])
            if best is None or reading.score > best.score:
                best = reading
        return best


def _strip_groups(pattern: str) -> str:
    """``pattern`` with its named groups made anonymous (to embed it several times)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


def _compile_template(pattern: str, fragments: dict[str, str], authors: str, where: str) -> re.Pattern[str]:
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        token = _TOKEN.match(pattern, i)
        if token:
            name, frag = token.group("name"), token.group("frag")
            if name == "authors":
                out.append(f"(?P<authors>{authors})")
            elif name in FIELDS:
                key = frag or name
                if key not in fragments:
                    raise FormatError(f"{where}: unknown fragment {key!r}; known: {', '.join(sorted(fragments))}")
                out.append(f"(?P<{name}>{fragments[key]})")
            elif name in fragments and frag is None:
                out.append(f"(?:{fragments[name]})")
            else:
                known = ", ".join([*FIELDS, *sorted(fragments)])
                raise FormatError(f"{where}: unknown field or fragment {token.group(0)!r}; known: {known}")
            i = token.end()
            continue
        if ch == "[":
            depth += 1
            out.append("(?:")
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise FormatError(f"{where}: ']' without '['; balance the optional parts")
            out.append(")?")
        elif ch == " ":
            out.append(r"\s*")
        elif ch.isalnum():
            out.append(re.escape(ch))
        else:
            out.append(re.escape(ch) + r"\s*")
        i += 1
    if depth:
        raise FormatError(f"{where}: '[' without ']'; balance the optional parts")
    try:
        return re.compile("".join(out))
    except re.error as err:
        raise FormatError(f"{where}: does not compile ({err}); fix the pattern or its fragments") from None


def _check_keys(data: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected a mapping with keys {', '.join(sorted(allowed))}")
    extra = sorted(set(data) - allowed)
    if extra:
        raise FormatError(f"{where}: unknown keys {extra}; allowed keys: {', '.join(sorted(allowed))}")
    return data


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as err:
        raise FormatError(f"{where}: does not compile ({err}); fix the regular expression") from None


def _author_shape(spec: Any, names: dict[str, str], corporate: str | None, where: str) -> _AuthorShape:
    spec = _check_keys(spec, _AUTHOR_KEYS, where)
    shapes = spec.get("names") or []
    unknown = [n for n in shapes if n not in names]
    if not shapes or unknown:
        raise FormatError(f"{where}.names: unknown name shapes {unknown}; known: {', '.join(sorted(names))}")
    separator = str(spec.get("separator") or r",\s*")
    last = spec.get("last")
    one = "|".join(f"(?:{_strip_groups(names[n])})" for n in shapes)
    between = f"(?:{last})|(?:{separator})" if last else f"(?:{separator})"
    regex = f"(?:{one})(?:(?:{between})(?:{one}))*"
    if spec.get("et_al"):
        regex = f"(?:{regex}){_ET_AL}?"
    if spec.get("corporate") and corporate:
        regex = f"{regex}|{_strip_groups(corporate)}"
    return _AuthorShape(
        names=tuple(_compile(names[n], f"names.{n}") for n in shapes),
        separator=_compile(between, f"{where}.separator"),
        corporate=_compile(corporate, "corporate") if spec.get("corporate") and corporate else None,
        et_al=_compile(_ET_AL, where) if spec.get("et_al") else None,
        regex=f"(?:{regex})",
    )


def parse_styles(text: str, origin: str = _ORIGIN) -> tuple[Style, ...]:
    """Read and compile a style file.

    Parameters
    ----------
    text : str
        YAML with ``version``, ``fragments``, ``names``, ``corporate`` and ``styles``.
    origin : str
        Where the text came from (for error messages).

    Returns
    -------
    tuple of Style
        In file order (the order breaks ties between equally good readings).

    Raises
    ------
    FormatError
        Unknown keys, fields, fragments or name shapes, unbalanced optional parts, or a pattern
        that does not compile; the message names the style and template.
    """
    try:
        data = _check_keys(yaml.safe_load(text), _TOP_KEYS, origin)
    except yaml.YAMLError as err:
        raise FormatError(f"{origin}: not valid YAML ({err}); fix the file") from None
    fragments = {str(k): str(v) for k, v in (data.get("fragments") or {}).items()}
    for name, source in fragments.items():
        _compile(source, f"{origin}: fragments.{name}")
    names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
    for name, source in names.items():
        groups = _compile(source, f"{origin}: names.{name}").groupindex
        if not {"surname", "initials"} <= set(groups):
            raise FormatError(f"{origin}: names.{name}: needs (?P<surname>...) and (?P<initials>...) groups")
    corporate = data.get("corporate")
    styles: list[Style] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("styles") or []):
        where = f"{origin}: styles[{i}]"
        spec = _check_keys(raw, _STYLE_KEYS, where)
        name = str(spec.get("name") or "")
        if not name or name in seen:
            raise FormatError(f"{where}: needs a unique name (got {name!r})")
        seen.add(name)
        where = f"{origin}: style {name}"
        shape = _author_shape(spec.get("authors"), names, str(corporate) if corporate else None, f"{where}.authors")
        templates: list[_Template] = []
        for j, traw in enumerate(spec.get("templates") or []):
            tspec = _check_keys(traw, _TEMPLATE_KEYS, f"{where}.templates[{j}]")
            kind = str(tspec.get("kind") or "article")
            if kind not in KINDS:
                raise FormatError(f"{where}.templates[{j}]: unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
            regex = _compile_template(
                str(tspec.get("pattern") or ""), fragments, shape.regex, f"{where}.templates[{j}]"
            )
            templates.append(_Template(regex, kind))
        if not templates:
            raise FormatError(f"{where}: has no templates; add at least one pattern")
        example = spec.get("example")
        styles.append(
            Style(name, str(spec.get("label") or name), str(example) if example else None, shape, tuple(templates))
        )
    if not styles:
        raise FormatError(f"{origin}: no styles defined")
    return tuple(styles)


@cache
def styles() -> tuple[Style, ...]:
    """The bundled citation styles (``references/data/styles.yaml``)."""
    text = resources.files("caseseries.references").joinpath("data", "styles.yaml").read_text("utf-8")
    return parse_styles(text)


def style_names() -> list[str]:
    """Names of the bundled styles, in file order."""
    return [s.name for s in styles()]


def read_with_styles(text: str, candidates: tuple[Style, ...] | None = None) -> Reading | None:
    """The best reading of one citation among all styles, or None when no template matches.

    Parameters
    ----------
    text : str
        One citation without its list number, identifiers (DOI, PMID, URL) or Markdown emphasis.
    candidates : tuple of Style, optional
        The styles to try (default: the bundled ones).

    Returns
    -------
    Reading or None
    """
    body = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    best: Reading | None = None
    if len(body) > MAX_LENGTH:
        return None
    for style in candidates if candidates is not None else styles():
        reading = style.read(body)
        if reading is not None and (best is None or reading.score > best.score):
            best = reading
    return best
