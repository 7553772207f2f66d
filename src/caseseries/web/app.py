"""The app factory: the store, the guard on every route, security headers, pages found by module.

Every module of :mod:`caseseries.web` (not starting with ``_``) that defines ``router`` (an
``APIRouter``) is included, and its ``NAV`` (a :class:`~caseseries.web.templating.NavItem` or a
list of them) is added to the navigation: a new page is a new module, no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from caseseries.errors import InputError, NotFoundError
from caseseries.screening.protocol import load_protocol, shipped_protocols
from caseseries.store import Store
from caseseries.store.accounts import Accounts
from caseseries.web import auth, csrf
from caseseries.web.context import AppContext, Settings
from caseseries.web.templating import STATIC, NavItem, render

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_NOT_PAGES = {"app", "auth", "context", "csrf", "templating"}


def _page_modules() -> list[Any]:
    package = importlib.import_module("caseseries.web")
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in _NOT_PAGES:
            continue
        module = importlib.import_module(f"caseseries.web.{info.name}")
        if isinstance(getattr(module, "router", None), APIRouter):
            found.append(module)
    return found


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        response: Response = render(request, "error.html", {"status": status, "message": message}, status_code=status)
        response.headers.update(headers or {})
        return response
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        if _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        return JSONResponse({"error": "login required"}, status_code=401)

    async def forbidden(request: Request, exc: Exception) -> Response:
        return _error(request, 403, "Your role may not do this; ask an admin.")

    async def bad_csrf(request: Request, exc: Exception) -> Response:
        return _error(request, 403, str(exc))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, str(exc))

    async def bad_input(request: Request, exc: Exception) -> Response:
        return _error(request, 400, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = []
        for err in exc.errors()[:3]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        return _error(request, 422, "; ".join(problems) + "; correct the request and send it again")

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(auth.LoginRequiredError, login_required)
    app.add_exception_handler(auth.ForbiddenError, forbidden)
    app.add_exception_handler(csrf.CsrfError, bad_csrf)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(InputError, bad_input)
    app.add_exception_handler(StarletteHTTPException, http_error)


def create_app(
    store_url: str | None = None,
    *,
    store: Store | None = None,
    https: bool = False,
    session_lifetime: timedelta = timedelta(hours=12),
    login_window: timedelta = timedelta(minutes=5),
    max_failures: int = 5,
    protocols: Sequence[str | Path] | None = None,
) -> FastAPI:
    """Create the web app on a database.

    Parameters
    ----------
    store_url : str or None
        Database URL (SQLite or PostgreSQL); None uses ``$CASESERIES_DB`` or the default.
    store : Store or None
        An open store (takes precedence over ``store_url``); its schema must be current.
    https : bool
        The app is served over HTTPS: session cookies are always ``Secure``.
    session_lifetime : timedelta
        How long a login lasts.
    login_window, max_failures : timedelta, int
        Failed logins allowed per user name and per client address in the window.
    protocols : sequence of str or Path, or None
        Review protocols to screen (YAML files or shipped names); None: every shipped protocol.

    Returns
    -------
    FastAPI
        The ASGI app (serve it with uvicorn).
    """
    store = store or Store.open(store_url)
    settings = Settings(
        https=https, session_lifetime=session_lifetime, login_window=login_window, max_failures=max_failures
    )
    app = FastAPI(
        title="caseseries",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(auth.guard)],
    )
    loaded = [load_protocol(p) for p in (shipped_protocols() if protocols is None else protocols)]
    app.state.context = AppContext(store, Accounts(store), settings, {p.name: p for p in loaded})
    app.include_router(auth.router)
    nav: list[NavItem] = []
    for module in _page_modules():
        app.include_router(module.router)
        items = getattr(module, "NAV", [])
        nav.extend([items] if isinstance(items, NavItem) else items)
    app.state.nav = sorted(nav, key=lambda n: (n.order, n.label))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_handlers(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def route_table(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """Every (path, methods) the app answers, included routers flattened; mounts have no methods.

    Used by the security tests, so that a new route cannot escape them.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before lazily included routers: app.routes is flat
        return [(str(getattr(r, "path", "")), frozenset(getattr(r, "methods", None) or ())) for r in app.routes]
    return [(str(r.path or ""), frozenset(r.methods or ())) for r in iter_route_contexts(app.routes)]
