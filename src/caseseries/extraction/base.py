"""What every extractor returns, and the interface an extractor implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from caseseries.errors import FormatError
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


def read_text_file(path: str | Path) -> str:
    """Read a text or Markdown file for extraction, refusing what is not text.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        The decoded text (a leading byte-order mark removed).

    Raises
    ------
    FormatError
        For a missing, empty, binary or non-UTF-8 file, naming the fix.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise FormatError(f"cannot read file ({err.strerror}); check the path", source=str(p)) from None
    if not raw.strip():
        raise FormatError("the file is empty; give a plain-text or Markdown case report", source=str(p))
    nul = raw.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise FormatError(
            f"binary file (NUL byte at offset {nul}); give a plain-text or Markdown case report", source=str(p)
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FormatError(f"not UTF-8 at byte {err.start}; save the file as UTF-8", source=str(p)) from None
    return text[1:] if text.startswith("\ufeff") else text
