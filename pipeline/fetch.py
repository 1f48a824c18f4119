"""Fetch pages concurrently and politely, streaming them out as they are ready.

A scheduler on a background thread starts the requests on worker threads and hands the
results to the caller through a bounded window (pipeline/fetch_queue.py), so fetching
overlaps with the CPU stages while memory stays flat whatever the length of the list. URLs
are started by which hosts are free, not by their place in the list, so a list grouped by
site is fetched as fast as one that alternates sites, with the per-host limits in force.

Each request has a deadline for the whole of it (pipeline/transport.py): a server that
drips its page, or its headers, fails it at `fetch.timeout` like one that never answers.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from . import etiquette
from .config import FetchConfig
from .errors import FetchError, GleanerError
from .etiquette import RobotsCache
from .fetch_queue import LOCAL, Gate, Handover, HostQueues, Job, Workers
from .records import Page, Source, Validators
from .transport import deadline, http_client

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
RETRY_STATUSES = {429, 500, 502, 503, 504}
WINDOW_PER_SLOT = 4  # pages started and not yet taken, per unit of concurrency
WORKERS_PER_SLOT = 2  # threads: one per request in flight, as many for files and DNS
LOOKAHEAD = 10_000  # sources read ahead of the fetching: a few MB at most

Outcome = tuple[Source, Page | GleanerError]
KnownValidators = Callable[[str], Validators | None]
T = TypeVar("T")


def fetch_pages(
    sources: Iterable[Source], config: FetchConfig, known: KnownValidators,
    robots: RobotsCache | None = None,
) -> Iterator[Outcome]:
    """Yield (source, page or error) for every source.

    In the sources' order, unless that would stall fetching: when 4 × concurrency pages wait
    for the consumer and the one due next is still on its way, the earliest finished comes
    first. A longer list may so come out of order: match outcomes by source (fetch_each).
    Pass the same `robots` to every fetch pass of a run: each robots.txt is read once a run
    (once a day, when the cache keeps them in the state file).
    """
    handover: Handover[Outcome] = Handover(config.concurrency * WINDOW_PER_SLOT)

    def produce() -> None:
        failure = None
        try:
            _fetch_all(iter(sources), config, known, handover,
                       RobotsCache() if robots is None else robots)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            failure = exc
        handover.close(failure)

    worker = threading.Thread(target=produce, name="gleaner-fetch", daemon=True)
    worker.start()
    try:
        while (outcome := handover.take()) is not None:
            yield outcome
    finally:
        handover.stop()
        worker.join()


def fetch_each(
    items: Sequence[T], source_of: Callable[[T], Source], config: FetchConfig,
    known: KnownValidators, robots: RobotsCache | None = None,
) -> Iterator[tuple[T, Outcome]]:
    """fetch_pages on behalf of items (subscriptions, feed items): yields (item, (source,
    outcome)), each outcome with its own item whatever order the outcomes come in."""
    waiting: dict[Source, deque[T]] = defaultdict(deque)
    for item in items:
        waiting[source_of(item)].append(item)
    for source, outcome in fetch_pages([source_of(item) for item in items], config, known,
                                       robots):
        yield waiting[source].popleft(), (source, outcome)


def _fetch_all(sources: Iterator[Source], config: FetchConfig, known: KnownValidators,
               handover: Handover[Outcome], robots: RobotsCache) -> None:
    fetcher = _Fetcher(config, known, robots)
    try:
        _Scheduler(fetcher, handover).run(sources)
    finally:
        fetcher.client.close()


class _Scheduler:
    """Starts each source as soon as its host may take it, within the global limit and the
    handover window, and hands every outcome over.

    Its bookkeeping all happens on its own thread; the work it starts (requests, robots.txt,
    address checks, local files) runs on worker threads, whose results come back through
    `reports` to be booked here."""

    def __init__(self, fetcher: _Fetcher, handover: Handover[Outcome]) -> None:
        self.fetcher = fetcher
        self.config = fetcher.config
        self.handover = handover
        self.queues = HostQueues(self.config.per_host, self.config.host_delay)
        self.requests = 0  # in flight, robots.txt included: at most config.concurrency
        self.reading_robots: set[str] = set()
        self.resolving: set[str] = set()
        self.workers = Workers(WORKERS_PER_SLOT * self.config.concurrency)
        self.reports: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self.running = 0  # work started and not yet booked
        self.listed = 0
        self.unread = True
        self.list_error: Exception | None = None

    def run(self, sources: Iterator[Source]) -> None:
        self.handover.listen(lambda: self.reports.put(None))
        try:
            while not self.handover.stopped:
                self._read(sources)
                self._start()
                if not (self.running or self.queues or self.unread):
                    break
                self._wait()
        finally:
            self.handover.listen(None)
            self.workers.stop()
        if self.list_error is not None:
            raise self.list_error

    def _read(self, sources: Iterator[Source]) -> None:
        """Read ahead up to LOOKAHEAD waiting sources: enough to see the many sites of a list
        grouped by site, bounded for a list streamed from a generator."""
        while self.unread and len(self.queues) < LOOKAHEAD:
            try:
                source = next(sources)
            except StopIteration:
                self.unread = False
                return
            except Exception as exc:  # the list broke off: what was read is still fetched
                self.unread, self.list_error = False, exc
                return
            self.queues.add(Job(self.listed, source, _host_key(source)))
            self.listed += 1

    def _start(self) -> None:
        while self.handover.has_room() and (picked := self.queues.pick(self._gate)):
            job, requests = picked
            self.handover.claim()
            if requests:
                self.requests += 1
                self._spawn(functools.partial(self.fetcher.attempt, job.source),
                            functools.partial(self._requested, job))
            else:
                self._spawn(functools.partial(self.fetcher.decide, job.source),
                            functools.partial(self._finished, job))

    def _gate(self, job: Job) -> Gate:
        """What may become of the first job of a host's queue now."""
        if job.host == LOCAL:
            return Gate.DECIDE
        return self._address_gate(job) or self._robots_gate(job) or self._slot()

    def _address_gate(self, job: Job) -> Gate | None:
        """A newsletter link's host is checked first: not even robots.txt from a private one."""
        if not self.fetcher.guarded(job.source):
            return None
        refusal = self.fetcher.private.get(job.host)
        if refusal is None and job.host not in self.resolving:
            self.resolving.add(job.host)
            self._spawn(functools.partial(etiquette.private_refusal, job.source.location),
                        functools.partial(self._resolved, job.host))
        return Gate.HOLD if refusal is None else Gate.DECIDE if refusal else None

    def _robots_gate(self, job: Job) -> Gate | None:
        """A host waits for its robots.txt, unless the cache has it; a URL it disallows is
        refused."""
        if not self.config.respect_robots:
            return None
        origin = _origin(job.source.location)
        robots = self.fetcher.robots.get(origin)
        if robots is None:
            if origin not in self.reading_robots:
                if self.requests >= self.config.concurrency:
                    return Gate.FULL
                self.reading_robots.add(origin)
                self.requests += 1
                self._spawn(functools.partial(self.fetcher.read_robots, origin),
                            functools.partial(self._robots_read, origin))
            return Gate.HOLD
        if robots.refusal_for(job.source.location, self.config.user_agent):
            return Gate.DECIDE
        self.queues.slow_down(job.host, robots.delay(self.config.user_agent))
        return None

    def _slot(self) -> Gate:
        return Gate.REQUEST if self.requests < self.config.concurrency else Gate.FULL

    def _spawn(self, work: Callable[[], T], book: Callable[[T], None]) -> None:
        """Run `work` on a worker thread, then `book` its result on this one."""
        self.running += 1

        def report() -> None:
            try:
                result = work()
            except BaseException as exc:  # a bug: raised on the scheduler's thread
                self.reports.put(functools.partial(_raise, exc))
            else:
                self.reports.put(functools.partial(book, result))

        self.workers.submit(report)

    def _wait(self) -> None:
        """Until work ends, the consumer takes a page, or a resting host may go again; then
        book every result that has come in."""
        wake_at = self.queues.wake_at
        with contextlib.suppress(queue.Empty):
            report = self.reports.get(timeout=None if wake_at is None else
                                      max(0.0, wake_at - time.monotonic()))
            while True:
                if report is not None:
                    self.running -= 1
                    report()
                report = self.reports.get_nowait()

    def _robots_read(self, origin: str, robots: etiquette.Robots) -> None:
        self.requests -= 1
        self.reading_robots.discard(origin)
        self.fetcher.robots.put(origin, robots)

    def _resolved(self, host: str, refusal: str) -> None:
        self.resolving.discard(host)
        self.fetcher.private[host] = refusal

    def _finished(self, job: Job, outcome: Page | GleanerError) -> None:
        self.handover.finish(job.index, (job.source, outcome))

    def _requested(self, job: Job, outcome: Page | GleanerError | etiquette.Retryable) -> None:
        self.requests -= 1
        if isinstance(outcome, etiquette.Retryable):
            try:
                wait = outcome.wait(job.attempt, self.config)
            except FetchError as error:
                outcome = error
            else:
                self.queues.retry(job, wait)
                return
        self.queues.done(job)
        self._finished(job, outcome)


class _Fetcher:
    """The HTTP side of a fetch pass: one client, shared by the worker threads; each call
    one request, when the scheduler says so."""

    def __init__(self, config: FetchConfig, known: KnownValidators,
                 robots: RobotsCache) -> None:
        self.config = config
        self.known = known
        self.robots = robots
        self.private: dict[str, str] = {}  # host → why newsletter links may not go there, or ""
        self.client = http_client(config)

    def decide(self, source: Source) -> Page | GleanerError:
        """The outcome of a source that needs no request: a file, or a refused URL."""
        try:
            if source.is_file:
                from .sources import read_file  # the parsers for local files: not for a poll

                return read_file(source)
            url = _checked_url(source.location)
            if self.guarded(source) and self.private[_host_key(source)]:
                return FetchError(self.private[_host_key(source)])
            robots = self.robots.known[_origin(url)]  # the robots gate read it to decide
            return FetchError(robots.refusal_for(url, self.config.user_agent))
        except GleanerError as exc:
            return exc

    def guarded(self, source: Source) -> bool:
        """Whether the source may only reach public addresses."""
        return source.from_newsletter and not self.config.allow_private_from_newsletters

    def read_robots(self, origin: str) -> etiquette.Robots:
        with deadline(self.config.timeout):
            return etiquette.read_robots(self.client, origin)

    def attempt(self, source: Source) -> Page | GleanerError | etiquette.Retryable:
        """One attempt: the page, the error it ended in, or a failure worth another."""
        try:
            return self._fetch(source)
        except (GleanerError, etiquette.Retryable) as exc:
            return exc

    def _fetch(self, source: Source) -> Page:
        url = _checked_url(source.location)
        headers = {"Accept": ACCEPT_HEADERS[source.kind], **self._conditional(url)}
        guard = {etiquette.NEWSLETTER_GUARD: self.guarded(source)}  # checked on every hop
        try:
            with deadline(self.config.timeout), self.client.stream(
                    "GET", url, headers=headers, extensions=guard) as response:
                return self._read(source, response)
        except httpx.TimeoutException as exc:  # one read, or the request's deadline
            raise etiquette.Retryable(f"timed out after {self.config.timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"redirect loop or more than {self.config.max_redirects} "
                             "redirects") from exc
        except httpx.TransportError as exc:
            raise etiquette.Retryable(f"network error: {exc or type(exc).__name__}") from exc
        except (httpx.RequestError, httpx.InvalidURL) as exc:  # an undecodable body, say
            raise FetchError(f"bad response: {exc or type(exc).__name__}") from exc

    def _conditional(self, url: str) -> dict[str, str]:
        known = self.known(url) or Validators()
        return {name: value for name, value in (("If-None-Match", known.etag),
                                                ("If-Modified-Since", known.last_modified))
                if value}

    def _read(self, source: Source, response: httpx.Response) -> Page:
        final_url = str(response.url)
        validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        if response.status_code == 304:
            return Page(source, final_url, b"", "", validators, not_modified=True)
        if response.status_code in RETRY_STATUSES:
            raise etiquette.Retryable(f"HTTP {response.status_code} {response.reason_phrase}",
                                      etiquette.retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
        content_type = _content_type(response.headers.get("Content-Type", ""))
        if content_type and content_type not in ACCEPTED[source.kind]:
            raise FetchError(f"not an {source.kind}: content type {content_type}")
        content = self._body(response)
        return Page(source, final_url, content, content_type or _sniff(content), validators)

    def _body(self, response: httpx.Response) -> bytes:
        limit = self.config.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"response of {int(declared):,} bytes is over the {limit:,} byte cap")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"response is over the {limit:,} byte cap")
            chunks.append(chunk)
        return b"".join(chunks)


def _checked_url(location: str) -> str:
    try:
        parts = urlsplit(location)
        if parts.scheme in ("http", "https") and parts.hostname:
            return location
    except ValueError:  # an unbalanced [ in the host, say
        pass
    raise FetchError(f"not an http(s) URL: {location!r}")


def _host_key(source: Source) -> str:
    """The queue a source waits in: its host and port, or LOCAL if it needs no request."""
    try:
        return LOCAL if source.is_file else urlsplit(_checked_url(source.location)).netloc.lower()
    except FetchError:
        return LOCAL


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _content_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _sniff(content: bytes) -> str:
    return "text/html" if content.lstrip()[:1] == b"<" else "text/plain"


def _raise(error: BaseException) -> None:
    raise error
