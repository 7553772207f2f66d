"""The OpenAI-compatible extractor against a local fake endpoint (127.0.0.1, bounded, self-stopping)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from caseseries.errors import InputError, NetworkError
from caseseries.extraction import available_extractors, extract_text, get_extractor
from caseseries.extraction.llm import OpenAIExtractor, find_quote

TEXT = "Case report\n\nA 52-year-old woman with uterine IMT received alectinib and had a  Partial Response.\n"
ANSWER = {
    "schema": "caseseries/1",
    "documents": [
        {
            "patients": [
                {
                    "label": "index patient",
                    "age_years": 52,
                    "sex": "female",
                    "primary_site": "uterus",
                    "evidence": [
                        {"field": "age_years", "start": 0, "end": 0, "text": "52-year-old"},
                        {"field": "primary_site", "start": 999, "end": 1000, "text": "uterine"},
                        {"field": "sex", "start": 0, "end": 0, "text": "a man"},
                    ],
                    "lines": [
                        {
                            "line": 1,
                            "agents": ["alectinib"],
                            "best_response": "PR",
                            "evidence": [
                                {"field": "lines[0].best_response", "start": 0, "end": 0, "text": "partial response"}
                            ],
                        }
                    ],
                }
            ]
        }
    ],
}


class _Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[str] = json.dumps(ANSWER)
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": type(self).answer}}]})
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    _Handler.requests = []
    _Handler.answer = json.dumps(ANSWER)
    _Handler.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_registry_lists_builtins() -> None:
    assert {"rules", "openai"} <= set(available_extractors())
    with pytest.raises(InputError, match=r"unknown extractor 'nope'; use one of: .*openai.*rules"):
        get_extractor("nope")


def test_request_uses_schema_constraint_and_quotes_are_anchored(endpoint: str) -> None:
    result = OpenAIExtractor(base_url=endpoint, model="m1", api_key="k", timeout=5).extract(TEXT)
    (request,) = _Handler.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    fmt = request["body"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"]["title"] == "caseseries/1 Case JSON"
    assert request["body"]["model"] == "m1"
    (patient,) = result.document.patients
    quotes = {e.field: e for e in patient.all_evidence()}
    assert quotes["age_years"].text == "52-year-old" and TEXT[quotes["age_years"].start :].startswith("52-year")
    assert quotes["primary_site"].text == "uterine"
    assert quotes["lines[0].best_response"].text == "Partial Response"  # found ignoring case
    assert "sex" not in quotes
    assert any("'a man' for 'sex' is not in the text; dropped" in w for w in result.warnings)
    for ev in patient.all_evidence():
        assert TEXT[ev.start : ev.end] == ev.text


def test_environment_configuration_and_registry(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASESERIES_LLM_BASE_URL", endpoint)
    monkeypatch.setenv("CASESERIES_LLM_MODEL", "m2")
    result = extract_text(TEXT, extractor="openai")
    assert result.extractor == "openai" and result.document.patients[0].lines[0].agents == ["alectinib"]
    assert _Handler.requests[0]["body"]["model"] == "m2"


def test_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASESERIES_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("CASESERIES_LLM_MODEL", raising=False)
    with pytest.raises(InputError, match="set CASESERIES_LLM_BASE_URL and CASESERIES_LLM_MODEL"):
        OpenAIExtractor().extract(TEXT)


def test_bad_answers(endpoint: str) -> None:
    _Handler.answer = "not json"
    result = OpenAIExtractor(base_url=endpoint, model="m", timeout=5).extract(TEXT)
    assert result.document.patients == [] and "not JSON" in result.warnings[0]
    _Handler.status = 500
    with pytest.raises(NetworkError, match="HTTP 500"):
        OpenAIExtractor(base_url=endpoint, model="m", timeout=5).extract(TEXT)


def test_find_quote() -> None:
    text = "one two  Three four two"
    assert find_quote(text, "two", hint=20) == (20, 23)
    assert find_quote(text, "two three") == (4, 14)
    assert find_quote(text, "five") is None
