"""The start page: the review protocols served, with links to their screening pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from caseseries.web.auth import CurrentUser
from caseseries.web.context import Context
from caseseries.web.templating import NavItem, render

router = APIRouter()
NAV = NavItem("Start", "/", order=0)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, ctx: Context, user: CurrentUser) -> HTMLResponse:
    """The protocols served and what the user may do."""
    return render(request, "home.html", {"protocols": sorted(ctx.protocols.values(), key=lambda p: p.name)})
