"""Polite, defensive fetching against a real loopback server."""

from __future__ import annotations

import asyncio
import sqlite3
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from pipeline.config import USER_AGENT, FetchConfig
from pipeline.errors import FetchError
from pipeline.fetch.etiquette import Robots, RobotsCache, read_robots
from pipeline.fetch.pages import fetch_each, fetch_pages
from pipeline.fetch.transport import http_client, verified_tls
from pipeline.records import Page, Source
from pipeline.state.store import State

from .server import LoopbackServer, Response

HTML = "<html><body><article><p>Some article text.</p></article></body></html>"
RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def config() -> FetchConfig:
    return FetchConfig(host_delay=0.0, timeout=1.0, retries=1, backoff=0.05)


def fetch(sources: list[Source], config: FetchConfig) -> list[Page | FetchError]:
    return [outcome for _, outcome in fetch_pages(sources, config, lambda url: None)]


def fetch_one(url: str, config: FetchConfig, **source: object) -> Page | FetchError:
    [outcome] = fetch([Source(location=url, origin="test", **source)], config)
    return outcome


def paths(server) -> list[str]:
    return [path for path, _ in server.requests]


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(authority: trustme.CA) -> Iterator[LoopbackServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with LoopbackServer(tls=context) as running:
        running.routes["/post"] = Response(HTML)
        yield running


@pytest.fixture
def trusted(authority: trustme.CA, tmp_path, monkeypatch) -> Iterator[None]:
    """The test authority trusted as a person behind a company's own authority trusts it."""
    bundle = tmp_path / "authority.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    verified_tls.cache_clear()  # certificates load once a process
    yield
    verified_tls.cache_clear()


def test_an_https_page_signed_by_no_trusted_authority_fails_naming_the_certificate(
        https_server, config):
    outcome = fetch_one(https_server.url("/post"), replace(config, respect_robots=False))

    assert isinstance(outcome, FetchError)
    assert "certificate" in str(outcome).lower()


def test_an_https_page_is_read_when_its_authority_is_trusted(https_server, trusted, config):
    page = fetch_one(https_server.url("/post"), config)

    assert isinstance(page, Page) and b"Some article text." in page.content
    assert paths(https_server) == ["/robots.txt", "/post"]


def test_robots_txt_disallow_is_obeyed_for_our_user_agent(server, config):
    server.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n\nUser-agent: Gleaner\n"
                                            "Disallow: /private/\n", content_type="text/plain")
    server.routes["/private/post"] = Response(HTML)
    server.routes["/public/post"] = Response(HTML)

    private, public = fetch([Source(server.url("/private/post"), "t"),
                             Source(server.url("/public/post"), "t")], config)

    assert isinstance(private, FetchError)
    assert "robots.txt of 127.0.0.1" in str(private) and "disallows /private/post" in str(private)
    assert isinstance(public, Page)
    assert "/private/post" not in paths(server)


def test_robots_txt_is_fetched_once_per_host_with_our_user_agent(server, config):
    server.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n", content_type="text/plain")
    for n in range(3):
        server.routes[f"/{n}"] = Response(HTML)

    fetch([Source(server.url(f"/{n}"), "t") for n in range(3)], config)

    robots = [headers for path, headers in server.requests if path == "/robots.txt"]
    assert len(robots) == 1
    assert robots[0]["User-Agent"] == USER_AGENT
    assert all(headers["User-Agent"] == USER_AGENT for _, headers in server.requests)


def fetch_in_a_run(url: str, config: FetchConfig, state_path) -> Page | FetchError:
    """One run's fetch of `url`, its robots cache kept in the state file at `state_path`."""
    state = State(state_path)
    try:
        [(_, outcome)] = fetch_pages([Source(url, "t")], config, lambda url: None,
                                     RobotsCache(state))
    finally:
        state.close()
    return outcome


def robots_reads_over_two_runs(server, config, state_path, between=lambda: None) -> int:
    """How often two runs, each with its own robots cache over one state file, read the
    site's robots.txt."""
    server.routes["/post"] = Response(HTML)
    fetch_in_a_run(server.url("/post"), config, state_path)
    between()
    fetch_in_a_run(server.url("/post"), config, state_path)
    return paths(server).count("/robots.txt")


def test_a_robots_txt_read_today_is_not_read_again_by_the_next_run(server, config, tmp_path):
    server.routes["/robots.txt"] = Response("User-agent: *\nDisallow: /private/\n",
                                            content_type="text/plain")

    assert robots_reads_over_two_runs(server, config, tmp_path / "state.sqlite") == 1


def test_the_rules_of_a_remembered_robots_txt_are_obeyed(server, config, tmp_path):
    server.routes["/robots.txt"] = Response("User-agent: *\nDisallow: /private/\n",
                                            content_type="text/plain")
    server.routes["/post"] = server.routes["/private/post"] = Response(HTML)
    outcomes = [fetch_in_a_run(server.url(location), config, tmp_path / "state.sqlite")
                for location in ("/post", "/private/post")]

    assert isinstance(outcomes[0], Page)
    assert isinstance(outcomes[1], FetchError) and "disallows /private/post" in str(outcomes[1])
    assert paths(server) == ["/robots.txt", "/post"]


def test_a_robots_txt_read_over_a_day_ago_is_read_again(server, config, tmp_path):
    server.routes["/robots.txt"] = Response("User-agent: *\nAllow: /\n",
                                            content_type="text/plain")
    state_path = tmp_path / "state.sqlite"

    def a_day_passes() -> None:
        with sqlite3.connect(state_path) as db:
            db.execute("UPDATE robots SET read = '2020-01-01T00:00:00+00:00'")

    assert robots_reads_over_two_runs(server, config, state_path, a_day_passes) == 2


def test_a_robots_txt_that_errored_is_asked_for_again_next_run(server, config, tmp_path):
    server.routes["/robots.txt"] = Response("busy", status=503, content_type="text/plain")

    assert robots_reads_over_two_runs(server, config, tmp_path / "state.sqlite") == 2


def test_a_site_whose_robots_txt_errors_is_not_fetched(server, config):
    server.routes["/robots.txt"] = Response("down", status=500, content_type="text/plain")
    server.routes["/post"] = Response(HTML)
    outcome = fetch_one(server.url("/post"), config)
    assert isinstance(outcome, FetchError)
    assert "robots.txt of 127.0.0.1" in str(outcome) and "HTTP 500" in str(outcome)


def test_robots_txt_can_be_ignored_by_config(server, config):
    server.routes["/robots.txt"] = Response("User-agent: *\nDisallow: /\n",
                                            content_type="text/plain")
    server.routes["/post"] = Response(HTML)
    outcome = fetch_one(server.url("/post"), replace(config, respect_robots=False))
    assert isinstance(outcome, Page)
    assert "/robots.txt" not in paths(server)


def test_newsletter_links_to_loopback_addresses_are_refused_by_default(server, config):
    server.routes["/admin"] = Response(HTML)
    outcome = fetch_one(server.url("/admin"), config, from_newsletter=True)
    assert isinstance(outcome, FetchError)
    assert "refused: 127.0.0.1 is a private address" in str(outcome)
    assert server.requests == []


def test_robots_txt_asked_for_a_newsletter_link_gets_the_private_address_check(server, config):
    server.routes["/robots.txt"] = Response("User-agent: *\nDisallow: /", content_type="text/plain")

    async def read(guarded: bool) -> Robots:
        async with http_client(config) as client:
            return await read_robots(client, server.base, guarded)

    guarded, unguarded = asyncio.run(read(True)), asyncio.run(read(False))

    assert guarded.rules is None and not guarded.failure  # refused before any request
    assert unguarded.refusal_for(server.url("/post"), USER_AGENT)
    assert paths(server) == ["/robots.txt"]  # the unguarded read only


def test_newsletter_links_to_private_addresses_are_allowed_when_configured(server, config):
    server.routes["/post"] = Response(HTML)
    allowing = replace(config, allow_private_from_newsletters=True)
    assert isinstance(fetch_one(server.url("/post"), allowing, from_newsletter=True), Page)


def test_a_reading_list_the_user_wrote_may_name_loopback_addresses(server, config):
    server.routes["/post"] = Response(HTML)
    assert isinstance(fetch_one(server.url("/post"), config, from_newsletter=False), Page)


def test_redirect_loop_fails_with_a_clear_reason(server, config):
    server.routes["/a"] = Response("", status=302, headers={"Location": "/b"})
    server.routes["/b"] = Response("", status=302, headers={"Location": "/a"})
    outcome = fetch_one(server.url("/a"), replace(config, max_redirects=5))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == "redirect loop or more than 5 redirects"


def test_429_waits_as_long_as_retry_after_says_then_succeeds(server, config):
    answers = iter([Response("slow down", status=429, content_type="text/plain",
                             headers={"Retry-After": "1"}), Response(HTML)])
    server.routes["/post"] = lambda handler: next(answers)

    started = time.monotonic()
    outcome = fetch_one(server.url("/post"), config)

    assert isinstance(outcome, Page)
    assert time.monotonic() - started >= 1.0
    assert paths(server).count("/post") == 2


def test_retry_after_longer_than_the_limit_fails_at_once(server, config):
    server.routes["/post"] = Response("busy", status=503, content_type="text/plain",
                                      headers={"Retry-After": "3600"})
    started = time.monotonic()
    outcome = fetch_one(server.url("/post"), config)
    assert isinstance(outcome, FetchError)
    assert "server asked to wait 3600 s, over the 30 s limit" in str(outcome)
    assert time.monotonic() - started < 1.0


def test_oversized_response_is_refused_by_its_declared_length(server, config):
    server.routes["/huge"] = Response("x" * 20_000)
    outcome = fetch_one(server.url("/huge"), replace(config, max_bytes=10_000))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == "response of 20,000 bytes is over the 10,000 byte cap"


def test_server_slower_than_the_timeout_fails_after_the_retries(server, config):
    server.routes["/slow"] = Response(HTML, delay=1.5)
    started = time.monotonic()
    outcome = fetch_one(server.url("/slow"), config)
    assert isinstance(outcome, FetchError)
    assert str(outcome) == "timed out after 1 s (after 2 attempts)"
    assert time.monotonic() - started < 4.0


def test_content_type_must_fit_what_the_source_is(server, config):
    server.routes["/feed"] = Response(RSS, content_type="application/rss+xml")
    server.routes["/logo"] = Response(b"\x89PNG\r\n", content_type="image/png")
    server.routes["/page"] = Response(HTML, content_type="text/html")

    as_article = fetch_one(server.url("/feed"), config)  # any source may be a feed
    as_feed = fetch_one(server.url("/feed"), config, kind="feed")
    image = fetch_one(server.url("/logo"), config)
    image_as_feed = fetch_one(server.url("/logo"), config, kind="feed")

    assert isinstance(as_article, Page) and as_article.content_type == "application/rss+xml"
    assert isinstance(as_feed, Page) and as_feed.content_type == "application/rss+xml"
    assert str(image) == "not an article: content type image/png"
    assert str(image_as_feed) == "not a feed: content type image/png"


def test_requests_to_one_host_are_spaced_by_the_politeness_delay(server, config):
    stamps: list[float] = []

    def stamped(handler):
        stamps.append(time.monotonic())
        return Response(HTML)

    for n in range(3):
        server.routes[f"/{n}"] = stamped
    fetch([Source(server.url(f"/{n}"), "t") for n in range(3)],
          replace(config, host_delay=0.3, per_host=3))

    gaps = [later - earlier for earlier, later in zip(stamps, stamps[1:], strict=False)]
    assert len(stamps) == 3 and min(gaps) >= 0.25


class _Unsized(BaseHTTPRequestHandler):
    """Streams a body without a Content-Length, ended by closing the connection."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.send_response(200 if self.path != "/robots.txt" else 404)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(40):
            self.wfile.write(b"<p>" + b"x" * 1000 + b"</p>\n")

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class _Drip(_Unsized):
    """Sends a page a byte every 0.2 s: each read is quick, the whole never ends."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self.send_response(200 if self.path != "/robots.txt" else 404)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.drip(HTML.encode(), 0.2)

    def drip(self, data: bytes, pause: float) -> None:
        """Write `data` a byte at a time; a client that gave up is no error."""
        with suppress(BrokenPipeError, ConnectionResetError):
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(pause)


class _DripHeaders(_Drip):
    """Answers robots.txt at once and drips the headers of every page, a byte every 0.1 s."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        self.drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 200, 0.1)


class _DripRobots(_Drip):
    """Drips its robots.txt, a byte every 0.2 s; serves its pages at once."""

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        robots = self.path == "/robots.txt"
        body = b"User-agent: *\nAllow: /\n" * 20 if robots else HTML.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if robots else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if robots:
            self.drip(body, 0.2)
        else:
            self.wfile.write(body)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_oversized_response_without_a_length_is_cut_off_at_the_cap(config):
    with serving(_Unsized) as base:
        outcome = fetch_one(f"{base}/stream", replace(config, max_bytes=10_000))

    assert isinstance(outcome, FetchError)
    assert str(outcome) == "response is over the 10,000 byte cap"


@pytest.mark.parametrize("dripping", [_Drip, _DripHeaders], ids=["its page", "its headers"])
def test_a_server_dripping_fails_when_the_whole_request_outlasts_the_timeout(config, dripping):
    started = time.monotonic()
    with serving(dripping) as base:
        outcome = fetch_one(f"{base}/page", config)

    assert isinstance(outcome, FetchError)
    assert str(outcome) == "timed out after 1 s (after 2 attempts)"
    assert time.monotonic() - started < 4.0


def test_a_dripping_robots_txt_is_given_up_at_the_timeout_and_the_page_fetched(config):
    started = time.monotonic()
    with serving(_DripRobots) as base:
        outcome = fetch_one(f"{base}/page", config)

    assert isinstance(outcome, Page)
    assert 1.0 <= time.monotonic() - started < 2.5


def test_a_consumer_that_stops_is_not_held_up_by_a_request_still_running(server, config):
    server.routes["/fast"] = Response(HTML)
    server.routes["/slow"] = Response(HTML, delay=5.0)
    outcomes = fetch_pages([Source(server.url(path), "t") for path in ("/fast", "/slow")],
                           replace(config, timeout=10.0), lambda url: None)

    first_source, _ = next(outcomes)
    started = time.monotonic()
    outcomes.close()

    assert first_source.location == server.url("/fast")
    assert time.monotonic() - started < 1.0


SLOW = 0.25  # seconds each page of the several-hosts tests takes to serve
PER_HOST_PAGES = 12  # past the first 4 × concurrency URLs: the third host's come last


@pytest.fixture(scope="module")
def grouped_fetch() -> Iterator[tuple[list[LoopbackServer], list, FetchConfig]]:
    """A list grouped by host over 127.0.0.2-4, all fetched: the servers, outcomes, config."""
    config = FetchConfig(host_delay=0.0, timeout=5.0, retries=0, per_host=2, concurrency=6)
    servers = [LoopbackServer(f"127.0.0.{n}") for n in (2, 3, 4)]
    for server in servers:
        for n in range(PER_HOST_PAGES):
            server.routes[f"/p/{n}"] = Response(HTML, delay=SLOW)
        server.__enter__()
    try:
        sources = [Source(server.url(f"/p/{n}"), "t") for server in servers
                   for n in range(PER_HOST_PAGES)]
        yield servers, fetch(sources, config), config
    finally:
        for server in servers:
            server.__exit__()


def page_spans(server: LoopbackServer) -> list[tuple[float, float]]:
    return [(start, end) for path, start, end in server.spans if path != "/robots.txt"]


def most_at_once(spans: list[tuple[float, float]]) -> int:
    return max(sum(1 for other_start, other_end in spans if other_start <= start < other_end)
               for start, _ in spans)


def test_a_list_grouped_by_host_is_fetched_from_every_host_from_the_start(grouped_fetch):
    servers, outcomes, _ = grouped_fetch
    first_starts = [min(start for start, _ in page_spans(server)) for server in servers]
    first_end = min(end for server in servers for _, end in page_spans(server))
    assert all(isinstance(outcome, Page) for outcome in outcomes)
    assert max(first_starts) < first_end  # every host busy before any page is done


def test_no_host_gets_more_requests_at_once_than_per_host(grouped_fetch):
    servers, _, config = grouped_fetch
    for server in servers:
        spans = [(start, end) for _, start, end in server.spans]  # robots.txt counts too
        assert most_at_once(spans) == config.per_host


def test_a_list_within_the_window_comes_back_in_list_order(server, config):
    server.routes["/slow"] = Response(HTML, delay=0.3)
    server.routes["/fast/1"] = Response(HTML)
    server.routes["/fast/2"] = Response(HTML)
    sources = [Source(server.url(path), "t") for path in ("/slow", "/fast/1", "/fast/2")]

    outcomes = list(fetch_pages(sources, replace(config, per_host=3), lambda url: None))

    ends = {path: end for path, _, end in server.spans}
    assert ends["/fast/1"] < ends["/slow"] and ends["/fast/2"] < ends["/slow"]
    assert [source for source, _ in outcomes] == sources


def test_a_slow_page_does_not_hold_back_the_pages_after_it_past_the_window(server, config):
    server.routes["/slow"] = Response(HTML, delay=0.6)
    for n in range(12):
        server.routes[f"/fast/{n}"] = Response(HTML)
    sources = [Source(server.url("/slow"), "t"),
               *(Source(server.url(f"/fast/{n}"), "t") for n in range(12))]

    outcomes = list(fetch_pages(sources, replace(config, concurrency=2, per_host=2),
                                lambda url: None))

    order = [source.location for source, _ in outcomes]
    assert sorted(order) == sorted(source.location for source in sources)
    assert order[0] != server.url("/slow")


def test_fetch_each_pairs_every_item_with_its_own_outcome_out_of_order(server, config):
    server.routes["/slow"] = Response(HTML, delay=0.6)
    items = ["/slow", *(f"/fast/{n}" for n in range(12))]
    for path in items[1:]:
        server.routes[path] = Response(HTML)

    fetched = list(fetch_each(items, lambda path: Source(server.url(path), "t"),
                              replace(config, concurrency=2), lambda url: None))

    assert fetched[0][0] != "/slow"  # the outcomes did come out of list order
    assert sorted(item for item, _ in fetched) == sorted(items)
    assert all(page.url == server.url(item) for item, (_, page) in fetched)


def test_a_slow_consumer_holds_fetching_back_to_the_window(server, config):
    for n in range(40):
        server.routes[f"/{n}"] = Response(HTML)
    bounded = replace(config, concurrency=2)
    outcomes = fetch_pages([Source(server.url(f"/{n}"), "t") for n in range(40)], bounded,
                           lambda url: None)

    next(outcomes)
    time.sleep(0.5)  # the consumer is busy with the first page
    requested = [path for path in paths(server) if path != "/robots.txt"]
    outcomes.close()

    assert len(requested) <= 4 * bounded.concurrency + 1
