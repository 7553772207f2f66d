"""Twenty reviewers deciding the same queue at once through a live server lose and double-count nothing.

Each simulated reviewer is a thread with its own httpx client, logged in as its own user, that
decides random records of one queue for :data:`DURATION` seconds (every decision with a new
reason, so every acknowledged decision is a change). Afterwards the store must hold exactly the
last acknowledged decision of every reviewer on every record, and one audit entry per
acknowledged decision. The run is bounded: a stop event, request timeouts and joined threads.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from web_helpers import add_users, login, serve_live
from web_review import write_web_review

from caseseries.screening import DecisionLog, Role
from caseseries.store import Store
from caseseries.store.accounts import UserRole

REVIEWERS = 20
DURATION = float(os.environ.get("CASESERIES_WEB_LOAD_SECONDS", "60"))
RECORDS = 30


@dataclass
class Reviewer:
    name: str
    client: httpx.Client
    token: str
    last: dict[str, tuple[str, str]] = field(default_factory=dict)
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)


def _work(reviewer: Reviewer, url: str, keys: list[str], stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
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


def test_twenty_reviewers_on_one_queue_lose_and_double_count_nothing(
    make_app: Callable[..., FastAPI], web_store: Store, tmp_path: Path
) -> None:
    names = [f"reviewer{i:02d}" for i in range(REVIEWERS)]
    add_users(web_store, dict.fromkeys(names, UserRole.REVIEWER))
    review = write_web_review(web_store, tmp_path, n=RECORDS)
    app = make_app(protocols=[review.path])
    for base in serve_live(app):
        url = f"{base}/api/screening/{review.protocol.name}/decisions"
        reviewers = []
        for name in names:  # log in one after the other (Argon2 needs memory for each check)
            client = httpx.Client(base_url=base, timeout=60, headers={"Accept": "text/html"})
            reviewers.append(Reviewer(name, client, login(client, name)))
        stop = threading.Event()
        threads = [
            threading.Thread(target=_work, args=(r, url, review.keys, stop, i), daemon=True)
            for i, r in enumerate(reviewers)
        ]
        for t in threads:
            t.start()
        stop.wait(DURATION)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a reviewer did not stop"
        for r in reviewers:
            r.client.close()
    assert [e for r in reviewers for e in r.errors] == []
    assert all(r.acknowledged > 0 for r in reviewers)

    log = DecisionLog(web_store, review.protocol.name)
    stored = {(e.actor, e.key): (e.decision.value, e.reason) for e in log.entries() if e.role is Role.REVIEWER}
    expected = {(r.name, key): last for r in reviewers for key, last in r.last.items()}
    assert stored == expected  # nothing lost, nothing extra
    audited = Counter(a.actor for a in log.audit() if a.via == "web")
    assert audited == Counter({r.name: r.acknowledged for r in reviewers})  # one entry per acknowledged decision
