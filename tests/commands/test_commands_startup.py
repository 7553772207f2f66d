"""Light commands start without the heavy libraries: each check runs in a fresh interpreter.

``caseseries --help`` and ``--version`` load none of :data:`HEAVY` (nor pydantic); a command's
``--help`` loads none of them either, except pydantic, which Typer itself uses to build the
options of a command.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from caseseries.commands._index import COMMANDS

HEAVY = (
    "sqlalchemy", "matplotlib", "lifelines", "scipy", "numpy", "pandas", "pyarrow", "dask", "distributed",
    "jinja2", "alembic", "lxml", "fastapi", "uvicorn", "httpx",
)  # fmt: skip

PROBE = """
import contextlib, io, json, sys
from caseseries.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "loaded": sorted({m.split('.')[0] for m in sys.modules})}))
"""

GROUPS = {"cases": ["list", "show", "export"], "screen": ["review", "prisma"], "users": ["add"], "refs": ["check"]}


def run(*argv: str) -> dict[str, object]:
    """Run the command line in a fresh interpreter; its exit code, standard output and top-level modules."""
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def heavy(result: dict[str, object]) -> list[str]:
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    return [name for name in HEAVY if name in loaded]


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_the_root_help_and_version_load_no_heavy_library_nor_pydantic(argv: list[str]) -> None:
    result = run(*argv)
    assert heavy(result) == []
    assert "pydantic" not in result["loaded"]
    assert "caseseries" in str(result["out"])


def test_the_root_help_lists_every_command_of_the_index() -> None:
    out = str(run("--help")["out"])
    assert [name for name, _, _ in COMMANDS if f"\n  {name} " in out] == [name for name, _, _ in COMMANDS]


@pytest.mark.parametrize(
    "argv",
    [[name, "--help"] for name, _, _ in COMMANDS] + [[g, sub, "--help"] for g, subs in GROUPS.items() for sub in subs],
    ids=lambda argv: " ".join(argv),
)
def test_a_command_help_loads_no_heavy_library(argv: list[str]) -> None:
    result = run(*argv)
    assert result["code"] == 0
    assert f"Usage: caseseries {' '.join(argv[:-1])}" in str(result["out"])
    assert heavy(result) == []


def test_the_probe_sees_a_heavy_library_when_a_command_runs(tmp_path: object) -> None:
    """The check can fail: running a command that opens the database does load SQLAlchemy."""
    result = run("--db", f"sqlite:///{tmp_path}/x.db", "init", "--no-bundled")
    assert result["code"] == 0
    assert "sqlalchemy" in heavy(result)
