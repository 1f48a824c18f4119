"""A fetch pass: every source of a list fetched on one event loop, within the limits, and
each outcome handed over exactly once.

Every source becomes one task. A task always ends by delivering one outcome (a page or the
error it ended in); the only waits on its way are semaphores held by other tasks of this
loop (its host's slots, a place in the window, a global request slot), the politeness delay
and the retry pauses, each of them bounded, and requests, each within `fetch.timeout`. The
consumer only ever waits for a delivery (pipeline/fetch/pages.py), and gives places in the window
back without waiting. So the two cannot wait on each other; docs/FETCHING.md has the
argument, the states of a task and the time bound that a watchdog enforces.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import FetchConfig
from ..errors import FetchError, GleanerError, HostError
from ..records import Page, Source
from . import etiquette
from .etiquette import Robots, RobotsCache
from .http_terms import KnownValidators
from .limits import Bound, Host, Ticket, Window
from .request import attempt
from .transport import http_client

LOCAL = ""  # the host of sources decided without a request: files, and URLs not http(s)
LOOKAHEAD = 2_000  # sources read ahead of the fetching: enough to keep a grouped list's hosts busy
IDLE_CHECK = 1.0  # seconds between two looks of the watchdog while no source is under way


@dataclass(frozen=True)
class Delivery:
    """One outcome for the consumer; `slotted` if it holds a place in the window."""

    index: int
    source: Source
    outcome: Page | GleanerError
    slotted: bool


@dataclass(frozen=True)
class End:
    """The pass is over: every delivery has been made. `failure` ended it early (a bug, or
    a list that broke off), raised to the consumer after the deliveries."""

    failure: BaseException | None = None


@dataclass(frozen=True)
class Full:
    """A task waits for a place in the window: the consumer should hand out the earliest
    outcome it holds, even if the one due next is still on its way."""


class Consumer:
    """How a pass reaches its consumer: a non-blocking `deliver` of Delivery, Full and End."""

    def __init__(self, window: int, deliver: Callable[[Delivery | Full | End], None]) -> None:
        self.window = window
        self.deliver = deliver


class FetchPass:
    """Run with `run(sources)` on a thread of its own; `give_back` and `stop` may be called
    from any thread."""

    def __init__(self, config: FetchConfig, known: KnownValidators, robots: RobotsCache,
                 consumer: Consumer) -> None:
        self.config = config
        self.known = known
        self.robots = robots
        self.consumer = consumer
        self.hosts: dict[str, Host] = {}
        self.bound = Bound(config)
        self.gave_up = ""  # set by the watchdog: why every unfinished source failed
        self.stopping = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    def run(self, sources: Iterator[Source]) -> None:
        failure: BaseException | None = None
        try:
            asyncio.run(self._main(sources))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            failure = exc
        self.consumer.deliver(End(failure))

    def give_back(self) -> None:
        """The consumer took a slotted delivery: its place in the window is free."""
        self._call(lambda: self.window.give_back())

    def stop(self) -> None:
        """The consumer wants no more: every task is cancelled, the pass ends at once."""
        self.stopping.set()
        self._call(lambda: self.main.cancel())

    def _call(self, action: Callable[[], object]) -> None:
        if self.loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the pass is over
                self.loop.call_soon_threadsafe(action)

    async def _main(self, sources: Iterator[Source]) -> None:
        self.main = asyncio.current_task()
        self.window = Window(self.consumer.window, lambda: self.consumer.deliver(Full()))
        self.requests = asyncio.Semaphore(self.config.concurrency)
        self.reads: dict[str, asyncio.Future[Robots]] = {}
        self.refusals: dict[str, asyncio.Future[str]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.loop = asyncio.get_running_loop()
        if self.stopping.is_set():
            return
        reader = _SourceReader(sources, self.loop)
        async with http_client(self.config) as self.client:
            watchdog = asyncio.create_task(self._watch())
            try:
                async with asyncio.TaskGroup() as group:
                    index = 0
                    while (source := await reader.next()) is not None:
                        self._start(group, _Job(index, source, _host_key(source)), reader)
                        index += 1
            finally:
                watchdog.cancel()
                reader.stop()
        if reader.failure is not None:
            raise reader.failure

    def _start(self, group: asyncio.TaskGroup, job: _Job, reader: _SourceReader) -> None:
        self.bound.add(job.host, self._host(job.host).delay)
        task = group.create_task(self._item(job))
        self.tasks.add(task)
        self.bound.busy(len(self.tasks))
        task.add_done_callback(lambda done: self._ended(done, reader))

    def _ended(self, task: asyncio.Task[None], reader: _SourceReader) -> None:
        self.tasks.discard(task)
        self.bound.busy(len(self.tasks))
        reader.room.release()

    async def _item(self, job: _Job) -> None:
        """One source, from start to delivery: always delivers, unless the consumer stopped."""
        ticket = Ticket()
        try:
            outcome = await self._outcome(job, ticket)
        except asyncio.CancelledError:
            if not self.gave_up:
                raise
            outcome = FetchError(self.gave_up)
        self.consumer.deliver(Delivery(job.index, job.source, outcome, ticket.slotted))

    async def _outcome(self, job: _Job, ticket: Ticket) -> Page | GleanerError:
        if self.gave_up:
            return FetchError(self.gave_up)
        if job.host == LOCAL:
            await self.window.take(ticket)
            return await self._decide(job.source)
        refusal = await self._refusal(job)
        if refusal:
            await self.window.take(ticket)
            return FetchError(refusal)
        return await self._fetch(job, ticket, self._host(job.host))

    async def _refusal(self, job: _Job) -> str:
        """Why the source may not be fetched at all: a newsletter link to a private address,
        or a path its site's robots.txt disallows; "" if it may."""
        url, guarded = job.source.location, self._guarded(job.source)
        if guarded:
            refusal = await _once(self.refusals, job.host,
                                  lambda: etiquette.private_refusal(url))
            if refusal:
                return refusal
        if not self.config.respect_robots:
            return ""
        origin = _origin(url)
        robots = self.robots.get(origin) or await _once(
            self.reads, origin, lambda: self._read_robots(origin, guarded, job.host))
        host = self._host(job.host)
        host.delay = max(host.delay, robots.delay(self.config.user_agent))
        self.bound.slow_down(job.host, host.delay)
        return robots.refusal_for(url, self.config.user_agent)

    async def _read_robots(self, origin: str, guarded: bool, host: str) -> Robots:
        async with self.requests:
            try:
                async with asyncio.timeout(self.config.timeout):
                    robots = await etiquette.read_robots(self.client, origin, guarded)
            except TimeoutError:
                robots = Robots(failure=f"timed out after {self.config.timeout:g} s")
        if robots.failure:
            self._host(host).record(HostError(robots.failure), self.config.host_failures)
        self.robots.put(origin, robots)
        return robots

    async def _fetch(self, job: _Job, ticket: Ticket, host: Host) -> Page | GleanerError:
        """Attempts, one after another, under one of the host's slots."""
        async with host.slots:
            number = 1
            while True:
                if host.gave_up:
                    await self.window.take(ticket)
                    return HostError(host.gave_up)
                await host.pace()
                await self.window.take(ticket)
                async with self.requests:
                    result = await attempt(self.client, job.source, job.source.location,
                                           self.config, self.known, self._guarded(job.source))
                if isinstance(result, etiquette.Retryable):
                    try:
                        pause = result.wait(number, self.config)
                    except HostError as error:
                        result = error
                    else:
                        host.rest(pause)
                        number += 1
                        continue
                host.record(result, self.config.host_failures)
                return result

    async def _decide(self, source: Source) -> Page | GleanerError:
        """The outcome of a source that needs no request: a local file, or a bad URL."""
        try:
            if not source.is_file:
                raise FetchError(f"not an http(s) URL: {source.location!r}")
            from ..sources import read_file  # the parsers for local files: not for a poll

            async with asyncio.timeout(self.config.timeout):
                return await asyncio.to_thread(read_file, source)
        except GleanerError as exc:
            return exc
        except TimeoutError:
            return FetchError(f"reading the file took over {self.config.timeout:g} s")

    async def _watch(self) -> None:
        """Past the pass's time bound, every unfinished source fails with the reason: a run
        under cron always ends, whatever a bug or a server may do."""
        while (left := self.bound.deadline(self.window.paused_so_far()) - time.monotonic()) > 0 \
                or not self.tasks:
            await asyncio.sleep(max(left, IDLE_CHECK))  # the bound only ever moves later
        self.gave_up = (f"gave up: the fetch pass ran past its time bound of "
                        f"{self.bound.seconds():.0f} s ({self.bound.describe()})")
        for task in list(self.tasks):
            task.cancel()

    def _guarded(self, source: Source) -> bool:
        """Whether the source may only reach public addresses."""
        return source.from_newsletter and not self.config.allow_private_from_newsletters

    def _host(self, key: str) -> Host:
        if key not in self.hosts:
            self.hosts[key] = Host(asyncio.Semaphore(self.config.per_host),
                                    self.config.host_delay)
        return self.hosts[key]


@dataclass(frozen=True)
class _Job:
    index: int
    source: Source
    host: str


class _SourceReader:
    """Reads the list on a thread of its own, at most LOOKAHEAD sources ahead of the tasks:
    a list streamed from a slow pipe never stalls the requests on the loop."""

    def __init__(self, sources: Iterator[Source], loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.ready: asyncio.Queue[Source | None] = asyncio.Queue()
        self.room = threading.Semaphore(LOOKAHEAD)
        self.stopped = False
        self.failure: Exception | None = None
        threading.Thread(target=self._read, args=(sources,), name="gleaner-list",
                         daemon=True).start()

    async def next(self) -> Source | None:
        return await self.ready.get()

    def stop(self) -> None:
        self.stopped = True
        self.room.release()

    def _read(self, sources: Iterator[Source]) -> None:
        try:
            for source in sources:
                self.room.acquire()
                if self.stopped or not self._put(source):
                    return
        except Exception as exc:  # the list broke off: what was read is still fetched
            self.failure = exc
        self._put(None)

    def _put(self, source: Source | None) -> bool:
        try:
            self.loop.call_soon_threadsafe(self.ready.put_nowait, source)
        except RuntimeError:  # the pass is over
            return False
        return True


async def _once(started: dict[str, asyncio.Future], key: str, work: Callable) -> object:
    """The result of `work()` for `key`, computed once however many tasks ask at once."""
    if key not in started:
        started[key] = asyncio.ensure_future(work())
    return await asyncio.shield(started[key])


def _host_key(source: Source) -> str:
    """The host (and port) a source's requests go to, or LOCAL if it needs none."""
    if source.is_file:
        return LOCAL
    try:
        parts = urlsplit(source.location)
        if parts.scheme in ("http", "https") and parts.hostname:
            return parts.netloc.lower()
    except ValueError:  # an unbalanced [ in the host, say
        pass
    return LOCAL


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
