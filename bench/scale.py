"""Past one machine (issue 19): the same 2,000-page web archive imported with the local
executor and with Ray, the driver's own ceiling, and a projection to more workers.

    python bench/scale.py           # 2,000 pages; rewrites its section of docs/BENCHMARKS.md
    python bench/scale.py --quick   # 300 pages; prints only (also GLEANER_BENCH_QUICK=1)

1. A gzipped WARC of distinct pages (bench/import.py's, real paragraphs with marker words)
   is imported with `gleaner import --offline` in a child process, once with
   `--executor local` and once with `--executor ray` (a Ray started by the run on this
   machine, its start-up counted), each with 2 workers. With Ray the actors read the
   archive themselves, a shard of `[ray] shard_mb` each, and the run logs the bytes it
   sent to them and got back: set against the archive's payload, they show how little of
   it passes through the driver. Ray's overhead is its wall time over the local one's; the
   two vaults' notes are compared byte for byte.
2. The driver's ceiling: the same import in this process, with an executor that hands back
   analyses prepared beforehand, as if workers were infinitely fast. What is left is the
   driver's own work: reading the archive, relevance, rendering, writing notes and state.
3. The projection: each worker prepares what one Ray actor prepared here; n workers give
   min(n x that, the ceiling) notes per second.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from _measure import ROOT, ChildRun, run_child, write_figures
from throughput import QUICK_ENV

sys.path.insert(0, str(ROOT))

from pipeline.config import load_config  # noqa: E402
from pipeline.errors import GleanerError  # noqa: E402
from pipeline.import_run import ImportOptions, _ImportRun, stored_page  # noqa: E402
from pipeline.records import Page, SavedItem  # noqa: E402
from pipeline.sources.exports import Entry, read_export  # noqa: E402
from pipeline.state.lock import VaultLock  # noqa: E402
from pipeline.state.store import State  # noqa: E402
from pipeline.vault.files import STATE_DIR, Vault  # noqa: E402
from pipeline.vault.notes import load_template  # noqa: E402
from pipeline.workers.processes import CpuStages, Prepared  # noqa: E402

archives = importlib.import_module("import")  # bench/import.py: its WARC and its pages

WORKERS = 2
CONFIG = f"workers = {WORKERS}\n[ray]\nworkers = {WORKERS}\n"
OVERHEAD_TARGET = 0.15
PROJECTED = (1, 4, 16, 64)
TRAFFIC = re.compile(r"Ray: (\d+) bytes sent to the workers, (\d+) received from them")


class ReadyStages:
    """Workers infinitely fast: each page's analysis, prepared before the run."""

    def __init__(self, prepared: dict[str, Prepared]) -> None:
        self.prepared = prepared

    def in_order(self, items: Iterable[tuple[object, Page | None]]
                 ) -> Iterator[tuple[object, Prepared | GleanerError | None]]:
        for key, page in items:
            yield key, None if page is None else self.prepared[page.url]

    def entries(self, path: Path) -> Iterator[Entry]:
        return read_export(path)

    def close(self) -> None:
        """Nothing was started."""


def gleaner(archive: Path, vault: Path, config: Path, executor: str, log: Path) -> ChildRun:
    argv = [sys.executable, "-m", "pipeline", "import", str(archive), "--offline",
            "--executor", executor, "--vault", str(vault), "--config", str(config)]
    return run_child(argv, log)


def prepared_ahead(archive: Path) -> dict[str, Prepared]:
    """Every page of the archive prepared by local workers, by URL."""
    pages = [stored_page(item) for item in read_export(archive) if isinstance(item, SavedItem)]
    config = load_config(None)
    stages = CpuStages(WORKERS, lambda: [], None, config.summary)
    try:
        done = dict(stages.in_order((page.url, page) for page in pages))
    finally:
        stages.close()
    return {url: prepared for url, prepared in done.items() if isinstance(prepared, Prepared)}


def driver_only(archive: Path, vault_root: Path, prepared: dict[str, Prepared]) -> float:
    """Seconds the driver takes to import the archive with every analysis ready."""
    config = load_config(None)
    vault = Vault(vault_root)
    vault.root.mkdir(parents=True)
    started = time.perf_counter()
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            run = _ImportRun(vault, state, config, lambda item: None,
                             load_template(config.template), ImportOptions(offline=True))
            run.stages = ReadyStages(prepared)
            report = run.over_exports([archive])
        finally:
            state.close()
    seconds = time.perf_counter() - started
    if report.counts["written"] != len(prepared):
        raise SystemExit(f"driver-only import wrote {report.counts['written']} notes of "
                         f"{len(prepared)}: {report.summary_line()}")
    return seconds


def notes_of(vault: Path) -> dict[str, bytes]:
    return {p.relative_to(vault).as_posix(): p.read_bytes()
            for p in sorted(vault.rglob("*.md")) if STATE_DIR not in p.parts}


def measure(records: int, work: Path) -> list[tuple[str, str]]:
    archive = work / "crawl.warc.gz"
    archives.warc(archive, records, archives.paragraphs())
    config = work / "gleaner.toml"
    config.write_text(CONFIG, encoding="utf-8")
    runs = {executor: gleaner(archive, work / f"vault-{executor}", config, executor,
                              work / f"{executor}.log") for executor in ("local", "ray")}
    local, on_ray = runs["local"], runs["ray"]
    notes = archives.written(local)
    sent, received = map(int, TRAFFIC.search((work / "ray.log").read_text()).groups())
    payload = sum(len(item.stored or b"") for item in read_export(archive)
                  if isinstance(item, SavedItem))
    overhead = on_ray.seconds / local.seconds - 1
    same = notes_of(work / "vault-local") == notes_of(work / "vault-ray")
    ceiling = notes / driver_only(archive, work / "vault-driver", prepared_ahead(archive))
    per_worker = notes / on_ray.seconds / WORKERS
    figures = [(f"{name}, {WORKERS} workers", _run_line(notes, run))
               for name, run in (("local", local), ("Ray", on_ray))]
    figures += [
        ("Ray's overhead", f"{overhead:+.1%} of the local wall time (target ≤ "
                           f"{OVERHEAD_TARGET:.0%}: "
                           f"{'met' if overhead <= OVERHEAD_TARGET else 'SHORT'})"),
        ("notes, local vs Ray", "byte for byte the same" if same else "DIFFERENT"),
        ("Ray: what passed through the driver", f"{sent / 1e6:.2f} MB sent to the actors, "
                                                f"{received / 1e6:.2f} MB back, for "
                                                f"{payload / 1e6:.1f} MB of pages in a "
                                                f"{archive.stat().st_size / 1e6:.1f} MB "
                                                f"archive ({(sent + received) / payload:.1%})"),
        ("driver's ceiling (analyses ready)", f"{ceiling:.1f} notes/s"),
        ("one worker (Ray actor here)", f"{per_worker:.1f} notes/s"),
    ]
    for count in PROJECTED:
        rate = min(count * per_worker, ceiling)
        limit = "the single writer" if count * per_worker >= ceiling else "the workers"
        figures.append((f"projected, {count} workers", f"{rate:.1f} notes/s (limit: {limit})"))
    figures.append(("the writer becomes the limit at", f"{ceiling / per_worker:.1f} workers"))
    return figures


def _run_line(notes: int, run: ChildRun) -> str:
    return (f"{notes:,} notes in {run.seconds:.1f} s = {notes / run.seconds:.1f} notes/s, "
            f"CPU {run.cpu_seconds:.1f} s, peak RSS {run.max_rss_mb:.0f} MB (tree PSS "
            f"{run.tree_pss_mb:.0f} MB); {archives.outcome(run)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick or os.environ.get(QUICK_ENV) == "1"
    records = 300 if quick else 2_000
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gleaner-scale-bench-") as folder:
        figures = measure(records, Path(folder))
    for name, value in figures:
        print(f"{name}: {value}")
    if not quick:
        write_figures("scale.py", figures, "python bench/scale.py",
                      (time.perf_counter() - started) / 60)


if __name__ == "__main__":
    main()
