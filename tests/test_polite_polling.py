"""Polite polling: a feed within its Cache-Control max-age is not asked at all, a server's
Retry-After is honoured across polls, a feed that keeps failing is asked less and less often
(doubling, capped at a day) until it works again; `gleaner subscriptions` says which."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from pipeline import ingest
from pipeline.cli import main
from pipeline.config import Config, FetchConfig, Subscription
from pipeline.state.subscriptions import BACKOFF_START, LONGEST_WAIT, backoff

from .server import Response
from .test_ingest import ARTICLES, serve_articles

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>
<link>{base}/</link><item><title>{item}</title><link>{base}/articles/{slug}</link>
<guid>{slug}</guid></item></channel></rss>"""


def feed(server, slug: str, headers: dict[str, str] | None = None, etag: str = "") -> Response:
    body = RSS.format(title=slug, base=server.base, item=ARTICLES[slug][0], slug=slug)
    return Response(body, content_type="application/rss+xml",
                    headers={**({"ETag": etag} if etag else {}), **(headers or {})})


def conditional(server, slug: str, etag: str):
    def answer(handler):
        if handler.headers.get("If-None-Match") == etag:
            return Response(b"", status=304, headers={"ETag": etag})
        return feed(server, slug, etag=etag)
    return answer


def config_for(server, paths: list[str]) -> Config:
    return Config(fetch=FetchConfig(host_delay=0, timeout=2, retries=0), workers=0,
                  subscriptions=tuple(Subscription(path.strip("/"), "feed", url=server.url(path))
                                      for path in paths))


def asked(server, since: int) -> list[str]:
    """The feeds asked for since request number `since` (robots.txt and articles aside)."""
    return [path for path, _ in server.requests[since:] if path.startswith("/feeds/")]


def set_not_before(vault: Path, subscription: str, when: str) -> None:
    """What the clock does between two cron polls: the rest of a feed runs out."""
    with sqlite3.connect(vault / ".gleaner" / "state.sqlite") as db:
        db.execute("UPDATE subscription_health SET not_before = ? WHERE subscription = ?",
                   (when, subscription))


def test_a_quiet_poll_of_a_feed_within_its_max_age_makes_no_request(server, vault):
    serve_articles(server)
    server.routes["/feeds/fresh"] = feed(server, "feed-one",
                                         headers={"Cache-Control": "public, max-age=3600"})
    config = config_for(server, ["/feeds/fresh"])
    first = ingest(config, vault)
    before = len(server.requests)

    second = ingest(config, vault)

    assert first.counts["written"] == 1
    assert second.items == [] and server.requests[before:] == []  # not even robots.txt


def test_polls_of_a_mixture_of_feeds_each_as_polite_as_its_server_asks(server, vault, tmp_path):
    serve_articles(server)
    server.routes["/feeds/fresh"] = feed(server, "feed-one", {"Cache-Control": "max-age=600"})
    server.routes["/feeds/etag"] = conditional(server, "feed-two", '"v1"')
    server.routes["/feeds/broken"] = Response("oops", status=500, content_type="text/plain")
    server.routes["/feeds/busy"] = Response("busy", status=429, content_type="text/plain",
                                            headers={"Retry-After": "7200"})
    server.routes["/feeds/moved"] = Response(b"", status=301, headers={"Location": "/feeds/new"})
    server.routes["/feeds/new"] = feed(server, "llms-2024")
    paths = ["/feeds/fresh", "/feeds/etag", "/feeds/broken", "/feeds/busy", "/feeds/moved"]
    config = config_for(server, paths)

    first = ingest(config, vault)
    mark = len(server.requests)
    ingest(config, vault)  # fresh and busy rest; broken fails a second time
    second = asked(server, mark)
    mark = len(server.requests)
    third = ingest(config, vault)  # broken now backs off too
    third_asked = asked(server, mark)

    assert first.counts["written"] == 3
    assert {f.location for f in first.failures} == {server.url("/feeds/broken"),
                                                    server.url("/feeds/busy")}
    assert sorted(second) == ["/feeds/broken", "/feeds/etag", "/feeds/moved", "/feeds/new"]
    assert sorted(third_asked) == ["/feeds/etag", "/feeds/moved", "/feeds/new"]
    assert third.failures == []

    listing = CliRunner().invoke(main, ["subscriptions", "--config", str(
        write_config(tmp_path / "gleaner.toml", server, paths)), "--vault", str(vault)]).output
    assert listing.startswith(f"fresh  (feed)  {server.url('/feeds/fresh')}\n    polled ")
    assert "fresh (max-age 600 s)" in listing
    assert "backing off after 2 failures in a row" in listing
    assert "the server asked to wait 7200 s (Retry-After)" in listing
    assert "failed: HTTP 500" in listing and "not modified" in listing
    assert "ok, 1 new item  1 items" in listing


def test_a_known_feed_that_asks_to_wait_is_asked_once_and_then_left_alone(server, vault):
    serve_articles(server)
    server.routes["/feeds/etag"] = conditional(server, "feed-one", '"v1"')
    config = config_for(server, ["/feeds/etag"])
    ingest(config, vault)
    server.routes["/feeds/etag"] = Response("slow down", status=429, content_type="text/plain",
                                            headers={"Retry-After": "3600"})
    mark = len(server.requests)

    report = ingest(config, vault)
    later = len(server.requests)
    ingest(config, vault)

    assert asked(server, mark) == ["/feeds/etag"]  # the quiet poll heard it: no second try
    [failure] = report.failures
    assert failure.detail == "HTTP 429 Too Many Requests; the server asked to wait 3600 s"
    assert server.requests[later:] == []


def test_a_failing_feed_that_works_again_is_polled_as_before(server, vault):
    serve_articles(server)
    server.routes["/feeds/flaky"] = Response("down", status=503, content_type="text/plain")
    config = config_for(server, ["/feeds/flaky"])
    key = server.url("/feeds/flaky")
    ingest(config, vault)
    ingest(config, vault)
    mark = len(server.requests)
    ingest(config, vault)
    assert asked(server, mark) == []  # resting after two failures in a row

    set_not_before(vault, key, "2000-01-01T00:00:00+00:00")
    server.routes["/feeds/flaky"] = feed(server, "feed-two")
    report = ingest(config, vault)
    mark = len(server.requests)
    ingest(config, vault)

    assert report.counts["written"] == 1 and report.failures == []
    assert asked(server, mark) == ["/feeds/flaky"]  # the success reset the backoff
    with sqlite3.connect(vault / ".gleaner" / "state.sqlite") as db:
        assert db.execute("SELECT failures, not_before FROM subscription_health").fetchall() \
            == [(0, None)]


def test_the_backoff_doubles_from_the_second_failure_and_stops_at_a_day():
    waits = [backoff(n) for n in range(1, 10)]
    assert waits[:4] == [timedelta(0), BACKOFF_START, 2 * BACKOFF_START, 4 * BACKOFF_START]
    assert max(waits) == LONGEST_WAIT and waits[-1] == LONGEST_WAIT
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))


def write_config(path: Path, server, paths: list[str]) -> Path:
    path.write_text("".join(f'[[subscriptions]]\nname = "{p.strip("/").split("/")[-1]}"\n'
                            f'url = "{server.url(p)}"\n\n' for p in paths), encoding="utf-8")
    return path
