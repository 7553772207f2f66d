"""A dry run imports neither the store (SQLAlchemy) nor the E-utilities client (httpx); a real import does.

Nor does it build the patient models or read the schema files (YAML): a PubMed import needs only
the publication model; and off a terminal it draws no progress bar, so it loads no Rich.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA

XML = DATA / "sources" / "efetch_imt.xml"

_SCRIPT = """
import json, sys
from caseseries.cli import main
code = main(sys.argv[1:])
PACKAGES = ("sqlalchemy", "httpx", "alembic", "yaml", "rich")
heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in PACKAGES})
MODULES = ("caseseries.model.case", "caseseries.model.casejson", "caseseries.files", "sqlalchemy.dialects.postgresql")
heavy += sorted(m for m in sys.modules if m in MODULES)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def _imported(*args: str) -> dict[str, object]:
    """The exit code of ``caseseries ARGS`` in a fresh interpreter and the heavy packages it imported."""
    out = subprocess.run([sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_a_dry_run_imports_no_store_and_no_http_client() -> None:
    assert _imported("import", "--dry-run", str(XML)) == {"code": 0, "heavy": []}


def test_an_import_into_a_store_imports_sqlalchemy(tmp_path: Path) -> None:
    result = _imported("--db", f"sqlite:///{tmp_path / 'store.db'}", "import", str(XML))
    assert result["code"] == 0
    assert "sqlalchemy" in result["heavy"]  # type: ignore[operator]
    assert "sqlalchemy.dialects.postgresql" not in result["heavy"]  # type: ignore[operator]  # a SQLite store
