"""What a command kept when it was interrupted (Ctrl-C): one line, exit code 130.

Commands and library stages say what they have kept with :func:`note_kept` (``"report/
written"``, ``"120 records stored, the rest not"``). Database writes are noticed on their own:
:func:`track_database_writes` counts committed transactions that changed something, so that an
interrupted command never claims that nothing was written when it had stored something.
"""

from __future__ import annotations

_kept: list[str] = []
_db_commits = 0
_tracking = False


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
    """Count committed database transactions that wrote something (installed once)."""
    global _tracking
    if _tracking:
        return
    from caseseries.store.sessions import on_committed_writes

    on_committed_writes(_count_commit)
    _tracking = True


def _count_commit() -> None:
    global _db_commits
    _db_commits += 1
