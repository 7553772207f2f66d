"""Login, logout, sessions and their cookies, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from web_helpers import PASSWORD, login

from caseseries.store.accounts import Accounts


def test_login_opens_a_session_and_logout_ends_it(client: Any, web_store: Any) -> None:
    assert client.get("/", follow_redirects=False).status_code == 303
    token = login(client, "alice")
    page = client.get("/")
    assert page.status_code == 200
    assert "alice" in page.text
    done = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused(client: Any) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = client.post("/login", data={"username": "alice", "password": PASSWORD + "x", "csrf_token": token.group(1)})
    assert done.status_code == 401
    assert "wrong password" in done.text
    assert "cs_session" not in client.cookies


def test_session_cookie_is_httponly_lax_and_holds_no_user_data(client: Any, web_store: Any) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    done = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    cookie = next(v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith("cs_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "samesite", "max-age", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "alice" not in value and len(value) >= 40
    assert Accounts(web_store).find_session(value) is None  # only its hash is stored
