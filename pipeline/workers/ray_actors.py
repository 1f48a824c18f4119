"""The CPU stages on Ray actors, for archives that outgrow one machine.

Each actor loads spaCy and the gazetteers once and prepares pages in batches: one call per
page would cost Ray's scheduling (about a millisecond and a round trip) on every page. The
run's process keeps a bounded window of batches in flight, BATCHES_PER_ACTOR for each
actor, so its memory holds a few batches whatever the size of the archive, and it takes the
results back in the order the pages went in: the notes are written in the same order, and
come out byte for byte the same, as with the local executor.

A web archive (WARC, WACZ) is read by the actors, a shard each, where the files are
(pipeline/sources/exports/archive_shards.py): what comes back of a capture is its URL, date, offset
and hashes, and the actor that prepares it reads its bytes again. So the page bytes never
pass through the run's process, and it counts what does (`traffic`).

A call whose actor dies (killed, out of memory, its node lost) goes once to a new actor; if
that one dies too, its pages fail with the reason, or its shard is reported unread, and the
run goes on.

With RAY_ADDRESS set, or `[ray] address` in the config, the run joins that cluster: every
node needs Gleaner installed, as the actors import it. Otherwise it starts Ray on this
machine, with the first page that needs the stages, and stops it at the end of the run.
A Ray already started in this process (a notebook, a test) is used as it is.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..config import PaperConfig, RayConfig, SummaryConfig
from ..errors import ConfigError, ExtractError, GleanerError
from ..nlp import Taxonomy
from ..records import Page, Topic
from ..sources import (
    Entry,
    Shard,
    ShardScan,
    export_kind,
    read_export,
    scan_shard,
    sharded_entries,
    unread,
)
from .processes import LoadedStages, Prepared, release_freed_memory

try:
    import ray
    from ray.exceptions import (
        ObjectLostError,
        RayActorError,
        RaySystemError,
        WorkerCrashedError,
    )
except ImportError as exc:  # checked earlier by executors.check_executor; a broken install
    raise ConfigError(f"--executor ray cannot import Ray ({exc}): "
                      f"pip install 'gleaner[ray]'") from exc

BATCH_PAGES = 8  # pages per call: Ray's cost per call spread over several pages
BATCHES_PER_ACTOR = 2  # one being prepared, one waiting: no actor idles between batches
ATTEMPTS = 2  # a batch whose actor died goes once to another
WORKER_LOST = (RayActorError, WorkerCrashedError, ObjectLostError, RaySystemError)
log = logging.getLogger("gleaner")

Key = TypeVar("Key")


class _PrepareActor:
    """One worker: the loaded models, and the pages of one batch, or one shard of a web
    archive, at a time."""

    def __init__(self, topics: Sequence[Topic], taxonomy: Taxonomy | None,
                 summary: SummaryConfig, papers: PaperConfig) -> None:
        self.settings = (topics, taxonomy, summary, papers)
        self.stages: LoadedStages | None = None

    def prepare(self, pages: list[Page]) -> list[Prepared | GleanerError]:
        """Models load with the first batch, so a missing spaCy model fails pages with its
        reason instead of failing to start the actor."""
        outcomes: list[Prepared | GleanerError] = []
        for page in pages:
            try:
                if self.stages is None:
                    self.stages = LoadedStages(*self.settings)
                outcomes.append(self.stages.prepare(page))
            except GleanerError as exc:
                outcomes.append(exc)
            finally:
                release_freed_memory()
        return outcomes

    def scan(self, shard: Shard) -> ShardScan:
        return scan_shard(shard)

    def pid(self) -> int:
        return os.getpid()


@dataclass
class _Call:
    """One call to an actor (`method` with `argument`), and what it gave back; `failed` is
    what stands for its result once its actors died ATTEMPTS times."""

    method: str
    argument: Any
    failed: Callable[[str], Any]
    attempts: int = 0
    actor: Any = None
    ref: Any = None
    result: Any = None
    done: bool = False


def _batch(pages: list[Page]) -> _Call:
    return _Call("prepare", pages, lambda reason: [ExtractError(
        f"the Ray workers preparing this page died {ATTEMPTS} times ({reason})")
        for _ in pages])


def _shard_call(shard: Shard) -> _Call:
    return _Call("scan", shard, lambda reason: unread(
        shard, f"the Ray workers reading this part of the archive died {ATTEMPTS} times "
               f"({reason}); the next import reads it again"))


@dataclass
class Traffic:
    """What the run sent to its actors and got back, pickled as Ray sends it, in bytes."""

    sent: int = 0
    received: int = 0


@dataclass
class _Slot:
    """A key's place in the results: its page's batch and index, or no page at all."""

    key: Any
    batch: _Call | None = None
    index: int = 0


@dataclass
class _Actors:
    """The live actors, each with its batches in flight; dead ones are replaced."""

    make: Callable[[], Any]
    count: int
    live: list[Any] = field(default_factory=list)
    load: dict[int, int] = field(default_factory=dict)

    def least_busy(self) -> Any:
        while len(self.live) < self.count:
            actor = self.make()
            self.live.append(actor)
            self.load[id(actor)] = 0
        actor = min(self.live, key=lambda a: self.load[id(a)])
        self.load[id(actor)] += 1
        return actor

    def done(self, actor: Any) -> None:
        if id(actor) in self.load:
            self.load[id(actor)] -= 1

    def replace(self, dead: Any) -> None:
        if dead in self.live:
            self.live.remove(dead)
            self.load.pop(id(dead), None)
            ray.kill(dead, no_restart=True)

    def idle(self) -> bool:
        return len(self.live) < self.count or any(n == 0 for n in self.load.values())

    def stop(self) -> None:
        for actor in self.live:
            ray.kill(actor, no_restart=True)
        self.live.clear()
        self.load.clear()


class RayStages:
    """Sends pages through the CPU stages on Ray actors; results in order (workers/executors.py)."""

    def __init__(self, settings: RayConfig, topics: Callable[[], Sequence[Topic]],
                 taxonomy: Taxonomy | None, summary: SummaryConfig, papers: PaperConfig) -> None:
        self.settings = settings
        self.topics = topics
        self.taxonomy = taxonomy
        self.summary = summary
        self.papers = papers
        self._actors: _Actors | None = None
        self._started_ray = False
        self.traffic = Traffic()

    def entries(self, path: Path) -> Iterator[Entry]:
        """A web archive read by the actors, a shard each; any other export read here."""
        try:
            kind = export_kind(path)
        except OSError:
            kind = None  # read_export names the file and the reason
        if kind not in ("warc", "wacz"):
            return read_export(path)
        shard_bytes = max(1, round(self.settings.shard_mb * 1024 * 1024))
        return sharded_entries(path, kind, shard_bytes, self._scans)

    def in_order(self, items: Iterable[tuple[Key, Page | None]]
                 ) -> Iterator[tuple[Key, Prepared | GleanerError | None]]:
        slots: deque[_Slot] = deque()
        filling = _batch([])
        for key, page in items:
            if page is None:
                slots.append(_Slot(key))
            else:
                slots.append(_Slot(key, filling, len(filling.argument)))
                filling.argument.append(page)
            if filling.argument and (len(filling.argument) >= BATCH_PAGES or self._any_idle()):
                self._submit(filling)
                filling = _batch([])
            while slots and (self._over_window(slots) or _ready(slots[0].batch)):
                if slots[0].batch is filling:
                    self._submit(filling)
                    filling = _batch([])
                yield self._result(slots.popleft())
        if filling.argument:
            self._submit(filling)
        while slots:
            yield self._result(slots.popleft())

    def close(self) -> None:
        if self._actors is not None:
            log.info("Ray: %d bytes sent to the workers, %d received from them",
                     self.traffic.sent, self.traffic.received)
            self._actors.stop()
            self._actors = None
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False

    def _any_idle(self) -> bool:
        return self._actors is None or self._actors.idle()

    def _over_window(self, slots: deque[_Slot]) -> bool:
        count = self._actors.count if self._actors else 1
        return len(slots) > count * BATCHES_PER_ACTOR * BATCH_PAGES

    def _scans(self, shards: Iterable[Shard]) -> Iterator[ShardScan]:
        """Each shard read by an actor, in order, one in flight per actor."""
        in_flight: deque[_Call] = deque()
        for shard in shards:
            in_flight.append(self._submit(_shard_call(shard)))
            assert self._actors is not None
            while len(in_flight) > self._actors.count or (in_flight and _ready(in_flight[0])):
                yield self._outcome(in_flight.popleft())
        while in_flight:
            yield self._outcome(in_flight.popleft())

    def _submit(self, call: _Call) -> _Call:
        actors = self._actors or self._start()
        call.attempts += 1
        call.actor = actors.least_busy()
        self.traffic.sent += len(pickle.dumps(call.argument, pickle.HIGHEST_PROTOCOL))
        call.ref = getattr(call.actor, call.method).remote(call.argument)
        return call

    def _start(self) -> _Actors:
        if not ray.is_initialized():
            address = os.environ.get("RAY_ADDRESS") or self.settings.address
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
            self._started_ray = True
        count = self.settings.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        remote = ray.remote(num_cpus=1, max_restarts=0)(_PrepareActor)
        settings = (tuple(self.topics()), self.taxonomy, self.summary, self.papers)
        self._actors = _Actors(lambda: remote.remote(*settings), count)
        return self._actors

    def _result(self, slot: _Slot) -> tuple[Any, Prepared | GleanerError | None]:
        if slot.batch is None:
            return slot.key, None
        return slot.key, self._outcome(slot.batch)[slot.index]

    def _outcome(self, call: _Call) -> Any:
        while not call.done:
            self._collect(call)
        return call.result

    def _collect(self, call: _Call) -> None:
        assert self._actors is not None
        try:
            call.result = ray.get(call.ref)
            self._actors.done(call.actor)
            self.traffic.received += len(pickle.dumps(call.result, pickle.HIGHEST_PROTOCOL))
        except WORKER_LOST as exc:
            self._actors.replace(call.actor)
            if call.attempts < ATTEMPTS:
                log.warning("a Ray worker died; its %s goes to another",
                            "batch of pages" if call.method == "prepare" else "shard")
                self._submit(call)
                return
            call.result = call.failed(type(exc).__name__)
        call.done = True


def _ready(call: _Call | None) -> bool:
    if call is None or call.done:
        return True
    if call.ref is None:
        return False
    done, _ = ray.wait([call.ref], timeout=0)
    return bool(done)
