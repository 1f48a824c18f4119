"""Fetch pages concurrently and politely, streaming them out in input order.

The network work runs on an asyncio loop in a background thread and hands results to the
caller through a bounded queue, so fetching overlaps with the CPU stages while memory stays
flat whatever the length of the reading list.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import queue
import threading
import time
import urllib.robotparser
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .config import FetchConfig
from .errors import FetchError, GleanerError
from .records import Page, Source, Validators

ARTICLE_TYPES = ("text/html", "application/xhtml+xml", "text/markdown", "text/x-markdown",
                 "text/plain")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/xml", "text/xml", "application/json",
              "text/plain", "text/html")
ACCEPTED = {"article": ARTICLE_TYPES, "feed": FEED_TYPES}
ACCEPT_HEADERS = {
    "article": ", ".join(ARTICLE_TYPES),
    "feed": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
}
ROBOTS_MAX_BYTES = 512_000
MAX_CRAWL_DELAY = 30.0
NEWSLETTER_GUARD = "gleaner.newsletter_link"
RETRY_STATUSES = {429, 500, 502, 503, 504}
FILE_TYPES = {".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain"}

Outcome = tuple[Source, Page | GleanerError]
RobotsCache = dict[str, "Robots"]
KnownValidators = Callable[[str], Validators | None]


def fetch_pages(
    sources: Iterable[Source], config: FetchConfig, known: KnownValidators,
    robots: RobotsCache | None = None,
) -> Iterator[Outcome]:
    """Yield (source, page or error) for every source, in the order the sources came.

    Pass the same `robots` to every fetch pass of one run so each site's robots.txt is
    read once a run.
    """
    results: queue.Queue[Outcome | BaseException | None] = queue.Queue(maxsize=config.concurrency)
    stopping = threading.Event()

    def produce() -> None:
        try:
            asyncio.run(_fetch_all(sources, config, known, results, stopping,
                                   {} if robots is None else robots))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            results.put(exc)
        results.put(None)

    worker = threading.Thread(target=produce, name="gleaner-fetch", daemon=True)
    worker.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopping.set()
        while worker.is_alive():
            _drain(results)
            worker.join(timeout=0.05)


def _drain(results: queue.Queue) -> None:
    while not results.empty():
        results.get_nowait()


async def _fetch_all(
    sources: Iterable[Source],
    config: FetchConfig,
    known: KnownValidators,
    results: queue.Queue,
    stopping: threading.Event,
    robots: RobotsCache,
) -> None:
    async with _Fetcher(config, known, robots) as fetcher:
        window: deque[asyncio.Task[Outcome]] = deque()
        for source in sources:
            if stopping.is_set():
                break
            window.append(asyncio.create_task(fetcher.outcome(source)))
            if len(window) >= config.concurrency * 4:
                await asyncio.to_thread(results.put, await window.popleft())
        while window and not stopping.is_set():
            await asyncio.to_thread(results.put, await window.popleft())
        for task in window:
            task.cancel()


class _Fetcher:
    """One HTTP client with the global and per-host limits of a run."""

    def __init__(self, config: FetchConfig, known: KnownValidators,
                 robots: RobotsCache) -> None:
        self.config = config
        self.known = known
        self.slots = asyncio.Semaphore(config.concurrency)
        self.hosts: dict[str, _Host] = {}
        self.robots = robots
        self.reading_robots: dict[str, asyncio.Task[Robots]] = {}
        self.client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=config.max_redirects,
            timeout=httpx.Timeout(config.timeout),
            headers={"User-Agent": config.user_agent, "Accept": ACCEPT_HEADERS["article"]},
            limits=httpx.Limits(max_connections=config.concurrency),
            event_hooks={"request": [_refuse_private_hop]},
        )

    async def __aenter__(self) -> _Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def outcome(self, source: Source) -> Outcome:
        try:
            if source.is_file:
                return source, await asyncio.to_thread(read_file, source)
            return source, await self.fetch(source)
        except GleanerError as exc:
            return source, exc

    async def fetch(self, source: Source) -> Page:
        url = _checked_url(source.location)
        if source.from_newsletter and not self.config.allow_private_from_newsletters:
            await _refuse_private(url)
        host = self.hosts.setdefault(urlsplit(url).netloc, _Host(self.config))
        if self.config.respect_robots:
            await self._obey_robots(url, host)
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            async with host, self.slots:  # a request waiting on a busy host holds no global slot
                try:
                    return await self._get(source, url)
                except _Retryable as exc:
                    if attempt == attempts:
                        raise FetchError(f"{exc.reason} (after {attempts} attempts)") from exc
                    delay = exc.retry_after
                    if delay is None:
                        delay = self.config.backoff * 2 ** (attempt - 1)
                    elif delay > self.config.max_retry_after:
                        raise FetchError(f"{exc.reason}; server asked to wait {delay:.0f} s, "
                                         f"over the {self.config.max_retry_after:.0f} s limit"
                                         ) from exc
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _get(self, source: Source, url: str) -> Page:
        headers = {"Accept": ACCEPT_HEADERS[source.kind], **self._conditional(url)}
        guard = source.from_newsletter and not self.config.allow_private_from_newsletters
        try:
            async with asyncio.timeout(self.config.timeout), self.client.stream(
                    "GET", url, headers=headers, extensions={NEWSLETTER_GUARD: guard}) as response:
                return await self._read(source, response)
        except TimeoutError as exc:  # the whole request, for servers that trickle bytes
            raise _Retryable(f"timed out after {self.config.timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"redirect loop or more than {self.config.max_redirects} "
                             "redirects") from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out after {self.config.timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise _Retryable(f"network error: {exc or type(exc).__name__}") from exc

    def _conditional(self, url: str) -> dict[str, str]:
        validators = self.known(url)
        if validators is None:
            return {}
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        return headers

    async def _read(self, source: Source, response: httpx.Response) -> Page:
        final_url = str(response.url)
        validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if response.status_code == 304:
            return Page(source, final_url, b"", "", validators, not_modified=True)
        if response.status_code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {response.status_code} {response.reason_phrase}",
                             _retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
        content_type = _content_type(response.headers.get("Content-Type", ""))
        if content_type and content_type not in ACCEPTED[source.kind]:
            raise FetchError(f"not an {source.kind}: content type {content_type}")
        content = await self._body(response)
        return Page(source, final_url, content, content_type or _sniff(content), validators)

    async def _body(self, response: httpx.Response) -> bytes:
        limit = self.config.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response of {int(declared):,} bytes is over the {limit:,} byte cap")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response is over the {limit:,} byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


    async def _obey_robots(self, url: str, host: _Host) -> None:
        """Refuse a URL its site's robots.txt disallows for our User-Agent; fetched once a run."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            if origin not in self.reading_robots:
                self.reading_robots[origin] = asyncio.ensure_future(self._robots(origin))
            self.robots[origin] = await self.reading_robots[origin]
        robots = self.robots[origin]
        if robots.refusal:
            raise FetchError(robots.refusal)
        if robots.rules is None:
            return
        if not robots.rules.can_fetch(self.config.user_agent, url):
            raise FetchError(f"robots.txt of {parts.netloc} disallows {parts.path or '/'} "
                             "for Gleaner's User-Agent")
        delay = robots.rules.crawl_delay(self.config.user_agent)
        if delay:
            host.delay = max(host.delay, min(float(delay), MAX_CRAWL_DELAY))

    async def _robots(self, origin: str) -> Robots:
        """The parsed robots.txt; a missing one allows all, an erroring server allows nothing."""
        try:
            async with self.slots, self.client.stream(
                    "GET", f"{origin}/robots.txt", headers={"Accept": "text/plain"}) as response:
                if response.status_code >= 500:
                    return Robots(refusal=f"robots.txt of {urlsplit(origin).netloc} answered "
                                           f"HTTP {response.status_code}: not fetching from a "
                                           "site whose rules cannot be read")
                if response.status_code >= 400:
                    return Robots()
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > ROBOTS_MAX_BYTES:
                        break
        except (httpx.TransportError, httpx.TooManyRedirects):
            return Robots()  # unreachable site: the page fetch will report the real error
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace").splitlines())
        return Robots(rules)


@dataclass(frozen=True)
class Robots:
    """A site's robots.txt: its rules, or why nothing may be fetched from the site."""

    rules: urllib.robotparser.RobotFileParser | None = None
    refusal: str = ""


async def _refuse_private_hop(request: httpx.Request) -> None:
    """Every hop of a newsletter link, redirects included, must stay on public addresses."""
    if request.extensions.get(NEWSLETTER_GUARD):
        await _refuse_private(str(request.url))


async def _refuse_private(url: str) -> None:
    host = urlsplit(url).hostname or ""
    for address in await _addresses(host):
        if _is_private(address):
            raise FetchError(
                f"refused: {host} is a private address ({address}); links from newsletters "
                "may not reach private networks (fetch.allow_private_from_newsletters allows it)")


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
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


class _Host:
    """Per-host concurrency limit and politeness delay between requests."""

    def __init__(self, config: FetchConfig) -> None:
        self.slots = asyncio.Semaphore(config.per_host)
        self.delay = config.host_delay
        self.next_start = 0.0
        self.lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self.slots.acquire()
        async with self.lock:
            wait = self.next_start - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_start = time.monotonic() + self.delay

    async def __aexit__(self, *exc: object) -> None:
        self.slots.release()


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def read_file(source: Source) -> Page:
    path = Path(source.location)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    content_type = FILE_TYPES.get(path.suffix.lower(), "text/html")
    return Page(source, path.as_uri(), content, content_type)


def _checked_url(location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {location!r}")
    return location


def _content_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _sniff(content: bytes) -> str:
    return "text/html" if content.lstrip()[:1] == b"<" else "text/plain"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    return max(0.0, parsed.timestamp() - time.time()) if parsed else None
