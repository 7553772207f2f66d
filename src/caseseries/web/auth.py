"""Login, logout, server-side sessions, the guard every route passes and role checks.

- The cookie ``cs_session`` holds a random token only; the database keeps its SHA-256, the user
  and the session's CSRF token. It is HttpOnly, SameSite=Lax, and Secure when the app is served
  over HTTPS (``--https``, or the request itself arrived by https, also through a proxy).
- :func:`guard` runs before every route: outside :data:`PUBLIC_PATHS` it needs a valid session,
  refuses state-changing requests of viewers, and checks the CSRF token of every POST, PUT,
  PATCH and DELETE.
- Failed logins are counted per user name and per client address; after ``max_failures`` in
  the window the login answers 429 with the time to wait.

In a route: ``user: CurrentUser`` gives the logged-in :class:`~caseseries.store.accounts.User`;
``dependencies=[require_role(UserRole.ADMIN)]`` restricts a route to a role or above.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

import caseseries.app.passwords  # noqa: F401  (its dummy hash is made as the app starts, not at the first login)
from caseseries.app.accounts import TooManyAttemptsError, authenticate
from caseseries.store.accounts import LoginSession, User, UserRole
from caseseries.web import csrf
from caseseries.web.context import AppContext, Context, app_context
from caseseries.web.templating import render

SESSION_COOKIE = "cs_session"
PUBLIC_PATHS = frozenset({"/login"})
"""Paths reachable without a session (besides the static files mounted at ``/static``)."""
PUBLIC_PREFIXES = ("/static/",)
_RANK = {UserRole.VIEWER: 0, UserRole.REVIEWER: 1, UserRole.ADMIN: 2}


class LoginRequiredError(Exception):
    """No valid session."""


class ForbiddenError(Exception):
    """The user's role may not do this."""


def token_hash(token: str) -> str:
    """The SHA-256 (hex) a session token is stored as."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_public(path: str) -> bool:
    """Whether ``path`` is reachable without logging in."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def served_over_https(request: Request, ctx: AppContext) -> bool:
    """Whether cookies must be Secure: ``--https``, or the request came by https."""
    return ctx.settings.https or request.url.scheme == "https"


def _lookup(ctx: AppContext, request: Request) -> LoginSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    return ctx.accounts.find_session(token_hash(token))


async def guard(request: Request) -> None:
    """Run before every route: a session outside the public paths, no writes by viewers, CSRF on writes."""
    if is_public(request.url.path):
        return
    ctx = app_context(request)
    sess = await run_in_threadpool(_lookup, ctx, request)
    if sess is None:
        raise LoginRequiredError
    request.state.session = sess
    if request.method in csrf.SAFE_METHODS:
        return
    await csrf.check(request, sess.csrf_token)
    if not sess.user.role.can_write and request.url.path != "/logout":
        raise ForbiddenError


def login_session(request: Request) -> LoginSession:
    """The session :func:`guard` found for this request."""
    sess: LoginSession | None = getattr(request.state, "session", None)
    if sess is None:
        raise LoginRequiredError
    return sess


def current_user(request: Request) -> User:
    """The logged-in user of the request (route dependency)."""
    return login_session(request).user


CurrentUser = Annotated[User, Depends(current_user)]
"""Route parameter type giving the logged-in user: ``def page(user: CurrentUser): ...``."""


def require_role(role: UserRole) -> Any:
    """A route dependency refusing users below ``role`` (admin > reviewer > viewer) with 403.

    Examples
    --------
    >>> @router.post("/things", dependencies=[require_role(UserRole.REVIEWER)])  # doctest: +SKIP
    """

    def check(user: CurrentUser) -> None:
        if _RANK[user.role] < _RANK[role]:
            raise ForbiddenError

    return Depends(check)


def client_address(request: Request) -> str:
    """The client's address (as the server, or uvicorn's trusted proxy headers, give it)."""
    return request.client.host if request.client else "unknown"


# ---------------------------------------------------------------------------------- routes

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target:
        return target
    return "/"


def _login_page(request: Request, *, error: str | None = None, status: int = 200, next_path: str = "/") -> Response:
    token = csrf.new_token()
    response = render(
        request, "login.html", {"error": error, "login_csrf": token, "next": next_path}, status_code=status
    )
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=served_over_https(request, app_context(request)),
        path="/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    """The login page."""
    return _login_page(request, next_path=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    ctx: Context,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the name and password; open a session and go to ``next``."""
    try:
        await csrf.check_login(request)
    except csrf.CsrfError:
        return _login_page(request, error="The login form expired; please log in again.", status=403)
    username = username.strip()
    try:
        user = await run_in_threadpool(
            authenticate,
            ctx.accounts,
            username,
            password,
            client_address(request),
            window=ctx.settings.login_window,
            max_failures=ctx.settings.max_failures,
        )
    except TooManyAttemptsError as err:
        response = _login_page(
            request,
            error=f"Too many failed logins. Try again in {err.retry_after} seconds.",
            status=429,
            next_path=_safe_next(next),
        )
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    if user is None:
        return _login_page(
            request, error="Unknown user name or wrong password.", status=401, next_path=_safe_next(next)
        )
    token = secrets.token_urlsafe(32)
    lifetime = ctx.settings.session_lifetime
    await run_in_threadpool(ctx.accounts.open_session, user.id, token_hash(token), csrf.new_token(), lifetime)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=served_over_https(request, ctx),
        path="/",
    )
    response.delete_cookie(csrf.LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ctx: Context) -> Response:
    """End the session and go to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        ctx.accounts.close_session(token_hash(token))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
