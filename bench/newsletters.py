"""Newsletter chrome on real issues: the 20 issues of a real Substack feed, before and after.

tests/data/newsletters/simonw-substack-2023.xml holds 20 whole issues in `content:encoded`,
with Substack's markup around the writing. For each issue the bench takes stock of the input
from that markup: its subscribe widgets, its image widgets (a link to the picture around the
picture), its own headings (h1–h4) and its paragraphs of writing (p, li and blockquote
outside the widgets, 8 words or more). Then it extracts the issue twice with the real
extract stage, as a page at the item's URL:

- before: the issue's HTML as it is (what trafilatura alone makes of it);
- after: the issue as Gleaner reads a feed item now (pipeline/extract/feed_items.py feed_page, which
  takes the chrome out: pipeline/extract/boilerplate.py).

and counts, in each text: widget text that got through ("Thanks for reading…", "Subscribe",
"Type your email"), links to the platform's chrome (subscribe pages, image-widget links,
share links), headings kept as Markdown headings, and paragraphs of writing kept (their
first 60 characters found in the text). The links an issue gives to read next
(pipeline/sources/mail.py newsletter_links) are counted the same way.

Last, the whole pipeline: the feed is served on a loopback server with its items' links moved
there (each item page answers 503: the platform is down), `python -m pipeline run FEED_URL`
runs as a child process into a fresh vault, and every note's body and link list is searched
for Substack chrome.

    python bench/newsletters.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import html as lxml_html

from pipeline.extract.article import extract_article
from pipeline.extract.feed_items import feed_page
from pipeline.extract.text import markdown_to_text
from pipeline.records import Article, Page, Source
from pipeline.sources.feeds import FeedItem, parse_feed
from pipeline.sources.mail import newsletter_links

ROOT = Path(__file__).resolve().parents[1]
FEED = ROOT / "tests" / "data" / "newsletters" / "simonw-substack-2023.xml"
HOME = "https://simonw.substack.com"
WIDGET_TEXT = re.compile(r"Thanks for reading|Subscribe|Type your email", re.IGNORECASE)
CHROME_LINK = re.compile(r"substack\.com/subscribe|substackcdn\.com|action=share|"
                         r"utm_content=share")
NOTE_CHROME = re.compile(r"Thanks for reading|Subscribe (?:now|for free)|Type your email|"
                         r"substackcdn\.com|substack\.com/subscribe|action=share", re.IGNORECASE)
MIN_WORDS = 8
SUBSCRIBE_WIDGET = '@data-component-name="SubscribeWidgetToDOM"'
IMAGE_WIDGET = 'contains(@class, "captioned-image-container")'


@dataclass
class Tally:
    widget_leaks: int = 0
    chrome_links: int = 0
    links: int = 0
    headings: int = 0
    paragraphs: int = 0
    chrome_to_read: int = 0
    to_read: int = 0


@dataclass(frozen=True)
class Stock:
    subscribe_widgets: int
    image_widgets: int
    headings: list[str]
    paragraphs: list[str]


def take_stock(content: str) -> Stock:
    tree = lxml_html.fragment_fromstring(content, create_parent="div")
    widgets = tree.xpath(f".//*[{SUBSCRIBE_WIDGET}]")
    images = tree.xpath(f".//*[{IMAGE_WIDGET}]")
    headings = [_text(h) for h in tree.iter("h1", "h2", "h3", "h4")]
    paragraphs = [_text(p) for p in tree.iter("p", "li", "blockquote")
                  if not p.xpath(f"ancestor::*[{SUBSCRIBE_WIDGET} or {IMAGE_WIDGET}]")
                  and len(p.text_content().split()) >= MIN_WORDS
                  and not p.xpath("./p | ./ul | ./ol")]  # the innermost blocks only
    return Stock(len(widgets), len(images), headings, paragraphs)


def count(article: Article, to_read: list[str], stock: Stock, tally: Tally) -> None:
    plain = _bare(markdown_to_text(article.text))
    heading_lines = [_words(markdown_to_text(line.lstrip("#"))) for line in
                     article.text.splitlines() if line.startswith("#")]
    tally.widget_leaks += len(WIDGET_TEXT.findall(article.text.replace("subscribers", "")))
    tally.chrome_links += sum(1 for link in article.links if CHROME_LINK.search(link.url))
    tally.links += len(article.links)
    tally.headings += sum(1 for h in stock.headings if any(h[:40] in line
                                                           for line in heading_lines))
    tally.paragraphs += sum(1 for p in stock.paragraphs if _bare(p)[:50] in plain)
    tally.chrome_to_read += sum(1 for url in to_read if CHROME_LINK.search(url))
    tally.to_read += len(to_read)


def _text(element: lxml_html.HtmlElement) -> str:
    """The element's words, a line break (<br>) counting as a space."""
    return _words(" ".join(element.itertext()))


def _bare(text: str) -> str:
    """Text without its spaces: a link's edge may gain or lose one on the way to Markdown."""
    return re.sub(r"\s+", "", text)


def _words(text: str) -> str:
    return " ".join(text.split())


def before(item: FeedItem) -> tuple[Article, list[str]]:
    """The issue's text and links to read with the chrome removal switched off: what
    trafilatura and the link filter of pipeline/sources/mail.py make of it alone."""
    document = (f"<!DOCTYPE html><html><head><title>{item.title}</title></head><body>"
                f"<article>{item.content}</article></body></html>")
    page = Page(Source(item.url, "bench"), item.url, document.encode(), "text/html")
    with _chrome_removal_off():
        return extract_article(page), newsletter_links(item.content, item.url, HOME)


@contextmanager
def _chrome_removal_off() -> Iterator[None]:
    import pipeline.extract.article as extract
    import pipeline.sources.mail as mail

    kept = extract.strip_chrome, extract.without_chrome, mail.without_chrome
    extract.strip_chrome = lambda tree: tree
    extract.without_chrome = mail.without_chrome = lambda html: html
    try:
        yield
    finally:
        extract.strip_chrome, extract.without_chrome, mail.without_chrome = kept


def pipeline_notes(feed: bytes) -> tuple[int, int, int, float]:
    """(notes, notes from the feed, notes with Substack chrome, seconds) of `gleaner run`."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            body, status, kind = (served, 200, "application/rss+xml") if self.path == "/feed" \
                else (b"", 404, "text/plain") if self.path == "/robots.txt" \
                else (b"Substack is down", 503, "text/plain")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    served = feed.replace(f"{HOME}/p/".encode(), f"{base}/p/".encode())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = Path(folder) / "bench.toml"
            config.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline", "run", f"{base}/feed", "--vault",
                            f"{folder}/vault", "--config", str(config)], cwd=ROOT, check=True,
                           capture_output=True)
            seconds = time.perf_counter() - started
            texts = [p.read_text(encoding="utf-8") for p in Path(folder, "vault").glob("*.md")]
    finally:
        server.shutdown()
    from_feed = sum(1 for text in texts if "\ntext_from: feed\n" in text)
    chrome = sum(1 for text in texts if NOTE_CHROME.search(text.split("\n---\n", 1)[1]))
    return len(texts), from_feed, chrome, seconds


def main() -> None:
    feed = FEED.read_bytes()
    items = parse_feed(feed, f"{HOME}/feed").items
    stocks = [take_stock(item.content) for item in items]
    tallies = {"before": Tally(), "after": Tally()}
    for item, stock in zip(items, stocks, strict=True):
        source = Source(item.url, "Simon Willison’s Newsletter")
        count(*before(item), stock=stock, tally=tallies["before"])
        count(extract_article(feed_page(item, source)),
              newsletter_links(item.content, item.url, HOME), stock, tallies["after"])
    headings = sum(len(s.headings) for s in stocks)
    paragraphs = sum(len(s.paragraphs) for s in stocks)
    print(f"{len(items)} issues: {sum(s.subscribe_widgets for s in stocks)} subscribe widgets, "
          f"{sum(s.image_widgets for s in stocks)} image widgets, {headings} headings, "
          f"{paragraphs} paragraphs of writing")
    print("| | widget text in the text | chrome links / links | headings kept | "
          "paragraphs kept | chrome links / links to read |")
    print("|---|---|---|---|---|---|")
    for name, t in tallies.items():
        print(f"| {name} | {t.widget_leaks} | {t.chrome_links} / {t.links} | "
              f"{t.headings}/{headings} ({t.headings / headings:.0%}) | "
              f"{t.paragraphs}/{paragraphs} ({t.paragraphs / paragraphs:.1%}) | "
              f"{t.chrome_to_read} / {t.to_read} |")
    notes, from_feed, chrome, seconds = pipeline_notes(feed)
    print(f"gleaner run on the feed served on loopback, item pages down: {notes} notes, "
          f"{from_feed} with text_from: feed, {chrome} with Substack chrome, {seconds:.1f} s")


if __name__ == "__main__":
    main()
