"""The account use cases the users commands, serve and the web login call: audited changes, rate-limited logins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseseries.app.accounts import (
    TooManyAttemptsError,
    UserRole,
    Via,
    add_user,
    authenticate,
    list_users,
    needs_first_admin,
    open_accounts,
    parse_role,
    remove_user,
    require_user,
    set_role,
)
from caseseries.errors import InputError
from caseseries.store import Store

PASSWORD = "a long enough secret"
WINDOW = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("value", "location", "expected"),
    [("admin", "--role", UserRole.ADMIN), (" Reviewer ", "ROLE", UserRole.REVIEWER),
     ("VIEWER", "--role", UserRole.VIEWER),
     ("chief", "ROLE", "Error: ROLE: unknown role 'chief'; allowed: admin, reviewer, viewer")],
)  # fmt: skip
def test_a_role_is_parsed_or_the_roles_are_listed(value: str, location: str, expected: UserRole | str) -> None:
    if isinstance(expected, UserRole):
        assert parse_role(value, location) is expected
    else:
        with pytest.raises(InputError) as caught:
            parse_role(value, location)
        assert f"Error: {caught.value}" == expected


def test_users_are_listed_and_every_change_is_audited(sqlite_url: str) -> None:
    accounts = open_accounts(Store.open(sqlite_url))
    assert needs_first_admin(accounts)
    assert list_users(accounts).lines() == ["No users; add one with: caseseries users add NAME --role admin"]
    assert list_users(accounts).to_json() == []
    add_user(accounts, "ann", UserRole.ADMIN, PASSWORD, actor="cli:root", via=Via.CLI)
    assert not needs_first_admin(accounts)
    accounts.add_user("bo", UserRole.VIEWER, "not a real hash")
    assert set_role(accounts, "bo", UserRole.REVIEWER, actor="ann", via=Via.WEB) is UserRole.VIEWER
    listed = list_users(accounts)
    assert listed.lines() == ["ann\tadmin", "bo\treviewer"]
    assert [(u["name"], u["role"]) for u in listed.to_json()] == [("ann", "admin"), ("bo", "reviewer")]
    assert all(u["created_at"].startswith("20") for u in listed.to_json())
    remove_user(accounts, "bo", actor="ann", via=Via.WEB)
    with pytest.raises(InputError, match=r"no user named 'bo'; see 'caseseries users list'") as caught:
        require_user(accounts, "bo")
    assert caught.value.location == "NAME"
    assert require_user(accounts, "ann").role is UserRole.ADMIN
    assert [(c.old, c.new, c.actor, c.via) for c in accounts.changes_for("user", "bo")] == [
        ("viewer", "reviewer", "ann", Via.WEB),
        ("reviewer", None, "ann", Via.WEB),
    ]
    assert [(c.field, c.new, c.via) for c in accounts.changes_for("user", "ann")] == [("role", "admin", Via.CLI)]


def test_a_bad_name_or_password_adds_nobody(sqlite_url: str) -> None:
    accounts = open_accounts(Store.open(sqlite_url))
    with pytest.raises(InputError, match="user name '-x' is not allowed"):
        add_user(accounts, "-x", UserRole.VIEWER, PASSWORD, actor="t", via=Via.CLI)
    with pytest.raises(InputError, match="the password is the user name"):
        add_user(accounts, "someone.long", UserRole.VIEWER, "Someone.Long", actor="t", via=Via.CLI)
    assert list_users(accounts).users == [] and accounts.changes_for("user", "someone.long") == []


def test_logins_are_checked_and_failures_rate_limited(sqlite_url: str) -> None:
    accounts = open_accounts(Store.open(sqlite_url))
    add_user(accounts, "ann", UserRole.REVIEWER, PASSWORD, actor="t", via=Via.CLI)
    user = authenticate(accounts, "ann", PASSWORD, "10.0.0.1", window=WINDOW, max_failures=2)
    assert user is not None and user.name == "ann"
    assert authenticate(accounts, "ann", "wrong guess", "10.0.0.1", window=WINDOW, max_failures=2) is None
    assert authenticate(accounts, "nobody", PASSWORD, "10.0.0.1", window=WINDOW, max_failures=2) is None
    with pytest.raises(TooManyAttemptsError) as caught:  # two failures from this client: even the right password waits
        authenticate(accounts, "ann", PASSWORD, "10.0.0.1", window=WINDOW, max_failures=2)
    assert 0 < caught.value.retry_after <= WINDOW.total_seconds()
    assert authenticate(accounts, "ann", PASSWORD, "10.0.0.2", window=WINDOW, max_failures=2) is not None
