"""Extract a clean article (Markdown body, metadata, in-body links) from a fetched page.

HTML is parsed once: trafilatura reads the metadata from that tree and pipeline/extract/main_text.py
the main text. Markdown files keep their own frontmatter metadata.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from trafilatura.utils import decode_file, load_html

from ..config import PaperConfig
from ..errors import ExtractError, NoteError
from ..fetch import ARTICLE_TYPES, FEED_TYPES, PDF_TYPE
from ..records import Article, Page
from ..vault import split_frontmatter
from .feed_items import covers
from .links import canonical_url, extract_links
from .main_text import MIN_TEXT_CHARS, main_markdown
from .metadata import page_metadata
from .text import markdown_to_text

H1 = re.compile(r"^#\s+(.+)$", re.MULTILINE)
FEED_ONLY_TYPES = frozenset(FEED_TYPES) - frozenset(ARTICLE_TYPES)


def extract_article(page: Page, papers: PaperConfig | None = None) -> Article:
    """The page's article; for a page that came with its feed's copy, the better of the two
    (pipeline/extract/feed_items.py)."""
    papers = papers or PaperConfig()
    if page.feed_copy is not None:
        return _page_or_feed(page, page.feed_copy, papers)
    article = _extracted(page, papers)
    return replace(article, text_from=page.text_from) if page.text_from else article


def _extracted(page: Page, papers: PaperConfig) -> Article:
    if page.document is not None or page.content_type == PDF_TYPE:
        from ..papers import paper_article  # loads PDFium: only for a paper

        return paper_article(page, papers)
    if page.content_type in FEED_ONLY_TYPES:  # accepted in case it was a feed: it was not
        raise ExtractError(f"not an article: content type {page.content_type}, and not a "
                           "feed either")
    if page.content_type in ("text/markdown", "text/x-markdown"):
        return _from_markdown(page)
    if page.content_type == "text/plain":
        return _from_plain_text(page)
    return _from_html(page)


def _page_or_feed(page: Page, copy: Page, papers: PaperConfig) -> Article:
    """The feed's text if it holds most of the page's (it is then the whole article, without
    the page's furniture), else the page's."""
    try:
        from_feed = replace(_extracted(copy, papers), text_from=copy.text_from)
    except ExtractError:
        return _extracted(page, papers)
    try:
        from_page = _extracted(page, papers)
    except ExtractError as exc:
        return replace(from_feed, text_from=f"{copy.text_from}; the page has no article: {exc}")
    if covers(len(markdown_to_text(from_feed.text)), len(markdown_to_text(from_page.text))):
        return from_feed
    return from_page


def _from_html(page: Page) -> Article:
    """Metadata and main text from one parse of the page (pipeline/extract/main_text.py)."""
    tree = load_html(decode_file(page.content))
    if tree is None:
        raise ExtractError("page is not parseable HTML")
    meta = page_metadata(tree, page.url)
    title = _clean(meta.title)
    description = _clean(meta.description)
    markdown = main_markdown(tree, page.url, (title, description))
    url = _canonical(page.url, meta.url)
    return Article(
        url=url,
        source_name=page.source.origin,
        title=title or _first_heading(markdown) or _title_from_url(page.url),
        text=markdown,
        links=extract_links(markdown, page.url),
        author=_clean(meta.author),
        published=_iso_date(meta.date),
        site_name=_clean(meta.site_name) or urlsplit(page.url).hostname,
        description=description,
        fetched_url=page.url,
    )


def _from_markdown(page: Page) -> Article:
    text = decode_file(page.content)
    try:
        meta, body = split_frontmatter(text)
    except NoteError as exc:
        raise ExtractError(f"Markdown frontmatter: {exc}") from exc
    body = body.strip()
    if len(markdown_to_text(body)) < MIN_TEXT_CHARS:
        raise ExtractError("Markdown file has no article text")
    link = meta.get("link") or meta.get("url") or meta.get("canonical_url")
    url = canonical_url(link) if isinstance(link, str) and link.startswith("http") else page.url
    return Article(
        url=url,
        source_name=page.source.origin,
        title=_clean(meta.get("title")) or _first_heading(body) or _title_from_url(page.url),
        text=body,
        links=extract_links(body, url),
        author=_clean(meta.get("author")),
        published=_iso_date(meta.get("date") or meta.get("published")),
        site_name=_clean(meta.get("site") or meta.get("source")),
        description=_clean(meta.get("description")),
        fetched_url=page.url,
    )


def _from_plain_text(page: Page) -> Article:
    text = decode_file(page.content).strip()
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractError("text file has no article text")
    first_line = text.splitlines()[0].strip()
    return Article(
        url=page.url,
        source_name=page.source.origin,
        title=first_line[:200],
        text=text,
        site_name=urlsplit(page.url).hostname,
        fetched_url=page.url,
    )


def _canonical(fetched: str, declared: str | None) -> str:
    """The page's declared canonical URL, trusted only on the host that served it."""
    if declared and urlsplit(declared).netloc == urlsplit(fetched).netloc:
        return canonical_url(declared)
    return canonical_url(fetched)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _first_heading(markdown: str) -> str | None:
    match = H1.search(markdown)
    return _clean(match.group(1).strip("# ")) if match else None


def _title_from_url(url: str) -> str:
    path = PurePosixPath(unquote(urlsplit(url).path))
    stem = path.stem if path.stem not in ("", "index") else path.parent.name
    return stem.replace("-", " ").replace("_", " ").strip().capitalize() or url


def _iso_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None
