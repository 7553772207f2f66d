"""The text of Case JSON: what ``json.dumps`` of the model's dump writes, indented, non-ASCII kept."""

from __future__ import annotations

import json

from tests.conftest import DATA

from caseseries.extraction.rules import RuleExtractor
from caseseries.model import CaseFile, Source, dump_case_file, load_case_file, parse_case_data

TEXT = (
    "A 34-year-old woman from Zürich presented with a 6 cm pulmonary mass; biopsy showed an "
    "ALK-positive inflammatory myofibroblastic tumour (TPM3–ALK fusion). She received crizotinib "
    "250 mg twice daily with a partial response; progression occurred after 14.5 months."
)


def _as_json_dumps(case_file: CaseFile) -> str:
    return json.dumps(case_file.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)


def test_a_bundled_series_is_written_as_json_dumps_writes_it() -> None:
    case_file = load_case_file(DATA / "analysis" / "mini_series.json")
    assert dump_case_file(case_file) == _as_json_dumps(case_file)


def test_an_extracted_document_with_non_ascii_text_is_written_as_json_dumps_writes_it() -> None:
    result = RuleExtractor().extract(TEXT, source=Source(path="zürich.txt"))
    case_file = CaseFile(documents=[result.document])
    text = dump_case_file(case_file)
    assert text == _as_json_dumps(case_file)
    assert "\"path\": \"zürich.txt\"" in text and "\\u" not in text
    assert parse_case_data(json.loads(text)) == case_file
