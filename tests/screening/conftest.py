"""Fixtures of the screening tests: a small review stored in a fresh database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from screening_fixtures import Review, write_review


@pytest.fixture
def review(db_url: str, tmp_path: Path) -> Review:
    """The fixture review on SQLite and on PostgreSQL."""
    return write_review(db_url, tmp_path)


@pytest.fixture
def sqlite_review(sqlite_url: str, tmp_path: Path) -> Review:
    """The fixture review on SQLite only (for tests of logic that does not depend on the database)."""
    return write_review(sqlite_url, tmp_path)


@pytest.fixture
def cli_review(sqlite_url: str, tmp_path: Path) -> tuple[str, Review]:
    """The fixture review on SQLite and its database URL (for the command line)."""
    return sqlite_url, write_review(sqlite_url, tmp_path)


@pytest.fixture
def scripted() -> Callable[[list[str]], Callable[[str], str]]:
    """Make an input function that answers from a script and raises EOFError when it runs out."""

    def make(answers: list[str]) -> Callable[[str], str]:
        queue = list(answers)

        def answer(prompt: str) -> str:
            if not queue:
                raise EOFError
            item = queue.pop(0)
            if item == "^C":
                raise KeyboardInterrupt
            return item

        return answer

    return make
