"""Reading user files: text as UTF-8 and structured data (JSON or YAML), with one-line errors."""

from __future__ import annotations

import json
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


def read_data(path: str | Path) -> Any:
    """Read a JSON file, or a YAML file when the suffix is ``.yaml``/``.yml`` (decoded, not validated).

    Raises
    ------
    FormatError
        The file cannot be read, is not UTF-8, or is not valid JSON/YAML (naming line and column).
    """
    p = Path(path)
    text = read_text(p)
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
            raise FormatError(f"invalid YAML{where}; fix the syntax", source=str(p)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FormatError(
            f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}; fix the syntax", source=str(p)
        ) from None
