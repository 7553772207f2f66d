"""Use cases ``records list`` and ``records show``: the publications stored by import and search.

A record's screening state under a protocol is the decision that counts for it: the full-text
stage's when there is one, else the title-abstract stage's, else ``undecided``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from caseseries.choices import SCREENING_STATES, UNDECIDED
from caseseries.errors import InputError, NotFoundError
from caseseries.model.publication import Publication, normalise_title
from caseseries.screening.decisions import DecisionLog
from caseseries.screening.protocol import Stage
from caseseries.store import Store


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


@dataclass(frozen=True)
class RecordFilter:
    """What ``records list`` selects: words, source file, year, and a screening state under a protocol."""

    search: str | None = None
    source_file: str | None = None
    year: int | None = None
    screening: str | None = None
    protocol: str | None = None

    def check(self) -> None:
        """Refuse an unknown screening state, or a state without its protocol (before the database is opened)."""
        if self.screening is not None and self.screening not in SCREENING_STATES:
            raise InputError(
                f"unknown state {self.screening!r}; use one of: {', '.join(SCREENING_STATES)}", location="--screening"
            )
        if self.screening is not None and not self.protocol:
            raise InputError(
                "--screening needs the protocol the decisions were made under; add --protocol NAME",
                location="--screening",
            )


def summary(pub: Publication, state: str | None) -> dict[str, Any]:
    """A record's one-line fields as JSON-ready data (with its screening state when a protocol is given)."""
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


def list_records(store: Store, selection: RecordFilter) -> Iterator[dict[str, Any]]:
    """The stored records the filter selects, in storage order, as :func:`summary` rows."""
    selection.check()
    protocol = selection.protocol
    decisions = _screening(store, protocol) if protocol else {}
    for pub in store.iter_publications():
        state = decisions.get(pub.key(), UNDECIDED) if protocol else None
        if selection.screening is not None and state != selection.screening:
            continue
        if _matches(pub, selection.search, selection.source_file, selection.year):
            yield summary(pub, state)


@dataclass(frozen=True)
class RecordView:
    """One stored record as ``records show`` shows it."""

    publication: Publication

    def to_json(self) -> dict[str, Any]:
        """The whole record as JSON-ready data."""
        return self.publication.model_dump(mode="json", exclude_none=True)

    def text(self) -> str:
        """Its fields, authors, how many sections, tables and references it has, and its abstract."""
        pub = self.publication
        lines = [f"{name}: {value}" for name, value in summary(pub, None).items() if value not in (None, "")]
        lines.append(f"authors: {', '.join(a.display for a in pub.authors)}" if pub.authors else "authors: -")
        lines.append(f"sections: {len(pub.sections)}, tables: {len(pub.tables)}, references: {len(pub.references)}")
        if pub.abstract:
            lines.extend(["", pub.abstract_text])
        return "\n".join(lines)


def show_record(store: Store, record_id: str) -> RecordView:
    """A stored record by its key (``pmid:N``, ``doi:...``) or a bare PMID or DOI.

    Raises
    ------
    NotFoundError
        When no record has that id.
    """
    key = record_id
    if ":" not in record_id or record_id.lower().startswith("10."):
        key = f"pmid:{record_id}" if record_id.isdigit() else f"doi:{record_id.lower()}"
    pub = store.get_publication(key)
    if pub is None:
        raise NotFoundError(f"no record {record_id!r}; list the ids with 'caseseries records list'", location="ID")
    return RecordView(pub)
