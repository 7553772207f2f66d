"""User files: reading text and JSON/YAML with one-line errors; writing files and folders atomically."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from caseseries.errors import FormatError


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file.

    Raises
    ------
    FormatError
        The file cannot be read or is not UTF-8 (naming the byte offset).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise FormatError(f"cannot read file ({err.strerror}); check the path", source=str(p)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FormatError(f"not UTF-8 at byte {err.start}; save the file as UTF-8", source=str(p)) from None


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                mark = key_node.start_mark
                raise FormatError(
                    f"duplicate key {key!r} at line {mark.line + 1} column {mark.column + 1}; "
                    "give each key once (the later value would silently win)"
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"duplicate key {key!r}; give each key once (the later value would silently win)")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise FormatError(f"{name} is not a number in JSON; give a finite number or null")


def decode_data(text: str, *, yaml_syntax: bool = False) -> Any:
    """Decode JSON (or YAML) strictly: no duplicate keys, no NaN/Infinity, bounded nesting.

    Raises
    ------
    FormatError
        The text is not valid JSON/YAML (naming line and column), repeats a key, holds a
        non-finite number or is nested too deeply to be a caseseries file.
    """
    try:
        if yaml_syntax:
            try:
                return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
            except yaml.YAMLError as err:
                mark = getattr(err, "problem_mark", None)
                where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
                raise FormatError(f"invalid YAML{where}; fix the syntax") from None
        try:
            return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
        except json.JSONDecodeError as err:
            raise FormatError(
                f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}; fix the syntax"
            ) from None
    except RecursionError:
        raise FormatError("nested too deeply to be a caseseries file; check that it is the intended file") from None


def read_data(path: str | Path) -> Any:
    """Read a JSON file, or a YAML file when the suffix is ``.yaml``/``.yml`` (decoded, not validated).

    Decoding is strict (see :func:`decode_data`).

    Raises
    ------
    FormatError
        The file cannot be read, is not UTF-8, is not valid JSON/YAML (naming line and column),
        repeats a key, holds NaN/Infinity or is nested too deeply.
    """
    p = Path(path)
    text = read_text(p)
    try:
        return decode_data(text, yaml_syntax=p.suffix.lower() in (".yaml", ".yml"))
    except FormatError as err:
        raise FormatError(err.message, source=str(p)) from None


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write a file so that readers see either the old content or the new, never half of it.

    The data goes to a temporary file in the same folder, which then replaces ``path``.
    Parent folders are created. Text is written as UTF-8.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


@contextmanager
def staged_directory(out: str | Path) -> Iterator[Path]:
    """Fill a temporary folder beside ``out``, then put it in place of ``out`` in one step.

    On an error inside the ``with`` block the temporary folder is removed and ``out`` is left
    as it was; an existing ``out`` is only removed once the new folder has taken its place.

    Examples
    --------
    >>> with staged_directory("report") as tmp:  # doctest: +SKIP
    ...     (tmp / "report.html").write_text(html)
    """
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        yield tmp
        if not target.exists():
            tmp.rename(target)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        old.rmdir()
        target.rename(old)
        try:
            tmp.rename(target)
        except BaseException:
            old.rename(target)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
