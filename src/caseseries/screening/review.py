"""Screen records one at a time in the terminal: i/e/m/s/q keys, a reason picker, matches highlighted.

Every decision is committed as soon as it is made, so quitting (``q``), end of input or Ctrl-C
never loses a decision. The input function is injectable (tests drive the loop with a script).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from caseseries.screening.decisions import RULES_ACTOR, DecisionLog, Effective, Role, Status
from caseseries.screening.protocol import Decision, Protocol, Stage, TextField
from caseseries.screening.ranking import Order, Ranker, Ranking, rules_ranking
from caseseries.screening.records import RecordPlan, RecordSet, protocol_extractor, record_plan
from caseseries.screening.rules import ScreeningRecord, Span, Suggestion, rules_fingerprint, suggest
from caseseries.store import Store

KEYS = {"i": Decision.INCLUDE, "e": Decision.EXCLUDE, "m": Decision.MAYBE}
CONFIRM = "c"
PROMPT = "[c]onfirm the rules  [i]nclude  [e]xclude  [m]aybe  [s]kip  [q]uit > "
_SNIPPET = 90


@dataclass
class ReviewSummary:
    """What a review session did."""

    decided: int = 0
    skipped: int = 0
    remaining: int = 0
    quit: bool = False
    method: str = "rules"


def _terminal_input(prompt: str) -> str:
    return input(prompt)


def highlight(text: str, spans: list[Span], fld: TextField) -> Text:
    """The text with the spans of one field highlighted (rich markup-free)."""
    out = Text(text)
    for s in spans:
        if s.field is fld and 0 <= s.start < s.end <= len(text):
            out.stylize("bold black on yellow", s.start, s.end)
    return out


class ReviewSession:
    """One reviewer screening a protocol's records.

    The queue is ordered by the rules' scores stored with their decisions (``caseseries screen``):
    only the records without a standing suggestion are read to score them, and then only the
    records shown. ``order=model`` ranks by a TF-IDF model trained on the reviewed decisions
    instead (:class:`~caseseries.screening.ranking.Ranker`), which reads every record of the queue.

    Parameters
    ----------
    store : Store
        The case store.
    protocol : Protocol
        The review protocol.
    reviewer : str
        Name the decisions are filed under.
    stage : Stage
        Stage being screened.
    input_fn : callable or None
        Reads one answer given a prompt (default: the terminal, :func:`input`).
    console : Console or None
        Where records are shown (default: the terminal).
    resolve : bool
        Walk the reviewers' conflicts and record resolutions instead.
    include_suggested : bool
        Walk every record, also those this reviewer already decided (``--all``). By default the
        queue holds what this reviewer has not confirmed yet: records without a decision of
        theirs (also those the rules decided, awaiting a human) and their own 'maybe's.
    records : RecordSet or None
        Pre-gathered records (default: read from the store when needed).
    order : Order
        ``rules`` (default) or ``model`` (with too few reviewed includes and excludes to train
        the model, the rules' order).
    """

    def __init__(
        self,
        store: Store,
        protocol: Protocol,
        reviewer: str,
        *,
        stage: Stage = Stage.TITLE_ABSTRACT,
        input_fn: Callable[[str], str] | None = None,
        console: Console | None = None,
        resolve: bool = False,
        include_suggested: bool = False,
        records: RecordSet | None = None,
        order: Order = Order.RULES,
    ):
        self.store = store
        self.protocol = protocol
        self.reviewer = reviewer
        self.stage = stage
        self.input = input_fn or _terminal_input
        self.console = console or Console()
        self.resolve = resolve
        self.include_suggested = include_suggested
        self.order = order
        self.log = DecisionLog(store, protocol.name)
        self._given = records
        self._extractor = protocol_extractor(protocol)
        self._plan: RecordPlan | None = None
        if records is not None:
            self._found_in = {k: sorted(r.searches) for k, r in records.records.items()}
        else:
            self._plan = record_plan(store, protocol)
            self._found_in = self._plan.found_in

    # ------------------------------------------------------------------ records
    def _read(self, keys: list[str]) -> Iterator[tuple[str, ScreeningRecord]]:
        if self._given is not None:
            return ((k, self._given.records[k]) for k in keys)
        assert self._plan is not None
        return self._plan.records(self.store, extractor=self._extractor, keys=keys)

    def _record(self, key: str) -> ScreeningRecord:
        return next(r for _, r in self._read([key]))

    # ------------------------------------------------------------------ queue
    def _eligible(self) -> list[str]:
        keys = list(self._found_in)
        if self.stage is Stage.FULL_TEXT:
            passed = self.log.passed_title_abstract()
            keys = [k for k in keys if k in passed]
        return keys

    def _wanted(self, e: Effective | None) -> bool:
        if self.resolve:
            return e is not None and e.status is Status.CONFLICT
        if e is None or self.include_suggested:
            return True
        if e.status is Status.RESOLVED:
            return False
        own = [x for x in e.entries if x.role is Role.REVIEWER and x.actor == self.reviewer]
        if own:
            return own[0].decision is Decision.MAYBE
        return True  # the rules' suggestion (if any) awaits a human's confirmation

    def _queued(self, people: dict[str, Effective]) -> list[str]:
        return [k for k in self._eligible() if self._wanted(people.get(k))]

    def queue(self) -> tuple[list[str], Ranking]:
        """The keys still to review, most likely include first, and the ranking used."""
        return self._ranked(self.log.people(self.stage))

    def _scores(self, keys: list[str]) -> dict[str, float]:
        """The rules' score of each key: stored when its suggestion stands, else worked out (the record read)."""
        fingerprint = rules_fingerprint(self.protocol, self.stage, self._extractor)
        standing = self.log.standing(self.stage, fingerprint, self._found_in)
        scores: dict[str, float] = {}
        todo: list[str] = []
        for key in keys:
            found = standing.get(key)
            if found is not None and found[3] is not None:  # its score
                scores[key] = found[3]
            else:
                todo.append(key)
        scores.update((k, suggest(self.protocol, r, self.stage).score) for k, r in self._read(todo))
        return scores

    def _ranked(self, people: dict[str, Effective]) -> tuple[list[str], Ranking]:
        keys = self._queued(people)
        scores = self._scores(keys)
        labelled = {
            k: e.decision for k, e in people.items() if e.reviewed and e.decision is not None and k in self._found_in
        }
        ranker = Ranker()
        if self.order is Order.MODEL and ranker.trains_on(labelled.values()):
            wanted = [k for k in self._found_in if k in labelled or k in scores]
            records = dict(self._read(wanted))
            ranking = ranker.rank(
                [records[k] for k in keys], {k: (records[k], d) for k, d in labelled.items() if k in records}, scores
            )
        else:
            ranking = rules_ranking(keys, scores)
        return ranking.keys(), ranking

    # ------------------------------------------------------------------ loop
    def run(self, limit: int | None = None) -> ReviewSummary:
        """Walk the queue until it is empty, ``q``, end of input, Ctrl-C or ``limit`` records.

        Returns
        -------
        ReviewSummary
            Decided, skipped and remaining counts.
        """
        people = self.log.people(self.stage)
        keys, ranking = self._ranked(people)
        summary = ReviewSummary(method=ranking.method)
        for n, key in enumerate(keys, start=1):
            if limit is not None and summary.decided + summary.skipped >= limit:
                break
            record = self._record(key)
            suggestion = suggest(self.protocol, record, self.stage)
            self.show(record, suggestion, people.get(key), n, len(keys))
            try:
                answer = self._ask_decision()
                if answer is None:
                    summary.quit = True
                    break
                if answer == "s":
                    summary.skipped += 1
                    continue
                reason: str | None
                if answer == CONFIRM:
                    decision, reason = suggestion.decision, suggestion.reason
                else:
                    decision = KEYS[answer]
                    reason = self._ask_reason(decision, suggestion)
            except (EOFError, KeyboardInterrupt):
                summary.quit = True
                break
            role = Role.RESOLUTION if self.resolve else Role.REVIEWER
            self.log.record(key, self.stage, decision, role=role, actor=self.reviewer, reason=reason, via="review")
            summary.decided += 1
            self.console.print(f"[green]saved[/green] {decision.value}" + (f" ({reason})" if reason else ""))
        summary.remaining = len(self._queued(self.log.people(self.stage)))  # counted, not ranked again
        return summary

    def _ask_decision(self) -> str | None:
        while True:
            answer = self.input(PROMPT).strip().lower()
            if answer == "q":
                return None
            if answer in KEYS or answer in ("s", CONFIRM):
                return answer
            self.console.print(f"unknown key {answer!r}; press c, i, e, m, s or q")

    def _ask_reason(self, decision: Decision, suggestion: Suggestion) -> str | None:
        reasons = self.protocol.reasons(decision) or self.protocol.reasons()
        if decision is suggestion.decision and suggestion.reason and suggestion.reason not in reasons:
            reasons = [suggestion.reason, *reasons]
        for i, r in enumerate(reasons, start=1):
            self.console.print(f"  {i}. {r}")
        prompt = f"reason [1-{len(reasons)}, 0 = own words, Enter = none] > " if reasons else "reason (Enter = none) > "
        while True:
            answer = self.input(prompt).strip()
            if not answer:
                return None
            if not reasons:
                return answer
            if answer == "0":
                own = self.input("reason > ").strip()
                return own or None
            if answer.isdigit() and 1 <= int(answer) <= len(reasons):
                return reasons[int(answer) - 1]
            self.console.print(f"no reason {answer!r}; give a number from 1 to {len(reasons)}, 0 or Enter")

    # ------------------------------------------------------------------ display
    def show(self, record: ScreeningRecord, suggestion: Suggestion, e: Effective | None, n: int, total: int) -> None:
        """Print one record: title, details, the rules' suggestion, other decisions and the abstract."""
        pub = record.publication
        spans = suggestion.spans()
        title = highlight(pub.title or "(no title)", spans, TextField.TITLE)
        title.stylize("bold")
        details = " | ".join(
            x
            for x in (
                record.key,
                str(pub.year or ""),
                pub.journal_abbrev or pub.journal or "",
                ", ".join(pub.publication_types),
                pub.language or "",
            )
            if x
        )
        body = Text()
        body.append(title)
        body.append(f"\n{details}\n", style="dim")
        body.append(f"rules suggest: {suggestion.decision.value} ({suggestion.reason})", style="cyan")
        if suggestion.fired:
            body.append(f"\nrules fired: {', '.join(suggestion.fired)}", style="dim")
        if e is not None:
            for x in e.entries:
                if x.role is not Role.RULE and x.actor != RULES_ACTOR:
                    body.append(
                        f"\n{x.role.value} {x.actor}: {x.decision.value}" + (f" ({x.reason})" if x.reason else "")
                    )
        body.append("\n\n")
        abstract = pub.abstract_text
        body.append(highlight(abstract, spans, TextField.ABSTRACT) if abstract else Text("(no abstract)", style="dim"))
        if self.stage is Stage.FULL_TEXT:
            body.append(self._snippets(record, spans))
        self.console.print(Panel(body, title=f"{n}/{total}", title_align="left"))

    @staticmethod
    def _snippets(record: ScreeningRecord, spans: list[Span]) -> Text:
        text = record.text(TextField.FULL_TEXT)
        out = Text()
        for s in [s for s in spans if s.field is TextField.FULL_TEXT][:8]:
            lo, hi = max(0, s.start - _SNIPPET), min(len(text), s.end + _SNIPPET)
            snippet = Text("\n… " + text[lo:hi].replace("\n", " ") + " …")
            snippet.stylize("bold black on yellow", s.start - lo + 3, s.end - lo + 3)
            out.append(snippet)
        return out
