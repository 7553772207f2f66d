"""The curation web app (``caseseries serve``): screening, accounts and audit in the browser.

Entry point: :func:`caseseries.web.app.create_app`.
"""

from caseseries.web.app import create_app

__all__ = ["create_app"]
