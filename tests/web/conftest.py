"""Fixtures of the web tests (helpers in :mod:`web_helpers`).

- ``web_store``: a migrated store (SQLite and PostgreSQL, via ``db_url``) with the users of
  ``web_helpers.USERS`` (name -> role); every password is ``web_helpers.PASSWORD``.
- ``make_app``: builds the app on ``web_store`` (keyword arguments go to ``create_app``).
- ``app``, ``client``: the app with no protocol and an in-process client (not logged in);
  ``web_helpers.login(client, "alice")`` logs it in and returns the session's CSRF token.
- ``live_server``: the app served by uvicorn on 127.0.0.1 on a free port, for Chromium and for
  concurrent httpx clients; ``live_server.url`` is its base URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from tests.conftest import DbTemplate
from web_helpers import USERS, LiveServer, TestClient, add_users, new_client, serve_live

from caseseries.store import Store
from caseseries.web import create_app


def _with_users(url: str) -> Store:
    store = Store.open(url)
    add_users(store, USERS)
    return store


@pytest.fixture
def db_template() -> DbTemplate:
    """``db_url`` in the web tests is a copy of a store with the users (hashed once: Argon2 is slow by design)."""
    return ("web-users", _with_users)


@pytest.fixture
def web_store(db_url: str) -> Store:
    """A migrated store with the users of :data:`USERS`, on SQLite and on PostgreSQL."""
    return Store.open(db_url)


@pytest.fixture
def make_app(web_store: Store) -> Callable[..., FastAPI]:
    """Build the app on ``web_store``; keyword arguments go to :func:`create_app`."""

    def make(**kwargs: Any) -> FastAPI:
        kwargs.setdefault("protocols", [])
        return create_app(store=web_store, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    """The app on ``web_store`` with no protocol."""
    return make_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process client of ``app`` (not logged in)."""
    with new_client(app) as c:
        yield c


@pytest.fixture
def live_server(app: FastAPI, web_store: Store) -> Iterator[LiveServer]:
    """``app`` served on loopback (a free port) for the test's duration."""
    for url in serve_live(app):
        yield LiveServer(url, app, web_store)
