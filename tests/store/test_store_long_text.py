"""Text longer than the widths early revisions declared imports into a store upgraded through every revision.

PostgreSQL enforces ``VARCHAR(n)`` widths; the store's keys, titles, journals, names and paths are
``Text`` on every backend, so a 600-character title, a 700-character key or a long source path is
stored whole in a database made by an earlier version and upgraded since.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.model.publication import Author, Publication
from caseseries.sources.writers import ris_text
from caseseries.store import Store
from caseseries.store.db import make_engine, migrate


def _long(word: str, n: int = 600) -> str:
    return (word + " ") * (n // (len(word) + 1)) + word


def test_text_longer_than_the_earlier_widths_imports_into_an_upgraded_store(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_url)
    migrate(engine)  # through every revision, as a database made by an earlier version
    engine.dispose()
    folder = tmp_path.joinpath(*[_long("folder", 120)] * 3)
    folder.mkdir(parents=True)
    author = Author(last_name=_long("Lastname", 300), fore_name=_long("Forename", 300))
    pubs = [
        Publication(pmid="31000003", title=_long("Title"), journal=_long("Journal"), authors=[author], year=2021),
        Publication(doi="10.1000/" + "x" * 600, title="A case with a long DOI", year=2022),
        Publication(title=_long("Untitled", 700), authors=[author], year=2023),
    ]
    path = folder / "records.ris"
    path.write_text(ris_text(pubs), encoding="utf-8")
    assert main(["--db", db_url, "import", str(path)]) == 0, capsys.readouterr().err
    store = Store.open(db_url)
    stored = {p.key(): p for p in store.iter_publications()}
    store.engine.dispose()
    assert len(stored) == 3
    assert sum(len(key) > 512 for key in stored) == 2  # the DOI and the title keys
    for pub in pubs:
        found = stored[pub.model_copy(update={"source_path": str(path)}).key()]
        assert (found.title, found.journal, found.source_path) == (pub.title, pub.journal, str(path))
        assert [a.last_name for a in found.authors] == [a.last_name for a in pub.authors]
