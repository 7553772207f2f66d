"""Accounts: rate-limited logins, cookie flags, session expiry, the users commands, the audit API."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from web_helpers import PASSWORD, TestClient, login

from caseseries.cli import main
from caseseries.store import Store
from caseseries.store.accounts import Accounts, UserRole, Via
from caseseries.web import csrf
from caseseries.web.auth import SESSION_COOKIE


def _try(client: Any, name: str, password: str) -> Any:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def _client(app: FastAPI, host: str, **kwargs: Any) -> TestClient:
    return TestClient(app, headers={"Accept": "text/html"}, client=(host, 40000), **kwargs)


def test_failed_logins_are_rate_limited_per_user_and_per_client(app: FastAPI) -> None:
    first = _client(app, "10.0.0.1")
    for _ in range(5):
        assert _try(first, "alice", "wrong password").status_code == 401
    blocked = _try(first, "alice", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    wait = int(blocked.headers["Retry-After"])
    assert 0 < wait <= 300
    assert f"Try again in {wait} seconds" in blocked.text
    assert _try(_client(app, "10.0.0.2"), "alice", PASSWORD).status_code == 429  # per user
    assert _try(first, "bob", PASSWORD).status_code == 429  # per client address
    assert _try(_client(app, "10.0.0.3"), "bob", PASSWORD).status_code == 303  # others are not affected


def test_failures_of_unknown_names_count_for_the_client(app: FastAPI) -> None:
    client = _client(app, "10.0.0.9")
    for n in range(5):
        assert _try(client, f"nobody{n}", "x").status_code == 401
    assert _try(client, "alice", PASSWORD).status_code == 429


def _cookie(answer: Any) -> str:
    return next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_session_cookie_is_secure_over_https(make_app: Callable[..., FastAPI]) -> None:
    plain = make_app()
    assert "secure" not in _cookie(_try(_client(plain, "10.1.0.1"), "alice", PASSWORD)).lower()
    # behind a TLS proxy: the browser talks https, the app sees http but was told --https
    proxied = _client(make_app(https=True), "10.1.0.2")
    page = proxied.get("/login")
    login_cookie = next(v for k, v in page.headers.multi_items() if k == "set-cookie")
    assert login_cookie.startswith(csrf.LOGIN_COOKIE) and "; secure" in login_cookie.lower()
    token = login_cookie.split(";")[0].split("=", 1)[1]
    done = proxied.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"{csrf.LOGIN_COOKIE}={token}"},
        follow_redirects=False,
    )
    assert "; secure" in _cookie(done).lower()
    direct = _client(plain, "10.1.0.3", base_url="https://testserver")
    assert "; secure" in _cookie(_try(direct, "alice", PASSWORD)).lower()


def test_an_expired_session_is_refused(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(session_lifetime=timedelta(seconds=-1))
    client = _client(app, "10.2.0.1")
    assert _try(client, "alice", PASSWORD).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_changing_a_password_ends_the_users_sessions(app: FastAPI, client: Any, web_store: Store) -> None:
    login(client, "alice")
    assert client.get("/", follow_redirects=False).status_code == 200
    from caseseries.app.accounts import set_password

    set_password(Accounts(web_store), "alice", "a new long password", actor="admin", via=Via.CLI)
    assert client.get("/", follow_redirects=False).status_code == 303
    assert _try(_client(app, "10.3.0.1"), "alice", "a new long password").status_code == 303


def test_the_audit_api_keeps_changes_in_order(web_store: Store) -> None:
    accounts = Accounts(web_store)
    assert accounts.record_change(entity="patient", key="7", field="sex", old=None, new="female", actor="alice")
    assert not accounts.record_change(entity="patient", key="7", field="sex", old="female", new="female", actor="a")
    accounts.record_change(
        entity="patient", key="7", field="lines[0].agents", old=["crizotinib"], new=["alectinib"], actor="bob"
    )
    accounts.record_change(entity="patient", key="8", field="sex", old=None, new="male", actor="bob", via=Via.CLI)
    changes = accounts.changes_for("patient", "7")
    assert [(c.field, c.old, c.new, c.actor, c.via) for c in changes] == [
        ("sex", None, "female", "alice", Via.WEB),
        ("lines[0].agents", '["crizotinib"]', '["alectinib"]', "bob", Via.WEB),
    ]
    assert changes[0].changed_at <= changes[1].changed_at


def test_the_last_admin_cannot_be_demoted_or_removed(web_store: Store) -> None:
    from caseseries.errors import InputError

    accounts = Accounts(web_store)
    with pytest.raises(InputError, match="'admin' is the only admin"):
        accounts.set_role("admin", UserRole.VIEWER)
    with pytest.raises(InputError, match="'admin' is the only admin"):
        accounts.remove_user("admin")
    accounts.set_role("alice", UserRole.ADMIN)
    accounts.remove_user("admin")
    assert [u.name for u in accounts.users()] == ["alice", "bob", "vera"]


# ---------------------------------------------------------------------------------- command line


def _run(args: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_users_commands(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    db = ["--db", sqlite_url]
    assert _run(
        [*db, "users", "add", "ann", "--role", "admin", "--password-stdin"], "pass-word-1\n", monkeypatch, capsys
    )[:2] == (0, "User ann added (admin).\n")
    code, _, err = _run(
        [*db, "users", "add", "ann", "--role", "viewer", "--password-stdin"], "x" * 9, monkeypatch, capsys
    )
    assert (code, err) == (2, "Error: NAME: a user named 'ann' exists; choose another name\n")
    code, _, err = _run([*db, "users", "add", "bo", "--role", "chief", "--password-stdin"], "", monkeypatch, capsys)
    assert (code, err) == (2, "Error: --role: unknown role 'chief'; allowed: admin, reviewer, viewer\n")
    code, _, err = _run(
        [*db, "users", "add", "bo", "--role", "viewer", "--password-stdin"], "short\n", monkeypatch, capsys
    )
    assert (code, err) == (2, "Error: the password is shorter than 8 characters; choose a longer one\n")
    code, _, err = _run([*db, "users", "add", "bo", "--role", "viewer"], "", monkeypatch, capsys)
    assert code == 2 and "pipe it with --password-stdin" in err
    assert (
        _run([*db, "users", "add", "bo", "--role", "viewer", "--password-stdin"], "pass-word-2\n", monkeypatch, capsys)[
            0
        ]
        == 0
    )
    assert _run([*db, "users", "set-role", "bo", "reviewer"], "", monkeypatch, capsys)[:2] == (
        0,
        "User bo: viewer -> reviewer.\n",
    )
    code, out, _ = _run([*db, "users", "list"], "", monkeypatch, capsys)
    assert (code, out) == (0, "ann\tadmin\nbo\treviewer\n")
    assert _run([*db, "users", "passwd", "bo", "--password-stdin"], "pass-word-3\n", monkeypatch, capsys)[0] == 0
    code, _, err = _run([*db, "users", "remove", "ann"], "", monkeypatch, capsys)
    assert code == 2 and "'ann' is the only admin" in err
    assert _run([*db, "users", "remove", "bo"], "", monkeypatch, capsys)[:2] == (0, "User bo removed.\n")
    code, _, err = _run([*db, "users", "passwd", "bo", "--password-stdin"], "pass-word-4\n", monkeypatch, capsys)
    assert (code, err) == (2, "Error: NAME: no user named 'bo'; see 'caseseries users list'\n")
    changes = Accounts(Store.open(sqlite_url)).changes_for("user", "bo")
    assert [(c.field, c.old, c.new, c.via) for c in changes] == [
        ("role", None, "viewer", Via.CLI),
        ("role", "viewer", "reviewer", Via.CLI),
        ("password", "(set)", "(changed)", Via.CLI),
        ("role", "reviewer", None, Via.CLI),
    ]


def test_serve_without_users_and_without_a_terminal_exits_2(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = _run(["--db", sqlite_url, "serve", "--port", "1"], "", monkeypatch, capsys)
    assert code == 2
    assert (
        err == "Error: users: no user can log in yet; create an admin first: caseseries users add NAME --role admin\n"
    )
