"""Output folders shared with the user's own files: a manifest, exact replacement, crash safety.

A folder caseseries writes (the evidence report, a phenopacket export) holds a manifest,
``.caseseries-manifest`` (JSON), listing every file caseseries wrote there with its size and
SHA-256. A later run into the same folder:

- replaces exactly the files of the manifest that are still as caseseries wrote them;
- removes a file of the previous run that this run no longer writes, unless it belongs to a
  group the caller keeps (``report --format md`` keeps the HTML and DOCX written earlier) or
  it was changed since (then it is the user's: left alone and dropped from the manifest);
- never touches any other file, and refuses to overwrite one;
- refuses a non-empty folder without a manifest unless ``force`` (which adds caseseries' files
  beside the others).

Crash safety. New files are written to a hidden staging folder inside the output folder. Once
complete, the staging folder is renamed to ``.caseseries-commit`` (the commit point; it holds the
plan: the new manifest and the files to remove); then every file is moved into place, the
removed ones are removed and the new manifest replaces the old one. A run killed before the
commit point leaves the previous state (its staging folder is removed by the next run); a run
killed after it is completed by the next run, before anything else happens in the folder. Only
one run writes a folder at a time (an advisory lock on the folder).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from caseseries import __version__
from caseseries.errors import InputError
from caseseries.files import check_folder_target, write_atomic

try:  # POSIX; elsewhere a folder is written without the advisory lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

MANIFEST = ".caseseries-manifest"  # JSON; no .json suffix, so that "*.json" globs find only the outputs
COMMIT = ".caseseries-commit"
STAGE_PREFIX = ".caseseries-stage-"
PLAN = ".caseseries-plan.json"
TOOL = "caseseries"


@dataclass(frozen=True)
class ManifestEntry:
    """One file caseseries wrote: size, SHA-256 and the group it belongs to (e.g. a report format)."""

    size: int
    sha256: str
    group: str = ""

    def to_json(self) -> dict[str, Any]:
        """As stored in the manifest."""
        return {"size": self.size, "sha256": self.sha256, "group": self.group}


@dataclass(frozen=True)
class Manifest:
    """What caseseries wrote into a folder.

    Attributes
    ----------
    kind : str
        What the folder holds (``report``, ``phenopacket``).
    files : dict of str to ManifestEntry
        Relative POSIX paths of the files written.
    version : str
        The caseseries version that wrote it.
    """

    kind: str
    files: dict[str, ManifestEntry]
    version: str = __version__

    def to_json(self) -> dict[str, Any]:
        """The manifest file's content."""
        return {
            "tool": TOOL,
            "version": self.version,
            "kind": self.kind,
            "written_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files": {rel: e.to_json() for rel, e in sorted(self.files.items())},
        }


def read_manifest(folder: str | Path) -> Manifest | None:
    """The manifest of ``folder``, or None when there is none.

    Raises
    ------
    InputError
        The manifest exists but is not one caseseries wrote (names the file and the fix).
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    return _parse_manifest(path, _load_json(path))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputError(
            "not a caseseries manifest (unreadable); remove it or choose another folder", source=str(path)
        ) from None


def _parse_manifest(path: Path, data: Any) -> Manifest:
    bad = InputError("not a caseseries manifest; remove it or choose another folder", source=str(path))
    if not isinstance(data, dict) or data.get("tool") != TOOL or not isinstance(data.get("files"), dict):
        raise bad
    files: dict[str, ManifestEntry] = {}
    for rel, entry in data["files"].items():
        if not (isinstance(rel, str) and _safe_relative(rel) and isinstance(entry, dict)):
            raise bad
        size, sha, group = entry.get("size"), entry.get("sha256"), entry.get("group", "")
        if not (isinstance(size, int) and isinstance(sha, str) and isinstance(group, str)):
            raise bad
        files[rel] = ManifestEntry(size, sha, group)
    return Manifest(kind=str(data.get("kind", "")), files=files, version=str(data.get("version", "")))


def _safe_relative(rel: str) -> bool:
    """A path that stays inside the folder and is not one of caseseries' hidden bookkeeping names."""
    p = PurePosixPath(rel)
    return (
        bool(rel)
        and not p.is_absolute()
        and "\\" not in rel
        and all(part not in ("", ".", "..") and not part.startswith(".caseseries") for part in p.parts)
    )


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's content (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unchanged(path: Path, entry: ManifestEntry) -> bool:
    """True when ``path`` is a regular file (not a link) with the size and hash caseseries wrote."""
    try:
        st = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == entry.size and sha256_file(path) == entry.sha256


class OutputFolder:
    """The staging area of one run: files written here go into the output folder on success.

    Use :func:`output_folder` to get one.
    """

    def __init__(self, target: Path, stage: Path):
        self.target = target
        self.stage = stage
        self._groups: dict[str, str] = {}

    def path(self, rel: str, group: str = "") -> Path:
        """A path in the staging area to write ``rel`` to (parents created); for writers that want a path."""
        if not _safe_relative(rel):
            raise InputError(f"file name {rel!r} is not a plain relative path inside the folder", source=str(rel))
        self._groups[rel] = group
        path = self.stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, rel: str, data: str | bytes, group: str = "") -> Path:
        """Write ``rel`` (text as UTF-8); return where it will be in the output folder."""
        path = self.path(rel, group)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return self.target / rel

    @property
    def written(self) -> dict[str, str]:
        """Relative paths written so far, with their groups."""
        return dict(self._groups)


Adopt = Callable[[Path, list[str], dict[str, str]], bool]


@contextmanager
def output_folder(
    out: str | Path,
    *,
    kind: str,
    force: bool = False,
    keep_groups: Sequence[str] = (),
    adopt: Adopt | None = None,
) -> Iterator[OutputFolder]:
    """Write files into folder ``out`` safely; see the module documentation for the rules.

    Parameters
    ----------
    out : str or Path
        The output folder (created when missing).
    kind : str
        What the folder holds; a folder holding another kind of caseseries output is refused.
    force : bool
        Write into a non-empty folder caseseries did not write, beside the files there.
    keep_groups : sequence of str
        Groups of earlier files to keep when this run does not write them.
    adopt : callable or None
        ``adopt(folder, existing_files, new_files)`` says whether a folder without a manifest holds
        only the output of a caseseries version that wrote none (its files are then replaced).

    Raises
    ------
    InputError
        ``out`` is not a folder, is not empty and was not written by caseseries (without
        ``force``), holds files in the way of caseseries' files, or is being written by another run.

    Examples
    --------
    >>> with output_folder("report", kind="report") as folder:  # doctest: +SKIP
    ...     folder.write("report.html", html, group="html")
    """
    target = check_folder_target(out)
    target.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        recover(target)
        old = _previous(target, kind)
        foreign = old is None and any(target.iterdir())
        if foreign and not force and adopt is None:
            raise _foreign(target)
        stage = target / f"{STAGE_PREFIX}{secrets.token_hex(6)}"
        stage.mkdir()
        try:
            folder = OutputFolder(target, stage)
            yield folder
            if foreign:
                old = _adopted(target, adopt, folder.written) if adopt is not None else None
                if old is None and not force:
                    raise _foreign(target)
            plan = _plan(target, stage, kind, folder.written, old, keep_groups)
            write_atomic(stage / PLAN, json.dumps(plan, indent=1) + "\n")
            stage.rename(target / COMMIT)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        try:
            _apply(target)
        except BaseException:
            _apply(target)  # interrupted after the commit point: finish it
            raise
    from caseseries.interrupt import note_kept

    note_kept(f"{target} written")


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(target, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError(
                "another caseseries run is writing this folder; wait for it to finish", source=str(target)
            ) from None
        yield
    finally:
        os.close(fd)


def recover(target: Path) -> None:
    """Finish a run that was killed after its commit point; remove what killed runs left before it."""
    if (target / COMMIT).is_dir():
        _apply(target)
    for leftover in target.glob(f"{STAGE_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in target.glob(f".{MANIFEST}.*.part"):
        leftover.unlink(missing_ok=True)


def _foreign(target: Path) -> InputError:
    return InputError(
        "folder is not empty and was not written by caseseries; choose an empty folder or pass --force",
        source=str(target),
    )


def _previous(target: Path, kind: str) -> Manifest | None:
    manifest = read_manifest(target)
    if manifest is not None and manifest.kind != kind:
        raise InputError(
            f"folder holds a caseseries {manifest.kind or 'output'}, not a {kind}; choose another folder",
            source=str(target),
        )
    return manifest


def _adopted(target: Path, adopt: Adopt, new: dict[str, str]) -> Manifest | None:
    existing = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    existing = [rel for rel in existing if _safe_relative(rel)]
    if not existing or not adopt(target, existing, new):
        return None
    files = {rel: ManifestEntry((target / rel).stat().st_size, sha256_file(target / rel), new.get(rel, ""))
             for rel in existing}  # fmt: skip
    return Manifest(kind="", files=files)


def _plan(
    target: Path,
    stage: Path,
    kind: str,
    written: dict[str, str],
    old: Manifest | None,
    keep_groups: Sequence[str],
) -> dict[str, Any]:
    previous = old.files if old else {}
    files: dict[str, ManifestEntry] = {}
    problems: list[str] = []
    for rel, group in sorted(written.items()):
        src = stage / rel
        files[rel] = ManifestEntry(src.stat().st_size, sha256_file(src), group)
        problem = _in_the_way(target, rel, previous.get(rel))
        if problem:
            problems.append(problem)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{problems[0]}{more}")
    remove: dict[str, str] = {}
    for rel, entry in previous.items():
        if rel in files or not _unchanged(target / rel, entry):
            continue  # rewritten, or gone or changed by the user: no longer caseseries' file
        if entry.group and entry.group in keep_groups:
            files[rel] = entry
        else:
            remove[rel] = entry.sha256
    manifest = Manifest(kind=kind, files=files)
    return {"manifest": manifest.to_json(), "remove": remove}


def _in_the_way(target: Path, rel: str, entry: ManifestEntry | None) -> str | None:
    """Why ``rel`` cannot be written into ``target``, or None."""
    parts = PurePosixPath(rel).parts
    here = target
    for part in parts[:-1]:
        here = here / part
        if here.is_symlink() or (here.exists() and not here.is_dir()):
            return f"{here}: is in the way of caseseries' {rel}; move it away or choose another folder"
    dest = target / rel
    if not os.path.lexists(dest):
        return None
    if entry is None:
        return f"{dest}: exists and was not written by caseseries; move it away or choose another folder"
    if not _unchanged(dest, entry):
        return f"{dest}: was changed after caseseries wrote it; move it away or choose another folder"
    return None


def _apply(target: Path) -> None:
    """Carry out the committed plan in ``target/.caseseries-commit`` (idempotent)."""
    commit = target / COMMIT
    plan_path = commit / PLAN
    if plan_path.exists():
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        for rel in plan["manifest"]["files"]:
            src = commit / rel
            if _safe_relative(rel) and src.is_file():
                dest = target / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
        for rel, sha in plan["remove"].items():
            path = target / rel
            if _safe_relative(rel) and path.is_file() and not path.is_symlink() and sha256_file(path) == sha:
                path.unlink()
                _remove_empty_parents(target, path.parent)
        write_atomic(target / MANIFEST, json.dumps(plan["manifest"], indent=1, ensure_ascii=False) + "\n")
    shutil.rmtree(commit, ignore_errors=True)


def _remove_empty_parents(target: Path, folder: Path) -> None:
    while folder != target and target in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
