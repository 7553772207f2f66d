"""Regular expressions for long lists of names, factored by common prefix.

A plain alternation of a few hundred names (``lung|lymph node|liver|...``) makes the regular
expression engine try every name at every position of a text. The same names written as a trie
(``l(?:ung|ymph node|iver)``) try one branch per letter, which keeps the vocabulary
matchers fast however long the curated vocabularies grow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["alternation"]

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
