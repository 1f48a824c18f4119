"""Importing a reading life (issue 16): a Pocket-style CSV of 10,000 rows over loopback
pages, and a 2,000-record WARC written here by warcio, each imported by the `gleaner import`
command in a child process, then imported again with nothing new.

    python bench/import.py                 # 1,000 and 10,000 rows, 2,000 records; rewrites
                                           # its section of docs/BENCHMARKS.md
    python bench/import.py --quick         # 300 and 1,000 rows, 300 records; prints only
                                           # (also with GLEANER_BENCH_QUICK=1)

Figures: notes per second, the largest peak RSS of any process of the run (bench/_measure.py),
its ratio between the two row counts (memory must not grow with the rows), and the time of
the re-import against the first. Every page is distinct (a marker word after every fourth
word, as in bench/throughput.py), so each row is a note of its own.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from _measure import ROOT, ChildRun, run_child, write_figures
from throughput import QUICK_ENV, Site

PARAGRAPH_SOURCES = ("tests/data/tagging/articles.jsonl", "tests/data/summaries/references.jsonl")
PARAGRAPHS_PER_PAGE = 3
MARK_EVERY = 4  # below pipeline/extract/dedupe.py's 5-word shingles: no two pages share one
CONFIG = "[fetch]\nhost_delay = 0\nconcurrency = 8\nper_host = 8\n"
TARGETS = {"memory": 1.1, "again": 0.05}
WORD = re.compile(r"\w+")


def paragraphs() -> list[str]:
    found: dict[str, None] = {}
    for name in PARAGRAPH_SOURCES:
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            for paragraph in json.loads(line)["text"].split("\n\n"):
                if len(paragraph.split()) >= 25 and not paragraph.startswith(("|", "#", "<")):
                    found.setdefault(paragraph.strip())
    return list(found)


def page(number: int, pool: list[str]) -> bytes:
    """Article `number`: three paragraphs of the pool, every fourth word followed by a
    marker of its own."""
    chosen = [pool[(number * PARAGRAPHS_PER_PAGE + k) % len(pool)]
              for k in range(PARAGRAPHS_PER_PAGE)]
    count = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{match.group()} m{number}" if count % MARK_EVERY == 0 else match.group()

    body = "".join(f"<p>{WORD.sub(mark, p)}</p>" for p in chosen)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Saved {number}</title>"
            f"</head><body><article><h1>Saved {number}</h1>{body}</article></body></html>"
            ).encode()


def pocket_csv(path: Path, urls: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "url", "time_added", "cursor", "tags", "status"])
        for number, url in enumerate(urls):
            writer.writerow([f"Saved {number}", url, 1_600_000_000 + number * 3600, "",
                             f"batch{number % 7}|imported", "archive" if number % 3 else
                             "unread"])


def warc(path: Path, records: int, pool: list[str]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for number in range(records):
            body = page(100_000 + number, pool)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://archived.invalid/{number}", "response", payload=io.BytesIO(body),
                http_headers=headers))


def gleaner(files: list[Path], vault: Path, config: Path, log: Path,
            offline: bool = False) -> ChildRun:
    argv = [sys.executable, "-m", "pipeline", "import", *map(str, files), "--vault",
            str(vault), "--config", str(config), *(["--offline"] if offline else [])]
    return run_child(argv, log)


def written(run: ChildRun) -> int:
    match = re.search(r"(\d+) notes written", run.last_line)
    return int(match.group(1)) if match else 0


def measure(rows: tuple[int, int], records: int, work: Path) -> list[tuple[str, str]]:
    pool = paragraphs()
    config = work / "gleaner.toml"
    config.write_text(CONFIG, encoding="utf-8")
    pages = {f"/p/{n}": page(n, pool) for n in range(max(rows))}
    figures: list[tuple[str, str]] = []
    peaks = {}
    with Site(pages) as site:
        for count in rows:
            export = work / f"pocket-{count}.csv"
            pocket_csv(export, [site.base + f"/p/{n}" for n in range(count)])
            vault = work / f"vault-{count}"
            first = gleaner([export], vault, config, work / f"first-{count}.log")
            again = gleaner([export], vault, config, work / f"again-{count}.log")
            peaks[count] = first.max_rss_mb
            figures += _pair(f"Pocket CSV, {count:,} rows", first, again)
    small, large = rows
    figures.append((f"peak RSS {large:,} rows / {small:,} rows",
                    f"{peaks[large] / peaks[small]:.2f}x ({peaks[small]:.0f} MB → "
                    f"{peaks[large]:.0f} MB; target ≤ {TARGETS['memory']}x)"))
    archive = work / "crawl.warc.gz"
    warc(archive, records, pool)
    vault = work / "vault-warc"
    first = gleaner([archive], vault, config, work / "warc-first.log", offline=True)
    again = gleaner([archive], vault, config, work / "warc-again.log", offline=True)
    figures += _pair(f"WARC, {records:,} records (--offline)", first, again)
    return figures


def outcome(run: ChildRun) -> str:
    """The run's last line without the vault's temporary path."""
    return run.last_line.split(": ", 1)[-1]


def _pair(name: str, first: ChildRun, again: ChildRun) -> list[tuple[str, str]]:
    notes = written(first)
    ratio = again.seconds / first.seconds
    return [
        (f"{name}: first import", f"{notes:,} notes in {first.seconds:.1f} s = "
                                  f"{notes / first.seconds:.1f} notes/s, CPU "
                                  f"{first.cpu_seconds:.1f} s, peak RSS "
                                  f"{first.max_rss_mb:.0f} MB (tree PSS "
                                  f"{first.tree_pss_mb:.0f} MB); {outcome(first)}"),
        (f"{name}: import again", f"{again.seconds:.1f} s = {ratio:.1%} of the first "
                                  f"(target < {TARGETS['again']:.0%}: "
                                  f"{'met' if ratio < TARGETS['again'] else 'SHORT'}); "
                                  f"{outcome(again)}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick or os.environ.get(QUICK_ENV) == "1"
    rows, records = ((300, 1_000), 300) if quick else ((1_000, 10_000), 2_000)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gleaner-import-bench-") as folder:
        figures = measure(rows, records, Path(folder))
    for name, value in figures:
        print(f"{name}: {value}")
    if not quick:
        write_figures("import.py", figures, "python bench/import.py",
                      (time.perf_counter() - started) / 60)


if __name__ == "__main__":
    main()
