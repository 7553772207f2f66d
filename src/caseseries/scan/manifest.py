"""The scan manifest: which files of a scan are done, with their counts, so a scan can resume.

The manifest (``scan-manifest.json`` in the output folder) is written by the client, atomically,
after each file's task has returned and its tables are in place. A file is identified by its
output stem, size and modification time: a resumed scan skips the files it lists and never
counts a file twice; a file that changed since is scanned again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from caseseries.errors import InputError
from caseseries.files import write_atomic
from caseseries.scan.task import FileResult

MANIFEST = "scan-manifest.json"
SCHEMA = "caseseries-scan/1"


def file_identity(path: str) -> tuple[int, int]:
    """Size and modification time (ns) of a local file; ``(-1, -1)`` for a URL."""
    if "://" in path:
        return (-1, -1)
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns)


@dataclass
class Manifest:
    """The state of a scan: the protocol, and the files done in the order they are applied.

    Attributes
    ----------
    folder : Path
        The scan's output folder.
    protocol : str
        The protocol the scan screens with.
    done : dict of str to dict
        Per output stem: the file's :class:`FileResult` fields plus ``size`` and ``mtime_ns``.
    """

    folder: Path
    protocol: str
    done: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path, protocol: str) -> Manifest:
        """Read the manifest of ``folder`` (a new, empty one when there is none).

        Raises
        ------
        InputError
            If the folder holds a scan made with another protocol, or an unreadable manifest.
        """
        path = folder / MANIFEST
        if not path.exists():
            if folder.exists() and any(p.name != MANIFEST for p in folder.iterdir()):
                raise InputError(
                    "the folder is not empty and holds no scan manifest; choose an empty or new folder",
                    source=str(folder),
                )
            return cls(folder, protocol)
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("schema") != SCHEMA:
                raise ValueError(data.get("schema"))
            manifest = cls(folder, str(data["protocol"]), dict(data["files"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise InputError(
                f"cannot read {MANIFEST} (not a caseseries scan manifest); choose another folder", source=str(folder)
            ) from None
        if manifest.protocol != protocol:
            raise InputError(
                f"the folder holds a scan with protocol {manifest.protocol!r}, not {protocol!r}; "
                "choose another folder for this protocol",
                source=str(folder),
            )
        return manifest

    def is_done(self, path: str, stem: str) -> bool:
        """Whether ``path`` was scanned completely, unchanged since."""
        entry = self.done.get(stem)
        if entry is None:
            return False
        size, mtime = file_identity(path)
        return bool(entry.get("size") == size and entry.get("mtime_ns") == mtime)

    def add(self, result: FileResult) -> None:
        """Record a finished file and write the manifest (atomically)."""
        size, mtime = file_identity(result.path)
        self.done[result.name] = {**result.to_json(), "size": size, "mtime_ns": mtime}
        self.save()

    def save(self) -> None:
        """Write the manifest to the folder."""
        data = {"schema": SCHEMA, "protocol": self.protocol, "files": self.done}
        write_atomic(self.folder / MANIFEST, json.dumps(data, indent=1, ensure_ascii=False))

    def results(self, stems: list[str]) -> list[FileResult]:
        """The finished files among ``stems``, in that order."""
        fields = set(FileResult.__dataclass_fields__)
        return [FileResult(**{k: v for k, v in self.done[s].items() if k in fields}) for s in stems if s in self.done]
