"""The conditional requests of a quiet poll, on the standard library.

Under cron most polls find every feed unchanged: each answers 304 to the validators of the
last poll, and those requests are all the poll costs. Loading httpx and asyncio would take
longer than the requests themselves, so they are made here with http.client. This path only
ever confirms that nothing changed (a 304, with how long the feed stays fresh), or hears the
server ask to be left alone for a while (429 or 503 with Retry-After: asking again at once
would be rude). Anything else (a changed feed, a redirect, an error, a slow server) is left
to the fetch pass (pipeline/fetch/pages.py), which handles it with all its rules. A feed without
validators, or whose site's robots.txt is not remembered or does not allow it, goes there
directly.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import FetchConfig
from ..errors import HostError
from ..records import Page, Source, Validators
from .etiquette import RobotsCache, retry_after
from .http_terms import ACCEPT_HEADERS, KnownValidators, conditional_headers, max_age

Answer = Page | HostError
WAIT_STATUSES = (429, 503)

if TYPE_CHECKING:
    import ssl


def confirm_unchanged(feeds: Sequence[Source], config: FetchConfig, known: KnownValidators,
                      robots: RobotsCache) -> tuple[dict[Source, Answer], list[Source]]:
    """(the feeds that answered 304, as pages, or asked to wait, as errors; the others, for
    the fetch pass)."""
    hosts: dict[str, list[tuple[Source, Validators]]] = defaultdict(list)
    for feed in feeds:
        validators = known(feed.location)
        if validators and _may_ask(feed, config, robots):
            hosts[urlsplit(feed.location).netloc.lower()].append((feed, validators))
    confirmed: dict[Source, Answer] = {}
    lanes = [list(hosts.values())[n::config.concurrency] for n in range(config.concurrency)]
    threads = [threading.Thread(target=_ask_in_turn, args=(lane, config, confirmed),
                                name="gleaner-poll", daemon=True) for lane in lanes if lane]
    for thread in threads:
        thread.start()
    longest = max((sum(len(feeds) for feeds in lane) for lane in lanes), default=0)
    ends = time.monotonic() + longest * (config.timeout + config.host_delay)
    for thread in threads:  # a thread still asking at the end leaves its feeds to the pass
        thread.join(max(0.0, ends - time.monotonic()))
    answered = dict(confirmed)
    return answered, [feed for feed in feeds if feed not in answered]


def _may_ask(feed: Source, config: FetchConfig, robots: RobotsCache) -> bool:
    parts = urlsplit(feed.location)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if not config.respect_robots:
        return True
    rules = robots.get(f"{parts.scheme}://{parts.netloc}")
    return rules is not None and not rules.refusal_for(feed.location, config.user_agent)


def _ask_in_turn(lane: list[list[tuple[Source, Validators]]], config: FetchConfig,
                 confirmed: dict[Source, Answer]) -> None:
    """One host's feeds after another's, `host_delay` apart on the same host."""
    for feeds in lane:
        for number, (feed, validators) in enumerate(feeds):
            if number:
                time.sleep(config.host_delay)
            page = _ask(feed, validators, config)
            if page is not None:
                confirmed[feed] = page


def _ask(feed: Source, validators: Validators, config: FetchConfig) -> Answer | None:
    """The feed as not modified, or the server's request to wait, if it says either; None
    for any other answer."""
    parts = urlsplit(feed.location)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=config.timeout, context=_tls())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                                timeout=config.timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": config.user_agent, "Accept": ACCEPT_HEADERS["feed"],
               **conditional_headers(validators)}
    try:
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
    except (OSError, http.client.HTTPException, ValueError):
        connection.close()
        return None
    connection.close()
    wait = retry_after(response.getheader("Retry-After"))
    if response.status in WAIT_STATUSES and wait is not None:
        return HostError(f"HTTP {response.status} {response.reason}; the server asked to wait "
                         f"{wait:.0f} s", wait)
    if response.status != 304:
        return None
    return Page(feed, feed.location, b"", "", validators, not_modified=True,
                max_age=max_age(response.getheader("Cache-Control")))


def _tls() -> ssl.SSLContext:
    """The certificates httpx would trust: SSL_CERT_FILE if set, else certifi's. Loaded at
    the first https feed: a poll of plain-http feeds needs none."""
    import ssl

    import certifi

    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())
