"""The README's literature-review block, run as it is, against the local fake E-utilities server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

from fake_eutils import REVIEW_FULL_TEXT, REVIEW_FULL_TEXT_PMID, REVIEW_QUERY, FakeEutils, review_records

MARKER = "<!-- literature-review:"


def readme_block() -> list[str]:
    """The command lines of the fenced block after the literature-review marker of README.md."""
    text = (ROOT / "README.md").read_text("utf-8")
    after = text[text.index(MARKER) :]
    match = re.search(r"```\n(.*?)```", after, re.DOTALL)
    assert match is not None, "README.md: no fenced block after the literature-review marker"
    return [line for line in match.group(1).splitlines() if line.strip()]


def test_readme_block_names_every_step() -> None:
    commands = [line.split()[1] for line in readme_block()]
    assert commands[0] == "init"
    assert {"search", "import", "screen", "extract", "report"} <= set(commands)
    readme = (ROOT / "README.md").read_text("utf-8")
    assert ". .venv/bin/activate" in readme  # how to get caseseries on PATH after make run


def test_readme_literature_review_runs_verbatim(tmp_path: Path) -> None:
    folder = tmp_path / "review"
    (folder / "full_texts").mkdir(parents=True)
    (folder / "full_texts" / f"{REVIEW_FULL_TEXT_PMID}.xml").write_text(REVIEW_FULL_TEXT, "utf-8")
    lines = readme_block()
    env = {k: v for k, v in os.environ.items() if k not in ("CASESERIES_DB", "NCBI_API_KEY", "VIRTUAL_ENV")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    with FakeEutils(review_records(), lifetime=300) as fake:
        fake.add_search(REVIEW_QUERY, [p.pmid for p in review_records() if p.pmid])
        env["CASESERIES_EUTILS_URL"] = fake.url
        outputs = []
        for line in lines:
            done = subprocess.run(
                ["bash", "-e", "-c", line],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=600,
            )
            assert done.returncode == 0, f"{line}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
            outputs.append(done.stdout)
        assert any(r.endpoint == "esearch" for r in fake.requests)
    by_step = dict(zip(lines, outputs, strict=True))
    screened = next(out for line, out in by_step.items() if line.split()[1:2] == ["screen"] and "--stage" not in line)
    assert "3 records screened by rules (1 include, 2 exclude" in screened
    full_text = next(out for line, out in by_step.items() if "--stage full-text" in line)
    assert "1 records screened by rules (1 include" in full_text
    extracted = next(out for line, out in by_step.items() if line.split()[1:2] == ["extract"])
    assert "pmid:90000101: 1 patients extracted." in extracted and "1 added" in extracted
    analyzed = next(out for line, out in by_step.items() if line.split()[1:2] == ["analyze"])
    assert "13 patients" in analyzed  # the 12 bundled first-line alectinib patients and the new one
    report = (folder / "report" / "report.html").read_text("utf-8")
    assert "Moreau" in report or "90000101" in report
    assert (folder / "prisma" / "prisma2020.csv").stat().st_size > 0
