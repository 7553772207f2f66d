"""Regular expressions for long lists of names, factored by common prefix.

A plain alternation of a few hundred names (``lung|lymph node|liver|...``) makes the regular
expression engine try every name at every position of a text. The same names written as a trie
(``l(?:ung|ymph node|iver)``) try one branch per letter, which keeps the vocabulary
matchers fast however long the curated vocabularies grow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "alternation",
    "class_end",
    "first_letters",
    "group_end",
    "letters_first",
    "starts_with_letters",
    "top_alternatives",
]

_SPLIT = re.compile(r"[\s\-]+")
_Node = dict[str, "_Node"]
_END = ""  # the key of "a name ends here" in a trie node


def _atoms(name: str, gap: str | None, fold: bool) -> list[str]:
    if gap is None:
        return [re.escape(c.lower() if fold else c) for c in name]
    atoms: list[str] = []
    for i, part in enumerate(p for p in _SPLIT.split(name) if p):
        if i:
            atoms.append(gap)
        atoms.extend(re.escape(c.lower() if fold else c) for c in part)
    return atoms


def _emit(node: _Node) -> str:
    alts = [atom + _emit(child) for atom, child in node.items() if atom != _END]
    if not alts:
        return ""
    if len(alts) == 1 and _END not in node:
        return alts[0]
    return "(?:" + "|".join(alts) + ")" + ("?" if _END in node else "")


def alternation(names: Iterable[str], gap: str | None, *, fold: bool) -> str:
    """One regular expression matching any of ``names``, longest continuation first.

    Parameters
    ----------
    names : iterable of str
        The names; a run of spaces or hyphens inside a name matches ``gap``.
    gap : str or None
        The regular expression a space or hyphen in a name stands for (e.g. any run of spaces and hyphens);
        None keeps them as written.
    fold : bool
        Whether the pattern will be compiled ignoring case (letters are then written in lower case).

    Returns
    -------
    str
        A non-capturing group; where one name is a prefix of another, the longer is tried first.
        Empty when ``names`` is empty.

    Examples
    --------
    >>> alternation(["Lung", "lymph node", "liver", "lymph nodes"], "_", fold=True)
    'l(?:ung|ymph_node(?:s)?|iver)'
    """
    root: _Node = {}
    for name in names:
        node = root
        for atom in _atoms(name, gap, fold):
            node = node.setdefault(atom, {})
        if node is not root:
            node[_END] = {}
    return _emit(root)


_QUANTIFIED = ("?", "*", "{")


def top_alternatives(body: str) -> list[str]:
    """The alternatives of ``body`` at nesting depth 0 (escapes, classes and groups skipped)."""
    alts, start, i = [], 0, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = class_end(body, i)
        elif c == "(":
            i = group_end(body, i)
        else:
            if c == "|":
                alts.append(body[start:i])
                start = i + 1
            i += 1
    alts.append(body[start:])
    return alts


def class_end(body: str, i: int) -> int:
    """The index after the character class opening at ``body[i]``."""
    j = i + 1
    if j < len(body) and body[j] == "^":
        j += 1
    if j < len(body) and body[j] == "]":
        j += 1
    while j < len(body) and body[j] != "]":
        j += 2 if body[j] == "\\" else 1
    return j + 1


def group_end(body: str, i: int) -> int:
    """The index after the group opening at ``body[i]``."""
    depth, j = 0, i
    while j < len(body):
        c = body[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = class_end(body, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return j


def first_letters(body: str) -> str | None:
    r"""The letters (both cases) a match of the regular expression ``body`` can start with, or None when unsure.

    Only plain letters are read (leading look-arounds and ``\b`` are skipped, groups are read into,
    an optional or repeated group adds the letters of what follows it); an alternative that may
    start with anything else (a class, an escape, nothing) gives None. A pattern can then try
    ``(?=[letters])`` first: positions where no alternative can start are passed over at once
    instead of trying every alternative there.
    """
    letters: set[str] = set()
    for alt in top_alternatives(body):
        found = _alternative_letters(alt)
        if found is None:
            return None
        letters.update(found)
    return "".join(sorted(letters)) if letters else None


def _alternative_letters(alt: str) -> set[str] | None:
    i = 0
    while True:
        if alt.startswith("\\b", i):
            i += 2
        elif alt.startswith(("(?<!", "(?<=", "(?=", "(?!"), i):
            i = group_end(alt, i)
        else:
            break
    if i >= len(alt):
        return None
    c = alt[i]
    if c == "(":
        end = group_end(alt, i)
        if end > len(alt):
            return None
        inner = alt[i + 1 : end - 1]
        if inner.startswith("?P<"):
            inner = inner[inner.index(">") + 1 :]
        elif inner.startswith("?:"):
            inner = inner[2:]
        elif inner.startswith("?"):
            return None  # flags, look-aheads
        found = first_letters(inner)
        if found is None:
            return None
        quantifier = alt[end : end + 1]
        if quantifier == "{":
            return None
        if quantifier in ("?", "*"):
            # an optional group: a match may also start with what follows it
            rest = alt[end + 1 :]
            rest = rest[1:] if rest[:1] in ("?", "+") else rest
            after = _alternative_letters(rest)
            return None if after is None else set(found) | after
        return set(found)
    if c.isascii() and c.isalpha() and alt[i + 1 : i + 2] not in _QUANTIFIED:
        return {c.lower(), c.upper()}
    return None


def starts_with_letters(body: str) -> str:
    """``(?=[...])`` of the letters that can start a match of ``body`` (both cases), or "" when unsure.

    Written in front of ``body`` it keeps the same matches.
    """
    letters = first_letters(body)
    return f"(?=[{letters}])" if letters else ""


def letters_first(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` with :func:`starts_with_letters` in front (same flags, same matches)."""
    ahead = starts_with_letters(pattern.pattern)
    return re.compile(f"{ahead}(?:{pattern.pattern})", pattern.flags) if ahead else pattern
