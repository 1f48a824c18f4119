"""Feeds where any source is accepted, and full-content feeds: a note from the feed's own text
when it is the whole article, from the page when the page has more, from the feed when the
page cannot be had. Real loopback servers, the real Substack feed, the real spaCy model."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import ingest, run
from pipeline.cli import EXIT_ITEMS_FAILED, EXIT_OK, EXIT_USAGE, main
from pipeline.config import Config, FetchConfig, Subscription
from pipeline.errors import ConfigError
from pipeline.records import Source
from pipeline.sources.feeds import parse_feed
from pipeline.sources.lists import read_reading_list, read_sources
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import REPO, article_page, realistic_paragraphs
from .server import Response
from .test_feeds import FEEDS

SUBSTACK_FEED = REPO / "tests" / "data" / "newsletters" / "simonw-substack-2023.xml"
SUBSTACK_HOME = "https://simonw.substack.com"
# What Substack puts around an issue: none of it may reach a note's text or links.
SUBSTACK_CHROME = re.compile(
    r"Thanks for reading|Subscribe (?:now|for free)|Type your email|substackcdn\.com|"
    r"substack\.com/subscribe|action=share|utm_source=substack|Leave a comment|Share this post|"
    r"\bRestack\b|Get the app|Start writing", re.IGNORECASE)

POSTS = {
    "/posts/1": ("First post", realistic_paragraphs()[:4]),
    "/posts/2": ("Second post", realistic_paragraphs()[4:8]),
}


def notes(vault: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(vault.glob("*.md"))}


def frontmatter(text: str) -> dict:
    return split_frontmatter(text)[0]


@pytest.fixture
def fast_toml(tmp_path: Path) -> Path:
    """fast_config as a file, for the command line."""
    path = tmp_path / "fast.toml"
    path.write_text("workers = 0\n[fetch]\nhost_delay = 0\ntimeout = 2\nretries = 1\n"
                    "backoff = 0.05\n", encoding="utf-8")
    return path


def serve_posts(server) -> None:
    for path, (title, paragraphs) in POSTS.items():
        server.routes[path] = Response(article_page(title, paragraphs))


# gleaner run FEED ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss-2.0", "atom", "json-feed"])
@pytest.mark.parametrize("served_as", ["its own type", "application/xml", "text/html"])
def test_run_takes_a_feed_url_and_makes_notes_of_its_items(kind, served_as, server, vault,
                                                            fast_toml):
    render, content_type = FEEDS[kind]
    generic = "application/json" if kind == "json-feed" and served_as != "text/html" \
        else served_as
    server.routes["/feed"] = Response(render(server.base), content_type=content_type
                                      if served_as == "its own type" else generic)
    serve_posts(server)

    result = CliRunner().invoke(main, ["run", server.url("/feed"), "--vault", str(vault),
                                       "--config", str(fast_toml)])

    assert result.exit_code == EXIT_OK, result.output
    assert "2 notes written, 0 updated, 0 unchanged, 0 failed" in result.output
    written = [frontmatter(text) for text in notes(vault).values()]
    assert sorted(fm["title"] for fm in written) == ["First post", "Second post"]
    assert {fm["source"] for fm in written} == {parse_feed(
        render(server.base).encode(), server.url("/feed")).title}


@pytest.mark.parametrize("kind,suffix", [("rss-2.0", ".xml"), ("atom", ".atom"),
                                         ("json-feed", ".json"), ("rss-2.0", ".txt")])
def test_run_takes_a_feed_file_whatever_its_name(kind, suffix, server, vault, tmp_path,
                                                  fast_config):
    render, _ = FEEDS[kind]
    feed = tmp_path / f"saved-feed{suffix}"
    feed.write_text(render(server.base), encoding="utf-8")
    serve_posts(server)

    report = run(read_sources([str(feed)]), fast_config, vault)

    assert report.counts["written"] == 2 and report.failures == []
    assert [s.kind for s in read_sources([str(feed)])] == ["feed"]


def test_a_feed_url_in_a_reading_list_gives_its_items(server, vault, tmp_path, fast_config):
    render, content_type = FEEDS["atom"]
    server.routes["/feed"] = Response(render(server.base), content_type=content_type)
    serve_posts(server)
    server.routes["/other"] = Response(article_page("Other", realistic_paragraphs()[8:11]))
    listing = tmp_path / "list.txt"
    listing.write_text(f"{server.url('/other')}\n{server.url('/feed')}\n", encoding="utf-8")

    report = run(read_sources([str(listing)]), fast_config, vault)

    assert report.counts["written"] == 3 and report.failures == []


def test_a_feed_on_stdin_is_refused_with_what_to_do_instead(server, vault, fast_toml):
    import io

    render, _ = FEEDS["rss-2.0"]
    with pytest.raises(ConfigError, match="a feed, not a reading list: give its file or URL"):
        list(read_reading_list(io.StringIO(render(server.base)), "stdin", Path.cwd()))
    result = CliRunner().invoke(main, ["run", "-", "--vault", str(vault), "--config",
                                       str(fast_toml)], input=render(server.base))
    assert result.exit_code == EXIT_USAGE and "a feed, not a reading list" in result.output


def test_a_broken_feed_is_a_failure_of_its_own_and_the_rest_goes_on(server, vault, fast_config):
    server.routes["/feed"] = Response("<<<not a feed at all", content_type="application/rss+xml")
    serve_posts(server)

    report = run([Source(server.url("/feed"), ""), Source(server.url("/posts/1"), "")],
                 fast_config, vault)

    assert report.counts["written"] == 1
    [failure] = report.failures
    assert failure.location == server.url("/feed")
    assert failure.detail.startswith(f"malformed feed {server.url('/feed')}")


# full-content feeds: a mixture of items ------------------------------------------------------


def rss(base: str, items: list[tuple[str, str, str]]) -> str:
    """A feed whose items carry (path, title, HTML content) in content:encoded."""
    entries = "".join(
        f"<item><title>{html.escape(title)}</title><link>{base}{path}</link>"
        f"<guid>{path}</guid><pubDate>Tue, 07 Jan 2025 14:00:00 +0000</pubDate>"
        + (f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else "")
        + "</item>" for path, title, content in items)
    return ('<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Mixed Blog</title><link>{base}/</link>{entries}</channel></rss>")


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_each_item_takes_its_text_from_the_feed_or_the_page_as_each_deserves(
        server, vault, fast_config):
    text = realistic_paragraphs()
    long_post, short_post, excerpted, lost = text[0:8], text[8:9], text[9:14], text[14:18]
    server.routes["/long"] = Response(article_page("Long post", long_post))
    server.routes["/short"] = Response(article_page("Short post", short_post))
    server.routes["/excerpted"] = Response(b"", status=301, headers={"Location": "/moved"})
    server.routes["/moved"] = Response(article_page("Excerpted post", excerpted))
    server.routes["/lost"] = Response("gone", status=404, content_type="text/plain")
    server.routes["/bare"] = Response("down", status=503, content_type="text/plain")
    server.routes["/feed"] = Response(rss(server.base, [
        ("/long", "Long post", paragraphs_html(long_post)),
        ("/short", "Short post", paragraphs_html(short_post)),
        ("/excerpted", "Excerpted post", f"<p>{excerpted[0][:200]} […]</p>"
                                         "<p><a href='/excerpted'>Read more</a></p>"),
        ("/lost", "Lost post", paragraphs_html(lost[:1]) + "<p>Continue reading…</p>"),
        ("/bare", "Bare post", ""),
    ]), content_type="application/rss+xml")

    report = run([Source(server.url("/feed"), "")], fast_config, vault)

    fetched = {path for path, _ in server.requests}
    assert "/long" not in fetched  # the feed had all of it: no request
    assert {"/short", "/excerpted", "/moved", "/lost", "/bare"} <= fetched
    written = {fm["title"]: fm for fm in map(frontmatter, notes(vault).values())}
    assert written["Long post"]["text_from"] == "feed"
    assert written["Short post"]["text_from"] == "feed"  # compared: the feed holds the page
    assert "text_from" not in written["Excerpted post"]  # the page had far more
    assert written["Excerpted post"]["link"] == server.url("/moved")
    assert written["Lost post"]["text_from"] == (
        "feed; the page could not be fetched: HTTP 404 Not Found")
    assert "Bare post" not in written
    outcomes = {item.location.removeprefix(server.base): (item.status, item.detail)
                for item in report.items}
    assert outcomes["/lost"] == (
        "written", "text from the feed; the page could not be fetched: HTTP 404 Not Found")
    assert outcomes["/bare"][0] == "failed" and "HTTP 503" in outcomes["/bare"][1]
    assert report.counts == {**report.counts, "written": 4, "failed": 1}
    assert list(validate_vault(vault)) == []


def test_a_fallback_note_is_made_again_from_the_page_once_the_page_is_back(
        server, vault, fast_config):
    paragraphs = realistic_paragraphs()[21:26]
    excerpt = f"<p>{paragraphs[0]}</p><p>Read more</p>"
    server.routes["/feed"] = Response(rss(server.base, [("/post", "A post", excerpt)]),
                                      content_type="application/rss+xml")
    server.routes["/post"] = Response("down", status=404, content_type="text/plain")
    run([Source(server.url("/feed"), "")], fast_config, vault)
    [first] = notes(vault).values()
    server.routes["/post"] = Response(article_page("A post", paragraphs))

    report = run([Source(server.url("/feed"), "")], fast_config, vault)

    [again] = notes(vault).values()
    assert frontmatter(first)["text_from"].startswith("feed; the page could not be fetched")
    assert report.counts["updated"] == 1 and "text_from" not in frontmatter(again)


# the real Substack feed ------------------------------------------------------------------------


def substack_page(title: str, content: str, home: str) -> str:
    """An issue's web page the way Substack lays one out around the post: header with a
    subscribe button, share and like bar, the post, a subscribe widget, comments, footer."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="Simon Willison’s Newsletter"></head><body>
<div class="navbar"><a href="{home}">Simon Willison’s Newsletter</a>
<a class="button primary" href="{home}/subscribe?">Subscribe</a><a href="/account">Sign in</a></div>
<article class="post"><h1 class="post-title">{html.escape(title)}</h1>
<div class="post-ufi"><a href="{home}/p/x?action=share">Share</a>
<a href="#comments">Comments</a></div>
<div class="available-content"><div class="body markup">{content}</div></div>
<p class="button-wrapper" data-component-name="ButtonCreateButton"><a class="button primary"
 href="{home}/p/x?utm_source=substack&utm_medium=email&utm_content=share&action=share">
<span>Share</span></a></p></article>
<div class="subscribe-footer"><p>Ready for more?</p><form><input type="email"></form></div>
<div class="footer"><p>© 2023 Simon Willison</p>
<a href="https://substack.com/privacy">Privacy</a>
<a href="https://substack.com/signup">Start Writing</a>
<a href="https://substack.com/app">Get the app</a>
<p>Substack is the home for great culture</p></div></body></html>"""


def serve_substack(server, pages: bool) -> None:
    """The real feed on loopback, its items' links moved to the loopback server; their pages
    laid out as Substack does, or the platform down."""
    feed = SUBSTACK_FEED.read_text(encoding="utf-8").replace(f"{SUBSTACK_HOME}/p/",
                                                             f"{server.base}/p/")
    server.routes["/feed"] = Response(feed, content_type="application/rss+xml; charset=utf-8")
    for item in parse_feed(feed.encode(), server.url("/feed")).items:
        path = item.url.removeprefix(server.base)
        server.routes[path] = Response(substack_page(item.title, item.content, SUBSTACK_HOME)) \
            if pages else Response("Substack is down", status=503, content_type="text/plain")


def substack_ingest(server, vault: Path) -> tuple:
    subscription = Subscription("Simon Willison’s Newsletter", "feed", url=server.url("/feed"))
    config = Config(fetch=FetchConfig(host_delay=0, timeout=2, retries=0), workers=0,
                    subscriptions=(subscription,))
    return ingest(config, vault)


def test_the_real_substack_feed_with_its_pages_down_gives_every_issue_from_the_feed(
        server, tmp_path):
    serve_substack(server, pages=False)

    report = substack_ingest(server, tmp_path / "down")

    written = notes(tmp_path / "down")
    assert report.failures == [] and report.counts["written"] == 20
    assert len(written) == 20  # one note per issue
    assert not [path for path, _ in server.requests if path.startswith("/p/")]
    for name, text in written.items():
        meta, body = split_frontmatter(text)
        assert meta["text_from"] == "feed" and meta["source"] == "Simon Willison’s Newsletter"
        assert meta["link"].startswith(server.url("/p/")), name
        assert not SUBSTACK_CHROME.search(body), (name, SUBSTACK_CHROME.search(body))
        links = body.split("## Links", 1)[1].split("## Topics", 1)[0]
        assert links.count("\n- [") >= 3, name
        assert "substack.com/subscribe" not in links and "substackcdn" not in links
    assert list(validate_vault(tmp_path / "down")) == []


def test_the_real_substack_feed_gives_the_same_notes_whether_its_pages_are_up_or_down(
        server, tmp_path):
    serve_substack(server, pages=False)
    substack_ingest(server, tmp_path / "down")
    serve_substack(server, pages=True)

    report = substack_ingest(server, tmp_path / "up")

    assert report.counts["written"] == 20
    assert notes(tmp_path / "up") == notes(tmp_path / "down")


def test_a_substack_issue_page_gives_the_feeds_text_without_the_page_around_it(server):
    from pipeline.extract.article import extract_article
    from pipeline.extract.feed_items import feed_page
    from pipeline.records import Page

    item = parse_feed(SUBSTACK_FEED.read_bytes(), "http://feed.invalid/").items[10]
    page_html = substack_page(item.title, item.content, SUBSTACK_HOME)
    source = Source(item.url, "Simon Willison’s Newsletter")
    from_page = extract_article(Page(source, item.url, page_html.encode(), "text/html"))
    from_feed = extract_article(feed_page(item, source))

    for article in (from_page, from_feed):
        assert not SUBSTACK_CHROME.search(article.text), SUBSTACK_CHROME.search(article.text)
        assert not [link for link in article.links if "substack.com" in link.url]
    headings = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", item.content)
    assert headings and all(re.sub(r"<[^>]+>", "", h).strip()[:20] in from_feed.text
                            for h in headings)


def test_ingest_and_run_say_when_a_feed_item_could_not_be_had_at_all(server, tmp_path):
    server.routes["/feed"] = Response(rss(server.base, [("/gone", "Gone", "")]),
                                      content_type="application/rss+xml")
    server.routes["/gone"] = Response("gone", status=410, content_type="text/plain")
    config = tmp_path / "gleaner.toml"
    config.write_text(f'workers = 0\n[fetch]\nhost_delay = 0\n\n[[subscriptions]]\n'
                      f'name = "Mixed Blog"\nurl = "{server.url("/feed")}"\n', encoding="utf-8")

    result = CliRunner().invoke(main, ["ingest", "--config", str(config), "--vault",
                                       str(tmp_path / "vault")])

    assert result.exit_code == EXIT_ITEMS_FAILED
    assert f"FAILED {server.url('/gone')}: HTTP 410 Gone" in result.output


def test_a_source_that_is_neither_an_article_nor_a_feed_says_so(server, vault, fast_config):
    server.routes["/api"] = Response('{"status": "ok", "items": [1, 2]}',
                                     content_type="application/json")
    server.routes["/data.xml"] = Response("<?xml version='1.0'?><rows><row>1</row></rows>",
                                          content_type="application/xml")

    report = run([Source(server.url("/api"), ""), Source(server.url("/data.xml"), "")],
                 fast_config, vault)

    assert sorted(item.detail for item in report.failures) == [
        "not an article: content type application/json, and not a feed either",
        "not an article: content type application/xml, and not a feed either"]
