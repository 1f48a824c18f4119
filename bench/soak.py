"""The big soak (issue 22): a 2,000-URL reading list over a loopback internet of 55 hosts
with every fault mixed in (tests/soak_world.py), run as the `gleaner` command.

For each fault schedule (hypothesis, fixed seed, so a failure replays):
- a run over the full mix must end within its computed bound, account for every listed URL
  exactly once in its JSON report (a reason for each failure), leave no process of its own
  behind, and stay under the peak-memory bound;
- the same schedule with its timing-dependent faults made steady (a dying host's, and which
  of two copies comes first) is run clean, and again killed with SIGKILL at a random moment
  and finished by a second run: both vaults must hold the same notes.

    python bench/soak.py [--schedules N] [--quick]

Writes its section of docs/BENCHMARKS.md (not with --quick).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from _devposts import posts
from _measure import ROOT, run_child

sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from pipeline.config import FetchConfig  # noqa: E402
from pipeline.fetch.limits import Bound  # noqa: E402
from tests.soak_world import HOST_KINDS, Schedule, World, schedules  # noqa: E402

DOCS = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- bench/soak.py: begin -->", "<!-- bench/soak.py: end -->"
BENCHMARK = ROOT.parent / "shared" / "data" / "extraction-benchmark" / "ground-truth.json"
FETCH = FetchConfig(host_delay=0.05, timeout=2.0, retries=2, backoff=0.2, max_retry_after=2.0)
CONFIG = ("[fetch]\nhost_delay = 0.05\ntimeout = 2.0\nretries = 2\nbackoff = 0.2\n"
          "max_retry_after = 2.0\n")
START_SECONDS = 30.0  # start-up: spaCy in every worker, the gazetteer
CPU_SECONDS_PER_URL = 1.0  # the CPU stages' share of the bound, per distinct URL
PEAK_RSS_BOUND_MB = 600  # any one process of the run; docs/BENCHMARKS.md
FULL = {"hosts": (55, 55), "pages": (34, 38)}
QUICK = {"hosts": (15, 15), "pages": (6, 8)}


@dataclass(frozen=True)
class Outcome:
    urls: int
    distinct: int
    hosts: int
    faults: str
    seconds: float
    bound: float
    peak_mb: float
    accounted: int
    statuses: str
    left_behind: int
    killed_after: float
    same_notes: bool


def paragraphs() -> list[str]:
    """Real paragraphs for the pages: the extraction benchmark's gold texts and the dev posts."""
    found = [p for article in json.loads(BENCHMARK.read_text(encoding="utf-8")).values()
             for p in article["articleBody"].split("\n") if len(p.split()) >= 25]
    found += [p for post in posts() for p in post.body.split("\n\n")
              if len(p.split()) >= 25 and not p.startswith(("|", "`", "<", "#", "*", "-"))]
    return found


def bound_seconds(urls: list[str]) -> float:
    bound = Bound(FETCH)
    for url in set(urls):
        bound.add(urlsplit(url).netloc.lower(), FETCH.host_delay)
    return START_SECONDS + bound.seconds() + CPU_SECONDS_PER_URL * len(set(urls))


def steady(schedule: Schedule) -> Schedule:
    """The schedule with its timing-dependent faults replaced by steady ones."""
    return replace(schedule, hosts=tuple(
        replace(host, kind="storm" if host.kind == "dying" else host.kind,
                pages=tuple("good" if kind == "duplicate" else kind for kind in host.pages))
        for host in schedule.hosts))


def gleaner_argv(reading_list: Path, vault: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "run", str(reading_list), "--vault", str(vault),
            "--config", str(config)]


def session_processes(session: int) -> list[int]:
    """Processes still alive in a session: what a run left behind."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            left.append(int(stat.parent.name))
    return left


def full_mix(world: World, work: Path, config: Path) -> tuple:
    reading_list = work / "list.txt"
    reading_list.write_text("\n".join(world.urls) + "\n", encoding="utf-8")
    vault = work / "mixed"
    child = run_child([*gleaner_argv(reading_list, vault, config)], work / "mixed.log", (0, 1),
                      new_session=True)
    report = json.loads(max((vault / ".gleaner" / "reports").glob("run-*.json")).read_text())
    items = report["items"]
    locations = [item["location"] for item in items]
    if sorted(locations) != sorted(set(world.urls)):
        raise SystemExit("FAIL: the report does not list every URL exactly once")
    if any(item["status"] == "failed" and not item["detail"] for item in items):
        raise SystemExit("FAIL: a failure without a reason")
    statuses = {}
    for item in items:
        statuses[item["status"]] = statuses.get(item["status"], 0) + 1
    return child, len(set(locations)), statuses, len(session_processes(child.pid))


def killed_and_finished(world: World, work: Path, config: Path, kill_after: float) -> bool:
    reading_list = work / "steady.txt"
    reading_list.write_text("\n".join(world.urls) + "\n", encoding="utf-8")
    run_child(gleaner_argv(reading_list, work / "clean", config), work / "clean.log", (0, 1))
    killed = subprocess.Popen(gleaner_argv(reading_list, work / "killed", config),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    time.sleep(kill_after)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    run_child(gleaner_argv(reading_list, work / "killed", config), work / "finish.log", (0, 1))
    return notes_of(work / "clean") == notes_of(work / "killed")


def notes_of(vault: Path) -> dict[str, str]:
    return {p.relative_to(vault).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(vault.rglob("*.md"))}


def soak(schedule: Schedule, pool: list[str], rng: random.Random) -> Outcome:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        config = work / "gleaner.toml"
        config.write_text(CONFIG, encoding="utf-8")
        with World(schedule, pool).running() as world:
            bound = bound_seconds(world.urls)
            child, accounted, statuses, left = full_mix(world, work, config)
            faults = ", ".join(f"{kind} {sum(h.kind == kind for h in schedule.hosts)}"
                               for kind in HOST_KINDS)
            urls, distinct = len(world.urls), len(set(world.urls))
        with World(steady(schedule), pool, first_address=100).running() as world:
            kill_after = rng.uniform(2.0, max(3.0, child.seconds * 0.8))
            same = killed_and_finished(world, work, config, kill_after)
    return Outcome(urls, distinct, len(schedule.hosts), faults, child.seconds, bound,
                   child.max_rss_mb, accounted,
                   ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())),
                   left, kill_after, same)


def run(count: int, sizes: dict) -> list[Outcome]:
    pool = paragraphs()
    outcomes: list[Outcome] = []
    rng = random.Random(22)

    @seed(22)
    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(schedule=schedules(**sizes))
    def one(schedule: Schedule) -> None:
        outcome = soak(schedule, pool, rng)
        print(outcome, flush=True)
        outcomes.append(outcome)

    one()
    return outcomes


def verdicts(outcome: Outcome) -> list[str]:
    failed = []
    if outcome.seconds >= outcome.bound:
        failed.append("past its bound")
    if outcome.accounted != outcome.distinct:
        failed.append("not every URL accounted for")
    if outcome.left_behind:
        failed.append(f"{outcome.left_behind} processes left behind")
    if outcome.peak_mb > PEAK_RSS_BOUND_MB:
        failed.append(f"peak RSS over {PEAK_RSS_BOUND_MB} MB")
    if not outcome.same_notes:
        failed.append("killed run finished with other notes than a clean run")
    return failed


def table(outcomes: list[Outcome]) -> str:
    rows = ["| schedule | URLs (distinct) | hosts | faults (hosts of each kind) "
            "| wall time / bound | peak RSS | accounted for | outcomes | left behind "
            "| SIGKILL at, then finished |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for number, o in enumerate(outcomes, 1):
        rows.append(f"| {number} | {o.urls} ({o.distinct}) | {o.hosts} | {o.faults} | "
                    f"{o.seconds:.0f} s / {o.bound:.0f} s | {o.peak_mb:.0f} MB | "
                    f"{o.accounted} of {o.distinct} | {o.statuses} | {o.left_behind} "
                    f"processes | {o.killed_after:.1f} s: "
                    f"{'same notes as a clean run' if o.same_notes else 'NOT the same notes'} |")
    return "\n".join(rows)


def write_docs(outcomes: list[Outcome]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = (f"{BEGIN}\n{table(outcomes)}\n\nMeasured {time.strftime('%Y-%m-%d')} on "
               f"{os.cpu_count()} cores; peak RSS bound {PEAK_RSS_BOUND_MB} MB for any one "
               f"process.\n{END}")
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text += f"\n## Soak (issue 22)\n\n{section}\n"
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schedules", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick or os.environ.get("GLEANER_BENCH_QUICK") == "1"
    outcomes = run(1 if quick else args.schedules, QUICK if quick else FULL)
    print(table(outcomes))
    if not quick:
        write_docs(outcomes)
    failed = [f"schedule {n}: {why}" for n, o in enumerate(outcomes, 1) for why in verdicts(o)]
    if failed:
        raise SystemExit("FAIL: " + "; ".join(failed))
    print(f"all {len(outcomes)} schedules held: bound, accounting, processes, "
          f"memory under {PEAK_RSS_BOUND_MB} MB, and a killed run finished with a clean "
          f"run's notes ({math.fsum(o.seconds for o in outcomes):.0f} s of runs)")


if __name__ == "__main__":
    main()
