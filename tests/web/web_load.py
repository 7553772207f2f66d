"""Many reviewers deciding the same screening queue at once through a live server.

Each simulated reviewer is a thread with its own httpx client, logged in as its own user, that
decides random records of one queue (every decision with a new reason, so every acknowledged
decision is a change) until it has made its number of decisions or the time is up. All threads
start together (a barrier), so their requests contend from the first one. The run is bounded:
a stop event, request timeouts and joined threads. Used by ``test_web_concurrency.py`` (a fixed
number of decisions) and ``benchmarks/bench_web_load.py`` (a soak of a fixed duration).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from web_helpers import add_users, login, serve_live
from web_review import write_web_review

from caseseries.screening import DecisionLog, Role
from caseseries.store import Store
from caseseries.store.accounts import UserRole
from caseseries.web import create_app


@dataclass
class Reviewer:
    """One simulated reviewer: what the server acknowledged, and what went wrong."""

    name: str
    client: httpx.Client
    token: str
    last: dict[str, tuple[str, str]] = field(default_factory=dict)
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """The reviewers after the run, and what the store holds."""

    reviewers: list[Reviewer]
    stored: dict[tuple[str, str], tuple[str, str]]
    expected: dict[tuple[str, str], tuple[str, str]]
    audited: Counter[str]

    @property
    def errors(self) -> list[str]:
        """Every error a reviewer met (an unacknowledged or unexpected answer)."""
        return [e for r in self.reviewers for e in r.errors]


def _work(
    reviewer: Reviewer,
    url: str,
    keys: list[str],
    decisions: int | None,
    start: threading.Barrier,
    stop: threading.Event,
    seed: int,
) -> None:
    rng = random.Random(seed)
    n = 0
    start.wait()
    while not stop.is_set() and (decisions is None or n < decisions):
        n += 1
        key = rng.choice(keys)
        decision = rng.choice(["include", "exclude", "maybe"])
        reason = f"{reviewer.name} decision {n}"
        try:
            if n % 10 == 0:
                page = reviewer.client.get(url.replace("/api/screening/", "/screening/").removesuffix("/decisions"))
                if page.status_code != 200:
                    reviewer.errors.append(f"queue page {page.status_code}")
            answer = reviewer.client.post(
                url,
                json={"key": key, "stage": "title-abstract", "decision": decision, "reason": reason},
                headers={"X-CSRF-Token": reviewer.token, "Accept": "application/json"},
            )
        except httpx.HTTPError as err:  # not acknowledged: the decision may or may not be stored
            reviewer.errors.append(f"{err.__class__.__name__}: {err}")
            break
        if answer.status_code != 200:
            reviewer.errors.append(f"{answer.status_code}: {answer.text[:200]}")
            break
        body = answer.json()
        if body.get("changed") is not True or body.get("key") != key:
            reviewer.errors.append(f"unexpected answer {body}")
            break
        reviewer.last[key] = (decision, reason)
        reviewer.acknowledged += 1


def reviewer_names(reviewers: int) -> list[str]:
    """The user names of ``reviewers`` simulated reviewers."""
    return [f"reviewer{i:02d}" for i in range(reviewers)]


def add_reviewers(store: Store, reviewers: int) -> Store:
    """Create the users of :func:`reviewer_names` (reviewers) in ``store``; return it."""
    add_users(store, dict.fromkeys(reviewer_names(reviewers), UserRole.REVIEWER))
    return store


def run_load(
    store: Store,
    folder: Path,
    *,
    reviewers: int,
    records: int,
    decisions: int | None = None,
    seconds: float | None = None,
) -> LoadResult:
    """Run ``reviewers`` threads on one queue of ``records`` records: ``decisions`` each, or for ``seconds``.

    The reviewers' accounts must exist (:func:`add_reviewers`).
    """
    if (decisions is None) == (seconds is None):
        raise ValueError("give decisions or seconds")
    names = reviewer_names(reviewers)
    review = write_web_review(store, folder, n=records)
    app = create_app(store=store, protocols=[review.path])
    for base in serve_live(app):
        url = f"{base}/api/screening/{review.protocol.name}/decisions"
        team = []
        for name in names:  # log in one after the other (Argon2 needs memory for each check)
            client = httpx.Client(base_url=base, timeout=60, headers={"Accept": "text/html"})
            team.append(Reviewer(name, client, login(client, name)))
        start = threading.Barrier(len(team))
        stop = threading.Event()
        threads = [
            threading.Thread(target=_work, args=(r, url, review.keys, decisions, start, stop, i), daemon=True)
            for i, r in enumerate(team)
        ]
        for t in threads:
            t.start()
        if seconds is not None:
            stop.wait(seconds)
            stop.set()
        for t in threads:
            t.join(timeout=600 if seconds is None else 120)
        stop.set()
        if any(t.is_alive() for t in threads):
            raise AssertionError("a reviewer did not stop")
        for r in team:
            r.client.close()
    log = DecisionLog(store, review.protocol.name)
    stored = {(e.actor, e.key): (e.decision.value, e.reason) for e in log.entries() if e.role is Role.REVIEWER}
    expected = {(r.name, key): last for r in team for key, last in r.last.items()}
    audited = Counter(a.actor for a in log.audit() if a.via == "web")
    return LoadResult(team, stored, expected, audited)
