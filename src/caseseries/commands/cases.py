"""``caseseries init`` and ``caseseries cases list|show|add|export``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from caseseries.analysis.duplicates import citation_of
from caseseries.commands._common import open_store, print_json
from caseseries.commands._duplicates import register_duplicates
from caseseries.commands._edit import edit_patient
from caseseries.data import bundled_case_series
from caseseries.files import STDOUT, check_file_target, check_folder_target, read_data
from caseseries.model.casejson import CaseFile, parse_case_data
from caseseries.report.export import export_case_file, exporter_names, get_exporter
from caseseries.store.repository import PatientRevision
from caseseries.vocab.check import check_case_file

PIPED_WIDTH = 100_000
"""Line width when the output is not a terminal: wide enough that no table is cut."""

cases_app = typer.Typer(help="List, show, add, edit, delete and export cases.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    no_bundled: bool = typer.Option(False, "--no-bundled", help="Do not load the bundled case series."),
) -> None:
    """Create or migrate the database and load the bundled case series.

    Bundled cases you edited or deleted stay as you left them.

    Example: caseseries --db sqlite:///review.db init
    """
    store = open_store(ctx, create=True)
    revision = store.migrate()
    typer.echo(f"Database {store.engine.url.render_as_string(hide_password=True)} at revision {revision}.")
    if not no_bundled:
        result = store.add_case_file(bundled_case_series(), keep_user_changes=True)
        typer.echo(
            f"Bundled case series: {len(result.added)} added, {len(result.updated)} updated, "
            f"{len(result.unchanged)} unchanged."
        )


@cases_app.command("list")
def list_cases(
    ctx: typer.Context,
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List stored cases.

    Example: caseseries cases list --json
    """
    stored = open_store(ctx).patients()
    rows = [
        {
            "id": sp.id,
            "label": sp.patient.label,
            "source": citation_of(sp),
            "reference": sp.patient.reference,
            "primary_site": sp.patient.primary_site,
            "partner": ", ".join(f.label for f in sp.patient.fusions) or None,
            "lines": len(sp.patient.lines),
            "first_line": ", ".join(sp.patient.lines[0].agents) if sp.patient.lines else None,
            "status": sp.patient.curation_status.value,
        }
        for sp in stored
    ]
    if json_out:
        print_json(rows)
        return
    columns = ("id", "source", "label", "reference", "primary_site", "partner", "lines", "first_line", "status")
    console = Console()
    if not console.is_terminal:  # piped or redirected: never cut to a width, every column in full
        console = Console(width=PIPED_WIDTH)
    table = Table(title=f"{len(rows)} cases")
    for col in columns:
        table.add_column(col, no_wrap=not console.is_terminal)
    for r in rows:
        table.add_row(*(str(r[c]) if r[c] is not None else "" for c in columns))
    console.print(table)


@cases_app.command("show")
def show(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Case id from 'cases list'."),
    history: bool = typer.Option(False, "--history", help="Also list the earlier versions of the case."),
) -> None:
    """Show one case as Case JSON, with its revision and, if extracted, the extractor and rule-set version.

    The output is accepted by 'cases add' as it is (the id, revision and history are
    ignored there): save it, correct it, add it to another database.

    Example: caseseries cases show 3 --history
    """
    store = open_store(ctx)
    sp = store.get_patient(case_id)
    shown: dict[str, Any] = {
        "id": sp.id,
        "revision": sp.revision,
        "extractor": sp.extractor,
        "ruleset_version": sp.ruleset_version,
        "source": sp.source.model_dump(mode="json"),
        "patient": sp.patient.model_dump(mode="json"),
    }
    if history:
        shown["history"] = [_revision_json(r) for r in store.patient_history(case_id)]
    print_json(shown)


def _revision_json(rev: PatientRevision) -> dict[str, Any]:
    return {
        "revision": rev.revision,
        "change": rev.change,
        "recorded_at": rev.recorded_at.isoformat(),
        "patient": rev.data,
    }


@cases_app.command("delete")
def delete(
    ctx: typer.Context,
    case_ids: list[int] = typer.Argument(..., help="Case ids from 'cases list'."),
) -> None:
    """Delete stored cases; their last versions stay in the history ('cases show ID --history').

    All or nothing: if any id does not exist, nothing is deleted. The publications stay.

    Example: caseseries cases delete 3
    """
    for sp in open_store(ctx).delete_patients(case_ids):
        typer.echo(f"Deleted case {sp.id} ({sp.patient.label!r} of {sp.publication_key}); kept in its history.")


@cases_app.command("edit")
def edit(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Case id from 'cases list'."),
) -> None:
    """Correct a stored case in your editor ($VISUAL or $EDITOR); the old version is kept in the history.

    The case opens as a Case JSON patient object. When the editor closes, the edit is
    validated like 'cases add'; an invalid edit is refused with the error (exit code 2),
    nothing is changed and the edited text is kept in a file named in the message.

    Example: EDITOR=nano caseseries cases edit 3
    """
    store = open_store(ctx)
    sp = store.get_patient(case_id)
    outcome = edit_patient(store, sp)
    typer.echo(outcome)


@cases_app.command("add")
def add(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Case JSON or YAML files."),
) -> None:
    """Validate Case JSON/YAML files and store their cases (idempotent).

    Every file is checked first; nothing is written unless all are valid.

    Example: caseseries cases add my_case.json
    """
    loaded = []
    for path in files:
        case_file = _load_case_or_shown(path)
        check_case_file(case_file, source=str(path))
        loaded.append(case_file)
    store = open_store(ctx, create=True)
    for path, case_file in zip(files, loaded, strict=True):
        result = store.add_case_file(case_file)
        typer.echo(
            f"{path}: {len(result.added)} added, {len(result.updated)} updated, {len(result.unchanged)} unchanged."
        )


def _load_case_or_shown(path: Path) -> CaseFile:
    """A Case JSON/YAML file, or what 'cases show' printed (its patient and source)."""
    data = read_data(path)
    if isinstance(data, dict) and "patient" in data and "documents" not in data and "patients" not in data:
        data = {"source": data.get("source") or {}, "patients": [data["patient"]]}
    return parse_case_data(data, source=str(path))


@cases_app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("json", "--format", help=f"One of: {', '.join(exporter_names())}."),
    out: str = typer.Option(
        ..., "--out", help="File to write, - for standard output (json, csv); a folder for phenopacket."
    ),
    force: bool = typer.Option(
        False,
        "--force",
        help="phenopacket: write into a non-empty folder caseseries did not write (nothing is deleted).",
    ),
) -> None:
    """Export every stored case.

    A file is replaced atomically; a folder, device or FIFO given as the file is refused. A
    phenopacket folder keeps a manifest of the files caseseries wrote: a re-export replaces
    exactly those and leaves every other file alone.

    Example: caseseries cases export --format csv --out cases.csv
    """
    if get_exporter(fmt).writes_folder:
        check_folder_target(out)
    elif out != STDOUT:
        check_file_target(out)
    case_file = open_store(ctx).case_file()
    written = export_case_file(case_file, fmt, out, force=force)
    if out != STDOUT:
        typer.echo(f"Wrote {written}.")


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("init")(init)
    register_duplicates(cases_app)
    app.add_typer(cases_app, name="cases")
