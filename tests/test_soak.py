"""Soak runs over a loopback internet where faults come mixed, as they do in real lists:
every run ends within its bound, accounts for every URL once, leaves no thread behind, and
a run killed at any moment is finished by the next one with the notes of a clean run.
Fault schedules come from hypothesis with a fixed seed, so a failure replays
(bench/soak.py runs the big one)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pipeline import run
from pipeline.config import Config, FetchConfig
from pipeline.fetch.limits import Bound
from pipeline.records import Source
from pipeline.vault.validate import validate_vault

from .conftest import realistic_paragraphs
from .soak_world import HOST_KINDS, Schedule, World, schedules

FETCH = FetchConfig(host_delay=0.0, timeout=1.0, retries=1, backoff=0.05, max_retry_after=2.0)
CPU_SECONDS_PER_URL = 2.0  # the CPU stages' share of the bound, generous for a slow CI core
START_SECONDS = 20.0  # loading spaCy and the gazetteer
SOAK = settings(max_examples=3, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
PARAGRAPHS = realistic_paragraphs()


def run_bound(urls: list[str], config: FetchConfig) -> float:
    """The wall time a run over `urls` may take, from the limits (docs/FETCHING.md)."""
    bound = Bound(config)
    for url in set(urls):
        bound.add(urlsplit(url).netloc.lower(), config.host_delay)
    return START_SECONDS + bound.seconds() + CPU_SECONDS_PER_URL * len(set(urls))


def gleaner_threads() -> set[str]:
    return {thread.name for thread in threading.enumerate()
            if thread.name.startswith(("gleaner", "asyncio"))}


def until_no_gleaner_threads(seconds: float = 5.0) -> set[str]:
    ends = time.monotonic() + seconds
    while (left := gleaner_threads()) and time.monotonic() < ends:
        time.sleep(0.05)
    return left


@seed(22)
@SOAK
@given(schedule=schedules())
def test_a_mixed_fault_run_ends_within_its_bound_and_accounts_for_every_url(tmp_path_factory,
                                                                           schedule):
    vault = tmp_path_factory.mktemp("soak")
    config = Config(fetch=FETCH, workers=0)
    with World(schedule, PARAGRAPHS).running() as world:
        bound = run_bound(world.urls, FETCH)
        started = time.monotonic()
        report = run([Source(url, "soak") for url in world.urls], config, vault)
        elapsed = time.monotonic() - started

    assert elapsed < bound
    reported = [item.location for item in report.items]
    assert sorted(reported) == sorted(set(world.urls))
    assert report.repeated == len(world.urls) - len(set(world.urls))
    assert all(item.detail for item in report.failures)
    assert not [item for item in report.failures if item.detail.startswith("gave up")]
    failed = {item.location for item in report.failures}
    assert not [e.url for e in world.entries if e.must_become_a_note and e.url in failed]
    assert list(validate_vault(vault)) == []
    assert until_no_gleaner_threads() == set()


def notes_of(vault: Path) -> dict[str, str]:
    return {path.relative_to(vault).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted(vault.rglob("*.md"))}


def gleaner(reading_list: Path, vault: Path, config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(reading_list),
                             "--vault", str(vault), "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Faults whose outcome does not depend on timing: a host that dies after so many requests
# serves other URLs in a killed run and its rerun than in a clean one, and which of two
# copies of an article comes first decides which is the note's link.
STEADY_HOSTS = tuple(kind for kind in HOST_KINDS if kind != "dying")


def without_duplicates(schedule: Schedule) -> Schedule:
    return replace(schedule, hosts=tuple(
        replace(host, pages=tuple("good" if kind == "duplicate" else kind
                                  for kind in host.pages)) for host in schedule.hosts))


@seed(22)
@settings(SOAK, max_examples=2)
@given(schedule=schedules(hosts=(8, 10), pages=(2, 5), kinds=STEADY_HOSTS).map(
           without_duplicates),
       kill_after=st.floats(0.5, 6.0))
def test_a_run_killed_at_any_moment_is_finished_by_the_next_with_a_clean_runs_notes(
        tmp_path_factory, schedule, kill_after):
    work = tmp_path_factory.mktemp("killed")
    config = work / "gleaner.toml"
    config.write_text("workers = 0\n[fetch]\nhost_delay = 0.0\ntimeout = 1.0\nretries = 1\n"
                      "backoff = 0.05\nmax_retry_after = 2.0\n", encoding="utf-8")
    with World(schedule, PARAGRAPHS).running() as world:
        reading_list = work / "list.txt"
        reading_list.write_text("\n".join(world.urls) + "\n", encoding="utf-8")
        gleaner(reading_list, work / "clean", config).wait(timeout=300)
        killed = gleaner(reading_list, work / "killed", config)
        time.sleep(kill_after)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        finished = gleaner(reading_list, work / "killed", config)
        assert finished.wait(timeout=300) in (0, 1)

    assert notes_of(work / "killed") == notes_of(work / "clean")
    reports = sorted((work / "killed" / ".gleaner" / "reports").glob("run-*.json"))
    items = json.loads(reports[-1].read_text(encoding="utf-8"))["items"]
    assert sorted(item["location"] for item in items) == sorted(set(world.urls))
