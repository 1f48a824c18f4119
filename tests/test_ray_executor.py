"""The CPU stages on a real local Ray (2 CPUs, started once for these tests): the same notes
as the local executor, and a worker killed mid-run loses no item."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import run
from pipeline.sources.lists import read_sources

from .test_parallel import serve_articles, vault_bytes

ray = pytest.importorskip("ray", reason="the ray extra: pip install 'gleaner[ray]'")

ACTOR_TITLE = b"ray::_PrepareActor"
PREPARING = b".prepare"
READING_A_SHARD = b".scan"


def actor_pids(busy_only: bool = False, doing: bytes = PREPARING) -> list[int]:
    """The processes of the actors (or of those `doing` a call right now: preparing a batch,
    or reading a shard of an archive)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes() if proc.name.isdigit() else b""
        except OSError:
            continue
        if title.startswith(ACTOR_TITLE) and (not busy_only or doing in title):
            found.append(int(proc.name))
    return found


def test_ray_actors_write_the_same_notes_as_local_workers(server, tmp_path, fast_config,
                                                           ray_config):
    urls = serve_articles(server)

    local = run(read_sources(urls), replace(fast_config, workers=2), tmp_path / "local")
    on_ray = run(read_sources(urls), ray_config, tmp_path / "ray")

    assert on_ray.counts == local.counts
    assert local.counts["written"] == len(urls)
    assert vault_bytes(tmp_path / "ray") == vault_bytes(tmp_path / "local")


def test_a_ray_worker_killed_mid_run_loses_no_item(server, tmp_path, fast_config, ray_config,
                                                  caplog):
    urls = serve_articles(server, 20)
    killed: list[int] = []
    killer = threading.Thread(target=kill_the_first_busy_actor, args=(killed,), daemon=True)
    killer.start()

    with caplog.at_level(logging.WARNING, logger="gleaner"):
        report = run(read_sources(urls), ray_config, tmp_path / "ray")
    killer.join()
    local = run(read_sources(urls), fast_config, tmp_path / "local")

    assert killed, "no actor was seen preparing a batch"
    assert "a Ray worker died" in caplog.text
    assert sorted(item.location for item in report.items) == sorted(urls)
    assert report.counts == local.counts
    assert vault_bytes(tmp_path / "ray") == vault_bytes(tmp_path / "local")


def kill_the_first_busy_actor(killed: list[int], within: float = 60.0,
                              doing: bytes = PREPARING, every: float = 0.02) -> None:
    """SIGKILL, as the OOM killer would, the first actor seen preparing a batch (or `doing`
    another call)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if busy := actor_pids(busy_only=True, doing=doing):
            os.kill(busy[0], signal.SIGKILL)
            killed.append(busy[0])
            return
        time.sleep(every)


def test_pages_whose_workers_keep_dying_fail_with_the_reason(server, tmp_path, ray_config):
    urls = serve_articles(server, 10)
    stop = threading.Event()
    killer = threading.Thread(target=kill_every_busy_actor, args=(stop,), daemon=True)
    killer.start()

    report = run(read_sources(urls), ray_config, tmp_path / "ray")
    stop.set()
    killer.join()

    assert sorted(item.location for item in report.items) == sorted(urls)
    assert report.failures
    assert all("died 2 times" in failure.detail for failure in report.failures)
    written = [item.note for item in report.items if item.status == "written"]
    assert sorted(p.name for p in (tmp_path / "ray").glob("*.md")) == sorted(written)


def kill_every_busy_actor(stop: threading.Event, doing: bytes = PREPARING,
                          every: float = 0.02) -> None:
    while not stop.wait(every):
        for pid in actor_pids(busy_only=True, doing=doing):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_the_run_stops_its_ray_actors(server, tmp_path, ray_config):
    urls = serve_articles(server, 3)

    run(read_sources(urls), ray_config, tmp_path / "vault")

    deadline = time.monotonic() + 10  # a killed actor takes a moment to leave
    while actor_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert actor_pids() == []
