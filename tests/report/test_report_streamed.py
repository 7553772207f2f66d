"""The report of a stored series, read as a stream of compacted patients, is the report of the same series in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.report.report_series import document, line, patient, series

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.compact import Compactor, compact
from caseseries.app.duplicates import pooled_series
from caseseries.app.report import write_report
from caseseries.model.case import Dose, Fusion, Patient
from caseseries.model.enums import CurationStatus, Response
from caseseries.report.build import FORMATS, build_report
from caseseries.store import Store


def _series() -> list[Patient]:
    return [
        patient("case 1", [line(1, ["alectinib"], Response.PR, 14.0, False),
                           line(2, ["lorlatinib"], Response.SD, 6.5, True)]),
        patient("case 2", [line(1, ["alectinib"], Response.CR, 30.0, True)], site="uterus"),
        patient("case 3", [line(1, ["crizotinib"], Response.PD, 2.0, False),
                           line(2, ["alectinib"], None, None),
                           line(3, ["ifosfamide", "etoposide"], Response.NE)], status=CurationStatus.EXTRACTED),
    ]  # fmt: skip


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".caseseries")
    }


def test_streamed_store_report_equals_in_memory_report(tmp_path: Path) -> None:
    patients = _series()
    case_file = series(
        document("Doe J, Roe R. First invented report. J Invented Oncol 2020;1:1-5.", patients[:2]),
        document("Poe A. Second invented report. Invented Case Rep 2021;2:10-2.", patients[2:]),
    )
    store = Store.open(f"sqlite:///{tmp_path / 'series.db'}")
    store.add_case_file(case_file)
    pooled = [p for _, p in pooled_series(store).case_file.patients()]
    assert all(type(p.model_fields_set) is frozenset for p in pooled)
    assert pooled[0].cited is pooled[2].cited  # one shared citation
    assert pooled[0].lines[0] is not pooled[1].lines[0]  # lines (which can hold evidence) are never shared
    streamed = write_report(store, tmp_path / "streamed", formats=FORMATS, cohort=Cohort())
    in_memory = build_report(store.case_file(), tmp_path / "in-memory")
    assert (streamed.n_patients, streamed.n_lines) == (in_memory.n_patients, in_memory.n_lines) == (3, 6)
    # The docx package is zipped with the time of writing; every other file must match byte for byte.
    got, want = _files(tmp_path / "streamed"), _files(tmp_path / "in-memory")
    assert got.keys() == want.keys()
    assert {k for k in got if got[k] != want[k]} <= {"tables.docx"}


def test_compact_keeps_values_and_refuses_changes() -> None:
    original = Patient(
        label="case 9", primary_site="lung", fusions=[Fusion(gene5="EML4", as_written="EML4-ALK")],
        lines=[line(1, ["alectinib"], Response.PR, 3.0)],
    )  # fmt: skip
    original.lines[0].doses.append(Dose(agent="alectinib", dose=600, unit="mg"))
    twin = original.model_copy(deep=True)
    compacted = compact(original)
    assert compacted is original
    assert compacted == twin
    assert compacted.model_dump_json() == twin.model_dump_json()
    assert compacted.lines[0].model_fields_set == twin.lines[0].model_fields_set
    assert compacted.model_copy(deep=True) == twin
    # Two patients with the same fields given share one field set.
    other = compact(Patient(label="case 10", primary_site="pleura", fusions=[], lines=[]))
    assert other.model_fields_set is compacted.model_fields_set
    # Read-only: every change, and a dump of the fields given only, raises rather than alters a shared set.
    with pytest.raises(TypeError):
        compacted.primary_site = "pleura"
    with pytest.raises(AttributeError):
        compacted.model_copy(update={"notes": ["changed"]})
    with pytest.raises(TypeError):
        compacted.model_dump(exclude_unset=True)
    # Parts of equal value are shared by the patients one compactor compacts, unequal ones are not.
    compactor = Compactor()
    a, b, c = (compactor.compact(Patient(label=f"case {i}", fusions=[Fusion(gene5=g, as_written=f"{g}-ALK")]))
               for i, g in enumerate(["EML4", "EML4", "TPM3"]))  # fmt: skip
    assert a.fusions[0] is b.fusions[0] and a.fusions[0] is not c.fusions[0]
    assert a.alk is b.alk is c.alk
    assert other.model_fields_set == {"label", "primary_site", "fusions", "lines"}
