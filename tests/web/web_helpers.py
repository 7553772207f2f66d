"""Helpers of the web tests: users, logging in, a live uvicorn server on loopback."""

from __future__ import annotations

import functools
import re
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

from fastapi import FastAPI

from caseseries.app import passwords
from caseseries.app.accounts import add_user
from caseseries.app.passwords import hash_password
from caseseries.store import Store
from caseseries.store.accounts import Accounts, UserRole, Via

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
USERS = {
    "admin": UserRole.ADMIN,
    "alice": UserRole.REVIEWER,
    "bob": UserRole.REVIEWER,
    "vera": UserRole.VIEWER,
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


@functools.cache
def _password_hash(password: str) -> str:
    return hash_password(password)


def add_users(store: Store, users: dict[str, UserRole]) -> None:
    """Create users with :data:`PASSWORD` through the product's ``add_user``.

    Argon2 is slow by design, so the password is hashed once per process and the users share
    that (real) hash; every login still verifies it.
    """
    accounts = Accounts(store)
    with mock.patch.object(passwords, "hash_password", _password_hash):
        for name, role in users.items():
            add_user(accounts, name, role, PASSWORD, actor="tests", via=Via.CLI)


def new_client(app: FastAPI) -> TestClient:
    """An in-process client that asks for HTML like a browser."""
    return TestClient(app, headers={"Accept": "text/html"})


def login(client: Any, name: str, password: str = PASSWORD) -> str:
    """Log ``client`` (TestClient or httpx.Client) in as ``name``; return the session's CSRF token."""
    page = client.get("/login")
    token = _CSRF.search(page.text)
    assert token, page.text
    done = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    home = client.get("/")
    meta = _META.search(home.text)
    assert meta and meta.group(1), home.text
    return meta.group(1)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """A running uvicorn server of the app."""

    url: str
    app: FastAPI
    store: Store


def serve_live(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yield the base URL; stop it afterwards."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def browser_login(page: Any, base_url: str, name: str, password: str = PASSWORD) -> None:
    """Log a Playwright page in through the login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("form.logout")
