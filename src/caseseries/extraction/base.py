"""What every extractor returns, and the interface an extractor implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from caseseries.model import CaseDocument, Source


@dataclass
class ExtractionResult:
    """The extracted document (its patients with evidence) and warnings about the input.

    Attributes
    ----------
    document : CaseDocument
        The source and the patients found, each value with evidence into ``text``.
    text : str
        The text the evidence offsets refer to.
    warnings : list of str
        Problems met on the way (ragged table rows, fuzzy names, truncated input, ...).
    extractor : str
        Name of the extractor that produced the result.
    """

    document: CaseDocument
    text: str
    warnings: list[str] = field(default_factory=list)
    extractor: str = "rules"


@runtime_checkable
class Extractor(Protocol):
    """An extractor turns one text into patients. Registered under ``caseseries.extractors``."""

    name: str

    def extract(self, text: str, *, source: Source | None = None) -> ExtractionResult:
        """Extract the patients of ``text``."""
        ...
