"""Extract, analyze and summarize, the CPU-bound stages, run in worker processes.

They take about 0.2 s an article, mostly inside spaCy, which holds the GIL: threads cannot
overlap them, processes can. Each worker loads spaCy and the gazetteers once. Pages come back
in the order they went in, through a window just large enough to keep every worker busy, so
memory stays flat and a run writes the same notes whatever the timing. The pool starts with
the first page that needs it: a re-run with nothing new never loads spaCy. With `workers = 0`
the stages run in this process (one-core machines, small test runs).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..config import PaperConfig, SummaryConfig
from ..errors import ExtractError, GleanerError
from ..extract import fingerprint, markdown_to_text
from ..nlp import Taxonomy
from ..records import Analysis, Article, Page, Topic

if TYPE_CHECKING:
    from ..sources import Entry

MAX_AUTO_WORKERS = 4  # each holds its own spaCy model, ~250 MB
PAGES_PER_WORKER = 3  # one being worked on, two waiting: no worker idles between pages
PARENT_CHECK_SECONDS = 0.5

Key = TypeVar("Key")


@dataclass(frozen=True)
class Prepared:
    """A page made into an article, with its analysis and its extractive summary."""

    article: Article
    analysis: Analysis
    summary: str
    prints: tuple[int, ...]
    text_length: int


class LoadedStages:
    """The loaded models of one worker (a process here, or a Ray actor); `prepare` is the CPU
    work for one page."""

    def __init__(self, topics: Sequence[Topic], taxonomy: Taxonomy | None,
                 summary: SummaryConfig, papers: PaperConfig) -> None:
        from ..nlp import Analyzer
        from ..summaries import ExtractiveSummarizer

        self.analyzer = Analyzer.load(topics, taxonomy)
        self.summarizer = ExtractiveSummarizer(summary)
        self.papers = papers

    def prepare(self, page: Page) -> Prepared:
        """A web archive's capture sent without its bytes is read here, where the worker is."""
        from ..extract import extract_article
        from ..sources import with_stored_content

        article = extract_article(with_stored_content(page), self.papers)
        plain = markdown_to_text(article.text)
        analysis = self.analyzer.analyze(article)
        summary = article.paper.abstract if article.paper and article.paper.abstract \
            else self.summarizer.summarize(article, analysis)
        return Prepared(article, analysis, summary, tuple(fingerprint(plain)), len(plain))


_worker_settings: tuple[Sequence[Topic], Taxonomy | None, SummaryConfig, PaperConfig] | None \
    = None
_in_this_worker: LoadedStages | None = None


@cache
def _glibc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to trim
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def _start_worker(parent: int, topics: Sequence[Topic], taxonomy: Taxonomy | None,
                  summary: SummaryConfig, papers: PaperConfig) -> None:
    global _worker_settings
    _worker_settings = (topics, taxonomy, summary, papers)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A run killed with SIGKILL cannot stop its workers, and they wait on their task queue
    forever (they hold its write end themselves): each leaves once it has another parent."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _prepare_in_worker(page: Page) -> Prepared:
    """Models load with the first page, not in the initializer: a failure to load them (no
    spaCy model installed) then reaches the run as itself, not as a broken pool."""
    global _in_this_worker
    if _in_this_worker is None:
        assert _worker_settings is not None, "worker started without its settings"
        _in_this_worker = LoadedStages(*_worker_settings)
    try:
        return _in_this_worker.prepare(page)
    finally:
        release_freed_memory()


def release_freed_memory() -> None:
    """Hand the heap freed after a page back to the system. glibc keeps it for reuse, so a
    worker would stay at the size of the largest page it ever read, and a long run's
    workers would grow toward the sum of their worst pages."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def auto_workers() -> int:
    """One worker per core this process may use, up to MAX_AUTO_WORKERS; none on one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 0 if (cores or 1) < 2 else min(cores or 1, MAX_AUTO_WORKERS)


class CpuStages:
    """Sends pages through the CPU stages, in worker processes or here, results in order."""

    def __init__(self, workers: int, topics: Callable[[], Sequence[Topic]],
                 taxonomy: Taxonomy | None, summary: SummaryConfig,
                 papers: PaperConfig | None = None) -> None:
        self.workers = workers
        self.topics = topics
        self.taxonomy = taxonomy
        self.summary = summary
        self.papers = papers or PaperConfig()
        self._pool: Executor | None = None
        self._here: LoadedStages | None = None

    def in_order(self, items: Iterable[tuple[Key, Page | None]]
                 ) -> Iterator[tuple[Key, Prepared | GleanerError | None]]:
        """Each key with its page prepared (or the error that stopped it); None for None.

        A worker that dies (killed, out of memory) fails the pages it held, not the run.
        """
        window = max(1, self.workers) * PAGES_PER_WORKER
        pending: deque[tuple[Key, Future[Prepared] | None]] = deque()
        for key, page in items:
            pending.append((key, self._submit(page) if page is not None else None))
            while pending and (len(pending) > window or _settled(pending[0][1])):
                yield self._result(*pending.popleft())
        while pending:
            yield self._result(*pending.popleft())

    def entries(self, path: Path) -> Iterator[Entry]:
        """Read here: on one machine a worker would read the same disk, and send the bytes
        back through a pipe."""
        from ..sources import read_export

        return read_export(path)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _submit(self, page: Page) -> Future[Prepared]:
        if self.workers == 0:
            return self._run_here(page)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(), tuple(self.topics()), self.taxonomy, self.summary,
                          self.papers))
        try:
            return self._pool.submit(_prepare_in_worker, page)
        except BrokenProcessPool:
            self._pool = None
            return self._submit(page)

    def _run_here(self, page: Page) -> Future[Prepared]:
        done: Future[Prepared] = Future()
        if self._here is None:
            self._here = LoadedStages(tuple(self.topics()), self.taxonomy, self.summary,
                                      self.papers)
        try:
            done.set_result(self._here.prepare(page))
        except GleanerError as exc:
            done.set_exception(exc)
        return done

    def _result(self, key: Key, future: Future[Prepared] | None
                ) -> tuple[Key, Prepared | GleanerError | None]:
        if future is None:
            return key, None
        try:
            return key, future.result()
        except GleanerError as exc:
            return key, exc
        except BrokenProcessPool:
            return key, ExtractError("a worker process died while preparing this page")


def _settled(future: Future[Prepared] | None) -> bool:
    return future is None or future.done()
