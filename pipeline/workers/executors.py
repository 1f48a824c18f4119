"""Where the CPU stages (extract, analyze, summarize) run: `cpu_stages(config, ...)`.

Two executors take pages and give back, in the order the pages went in, each prepared or
the error that stopped it: "local" (worker processes on this machine, pipeline/workers/processes.py)
and "ray" (actors on a Ray cluster, pipeline/workers/ray_actors.py, which also read web archives
where they are: pipeline/sources/exports/archive_shards.py). The orchestrator hands work to
whichever the config names and never learns which: notes, topic notes and the state are
written by the run's own process in the same order either way, so the vault's rules do not
depend on the executor. docs/SCALING.md says when Ray is worth it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from ..config import Config
from ..errors import ConfigError, GleanerError

if TYPE_CHECKING:  # the stages' modules load with the first run, not with every command
    from ..nlp import Taxonomy
    from ..records import Page, Topic
    from ..sources import Entry
    from .processes import Prepared

EXECUTORS = ("local", "ray")
RAY_MISSING = ("--executor ray needs Ray, which is not installed: "
               "pip install 'gleaner[ray]'")

Key = TypeVar("Key")


class PreparesPages(Protocol):
    """What the orchestrator needs of an executor."""

    def in_order(self, items: Iterable[tuple[Key, Page | None]]
                 ) -> Iterator[tuple[Key, Prepared | GleanerError | None]]:
        """Each key with its page prepared (or the error that stopped it); None for None."""
        ...

    def entries(self, path: Path) -> Iterator[Entry]:
        """The entries of an export, in file order, as `read_export` gives them; where the
        file is read (here, or a web archive where the workers are) is the executor's."""
        ...

    def close(self) -> None:
        """Stop the workers this executor started."""
        ...


def cpu_stages(config: Config, topics: Callable[[], Sequence[Topic]],
               taxonomy: Taxonomy | None) -> PreparesPages:
    """The executor the config names; a ConfigError (before any work) if it cannot run."""
    check_executor(config.executor)
    if config.executor == "ray":
        from .ray_actors import RayStages

        return RayStages(config.ray, topics, taxonomy, config.summary, config.papers)
    from .processes import CpuStages, auto_workers

    workers = auto_workers() if config.workers is None else config.workers
    return CpuStages(workers, topics, taxonomy, config.summary, config.papers)


def check_executor(executor: str) -> None:
    """Raise a ConfigError naming what to install or choose, as early as a command can."""
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if executor == "ray" and not _ray_installed():
        raise ConfigError(RAY_MISSING)


def _ray_installed() -> bool:
    """Whether `import ray` can work, without paying for the import (about a second)."""
    try:
        return importlib.util.find_spec("ray") is not None
    except (ImportError, ValueError):
        return False
