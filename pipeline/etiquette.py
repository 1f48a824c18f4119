"""What Gleaner may fetch and when: a site's robots.txt rules, retries a server can bear, and no
private addresses for the links of a newsletter (a mail may point anywhere; a reading list
the user wrote may name their own machines)."""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from .config import FetchConfig
from .errors import FetchError

ROBOTS_MAX_BYTES = 512_000
MAX_CRAWL_DELAY = 30.0
NEWSLETTER_GUARD = "gleaner.newsletter_link"  # request extension: this hop must stay public


@dataclass(frozen=True)
class Robots:
    """A site's robots.txt: its rules, or why nothing may be fetched from the site. `text` is
    the file as read ("" for a site without one); None when it could not be read, which is
    not worth remembering."""

    rules: urllib.robotparser.RobotFileParser | None = None
    refusal: str = ""
    text: str | None = None

    @classmethod
    def parse(cls, text: str) -> Robots:
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(text.splitlines())
        return cls(rules, text=text)

    def refusal_for(self, url: str, user_agent: str) -> str:
        """Why `url` may not be fetched, or "" if it may."""
        if self.refusal or self.rules is None or self.rules.can_fetch(user_agent, url):
            return self.refusal
        parts = urlsplit(url)
        return (f"robots.txt of {parts.netloc} disallows {parts.path or '/'} "
                "for Gleaner's User-Agent")

    def delay(self, user_agent: str) -> float:
        """Seconds the site asks between two requests (Crawl-delay), capped."""
        delay = self.rules.crawl_delay(user_agent) if self.rules else None
        return min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0


def read_robots(client: httpx.Client, origin: str) -> Robots:
    """The site's parsed robots.txt; a missing one allows all, an erroring server nothing."""
    try:
        with client.stream("GET", f"{origin}/robots.txt",
                                 headers={"Accept": "text/plain"}) as response:
            if response.status_code >= 500:
                return Robots(refusal=f"robots.txt of {urlsplit(origin).netloc} answered "
                                      f"HTTP {response.status_code}: not fetching from a "
                                      "site whose rules cannot be read")
            if response.status_code >= 400:
                return Robots.parse("")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > ROBOTS_MAX_BYTES:
                    break
    except (httpx.HTTPError, httpx.InvalidURL):
        return Robots()  # unreachable or garbled: the page fetch will report the real error
    return Robots.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace"))


class RobotsStore(Protocol):
    def robots_txt(self, origin: str) -> str | None: ...
    def remember_robots_txt(self, origin: str, text: str) -> None: ...


class RobotsCache:
    """Each site's robots.txt, read at most once a run and, with a store (the state file),
    at most once a day: a cron poll every few minutes asks a feed's site for its rules once a
    day, not at every poll. RFC 9309 lets a crawler keep them 24 hours."""

    def __init__(self, store: RobotsStore | None = None) -> None:
        self.store = store
        self.known: dict[str, Robots] = {}
        self.looked_up: set[str] = set()  # the store is asked once a run for each origin

    def get(self, origin: str) -> Robots | None:
        if origin not in self.looked_up and self.store is not None:
            self.looked_up.add(origin)
            text = self.store.robots_txt(origin)
            if text is not None:
                self.known.setdefault(origin, Robots.parse(text))
        return self.known.get(origin)

    def put(self, origin: str, robots: Robots) -> None:
        self.known[origin] = robots
        if self.store is not None and robots.text is not None:
            self.store.remember_robots_txt(origin, robots.text)


def refuse_private_hop(request: httpx.Request) -> None:
    """Every hop of a newsletter link, redirects included, must stay on public addresses."""
    if request.extensions.get(NEWSLETTER_GUARD):
        refusal = private_refusal(str(request.url))
        if refusal:
            raise FetchError(refusal)


def private_refusal(url: str) -> str:
    """Why a newsletter link to `url` may not be fetched (its host is private), or ""."""
    host = urlsplit(url).hostname or ""
    for address in _addresses(host):
        if _is_private(address):
            return (f"refused: {host} is a private address ({address}); links from newsletters "
                    "may not reach private networks (fetch.allow_private_from_newsletters "
                    "allows it)")
    return ""


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return []  # unresolvable: the request itself fails with a network error
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified)


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks to wait (a number, or an HTTP date); None if absent
    or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


class Retryable(Exception):
    """A failure worth another attempt: a timeout, a network error, HTTP 429 or 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after

    def wait(self, attempt: int, config: FetchConfig) -> float:
        """Seconds before the attempt after `attempt`; FetchError when there is to be none."""
        attempts = config.retries + 1
        if attempt >= attempts:
            raise FetchError(f"{self.reason} (after {attempts} attempts)") from self
        if self.retry_after is None:
            return config.backoff * 2 ** (attempt - 1)
        if self.retry_after > config.max_retry_after:
            raise FetchError(f"{self.reason}; server asked to wait {self.retry_after:.0f} s, "
                             f"over the {config.max_retry_after:.0f} s limit") from self
        return self.retry_after
