"""Reference-list parsing and verification against PubMed or local records.

Entry point: :func:`check_file` (what ``caseseries refs check`` calls). Building blocks:
:func:`read_references` (text/Markdown lists and PMID tables, BibTeX, RIS),
:class:`RecordIndex` (local records), :func:`check_references` / :class:`ReferenceChecker`
(resolution and verdicts), :mod:`caseseries.references.render` (JSON, table, Markdown).
"""

from caseseries.references.check import RecordSource, ReferenceChecker, check_references
from caseseries.references.index import RecordIndex
from caseseries.references.model import CheckResult, CitedFields, FieldDifference, Reference, Severity, Verdict
from caseseries.references.reader import parse_references, read_references
from caseseries.references.run import ReferenceReport, check_file

__all__ = [
    "CheckResult",
    "CitedFields",
    "FieldDifference",
    "RecordIndex",
    "RecordSource",
    "Reference",
    "ReferenceChecker",
    "ReferenceReport",
    "Severity",
    "Verdict",
    "check_file",
    "check_references",
    "parse_references",
    "read_references",
]
