"""Fetch pages concurrently and politely, streaming them out as they are ready.

The fetch pass (pipeline/fetch/scheduler.py) runs on an event loop on a thread of its own, so
fetching overlaps with the CPU stages; each outcome comes to the consumer through a queue.
The consumer holds the outcomes that came early and hands them out in list order while that
costs nothing; at most a window of sources is ever started and not yet handed out, so memory
stays flat whatever the length of the list. docs/FETCHING.md has the design.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from ..config import FetchConfig
from ..errors import GleanerError
from ..records import Page, Source
from .etiquette import RobotsCache
from .http_terms import KnownValidators
from .scheduler import Consumer, Delivery, End, FetchPass, Full

WINDOW_PER_SLOT = 4  # sources started and not yet handed out, per unit of concurrency
STOP_WAIT = 5.0  # seconds a stopping consumer waits for the pass's thread to end

Outcome = tuple[Source, Page | GleanerError]
T = TypeVar("T")


def fetch_pages(
    sources: Iterable[Source], config: FetchConfig, known: KnownValidators,
    robots: RobotsCache | None = None,
) -> Iterator[Outcome]:
    """Yield (source, page or error) for every source, exactly once each.

    In the sources' order, unless that would stall fetching: when the window is full of
    finished outcomes and the one due next is still on its way, the earliest finished comes
    first. A longer list may so come out of order: match outcomes by source (fetch_each).
    Pass the same `robots` to every fetch pass of a run: each robots.txt is read once a run
    (once a day, when the cache keeps them in the state file).
    """
    deliveries: queue.SimpleQueue[Delivery | Full | End] = queue.SimpleQueue()
    window = config.concurrency * WINDOW_PER_SLOT
    fetch_pass = FetchPass(config, known, RobotsCache() if robots is None else robots,
                           Consumer(window, deliveries.put))
    thread = threading.Thread(target=fetch_pass.run, args=(iter(sources),),
                              name="gleaner-fetch", daemon=True)
    thread.start()
    try:
        for delivery in _in_list_order(deliveries):
            if delivery.slotted:
                fetch_pass.give_back()
            yield delivery.source, delivery.outcome
    finally:
        fetch_pass.stop()
        thread.join(STOP_WAIT)


def _in_list_order(deliveries: queue.SimpleQueue[Delivery | Full | End]) -> Iterator[Delivery]:
    """Deliveries in list order while that holds nothing up; the earliest that came when the
    pass says its window is full (the one due next is still on its way, and nothing more
    can start until the consumer takes something). So it never waits for the pass while the
    pass waits for it."""
    waiting: dict[int, Delivery] = {}
    order = _ListOrder()
    end: End | None = None
    full = False
    while True:
        index = order.due if order.due in waiting else None
        if index is None and waiting and (full or end is not None):
            index = min(waiting)
        if index is not None:
            order.taken(index)
            full = False  # a place comes free: the pass says again if it is still short
            yield waiting.pop(index)
        elif end is not None:
            if end.failure is not None:
                raise end.failure
            return
        else:
            item = deliveries.get()
            if isinstance(item, End):
                end = item
            elif isinstance(item, Full):
                full = True
            else:
                waiting[item.index] = item


class _ListOrder:
    """The earliest list index not handed out yet."""

    def __init__(self) -> None:
        self.due = 0
        self.early: set[int] = set()

    def taken(self, index: int) -> None:
        if index != self.due:
            self.early.add(index)
            return
        self.due += 1
        while self.due in self.early:
            self.early.remove(self.due)
            self.due += 1


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
