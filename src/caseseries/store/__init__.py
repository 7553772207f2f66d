"""Storage: SQLAlchemy 2 models, the repository and Alembic migrations (SQLite or PostgreSQL)."""

from caseseries.store.db import DEFAULT_URL, resolve_url
from caseseries.store.repository import Store, StoredPatient, WriteResult

__all__ = ["DEFAULT_URL", "Store", "StoredPatient", "WriteResult", "resolve_url"]
