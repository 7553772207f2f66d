"""Output files and folders: a user's file is never deleted or replaced, devices are refused, umask respected.

The report and the phenopacket export write into folders that keep a manifest of what
caseseries wrote; everything else in the folder belongs to the user.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.errors import InputError
from caseseries.files import safe_file_name, unique_file_name, write_atomic
from caseseries.model.casejson import CaseFile, load_case_file
from caseseries.output_folder import MANIFEST, output_folder, read_manifest
from caseseries.report.build import build_report
from caseseries.report.phenopacket import write_phenopackets

from .conftest import DATA

MINI = DATA / "analysis" / "mini_series.json"
FOREIGN = "folder is not empty and was not written by caseseries; choose an empty folder or pass --force"


@pytest.fixture(scope="module")
def mini() -> CaseFile:
    return load_case_file(MINI)


def _user_files(folder: Path) -> dict[str, bytes]:
    files = {"manuscript_draft.docx": b"my draft, not a caseseries file", "data/patients.xlsx": b"my spreadsheet"}
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return files


def _assert_untouched(folder: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        assert (folder / rel).read_bytes() == data, rel


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- the report folder ---------------------------------------------------------------------------------------------


def test_report_refuses_a_folder_of_user_files_and_force_keeps_them(mini: CaseFile, tmp_path: Path) -> None:
    """A non-empty folder caseseries did not write is refused; --force writes beside the user's files."""
    out = tmp_path / "report"
    user = _user_files(out)
    with pytest.raises(InputError) as err:
        build_report(mini, out, formats=("html",))
    assert str(err.value) == f"{out}: {FOREIGN}"
    assert _snapshot(out) == user
    build_report(mini, out, formats=("html", "csv"), force=True)
    _assert_untouched(out, user)
    manifest = read_manifest(out)
    assert manifest is not None and "report.html" in manifest.files
    assert not set(manifest.files) & set(user)  # the user's files are not caseseries'
    build_report(mini, out, formats=("html", "md"))  # the manifest makes a rebuild work without --force
    _assert_untouched(out, user)


def test_format_restricted_report_keeps_the_other_formats(mini: CaseFile, tmp_path: Path) -> None:
    """`--format md` after a full report keeps the HTML and DOCX written earlier, byte for byte."""
    out = tmp_path / "report"
    build_report(mini, out)
    before = _snapshot(out)
    build_report(mini, out, formats=("md",))
    after = _snapshot(out)
    for rel in ("report.html", "tables.docx", "tables/table1.csv"):
        assert after[rel] == before[rel], rel
    manifest = read_manifest(out)
    assert manifest is not None and {"report.html", "tables.docx", "report.md"} <= set(manifest.files)


def test_cli_report_refuses_a_foreign_folder_in_one_line(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, one line naming the folder and the fix; the user's files are untouched."""
    assert main(["--db", sqlite_url, "init"]) == 0
    out = tmp_path / "mine"
    user = _user_files(out)
    capsys.readouterr()
    assert main(["--db", sqlite_url, "report", "--out", str(out), "--format", "md"]) == 2
    assert capsys.readouterr().err == f"Error: {out}: {FOREIGN}\n"
    assert _snapshot(out) == user
    assert main(["--db", sqlite_url, "report", "--out", str(out), "--format", "md", "--force"]) == 0
    _assert_untouched(out, user)
    assert (out / "report.md").is_file()


def test_a_user_file_in_the_way_is_never_replaced(mini: CaseFile, tmp_path: Path) -> None:
    """Even with --force, a file of the user's with a name caseseries writes is refused, and nothing changes."""
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("my own page")
    with pytest.raises(InputError) as err:
        build_report(mini, out, formats=("html",), force=True)
    assert str(err.value) == (
        f"{out / 'report.html'}: exists and was not written by caseseries; move it away or choose another folder"
    )
    assert _snapshot(out) == {"report.html": b"my own page"}


def test_a_file_changed_after_caseseries_wrote_it_is_the_users(tmp_path: Path) -> None:
    """A written file the user edited is neither replaced nor removed; it leaves the manifest."""
    out = tmp_path / "out"
    with output_folder(out, kind="test") as folder:
        folder.write("a.txt", "a1")
        folder.write("b.txt", "b1")
    (out / "a.txt").write_text("edited by the user")
    with pytest.raises(InputError) as err, output_folder(out, kind="test") as folder:
        folder.write("a.txt", "a2")
    assert str(err.value) == (
        f"{out / 'a.txt'}: was changed after caseseries wrote it; move it away or choose another folder"
    )
    (out / "b.txt").write_text("edited too")
    with output_folder(out, kind="test") as folder:
        folder.write("c.txt", "c1")  # a.txt and b.txt are no longer written: removed only if unchanged
    assert _snapshot(out)["a.txt"] == b"edited by the user" and _snapshot(out)["b.txt"] == b"edited too"
    manifest = read_manifest(out)
    assert manifest is not None and set(manifest.files) == {"c.txt"}


def test_files_no_longer_written_are_removed_only_when_they_are_caseseries(tmp_path: Path) -> None:
    """A re-run removes its own stale files (and their emptied folders), never the user's."""
    out = tmp_path / "out"
    with output_folder(out, kind="test") as folder:
        folder.write("sub/old.txt", "old")
        folder.write("kept.txt", "1")
    (out / "notes.txt").write_text("mine")
    with output_folder(out, kind="test") as folder:
        folder.write("kept.txt", "2")
    assert _snapshot(out) == {MANIFEST: (out / MANIFEST).read_bytes(), "kept.txt": b"2", "notes.txt": b"mine"}
    assert not (out / "sub").exists()


def test_a_tampered_manifest_cannot_point_outside_the_folder(tmp_path: Path) -> None:
    """A manifest naming ../ paths is not caseseries': refused, and nothing outside is removed."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    entry = {"size": 7, "sha256": "0" * 64, "group": ""}
    (out / MANIFEST).write_text(json.dumps({"tool": "caseseries", "kind": "test", "files": {"../victim.txt": entry}}))
    with pytest.raises(InputError) as err, output_folder(out, kind="test") as folder:
        folder.write("x.txt", "x")
    assert str(err.value) == f"{out / MANIFEST}: not a caseseries manifest; remove it or choose another folder"
    assert victim.read_text() == "keep me"


def test_a_symlinked_subfolder_is_not_written_through(tmp_path: Path) -> None:
    """`tables/` pointing elsewhere is in the way: refused, nothing written outside the folder."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    with output_folder(out, kind="test", force=True) as folder:
        folder.write("top.txt", "1")
    (out / "tables").symlink_to(elsewhere)
    with (
        pytest.raises(InputError, match=r"is in the way of caseseries' tables/t\.csv"),
        output_folder(out, kind="test") as folder,
    ):
        folder.write("tables/t.csv", "x")
    assert list(elsewhere.iterdir()) == []


def test_another_kind_of_output_is_refused(mini: CaseFile, tmp_path: Path) -> None:
    """A phenopacket export into a report folder would remove the report: refused."""
    out = tmp_path / "out"
    build_report(mini, out, formats=("md",))
    with pytest.raises(InputError) as err:
        write_phenopackets(mini, out)
    assert str(err.value) == f"{out}: folder holds a caseseries report, not a phenopacket; choose another folder"


def test_a_report_written_before_manifests_is_replaced_without_force(mini: CaseFile, tmp_path: Path) -> None:
    """A folder holding only an earlier report's files (no manifest) is recognised; one more file is not."""
    out = tmp_path / "report"
    build_report(mini, out)
    (out / MANIFEST).unlink()
    build_report(mini, out)
    assert read_manifest(out) is not None
    (out / MANIFEST).unlink()
    (out / "cover_letter.txt").write_text("mine")
    with pytest.raises(InputError, match="was not written by caseseries"):
        build_report(mini, out)


# ---- the phenopacket export ---------------------------------------------------------------------------------------


def test_phenopacket_export_keeps_user_files(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cases export --format phenopacket` no longer empties the folder; --force adds beside; re-export works."""
    assert main(["--db", sqlite_url, "init"]) == 0
    out = tmp_path / "pp"
    user = _user_files(out)
    capsys.readouterr()
    args = ["--db", sqlite_url, "cases", "export", "--format", "phenopacket", "--out", str(out)]
    assert main(args) == 2
    assert capsys.readouterr().err == f"Error: {out}: {FOREIGN}\n"
    assert _snapshot(out) == user
    assert main([*args, "--force"]) == 0
    assert main(args) == 0
    _assert_untouched(out, user)
    assert len(list(out.glob("*.json"))) == 21  # the manifest is not matched by *.json


def test_phenopacket_legacy_export_is_recognised(mini: CaseFile, tmp_path: Path) -> None:
    """A folder holding only phenopackets caseseries wrote (before manifests) is replaced without --force."""
    out = tmp_path / "pp"
    write_phenopackets(mini, out)
    (out / MANIFEST).unlink()
    write_phenopackets(mini, out)
    assert read_manifest(out) is not None


def test_long_titles_give_bounded_unique_file_names(tmp_path: Path) -> None:
    """A 271-character title gave "File name too long": names are cut to 100 characters, kept unique."""
    title = "A remarkably long title about an inflammatory myofibroblastic tumour " * 4
    title = (title + "x" * 271)[:271]
    data = {
        "schema": "caseseries/1",
        "documents": [
            {"source": {"title": title}, "patients": [{"label": "case 1"}, {"label": "case 2"}]},
            {"source": {"title": title + " second"}, "patients": [{"label": "case 1"}]},
        ],
    }
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    out = write_phenopackets(load_case_file(path), tmp_path / "pp")
    names = sorted(p.name for p in out.glob("*.json"))
    assert len(names) == 3 and all(len(n) <= 100 for n in names)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PMID_123_case 1", "PMID_123_case_1"),
        ("../../etc/passwd", "etc_passwd"),
        ("km_first_line_5-FU/leucovorin", "km_first_line_5-FU_leucovorin"),
        ("...", "file"),
        ("con", "_con"),
        ("Größe", "Gr_e"),
    ],
)
def test_safe_file_name(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


def test_safe_file_name_bounds_and_keeps_cut_names_apart() -> None:
    a, b = safe_file_name("x" * 150 + "a"), safe_file_name("x" * 150 + "b")
    assert len(a) == len(b) == 100 and a != b and a.startswith("x" * 90)
    used: set[str] = set()
    assert [unique_file_name(n, used, suffix=".json") for n in ("a", "A", "a")] == ["a.json", "A_2.json", "a_3.json"]


# ---- output files ---------------------------------------------------------------------------------------------------


@pytest.fixture
def stored(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    assert main(["--db", sqlite_url, "init"]) == 0
    capsys.readouterr()
    yield sqlite_url


def _export(db: str, fmt: str, out: str) -> int:
    return main(["--db", db, "cases", "export", "--format", fmt, "--out", out])


def test_dash_writes_to_standard_output(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(stored, "json", "-") == 0
    assert len(json.loads(capsys.readouterr().out)["documents"]) == 2
    assert _export(stored, "csv", "-") == 0
    assert capsys.readouterr().out.startswith("document,label,reference,")


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="no /dev/null device")
def test_a_device_is_never_replaced(stored: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--out /dev/null` (a device; /dev/full as in the report) is refused and stays a device, even as root."""
    assert _export(stored, "csv", "/dev/null") == 2
    assert capsys.readouterr().err == (
        "Error: /dev/null: is a device, not a file; give a file path (or - for standard output)\n"
    )
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_folder_and_dash_are_refused_where_they_do_not_fit(
    stored: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _export(stored, "json", str(fifo)) == 2
    assert (
        capsys.readouterr().err
        == f"Error: {fifo}: is a FIFO, not a file; give a file path (or - for standard output)\n"
    )
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _export(stored, "csv", str(tmp_path)) == 2
    assert capsys.readouterr().err == (
        f"Error: {tmp_path}: is a folder, not a file; give a file path (or - for standard output)\n"
    )
    assert _export(stored, "phenopacket", "-") == 2
    assert capsys.readouterr().err == "Error: --out: this output is a folder, not a stream; give a folder path\n"
    file = tmp_path / "file.txt"
    file.write_text("mine")
    assert _export(stored, "phenopacket", str(file)) == 2
    assert capsys.readouterr().err == f"Error: {file}: exists and is not a directory; choose another --out\n"
    assert main(["--db", stored, "report", "--out", str(file)]) == 2
    assert capsys.readouterr().err == f"Error: {file}: exists and is not a directory; choose another --out\n"
    assert file.read_text() == "mine"


def _console_script() -> str:
    return str(Path(sys.executable).parent / "caseseries")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [["cases", "export", "--format", "csv", "--out", "-"], ["cases", "list", "--json"]])
def test_a_full_disk_on_standard_output_is_one_line(stored: str, args: list[str]) -> None:
    """Standard output on /dev/full: one line, exit 1 or 2, no traceback."""
    with open("/dev/full", "wb") as full:
        run = subprocess.run([_console_script(), "--db", stored, *args], stdout=full, stderr=subprocess.PIPE)
    err = run.stderr.decode()
    assert run.returncode in (1, 2), err
    assert err.count("\n") == 1 and err.startswith("Error: stdout: cannot write") and "No space left" in err


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_stale_temporary_files_of_killed_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "cases.json"
    stale = tmp_path / ".cases.json.0123456789ab.part"
    stale.write_text("half")
    write_atomic(target, "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.json"]


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "cases.csv"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.parametrize(("umask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_outputs_respect_the_umask(mini: CaseFile, tmp_path: Path, umask: int, file_mode: int, dir_mode: int) -> None:
    """Files and folders were 0600/0700 whatever the umask (mkstemp/mkdtemp); now the umask decides."""
    old = os.umask(umask)
    try:
        build_report(mini, tmp_path / "report", formats=("md",))
        write_phenopackets(mini, tmp_path / "pp")
        write_atomic(tmp_path / "cases.csv", "x")
    finally:
        os.umask(old)
    report = tmp_path / "report"
    for path in (report / "report.md", report / "figures" / "swimmer.svg", report / MANIFEST,
                 tmp_path / "cases.csv", next((tmp_path / "pp").glob("*.json"))):  # fmt: skip
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path
    for path in (tmp_path / "report", tmp_path / "report" / "figures", tmp_path / "pp"):
        assert stat.S_IMODE(path.stat().st_mode) == dir_mode, path
