"""What Gleaner asks servers for and what it accepts from them: shared by the fetch pass and
the quiet poll (pipeline/fetch/quiet_poll.py), which must not load the HTTP client."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..records import Validators

PDF_TYPE = "application/pdf"
ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/markdown", "text/x-markdown",
                 "text/plain", PDF_TYPE)
PAPER_TYPES = ("text/html", "application/xhtml+xml")  # an arXiv abstract page
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/xml", "text/xml", "application/json",
              "text/plain", "text/html")
# Any source may turn out to be a feed (`gleaner run https://…/feed.xml`): its items are read.
ACCEPTED = {"article": ARTICLE_TYPES + FEED_TYPES, "feed": FEED_TYPES, "paper": PAPER_TYPES}
ACCEPT_HEADERS = {
    "article": ", ".join(ARTICLE_TYPES) + ", application/rss+xml;q=0.8, "
               "application/atom+xml;q=0.8, application/feed+json;q=0.8, "
               "application/xml;q=0.5, text/xml;q=0.5",
    "paper": ", ".join(PAPER_TYPES),
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
}

KnownValidators = Callable[[str], Validators | None]
MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
NOT_STORED = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\b", re.IGNORECASE)


def max_age(cache_control: str | None) -> float | None:
    """How long a response stays fresh by its Cache-Control header: max-age in seconds, 0
    for no-cache or no-store, None when the header does not say."""
    if not cache_control:
        return None
    if NOT_STORED.search(cache_control):
        return 0.0
    found = MAX_AGE.search(cache_control)
    return float(found.group(1)) if found else None


def conditional_headers(known: Validators | None) -> dict[str, str]:
    """If-None-Match and If-Modified-Since from what the last fetch of the URL said."""
    known = known or Validators()
    return {name: value for name, value in (("If-None-Match", known.etag),
                                            ("If-Modified-Since", known.last_modified))
            if value}
