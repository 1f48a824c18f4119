"""The limits a fetch pass keeps: the window of sources under way, each host's turns and
health, and the bound on how long the whole pass may take (docs/FETCHING.md).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..config import FetchConfig
from ..errors import GleanerError, HostError
from ..records import Page


class Ticket:
    """Whether a task holds a place in the window (taken once, given back by the consumer)."""

    slotted = False


class Window:
    """At most `size` sources started and not yet taken by the consumer: a slow consumer
    holds fetching back, and the time it does so does not count against the bound.

    While a task waits for a place, the consumer is told so (`on_full`): when a task starts
    to wait, and again each time a place given back goes to one waiting task while others
    still wait. So the consumer never waits for the one source due next while that source
    waits for a place the consumer holds."""

    def __init__(self, size: int, on_full: Callable[[], None]) -> None:
        self.free = asyncio.Semaphore(size)
        self.on_full = on_full
        self.waiting = 0
        self.full_since: float | None = None
        self.paused = 0.0

    async def take(self, ticket: Ticket) -> None:
        if ticket.slotted:
            return
        if not self.free.locked():
            await self.free.acquire()
            ticket.slotted = True
            return
        if self.waiting == 0:
            self.full_since = time.monotonic()
        self.waiting += 1
        self.on_full()
        try:
            await self.free.acquire()
            ticket.slotted = True
        finally:
            self.waiting -= 1
            if self.waiting == 0 and self.full_since is not None:
                self.paused += time.monotonic() - self.full_since
                self.full_since = None

    def paused_so_far(self) -> float:
        return self.paused + (time.monotonic() - self.full_since if self.full_since else 0.0)

    def give_back(self) -> None:
        self.free.release()
        if self.waiting > 1:
            self.on_full()


@dataclass
class Host:
    """One host's slots and pace, and its health: after `host_failures` failures in a row
    that say the host is failing, its remaining sources fail at once."""

    slots: asyncio.Semaphore
    delay: float
    next_start: float = 0.0
    failures: int = 0
    gave_up: str = ""

    async def pace(self) -> None:
        """Wait for this host's turn; requests start `delay` seconds apart."""
        now = time.monotonic()
        start = max(now, self.next_start)
        self.next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)

    def rest(self, seconds: float) -> None:
        """No request to this host for `seconds` (a retry pause: the next URL would not help)."""
        self.next_start = max(self.next_start, time.monotonic() + seconds)

    def record(self, outcome: Page | GleanerError, limit: int) -> None:
        if not isinstance(outcome, HostError):
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= limit and not self.gave_up:
            state = "failing" if str(outcome).startswith("HTTP") else "unreachable"
            self.gave_up = (f"host {state}: {self.failures} failures in a row, "
                            f"the last: {outcome}")


class Bound:
    """How long a pass may take, from the limits alone (docs/FETCHING.md):

    the host with the longest chain of work, plus every request's time shared among the
    global slots. A host's chain is its setup (robots.txt, address check), its URLs in turns
    of `per_host` each of `attempts` requests with their politeness delays, and every
    retry pause of its URLs (a pause holds the whole host). Time spent with nothing to do,
    or held back by a slow consumer, is added on top."""

    def __init__(self, config: FetchConfig) -> None:
        self.config = config
        self.attempts = config.retries + 1
        self.pauses = sum(max(config.backoff * 2 ** k, config.max_retry_after)
                          for k in range(config.retries))
        self.counts: Counter[str] = Counter()
        self.chains: dict[str, float] = {}
        self.requests = 0.0
        self.started = time.monotonic()
        self.idle = 0.0
        self.idle_since: float | None = self.started

    def add(self, host: str, delay: float) -> None:
        self.counts[host] += 1
        self.requests += self.attempts * self.config.timeout
        self.slow_down(host, delay)

    def slow_down(self, host: str, delay: float) -> None:
        per_host = self.config.per_host
        turn = self.attempts * (self.config.timeout + per_host * delay)
        count = self.counts[host]
        self.chains[host] = (2 * self.config.timeout + math.ceil(count / per_host) * turn
                             + count * self.pauses)

    def busy(self, tasks: int) -> None:
        """Time with no task running is not the pass's own."""
        now = time.monotonic()
        if tasks and self.idle_since is not None:
            self.idle += now - self.idle_since
            self.idle_since = None
        elif not tasks and self.idle_since is None:
            self.idle_since = now

    def seconds(self) -> float:
        return max(self.chains.values(), default=0.0) + self.requests / self.config.concurrency

    def deadline(self, paused: float) -> float:
        idle = self.idle + (time.monotonic() - self.idle_since if self.idle_since else 0.0)
        return self.started + idle + paused + self.seconds()

    def describe(self) -> str:
        return (f"{sum(self.counts.values())} URLs on {len(self.counts)} hosts, "
                f"{self.attempts} attempts of {self.config.timeout:g} s each at most")
