"""Use cases of screening: rule suggestions, a reviewer's session, decisions from CSV, conflicts, PRISMA.

``caseseries screen ...`` calls these; each result owns its JSON form or its summary lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseseries.app.choice import parse_choice
from caseseries.errors import InputError
from caseseries.screening import (
    DecisionLog,
    PrismaCounts,
    ReviewSession,
    ReviewSummary,
    Stage,
    WorkSaved,
    import_decisions,
    load_protocol,
    prisma_counts,
    screen,
    work_saved,
    write_prisma,
)
from caseseries.screening.protocol import Protocol
from caseseries.screening.ranking import Order
from caseseries.screening.screen import ScreenResult
from caseseries.store import Store


def parse_stage(value: str | Stage) -> Stage:
    """The stage named ``value`` (``--stage``).

    Raises
    ------
    InputError
        For an unknown stage, listing the allowed ones.
    """
    return parse_choice(Stage, value, "--stage", "stage")


def reviewer_name(name: str) -> str:
    """The reviewer's name, stripped (``--reviewer``); an empty one is refused."""
    if not name.strip():
        raise InputError("the reviewer name is empty; give your name or initials", location="--reviewer")
    return name.strip()


def protocol_of(protocol: str | Protocol) -> Protocol:
    """The protocol of a YAML file or shipped name (validated: errors name the YAML line)."""
    return protocol if isinstance(protocol, Protocol) else load_protocol(protocol)


@dataclass(frozen=True)
class Screening:
    """A screening run: the protocol and what its rules suggested."""

    protocol: Protocol
    result: ScreenResult

    def to_json(self) -> dict[str, Any]:
        """The run as JSON-ready data (``caseseries screen --json``)."""
        r = self.result
        return {
            "protocol": self.protocol.name,
            "stage": r.stage.value,
            "counts": r.counts(),
            "changed": r.changed,
            "unchanged": len(r.unchanged),
            "not_eligible": r.not_eligible,
            "missing": r.missing,
            "suggestions": [
                {"key": s.key, "decision": s.decision.value, "rule": s.rule_id, "reason": s.reason, "fired": s.fired}
                for s in r.suggestions
            ],
        }

    def summary(self) -> str:
        """One line: how many records were screened, per decision, and how many changed.

        Records whose stored suggestion stands (not screened again) are counted with their suggestion.
        """
        r = self.result
        counts = ", ".join(f"{n} {d}" for d, n in r.counts().items())
        kept = f", {len(r.unchanged)} of them unchanged since their last screening" if r.unchanged else ""
        return (
            f"{self.protocol.name}, {r.stage.value}: {len(r.suggestions) + len(r.unchanged)} records screened by "
            f"rules ({counts}){kept}; {r.changed} new or changed."
        )

    def notes(self) -> list[str]:
        """The lines that follow the summary: records not screened at this stage, records not stored."""
        r = self.result
        out = []
        if r.not_eligible:
            out.append(f"{len(r.not_eligible)} records not screened at this stage (excluded earlier or no full text).")
        if r.missing:
            out.append(f"{len(r.missing)} records found by the searches are not stored; fetch or import them.")
        return out


def screen_protocol(
    store: Store,
    protocol: str | Protocol,
    stage: str | Stage = Stage.TITLE_ABSTRACT,
    *,
    rescreen: bool = False,
) -> Screening:
    """Apply the rules of ``protocol`` (file, shipped name, or loaded) at ``stage`` and record the suggestions.

    Records whose stored suggestion stands are not screened again unless ``rescreen``
    (:func:`caseseries.screening.screen`).
    """
    proto = protocol_of(protocol)
    return Screening(proto, screen(store, proto, parse_stage(stage), rescreen=rescreen))


def review_protocol(
    store: Store,
    protocol: str | Protocol,
    reviewer: str,
    *,
    stage: str | Stage = Stage.TITLE_ABSTRACT,
    resolve: bool = False,
    all_records: bool = False,
    order: str | Order = Order.RULES,
    limit: int | None = None,
) -> ReviewSummary:
    """A reviewer's session in the terminal (:class:`caseseries.screening.ReviewSession`); its summary."""
    chosen = parse_choice(Order, order, "--order", "order")
    session = ReviewSession(
        store,
        protocol_of(protocol),
        reviewer_name(reviewer),
        stage=parse_stage(stage),
        resolve=resolve,
        include_suggested=all_records,
        order=chosen,
    )
    return session.run(limit=limit)


def review_line(summary: ReviewSummary) -> str:
    """The line a review session ends with."""
    return (
        f"{summary.decided} decided, {summary.skipped} skipped, {summary.remaining} still to review "
        f"(ordered by {summary.method})."
    )


def import_decisions_file(
    store: Store, csv_file: Path, reviewer: str, protocol: str | Protocol | None = None
) -> dict[str, int]:
    """Record a reviewer's decisions from a CSV file (all rows or none); protocol name -> decisions recorded."""
    proto = protocol_of(protocol) if protocol else None
    return import_decisions(csv_file, store, reviewer=reviewer_name(reviewer), protocol=proto)


def conflicts(store: Store, protocol: str | None = None, stage: str | None = None) -> list[dict[str, Any]]:
    """The records on which reviewers disagree, per protocol (every protocol with decisions by default)."""
    chosen = parse_stage(stage) if stage else None
    names = [protocol_of(protocol).name] if protocol else store.decisions.protocols()
    rows: list[dict[str, Any]] = []
    for name in names:
        for e in DecisionLog(store, name).conflicts(chosen):
            pub = store.get_publication(e.key)
            rows.append(
                {
                    "protocol": name,
                    "key": e.key,
                    "stage": e.stage.value,
                    "title": pub.title if pub else None,
                    "decisions": [
                        {"reviewer": x.actor, "decision": x.decision.value, "reason": x.reason}
                        for x in e.entries
                        if x.role.value == "reviewer"
                    ],
                }
            )
    return rows


@dataclass(frozen=True)
class PrismaReport:
    """The PRISMA 2020 counts of a protocol, the files written and how early the includes were found."""

    counts: PrismaCounts
    written: dict[str, Path]
    saved: WorkSaved

    def to_json(self) -> dict[str, Any]:
        """The counts, the files and the work saved as JSON-ready data (``screen prisma --json``)."""
        return {
            **self.counts.as_dict(),
            "files": {k: str(v) for k, v in self.written.items()},
            "screened_before_last_include": self.saved.screened_before_last_include,
        }

    def lines(self) -> list[str]:
        """The methods sentence and the work saved."""
        return [self.counts.methods_sentence(), f"Title-abstract screening: {self.saved.sentence()}."]

    def wrote(self) -> str:
        """The line naming the files written."""
        return "Wrote " + ", ".join(str(p) for p in self.written.values())

    def warnings(self) -> list[str]:
        """Counts that do not add up."""
        return [f"Warning: counts do not add up: {p}" for p in self.counts.arithmetic_problems()]


def prisma_report(store: Store, protocol: str | Protocol, out: Path) -> PrismaReport:
    """Write PRISMA 2020 counts (CSV, JSON) and the flow diagram (SVG, PNG) of ``protocol`` into ``out``."""
    proto = protocol_of(protocol)
    counts = prisma_counts(store, proto)
    written = write_prisma(counts, out)
    return PrismaReport(counts, dict(written), work_saved(DecisionLog(store, proto.name)))
