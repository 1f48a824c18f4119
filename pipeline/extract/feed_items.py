"""Feed items as articles: the feed's own text when it is the whole article, the page when not.

Newsletter platforms and many blogs put each whole post in their feed (Substack's
`content:encoded` holds the full issue). Fetching the page then costs a request per item
and fails whenever the page cannot be had (offline, paywalled, the platform down), though
the text is already at hand. So, for each item:

- its text is the whole article, going by the feed's own markers and its length (long, and
  not cut off with "…", "Read more" or a paywall line): the note is made from the feed, and
  the page is not requested;
- otherwise the page is fetched, and the feed's copy goes along with it: extract compares
  the two texts and keeps the feed's if it holds most of the page's (a short post whose
  feed carries all of it), else the page's;
- the fetch fails: the feed's copy is the note's text, and the note says so (`text_from`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from ..errors import GleanerError
from ..records import Page, Source
from ..sources import FeedItem

WHOLE_CHARS = 1500  # a feed text this long, not cut off, is taken for the whole article
COVERS = 0.8  # with the page at hand: the feed's text is the article's if it has this share
FROM_FEED = "feed"
# How excerpts and paywalled previews end. A link, a button or a paywall line says so
# whatever the length; a bare ellipsis only in a text short enough to be an excerpt (a long
# issue may well end by quoting the start of another post, "…").
CUT_OFF = re.compile(
    r"\b(?:read more|continue reading|keep reading|read the (?:full|rest|whole)\b.*|"
    r"full (?:article|story|post)|view (?:the )?(?:full|entire)\b.*|"
    r"this (?:post|issue) is for (?:paid )?(?:subscribers|members)\b.*|"
    r"(?:subscribe|upgrade|sign up) to (?:keep|continue) reading\b.*)\W*$",
    re.IGNORECASE)
ELLIPSIS = re.compile(r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.|&hellip;)\s*\])\W*$")
EXCERPT_CHARS = 5000
TAIL_CHARS = 200

T = TypeVar("T")
Outcome = tuple[Source, Page | GleanerError]
Fetch = Callable[[Sequence[T]], Iterator[tuple[T, Outcome]]]


def with_feed_text(items: Sequence[T], entry: Callable[[T], tuple[Source, FeedItem | None]],
                   fetch: Fetch[T]) -> Iterator[tuple[T, Outcome]]:
    """Each item with its outcome: the feed's page for the items whose feed text is whole
    (first, with no request), then the fetched pages of the others, each with the feed's
    copy, or the copy alone when the fetch failed."""
    copies: dict[int, Page | None] = {}
    to_fetch: list[T] = []
    for item in items:
        source, feed_item = entry(item)
        copy = feed_page(feed_item, source) if feed_item is not None else None
        if copy is not None and is_whole(feed_item):
            yield item, (source, copy)
        else:
            copies[id(item)] = copy
            to_fetch.append(item)
    if to_fetch:
        for item, (source, outcome) in fetch(to_fetch):
            yield item, (source, _joined(outcome, copies.get(id(item))))


def feed_page(item: FeedItem, source: Source) -> Page | None:
    """The item's text as a page at its own URL, or None if the feed has no text for it."""
    from ..sources import body_page  # loaded with the first feed item that has text

    body = item.content or item.summary
    if not plain_text(body):
        return None
    return body_page(source, item.title, body, author=item.author, published=item.published,
                     text_from=FROM_FEED)


def is_whole(item: FeedItem) -> bool:
    """Whether the feed's text is the whole article, by its own markers: long enough, and
    not ending the way an excerpt or a paywall does."""
    text = plain_text(item.content or item.summary)
    tail = text[-TAIL_CHARS:]
    if len(text) < WHOLE_CHARS or CUT_OFF.search(tail):
        return False
    return len(text) >= EXCERPT_CHARS or ELLIPSIS.search(tail) is None


def covers(feed_chars: int, page_chars: int) -> bool:
    """Whether a feed text of `feed_chars` holds the article of a page of `page_chars`."""
    return feed_chars >= COVERS * page_chars


def plain_text(html: str) -> str:
    """The words of an HTML body, without the platform's chrome."""
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    from .boilerplate import strip_chrome

    if not html.strip():
        return ""
    try:
        tree = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return ""
    return " ".join(strip_chrome(tree).text_content().split())


def _joined(outcome: Page | GleanerError, copy: Page | None) -> Page | GleanerError:
    if copy is None:
        return outcome
    if isinstance(outcome, GleanerError):
        return replace(copy, text_from=f"{FROM_FEED}; the page could not be fetched: {outcome}")
    if outcome.not_modified:
        return outcome
    return replace(outcome, feed_copy=copy)
