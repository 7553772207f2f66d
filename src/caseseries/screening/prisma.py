"""PRISMA 2020 counts of a protocol's screening, as numbers, a methods sentence and the PRISMA2020 CSV.

Counting, from the records of the protocol's searches and imports and the effective decisions
(see :mod:`caseseries.screening.decisions`):

- identified: records per source, summed; duplicates: identified minus distinct records;
- screened: distinct records with a title-abstract decision (include, exclude or maybe);
  records without one, with a reviewers' conflict, or not stored are *awaiting screening*;
- excluded: title-abstract exclude; sought: include or maybe (full text wanted);
- not retrieved: sought records without a full text and without a full-text decision;
- assessed: sought records with a full-text include or exclude (a full-text maybe, conflict or
  missing decision on an available full text is *awaiting assessment*);
- a sought record without a full text is never counted as a full text assessed: a full-text
  decision on it (made on the title and abstract) counts it as not retrieved, and an include
  counts it among the included as *included on the abstract*;
- included: full-text include. One publication is one report and one study; included patients
  are the stored patients of the included publications.

So that identified - duplicates - awaiting screening = screened, screened - excluded = sought,
sought - not retrieved - awaiting assessment = assessed, and assessed - excluded + included on
the abstract = included.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from caseseries.screening.decisions import DecisionLog, Effective, Role, Status
from caseseries.screening.protocol import Decision, Protocol, Stage
from caseseries.screening.records import RecordSet, protocol_records
from caseseries.store import Store


@dataclass(frozen=True)
class SourceCount:
    """Records identified by one source."""

    name: str
    kind: str
    detail: str
    identified: int


@dataclass
class PrismaCounts:
    """PRISMA 2020 flow counts of one protocol (see the module docstring for the definitions)."""

    protocol: str
    sources: list[SourceCount]
    identified: int
    duplicates: int
    awaiting_screening: int
    records_screened: int
    records_excluded: int
    excluded_by_rules: int
    reports_sought: int
    reports_not_retrieved: int
    awaiting_assessment: int
    reports_assessed: int
    reports_excluded: int
    exclusion_reasons: dict[str, int]
    included_studies: int
    included_patients: int
    reviewers: list[str] = field(default_factory=list)
    included_keys: list[str] = field(default_factory=list)
    included_on_abstract: int = 0
    """Included records whose full text was not retrieved (decided on the title and abstract)."""

    @property
    def included_reports(self) -> int:
        """Reports of the included studies (one publication is one report)."""
        return self.included_studies

    def arithmetic_problems(self) -> list[str]:
        """The flow equations that do not hold (empty when the counts add up)."""
        checks = [
            (
                "identified - duplicates - awaiting screening = screened",
                self.identified - self.duplicates - self.awaiting_screening,
                self.records_screened,
            ),
            ("screened - excluded = sought", self.records_screened - self.records_excluded, self.reports_sought),
            (
                "sought - not retrieved - awaiting assessment = assessed",
                self.reports_sought - self.reports_not_retrieved - self.awaiting_assessment,
                self.reports_assessed,
            ),
            (
                "assessed - excluded + included on the abstract = included",
                self.reports_assessed - self.reports_excluded + self.included_on_abstract,
                self.included_studies,
            ),
            ("reasons sum to reports excluded", sum(self.exclusion_reasons.values()), self.reports_excluded),
        ]
        return [f"{name}: {left} != {right}" for name, left, right in checks if left != right]

    def as_dict(self) -> dict[str, Any]:
        """The counts as JSON-ready data."""
        data = asdict(self)
        data["included_reports"] = self.included_reports
        return data

    def methods_sentence(self) -> str:
        """A methods-paragraph sentence reporting the flow, e.g. for the literature review.

        Returns
        -------
        str
            E.g. ``The PubMed search "inflammatory myofibroblastic tumor" AND "alectinib" identified
            98 records; ...; 6 publications reporting 9 patients were included.``
        """
        searches = [s for s in self.sources if s.kind == "database"]
        files = [s for s in self.sources if s.kind == "import"]
        parts = []
        if searches:
            if len(searches) == 1:
                parts.append(f"the PubMed search {_query(searches[0])}")
            else:
                listed = "; ".join(f"{_query(s)}, {_n(s.identified, 'record')}" for s in searches)
                parts.append(f"{len(searches)} PubMed searches ({listed})")
        if files:
            listed = "; ".join(f"{s.name}, {_n(s.identified, 'record')}" for s in files)
            parts.append(f"{_n(len(files), 'imported record file')} ({listed})")
        who = " and ".join(parts)
        text = f"{who[0].upper()}{who[1:]} identified {_n(self.identified, 'record')}"
        if self.duplicates:
            text += f"; after removing {_n(self.duplicates, 'duplicate')}"
            text += f", {self.records_screened} titles and abstracts were screened"
        else:
            text += f"; {self.records_screened} titles and abstracts were screened"
        text += f" and {self.records_excluded} excluded"
        if self.excluded_by_rules:
            text += f" ({self.excluded_by_rules} by the protocol's rules without a reviewer's confirmation)"
        text += f". {_n(self.reports_sought, 'full text')} {_was(self.reports_sought)} sought"
        if self.reports_not_retrieved:
            text += f", {self.reports_not_retrieved} could not be retrieved"
        text += f" and {self.reports_assessed} {_was(self.reports_assessed)} assessed for eligibility"
        if self.reports_excluded:
            reasons = "; ".join(f"{r}, {n}" for r, n in self.exclusion_reasons.items())
            text += f", of which {self.reports_excluded} {_was(self.reports_excluded)} excluded ({reasons})"
        if self.included_on_abstract:
            text += (
                f"; {self.included_on_abstract} {_was(self.included_on_abstract)} included on the title and "
                "abstract alone (full text not retrieved)"
            )
        text += f". {_n(self.included_studies, 'publication')} reporting {_n(self.included_patients, 'patient')}"
        text += f" {_was(self.included_studies)} included."
        pending = self.awaiting_screening + self.awaiting_assessment
        if pending:
            text += f" {_n(pending, 'record')} {_was(pending)} still awaiting a decision."
        if self.reviewers:
            text += f" Screening decisions were made by {_n(len(self.reviewers), 'reviewer')}."
        return text

    def prisma2020_rows(self) -> list[dict[str, str]]:
        """The rows of the PRISMA2020 R package's CSV template, with ``n`` filled in."""
        values: dict[str, str] = {
            "previous_studies": "0",
            "previous_reports": "0",
            "database_results": str(self.identified),
            "register_results": "0",
            "website_results": "0",
            "organisation_results": "0",
            "citations_results": "0",
            "duplicates": str(self.duplicates),
            "excluded_automatic": "0",
            "excluded_other": "0",
            "records_screened": str(self.records_screened),
            "records_excluded": str(self.records_excluded),
            "dbr_sought_reports": str(self.reports_sought),
            "dbr_notretrieved_reports": str(self.reports_not_retrieved),
            "other_sought_reports": "0",
            "other_notretrieved_reports": "0",
            "dbr_assessed": str(self.reports_assessed),
            "dbr_excluded": "; ".join(f"{r.replace(',', ' ')}, {n}" for r, n in self.exclusion_reasons.items()) or "0",
            "other_assessed": "0",
            "other_excluded": "0",
            "new_studies": str(self.included_studies),
            "new_reports": str(self.included_reports),
            "total_studies": str(self.included_studies),
            "total_reports": str(self.included_reports),
        }
        rows = []
        for row in _template():
            out = dict(row)
            if row["data"] in values:
                out["n"] = values[row["data"]]
            rows.append(out)
        return rows

    def prisma2020_csv(self) -> str:
        """The PRISMA2020 CSV as text (columns ``data,node,box,description,boxtext,tooltips,url,n``)."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.prisma2020_rows())
        return buf.getvalue()


TEMPLATE_COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]


def _template() -> list[dict[str, str]]:
    text = resources.files("caseseries.screening").joinpath("data", "prisma2020_template.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _query(s: SourceCount) -> str:
    return s.detail.rsplit(" (run ", 1)[0]


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _was(n: int) -> str:
    return "was" if n == 1 else "were"


def prisma_counts(store: Store, protocol: Protocol, records: RecordSet | None = None) -> PrismaCounts:
    """Count the PRISMA 2020 flow of a protocol from the stored searches, imports and decisions.

    Parameters
    ----------
    store : Store
        The case store.
    protocol : Protocol
        The review protocol (see :func:`caseseries.screening.load_protocol`).
    records : RecordSet or None
        Pre-gathered records (default: gathered from the store).

    Returns
    -------
    PrismaCounts
        The counts; ``methods_sentence()`` gives the sentence for a methods paragraph.

    Raises
    ------
    InputError
        If a search of the protocol was never run or an import was never imported.
    """
    records = records or protocol_records(store, protocol)
    log = DecisionLog(store, protocol.name)
    ta = log.effective(Stage.TITLE_ABSTRACT)
    ft = log.effective(Stage.FULL_TEXT)
    keys = list(records.records)
    screened = [k for k in keys if _decided(ta.get(k))]
    excluded = [k for k in screened if ta[k].decision is Decision.EXCLUDE]
    sought = [k for k in screened if ta[k].decision is not Decision.EXCLUDE]
    assessed, not_retrieved, awaiting, included = [], [], [], []
    on_abstract = 0
    reasons: Counter[str] = Counter()
    for k in sought:
        e = ft.get(k)
        decided = (
            e is not None and e.decision in (Decision.INCLUDE, Decision.EXCLUDE) and e.status is not Status.CONFLICT
        )
        if decided and e is not None and not records.records[k].has_full_text():
            not_retrieved.append(k)  # decided on the abstract: not a full text assessed
            if e.decision is Decision.INCLUDE:
                included.append(k)
                on_abstract += 1
        elif e is not None and e.decision in (Decision.INCLUDE, Decision.EXCLUDE) and e.status is not Status.CONFLICT:
            assessed.append(k)
            if e.decision is Decision.INCLUDE:
                included.append(k)
            else:
                reasons[e.reason or "no reason given"] += 1
        elif (e is None or e.status is Status.UNDECIDED) and not records.records[k].has_full_text():
            not_retrieved.append(k)
        else:
            awaiting.append(k)
    included_set = set(included)
    patients = sum(1 for p in store.patients() if p.publication_key in included_set)
    reviewers = sorted({x.actor for e in (*ta.values(), *ft.values()) for x in e.entries if x.role is not Role.RULE})
    return PrismaCounts(
        protocol=protocol.name,
        sources=[SourceCount(s.name, s.kind, s.detail, s.identified) for s in records.sources],
        identified=records.identified,
        duplicates=records.duplicates,
        awaiting_screening=len(records.missing) + len(keys) - len(screened),
        records_screened=len(screened),
        records_excluded=len(excluded),
        excluded_by_rules=sum(1 for k in excluded if ta[k].status is Status.SUGGESTED),
        reports_sought=len(sought),
        reports_not_retrieved=len(not_retrieved),
        awaiting_assessment=len(awaiting),
        reports_assessed=len(assessed),
        reports_excluded=len(assessed) - (len(included) - on_abstract),
        exclusion_reasons=dict(reasons.most_common()),
        included_studies=len(included),
        included_patients=patients,
        reviewers=reviewers,
        included_keys=included,
        included_on_abstract=on_abstract,
    )


def _decided(e: Effective | None) -> bool:
    return e is not None and e.decision is not None and e.status is not Status.CONFLICT
