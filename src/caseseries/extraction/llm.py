"""Optional extractor for any OpenAI-compatible chat endpoint (off by default).

The endpoint is asked for Case JSON with the Case JSON schema as a structured-output constraint
(``response_format`` of type ``json_schema``). The quotes the model gives as evidence are mapped
back to offsets in the text -- exactly, then ignoring case and white space -- and evidence that
cannot be found is dropped with a warning, so ``text == document[start:end]`` still holds.

Configuration: constructor arguments, else the environment variables
``CASESERIES_LLM_BASE_URL`` (e.g. ``http://127.0.0.1:8000/v1``), ``CASESERIES_LLM_MODEL`` and
``CASESERIES_LLM_API_KEY`` (optional for local servers).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import httpx

from caseseries.errors import InputError, NetworkError
from caseseries.extraction.base import ExtractionResult
from caseseries.extraction.variants import flag_mutations
from caseseries.model import CaseDocument, Source, case_json_schema, parse_case_data

INSTRUCTIONS = """You extract individually reported patients from a case report about ALK-positive
inflammatory myofibroblastic tumour. Answer with Case JSON (schema caseseries/1) holding exactly one
document. One patient per individual described (index patient, "Case 1/2", each row of a literature
table); cohorts and tables of publications are not patients. Lines of therapy are systemic only,
numbered in order; agents are lower-case generic names. best_response only when the text gives a
category (CR/PR/SD/PD/NE); vague words go to response_as_written. pfs_months in months, pfs_censored
true when the line is still working at the last report. For every value add an evidence entry whose
"text" is an exact quote from the document (start/end may be 0; they are recomputed)."""
MAX_CHARS = 200_000


class OpenAIExtractor:
    """Extraction by a chat model behind an OpenAI-compatible ``/chat/completions`` endpoint.

    Parameters
    ----------
    base_url, model, api_key : str or None
        Endpoint, model name and key; default to ``CASESERIES_LLM_BASE_URL``,
        ``CASESERIES_LLM_MODEL`` and ``CASESERIES_LLM_API_KEY``.
    timeout : float
        Seconds to wait for the answer.
    transport : httpx.BaseTransport or None
        For tests: a custom transport.
    """

    name = "openai"

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = (base_url or os.environ.get("CASESERIES_LLM_BASE_URL") or "").rstrip("/")
        self.model = model or os.environ.get("CASESERIES_LLM_MODEL") or ""
        self.api_key = api_key or os.environ.get("CASESERIES_LLM_API_KEY")
        self.timeout = timeout
        self.transport = transport

    def _check_config(self) -> None:
        missing = [
            n for n, v in (("CASESERIES_LLM_BASE_URL", self.base_url), ("CASESERIES_LLM_MODEL", self.model)) if not v
        ]
        if missing:
            raise InputError(
                f"the openai extractor is not configured: set {' and '.join(missing)} "
                "(an OpenAI-compatible endpoint such as http://127.0.0.1:8000/v1 and its model name)",
                location="--extractor openai",
            )

    def request_body(self, text: str) -> dict[str, Any]:
        """The chat-completions request for ``text`` (schema-constrained JSON answer)."""
        return {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": text},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "caseseries_1", "schema": case_json_schema(), "strict": False},
            },
        }

    def extract(self, text: str, *, source: Source | None = None) -> ExtractionResult:
        """Ask the endpoint for the patients of ``text`` and anchor its quotes in the text.

        Raises
        ------
        InputError
            When the endpoint or model is not configured.
        NetworkError
            When the endpoint cannot be reached or answers with an HTTP error.
        """
        self._check_config()
        warnings: list[str] = []
        doc = CaseDocument(source=source or Source())
        if not text.strip():
            return ExtractionResult(doc, text, ["the text is empty; no patients extracted"], self.name)
        sent = text
        if len(text) > MAX_CHARS:
            sent = text[:MAX_CHARS]
            warnings.append(f"the text has {len(text):,} characters; only the first {MAX_CHARS:,} were sent")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(
                    f"{self.base_url}/chat/completions", json=self.request_body(sent), headers=headers
                )
                response.raise_for_status()
                payload = response.json()
        except httpx.HTTPStatusError as err:
            raise NetworkError(
                f"{self.base_url}: HTTP {err.response.status_code}; check the URL, model and key"
            ) from None
        except (httpx.HTTPError, ValueError) as err:
            raise NetworkError(f"{self.base_url}: {err}; is the endpoint running?") from None
        try:
            content = payload["choices"][0]["message"]["content"]
            data = json.loads(content)
        except (KeyError, IndexError, TypeError, json.JSONDecodeError) as err:
            warnings.append(f"the model's answer is not JSON ({err}); no patients extracted")
            return ExtractionResult(doc, text, warnings, self.name)
        documents = data.get("documents") if isinstance(data, dict) else None
        raw_doc = documents[0] if isinstance(documents, list) and documents else data
        patients = raw_doc.get("patients", []) if isinstance(raw_doc, dict) else []
        anchored = [anchor_patient(p, text, warnings) for p in patients if isinstance(p, dict)]
        try:
            case_file = parse_case_data(
                {"schema": "caseseries/1", "documents": [{"patients": anchored}]}, source="model answer"
            )
        except InputError as err:
            warnings.append(f"the model's answer is not valid Case JSON ({err}); no patients extracted")
            return ExtractionResult(doc, text, warnings, self.name)
        doc.patients = [flag_mutations(p) for p in case_file.documents[0].patients]
        return ExtractionResult(doc, text, warnings, self.name)


def find_quote(text: str, quote: str, hint: int | None = None) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text``: exact first (nearest to ``hint``), then ignoring case and white space."""
    if not quote.strip():
        return None
    if hint is not None and hint >= 0 and text[hint : hint + len(quote)] == quote:
        return hint, hint + len(quote)
    found = [m.start() for m in re.finditer(re.escape(quote), text)]
    if found:
        best = min(found, key=lambda s: abs(s - hint)) if hint is not None else found[0]
        return best, best + len(quote)
    words = quote.split()
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.I)
    m = pattern.search(text)
    return (m.start(), m.end()) if m else None


def _anchor_list(items: Any, text: str, warnings: list[str], where: str) -> list[dict[str, Any]]:
    out = []
    for ev in items if isinstance(items, list) else []:
        if not isinstance(ev, dict):
            continue
        quote = str(ev.get("text") or "")
        hint = ev.get("start") if isinstance(ev.get("start"), int) else None
        span = find_quote(text, quote, hint)
        if span is None:
            warnings.append(f"{where}: evidence {quote[:60]!r} for {ev.get('field')!r} is not in the text; dropped")
            continue
        out.append(
            {"field": str(ev.get("field") or ""), "start": span[0], "end": span[1], "text": text[span[0] : span[1]]}
        )
    return out


def anchor_patient(patient: dict[str, Any], text: str, warnings: list[str]) -> dict[str, Any]:
    """A patient from the model's answer with every evidence quote re-anchored (or dropped)."""
    out = dict(patient)
    label = str(patient.get("label") or "patient")
    out["evidence"] = _anchor_list(patient.get("evidence"), text, warnings, label)
    lines = []
    for line in patient.get("lines") or []:
        if isinstance(line, dict):
            line = dict(line)
            line["evidence"] = _anchor_list(line.get("evidence"), text, warnings, label)
            lines.append(line)
    out["lines"] = lines
    for conflict in out.get("conflicts") or []:
        if isinstance(conflict, dict):
            conflict["evidence"] = _anchor_list(conflict.get("evidence"), text, warnings, label)
    return out
