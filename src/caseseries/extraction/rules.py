"""The rule-based extractor (default): vocabularies, patterns and table reading; no network."""

from __future__ import annotations

import re

from caseseries.extraction.annotate import reading
from caseseries.extraction.base import ExtractionResult
from caseseries.extraction.diagnosis import main_diagnosis
from caseseries.extraction.draft import PatientDraft
from caseseries.extraction.patients import narrative_patient, segments
from caseseries.extraction.rows import apply_group_statements, table_patients, unknown_partner_method
from caseseries.extraction.sentences import SectionKind, sections
from caseseries.extraction.tables import find_tables
from caseseries.extraction.variants import flag_mutations
from caseseries.model import CaseDocument, Patient, Source

MAX_CHARS = 5_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LITERATURE_TITLE = re.compile(r"\b(?:published|literature|previously|reported\s+(?:cases|patients)|review)\b", re.I)


class RuleExtractor:
    """Rule-based extraction of patients, lines, responses and PFS from case-report text.

    Parameters
    ----------
    max_chars : int
        Longer texts are read up to this many characters, with a warning (case reports are
        a few tens of thousands of characters).

    Examples
    --------
    >>> result = RuleExtractor().extract("A 34-year-old woman received crizotinib with a partial response.")
    >>> result.document.patients[0].lines[0].agents
    ['crizotinib']
    """

    name = "rules"

    def __init__(self, max_chars: int = MAX_CHARS):
        self.max_chars = max_chars

    def extract(self, text: str, *, source: Source | None = None) -> ExtractionResult:
        """Extract every individually reported patient of ``text``.

        Parameters
        ----------
        text : str
            Plain text or Markdown; evidence offsets refer to it.
        source : Source or None
            Where the text came from (kept in the result's document).

        Returns
        -------
        ExtractionResult
            The document with its patients (possibly none) and warnings.
        """
        warnings: list[str] = []
        doc = CaseDocument(source=source or Source())
        if not text.strip():
            warnings.append("the text is empty; no patients extracted")
            return ExtractionResult(doc, text, warnings, self.name)
        if _CONTROL.search(text[:100_000]):
            warnings.append("the text contains control characters; is it a binary file?")
        limit = len(text)
        if limit > self.max_chars:
            limit = self.max_chars
            warnings.append(f"the text has {len(text):,} characters; only the first {self.max_chars:,} were read")
        view = text[:limit]
        with reading(view):
            drafts = self._drafts(view, limit, warnings)
        patients: list[Patient] = []
        labels: set[str] = set()
        for draft in drafts:
            label = draft.label
            k = 2
            while label in labels:
                label = f"{draft.label} ({k})"
                k += 1
            draft.label = label
            labels.add(label)
            patient = draft.build(text)
            patients.append(flag_mutations(patient))
            for line in patient.lines:
                warnings.extend(f"{label}: {note}" for note in line.notes if "closest known code" in note)
        doc.patients = patients
        return ExtractionResult(doc, text, warnings, self.name)

    @staticmethod
    def _drafts(view: str, limit: int, warnings: list[str]) -> list[PatientDraft]:
        """The patient drafts of the narrative and of the tables, with the group statements applied."""
        secs = sections(view)
        refs_start = next((s.start for s in secs if s.kind is SectionKind.REFERENCES), limit)
        tables = [t for t in find_tables(view) if t.start < refs_start]
        doc_diagnosis = main_diagnosis(view, 0, min(limit, 4000))
        drafts: list[PatientDraft] = []
        for seg in segments(view, secs, tables):
            drafts.append(narrative_patient(view, seg, doc_diagnosis, warnings))
        unknown_method = unknown_partner_method(view[:refs_start])
        narrative_labels = {d.label for d in drafts}
        for table in tables:
            rows = table_patients(view, table, warnings, unknown_method, doc_diagnosis)
            if rows and all(re.sub(r"^(?:table|Table \d+,) case", "case", d.label) in narrative_labels for d in rows):
                title = view[table.title.start : table.title.end] if table.title is not None else ""
                if not _LITERATURE_TITLE.search(title):
                    warnings.append("a table repeats the numbered cases of the text; its rows were not added")
                    continue
            drafts.extend(rows)
        outside = [
            sent
            for sec in secs
            if sec.kind not in (SectionKind.REFERENCES, SectionKind.BACK)
            for sent in sec.sentences
            if not any(t.start <= sent.start < t.end for t in tables)
        ]
        apply_group_statements(view, outside, drafts)
        return drafts
