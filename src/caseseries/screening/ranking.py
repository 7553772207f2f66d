"""Order undecided records by likely relevance, and measure how early the includes were found.

With at least ``min_per_class`` reviewed includes and excludes, a TF-IDF (title and abstract,
word 1-2-grams) + logistic-regression model trained on those decisions scores each record by
its probability of inclusion. With fewer, the rules' suggestion scores are used
(:attr:`caseseries.screening.rules.Suggestion.score`). The model reads the text of every
record it ranks; the rules' order needs only their scores (stored with the rule decisions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from caseseries.choices import REVIEW_ORDERS
from caseseries.screening.decisions import DecisionLog, Effective, Role
from caseseries.screening.protocol import Decision, Protocol, Stage
from caseseries.screening.rules import ScreeningRecord, Suggestion, suggest

MIN_PER_CLASS = 3


class Order(StrEnum):
    """How a review queue is ordered."""

    RULES = REVIEW_ORDERS[0]
    """By the rules' scores (stored with their decisions): nothing but the records shown is read."""
    MODEL = REVIEW_ORDERS[1]
    """By the TF-IDF model trained on the reviewed decisions (every record of the queue read)."""


class Ranked(NamedTuple):
    """A record with its relevance score (higher first; a tuple: queues of 100,000 are made quickly)."""

    key: str
    score: float


@dataclass(frozen=True)
class Ranking:
    """Records in order of likely relevance, and how the scores were made (``model`` or ``rules``)."""

    method: str
    order: list[Ranked]

    def keys(self) -> list[str]:
        """The keys, most relevant first."""
        return [r.key for r in self.order]


def _text(record: ScreeningRecord) -> str:
    pub = record.publication
    return f"{pub.title or ''}\n{pub.abstract_text}"


class Ranker:
    """TF-IDF + logistic regression over reviewed decisions, with a fall-back to rule scores.

    Parameters
    ----------
    min_per_class : int
        Reviewed includes and excludes needed before the model is used.
    """

    def __init__(self, min_per_class: int = MIN_PER_CLASS):
        self.min_per_class = min_per_class

    def trains_on(self, decisions: Iterable[Decision]) -> bool:
        """Whether reviewed ``decisions`` hold enough includes and excludes to train the model."""
        found = list(decisions)
        return min(found.count(Decision.INCLUDE), found.count(Decision.EXCLUDE)) >= self.min_per_class

    def rank(
        self,
        candidates: Sequence[ScreeningRecord],
        labelled: Mapping[str, tuple[ScreeningRecord, Decision]],
        rule_scores: Mapping[str, float],
    ) -> Ranking:
        """Order candidates by likely relevance.

        Parameters
        ----------
        candidates : sequence of ScreeningRecord
            The records to order.
        labelled : mapping
            Key -> (record, include or exclude) of the reviewed records (maybe is ignored).
        rule_scores : mapping
            Key -> rule score, used when there are too few labelled records, and to break ties.

        Returns
        -------
        Ranking
            Most likely include first; ties keep the candidates' order.
        """
        pairs = [(r, d) for r, d in labelled.values() if d in (Decision.INCLUDE, Decision.EXCLUDE)]
        if not candidates or not self.trains_on(d for _, d in pairs):
            return rules_ranking([r.key for r in candidates], rule_scores)
        position = {r.key: i for i, r in enumerate(candidates)}
        scores = self._model_scores(candidates, pairs)
        order = sorted(candidates, key=lambda r: (-scores[r.key], -rule_scores.get(r.key, 0.0), position[r.key]))
        return Ranking(Order.MODEL.value, [Ranked(r.key, float(scores[r.key])) for r in order])

    @staticmethod
    def _model_scores(
        candidates: Sequence[ScreeningRecord], pairs: Sequence[tuple[ScreeningRecord, Decision]]
    ) -> dict[str, float]:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")
        x = vectoriser.fit_transform([_text(r) for r, _ in pairs])
        y = [1 if d is Decision.INCLUDE else 0 for _, d in pairs]
        model = LogisticRegression(class_weight="balanced", max_iter=1000, solver="liblinear", C=10.0)
        model.fit(x, y)
        proba = model.predict_proba(vectoriser.transform([_text(r) for r in candidates]))[:, 1]
        return {r.key: float(p) for r, p in zip(candidates, proba, strict=True)}


def rules_ranking(keys: Sequence[str], scores: Mapping[str, float]) -> Ranking:
    """Order ``keys`` by the rules' ``scores`` (higher first; ties keep the keys' order; a missing score is 0)."""
    ranked = [Ranked(k, float(scores.get(k, 0.0))) for k in keys]
    ranked.sort(key=lambda r: -r.score)  # a stable sort: ties keep the keys' order
    return Ranking(Order.RULES.value, ranked)


def rank_records(
    log: DecisionLog,
    protocol: Protocol,
    records: Mapping[str, ScreeningRecord],
    candidates: Sequence[str],
    stage: Stage = Stage.TITLE_ABSTRACT,
    *,
    ranker: Ranker | None = None,
    effective: Mapping[str, Effective] | None = None,
) -> Ranking:
    """Order candidate records for review, learning from the reviewed decisions at ``stage``.

    Parameters
    ----------
    log : DecisionLog
        The protocol's decisions.
    protocol : Protocol
        The protocol (for rule scores).
    records : mapping
        Key -> record of the protocol.
    candidates : sequence of str
        Keys to order.
    stage : Stage
        Stage whose reviewed decisions train the model.
    ranker : Ranker or None
        Ranking settings (default :class:`Ranker`).
    effective : mapping or None
        The effective decisions at ``stage`` when the caller has read them already.

    Returns
    -------
    Ranking
        The order and the method used.
    """
    labelled = {
        k: (records[k], e.decision)
        for k, e in (log.effective(stage) if effective is None else effective).items()
        if e.reviewed and e.decision is not None and k in records
    }
    suggestions: dict[str, Suggestion] = {k: suggest(protocol, records[k], stage) for k in candidates}
    scores = {k: s.score for k, s in suggestions.items()}
    return (ranker or Ranker()).rank([records[k] for k in candidates], labelled, scores)


@dataclass(frozen=True)
class WorkSaved:
    """How early the includes turned up in the reviewers' screening order.

    Attributes
    ----------
    screened : int
        Records a reviewer decided at the stage.
    includes : int
        Of those, records whose effective decision is include.
    last_include_position : int or None
        1-based position, in order of first reviewer decision, of the last include (None: none).
    """

    screened: int
    includes: int
    last_include_position: int | None

    @property
    def screened_before_last_include(self) -> int | None:
        """Records screened before the last include was found."""
        return None if self.last_include_position is None else self.last_include_position - 1

    def sentence(self) -> str:
        """A one-line report, e.g. ``the last of 3 includes was found after 4 of 20 records``."""
        if self.last_include_position is None:
            return f"no includes among {self.screened} screened records"
        return (
            f"the last of {self.includes} includes was record {self.last_include_position} of {self.screened} screened "
            f"({self.screened_before_last_include} screened before it)"
        )


def work_saved(log: DecisionLog, stage: Stage = Stage.TITLE_ABSTRACT) -> WorkSaved:
    """Measure how many records were screened before the last include was found.

    Parameters
    ----------
    log : DecisionLog
        The protocol's decisions (the audit log gives the order of first reviewer decisions).
    stage : Stage
        The stage.

    Returns
    -------
    WorkSaved
        Screened count, include count and the last include's position.
    """
    order: list[str] = []
    for a in log.audit():
        if a.stage is stage and a.role is not Role.RULE and a.key not in order:
            order.append(a.key)
    effective = log.effective(stage)
    includes = [i for i, k in enumerate(order, start=1) if effective[k].decision is Decision.INCLUDE]
    return WorkSaved(len(order), len(includes), includes[-1] if includes else None)
