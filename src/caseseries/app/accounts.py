"""Use cases of the accounts of the web app, called by ``caseseries users``, ``serve`` and the web app.

Every change to a user (added, role changed, password changed, removed) is written to the
audit log with who made it and through which adapter; passwords are checked against the rules
of :mod:`caseseries.app.passwords` and only their Argon2 hash is stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from caseseries.app.choice import parse_choice
from caseseries.errors import InputError
from caseseries.store import Store
from caseseries.store.accounts import Accounts, User, UserRole, Via
from caseseries.store.schema import utcnow

__all__ = ["USER_ENTITY", "Accounts", "TooManyAttemptsError", "User", "UserList", "UserRole", "Via", "add_user",
           "authenticate", "list_users", "needs_first_admin", "open_accounts", "parse_role", "remove_user",
           "require_user", "set_password", "set_role"]  # fmt: skip

USER_ENTITY = "user"
"""The entity name of the audit-log entries about users."""


def open_accounts(store: Store) -> Accounts:
    """The users, sessions and audit log of ``store``."""
    return Accounts(store)


def parse_role(value: str, location: str = "--role") -> UserRole:
    """The role named ``value`` (case and spaces ignored), or InputError listing the roles."""
    return parse_choice(UserRole, value.strip().lower(), location, "role")


def require_user(accounts: Accounts, name: str) -> User:
    """The user named ``name``, or InputError saying how to list the users."""
    user = accounts.get_user(name)
    if user is None:
        raise InputError(f"no user named {name!r}; see 'caseseries users list'", location="NAME")
    return user


def needs_first_admin(accounts: Accounts) -> bool:
    """Whether no user exists yet, so that nobody could log in to the web app."""
    return accounts.count_users(UserRole.ADMIN) == 0 and accounts.count_users() == 0


@dataclass(frozen=True)
class UserList:
    """The users, by name, with their roles."""

    users: list[User]

    def to_json(self) -> list[dict[str, Any]]:
        """Name, role and creation time of every user (``users list --json``)."""
        return [{"name": u.name, "role": u.role.value, "created_at": u.created_at.isoformat()} for u in self.users]

    def lines(self) -> list[str]:
        """One ``name<TAB>role`` line per user, or how to add the first one."""
        if not self.users:
            return ["No users; add one with: caseseries users add NAME --role admin"]
        return [f"{u.name}\t{u.role.value}" for u in self.users]


def list_users(accounts: Accounts) -> UserList:
    """Every user, by name."""
    return UserList(accounts.users())


def add_user(accounts: Accounts, name: str, role: UserRole, password: str, *, actor: str, via: Via) -> User:
    """Create a user after checking the name and the password; audited as a change of ``role``."""
    from caseseries.app.passwords import check_name, check_password, hash_password

    check_password(password, check_name(name))
    user = accounts.add_user(name, role, hash_password(password))
    accounts.record_change(entity=USER_ENTITY, key=name, field="role", old=None, new=role.value, actor=actor, via=via)
    return user


def set_role(accounts: Accounts, name: str, role: UserRole, *, actor: str, via: Via) -> UserRole:
    """Change a user's role; return the previous one (the last admin keeps the role)."""
    old = accounts.set_role(name, role)
    accounts.record_change(
        entity=USER_ENTITY, key=name, field="role", old=old.value, new=role.value, actor=actor, via=via
    )
    return old


def set_password(accounts: Accounts, name: str, password: str, *, actor: str, via: Via) -> None:
    """Replace a user's password (the user's sessions end); audited without the password."""
    from caseseries.app.passwords import check_password, hash_password

    check_password(password, name)
    accounts.set_password_hash(name, hash_password(password))
    accounts.record_change(
        entity=USER_ENTITY, key=name, field="password", old="(set)", new="(changed)", actor=actor, via=via
    )


def remove_user(accounts: Accounts, name: str, *, actor: str, via: Via) -> None:
    """Delete a user; the audit log keeps the name (the last admin cannot be removed)."""
    user = accounts.get_user(name)
    accounts.remove_user(name)
    old = user.role.value if user else None
    accounts.record_change(entity=USER_ENTITY, key=name, field="role", old=old, new=None, actor=actor, via=via)


class TooManyAttemptsError(Exception):
    """Too many failed logins; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} seconds")


def _check_rate(accounts: Accounts, username: str, client: str, window: timedelta, max_failures: int) -> None:
    now = utcnow()
    by_user, by_client = accounts.login_failures(username, client, now - window)
    blocking = [times[-max_failures] for times in (by_user, by_client) if len(times) >= max_failures]
    if blocking:
        free_at = max(blocking) + window
        raise TooManyAttemptsError(max(1, math.ceil((free_at - now).total_seconds())))


def authenticate(
    accounts: Accounts, username: str, password: str, client: str, *, window: timedelta, max_failures: int
) -> User | None:
    """The user if the password is right, else None and the failure is recorded.

    Parameters
    ----------
    accounts : Accounts
        The users and the login failures.
    username, password : str
        What was typed.
    client : str
        The client's address: failures are counted per user name and per client.
    window : timedelta
        How far back failures count (older ones are forgotten after twice the window).
    max_failures : int
        Failures in the window, per user name or per client, after which logins wait.

    Raises
    ------
    TooManyAttemptsError
        When ``max_failures`` failures in the window block the login (even with the right password).
    """
    from caseseries.app.passwords import verify_password

    _check_rate(accounts, username, client, window, max_failures)
    user = accounts.get_user(username)
    if user is not None and verify_password(accounts.password_hash(username), password):
        return user
    if user is None:
        verify_password(None, password)  # the same time for unknown names
    accounts.record_login_failure(username, client)
    accounts.forget_login_failures(utcnow() - 2 * window)
    return None
