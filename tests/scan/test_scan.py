"""``caseseries scan``: single process and a Dask LocalCluster give the same counts; updates,
deletions, a worker killed mid-scan, a client killed and resumed, a failing file, the store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from scan_files import PROTOCOL, expected, make_file

from caseseries.cli import main
from caseseries.model import CaseDocument, CaseFile, Patient, Source
from caseseries.scan import run_scan
from caseseries.scan.manifest import MANIFEST
from caseseries.store import Store

COUNTS = ("files", "records", "candidates", "patients", "lines", "skipped", "deletions")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two baseline-like files and an update file that revises and deletes records."""
    folder = tmp_path_factory.mktemp("baseline")
    make_file(folder / "base0001.xml.gz", 0, 240)
    make_file(folder / "base0002.xml.gz", 240, 240)
    # revises records 0..19 (version 2; records 0 and 10 were cases and are now not), deletes two
    make_file(folder / "upd0003.xml.gz", 0, 20, version=2, case_every=None, deletes=["1020", "1250", "999999"])
    return folder


@pytest.fixture(scope="module")
def single(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return run_scan([str(inputs)], PROTOCOL, tmp_path_factory.mktemp("single") / "out", workers=0).to_json()


def _counts(summary: dict[str, object]) -> dict[str, object]:
    return {k: summary[k] for k in COUNTS}


def test_single_process_counts_follow_the_update_rules(single: dict[str, object]) -> None:
    exp = expected(480, revised_away=2, deleted=2)
    assert _counts(single) == {
        "files": 3, "records": 500, "candidates": exp, "patients": exp, "lines": exp, "skipped": 0, "deletions": 3,
    }
    assert sorted(single["deleted_with_patients"]) == ["1020", "1250"]  # type: ignore[arg-type]
    assert single["failed_files"] == []


def test_two_workers_give_the_same_counts(inputs: Path, single: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["scan", str(inputs), "--protocol", PROTOCOL, "--out", str(out), "--workers", "2", "--json"])
    assert code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["base0001", "base0002", "upd0003"]
    summary = run_scan([str(inputs)], PROTOCOL, out, workers=0)  # everything resumed, nothing re-run
    assert summary.resumed == 3
    assert _counts(summary.to_json()) == _counts(single)


def test_tables_are_parquet_with_evidence(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_scan([str(inputs / "base0001.xml.gz")], PROTOCOL, out, workers=0)
    patients = pq.read_table(out / "base0001.patients.parquet").to_pylist()
    assert patients and all(p["pmid"] and p["diagnosis"] == "inflammatory myofibroblastic tumor" for p in patients)
    first = Patient.model_validate_json(patients[0]["patient"])
    assert first.lines[0].agents == ["alectinib"]
    evidence = pq.read_table(out / "base0001.evidence.parquet").to_pylist()
    assert {e["field"] for e in evidence} >= {"age_years", "lines[0].agents"}
    records = pq.read_table(out / "base0001.records.parquet")
    assert records.num_rows == 240
    assert sum(records.column("prefilter").to_pylist()) == 24  # only the case reports name a vocabulary term


def test_a_worker_killed_mid_scan_still_gives_exact_counts(
    inputs: Path, single: dict[str, object], tmp_path: Path
) -> None:
    from dask.distributed import Client, LocalCluster

    big = tmp_path / "in"
    big.mkdir()
    for i in range(4):
        make_file(big / f"part{i:04d}.xml.gz", i * 700, 700, case_every=20)
    reference = run_scan([str(big)], PROTOCOL, tmp_path / "ref", workers=0).to_json()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        result: dict[str, object] = {}
        thread = threading.Thread(
            target=lambda: result.update(
                run_scan([str(big)], PROTOCOL, tmp_path / "out", scheduler=cluster.scheduler_address).to_json()
            )
        )
        thread.start()
        deadline = time.monotonic() + 60
        victim = None
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            victim = busy[0] if busy else None
            time.sleep(0.05)
        assert victim is not None, "no task started within 60 s"
        time.sleep(0.3)
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive()
    assert result["failed_files"] == []
    assert _counts(result) == _counts(reference)


def test_resume_after_the_client_is_killed(inputs: Path, single: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "out"
    big = tmp_path / "in"
    big.mkdir()
    for i in range(5):
        make_file(big / f"part{i:04d}.xml.gz", i * 500, 500, case_every=20)
    cmd = [sys.executable, "-m", "caseseries.cli", "scan", str(big), "--protocol", PROTOCOL, "--out", str(out),
           "--workers", "0"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / MANIFEST).exists() and len(json.loads((out / MANIFEST).read_text())["files"]) >= 1:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(json.loads((out / MANIFEST).read_text())["files"])
    assert 1 <= done_before < 5, "the scan was not stopped part-way"
    resumed = run_scan([str(big)], PROTOCOL, out, workers=0)
    fresh = run_scan([str(big)], PROTOCOL, tmp_path / "fresh", workers=0)
    assert resumed.resumed == done_before
    assert _counts(resumed.to_json()) == _counts(fresh.to_json())


def test_a_failing_file_is_named_and_the_rest_complete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_file(folder / "good0001.xml.gz", 0, 50)
    (folder / "bad0002.xml").write_bytes(b"\x00\x01 not xml at all")
    out = tmp_path / "out"
    code = main(["scan", str(folder), "--protocol", PROTOCOL, "--out", str(out), "--workers", "0", "--json"])
    assert code == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == 1 and summary["records"] == 50
    assert [f["file"] for f in summary["failed_files"]] == [str(folder / "bad0002.xml")]
    assert "Traceback" not in summary["failed_files"][0]["reason"]


def test_another_protocol_in_the_same_folder_is_refused(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_scan([str(inputs / "base0001.xml.gz")], PROTOCOL, out, workers=0)
    code = main(["scan", str(inputs), "--protocol", "imt-two-or-more-lines", "--out", str(out), "--workers", "0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"Error: {out}: the folder holds a scan with protocol {PROTOCOL!r}, not 'imt-two-or-more-lines'; "
                   "choose another folder for this protocol"]


def test_into_store_loads_candidates_and_names_patients_of_deleted_records(
    inputs: Path, single: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'cs.db'}"
    out = tmp_path / "out"
    base = [str(inputs / "base0001.xml.gz"), str(inputs / "base0002.xml.gz")]
    assert main(["--db", db, "scan", *base, "--protocol", PROTOCOL, "--out", str(out), "--workers", "0",
                 "--into-store", "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out)["store"]
    assert loaded["stored"] == expected(480) and loaded["decisions"] == expected(480)
    store = Store(db)
    assert store.has_publication("pmid:1250")
    doc = CaseDocument(source=Source(pmid="1250"), patients=[Patient(label="index patient", age_years=40)])
    store.add_case_file(CaseFile(documents=[doc]))
    assert main(["--db", db, "scan", str(inputs), "--protocol", PROTOCOL, "--out", str(out), "--workers", "0",
                 "--into-store", "--json"]) == 0
    loaded = json.loads(capsys.readouterr().out)["store"]
    assert any(p.endswith(": index patient") for p in loaded["orphaned_patients"])
    assert not Store(db).has_publication("pmid:1020")
