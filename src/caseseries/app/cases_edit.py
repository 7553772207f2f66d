"""Use case ``cases edit``: a stored patient round-trips through the user's editor and is validated again."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from caseseries.errors import InputError, ValidationError
from caseseries.files import decode_data
from caseseries.model.case import Patient
from caseseries.model.casejson import parse_case_data
from caseseries.store import Store, StoredPatient
from caseseries.vocab.check import check_case_file

_PREFIX = "documents[0].patients[0]"


def _editor() -> list[str]:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor or not shlex.split(editor):
        raise InputError("no editor is set; set EDITOR (e.g. EDITOR=nano) and run again", location="$EDITOR")
    return shlex.split(editor)


def _validate(text: str, name: str) -> list[Patient]:
    data = decode_data(text)
    if isinstance(data, dict) and ("documents" in data or "patients" in data or "schema" in data):
        raise ValidationError(
            "give one patient object (as opened); the document and its source cannot be changed here",
            location="(top level)",
        )
    case_file = parse_case_data(data, source=name)
    check_case_file(case_file, source=name)
    return [p for _, p in case_file.patients()]


def edit_patient(store: Store, stored: StoredPatient) -> str:
    """Open ``stored`` as Case JSON in ``$VISUAL``/``$EDITOR``; validate and store the edit.

    Returns
    -------
    str
        What happened (no change, or the new revision number).

    Raises
    ------
    InputError
        No editor, the editor failed, or the edit is invalid: nothing is changed and the
        edited text is kept in the file the message names.
    """
    command = _editor()
    original = stored.patient.model_dump(mode="json")
    fd, name = tempfile.mkstemp(prefix=f"caseseries-case-{stored.id}-", suffix=".json")
    path = Path(name)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(original, indent=2, ensure_ascii=False) + "\n")
    kept = f"nothing was changed; the edit is kept in {path}"
    kept_here = "nothing was changed; the edit is kept in this file"
    try:
        done = subprocess.run([*command, str(path)], check=False)  # the user's own editor
    except OSError as err:
        path.unlink(missing_ok=True)
        raise InputError(
            f"cannot run the editor {command[0]!r} ({err.strerror}); set EDITOR to an installed editor",
            location="$EDITOR",
        ) from None
    if done.returncode != 0:
        raise InputError(f"the editor exited with status {done.returncode}; {kept}", location="$EDITOR")
    try:
        text = path.read_text(encoding="utf-8")
        patients = _validate(text, str(path))
        if len(patients) != 1:
            raise ValidationError("give exactly one patient object", location="(top level)")
        patient = patients[0]
        if patient == stored.patient:
            path.unlink(missing_ok=True)
            return f"Case {stored.id}: no changes."
        revision = store.replace_patient(stored.id, patient, expected_revision=stored.revision)
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 at byte {err.start}; {kept_here}", source=str(path)) from None
    except InputError as err:
        location = err.location
        if location and location.startswith(_PREFIX):
            location = location[len(_PREFIX) :].lstrip(".") or "(top level)"
        raise err.__class__(f"{err.message}; {kept_here}", source=str(path), location=location) from None
    path.unlink(missing_ok=True)
    return f"Case {stored.id}: stored revision {revision}; revision {stored.revision} is kept in the history."
