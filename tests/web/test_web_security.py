"""Security of the web app: every route behind the login, CSRF, viewers, injection, traversal, XSS.

The route tests enumerate the app's routes (:func:`caseseries.web.app.route_table`), so a route
added later is tested without anyone remembering to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from web_helpers import LiveServer, browser_login, login, new_client, serve_live
from web_review import WebReview, write_web_review

from caseseries.model.publication import Publication
from caseseries.screening import DecisionLog
from caseseries.store import Store
from caseseries.store.accounts import Accounts
from caseseries.web.app import route_table
from caseseries.web.auth import PUBLIC_PATHS, PUBLIC_PREFIXES

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE users; --",
    '" OR 1=1 --',
    "x') UNION SELECT name, password_hash FROM users --",
    "%' OR 1=1 --",
    "../../../../etc/passwd",
]


@pytest.fixture
def review(web_store: Store, tmp_path: Path) -> WebReview:
    return write_web_review(web_store, tmp_path, n=6)


@pytest.fixture
def review_app(make_app: Callable[..., FastAPI], review: WebReview) -> FastAPI:
    return make_app(protocols=[review.path])


@pytest.fixture
def anon(review_app: FastAPI) -> Iterator[Any]:
    with new_client(review_app) as c:
        yield c


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for path, methods in route_table(app):
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or path.rstrip("/") + "/" in PUBLIC_PREFIXES:
            continue
        out.extend((path, m) for m in sorted(methods - {"HEAD"}))
    return out


def _fill(path: str, review: WebReview, value: str | None = None) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if value is not None:
            return value
        return {"name": review.protocol.name, "key": review.keys[0]}.get(name, "1")

    return re.sub(r"\{([^}]+)\}", one, path)


def test_the_route_table_lists_the_app_routes(review_app: FastAPI) -> None:
    routes = _routes(review_app)
    assert ("/screening/{name}", "GET") in routes
    assert ("/api/screening/{name}/decisions", "POST") in routes
    assert ("/logout", "POST") in routes
    assert not any(p.startswith("/login") for p, _ in routes)


def test_every_route_is_refused_without_a_session(review_app: FastAPI, anon: Any, review: WebReview) -> None:
    for path, method in _routes(review_app):
        url = _fill(path, review)
        answer = anon.request(method, url, follow_redirects=False, data={"x": "1"} if method in UNSAFE else None)
        if method == "GET":
            assert answer.status_code == 303, (method, url)
            assert answer.headers["location"].startswith("/login?next="), (method, url)
            api = anon.request(method, url, headers={"Accept": "application/json"}, follow_redirects=False)
            assert api.status_code == 401, (method, url)
        else:
            assert answer.status_code == 401, (method, url)
    assert DecisionLog(review_app.state.context.store, review.protocol.name).entries() == []


def _bodies(path: str, review: WebReview) -> dict[str, Any]:
    decision = {"key": review.keys[0], "stage": "title-abstract", "decision": "include", "reason": "r"}
    if path.startswith("/api/"):
        return {"json": decision}
    return {"data": decision}


def test_writes_without_the_right_csrf_token_are_refused(review_app: FastAPI, anon: Any, review: WebReview) -> None:
    token = login(anon, "alice")
    writes = [(p, m) for p, m in _routes(review_app) if m in UNSAFE]
    assert writes
    for path, method in writes:
        url = _fill(path, review)
        for headers in ({}, {"X-CSRF-Token": "wrong" + token}, {"X-CSRF-Token": ""}):
            answer = anon.request(method, url, headers=headers, follow_redirects=False, **_bodies(path, review))
            assert answer.status_code == 403, (method, url, headers)
        form = _bodies(path, review).get("data", {}) | {"csrf_token": token[::-1]}
        assert anon.request(method, url, data=form, follow_redirects=False).status_code == 403
    assert DecisionLog(review_app.state.context.store, review.protocol.name).entries() == []
    assert anon.get("/").status_code == 200  # still logged in: the refusals ended nothing


def test_a_viewer_cannot_write_anywhere(review_app: FastAPI, anon: Any, review: WebReview) -> None:
    token = login(anon, "vera")
    assert anon.get(f"/screening/{review.protocol.name}").status_code == 200  # but can read
    for path, method in _routes(review_app):
        if method not in UNSAFE or path == "/logout":
            continue
        url = _fill(path, review)
        answer = anon.request(
            method, url, headers={"X-CSRF-Token": token}, follow_redirects=False, **_bodies(path, review)
        )
        assert answer.status_code == 403, (method, url)
    assert DecisionLog(review_app.state.context.store, review.protocol.name).entries() == []


def test_a_reviewer_can_write_with_the_token(review_app: FastAPI, anon: Any, review: WebReview) -> None:
    token = login(anon, "alice")
    url = f"/api/screening/{review.protocol.name}/decisions"
    answer = anon.post(url, headers={"X-CSRF-Token": token}, **_bodies(url, review))
    assert answer.status_code == 200, answer.text
    entries = DecisionLog(review_app.state.context.store, review.protocol.name).entries()
    assert [(e.key, e.actor, e.decision.value) for e in entries] == [(review.keys[0], "alice", "include")]


PARAMS = ("stage", "show", "page", "next", "q", "status", "site", "agent", "line", "partner", "disease",
          "extractor")  # fmt: skip
"""The query parameters every GET route is given injection strings in (every one a route declares)."""


def _query_parameters(app: FastAPI) -> dict[tuple[str, str], set[str]]:
    """The query parameters each (path, method) declares, its dependencies' included."""

    def names(dependant: Any) -> set[str]:
        out = {p.alias for p in dependant.query_params}
        for sub in dependant.dependencies:
            out |= names(sub)
        return out

    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazily included routers: app.routes is flat
        routes = [(r, r) for r in app.routes]
    else:
        routes = [(r, r.route) for r in iter_route_contexts(app.routes)]
    found: dict[tuple[str, str], set[str]] = {}
    for context, route in routes:
        dependant = getattr(route, "dependant", None)
        for method in getattr(context, "methods", None) or ():
            found[str(context.path), method] = names(dependant) if dependant is not None else set(PARAMS)
    return found


def test_injection_strings_in_every_parameter_change_nothing(
    review_app: FastAPI, anon: Any, review: WebReview, web_store: Store
) -> None:
    token = login(anon, "alice")
    users_before = [u.name for u in Accounts(web_store).users()]
    queries = _query_parameters(review_app)
    read = {(path, p) for (path, method), declared in queries.items() if method == "GET" for p in declared}
    assert {(path, p) for path, p in read if p not in PARAMS} == set(), "add these parameters to PARAMS"
    for path, method in _routes(review_app):
        for bad in INJECTIONS:
            if method == "GET":
                url = _fill(path, review)
                declared = queries[path, method]
                # a parameter the route reads gets a request of its own (a refusal of one cannot hide
                # another); the ones it does not read go together, as they cannot refuse anything
                tries = [{p: bad} for p in PARAMS if p in declared]
                tries.append({p: bad for p in PARAMS if p not in declared})
                for params in tries:
                    answer = anon.get(url, params=params, follow_redirects=False)
                    assert answer.status_code < 500, (url, params)
                    assert "$argon2" not in answer.text
                if "{" in path:
                    answer = anon.get(_fill(path, review, bad), follow_redirects=False)
                    assert answer.status_code in (200, 303, 400, 404, 422), (path, bad)
            elif path.startswith("/api/screening"):
                body = {"key": bad, "stage": "title-abstract", "decision": "exclude", "reason": bad}
                answer = anon.post(_fill(path, review), json=body, headers={"X-CSRF-Token": token})
                assert answer.status_code in (400, 404, 422), (path, bad)
    page = anon.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    for bad in INJECTIONS:
        answer = anon.post("/login", data={"username": bad, "password": bad, "csrf_token": csrf.group(1)})
        assert answer.status_code in (401, 429)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', answer.text)
        assert csrf
    assert [u.name for u in Accounts(web_store).users()] == users_before
    assert DecisionLog(web_store, review.protocol.name).entries() == []


@pytest.mark.parametrize(
    "url",
    [
        "/static/../store/accounts.py",
        "/static/%2e%2e/store/accounts.py",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fcli.py",
        "/static//etc/passwd",
        "/static/....//....//etc/passwd",
    ],
)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_static_files_do_not_escape_their_folder(anon: Any, url: str) -> None:
    login(anon, "alice")
    answer = anon.get(url, follow_redirects=False)
    assert answer.status_code in (303, 400, 404), answer.status_code
    assert "import" not in answer.text and "root:" not in answer.text


def test_static_files_are_served(anon: Any) -> None:
    answer = anon.get("/static/app.js")
    assert answer.status_code == 200 and "caseseries" in answer.text


def test_login_does_not_redirect_off_site(anon: Any) -> None:
    page = anon.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    from web_helpers import PASSWORD

    answer = anon.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf.group(1), "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"


# ---------------------------------------------------------------------------------- inert text

HOSTILE_TITLE = '<script>document.title="owned"</script>Alectinib <img src=x onerror="document.title=1">'
HOSTILE_ABSTRACT = 'See <a href="javascript:document.title=2">this</a> or javascript:alert(1) after alectinib.'


@pytest.fixture
def hostile(review: WebReview, web_store: Store) -> str:
    pub = Publication(
        pmid=review.keys[1].removeprefix("pmid:"), title=HOSTILE_TITLE, abstract=[{"text": HOSTILE_ABSTRACT}]
    )
    web_store.upsert_publication(pub)
    return review.keys[1]


def test_markup_in_records_is_escaped(anon: Any, review: WebReview, hostile: str) -> None:
    login(anon, "alice")
    for url in (f"/screening/{review.protocol.name}?show=all", f"/screening/{review.protocol.name}/records/{hostile}"):
        html = anon.get(url).text
        assert "<script>document" not in html and "<img src=x" not in html and '<a href="javascript' not in html
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_markup_in_records_is_inert_in_the_browser(
    chromium: Any, review_app: FastAPI, web_store: Store, review: WebReview, hostile: str, screenshots: Path
) -> None:
    dialogs: list[str] = []
    for url in serve_live(review_app):
        server = LiveServer(url, review_app, web_store)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            browser_login(page, server.url, "alice")
            for target in (
                f"/screening/{review.protocol.name}?show=all",
                f"/screening/{review.protocol.name}/records/{hostile}",
            ):
                page.goto(server.url + target)
                page.wait_for_load_state("load")
                assert page.title() not in ("owned", "1", "2")
                assert (
                    page.locator("main script:not(#reasons-data), main img[src=x], a[href^='javascript']").count() == 0
                )
                assert "<script>" in (page.text_content("main") or "")  # shown as text
            page.screenshot(path=str(screenshots / "web-security-inert.png"), full_page=True)
            assert dialogs == []
        finally:
            page.close()
