"""User files: reading text and JSON/YAML with one-line errors; writing output files safely.

Output files are written atomically (readers see the old content or the new, never half of
it), with the user's umask, and only over regular files: a folder, a device node, a FIFO or a
socket given as an output file is refused, ``-`` means standard output. Folders of output files
are handled by :mod:`caseseries.output_folder`.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import secrets
import stat
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from caseseries.errors import FormatError, InputError, ValidationError

try:  # POSIX; elsewhere stale temporary files are not cleaned up
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

STDOUT = "-"
MAX_NAME = 100
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


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


def read_data_file(path: str | Path | None, *, package: str, name: str, what: str) -> tuple[str, str]:
    """The text of a curator-edited data file and the name to report it by.

    Parameters
    ----------
    path : str or Path or None
        The user's file; ``None`` reads the file ``data/<name>`` shipped in ``package``.
    package : str
        The package holding the shipped file (``caseseries.analysis``).
    name : str
        The shipped file's name in the package's ``data`` folder.
    what : str
        What the file is, for the error message (``cohorts file``).

    Raises
    ------
    FormatError
        If the user's file cannot be read as UTF-8 text.
    """
    if path is None:
        text = resources.files(package).joinpath("data", name).read_text("utf-8")
        return text, f"{package.replace('.', '/')}/data/{name}"
    p = Path(path)
    try:
        return p.read_text("utf-8"), str(p)
    except (OSError, UnicodeDecodeError) as err:
        raise FormatError(f"cannot read {what} ({err}); check the path", source=str(p)) from None


def load_yaml_mapping(text: str, *, source: str, expected: str) -> dict[str, Any]:
    """Parse a curator-edited YAML data file that must hold a mapping.

    Parameters
    ----------
    text : str
        The file's text.
    source : str
        The file's name, for error messages.
    expected : str
        The keys the mapping should have, named in the error when it is not a mapping.

    Raises
    ------
    FormatError
        If the YAML does not parse (naming the line).
    ValidationError
        If the document is not a mapping.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise FormatError(f"invalid YAML{where}; fix the syntax", source=source) from None
    if not isinstance(data, dict):
        raise ValidationError(f"expected a mapping with keys {expected}", source=source)
    return data


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


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _mode(path: Path, what: str) -> int | None:
    """The file type and mode bits of ``path``, or None when it does not exist."""
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as err:
        raise InputError(f"cannot check the output {what} ({err.strerror}); check the path", source=str(path)) from None


def check_file_target(path: str | Path) -> Path:
    """The file an output should replace: ``path`` itself, or the file a symbolic link points to.

    Raises
    ------
    InputError
        ``path`` is a folder, a device, a FIFO or a socket (never replaced by a file, even as root).
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    mode = _mode(target, "file")
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(f"is {_kind(mode)}, not a file; give a file path (or - for standard output)", source=str(path))
    return target


def check_folder_target(path: str | Path) -> Path:
    """The folder an output folder goes to (it may not exist yet).

    Raises
    ------
    InputError
        ``path`` is ``-`` or exists and is not a folder.
    """
    if str(path) == STDOUT:
        raise InputError("this output is a folder, not a stream; give a folder path", location="--out")
    target = Path(path)
    mode = _mode(target, "folder")
    if mode is not None and not stat.S_ISDIR(mode):
        raise InputError("exists and is not a directory; choose another --out", source=str(path))
    return target


def _remove_stale_temporaries(target: Path) -> None:
    """Remove temporary files of ``target`` left by killed runs (those no running writer holds locked)."""
    if fcntl is None:  # pragma: no cover
        return
    for name in glob.glob(glob.escape(str(target.parent / f".{target.name[:MAX_NAME]}.")) + "*.part"):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.unlink(name)
        except OSError:
            pass  # another run is writing it
        finally:
            os.close(fd)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write a file so that readers see either the old content or the new, never half of it.

    The data goes to a temporary file in the same folder, which then replaces ``path``. A new
    file gets the permissions the umask allows; a replaced file keeps its permissions. Parent
    folders are created. Text is written as UTF-8. A symbolic link is followed (the file it
    points to is replaced).

    Raises
    ------
    InputError
        ``path`` is a folder, a device, a FIFO or a socket.
    """
    target = check_file_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target)
    tmp = target.parent / f".{target.name[:MAX_NAME]}.{secrets.token_hex(6)}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # a running writer's file is not stale
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(fh.fileno(), stat.S_IMODE(target.stat().st_mode))  # a replaced file keeps its mode
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_output(path: str | Path, data: str | bytes) -> str:
    """Write an output file atomically, or to standard output when ``path`` is ``-``; return where."""
    if str(path) == STDOUT:
        write_stdout(data)
        return "standard output"
    return str(write_atomic(path, data))


def write_stdout(data: str | bytes) -> None:
    """Write to standard output and flush.

    Raises
    ------
    InputError
        Standard output cannot be written (a full disk, a closed pipe); standard output is then
        redirected to the null device so that nothing fails again at exit.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(raw)
            buffer.flush()
        else:
            sys.stdout.write(raw.decode("utf-8"))
            sys.stdout.flush()
    except OSError as err:
        silence_stdout()
        raise InputError(
            f"cannot write to standard output ({err.strerror}); free some space or write to a file with --out",
            source="stdout",
        ) from None


def silence_stdout() -> None:
    """Point standard output at the null device (after a write to it failed), dropping what is buffered."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def safe_file_name(name: str, *, max_len: int = MAX_NAME) -> str:
    """A file name derived from ``name``: letters, digits, ``.``, ``_`` and ``-`` only, at most ``max_len`` long.

    A name that had to be cut ends with ``_`` and 8 hex digits of its SHA-256, so that names
    that differ only after the cut stay different.

    Examples
    --------
    >>> safe_file_name("PMID 123: case 1/2")
    'PMID_123_case_1_2'
    >>> len(safe_file_name("x" * 300))
    100
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-") or "file"
    if cleaned.split(".")[0].lower() in _RESERVED:
        cleaned = f"_{cleaned}"
    if len(cleaned) <= max_len:
        return cleaned
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{cleaned[: max_len - 9].rstrip('._-')}_{digest}"


def unique_file_name(name: str, used: set[str], *, suffix: str = "") -> str:
    """``name + suffix``, or ``name_2 + suffix`` ... when already in ``used`` (compared case-insensitively)."""
    candidate, n = f"{name}{suffix}", 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{name}_{n}{suffix}"
    used.add(candidate.casefold())
    return candidate
