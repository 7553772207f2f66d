"""Jinja2 templates of the web app (autoescaped) and the navigation.

Pages render with :func:`render`; every template extends ``base.html`` and fills the block
``content`` (and optionally ``title`` and ``scripts``). The base layout shows the navigation,
the user and the logout button, and carries the session's CSRF token in
``<meta name="csrf-token">`` for scripts; forms add ``{{ csrf_field() }}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavItem:
    """A link of the navigation bar: a module of :mod:`caseseries.web` with a ``router`` sets ``NAV``."""

    label: str
    path: str
    order: int = 50


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def environment() -> jinja2.Environment:
    """The template environment (add filters or globals here, before the first render)."""
    return _env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page template with the request's user, CSRF token and navigation.

    Parameters
    ----------
    request : Request
        The request (gives the session and the app's navigation).
    template : str
        Path under ``web/templates`` (e.g. ``"screening/queue.html"``).
    context : dict or None
        Template variables.
    status_code : int
        HTTP status.
    """
    sess = getattr(request.state, "session", None)
    token = sess.csrf_token if sess is not None else ""

    def csrf_field() -> Markup:
        return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(token))

    values: dict[str, Any] = {
        "request": request,
        "user": sess.user if sess is not None else None,
        "csrf_token": token,
        "csrf_field": csrf_field,
        "nav": getattr(request.app.state, "nav", []),
        "path": request.url.path,
        "title": None,
    }
    values.update(context or {})
    html = _env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
