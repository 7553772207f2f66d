"""What a command kept when it was interrupted (Ctrl-C): one line, exit code 130.

Commands and library stages say what they have kept with :func:`note_kept` (``"report/
written"``, ``"120 records stored, the rest not"``). Database writes are noticed on their own:
:func:`track_database_writes` counts committed transactions that changed something, so that an
interrupted command never claims that nothing was written when it had stored something.
"""

from __future__ import annotations

from typing import Any

_kept: list[str] = []
_db_commits = 0
_tracking = False
_WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "REPLACE", "MERGE", "UPSERT")


def reset() -> None:
    """Forget what earlier commands kept (at the start of a command)."""
    global _db_commits
    _kept.clear()
    _db_commits = 0


def note_kept(what: str) -> None:
    """Record something the running command has kept for good (a file written, records stored).

    A note replaces an earlier one that starts with the same first word, so progress can be
    reported as it goes (``"120 records stored, the rest not"``, then ``"240 records ..."``).
    """
    key = what.split(" ", 1)[0]
    _kept[:] = [k for k in _kept if k.split(" ", 1)[0] != key]
    _kept.append(what)


def message() -> str:
    """The one line printed on interruption."""
    if _kept:
        return "Interrupted: " + "; ".join(_kept)
    if _db_commits:
        return "Interrupted: database changes committed before the interruption are kept; the step in progress was not"
    return "Interrupted: nothing was written"


def track_database_writes() -> None:
    """Count committed database transactions that wrote something (SQLAlchemy events, installed once)."""
    global _tracking
    if _tracking:
        return
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def before_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            conn.info["caseseries_dirty"] = True

    def on_commit(conn: Any) -> None:
        global _db_commits
        if conn.info.pop("caseseries_dirty", False):
            _db_commits += 1

    def on_rollback(conn: Any) -> None:
        conn.info.pop("caseseries_dirty", None)

    event.listen(Engine, "before_cursor_execute", before_execute)
    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", on_rollback)
    _tracking = True
