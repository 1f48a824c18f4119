"""A second `gleaner ingest` with nothing new: it must write nothing and take under 5% of
the first run's time.

Serves a copy of examples/site on a free loopback port (the feeds rewritten to point at
it), then runs `gleaner ingest --config examples/ingest/gleaner.toml` into a fresh vault,
and three more times with nothing new, each as a subprocess, as cron would (the installed
`gleaner` script); every later run must leave every note as it was. The package
is first compiled to bytecode, as pip does when it installs a wheel: an editable checkout
gets its bytecode at first import, or never where PYTHONDONTWRITEBYTECODE is set, and would
then compile every module on every run. The first run includes loading spaCy and
whatever the newsletter's external links cost (offline: an instant DNS failure and the
retry backoff; online: the real fetches); a later one makes one conditional request per
feed (robots.txt is kept a day).

It reports two ratios: the command as cron runs it (wall time of the process, so Python's
start-up and imports count), the median of all later runs against the median of the first
runs; and a first and a second run in one process (the work alone).

    python bench/ingest.py [--repeat N]
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import ingest as ingest_here
from pipeline.commands.demo import DEMO_PORT, serve_site
from pipeline.config import load_config

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "examples" / "site"
CONFIG = ROOT / "examples" / "ingest" / "gleaner.toml"
DEMO_HOST = f"127.0.0.1:{DEMO_PORT}"
RERUNS = 3  # polls with nothing new after each first run: a steadier median
GLEANER = Path(sys.executable).with_name("gleaner")


def site_copy(target: Path, port: int) -> Path:
    """examples/site with every absolute demo URL pointed at `port`."""
    shutil.copytree(SITE, target)
    for path in target.rglob("*"):
        if path.suffix in (".xml", ".atom", ".html", ".json"):
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(DEMO_HOST, f"127.0.0.1:{port}"), encoding="utf-8")
    return target


def snapshot(vault: Path) -> dict[str, str]:
    """Every note's content hash and modification time, to prove nothing was written."""
    return {str(p.relative_to(vault)): f"{hashlib.sha256(p.read_bytes()).hexdigest()} "
            f"{p.stat().st_mtime_ns}" for p in sorted(vault.rglob("*.md"))}


def ingest(config: Path, vault: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run([str(GLEANER), "ingest", "--config", str(config), "--vault", str(vault)],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    return elapsed, done.returncode, done.stdout.strip()


def in_process(config: Path, vault: Path) -> tuple[float, float]:
    """Both runs through the library in this process: no start-up, no imports."""
    loaded = load_config(config)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        ingest_here(loaded, vault)
        times.append(time.perf_counter() - started)
    return times[0], times[1]


def bench(repeat: int) -> None:
    compileall.compile_dir(ROOT / "pipeline", quiet=1)
    firsts, seconds, ratios, alone_runs = [], [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as temp:
            work = Path(temp)
            port = _free_port()
            site = site_copy(work / "site", port)
            config = work / "gleaner.toml"
            config.write_text(CONFIG.read_text(encoding="utf-8").replace(
                DEMO_HOST, f"127.0.0.1:{port}"), encoding="utf-8")
            vault = work / "vault"
            with serve_site(site, port):
                first, code, summary = ingest(config, vault)
                print(f"first run:  {first:6.3f} s  exit {code}  {summary}")
                before = snapshot(vault)
                again = [rerun(config, vault, before) for _ in range(RERUNS)]
                alone_runs.append(in_process(config, Path(temp) / "vault-in-process"))
                print(f"in process: {alone_runs[-1][0]:6.3f} s, then {alone_runs[-1][1]:6.3f} s")
            firsts.append(first)
            seconds.extend(again)
            ratios.append(statistics.median(again) / first)
    first, second = statistics.median(firsts), statistics.median(seconds)
    alone = statistics.median(second / first for first, second in alone_runs)
    print(f"\nnotes: {len(before)} in the vault, none changed by any later run")
    print(f"the command, median of {repeat} first runs and {len(seconds)} later ones: first "
          f"{first:.3f} s, later {second:.3f} s, later/first = {second / first:.1%} "
          f"(each repeat: {min(ratios):.1%} to {max(ratios):.1%}; target: under 5%)")
    print(f"the work alone (in process), median of {repeat}: later/first = {alone:.1%}")


def rerun(config: Path, vault: Path, before: dict[str, str]) -> float:
    """One more poll with nothing new; it must leave every note as it was."""
    elapsed, code, summary = ingest(config, vault)
    print(f"later run:  {elapsed:6.3f} s  exit {code}  {summary}")
    if snapshot(vault) != before:
        raise SystemExit("FAIL: a run with nothing new changed notes")
    return elapsed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    bench(parser.parse_args().repeat)
