"""The revisions read from the version files' assignments are those Alembic reads from the scripts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from caseseries.store import db


def test_head_and_known_revisions_match_alembic() -> None:
    script = db._script()
    assert db._revision_chain() is not None
    assert db.head_revision() == script.get_current_head()
    assert db.known_revisions() == {rev.revision for rev in script.walk_revisions()}
    assert db._revision_chain() == {rev.revision: rev.down_revision for rev in script.walk_revisions()}


def test_a_version_file_not_in_the_plain_form_is_left_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text('revision = "0001_a"\ndown_revision = None\n')
    (versions / "0002_b.py").write_text('revision = "0002_b"\ndown_revision = ("0001_a",)\n')
    monkeypatch.setattr(db, "_VERSIONS", versions)
    db._revision_chain.cache_clear()
    try:
        assert db._revision_chain() is None
        (versions / "0002_b.py").write_text("revision = '0002_b'\ndown_revision = '0001_a'\n")
        db._revision_chain.cache_clear()
        assert db._revision_chain() == {"0001_a": None, "0002_b": "0001_a"}
    finally:
        db._revision_chain.cache_clear()


def test_opening_a_current_database_imports_no_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code = (
        "import sys\nfrom caseseries.store import Store\n"
        f"Store.open({url!r})\n"
        "print('alembic' in sys.modules)\n"
        f"Store.open({url!r}).check_schema()\n"
        "print('alembic' in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # creates it
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "False"]
