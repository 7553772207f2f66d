"""CSRF protection: every state-changing request carries the session's token.

Forms carry it in a hidden field ``csrf_token`` (``{{ csrf_field() }}`` in a template); script
calls send it in the ``X-CSRF-Token`` header (``caseseries.post`` in ``static/app.js`` does).
The login form, sent before there is a session, is protected by a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "cs_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(Exception):
    """A state-changing request without the right CSRF token."""


def new_token() -> str:
    """A fresh random token."""
    return secrets.token_urlsafe(32)


async def sent_token(request: Request) -> str:
    """The token the request carries: the header, else the form field (empty when none)."""
    header = request.headers.get(HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check(request: Request, expected: str) -> None:
    """Raise CsrfError unless the request carries ``expected``."""
    got = await sent_token(request)
    if not got or not expected or not hmac.compare_digest(got.encode(), expected.encode()):
        raise CsrfError("the form or request has no valid CSRF token; reload the page and try again")


async def check_login(request: Request) -> None:
    """The login form's token must equal its cookie (double submit)."""
    await check(request, request.cookies.get(LOGIN_COOKIE, ""))
