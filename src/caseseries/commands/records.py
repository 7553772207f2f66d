"""``caseseries records list`` and ``records show ID``: the publications stored by import and search."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError, NotFoundError
from caseseries.model.publication import Publication, normalise_title
from caseseries.screening.decisions import DecisionLog
from caseseries.screening.protocol import Stage
from caseseries.store import Store

records_app = typer.Typer(help="List and show stored publication records.", no_args_is_help=True)

UNDECIDED = "undecided"
SCREENING_STATES = ("include", "exclude", "maybe", UNDECIDED)


def _screening(store: Store, protocol: str) -> dict[str, str]:
    """The decision that counts for each record under ``protocol``: full-text stage first, else title-abstract."""
    log = DecisionLog(store, protocol)
    out: dict[str, str] = {}
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        for key, effective in log.effective(stage).items():
            if effective.decision is not None:
                out[key] = effective.decision.value
    return out


def _matches(pub: Publication, search: str | None, source_file: str | None, year: int | None) -> bool:
    if year is not None and pub.year != year:
        return False
    if source_file is not None and source_file not in (pub.source_path or ""):
        return False
    if search:
        words = normalise_title(search).split()
        hay = normalise_title(
            " ".join(
                [pub.title or "", pub.abstract_text, pub.journal or "", pub.pmid or "", pub.doi or ""]
                + [a.display for a in pub.authors]
            )
        )
        return all(w in hay for w in words)
    return True


def _selected(
    store: Store,
    search: str | None,
    source_file: str | None,
    year: int | None,
    screening: str | None,
    protocol: str | None,
) -> Iterator[tuple[Publication, str | None]]:
    decisions = _screening(store, protocol) if protocol else {}
    for pub in store.iter_publications():
        state = decisions.get(pub.key(), UNDECIDED) if protocol else None
        if screening is not None and state != screening:
            continue
        if _matches(pub, search, source_file, year):
            yield pub, state


def _summary(pub: Publication, state: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": pub.key(),
        "pmid": pub.pmid,
        "doi": pub.doi,
        "year": pub.year,
        "first_author": pub.first_author,
        "title": pub.title,
        "journal": pub.journal_abbrev or pub.journal,
        "source_format": pub.source_format.value if pub.source_format else None,
        "source_path": pub.source_path,
    }
    if state is not None:
        out["screening"] = state
    return out


def list_records(
    ctx: typer.Context,
    search: str | None = typer.Option(None, "--search", help="Words that must all appear (title, abstract, authors)."),
    source_file: str | None = typer.Option(
        None, "--source-file", help="Only records read from this file (or path part)."
    ),
    year: int | None = typer.Option(None, "--year", help="Only records of this publication year."),
    screening: str | None = typer.Option(
        None, "--screening", help=f"Only records in this screening state: {', '.join(SCREENING_STATES)}."
    ),
    protocol: str | None = typer.Option(None, "--protocol", help="The screening protocol name (with --screening)."),
    json_out: bool = typer.Option(False, "--json", help="Print the records as JSON."),
) -> None:
    """List stored records: key, year, first author, title, journal, format (and screening state).

    Example: caseseries records list --search alectinib --year 2021
    """
    if screening is not None and screening not in SCREENING_STATES:
        raise InputError(
            f"unknown state {screening!r}; use one of: {', '.join(SCREENING_STATES)}", location="--screening"
        )
    if screening is not None and not protocol:
        raise InputError(
            "--screening needs the protocol the decisions were made under; add --protocol NAME", location="--screening"
        )
    store = open_store(ctx)
    rows = [_summary(pub, state) for pub, state in _selected(store, search, source_file, year, screening, protocol)]
    if json_out:
        print_json(rows)
        return
    table = Table("id", "year", "first author", "title", "journal", "format", *(["screening"] if protocol else []))
    for row in rows:
        cells = [row["id"], str(row["year"] or ""), row["first_author"] or "", row["title"] or "", row["journal"] or ""]
        cells.append(row["source_format"] or "")
        if protocol:
            cells.append(row.get("screening") or "")
        table.add_row(*cells)
    console = Console(width=None if sys.stdout.isatty() else 200, soft_wrap=not sys.stdout.isatty())
    console.print(table)
    typer.echo(f"{len(rows)} records.")


def show_record(
    ctx: typer.Context,
    record_id: str = typer.Argument(..., help="The record's id (pmid:N, doi:..., as listed), or a bare PMID or DOI."),
    json_out: bool = typer.Option(False, "--json", help="Print the whole record as JSON."),
) -> None:
    """Show one stored record: its fields, abstract, and how many sections, tables and references it has.

    Example: caseseries records show pmid:34926741
    """
    store = open_store(ctx)
    key = record_id
    if ":" not in record_id or record_id.lower().startswith("10."):
        key = f"pmid:{record_id}" if record_id.isdigit() else f"doi:{record_id.lower()}"
    pub = store.get_publication(key)
    if pub is None:
        raise NotFoundError(f"no record {record_id!r}; list the ids with 'caseseries records list'", location="ID")
    if json_out:
        print_json(pub.model_dump(mode="json", exclude_none=True))
        return
    lines = [f"{name}: {value}" for name, value in _summary(pub, None).items() if value not in (None, "")]
    lines.append(f"authors: {', '.join(a.display for a in pub.authors)}" if pub.authors else "authors: -")
    lines.append(f"sections: {len(pub.sections)}, tables: {len(pub.tables)}, references: {len(pub.references)}")
    if pub.abstract:
        lines.extend(["", pub.abstract_text])
    typer.echo("\n".join(lines))


records_app.command("list")(list_records)
records_app.command("show")(show_record)


def register(app: typer.Typer) -> None:
    """Add the ``records`` group to the root app."""
    app.add_typer(records_app, name="records")
