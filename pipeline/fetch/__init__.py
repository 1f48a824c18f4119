"""Fetching: Source → Page, concurrently and politely, within a time bound.

Entry points: `fetch_pages` and `fetch_each` (pages.py: the consumer's side of a fetch
pass, scheduler.py and limits.py), `RobotsCache` and the retry rules (etiquette.py), the
content types Gleaner accepts (http_terms.py) and `confirm_unchanged`, the quiet poll's
conditional requests without httpx (quiet_poll.py). docs/FETCHING.md has the design.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "ARTICLE_TYPES": "http_terms",
    "FEED_TYPES": "http_terms",
    "PDF_TYPE": "http_terms",
    "RobotsCache": "etiquette",
    "confirm_unchanged": "quiet_poll",
    "fetch_each": "pages",
    "fetch_pages": "pages",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
