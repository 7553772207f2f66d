"""What every request of the web app can reach: the store, the accounts and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from caseseries.screening.protocol import Protocol
from caseseries.store import Store
from caseseries.store.accounts import Accounts


@dataclass(frozen=True)
class Settings:
    """How the app is served.

    Attributes
    ----------
    https : bool
        Served over HTTPS (directly or behind a proxy): session cookies are ``Secure`` always.
    session_lifetime : timedelta
        How long a login lasts.
    login_window : timedelta
        The window in which failed logins are counted.
    max_failures : int
        Failures per user name and per client address in the window before logins are refused.
    """

    https: bool = False
    session_lifetime: timedelta = timedelta(hours=12)
    login_window: timedelta = timedelta(minutes=5)
    max_failures: int = 5


@dataclass
class AppContext:
    """The store, accounts, review protocols and settings of one app (``request.app.state.context``)."""

    store: Store
    accounts: Accounts
    settings: Settings = field(default_factory=Settings)
    protocols: dict[str, Protocol] = field(default_factory=dict)


def app_context(request: Request) -> AppContext:
    """The context of the app serving ``request``."""
    ctx: AppContext = request.app.state.context
    return ctx


Context = Annotated[AppContext, Depends(app_context)]
"""Route parameter type giving the app context: ``def page(ctx: Context): ctx.store ...``."""
