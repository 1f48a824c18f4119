"""Main-text extraction against the Zyte article-extraction benchmark (issue 17).

Gleaner's extractor, plain `trafilatura.extract` and each second reader Gleaner could fall
back on, in one run, page by page in turn (the order rotates), so that a busy machine slows
them alike. Scored with the benchmark's own metric, implemented here: 4-token shingles of
`\\w+` tokens, multiset overlap normalised per page, precision and recall averaged over
pages, F1 their harmonic mean. Reported over all pages and over the two halves by id (ids
starting 0-7 and 8-f: rules were chosen on the first and held on the second), then on the
second set: the real dev posts rendered into site templates (bench/_sites.py).

Gleaner's output is the note's Markdown; it is turned into text for scoring after the clock
stops, as trafilatura's text needs no turning (the conversion is timed and shown apart).
`--timing N` times only Gleaner and plain trafilatura, page by page in turn, N rounds, and
reports each round's ratio and their median.

    PYTHONPATH=. .venv/bin/python bench/extraction.py            # both sets
    PYTHONPATH=. .venv/bin/python bench/extraction.py --losses   # and every page that moved
    PYTHONPATH=. .venv/bin/python bench/extraction.py --timing 5 # the time ratio, 5 rounds
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import trafilatura
from _sites import rendered_posts
from readability import Document
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree
from trafilatura.utils import load_html

from pipeline.errors import ExtractError
from pipeline.extract.article import extract_article
from pipeline.extract.main_text import main_markdown
from pipeline.extract.metadata import page_metadata
from pipeline.extract.text import markdown_to_text
from pipeline.records import Page, Source

BENCHMARK = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction-benchmark"
TOKEN = re.compile(r"\w+")
MOVED = 0.01  # a page's F1 change that counts as a win or a loss


@dataclass(frozen=True)
class Case:
    id: str
    url: str
    html: str
    truth: str


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = TOKEN.findall(text or "")
    grams = (" ".join(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(gram for gram in grams if gram)


def precision_recall(predicted: str, truth: str) -> tuple[float, float]:
    """The benchmark's per-page figures: counts normalised to sum to one."""
    found, true = shingles(predicted), shingles(truth)
    tp = sum((found & true).values())
    fp, fn = sum(found.values()) - tp, sum(true.values()) - tp
    if fp == fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    return precision, tp / (tp + fn) if tp + fn else 0.0


def f1(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    precision = sum(p for p, _ in pairs) / len(pairs)
    recall = sum(r for _, r in pairs) / len(pairs)
    return 2 * precision * recall / (precision + recall or 1), precision, recall


def gleaner(case: Case) -> str:
    page = Page(Source(case.url, "bench"), case.url, case.html.encode(), "text/html")
    try:
        return extract_article(page).text
    except ExtractError:
        return ""


def gleaner_text_only(case: Case) -> str:
    """Gleaner's parse, metadata and main text without the links and their sentences
    (pipeline/extract/links.py), which plain trafilatura does not look for: what the extraction
    itself costs."""
    tree = load_html(case.html)
    meta = page_metadata(tree, case.url)
    try:
        return main_markdown(tree, case.url, (meta.title, meta.description))
    except ExtractError:
        return ""


def readability_lxml(case: Case) -> str:
    summary = Document(case.html).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


EXTRACTORS: dict[str, Callable[[Case], str]] = {
    "gleaner": gleaner,
    "gleaner without links": gleaner_text_only,
    "trafilatura": lambda case: trafilatura.extract(case.html) or "",
    "trafilatura fast": lambda case: trafilatura.extract(case.html, fast=True) or "",
    "trafilatura recall": lambda case: trafilatura.extract(case.html, favor_recall=True) or "",
    "trafilatura precision": lambda case: trafilatura.extract(
        case.html, favor_precision=True) or "",
    "readability-lxml": readability_lxml,
    "resiliparse": lambda case: extract_plain_text(HTMLTree.parse(case.html),
                                                   main_content=True),
}


def benchmark_cases() -> list[Case]:
    if not BENCHMARK.is_dir():
        raise SystemExit(f"benchmark not found at {BENCHMARK}")
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    return [Case(key, entry["url"], gzip.open(BENCHMARK / "html" / f"{key}.html.gz", "rt",
                                              encoding="utf-8").read(), entry["articleBody"])
            for key, entry in sorted(truth.items())]


def site_cases() -> list[Case]:
    return [Case(f"{key} ({template})", f"https://site.example/{key}", page, truth)
            for key, template, page, truth in rendered_posts()]


MARKDOWN = ("gleaner", "gleaner without links")  # scored as the note shows the text


def measure(cases: list[Case], names: tuple[str, ...] = tuple(EXTRACTORS)) -> tuple[
        dict[str, dict[str, tuple[float, float]]], dict[str, float]]:
    """Per extractor, per page (precision, recall); per extractor, total seconds, and the
    seconds spent turning Gleaner's Markdown into text for scoring."""
    scores: dict[str, dict[str, tuple[float, float]]] = {name: {} for name in names}
    seconds: Counter[str] = Counter()
    for number, case in enumerate(cases):
        for name in names[number % len(names):] + names[:number % len(names)]:
            started, cpu_started = time.perf_counter(), time.process_time()
            text = EXTRACTORS[name](case)
            seconds[name] += time.perf_counter() - started
            seconds[f"{name} cpu"] += time.process_time() - cpu_started
            if name in MARKDOWN:
                started = time.perf_counter()
                text = markdown_to_text(text)
                seconds["markdown to text"] += time.perf_counter() - started
            scores[name][case.id] = precision_recall(text, case.truth)
    return scores, seconds


def report(title: str, cases: list[Case], halves: bool, losses: bool) -> None:
    scores, seconds = measure(cases)
    groups = {"all": [case.id for case in cases]}
    if halves:
        groups["half A (0-7)"] = [case.id for case in cases if case.id[0] < "8"]
        groups["half B (8-f)"] = [case.id for case in cases if case.id[0] >= "8"]
    print(f"\n## {title}: {len(cases)} pages\n")
    print("| extractor | " + " | ".join(f"F1 {g}" for g in groups) + " | P | R | ms/page |")
    print("|---|" + "---|" * (len(groups) + 3))
    for name in EXTRACTORS:
        cells = [f"{f1([scores[name][i] for i in ids])[0]:.4f}" for ids in groups.values()]
        _, precision, recall = f1(list(scores[name].values()))
        print(f"| {name} | " + " | ".join(cells) +
              f" | {precision:.4f} | {recall:.4f} | {1000 * seconds[name] / len(cases):.1f} |")
    print(f"\nGleaner's time against plain trafilatura's in the same run: "
          f"{seconds['gleaner'] / seconds['trafilatura']:.2f}x "
          f"({seconds['gleaner without links'] / seconds['trafilatura']:.2f}x without links); "
          f"turning its Markdown into text to score it took "
          f"{500 * seconds['markdown to text'] / len(cases):.1f} ms a page, not counted")
    _moves(scores, losses)


def timing(cases: list[Case], rounds: int) -> None:
    """Gleaner's time over plain trafilatura's, each round over every page in turn: wall
    time, and the process's CPU time, which other work on the machine disturbs less."""
    ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
    for number in range(rounds):
        _, seconds = measure(cases, ("gleaner", "trafilatura"))
        ratios["wall"].append(seconds["gleaner"] / seconds["trafilatura"])
        ratios["cpu"].append(seconds["gleaner cpu"] / seconds["trafilatura cpu"])
        print(f"round {number + 1}: gleaner {1000 * seconds['gleaner'] / len(cases):.1f} ms, "
              f"trafilatura {1000 * seconds['trafilatura'] / len(cases):.1f} ms a page: "
              f"{ratios['wall'][-1]:.3f}x (CPU time {ratios['cpu'][-1]:.3f}x)")
    for clock, found in ratios.items():
        print(f"median {statistics.median(found):.3f}x in {clock} time over {rounds} rounds "
              f"(from {min(found):.3f}x to {max(found):.3f}x)")


def _moves(scores: dict[str, dict[str, tuple[float, float]]], listed: bool) -> None:
    page_f1 = {name: {key: f1([pair])[0] for key, pair in pages.items()}
               for name, pages in scores.items()}
    ours, theirs = page_f1["gleaner"], page_f1["trafilatura"]
    wins = sorted((key for key in ours if ours[key] > theirs[key] + MOVED),
                  key=lambda key: theirs[key] - ours[key])
    lost = sorted((key for key in ours if ours[key] < theirs[key] - MOVED),
                  key=lambda key: ours[key] - theirs[key])
    print(f"Against plain trafilatura, page by page (F1 moved by more than {MOVED}): "
          f"{len(wins)} wins, {len(lost)} losses")
    for label, keys in (("win", wins), ("loss", lost)):
        for key in keys if listed else keys[:5]:
            print(f"  {label}: {key[:40]:40} gleaner {ours[key]:.3f}  trafilatura "
                  f"{theirs[key]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--losses", action="store_true", help="list every page that moved")
    parser.add_argument("--timing", type=int, metavar="ROUNDS",
                        help="only time Gleaner against plain trafilatura, ROUNDS times")
    args = parser.parse_args()
    if args.timing:
        print("## Extraction benchmark: Gleaner's time against plain trafilatura's")
        timing(benchmark_cases(), args.timing)
        print("## Second set: dev posts in site templates")
        timing(site_cases(), args.timing)
        return
    report("Extraction benchmark (Zyte)", benchmark_cases(), True, args.losses)
    report("Second set: dev posts in site templates (real text, synthetic pages)",
           site_cases(), False, args.losses)
    print("\nTimes are taken while other work shares the machine's cores: read them as noisy.")


if __name__ == "__main__":
    main()
