"""Faults while writing outputs: SIGKILL at random moments and at every commit step, and Ctrl-C.

After a kill the output folder holds the old or the new complete state (every visible file is
a complete file of one of the two manifests, the user's files untouched); a re-run completes
the work and leaves no temporary files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.output_folder import COMMIT, MANIFEST, PLAN, read_manifest
from caseseries.report import build as build_module

SCRIPT = str(Path(sys.executable).parent / "caseseries")
RUNS = 5
USER = {"manuscript_draft.docx": b"my draft", "data/patients.xlsx": b"my sheet"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _visible(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def assert_consistent(folder: Path, *, settled: bool = False) -> None:
    """The folder is the old or the new state; ``settled``: no run in progress left anything behind."""
    for rel, data in USER.items():
        assert (folder / rel).read_bytes() == data, rel
    manifest = read_manifest(folder)
    states = [{rel: e.sha256 for rel, e in manifest.files.items()}] if manifest else [{}]
    plan_path = folder / COMMIT / PLAN
    if plan_path.exists():  # killed after the commit point: files are old or new, the next run finishes
        assert not settled
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        states.append({rel: e["sha256"] for rel, e in plan["manifest"]["files"].items()})
        for rel in _visible(folder):
            if rel not in USER:
                assert any(s.get(rel) == _sha(folder / rel) for s in states), rel
        return
    ours = [rel for rel in _visible(folder) if rel not in USER]
    assert set(ours) == set(states[0]), "files on disk and manifest differ"
    for rel in ours:
        assert _sha(folder / rel) == states[0][rel], f"{rel} is not the file caseseries wrote"
    if settled:
        hidden = [p.name for p in folder.rglob(".*") if p.name != MANIFEST]
        assert hidden == [], hidden


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not Path(SCRIPT).exists():
        pytest.skip("the caseseries console script is not installed")
    url = f"sqlite:///{tmp_path_factory.mktemp('fault') / 'c.db'}"
    subprocess.run([SCRIPT, "--db", url, "init"], check=True, capture_output=True)
    return url


def _run(db: str, args: list[str]) -> float:
    started = time.monotonic()
    done = subprocess.run([SCRIPT, "--db", db, *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


def _kill_at_random(db: str, args: list[str], duration: float, rng: random.Random) -> None:
    proc = subprocess.Popen([SCRIPT, "--db", db, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.1, duration))
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize(
    "args",
    [["report", "--format", "html,md,csv"], ["cases", "export", "--format", "phenopacket"]],
    ids=["report", "phenopacket"],
)
def test_sigkill_leaves_the_old_or_the_new_folder(db: str, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    for rel, data in USER.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    cmd = [*args, "--out", str(out)]
    duration = _run(db, [*cmd, "--force"])
    assert_consistent(out, settled=True)
    rng = random.Random(13)
    for _ in range(RUNS):
        _kill_at_random(db, cmd, duration, rng)
        assert_consistent(out)
    _run(db, cmd)  # the re-run completes (and finishes a killed commit)
    assert_consistent(out, settled=True)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_sigkill_leaves_the_old_or_the_new_file(db: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"cases.{fmt}"
    duration = _run(db, ["cases", "export", "--format", fmt, "--out", str(out)])
    complete = out.read_bytes()
    rows = len(list(csv.reader(io.StringIO(complete.decode())))) if fmt == "csv" else None
    rng = random.Random(7)
    for _ in range(RUNS):
        out.unlink(missing_ok=True)  # the "old" state is no file: a killed run leaves none or the complete one
        _kill_at_random(db, ["cases", "export", "--format", fmt, "--out", str(out)], duration, rng)
        assert not out.exists() or out.read_bytes() == complete
        assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] in ([], [out.name])
    _run(db, ["cases", "export", "--format", fmt, "--out", str(out)])
    assert out.read_bytes() == complete and sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    if rows is not None:
        assert rows > 1


_KILL_AT_STEP = """
import os, signal, sys
from caseseries import output_folder as of
out, kill_at, version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
real, calls = os.replace, [0]
def replace(src, dst):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
of.os.replace = replace
import caseseries.files as files
files.os.replace = replace
with of.output_folder(out, kind="test", force=True) as folder:
    for i in range(4):
        folder.write(f"sub/f{i}.txt", version * (i + 1))
    if version == "new":
        folder.write("extra.txt", "x")
"""


def test_sigkill_at_every_step_of_the_commit(tmp_path: Path) -> None:
    """Killed at each file move (and the manifest's), the folder is old-or-new; the next run finishes it."""
    for kill_at in range(1, 8):  # the plan, five files, the manifest
        out = tmp_path / f"k{kill_at}"
        for rel, data in USER.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        subprocess.run([sys.executable, "-c", _KILL_AT_STEP, str(out), "0", "old"], check=True)
        killed = subprocess.run([sys.executable, "-c", _KILL_AT_STEP, str(out), str(kill_at), "new"])
        assert killed.returncode == -signal.SIGKILL
        assert_consistent(out)
        subprocess.run([sys.executable, "-c", _KILL_AT_STEP, str(out), "0", "new"], check=True)
        assert_consistent(out, settled=True)
        assert (out / "extra.txt").read_text() == "x"


# ---- Ctrl-C -----------------------------------------------------------------------------------------------------


def test_ctrl_c_during_the_report_keeps_the_old_report(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 130, one line, no traceback; the earlier report is left as it was."""
    assert main(["--db", sqlite_url, "init"]) == 0
    out = tmp_path / "report"
    assert main(["--db", sqlite_url, "report", "--out", str(out), "--format", "md"]) == 0
    before = {rel: _sha(out / rel) for rel in _visible(out)}
    capsys.readouterr()

    def interrupted(*_: object, **__: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_markdown", interrupted)
    assert main(["--db", sqlite_url, "report", "--out", str(out), "--format", "md"]) == 130
    assert capsys.readouterr().err == "Interrupted: nothing was written\n"
    assert {rel: _sha(out / rel) for rel in _visible(out)} == before
    assert_consistent_without_user(out)


def assert_consistent_without_user(folder: Path) -> None:
    manifest = read_manifest(folder)
    assert manifest is not None and set(manifest.files) == set(_visible(folder))
    assert [p.name for p in folder.rglob(".*") if p.name != MANIFEST] == []


def test_ctrl_c_after_database_writes_says_they_are_kept(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`init` stores the bundled series, then is interrupted: the message does not claim nothing was written."""
    from caseseries.app import cases

    def interrupted() -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(cases, "bundled_case_series", interrupted)
    assert main(["--db", sqlite_url, "init"]) == 130
    assert capsys.readouterr().err == (
        "Interrupted: database changes committed before the interruption are kept; the step in progress was not\n"
    )


def test_sigint_to_a_running_command_is_one_line(db: str, tmp_path: Path) -> None:
    """A real SIGINT at random moments: exit 130 (or 0 when it had finished), one line, never a traceback."""
    rng = random.Random(5)
    # The moments are fractions of a clean run's own duration, so that each signal lands while
    # the command runs (start-up included) on a fast or a loaded machine alike.
    duration = _run(db, ["report", "--out", str(tmp_path / "clean"), "--format", "md"])
    codes = []
    for fraction in (0.1, 0.3, 0.6):
        proc = subprocess.Popen(
            [SCRIPT, "--db", db, "report", "--out", str(tmp_path / "r"), "--format", "md"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(duration * rng.uniform(fraction * 0.8, fraction))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate()
        codes.append(proc.returncode)
        if proc.returncode == 130:
            assert err.count("\n") == 1 and err.startswith("Interrupted: "), err
        else:
            assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert 130 in codes
