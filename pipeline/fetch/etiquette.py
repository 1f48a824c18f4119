"""What Gleaner may fetch and when: a site's robots.txt rules, retries a server can bear, and no
private addresses for the links of a newsletter (a mail may point anywhere; a reading list
the user wrote may name their own machines)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from ..config import FetchConfig
from ..errors import FetchError, HostError

if TYPE_CHECKING:  # httpx loads with the fetch pass: a quiet poll needs none of it
    import httpx

ROBOTS_MAX_BYTES = 512_000
MAX_CRAWL_DELAY = 30.0
NEWSLETTER_GUARD = "gleaner.newsletter_link"  # request extension: this hop must stay public


@dataclass(frozen=True)
class Robots:
    """A site's robots.txt: its rules, or why nothing may be fetched from the site. `text` is
    the file as read ("" for a site without one); None when it could not be read, which is
    not worth remembering. `failure` says why the site could not be reached for it."""

    rules: urllib.robotparser.RobotFileParser | None = None
    refusal: str = ""
    text: str | None = None
    failure: str = ""

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


async def read_robots(client: httpx.AsyncClient, origin: str, guarded: bool) -> Robots:
    """The site's parsed robots.txt; a missing one allows all, an erroring server nothing.

    `guarded`: asked for a newsletter link, so every hop, redirects included, stays public."""
    import httpx

    try:
        async with client.stream("GET", f"{origin}/robots.txt", headers={"Accept": "text/plain"},
                                 extensions={NEWSLETTER_GUARD: guarded}) as response:
            if response.status_code >= 500:
                return Robots(refusal=f"robots.txt of {urlsplit(origin).netloc} answered "
                                      f"HTTP {response.status_code}: not fetching from a "
                                      "site whose rules cannot be read")
            if response.status_code >= 400:
                return Robots.parse("")
            body = b""
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > ROBOTS_MAX_BYTES:
                    break
    except httpx.TransportError as exc:  # the site is unreachable: the page fetch says why
        return Robots(failure=f"network error: {describe(exc)}")
    except (httpx.HTTPError, httpx.InvalidURL, FetchError):
        return Robots()  # refused or garbled: the page fetch reports the error
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


async def refuse_private_hop(request: httpx.Request) -> None:
    """Every hop of a newsletter link, redirects included, must stay on public addresses."""
    if request.extensions.get(NEWSLETTER_GUARD):
        refusal = await private_refusal(str(request.url))
        if refusal:
            raise FetchError(refusal)


async def private_refusal(url: str) -> str:
    """Why a newsletter link to `url` may not be fetched (its host is private), or ""."""
    host = urlsplit(url).hostname or ""
    for address in await _addresses(host):
        if _is_private(address):
            return (f"refused: {host} is a private address ({address}); links from newsletters "
                    "may not reach private networks (fetch.allow_private_from_newsletters "
                    "allows it)")
    return ""


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    import asyncio  # the fetch pass runs on it; a quiet poll never gets here

    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
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
    import email.utils  # an HTTP date here is rare

    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


class Retryable(Exception):
    """A failure worth another attempt: a timeout, a network error, HTTP 408, 429 or 5xx.

    Each says the host is struggling, so the last attempt's failure is a HostError."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after

    def wait(self, attempt: int, config: FetchConfig) -> float:
        """Seconds before the attempt after `attempt`; HostError when there is to be none."""
        attempts = config.retries + 1
        if attempt >= attempts:
            raise HostError(f"{self.reason} (after {attempts} attempts)",
                            self.retry_after) from self
        if self.retry_after is None:
            return config.backoff * 2 ** (attempt - 1)
        if self.retry_after > config.max_retry_after:
            raise HostError(f"{self.reason}; server asked to wait {self.retry_after:.0f} s, "
                            f"over the {config.max_retry_after:.0f} s limit",
                            self.retry_after) from self
        return self.retry_after


HEALING = (errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EAGAIN)


def connect_failure(error: httpx.ConnectError) -> HostError | Retryable:
    """A connection that could not be made. A name that does not resolve, a refused port or a
    failed TLS handshake will not heal in the seconds a retry waits: not retried. A reset
    or a timeout while connecting may: retried."""
    cause = _root_os_error(error)
    try:
        host = error.request.url.host
    except RuntimeError:  # an error raised outside a request
        host = "the host"
    if isinstance(cause, socket.gaierror):
        reason = f"network error: {host} does not resolve ({cause.strerror})"
    elif isinstance(cause, ConnectionRefusedError):
        reason = f"network error: {host} refused the connection"
    else:
        reason = f"network error: {describe(error)}"
    if isinstance(cause, OSError) and cause.errno in HEALING:
        return Retryable(reason)
    return HostError(reason)


def describe(error: BaseException) -> str:
    """What went wrong, in the words of the innermost error that has some."""
    cause = _root_os_error(error)
    if cause is not None and cause.strerror:
        return cause.strerror.lower()
    return str(error) or str(cause or "") or "the connection broke off"


def _root_os_error(error: BaseException) -> OSError | None:
    """The innermost OSError behind a library's error: the one that says what happened."""
    found = None
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            found = seen
        seen = seen.__cause__ or seen.__context__
    return found
