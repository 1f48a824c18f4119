"""The CPU stages in worker processes: same notes as in one process, and no process left over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from pipeline import run
from pipeline.sources.lists import read_sources

from .conftest import article_page, realistic_paragraphs
from .server import Response

ARTICLES = 12
PARAGRAPHS = 4


def serve_articles(server, count: int = ARTICLES) -> list[str]:
    """Distinct articles of real paragraphs, as a blog serves them."""
    paragraphs = realistic_paragraphs()
    urls = []
    for index in range(count):
        path = f"/posts/{index}"
        own = paragraphs[index * PARAGRAPHS:(index + 1) * PARAGRAPHS]
        server.routes[path] = Response(article_page(f"Field notes, part {index}", own))
        urls.append(server.url(path))
    return urls


def vault_bytes(vault: Path) -> dict[str, bytes]:
    return {p.relative_to(vault).as_posix(): p.read_bytes()
            for p in sorted(vault.rglob("*.md")) if ".gleaner" not in p.parts}


def children_of(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_worker_processes_write_the_same_notes_as_one_process(server, tmp_path, fast_config):
    urls = serve_articles(server)

    here = run(read_sources(urls), fast_config, tmp_path / "here")
    workers = run(read_sources(urls), replace(fast_config, workers=2), tmp_path / "workers")

    assert here.counts == workers.counts == {"written": ARTICLES, "updated": 0,
                                             "unchanged": 0, "skipped": 0, "failed": 0}
    assert vault_bytes(tmp_path / "here") == vault_bytes(tmp_path / "workers")


def test_a_page_without_an_article_fails_alone_in_a_worker(server, tmp_path, fast_config):
    urls = serve_articles(server, 3)
    server.routes["/empty"] = Response("<html><body><nav>Home</nav></body></html>")

    report = run(read_sources([*urls, server.url("/empty")]), replace(fast_config, workers=2),
                 tmp_path / "vault")

    assert report.counts["written"] == 3
    [failure] = report.failures
    assert failure.location == server.url("/empty")


def test_worker_processes_end_when_the_run_is_killed(server, tmp_path):
    for index, url in enumerate(serve_articles(server, 40)):
        server.routes[url.removeprefix(server.url(""))].delay = 0.05 * (index % 3)
    reading_list = tmp_path / "list.txt"
    reading_list.write_text("\n".join(server.url(f"/posts/{i}") for i in range(40)) + "\n")
    config = tmp_path / "gleaner.toml"
    config.write_text("workers = 2\n[fetch]\nhost_delay = 0\n")
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(reading_list),
                                "--vault", str(tmp_path / "vault"), "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(workers := children_of(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2, "the run started no worker processes"

    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    deadline = time.monotonic() + 15
    while any(is_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in workers if is_running(pid)]
