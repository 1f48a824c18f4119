"""Parse a fetched feed into its items: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed.

feedparser does not read JSON Feed, so that is parsed here with `json`. XML feeds are
checked before parsing: a feed that declares entities in its DTD is refused outright, so a
billion-laughs feed costs a few kilobytes of prolog parsing instead of gigabytes of
expansion (or seconds in feedparser's fallback parser).

An item keeps what the feed says of its text: `content` (RSS content:encoded, Atom
content, JSON Feed content_html or content_text) and `summary` (RSS description, Atom
summary). Many newsletters carry each whole issue there (pipeline/extract/feed_items.py decides).
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from xml.parsers import expat

from ..errors import ExtractError

ENTITY_DECLARATIONS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"),
                       "<!ENTITY".encode("utf-16-be"))
JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json")
XML_FEED_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>|<\?[^>]*>)\s*)*"
    rb"<(?:rss|feed|rdf:RDF)[\s>]", re.DOTALL)
JSON_FEED_MARK = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed: the article (or newsletter issue) it points to."""

    id: str
    url: str
    title: str
    published: str | None = None
    content: str = ""
    summary: str = ""
    author: str = ""


@dataclass(frozen=True)
class Feed:
    title: str
    home: str
    items: tuple[FeedItem, ...]


def is_feed(content: bytes, content_type: str) -> bool:
    """Whether a fetched document is a feed, by its content type or, for the generic types
    a feed is often served as (XML, JSON, text, HTML), by its root element or version."""
    if content_type in FEED_TYPES:
        return True
    head = content[:SNIFF_BYTES]
    if head.lstrip()[:1] == b"{":
        return JSON_FEED_MARK.search(head) is not None
    return XML_FEED_ROOT.match(head) is not None


def parse_feed(content: bytes, url: str) -> Feed:
    """The feed's items that link to something, newest order kept as the feed gives it."""
    if content.lstrip()[:1] == b"{":
        return _json_feed(content, url)
    refuse_entity_declarations(content, url)
    # feedparser is imported only when a feed has changed: a 304 poll never parses.
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": url},
                              sanitize_html=False)
    if not parsed.version:
        reason = parsed.get("bozo_exception") or "no RSS, Atom or JSON Feed root element"
        raise ExtractError(f"malformed feed {url}: {reason}")
    # feedparser also flags a feed it was given without a content type, or whose declared
    # encoding it overrode; only a feed it could not read is malformed. One with no items
    # yet (a new blog) is not.
    benign = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
    if parsed.bozo and not parsed.entries and not isinstance(parsed.bozo_exception, benign):
        raise ExtractError(f"malformed feed {url}: {parsed.bozo_exception}")
    items = tuple(item for entry in parsed.entries if (item := _xml_item(entry)))
    return Feed(title=parsed.feed.get("title", "") or url, home=parsed.feed.get("link", ""),
                items=items)


def _xml_item(entry: dict) -> FeedItem | None:
    link = entry.get("link") or next((candidate.get("href") for candidate in
                                      entry.get("links", []) if candidate.get("href")), None)
    if not link:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    contents = [part.get("value", "") for part in entry.get("content", [])
                if part.get("type", "text/html") in ("text/html", "application/xhtml+xml",
                                                     "text/plain")]
    return FeedItem(
        id=entry.get("id") or link,
        url=link,
        title=entry.get("title", ""),
        published=time.strftime("%Y-%m-%d", stamp) if stamp else None,
        content=max(contents, key=len, default=""),
        summary=entry.get("summary", "") or "",
        author=entry.get("author", "") or "",
    )


def refuse_entity_declarations(content: bytes, url: str) -> None:
    """Raise if the document's DTD declares entities; stop reading at the root element."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(name: str, *rest: object) -> None:
        raise ExtractError(f"feed {url} declares the XML entity {name!r} in its DTD; refused "
                           "as a possible entity-expansion (billion laughs) attack")

    def root(name: str, attributes: dict[str, str]) -> None:
        raise _PrologRead

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        parser.Parse(content, True)
    except _PrologRead:
        return
    except expat.ExpatError:
        # Not well-formed: feedparser's lenient parser will read it, so look at the raw bytes.
        if any(marker in content for marker in ENTITY_DECLARATIONS):
            raise ExtractError(f"feed {url} declares XML entities; refused as a possible "
                               "entity-expansion attack") from None


class _PrologRead(Exception):
    """The root element started: every declaration there could be has been seen."""


def _json_feed(content: bytes, url: str) -> Feed:
    try:
        data = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ExtractError(f"malformed JSON Feed {url}: {exc}") from exc
    if not isinstance(data, dict) or not JSON_FEED_VERSION.match(str(data.get("version", ""))):
        raise ExtractError(f"malformed feed {url}: JSON without a jsonfeed.org version")
    entries = data.get("items")
    if not isinstance(entries, list):
        raise ExtractError(f"malformed JSON Feed {url}: `items` is not a list")
    items = tuple(item for entry in entries if isinstance(entry, dict)
                  and (item := _json_item(entry)))
    return Feed(title=str(data.get("title") or url), home=str(data.get("home_page_url") or ""),
                items=items)


def _json_item(entry: dict) -> FeedItem | None:
    link = entry.get("url") or entry.get("external_url")
    if not isinstance(link, str) or not link.startswith(("http://", "https://")):
        return None
    published = entry.get("date_published") or entry.get("date_modified")
    identity = entry.get("id")
    authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
    return FeedItem(
        id=str(identity) if identity not in (None, "") else link,
        url=link,
        title=str(entry.get("title") or ""),
        published=published[:10] if isinstance(published, str) and
        re.match(r"\d{4}-\d{2}-\d{2}", published) else None,
        content=_json_content(entry),
        summary=str(entry.get("summary") or ""),
        author=", ".join(str(a.get("name")) for a in authors
                         if isinstance(a, dict) and a.get("name")),
    )


def _json_content(entry: dict) -> str:
    """content_html, or content_text as HTML paragraphs."""
    if isinstance(entry.get("content_html"), str):
        return entry["content_html"]
    text = entry.get("content_text")
    if not isinstance(text, str):
        return ""
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", text)
                   if p.strip())
