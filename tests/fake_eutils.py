"""A local fake of NCBI E-utilities for tests: real response shapes, scripted faults, no network.

API
---
``FakeEutils(records=(), *, cap=10_000, lifetime=60.0)``
    A server on 127.0.0.1 (ephemeral port) in a daemon thread. ``start()``/``stop()`` or use it
    as a context manager; it stops itself after ``lifetime`` seconds whatever happens.
``.url``
    Base URL ending in ``/``: pass it as ``EutilsClient(base_url=fake.url)``.
``.add_records(pubs)``
    Publications served by EFetch (``id=`` list, GET or POST, or ``WebEnv``/``query_key``),
    written as PubMed XML by :func:`caseseries.sources.writers.pubmed_xml`.
``.add_search(term, pmids, dates=None)``
    What ESearch answers for ``term`` (exact string). ``dates`` maps PMID -> ``date`` so that
    ``mindate``/``maxdate`` (``datetype=pdat`` or ``edat``) filter the hits; hits above
    ``cap`` cannot be retrieved (IdList cut at ``cap``) as on PubMed. Terms of the form
    ``"some title"[Title]`` (or ``[ti]``) that were not added match records by normalised title.
    Any other term answers Count 0 (the empty result).
``.add_citation(journal, year, volume, first_page, author, answer)``
    ECitMatch answer for a citation (matched case-insensitively on those five fields):
    a PMID, ``"NOT_FOUND"`` or ``"AMBIGUOUS 111,222"``; unknown citations answer NOT_FOUND.
``.fail(endpoint, kind, times=1, retry_after=None, *, after=0)``
    Script ``times`` calls of ``endpoint`` (``esearch``, ``efetch``, ``ecitmatch``, ``esummary``
    or ``*``), after ``after`` calls that succeed, to fail with ``kind``: ``"429"`` (with
    ``Retry-After`` when given), ``"500"``, ``"drop"`` (send headers and half the body, then
    close the connection).
``.requests``
    Every request served: ``FakeRequest(method, endpoint, params)`` with params as a dict of
    strings (POST bodies included), for asserting POST use, batch sizes, tool/email/api_key.

Fixture ``fake_eutils`` yields a started server and stops it afterwards. pytest puts ``tests/``
on ``sys.path`` (the directory has no ``__init__.py``), so a test module imports it with
``from fake_eutils import FakeEutils, fake_eutils  # noqa: F401``.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

from caseseries.model.publication import Publication, normalise_title
from caseseries.sources.writers import pubmed_xml

_TITLE_TERM = re.compile(r'^\s*"?(.+?)"?\s*\[(?:ti|title)\]\s*$', re.IGNORECASE)


@dataclass(frozen=True)
class FakeRequest:
    """One request the fake served."""

    method: str
    endpoint: str
    params: dict[str, str]


@dataclass
class _Fault:
    endpoint: str
    kind: str
    times: int
    retry_after: str | None
    after: int = 0


class FakeEutils:
    """A scriptable fake E-utilities server (see the module docstring)."""

    def __init__(self, records: Iterable[Publication] = (), *, cap: int = 10_000, lifetime: float = 60.0):
        self.records: dict[str, Publication] = {}
        self.searches: dict[str, list[str]] = {}
        self.dates: dict[str, date] = {}
        self.citations: dict[tuple[str, ...], str] = {}
        self.cap = cap
        self.lifetime = lifetime
        self.requests: list[FakeRequest] = []
        self._faults: deque[_Fault] = deque()
        self._history: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._timer: threading.Timer | None = None
        self.add_records(records)

    # ------------------------------------------------------------------ scripting
    def add_records(self, pubs: Iterable[Publication]) -> None:
        """Serve these publications from EFetch."""
        for p in pubs:
            assert p.pmid, "served records need a PMID"
            self.records[p.pmid] = p

    def add_search(self, term: str, pmids: Iterable[str], dates: dict[str, date] | None = None) -> None:
        """Answer ESearch for ``term`` with these PMIDs (in this order)."""
        self.searches[term] = list(pmids)
        self.dates.update(dates or {})

    def add_citation(self, journal: str, year: str, volume: str, first_page: str, author: str, answer: str) -> None:
        """Answer ECitMatch for this citation with a PMID, NOT_FOUND or AMBIGUOUS ..."""
        self.citations[tuple(v.strip().lower() for v in (journal, year, volume, first_page, author))] = answer

    def fail(self, endpoint: str, kind: str, times: int = 1, retry_after: str | None = None, *, after: int = 0) -> None:
        """Make ``times`` calls of ``endpoint`` fail with ``kind`` (429, 500, drop), after ``after`` good ones."""
        assert kind in ("429", "500", "drop"), kind
        self._faults.append(_Fault(endpoint, kind, times, retry_after, after))

    def calls(self, endpoint: str) -> list[FakeRequest]:
        """The requests made to one endpoint (``esearch``, ``efetch``, ...)."""
        return [r for r in self.requests if r.endpoint == endpoint]

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        """Base URL of the running server, ending with ``/``."""
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/entrez/eutils/"

    def start(self) -> FakeEutils:
        """Start serving in a daemon thread; stops itself after ``lifetime`` seconds."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET", urlsplit(self.path).query)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                query = urlsplit(self.path).query
                fake._handle(self, "POST", "&".join(q for q in (query, body) if q))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        server, self._server = self._server, None
        if self._timer is not None:
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FakeEutils:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ serving
    def _next_fault(self, endpoint: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (endpoint, "*"):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str, query: str) -> None:
        path = urlsplit(handler.path).path
        endpoint = path.rsplit("/", 1)[-1].split(".", 1)[0]
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(FakeRequest(method, endpoint, params))
        fault = self._next_fault(endpoint)
        if fault is not None and fault.kind in ("429", "500"):
            status = int(fault.kind)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            text = '{"error":"API rate limit exceeded"}' if status == 429 else "<html>Internal Server Error</html>"
            self._send(handler, status, text.encode(), "text/html", headers)
            return
        handlers = {
            "esearch": self._esearch,
            "efetch": self._efetch,
            "ecitmatch": self._ecitmatch,
            "esummary": self._esummary,
        }
        if endpoint not in handlers:
            self._send(handler, 404, b"<html>Not Found</html>", "text/html")
            return
        body, ctype = handlers[endpoint](params)
        if fault is not None and fault.kind == "drop":
            handler.send_response(200)
            handler.send_header("Content-Type", ctype)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        self._send(handler, 200, body, ctype)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(body)

    def _hits(self, params: dict[str, str]) -> list[str]:
        term = params.get("term", "")
        if term in self.searches:
            hits = self.searches[term]
        else:
            m = _TITLE_TERM.match(term)
            wanted = normalise_title(m.group(1)) if m else None
            hits = [p for p, r in self.records.items() if wanted and r.title and normalise_title(r.title) == wanted]
            day = re.search(r"AND \((\d{4}/\d{2}/\d{2})\[dp\]\)$", term)
            base = term[: day.start()].strip()[1:-1] if day else None
            if day and base in self.searches:
                hits = [p for p in self.searches[base] if p in self.dates and _d(day.group(1)) == self.dates[p]]
        if "mindate" in params or "maxdate" in params:
            lo = _d(params.get("mindate", "1000/01/01"))
            hi = _d(params.get("maxdate", "3000/12/31"))
            hits = [p for p in hits if p in self.dates and lo <= self.dates[p] <= hi]
        return hits

    def _esearch(self, params: dict[str, str]) -> tuple[bytes, str]:
        hits = self._hits(params)
        start, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
        retrievable = hits[: self.cap]
        ids = retrievable[start : start + retmax]
        history = ""
        if params.get("usehistory") == "y":
            webenv = f"MCID_FAKE_{len(self._history) + 1}"
            self._history[webenv] = retrievable
            history = f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
        id_list = "".join(f"<Id>{p}</Id>" for p in ids)
        xml = (
            '<?xml version="1.0" encoding="UTF-8" ?>\n'
            '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
            '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
            f"<eSearchResult><Count>{len(hits)}</Count><RetMax>{len(ids)}</RetMax><RetStart>{start}</RetStart>"
            f"{history}<IdList>{id_list}</IdList><TranslationSet/>"
            f"<QueryTranslation>{params.get('term', '')}</QueryTranslation></eSearchResult>\n"
        )
        return xml.encode(), "text/xml; charset=UTF-8"

    def _efetch(self, params: dict[str, str]) -> tuple[bytes, str]:
        if "id" in params:
            ids = [i for i in params["id"].split(",") if i]
        else:
            listed = self._history.get(params.get("WebEnv", ""), [])
            start, retmax = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            ids = listed[start : start + retmax]
        pubs = [self.records[i] for i in ids if i in self.records]
        return pubmed_xml(pubs).encode(), "text/xml; charset=UTF-8"

    def _ecitmatch(self, params: dict[str, str]) -> tuple[bytes, str]:
        out = []
        for line in re.split(r"[\r\n]+", params.get("bdata", "")):
            parts = line.split("|")
            if len(parts) < 6:
                continue
            answer = self.citations.get(tuple(p.strip().lower() for p in parts[:5]), "NOT_FOUND")
            out.append("|".join(parts[:6]) + "|" + answer)
        return ("\n".join(out) + "\n").encode(), "text/plain"

    def _esummary(self, params: dict[str, str]) -> tuple[bytes, str]:
        docs = []
        for i in params.get("id", "").split(","):
            pub = self.records.get(i)
            if pub is not None:
                docs.append(
                    f'<DocSum><Id>{i}</Id><Item Name="Title" Type="String">{escape(pub.title or "")}</Item>'
                    f'<Item Name="PubDate" Type="Date">{pub.year or ""}</Item></DocSum>'
                )
        return f"<?xml version='1.0'?>\n<eSummaryResult>{''.join(docs)}</eSummaryResult>\n".encode(), "text/xml"


def _d(text: str) -> date:
    parts = [int(p) for p in re.split(r"[/-]", text)] + [1, 1]
    return date(parts[0], parts[1], parts[2])


@pytest.fixture
def fake_eutils() -> Iterator[FakeEutils]:
    """A started :class:`FakeEutils`, stopped after the test."""
    with FakeEutils() as fake:
        yield fake


# ---------------------------------------------------------------------- a small literature review
REVIEW_QUERY = '"inflammatory myofibroblastic tumor" AND "alectinib"'
"""The query of the README's literature review (the shipped first-line alectinib protocol)."""


def _review_record(pmid: str, title: str, author: str, journal: str, year: int, kinds: str, text: str) -> Publication:
    from caseseries.model.publication import AbstractSection, Author

    abbrev = "".join(w[:4] if len(w) > 3 else w for w in journal.split() if w[0].isupper())
    return Publication(
        pmid=pmid,
        title=title,
        authors=[Author(last_name=author)],
        journal=journal,
        journal_abbrev=abbrev,
        year=year,
        publication_types=[*kinds.split(";"), "Journal Article"] if kinds else ["Journal Article"],
        language="eng",
        mesh_terms=["Animals", "Mice"] if "mice" in title.lower() else [],
        abstract=[AbstractSection(text=text)],
    )


def review_records() -> list[Publication]:
    """Three PubMed records, written for the tests, that the README's review query finds.

    A case report the protocol's rules include (a patient treated with first-line alectinib),
    a review they exclude (no own patients) and a laboratory study in mice they exclude.
    """
    return [
        _review_record(
            "90000101",
            "Alectinib as first-line therapy for an ALK-rearranged inflammatory myofibroblastic tumor "
            "of the bladder: a case report",
            "Moreau",
            "Case Reports in Urological Oncology",
            2022,
            "Case Reports",
            "A 34-year-old man was found to have an inflammatory myofibroblastic tumor of the urinary "
            "bladder. Immunohistochemistry was positive for ALK and sequencing showed a TPM3-ALK fusion. "
            "He received alectinib 600 mg twice daily as first-line therapy and achieved a partial "
            "response. He remained progression-free 14 months after starting alectinib.",
        ),
        _review_record(
            "90000102",
            "ALK inhibitors in inflammatory myofibroblastic tumor: a narrative review",
            "Lindqvist",
            "Reviews in Sarcoma",
            2023,
            "Review",
            "We review published experience with crizotinib, ceritinib, alectinib and lorlatinib in "
            "inflammatory myofibroblastic tumor and discuss open questions.",
        ),
        _review_record(
            "90000103",
            "Alectinib slows the growth of ALK-driven inflammatory myofibroblastic tumor xenografts in mice",
            "Okoro",
            "Experimental Oncology Models",
            2021,
            "",
            "In a mouse xenograft model of inflammatory myofibroblastic tumor, alectinib reduced "
            "tumour growth compared with vehicle.",
        ),
    ]


REVIEW_FULL_TEXT_PMID = "90000101"
REVIEW_FULL_TEXT = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="case-report" xml:lang="en">
  <front>
    <journal-meta><journal-id journal-id-type="nlm-ta">Case Rep Urol Oncol</journal-id>
      <journal-title-group><journal-title>Case Reports in Urological Oncology</journal-title></journal-title-group>
    </journal-meta>
    <article-meta>
      <article-id pub-id-type="pmid">90000101</article-id>
      <title-group><article-title>Alectinib as first-line therapy for an ALK-rearranged inflammatory
        myofibroblastic tumor of the bladder: a case report</article-title></title-group>
      <contrib-group>
        <contrib contrib-type="author"><name><surname>Moreau</surname><given-names>L</given-names></name></contrib>
      </contrib-group>
      <pub-date pub-type="epub"><year>2022</year></pub-date>
      <abstract><p>A 34-year-old man with an ALK-positive inflammatory myofibroblastic tumor of the bladder
        responded to first-line alectinib.</p></abstract>
    </article-meta>
  </front>
  <body>
    <sec><title>Case presentation</title>
      <p>A 34-year-old man presented with haematuria. Cystoscopy found a mass of the urinary bladder and
        biopsy showed an inflammatory myofibroblastic tumor. Immunohistochemistry was positive for ALK, and
        next-generation sequencing detected a TPM3-ALK fusion.</p>
      <p>The tumour could not be removed without cystectomy. In March 2021 he started alectinib 600 mg twice
        daily as first-line therapy. After three months, imaging showed a partial response. At the last
        follow-up, 14 months after starting alectinib, he remained on treatment without progression.</p>
    </sec>
  </body>
</article>
"""
"""A JATS full text (written for the tests) of the included case report."""
