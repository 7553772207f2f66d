"""Screening: review protocols, rule suggestions, reviewer decisions, ranking and PRISMA 2020 counts.

Public entry points::

    protocol = load_protocol("review.yaml")           # validated; errors name the YAML line
    screen(store, protocol, Stage.TITLE_ABSTRACT)      # rule suggestions, one commit each
    ReviewSession(store, protocol, "AB").run()         # a reviewer decides in the terminal
    counts = prisma_counts(store, protocol)            # PRISMA 2020 flow
    counts.methods_sentence()                          # for the report's methods paragraph
    write_prisma(counts, "out/")                       # PRISMA2020 CSV, JSON, SVG and PNG
"""

from caseseries.screening.decisions import (
    DecisionLog,
    Effective,
    NewDecision,
    Role,
    Status,
    import_decisions,
)
from caseseries.screening.prisma import PrismaCounts, prisma_counts
from caseseries.screening.prisma_diagram import write_prisma
from caseseries.screening.protocol import (
    Decision,
    Protocol,
    Stage,
    StudyDesign,
    load_protocol,
    parse_protocol,
    protocol_json_schema,
    shipped_protocols,
)
from caseseries.screening.ranking import Ranker, Ranking, WorkSaved, rank_records, work_saved
from caseseries.screening.records import RecordSet, protocol_records
from caseseries.screening.review import ReviewSession, ReviewSummary
from caseseries.screening.rules import ScreeningRecord, Suggestion, evaluate_rule, study_designs, suggest
from caseseries.screening.screen import ScreenResult, screen

__all__ = [
    "Decision",
    "DecisionLog",
    "Effective",
    "NewDecision",
    "PrismaCounts",
    "Protocol",
    "Ranker",
    "Ranking",
    "RecordSet",
    "ReviewSession",
    "ReviewSummary",
    "Role",
    "ScreenResult",
    "ScreeningRecord",
    "Stage",
    "Status",
    "StudyDesign",
    "Suggestion",
    "WorkSaved",
    "evaluate_rule",
    "import_decisions",
    "load_protocol",
    "parse_protocol",
    "prisma_counts",
    "protocol_json_schema",
    "protocol_records",
    "rank_records",
    "screen",
    "shipped_protocols",
    "study_designs",
    "suggest",
    "work_saved",
    "write_prisma",
]
