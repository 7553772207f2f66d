"""Extraction: case-report text to patients, therapy lines and responses, each value with its evidence.

Public entry points:

- :func:`extract_text` -- one text (plain text or Markdown) to an :class:`ExtractionResult`;
- :func:`extract_publication` -- the same for an imported :class:`~caseseries.model.Publication`;
- :func:`get_extractor` / :func:`available_extractors` -- the extractor registry
  (entry-point group ``caseseries.extractors``);
- :func:`evaluate` -- field-level precision, recall and F1 against gold Case JSON.
"""

from __future__ import annotations

from caseseries.extraction.base import ExtractionResult, Extractor
from caseseries.extraction.registry import available_extractors, get_extractor
from caseseries.model import Publication, Source


def extract_text(text: str, *, source: Source | None = None, extractor: str = "rules") -> ExtractionResult:
    """Extract the individually reported patients of a text.

    Parameters
    ----------
    text : str
        The document text; evidence offsets refer to it (``text == document[start:end]``).
    source : Source or None
        Where the text came from, kept in the result.
    extractor : str
        Registered extractor name (``rules`` by default; ``openai`` for an LLM endpoint).

    Returns
    -------
    ExtractionResult
        The Case JSON document (possibly with zero patients) and warnings.

    Raises
    ------
    InputError
        When the extractor name is unknown (the message lists the available ones).

    Examples
    --------
    >>> r = extract_text("A 7-year-old girl with ALK-positive IMT received crizotinib with a complete response.")
    >>> p = r.document.patients[0]
    >>> (p.age_years, p.sex.value, p.lines[0].agents, p.lines[0].best_response.value)
    (7.0, 'female', ['crizotinib'], 'CR')
    """
    return get_extractor(extractor).extract(text, source=source)


def extract_publication(pub: Publication, *, extractor: str = "rules") -> ExtractionResult:
    """Extract the patients of an imported publication (its :meth:`~Publication.document_text`).

    Parameters
    ----------
    pub : Publication
        A record from any importer; full text when present, else title and abstract.
    extractor : str
        Registered extractor name.

    Returns
    -------
    ExtractionResult
        As :func:`extract_text`, with the source filled from the record.
    """
    source = Source.from_publication(pub)
    return extract_text(pub.document_text(), source=source, extractor=extractor)


__all__ = [
    "ExtractionResult",
    "Extractor",
    "available_extractors",
    "extract_publication",
    "extract_text",
    "get_extractor",
]
