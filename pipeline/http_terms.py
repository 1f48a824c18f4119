"""What Gleaner asks servers for and what it accepts from them: shared by the fetch pass and
the quiet poll (pipeline/quiet_poll.py), which must not load the HTTP client."""

from __future__ import annotations

from collections.abc import Callable

from .records import Validators

PDF_TYPE = "application/pdf"
ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/markdown", "text/x-markdown",
                 "text/plain", PDF_TYPE)
PAPER_TYPES = ("text/html", "application/xhtml+xml")  # an arXiv abstract page
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/xml", "text/xml", "application/json",
              "text/plain", "text/html")
ACCEPTED = {"article": ARTICLE_TYPES, "feed": FEED_TYPES, "paper": PAPER_TYPES}
ACCEPT_HEADERS = {
    "article": ", ".join(ARTICLE_TYPES),
    "paper": ", ".join(PAPER_TYPES),
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
}

KnownValidators = Callable[[str], Validators | None]


def conditional_headers(known: Validators | None) -> dict[str, str]:
    """If-None-Match and If-Modified-Since from what the last fetch of the URL said."""
    known = known or Validators()
    return {name: value for name, value in (("If-None-Match", known.etag),
                                            ("If-Modified-Since", known.last_modified))
            if value}
