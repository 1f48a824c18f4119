"""Running a benchmark's child process to its end: wall time, CPU, and the peak memory of its
whole process tree (shared by bench/throughput.py and bench/soak.py), and a bench's table of
figures written into docs/BENCHMARKS.md between its markers."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    cpu_seconds: float  # of the child and the processes it waited for
    max_rss_mb: float  # the largest peak (VmHWM) of any one process of the tree
    tree_pss_mb: float
    last_line: str
    pid: int = 0  # also its session's id, when run in a session of its own


class TreePeak(threading.Thread):
    """Peaks of a process and all its descendants, sampled: the largest high-water RSS of
    any one of them (VmHWM: the kernel's own peak, so nothing between samples is missed),
    and the summed PSS of all of them at once.

    Not `ru_maxrss` from `wait4`: Linux carries a process's peak across `execve`, so a child
    forked from the bench starts with the bench's own size (its pages served from memory)
    as its peak, and the 1,000-article run would measure the bench, not Gleaner."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak_kb = self.largest_kb = 0

    def run(self) -> None:
        while not self.done.wait(0.1):
            sizes = [_sizes_kb(pid) for pid in _tree(self.root)]
            self.peak_kb = max(self.peak_kb, sum(pss for pss, _ in sizes))
            self.largest_kb = max(self.largest_kb, *(hwm for _, hwm in sizes), 0)


def _tree(pid: int) -> list[int]:
    try:
        children = [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                    for child in (task / "children").read_text().split()]
    except OSError:  # the process ended between two reads
        return []
    return [pid, *(grandchild for child in children for grandchild in _tree(child))]


def _sizes_kb(pid: int) -> tuple[int, int]:
    """(PSS, VmHWM) of a process in kB; zeros once it has ended."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    pss = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
    hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(pss.group(1)) if pss else 0, int(hwm.group(1)) if hwm else 0


def run_child(argv: list[str], log: Path, fine: tuple[int, ...] = (0,),
              new_session: bool = False) -> ChildRun:
    """Run `argv` to its end: its wall time, peak memory and last output line. In a
    session of its own, what it leaves running can be found by the session's id."""
    with log.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                 start_new_session=new_session)
        sampler = TreePeak(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(encoding="utf-8", errors="replace")
    lines = output.strip().splitlines() or [""]
    if child.returncode not in fine or "Traceback (most recent call last)" in output:
        tail = "\n".join(lines[-20:])
        raise SystemExit(f"{' '.join(argv)} failed with exit {child.returncode}:\n{tail}")
    return ChildRun(seconds, usage.ru_utime + usage.ru_stime, sampler.largest_kb / 1024,
                    sampler.peak_kb / 1024, lines[-1], child.pid)


def write_figures(bench: str, figures: list[tuple[str, str]], command: str,
                  minutes: float) -> None:
    """Replace the bench's section of docs/BENCHMARKS.md (or add it at the end)."""
    begin, end = f"<!-- bench/{bench}: begin -->", f"<!-- bench/{bench}: end -->"
    docs = ROOT / "docs" / "BENCHMARKS.md"
    table = "\n".join(f"| {name} | {value} |" for name, value in figures)
    section = (f"{begin}\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {minutes:.1f} "
               f"min with `{command}` on {platform.processor() or platform.machine()}, "
               f"{os.cpu_count()} cores shared with other engineers' work, Python "
               f"{platform.python_version()}.\n\n| figure | value |\n|---|---|\n{table}\n\n{end}")
    text = docs.read_text(encoding="utf-8")
    if begin in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    docs.write_text(text, encoding="utf-8")
