"""E-utilities client and PubMed search against the local fake server (never the network)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseseries.errors import InputError, NetworkError
from caseseries.model.publication import Author, Publication
from caseseries.sources.eutils import Citation, EutilsClient, RateLimiter, parse_date_bound
from caseseries.sources.importer import Record
from caseseries.sources.search import run_search
from caseseries.store import Store
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

QUERY = '"inflammatory myofibroblastic tumor" AND "alectinib"'


def pub(pmid: str, title: str | None = None, year: int = 2020) -> Publication:
    return Publication(
        pmid=pmid,
        title=title or f"Alectinib in inflammatory myofibroblastic tumour: report {pmid}",
        authors=[Author(last_name="Wu", fore_name="Shu-Cheng", initials="SC")],
        journal="Gynecologic oncology reports",
        journal_abbrev="Gynecol Oncol Rep",
        year=year,
        volume="38",
        pages="100883",
    )


class Sleeps:
    """Records requested sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def client_for(fake: FakeEutils, sleeps: Sleeps | None = None, **kw: object) -> EutilsClient:
    return EutilsClient(fake.url, email="curator@example.org", sleep=sleeps or Sleeps(), backoff=0.5, rate=1000.0, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------- rate limiter
class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(("rate", "requests", "expected_sleep"), [(3, 9, 2.0), (10, 30, 2.0), (3, 3, 0.0)])
def test_rate_limiter_allows_rate_per_second(rate: float, requests: int, expected_sleep: float) -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    for _ in range(requests):
        limiter.acquire()
    assert sum(clock.slept) == pytest.approx(expected_sleep)


def test_rate_limiter_refills_with_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire()
    clock.now += 1.0
    for _ in range(3):
        assert limiter.acquire() == 0.0
    assert limiter.acquire() == pytest.approx(1 / 3)


def test_client_rate_depends_on_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    assert EutilsClient().limiter.rate == 3
    assert EutilsClient(api_key="k").limiter.rate == 10
    monkeypatch.setenv("NCBI_API_KEY", "from-env")
    client = EutilsClient()
    assert (client.api_key, client.limiter.rate) == ("from-env", 10)


# ---------------------------------------------------------------------------------- requests
def test_esearch_uses_history_and_sends_tool_email_key(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_search(QUERY, ["3", "2", "1"])
    with client_for(fake_eutils, api_key="SECRET") as client:
        found = client.esearch(QUERY, retmax=2)
    assert (found.count, found.ids, found.webenv, found.query_key) == (3, ["3", "2"], "MCID_FAKE_1", "1")
    params = fake_eutils.calls("esearch")[0].params
    assert params["usehistory"] == "y"
    assert (params["tool"], params["email"], params["api_key"]) == ("caseseries", "curator@example.org", "SECRET")


def test_efetch_by_history_in_batches(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, 8))
    fake_eutils.add_search(QUERY, [str(i) for i in range(1, 8)])
    with client_for(fake_eutils) as client:
        found = client.esearch(QUERY)
        items = list(client.fetch_history(found, batch_size=3))
    assert [i.publication.pmid for i in items if isinstance(i, Record)] == [str(i) for i in range(1, 8)]
    assert [c.params["retstart"] for c in fake_eutils.calls("efetch")] == ["0", "3", "6"]


@pytest.mark.parametrize(("n", "method"), [(199, "GET"), (200, "POST"), (450, "POST")])
def test_long_id_lists_are_posted(fake_eutils: FakeEutils, n: int, method: str) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, n + 1))
    with client_for(fake_eutils) as client:
        items = list(client.fetch_publications([str(i) for i in range(1, n + 1)], batch_size=n))
    assert len(items) == n
    call = fake_eutils.calls("efetch")[0]
    assert call.method == method
    assert len(call.params["id"].split(",")) == n


def test_retries_429_honouring_retry_after(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_search(QUERY, ["1"])
    fake_eutils.fail("esearch", "429", times=2, retry_after="7")
    sleeps = Sleeps()
    with client_for(fake_eutils, sleeps) as client:
        assert client.esearch(QUERY).count == 1
    assert sleeps.calls == [7.0, 7.0]
    assert len(fake_eutils.calls("esearch")) == 3


def test_retries_500_with_exponential_backoff(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_search(QUERY, ["1"])
    fake_eutils.fail("esearch", "500", times=3)
    sleeps = Sleeps()
    with client_for(fake_eutils, sleeps) as client:
        assert client.esearch(QUERY, retmax=5).ids == ["1"]
    assert sleeps.calls == [0.5, 1.0, 2.0]


def test_gives_up_with_a_clear_error(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.fail("efetch", "500", times=10)
    with client_for(fake_eutils, max_retries=2) as client, pytest.raises(NetworkError) as err:
        client.efetch(ids=["1"])
    assert str(err.value) == (
        f"efetch.fcgi failed after 3 attempts (HTTP 500 Internal Server Error); check the connection to "
        f"{fake_eutils.url} and run the command again (work already stored is kept)"
    )


def test_connection_refused_is_a_network_error() -> None:
    with FakeEutils() as fake:
        url = fake.url
    with EutilsClient(url, sleep=Sleeps(), max_retries=1, rate=1000) as client, pytest.raises(NetworkError) as err:
        client.esearch("x")
    assert "esearch.fcgi failed after 2 attempts (ConnectError" in str(err.value)


def test_dropped_connection_mid_batch_is_retried(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, 11))
    fake_eutils.fail("efetch", "drop", times=1)
    with client_for(fake_eutils) as client:
        items = list(client.fetch_publications([str(i) for i in range(1, 11)], batch_size=5))
    assert [i.publication.pmid for i in items if isinstance(i, Record)] == [str(i) for i in range(1, 11)]
    assert len(fake_eutils.calls("efetch")) == 3


def test_empty_result(fake_eutils: FakeEutils) -> None:  # noqa: F811
    with client_for(fake_eutils) as client:
        assert client.search_ids("nothing matches this") == (0, [])


def test_ecitmatch_found_not_found_ambiguous(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_citation("Gynecol Oncol Rep", "2021", "38", "100883", "Carballo EV", "34926741")
    fake_eutils.add_citation("Lung Cancer", "2017", "1", "1", "Imai", "AMBIGUOUS 111,222")
    cites = [
        Citation("Gynecol Oncol Rep", "2021", "38", "100883", "Carballo EV", key="ref9"),
        Citation("Lung Cancer", "2017", "1", "1", "Imai", key="ref30"),
        Citation("Oncology Letters", "2018", "9", "99", "Nakamura", key="ref31"),
    ]
    with client_for(fake_eutils) as client:
        got = client.ecitmatch(cites)
    assert [(m.key, m.status, m.pmid, m.candidates) for m in got] == [
        ("ref9", "found", "34926741", ()),
        ("ref30", "ambiguous", None, ("111", "222")),
        ("ref31", "not_found", None, ()),
    ]


def test_esummary(fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_records([pub("5", "A & B")])
    with client_for(fake_eutils) as client:
        assert client.esummary(["5"]) == [{"Id": "5", "Title": "A & B", "PubDate": "2020"}]


# ---------------------------------------------------------------------------------- date splitting
def dated_hits(n: int, start: date) -> tuple[list[str], dict[str, date]]:
    pmids = [str(1000 + i) for i in range(n)]
    return pmids, {p: start + timedelta(days=7 * i) for i, p in enumerate(pmids)}


def test_result_sets_above_the_cap_are_split_by_date(fake_eutils: FakeEutils) -> None:  # noqa: F811
    pmids, dates = dated_hits(23, date(2019, 1, 1))
    fake_eutils.cap = 5
    fake_eutils.add_search(QUERY, pmids, dates)
    with client_for(fake_eutils, retrieval_cap=5) as client:
        count, got = client.search_ids(QUERY)
    assert count == 23
    assert sorted(got) == sorted(pmids)
    searches = fake_eutils.calls("esearch")
    assert all(s.params.get("datetype") == "pdat" for s in searches[1:])
    assert all(int(s.params["retmax"]) <= 5 for s in searches)


def test_date_limits_are_sent(fake_eutils: FakeEutils) -> None:  # noqa: F811
    pmids, dates = dated_hits(10, date(2019, 1, 1))
    fake_eutils.add_search(QUERY, pmids, dates)
    with client_for(fake_eutils) as client:
        count, got = client.search_ids(QUERY, mindate="2019/02", maxdate="2019")
    assert (count, got) == (5, pmids[5:])
    params = fake_eutils.calls("esearch")[0].params
    assert (params["mindate"], params["maxdate"], params["datetype"]) == ("2019/02/01", "2019/12/31", "pdat")


def test_bad_date_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        parse_date_bound("2019/13", upper=False, option="--mindate")
    assert str(err.value) == "--mindate: '2019/13' is not a date; use YYYY, YYYY/MM or YYYY/MM/DD (e.g. 2015/06/30)"


# ---------------------------------------------------------------------------------- run_search
def test_run_search_stores_search_and_records(fake_eutils: FakeEutils, sqlite_url: str) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, 6))
    fake_eutils.add_search(QUERY, [str(i) for i in range(1, 6)])
    store = Store.open(sqlite_url)
    with client_for(fake_eutils) as client:
        outcome = run_search(store, client, QUERY, name="seed 000")
    [(search_id, search)] = store.searches()
    assert search_id == outcome.search_id
    assert (search.query, search.count, search.pmids, search.complete, search.name) == (
        QUERY,
        5,
        ["1", "2", "3", "4", "5"],
        True,
        "seed 000",
    )
    assert search.run_at.endswith("+00:00")
    assert (outcome.fetched, outcome.report.added) == (5, 5)
    assert sorted(p.pmid or "" for p in store.iter_publications()) == ["1", "2", "3", "4", "5"]


def test_run_search_resumes_after_interruption(fake_eutils: FakeEutils, sqlite_url: str) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, 11))
    fake_eutils.add_search(QUERY, [str(i) for i in range(1, 11)])
    store = Store.open(sqlite_url)
    fake_eutils.fail("efetch", "500", after=1)  # the second batch fails, with no retries left
    with client_for(fake_eutils, max_retries=0) as client, pytest.raises(NetworkError):
        run_search(store, client, QUERY, batch_size=4)
    [(_, search)] = store.searches()
    assert search.complete is False
    fake_eutils.requests.clear()
    with client_for(fake_eutils) as client:
        outcome = run_search(store, client, QUERY, batch_size=4)
    assert outcome.resumed
    assert fake_eutils.calls("esearch") == []
    assert outcome.already_stored == 4
    assert [len(c.params["id"].split(",")) for c in fake_eutils.calls("efetch")] == [4, 2]
    fake_eutils.requests.clear()
    partial = run_search(store, client_for(fake_eutils), QUERY)
    assert (partial.resumed, partial.already_stored, partial.fetched) == (False, 10, 0)
    assert fake_eutils.calls("efetch") == []
    assert len(list(store.iter_publications())) == 10
    assert [s.complete for _, s in store.searches()] == [True, True]


def test_run_search_fetches_only_missing(fake_eutils: FakeEutils, sqlite_url: str) -> None:  # noqa: F811
    fake_eutils.add_records(pub(str(i)) for i in range(1, 6))
    fake_eutils.add_search(QUERY, [str(i) for i in range(1, 6)])
    store = Store.open(sqlite_url)
    store.upsert_publication(pub("2"))
    store.upsert_publication(pub("4"))
    with client_for(fake_eutils) as client:
        outcome = run_search(store, client, QUERY)
    assert fake_eutils.calls("efetch")[0].params["id"] == "1,3,5"
    assert (outcome.already_stored, outcome.fetched) == (2, 3)


def test_run_search_reports_pmids_not_returned(fake_eutils: FakeEutils, sqlite_url: str) -> None:  # noqa: F811
    fake_eutils.add_records([pub("1")])
    fake_eutils.add_search(QUERY, ["1", "2"])
    with client_for(fake_eutils) as client:
        outcome = run_search(Store.open(sqlite_url), client, QUERY)
    assert outcome.not_returned == ["2"]
    assert outcome.search.complete
