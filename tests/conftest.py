"""Shared fixtures: databases (SQLite and PostgreSQL), paths to shared seeds and test data."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from caseseries.store import Store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("CASESERIES_SHARED") or ROOT.parent / "shared")
"""The shared folder beside the repository (seeds, corpora, real files); ``CASESERIES_SHARED`` overrides it."""
SEEDS = SHARED / "seeds"
SEED_000 = SEEDS / "000_9a263966bb2574b4.txt"
SEED_003 = SEEDS / "003_90a95ad148c6f17c.txt"

_SHARED_NAMES = frozenset({"SHARED", "SEEDS", "SEED_000", "SEED_003"})


def _uses_shared(item: pytest.Item) -> bool:
    """Whether a test names a path of the shared folder in its body or its parameters."""
    function = getattr(item, "function", None)
    if function is not None and _SHARED_NAMES & set(function.__code__.co_names):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(isinstance(v, Path) and v.is_relative_to(SHARED) for v in params.values())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests that read the shared folder when it is absent (a clone of the repository alone)."""
    if SEEDS.is_dir():
        return
    skip = pytest.mark.skip(reason=f"{SHARED} is absent: the test reads the shared seeds or corpora")
    for item in items:
        if _uses_shared(item):
            item.add_marker(skip)


_getaddrinfo = socket.getaddrinfo


def _loopback_only(host: object, *args: object, **kwargs: object) -> object:
    """``socket.getaddrinfo`` that resolves only this machine: tests never reach the network."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "None", ""):
        try:
            if not ipaddress.ip_address(name.strip("[]")).is_loopback:
                raise OSError(f"tests may not reach the network ({name})")
        except ValueError:
            raise OSError(f"tests may not reach the network ({name})") from None
    return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with name resolution limited to loopback addresses."""
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only)


def _pg_url() -> str | None:
    return os.environ.get("CASESERIES_TEST_PG")


def _pg_admin(url: str) -> Any:
    from sqlalchemy import create_engine

    return create_engine(url, isolation_level="AUTOCOMMIT")


def create_pg_database(url: str, *, template: str | None = None) -> str:
    """Create a database with a new unique name on the server of ``url`` (a copy of ``template`` if given).

    Returns its URL. ``CREATE DATABASE ... TEMPLATE`` copies the template's files, so a migrated,
    populated database costs the same as an empty one.
    """
    from sqlalchemy import text

    name = f"cs_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    finally:
        admin.dispose()
    return f"{url.rsplit('/', 1)[0]}/{name}"


def drop_pg_database(url: str) -> None:
    """Drop the database of ``url`` (closing its connections)."""
    from sqlalchemy import text

    name = url.rsplit("/", 1)[1]
    admin = _pg_admin(_require_pg())
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _require_pg() -> str:
    url = _pg_url()
    if not url:
        if os.environ.get("CASESERIES_REQUIRE_PG"):
            pytest.fail("CASESERIES_REQUIRE_PG is set but CASESERIES_TEST_PG is not")
        pytest.skip("no PostgreSQL server: set CASESERIES_TEST_PG=postgresql+psycopg://USER@HOST:PORT/DB")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (created and dropped around the test)."""
    url = create_pg_database(_require_pg())
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file."""
    return f"sqlite:///{tmp_path / 'test.db'}"


class DatabaseTemplates:
    """Databases built once per session and copied for every test that asks for one.

    Building a store (migrations, Argon2-hashed users, records) is the slow part of many tests;
    a copy is cheap: SQLite copies the file, PostgreSQL uses ``CREATE DATABASE ... TEMPLATE``.
    Each test still gets its own database, so tests may change it freely.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: dict[tuple[str, str], str] = {}

    def template(self, kind: str, key: str, build: Callable[[str], Store]) -> str:
        """The URL of the template ``key`` on ``kind`` ("sqlite" or "postgresql"), built the first time.

        ``build(url)`` fills an empty database and returns the store it opened (closed here, as
        a PostgreSQL template must have no connections when it is copied).
        """
        url = self._made.get((kind, key))
        if url is None:
            sqlite = f"sqlite:///{self._folder / f'{key}.db'}"
            url = sqlite if kind == "sqlite" else create_pg_database(_require_pg())
            build(url).engine.dispose()
            self._made[kind, key] = url
        return url

    def close(self) -> None:
        """Drop the PostgreSQL templates."""
        for (kind, _), url in self._made.items():
            if kind == "postgresql":
                drop_pg_database(url)


@pytest.fixture(scope="session")
def db_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseTemplates]:
    """Templates of prepared databases, copied per test (see :class:`DatabaseTemplates`)."""
    templates = DatabaseTemplates(tmp_path_factory.mktemp("db-templates"))
    try:
        yield templates
    finally:
        templates.close()


DbTemplate = tuple[str, "Callable[[str], Store]"]
"""A database template: its name and the function that fills an empty database (see :class:`DatabaseTemplates`)."""


@pytest.fixture
def db_template() -> DbTemplate | None:
    """What ``db_url`` starts from: None for an empty database; a folder's conftest may override it."""
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, db_template: DbTemplate | None, db_templates: DatabaseTemplates
) -> Iterator[str]:
    """Each test that uses it runs once on SQLite and once on PostgreSQL.

    The database is fresh and empty, or a copy of ``db_template`` where a conftest sets one.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if db_template is not None:
            shutil.copyfile(db_templates.template("sqlite", *db_template).removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    if db_template is None:
        yield str(request.getfixturevalue("pg_url"))
        return
    template = db_templates.template("postgresql", *db_template).rsplit("/", 1)[1]
    url = create_pg_database(_require_pg(), template=template)
    try:
        yield url
    finally:
        drop_pg_database(url)


CHROMIUM = Path(os.environ.get("CASESERIES_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("CASESERIES_SCREENSHOTS", ROOT / "build" / "screenshots"))

# Flags for a headless Chromium on a machine with no network beyond loopback: without the
# background-networking flags the browser keeps trying to reach its vendor's hosts.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A real headless Chromium driven by Playwright (one browser for the whole session).

    Skips when no browser is installed, unless ``CASESERIES_REQUIRE_BROWSER`` is set (as CI
    does), in which case it fails. Tests open their own pages with
    ``chromium.new_page(viewport={"width": 1280, "height": 900})``.
    """
    if not CHROMIUM.exists():
        if os.environ.get("CASESERIES_REQUIRE_BROWSER"):
            pytest.fail(f"CASESERIES_REQUIRE_BROWSER is set but {CHROMIUM} does not exist")
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium or set CASESERIES_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder test runs write screenshots to, for a person to look at (``build/screenshots``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
