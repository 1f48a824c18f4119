"""Extraction: Page → Article, the clean Markdown body with its metadata and links.

Entry points: `extract_article` (article.py; main_text.py and metadata.py read one parse of
an HTML page, boilerplate.py takes newsletter platforms' chrome out); `extract_links` and
`canonical_url` (links.py); `markdown_to_text`, `markdown_blocks` (text.py);
`with_feed_text` (feed_items.py: a feed item's own text or its page); `fingerprint`
(dedupe.py). docs/EXTRACTION.md has the method and its figures.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Block": "text",
    "FROM_FEED": "feed_items",
    "LINK": "text",
    "TEX_MATH": "text",
    "canonical_url": "links",
    "extract_article": "article",
    "extract_links": "links",
    "fingerprint": "dedupe",
    "is_same_article": "dedupe",
    "issue_html": "boilerplate",
    "markdown_blocks": "text",
    "markdown_to_text": "text",
    "prose_words": "text",
    "with_feed_text": "feed_items",
    "without_chrome": "boilerplate",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
