"""The package's layering, read from the import statements of every module (ast, nothing imported).

- only ``store/`` imports SQLAlchemy;
- ``commands`` -> ``app`` -> domain -> ``store``/``model``: domain packages never import the
  adapters (``commands``, ``cli``, ``web``) or ``app``; ``store`` never imports ``commands``,
  ``app`` or ``web``;
- a command module imports only the application layer and what is genuinely adapter-level
  (:data:`COMMAND_MAY_IMPORT`), at run time; annotations under ``if TYPE_CHECKING:`` are free;
- no import cycle among the modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

ADAPTERS = ("commands", "cli", "web")
DOMAIN = (
    "model", "vocab", "text", "sources", "screening", "extraction", "knowledge", "analysis", "references", "report",
    "scan",
)  # fmt: skip


COMMAND_MAY_IMPORT = {
    "app": "the use cases: a command is argument parsing, one application call and its output",
    "commands": "the command modules' own shared options and helpers",
    "cli": "the command line itself (commands._docs renders its help)",
    "errors": "the exception hierarchy the adapters translate into 'Error: ...' and exit codes",
    "files": "output-target checks and standard-output handling of the adapter",
    "output_folder": "the manifest of a folder the command writes into",
    "interrupt": "what an interrupted command kept (Ctrl-C)",
    "plugins": "the plug-in names an option offers in its help (entry points, nothing loaded)",
    "model": "the Case JSON a command prints (domain types only, no stage)",
    "choices": "the closed choices its options offer in their help (plain values, nothing imported)",
}
"""The packages of ``caseseries`` a command module may import when it runs, and why each is adapter-level."""

COMMAND_EXCEPTIONS = {
    "caseseries.commands.serve": {"caseseries.web"},
}
"""The one command that imports more than the application layer: ``serve`` starts the web app,
which is itself an adapter over ``caseseries.app`` (exactly these imports, no new ones)."""


def modules(root: Path, package: str) -> dict[str, Path]:
    """Module name -> file of every module of ``package`` under ``root``."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the nodes under ``if TYPE_CHECKING:`` (imports for annotations, not run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for child in node.body for n in ast.walk(child)}
    return out


def imports(
    name: str, path: Path, known: set[str] | dict[str, Path], *, runtime: bool = False
) -> Iterator[tuple[str, int]]:
    """The modules ``name`` imports (absolute names, relative imports resolved), with line numbers.

    ``from pkg import name`` imports the module ``pkg.name`` when that is one of the ``known``
    modules, else ``pkg``. ``runtime`` leaves out the imports under ``if TYPE_CHECKING:``.
    """
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skipped = _type_checking_only(tree) if runtime else set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            yield from ((m, node.lineno) for m in submodules)
            if len(submodules) < len(node.names):
                yield target, node.lineno


def _layer(module: str, top: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == top else ""


def violations(root: Path, top: str = "caseseries") -> list[str]:
    """Every import that breaks a layering rule, as ``module:line: problem``."""
    found = modules(root, top)
    problems = []
    for name, path in found.items():
        layer = _layer(name, top)
        for target, line in imports(name, path, found):
            where = f"{name}:{line}"
            if (target == "sqlalchemy" or target.startswith("sqlalchemy.")) and layer != "store":
                problems.append(f"{where}: imports {target}; only {top}.store may use SQLAlchemy")
            tlayer = _layer(target, top)
            if not tlayer or (target not in found and target.rpartition(".")[0] not in found):
                continue
            if layer in DOMAIN and tlayer in (*ADAPTERS, "app"):
                problems.append(f"{where}: the domain package {layer!r} imports {target}")
            if layer == "store" and tlayer in ("commands", "app", "web"):
                problems.append(f"{where}: the store imports {target}")
            if layer == "app" and tlayer in ADAPTERS:
                problems.append(f"{where}: the application layer imports the adapter {target}")
    return sorted(set(problems))


def command_violations(root: Path, top: str = "caseseries", allowed: dict[str, set[str]] | None = None) -> list[str]:
    """Every run-time import of a command module outside :data:`COMMAND_MAY_IMPORT`, as ``module:line: problem``.

    ``allowed`` lists, per module, the imports tolerated (:data:`COMMAND_EXCEPTIONS`).
    """
    found = modules(root, top)
    allowed = allowed or {}
    problems = []
    for name, path in found.items():
        if _layer(name, top) != "commands" and not name.startswith(f"{top}.commands"):
            continue
        for target, line in imports(name, path, found, runtime=True):
            parts = target.split(".")
            if parts[0] != top or len(parts) < 2 or parts[1] in COMMAND_MAY_IMPORT:
                continue
            if target in allowed.get(name, set()):
                continue
            problems.append(f"{name}:{line}: the command imports {target}; call a use case of {top}.app instead")
    return sorted(set(problems))


def import_graph(root: Path, top: str = "caseseries") -> dict[str, set[str]]:
    """Module -> the package modules it imports when run (``from pkg import name`` counts when name is a module)."""
    found = modules(root, top)
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        for target, _ in imports(name, path, found, runtime=True):
            if target in found and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def test_the_layering_holds() -> None:
    assert violations(SRC) == []


def test_commands_import_only_the_application_layer() -> None:
    assert command_violations(SRC, allowed=COMMAND_EXCEPTIONS) == []


def test_the_command_exceptions_are_still_needed() -> None:
    """An exception that no longer matches an import is removed (the list only shrinks)."""
    found = modules(SRC, "caseseries")
    for name, targets in COMMAND_EXCEPTIONS.items():
        used = {t for t, _ in imports(name, found[name], found, runtime=True)}
        assert targets <= used, f"{name} no longer imports {sorted(targets - used)}: remove them from the list"


def test_no_import_cycle_among_the_modules() -> None:
    assert cycles(import_graph(SRC)) == []


# ------------------------------------------------------------------------ the checks can fail
def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


BAD_PACKAGES = [
    ({"pkg/extraction/x.py": "import sqlalchemy\n"}, "pkg.extraction.x:1: imports sqlalchemy; only pkg.store"),
    ({"pkg/report/x.py": "from sqlalchemy.orm import Session\n"}, "pkg.report.x:1: imports sqlalchemy.orm"),
    ({"pkg/screening/x.py": "from pkg.commands import screen\n"}, "pkg.screening.x:1: the domain package"),
    ({"pkg/analysis/x.py": "from pkg.app.report import run\n"}, "pkg.analysis.x:1: the domain package"),
    ({"pkg/sources/x.py": "\n\nimport pkg.cli\n"}, "pkg.sources.x:3: the domain package 'sources' imports pkg.cli"),
    ({"pkg/store/x.py": "from ..web import server\n"}, "pkg.store.x:1: the store imports pkg.web"),
    ({"pkg/app/x.py": "from pkg.commands._common import open_store\n"}, "pkg.app.x:1: the application layer"),
]


@pytest.mark.parametrize(("files", "expected"), BAD_PACKAGES)
def test_a_violating_module_is_found(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    stubs = {f"pkg/{p}/__init__.py": "" for p in ("commands", "app", "web", "store", "screening")}
    stubs |= {"pkg/__init__.py": "", "pkg/cli.py": "", "pkg/commands/screen.py": "", "pkg/app/report.py": ""}
    stubs |= {"pkg/web/server.py": "", "pkg/commands/_common.py": ""}
    root = _write(tmp_path, {**stubs, **files})
    (problem,) = violations(root, "pkg")
    assert problem.startswith(expected)


BAD_COMMANDS = [
    ("import pkg.analysis.summary\n", "pkg.commands.x:1: the command imports pkg.analysis.summary"),
    ("from pkg.store import Store\n", "pkg.commands.x:1: the command imports pkg.store"),
    ("def f():\n    from pkg.screening import screen\n", "pkg.commands.x:2: the command imports pkg.screening"),
    ("from pkg.web import server\n", "pkg.commands.x:1: the command imports pkg.web"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_COMMANDS)
def test_a_command_importing_a_domain_package_is_found(tmp_path: Path, text: str, expected: str) -> None:
    stubs = {f"pkg/{p}/__init__.py": "" for p in ("commands", "app", "web", "store", "screening", "analysis")}
    stubs |= {"pkg/__init__.py": "", "pkg/analysis/summary.py": "", "pkg/web/server.py": ""}
    clean = (
        "from typing import TYPE_CHECKING\n\nfrom pkg.app import x\n\nif TYPE_CHECKING:\n    from pkg.store import S\n"
    )
    root = _write(tmp_path, {**stubs, "pkg/app/x.py": "", "pkg/commands/ok.py": clean, "pkg/commands/x.py": text})
    (problem,) = command_violations(root, "pkg")
    assert problem.startswith(expected)


def test_a_clean_package_has_no_violation(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/store/__init__.py": "import sqlalchemy\n",
            "pkg/extraction/x.py": "from pkg.store import y\n",
            "pkg/app/x.py": "from pkg.extraction import x\n",
            "pkg/commands/x.py": "from pkg.app import x\n",
        },
    )
    assert violations(root, "pkg") == []


def test_an_import_cycle_is_found(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/screening/__init__.py": "from pkg.screening.prisma import counts\n",
            "pkg/screening/prisma.py": "from pkg.screening import diagram\n",
            "pkg/screening/diagram.py": "from .prisma import counts\n",
            "pkg/screening/other.py": "from pkg.screening.prisma import counts\nfrom pkg.screening import typed\n",
            "pkg/screening/typed.py": "import typing\n\nif typing.TYPE_CHECKING:\n    from . import other\n",
        },
    )
    assert cycles(import_graph(root, "pkg")) == [["pkg.screening.diagram", "pkg.screening.prisma"]]
