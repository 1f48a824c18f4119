"""Which URL to fetch next, which finished page to hand over next, and the threads that do
the work: the bookkeeping behind pipeline/fetch.py, kept apart from HTTP so the rules read
on their own.

Every host has its own queue. A host with a free slot whose politeness delay has passed
gets its next URL: the host with the most URLs waiting first (it takes the longest to get
through), then the earliest in the list. So a list grouped by site keeps every site busy
instead of waiting on one, and the sites run out together. Finished pages go to the
consumer in list order while that costs nothing (so a run over the same short list always
sees the same order), and at most a window of them is ever held: a slow consumer holds
fetching back.
"""

from __future__ import annotations

import heapq
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Generic, TypeVar

from .records import Source

LOCAL = ""  # the queue of sources decided without a request: files, and URLs not http(s)
T = TypeVar("T")
Rank = tuple[int, int]  # (minus the jobs waiting, index of the first): the least goes first


@dataclass(frozen=True)
class Job:
    """One source on its way through the fetcher; `index` is its place in the list."""

    index: int
    source: Source
    host: str
    attempt: int = 1


class Gate(Enum):
    """What the fetcher says about the first job of a host's queue."""

    REQUEST = "start it: it makes a request, if its host has a free slot"
    DECIDE = "start it: it is decided without a request (a file, a refusal)"
    HOLD = "not this host yet: its robots.txt is being read, or its address checked"
    FULL = "no request may start now: every global slot is taken"


@dataclass
class _Host:
    delay: float
    queue: deque[Job] = field(default_factory=deque)
    active: int = 0
    next_start: float = 0.0
    filed_as: Rank | None = None  # the rank it is filed under in HostQueues.order


class HostQueues:
    """Waiting jobs, one queue per host, started from the hosts free now: the host with the
    most jobs waiting first, then the one whose first job is earliest in the list."""

    def __init__(self, per_host: int, host_delay: float) -> None:
        self.per_host = per_host
        self.host_delay = host_delay
        self.hosts: dict[str, _Host] = {}
        self.order: list[tuple[Rank, str]] = []  # heap of (rank, host)
        self.waiting = 0
        self.wake_at: float | None = None  # when a host passed over by the last pick frees up

    def __len__(self) -> int:
        return self.waiting

    def add(self, job: Job) -> None:
        self._host(job.host).queue.append(job)
        self.waiting += 1
        self._file(job.host)

    def pick(self, gate: Callable[[Job], Gate]) -> tuple[Job, bool] | None:
        """The next job that may start now and whether it makes a request; None if none.

        Hosts are visited in rank order, so only the hosts that are busy, resting or held
        are passed over: a pick costs little however many hosts the list names.
        """
        self.wake_at = None
        passed_over: list[str] = []
        try:
            while self.order:
                rank, key = heapq.heappop(self.order)
                host = self.hosts[key]
                if host.filed_as != rank:
                    continue  # filed again since, under its new rank
                host.filed_as = None
                job = host.queue[0]
                verdict = gate(job)
                if verdict is Gate.FULL:
                    passed_over.append(key)
                    return None
                if verdict is Gate.HOLD or (verdict is Gate.REQUEST and not self._free(host)):
                    passed_over.append(key)
                    continue
                host.queue.popleft()
                self.waiting -= 1
                if verdict is Gate.REQUEST:
                    host.active += 1
                    host.next_start = time.monotonic() + host.delay
                passed_over.append(key)
                return job, verdict is Gate.REQUEST
            return None
        finally:
            for key in passed_over:
                self._file(key)

    def done(self, job: Job) -> None:
        """The job's request is over: its host has a free slot again."""
        self.hosts[job.host].active -= 1

    def retry(self, job: Job, wait: float) -> None:
        """The job's request failed but may be tried again: first in its host's line, after
        `wait` seconds in which the host gets no request at all (a server that asks for a
        pause, or that failed, is not helped by the next URL)."""
        host = self.hosts[job.host]
        host.active -= 1
        host.queue.appendleft(replace(job, attempt=job.attempt + 1))
        host.next_start = max(host.next_start, time.monotonic() + wait)
        self.waiting += 1
        self._file(job.host)

    def slow_down(self, key: str, delay: float) -> None:
        """At least `delay` seconds between two requests to this host (robots.txt asks)."""
        host = self._host(key)
        host.delay = max(host.delay, delay)

    def _host(self, key: str) -> _Host:
        if key not in self.hosts:
            self.hosts[key] = _Host(self.host_delay)
        return self.hosts[key]

    def _free(self, host: _Host) -> bool:
        if host.active >= self.per_host:
            return False
        if host.next_start > time.monotonic():
            self.wake_at = host.next_start if self.wake_at is None else min(self.wake_at,
                                                                             host.next_start)
            return False
        return True

    def _file(self, key: str) -> None:
        host = self.hosts[key]
        rank = (-len(host.queue), host.queue[0].index) if host.queue else None
        if rank is not None and host.filed_as != rank:
            host.filed_as = rank
            heapq.heappush(self.order, (rank, key))


class Handover(Generic[T]):
    """Finished outcomes passed from the fetch thread to the consumer; at most `window` jobs
    are started and not yet taken.

    Outcomes go in list order, except when the one due next is still on its way and the
    window is full of finished ones: then the earliest finished goes, so a slow site or a
    list grouped by site never stalls fetching. A list no longer than the window therefore
    always comes out in its own order.
    """

    def __init__(self, window: int) -> None:
        self.window = window
        self.changed = threading.Condition()
        self.finished: dict[int, T] = {}
        self.held = 0  # started and not yet taken
        self.due = 0  # the earliest index not yet taken
        self.taken_early: set[int] = set()
        self.closed = False
        self.stopped = False
        self.failure: BaseException | None = None
        self.on_change: Callable[[], None] | None = None

    def has_room(self) -> bool:
        with self.changed:
            return self.held < self.window

    def claim(self) -> None:
        """A job starts: it holds a place in the window until the consumer takes it."""
        with self.changed:
            self.held += 1
            if self.held >= self.window:  # the consumer may now take out of order
                self.changed.notify_all()

    def finish(self, index: int, outcome: T) -> None:
        with self.changed:
            self.finished[index] = outcome
            if index == self.due or self.held >= self.window:  # all the consumer waits for
                self.changed.notify_all()

    def close(self, failure: BaseException | None = None) -> None:
        """No more outcomes; the consumer takes what is left, then sees `failure` raised."""
        with self.changed:
            self.closed = True
            self.failure = failure
            self.changed.notify_all()

    def stop(self) -> None:
        """The consumer wants no more: the fetch thread winds down."""
        with self.changed:
            self.stopped = True
            self._tell()

    def listen(self, on_change: Callable[[], None] | None) -> None:
        """Call `on_change` (from the consumer's thread) when a full window frees a place or
        the consumer stops."""
        with self.changed:
            self.on_change = on_change

    def take(self) -> T | None:
        """The next outcome, waiting for it; None once all are taken."""
        with self.changed:
            while (index := self._next()) is None:
                if self.closed:
                    if self.failure is not None:
                        raise self.failure
                    return None
                self.changed.wait()
            self.held -= 1
            self._advance(index)
            if self.held == self.window - 1:
                self._tell()
            return self.finished.pop(index)

    def _next(self) -> int | None:
        if self.due in self.finished:
            return self.due
        if self.finished and (self.held >= self.window or self.closed):
            return min(self.finished)
        return None

    def _advance(self, index: int) -> None:
        if index != self.due:
            self.taken_early.add(index)
            return
        self.due += 1
        while self.due in self.taken_early:
            self.taken_early.remove(self.due)
            self.due += 1

    def _tell(self) -> None:
        if self.on_change is not None:
            self.on_change()


class Workers:
    """Threads for the fetcher's work, started as work comes, at most `size` of them.

    They are daemon threads: a request still running when the consumer stops ends with its
    deadline, and holds up neither the consumer nor the process's exit."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.started = 0
        self.stopped = False
        self.todo: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()

    def submit(self, work: Callable[[], None]) -> None:
        self.todo.put(work)
        if self.started < self.size:
            self.started += 1
            threading.Thread(target=self._serve, name="gleaner-fetch-worker",
                             daemon=True).start()

    def stop(self) -> None:
        """Work not started yet is dropped; each thread ends after its current work."""
        self.stopped = True
        for _ in range(self.started):
            self.todo.put(None)

    def _serve(self) -> None:
        while (work := self.todo.get()) is not None and not self.stopped:
            work()
