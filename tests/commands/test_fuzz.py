"""Fuzz suite: random and mutated input to every command that reads a user's file.

Fed: ``cases add`` (JSON and YAML), ``extract``, ``recist``, ``import`` (each ``--format`` and
auto-detection) and ``refs check --offline``, with mutations of the fixtures under
``tests/data/`` and, when present, of the files in ``../shared/data/real-files`` (read in
place; mutated copies live only in the test's temporary folder).

For every input: the exit code is 0, 1 or 2; the output never holds "internal error" or a
traceback; on exit 2 the error is exactly one line; the SQLite database passes
``PRAGMA integrity_check`` and, after a refused input (exit 2), holds the same rows as before.

Bounded in time: few examples per target, no deadline per example.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from tests.conftest import DATA, SHARED

from caseseries.cli import main

REAL_FILES = SHARED / "data" / "real-files"
MAX_BYTES = 300_000  # larger real files (whole baseline files) would make the suite slow
FORMATS = ["auto", "csv", "jats", "medline", "pubmed-xml", "ris", "text", "wos"]

# Failures the suite found in stages other than the store and Case JSON, left to their owners
# (substring of the output -> note). An example that hits one is set aside (``reject``), so
# the other examples still run; remove the entry once the owner's fix is in.
KNOWN: dict[str, str] = {}
"""Messages of failures known in another stage, set aside while that stage is fixed (none now)."""

FUZZ = settings(
    max_examples=int(os.environ.get("CASESERIES_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in suffixes and p.stat().st_size <= MAX_BYTES and "heldout" not in p.parts
    )


SOURCE_FILES = _files(DATA / "sources", (".xml", ".gz", ".nbib", ".ris", ".csv", ".txt", ".md")) + _files(
    REAL_FILES, (".xml", ".nxml", ".gz", ".nbib", ".ris", ".csv", ".txt")
)
TEXT_FILES = _files(DATA / "extraction" / "dev", (".txt", ".md"))
RECIST_FILES = _files(DATA / "recist", (".json",))
REFS_FILES = _files(DATA / "refs", (".md", ".bib", ".ris", ".nbib", ".xml")) + _files(
    REAL_FILES / "refs_check", (".md", ".ris")
)
GOOD_CASE = {
    "label": "case 1",
    "age_years": 40,
    "sex": "female",
    "primary_site": "lung",
    "alk": {"status": "positive", "methods": ["IHC"]},
    "fusions": [{"gene5": "TPM3", "gene3": "ALK", "as_written": "TPM3-ALK"}],
    "lines": [
        {"line": 1, "agents": ["crizotinib"], "best_response": "PR", "pfs_months": 7.5, "pfs_censored": False},
        {"line": 2, "agents": ["alectinib"], "best_response": "SD", "start": "2020-03"},
    ],
    "evidence": [{"field": "age_years", "start": 2, "end": 13, "text": "40-year-old"}],
}


# ---------------------------------------------------------------------------------------- harness
def run(args: list[str]) -> tuple[int, str, str]:
    """Run the command line in-process; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, and the integrity check."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn.close()


def check(args: list[str], db: Path | None = None) -> int:
    """Run and assert the contract; return the exit code."""
    before = snapshot(db) if db is not None else None
    code, out, err = run(args)
    both = out + err
    if "internal error" in both and any(needle in both for needle in KNOWN):
        reject()  # a known failure of another stage, see KNOWN
    assert code in (0, 1, 2), (args, code, err[-2000:])
    assert "internal error" not in both and "Traceback" not in both, (args, err[-2000:])
    if code == 2:
        lines = err.splitlines()
        errors = [line for line in lines if line.startswith("Error: ")]
        assert len(errors) == 1 and lines[-1] == errors[0], (args, err[-2000:])
        assert "\n" not in errors[0]
    if db is not None:
        after = snapshot(db)
        if code == 2:
            assert after == before, args
    return code


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fuzzdb") / "fuzz.db"
    assert main(["--db", f"sqlite:///{path}", "init", "--no-bundled"]) == 0
    yield path


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzzwork")


# ---------------------------------------------------------------------------------------- mutations
@st.composite
def mutated(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` with a few byte-level edits: cut, insert, repeat, flip, truncate."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            data += draw(st.binary(min_size=1, max_size=50))
            continue
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["cut", "insert", "repeat", "flip", "truncate", "text"]))
        if kind == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 300))] * draw(st.integers(2, 5))
        elif kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        else:
            snippet = draw(st.sampled_from(["\r", "\x00", "<", "&", "\ufeff", "\u2028", "]]>", "\n\n", "\t", "é"]))
            data[at:at] = snippet.encode("utf-8")
    return bytes(data)


class Sample(tuple[str, bytes]):
    """(file name, content) shown briefly in a falsifying example; the content is written by the test."""

    def __repr__(self) -> str:
        head = self[1][:120]
        return f"Sample({self[0]!r}, {len(self[1])} bytes, starting {head!r})"


@st.composite
def mutated_file(draw: st.DrawFn, files: list[Path]) -> Sample:
    """(file name, mutated content) of one of ``files``; a gzip file may be mutated inside or outside."""
    path = draw(st.sampled_from(files))
    raw = path.read_bytes()
    if path.suffix == ".gz" and draw(st.booleans()):
        inner = draw(mutated(zlib.decompressobj(31).decompress(raw)[:MAX_BYTES]))  # a cut file: what it holds
        return Sample((path.name, gzip.compress(inner)))
    return Sample((path.name, draw(mutated(raw))))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_case(draw: st.DrawFn) -> object:
    """The good case with a few values replaced by random JSON at random places."""
    case = json.loads(json.dumps(GOOD_CASE))
    for _ in range(draw(st.integers(1, 3))):
        node: object = case
        while True:
            if isinstance(node, dict):
                keys: list[object] = list(node.keys())
            else:
                keys = list(range(len(node))) if isinstance(node, list) else []
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]  # type: ignore[index]
            if not isinstance(child, dict | list) or draw(st.booleans()):
                node[key] = draw(json_values)  # type: ignore[index]
                break
            node = child
    return case


def _write(work: Path, name: str, content: bytes) -> Path:
    path = work / name
    path.write_bytes(content)
    return path


# ---------------------------------------------------------------------------------------- targets
@FUZZ
@given(case=st.one_of(mutated_case(), json_values), as_yaml=st.booleans())
def test_cases_add(db: Path, work: Path, case: object, as_yaml: bool) -> None:
    import yaml

    text = yaml.safe_dump(case) if as_yaml else json.dumps(case)
    path = _write(work, "case.yaml" if as_yaml else "case.json", text.encode("utf-8"))
    check(["--db", f"sqlite:///{db}", "cases", "add", str(path)], db)


@FUZZ
@given(content=mutated(json.dumps(GOOD_CASE, indent=1).encode()))
def test_cases_add_bytes(db: Path, work: Path, content: bytes) -> None:
    path = _write(work, "case.json", content)
    check(["--db", f"sqlite:///{db}", "cases", "add", str(path)], db)


@pytest.mark.skipif(not TEXT_FILES, reason="no extraction texts")
@FUZZ
@given(item=st.one_of(mutated_file(TEXT_FILES), st.binary(max_size=300).map(lambda b: Sample(("random.txt", b)))))
def test_extract(db: Path, work: Path, item: tuple[str, bytes]) -> None:
    path = _write(work, item[0], item[1])
    check(["extract", str(path), "--json"])
    check(["--db", f"sqlite:///{db}", "extract", str(path)], db)


@pytest.mark.skipif(not RECIST_FILES, reason="no RECIST files")
@FUZZ
@given(item=mutated_file(RECIST_FILES), confirm=st.booleans())
def test_recist(work: Path, item: tuple[str, bytes], confirm: bool) -> None:
    path = _write(work, item[0], item[1])
    check(["recist", str(path), "--json", *(["--confirm"] if confirm else [])])


@pytest.mark.skipif(not SOURCE_FILES, reason="no source files")
@FUZZ
@given(item=mutated_file(SOURCE_FILES), fmt=st.sampled_from(FORMATS))
def test_import(db: Path, work: Path, item: tuple[str, bytes], fmt: str) -> None:
    path = _write(work, item[0], item[1])
    check(["--db", f"sqlite:///{db}", "import", str(path), "--format", fmt], db)


@pytest.mark.skipif(not REFS_FILES, reason="no reference files")
@FUZZ
@given(item=mutated_file(REFS_FILES), records=st.none() | mutated_file(SOURCE_FILES))
def test_refs_check_offline(work: Path, item: tuple[str, bytes], records: tuple[str, bytes] | None) -> None:
    path = _write(work, item[0], item[1])
    extra = ["--records", str(_write(work, "records-" + records[0], records[1]))] if records else []
    check(["refs", "check", str(path), "--offline", *extra])
