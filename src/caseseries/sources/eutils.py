"""A client for NCBI E-utilities (PubMed): ESearch, EFetch, ECitMatch, ESummary.

It keeps to NCBI's rules: at most 3 requests/s without an API key and 10/s with one (a token
bucket), ``tool`` and ``email`` sent with every request, POST for long ID lists. Failures that
may pass (HTTP 429, 5xx, dropped connections, truncated bodies) are retried with exponential
backoff, honouring ``Retry-After``; when retries run out a :class:`~caseseries.errors.NetworkError`
says what failed and what to do. Searches with more hits than PubMed lets one retrieve (10,000)
are split into publication-date ranges, recursively, so nothing is truncated.

Clock and sleep are injectable so that tests run without real waiting.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from lxml import etree

from caseseries.choices import EUTILS_URL
from caseseries.errors import InputError, NetworkError
from caseseries.sources.importer import Record, Skip, text_stream
from caseseries.sources.pubmed_xml import PubmedXmlImporter

DEFAULT_BASE_URL = EUTILS_URL
RETRIEVAL_CAP = 10_000
POST_THRESHOLD = 200
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
EARLIEST = date(1700, 1, 1)


UNREADABLE = frozenset({"xml-error", "truncated", "not-utf8"})
"""Skip reasons that mean an EFetch answer could not be read (the records were not lost by PubMed)."""


class RateLimiter:
    """A token bucket: at most ``rate`` requests per second, bursts of at most ``rate``.

    Parameters
    ----------
    rate : float
        Requests per second.
    clock, sleep : callable
        Time source and sleeper (``time.monotonic`` and ``time.sleep`` by default).
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; return the time slept."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        wait = (1 - self._tokens) / self.rate
        self._sleep(wait)
        self._last = self._clock()
        self._tokens = 0.0
        return wait


@dataclass(frozen=True)
class SearchResult:
    """What ESearch answered: hit count, history-server handles and (some of) the IDs."""

    count: int
    ids: list[str]
    webenv: str | None = None
    query_key: str | None = None
    query_translation: str | None = None


@dataclass(frozen=True)
class Citation:
    """One citation to match with ECitMatch (``key`` is yours, echoed back)."""

    journal: str = ""
    year: str = ""
    volume: str = ""
    first_page: str = ""
    author: str = ""
    key: str = ""


@dataclass(frozen=True)
class CitationMatch:
    """ECitMatch's answer for one citation: ``status`` is ``found``, ``not_found`` or ``ambiguous``."""

    key: str
    status: str
    pmid: str | None = None
    candidates: tuple[str, ...] = ()
    detail: str | None = None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_date_bound(value: str, *, upper: bool, option: str) -> date:
    """``2015``, ``2015/06`` or ``2015/06/30`` (``-`` also accepted) as the first or last day meant.

    Raises
    ------
    InputError
        If the value is not such a date.
    """
    m = re.fullmatch(r"(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?", value.strip())
    try:
        if not m:
            raise ValueError(value)
        year, month, day = int(m.group(1)), m.group(2), m.group(3)
        if day:
            return date(year, int(month or 1), int(day))
        if month:
            first = date(year, int(month), 1)
            if not upper:
                return first
            return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return date(year, 12, 31) if upper else date(year, 1, 1)
    except ValueError:
        raise InputError(
            f"{value!r} is not a date; use YYYY, YYYY/MM or YYYY/MM/DD (e.g. 2015/06/30)", location=option
        ) from None


def _fmt(d: date) -> str:
    return d.strftime("%Y/%m/%d")


class EutilsClient:
    """NCBI E-utilities over HTTP (httpx).

    Parameters
    ----------
    base_url : str
        The E-utilities root (a mirror or a local fake in tests).
    api_key : str or None
        NCBI API key; defaults to ``$NCBI_API_KEY``. Raises the rate limit from 3 to 10 requests/s.
    email, tool : str or None
        Sent with every request, as NCBI asks.
    max_retries : int
        Retries of one request after the first attempt.
    backoff : float
        First retry delay in seconds, doubled at each retry (``Retry-After`` wins when longer).
    timeout : float
        Seconds to wait for a response.
    transport : httpx.BaseTransport or None
        Custom transport (tests, proxies).
    clock, sleep : callable or None
        Time source and sleeper for the rate limiter and backoff.
    rate : float or None
        Requests per second (default 3, or 10 with a key).
    retrieval_cap : int
        How many hits of one search can be retrieved (PubMed: 10,000).

    Examples
    --------
    >>> with EutilsClient(email="me@example.org") as client:  # doctest: +SKIP
    ...     found = client.esearch('"inflammatory myofibroblastic tumor" AND alectinib')
    ...     pubs = list(client.fetch_publications(found.ids))
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        email: str | None = None,
        tool: str | None = "caseseries",
        max_retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rate: float | None = None,
        retrieval_cap: int = RETRIEVAL_CAP,
    ):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.api_key = api_key or os.environ.get("NCBI_API_KEY") or None
        self.email = email
        self.tool = tool
        self.max_retries = max_retries
        self.backoff = backoff
        self.retrieval_cap = retrieval_cap
        self._sleep = sleep or time.sleep
        self.limiter = RateLimiter(
            rate or (10.0 if self.api_key else 3.0), clock=clock or time.monotonic, sleep=self._sleep
        )
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=True)

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _params(self, params: dict[str, Any]) -> dict[str, str]:
        out = {k: str(v) for k, v in params.items() if v is not None}
        for name, value in (("tool", self.tool), ("email", self.email), ("api_key", self.api_key)):
            if value:
                out[name] = value
        return out

    def request(
        self, endpoint: str, params: dict[str, Any], *, post: bool = False, complete: bytes | None = None
    ) -> bytes:
        """One E-utilities call with rate limiting and retries; return the response body.

        Parameters
        ----------
        endpoint : str
            ``esearch.fcgi``, ``efetch.fcgi``, ``ecitmatch.cgi``, ...
        params : dict
            Query parameters (``tool``/``email``/``api_key`` are added).
        post : bool
            Send the parameters as a form body.
        complete : bytes or None
            A marker a complete body contains (e.g. the closing root tag); a body without it
            counts as a dropped connection and is retried.

        Raises
        ------
        NetworkError
            When the call still fails after the retries, or the service refuses it (4xx).
        """
        url = self.base_url + endpoint
        data = self._params(params)
        problem = ""
        for attempt in range(self.max_retries + 1):
            self.limiter.acquire()
            wait = self.backoff * (2**attempt)
            try:
                response = self._http.post(url, data=data) if post else self._http.get(url, params=data)
                body = response.content
            except httpx.TransportError as err:
                problem = f"{err.__class__.__name__}: {err}"
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code} {response.reason_phrase}"
                    wait = max(wait, _retry_after(response.headers.get("Retry-After")) or 0.0)
                elif response.status_code >= 400:
                    raise NetworkError(
                        f"{endpoint} refused the request: HTTP {response.status_code} "
                        f"{response.text[:200].strip()}; check the query, --api-key and --base-url"
                    )
                elif complete is not None and complete not in body[-4096:]:
                    problem = "the response ended before it was complete"
                else:
                    return body
            if attempt < self.max_retries:
                self._sleep(wait)
        raise NetworkError(
            f"{endpoint} failed after {self.max_retries + 1} attempts ({problem}); check the connection to "
            f"{self.base_url} and run the command again (work already stored is kept)"
        )

    # ------------------------------------------------------------------ ESearch
    def esearch(
        self,
        term: str,
        *,
        db: str = "pubmed",
        retmax: int = 0,
        retstart: int = 0,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "pdat",
        usehistory: bool = True,
        sort: str | None = None,
    ) -> SearchResult:
        """Run ESearch; ``retmax`` IDs are returned (0: only the count and history handles)."""
        params: dict[str, Any] = {"db": db, "term": term, "retmax": retmax, "retstart": retstart, "sort": sort}
        if usehistory:
            params["usehistory"] = "y"
        if mindate or maxdate:
            params.update(mindate=mindate or _fmt(EARLIEST), maxdate=maxdate or _fmt(_latest()), datetype=datetype)
        body = self.request("esearch.fcgi", params, post=len(term) > 1500, complete=b"</eSearchResult>")
        try:
            root = etree.fromstring(body)
        except etree.XMLSyntaxError as err:
            raise NetworkError(f"esearch.fcgi answered with malformed XML ({err}); try again later") from None
        error = root.findtext("ERROR")
        count = root.findtext("Count")
        if count is None:
            raise NetworkError(f"esearch.fcgi did not answer with a count ({error or 'no Count element'})")
        return SearchResult(
            count=int(count),
            ids=[i.text.strip() for i in root.iterfind("IdList/Id") if i.text and i.text.strip()],
            webenv=root.findtext("WebEnv"),
            query_key=root.findtext("QueryKey"),
            query_translation=root.findtext("QueryTranslation"),
        )

    def search_ids(
        self,
        term: str,
        *,
        mindate: str | None = None,
        maxdate: str | None = None,
        max_records: int | None = None,
    ) -> tuple[int, list[str]]:
        """Every PMID a search finds (or the first ``max_records``): ``(count, pmids)``.

        Above the retrieval cap the search is split into publication-date ranges, recursively;
        a single day still above the cap is split by Entrez date.

        Raises
        ------
        InputError
            If a bad date is given, or one Entrez day alone exceeds the cap (narrow the query).
        """
        lo = parse_date_bound(mindate, upper=False, option="--mindate") if mindate else None
        hi = parse_date_bound(maxdate, upper=True, option="--maxdate") if maxdate else None
        want = self.retrieval_cap if max_records is None else min(max_records, self.retrieval_cap)
        first = self.esearch(
            term,
            retmax=want,
            mindate=_fmt(lo) if lo else None,
            maxdate=_fmt(hi) if hi else None,
        )
        if first.count <= self.retrieval_cap or (max_records is not None and max_records <= self.retrieval_cap):
            return first.count, first.ids[: max_records if max_records is not None else None]
        pmids: dict[str, None] = {}
        for pmid in self._split(term, "pdat", lo or EARLIEST, hi or _latest()):
            pmids.setdefault(pmid)
            if max_records is not None and len(pmids) >= max_records:
                break
        return first.count, list(pmids)

    def _split(self, term: str, datetype: str, lo: date, hi: date) -> Iterator[str]:
        found = self.esearch(term, retmax=0, mindate=_fmt(lo), maxdate=_fmt(hi), datetype=datetype, usehistory=False)
        if found.count == 0:
            return
        if found.count <= self.retrieval_cap:
            got = self.esearch(
                term, retmax=self.retrieval_cap, mindate=_fmt(lo), maxdate=_fmt(hi), datetype=datetype, usehistory=False
            )
            yield from got.ids
            return
        if lo < hi:
            mid = lo + (hi - lo) // 2
            yield from self._split(term, datetype, lo, mid)
            yield from self._split(term, datetype, mid + timedelta(days=1), hi)
            return
        if datetype == "pdat":  # one publication day (often a year-only date) above the cap
            day_term = f"({term}) AND ({_fmt(lo)}[dp])"
            yield from self._split(day_term, "edat", EARLIEST, _latest())
            return
        raise InputError(
            f"{found.count} records were added to PubMed on {_fmt(lo)} for this query, above the retrieval cap of "
            f"{self.retrieval_cap}; narrow the query",
            location="QUERY",
        )

    # ------------------------------------------------------------------ EFetch
    def efetch(
        self,
        *,
        ids: Sequence[str] | None = None,
        webenv: str | None = None,
        query_key: str | None = None,
        retstart: int = 0,
        retmax: int = 200,
        db: str = "pubmed",
        rettype: str | None = None,
        retmode: str = "xml",
    ) -> bytes:
        """Fetch records by ID list (POST from 200 IDs) or from the history server; return the raw body."""
        params: dict[str, Any] = {"db": db, "retmode": retmode, "rettype": rettype}
        if ids is not None:
            params["id"] = ",".join(ids)
            post = len(ids) >= POST_THRESHOLD
        elif webenv and query_key:
            params.update(WebEnv=webenv, query_key=query_key, retstart=retstart, retmax=retmax)
            post = False
        else:
            raise ValueError("efetch needs ids, or webenv and query_key")
        marker = b"</PubmedArticleSet>" if db == "pubmed" and retmode == "xml" else None
        return self.request("efetch.fcgi", params, post=post, complete=marker)

    def fetch_publications(self, ids: Sequence[str], *, batch_size: int = 200) -> Iterator[Record | Skip]:
        """Fetch PubMed records by PMID in batches, parsed (records and skips, in batch order).

        A batch whose answer is not readable XML (malformed, cut short) is fetched again; if it
        still is not, it is split in halves, fetched half by half, and so on down to single
        PMIDs: each PMID that cannot be read becomes a Skip (reason ``unreadable``) naming it and
        the batch (its PMID range). Nothing of a bad batch is lost silently.
        """
        for start in range(0, len(ids), batch_size):
            batch = list(ids[start : start + batch_size])
            yield from self._fetch_batch(batch, f"PMIDs {batch[0]}-{batch[-1]}", retried=False)

    def _fetch_batch(self, batch: list[str], name: str, *, retried: bool) -> Iterator[Record | Skip]:
        items = list(self._parse(self.efetch(ids=batch), f"efetch {name}"))
        fault = next((i for i in items if isinstance(i, Skip) and i.reason in UNREADABLE), None)
        if fault is None:
            yield from items
        elif not retried:
            yield from self._fetch_batch(batch, name, retried=True)
        elif len(batch) == 1:
            yield Skip(
                "efetch",
                f"PMID {batch[0]} (batch {name})",
                "unreadable",
                f"PubMed's answer for this record is not readable ({fault.message.split(';')[0]}); "
                "run the search again later, or fetch the record on its own",
            )
        else:
            half = len(batch) // 2
            yield from self._fetch_batch(batch[:half], name, retried=True)
            yield from self._fetch_batch(batch[half:], name, retried=True)

    def fetch_history(self, found: SearchResult, *, batch_size: int = 500) -> Iterator[Record | Skip]:
        """Fetch every record of a history-server search result in batches (up to the retrieval cap)."""
        if not (found.webenv and found.query_key):
            raise ValueError("the search was not run with usehistory")
        for start in range(0, min(found.count, self.retrieval_cap), batch_size):
            body = self.efetch(webenv=found.webenv, query_key=found.query_key, retstart=start, retmax=batch_size)
            yield from self._parse(body, f"efetch retstart {start}")

    @staticmethod
    def _parse(body: bytes, source: str) -> Iterator[Record | Skip]:
        for item in PubmedXmlImporter().read_stream(text_stream(body), source):
            if isinstance(item, Record | Skip):
                yield item

    # ------------------------------------------------------------------ ECitMatch / ESummary
    def ecitmatch(self, citations: Sequence[Citation], *, batch_size: int = 50) -> list[CitationMatch]:
        """Match citations to PMIDs (one answer per citation, in order)."""
        out: list[CitationMatch] = []
        for start in range(0, len(citations), batch_size):
            batch = citations[start : start + batch_size]
            keys = [c.key or str(start + i + 1) for i, c in enumerate(batch)]
            lines = [
                "|".join(_bar_free(v) for v in (c.journal, c.year, c.volume, c.first_page, c.author, k)) + "|"
                for c, k in zip(batch, keys, strict=True)
            ]
            body = self.request("ecitmatch.cgi", {"db": "pubmed", "retmode": "xml", "bdata": "\r".join(lines)})
            answers = _parse_ecitmatch(body.decode("utf-8", "replace"))
            out.extend(answers.get(k, CitationMatch(k, "not_found", detail="no answer")) for k in keys)
        return out

    def esummary(self, ids: Sequence[str], *, db: str = "pubmed") -> list[dict[str, str]]:
        """Document summaries (``Id``, ``Title``, ``Source``, ``PubDate``, ... as text) for the IDs."""
        body = self.request(
            "esummary.fcgi", {"db": db, "id": ",".join(ids)}, post=len(ids) >= POST_THRESHOLD, complete=b"</eSummary"
        )
        root = etree.fromstring(body)
        out = []
        for doc in root.iterfind("DocSum"):
            item: dict[str, str] = {"Id": (doc.findtext("Id") or "").strip()}
            for field in doc.iterfind("Item"):
                if field.text and field.get("Name"):
                    item[str(field.get("Name"))] = field.text
            out.append(item)
        return out


def _latest() -> date:
    return date(date.today().year + 2, 12, 31)


def _bar_free(value: str) -> str:
    return value.replace("|", " ").replace("\r", " ").replace("\n", " ").strip()


def _parse_ecitmatch(text: str) -> dict[str, CitationMatch]:
    """ECitMatch lines ``journal|year|volume|page|author|key|PMID-or-status`` by key."""
    out = {}
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) < 7:
            continue
        key, answer = parts[5].strip(), parts[6].strip()
        if answer.isdigit():
            out[key] = CitationMatch(key, "found", pmid=answer)
        elif answer.upper().startswith("AMBIGUOUS"):
            candidates = tuple(re.findall(r"\d+", answer))
            out[key] = CitationMatch(key, "ambiguous", candidates=candidates, detail=answer)
        else:
            out[key] = CitationMatch(key, "not_found", detail=answer or None)
    return out
