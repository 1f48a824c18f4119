"""Feeds polled from a real loopback server: formats, conditional GET, bad and hostile feeds."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from pipeline.config import FetchConfig, Subscription
from pipeline.errors import ExtractError
from pipeline.sources.feeds import parse_feed
from pipeline.sources.polling import poll
from pipeline.state.store import State

from .server import Response

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Blog</title><link>{base}/</link>
<item><title>Second post</title><link>{base}/posts/2</link><guid>post-2</guid>
<pubDate>Tue, 07 Jan 2025 14:00:00 +0000</pubDate></item>
<item><title>First post</title><link>{base}/posts/1</link><guid>post-1</guid></item>
</channel></rss>"""

RSS091 = """<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Blog</title><link>{base}/</link>
<description>d</description><language>en</language>
<item><title>Second post</title><link>{base}/posts/2</link></item>
<item><title>First post</title><link>{base}/posts/1</link></item>
</channel></rss>"""

RSS1 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{base}/"><title>RDF Blog</title><link>{base}/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="{base}/posts/2"/><rdf:li resource="{base}/posts/1"/></rdf:Seq>
</items></channel>
<item rdf:about="{base}/posts/2"><title>Second post</title><link>{base}/posts/2</link></item>
<item rdf:about="{base}/posts/1"><title>First post</title><link>{base}/posts/1</link></item>
</rdf:RDF>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Blog</title><id>urn:blog</id>
<link rel="alternate" href="{base}/"/><updated>2025-01-07T00:00:00Z</updated>
<entry><title>Second post</title><id>urn:post:2</id><link href="{base}/posts/2"/>
<published>2025-01-07T00:00:00Z</published><updated>2025-01-07T00:00:00Z</updated></entry>
<entry><title>First post</title><id>urn:post:1</id><link href="{base}/posts/1"/>
<updated>2025-01-01T00:00:00Z</updated></entry>
</feed>"""


def json_feed(base: str) -> str:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON Blog",
        "home_page_url": f"{base}/",
        "items": [
            {"id": "2", "url": f"{base}/posts/2", "title": "Second post",
             "date_published": "2025-01-07T14:00:00Z", "content_html": "<p>two</p>"},
            {"id": "1", "url": f"{base}/posts/1", "content_text": "one"},
            {"id": "no-link", "content_text": "a status update without a URL"},
        ],
    })


NO_MAIL = Path("/nonexistent/gleaner-mail-cache")  # feeds never write kept mail

FEEDS = {
    "rss-2.0": (lambda base: RSS2.format(base=base), "application/rss+xml"),
    "rss-0.91": (lambda base: RSS091.format(base=base), "text/xml"),
    "rss-1.0": (lambda base: RSS1.format(base=base), "application/rdf+xml"),
    "atom": (lambda base: ATOM.format(base=base), "application/atom+xml"),
    "json-feed": (json_feed, "application/feed+json"),
}


def bomb(levels: int) -> str:
    """A billion-laughs feed: `levels` entities, each ten of the one before."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1))
    return (f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
            f"<title>t</title><item><title>&lol{levels};</title><link>http://a.example/</link>"
            "</item></channel></rss>")


@pytest.fixture
def state(tmp_path: Path):
    opened = State(tmp_path / "state.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def config() -> FetchConfig:
    return FetchConfig(host_delay=0.0, timeout=1.0, retries=0)


def subscribe(server, path: str, name: str = "Example Blog") -> Subscription:
    return Subscription(name=name, kind="feed", url=server.url(path))


@pytest.mark.parametrize("kind", sorted(FEEDS))
def test_each_feed_format_gives_its_items_in_order(kind, server, state, config):
    render, content_type = FEEDS[kind]
    server.routes["/feed"] = Response(render(server.base), content_type=content_type)

    polled = poll([subscribe(server, "/feed")], config, state, NO_MAIL)

    assert polled.failures == []
    assert [item.source.location for item in polled.items] == [
        server.url("/posts/2"), server.url("/posts/1")]
    assert {item.source.origin for item in polled.items} == {"Example Blog"}


def test_feed_item_metadata_is_read(server):
    feed = parse_feed(json_feed(server.base).encode(), server.url("/feed"))
    assert (feed.title, feed.home) == ("JSON Blog", server.url("/"))
    assert (feed.items[0].id, feed.items[0].title, feed.items[0].published) == (
        "2", "Second post", "2025-01-07")
    atom = parse_feed(ATOM.format(base=server.base).encode(), server.url("/atom"))
    assert (atom.items[0].id, atom.items[0].published) == ("urn:post:2", "2025-01-07")


def test_a_feed_with_no_items_yet_is_not_an_error(server, state, config):
    server.routes["/feed"] = Response(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>New Blog</title>'
        f"<link>{server.base}/</link></channel></rss>", content_type="application/rss+xml")

    polled = poll([subscribe(server, "/feed")], config, state, NO_MAIL)

    assert polled.failures == [] and polled.items == []


def test_second_poll_sends_the_stored_validators_and_gets_a_304(server, state, config):
    body = RSS2.format(base=server.base)

    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v7"':
            return Response(b"", status=304, headers={"ETag": '"v7"'})
        return Response(body, content_type="application/rss+xml",
                        headers={"ETag": '"v7"', "Last-Modified": "Tue, 07 Jan 2025 14:00:00 GMT"})

    server.routes["/feed"] = conditional
    first = poll([subscribe(server, "/feed")], config, state, NO_MAIL)
    for url, validators in first.validators.items():  # what ingest does once items are done
        state.save_feed_validators(url, validators)

    second = poll([subscribe(server, "/feed")], config, state, NO_MAIL)

    headers = [h for path, h in server.requests if path == "/feed"][-1]
    assert headers["If-None-Match"] == '"v7"'
    assert headers["If-Modified-Since"] == "Tue, 07 Jan 2025 14:00:00 GMT"
    assert len(first.items) == 2
    assert second.items == [] and second.failures == []
    assert second.validators == {}  # a 304 leaves the stored validators alone


def test_items_already_seen_are_not_new(server, state, config):
    server.routes["/feed"] = Response(RSS2.format(base=server.base),
                                      content_type="application/rss+xml")
    subscription = subscribe(server, "/feed")
    newest, older = poll([subscription], config, state, NO_MAIL).items
    state.mark_seen(subscription.key, newest.key)
    polled = poll([subscription], config, state, NO_MAIL)
    assert [item.key for item in polled.items] == [older.key]


@pytest.mark.parametrize("body", ["<<<this is not a feed", "<html><body><p>Hello</p></body></html>",
                                  '{"title": "JSON, but not a JSON Feed"}'])
def test_malformed_feed_is_a_failure_with_a_clear_reason(body, server, state, config):
    server.routes["/feed"] = Response(body, content_type="application/xml")
    polled = poll([subscribe(server, "/feed")], config, state, NO_MAIL)
    [failure] = polled.failures
    assert failure.location == server.url("/feed")
    assert failure.detail.startswith(f"malformed feed {server.url('/feed')}: ")
    assert state.failures()[0][0] == server.url("/feed")


def test_a_broken_feed_does_not_stop_the_others(server, state, config):
    server.routes["/broken"] = Response("<<<", content_type="application/xml")
    server.routes["/feed"] = Response(ATOM.format(base=server.base),
                                      content_type="application/atom+xml")
    feeds = [subscribe(server, "/broken"), subscribe(server, "/feed")]
    polled = poll(feeds, config, state, NO_MAIL)
    assert len(polled.failures) == 1 and len(polled.items) == 2


def test_entity_bomb_feed_is_refused(server, state, config):
    server.routes["/feed"] = Response(bomb(9), content_type="application/rss+xml")
    polled = poll([subscribe(server, "/feed")], config, state, NO_MAIL)
    [failure] = polled.failures
    assert "declares the XML entity 'lol0' in its DTD; refused" in failure.detail
    assert polled.items == []


def test_entity_bomb_is_refused_without_memory_or_time_blowing_up():
    document = bomb(12).encode()  # expanded, this would be 3 × 10^12 bytes
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ExtractError, match="billion laughs"):
        parse_feed(document, "http://feeds.example/bomb")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2_000_000
    assert elapsed < 0.5


def test_entity_bomb_in_a_not_well_formed_feed_is_refused_too():
    document = bomb(9).replace("[<!ENTITY", "[<!NONSENSE><!ENTITY", 1).encode()
    with pytest.raises(ExtractError, match="declares XML entities"):
        parse_feed(document, "http://feeds.example/bomb")


def test_external_entity_feed_is_refused_before_anything_is_read():
    document = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM '
                b'"file:///etc/passwd">]><rss version="2.0"><channel><title>&secret;</title>'
                b"<item><link>http://a.example/</link></item></channel></rss>")
    with pytest.raises(ExtractError, match="declares the XML entity 'secret'"):
        parse_feed(document, "http://feeds.example/xxe")
