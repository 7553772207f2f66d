"""Use case: screen the records of a review protocol by its rules; the result owns its JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseseries.screening import Stage, load_protocol, screen
from caseseries.screening.protocol import Protocol
from caseseries.screening.screen import ScreenResult
from caseseries.store import Store


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


def screen_protocol(store: Store, protocol: str | Protocol, stage: Stage = Stage.TITLE_ABSTRACT) -> Screening:
    """Apply the rules of ``protocol`` (file, shipped name, or loaded) at ``stage`` and record the suggestions."""
    proto = protocol if isinstance(protocol, Protocol) else load_protocol(protocol)
    return Screening(proto, screen(store, proto, stage))
