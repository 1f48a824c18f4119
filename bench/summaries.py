"""Summary quality: ROUGE-1/2/L F of the extractive summarizer next to first-3-sentences.

Two sets: the hand-written references in tests/data/summaries/ (16 articles, ~100-word
abstractive summaries) and the XSum sample in ../shared/data/summarization/ (10 BBC articles,
one-sentence summaries). Sentences come from the pipeline's own analyzer, so the baseline
and the summarizer choose among the same sentences. `extractive@3` is compared at the same
length as the baseline (3 sentences); `first-sentences@words` takes first sentences until it
has as many words as extractive@3, since ROUGE F rewards length up to the reference's;
`extractive@default` is what a note gets.

    python bench/summaries.py
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

from pipeline.analyze import Analyzer
from pipeline.config import SummaryConfig
from pipeline.records import Article
from pipeline.summarize import ExtractiveSummarizer

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "tests" / "data" / "summaries" / "references.jsonl"
XSUM = ROOT.parent / "shared" / "data" / "summarization" / "xsum-sample.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")


@dataclass(frozen=True)
class Case:
    """One article as the summarizers see it, with its reference summary."""

    id: str
    article: Article
    sentences: tuple[str, ...]
    reference: str


Method = Callable[[Case], str]


def load_cases(path: Path, analyzer: Analyzer) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        # XSum separates sentences by single newlines: make each one a paragraph.
        text = row.get("text") or row["document"].replace("\n", "\n\n")
        article = Article(url=row.get("url", "https://bench.invalid/"), source_name="bench",
                          title=row.get("title", ""), text=text)
        sentences = analyzer.analyze(article).sentences
        cases.append(Case(row.get("id", f"{path.stem}-{number}"), article, sentences,
                          row["summary"]))
    return cases


def first_sentences(count: int) -> Method:
    return lambda case: " ".join(case.sentences[:count])


def first_sentences_as_long_as(method: Method) -> Method:
    """First sentences up to the word count of `method`'s summary: a length-fair baseline."""

    def summary(case: Case) -> str:
        target = len(method(case).split())
        chosen: list[str] = []
        for sentence in case.sentences:
            if sum(len(s.split()) for s in chosen) >= target:
                break
            chosen.append(sentence)
        return " ".join(chosen)

    return summary


def extractive(config: SummaryConfig) -> Method:
    summarizer = ExtractiveSummarizer(config)
    return lambda case: summarizer.summarize(case.article, case.sentences)


def score(cases: Sequence[Case], method: Method) -> tuple[dict[str, float], float]:
    """Mean ROUGE F per metric over the cases, and the mean summary length in words."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = dict.fromkeys(METRICS, 0.0)
    words = 0
    for case in cases:
        summary = method(case)
        words += len(summary.split())
        for metric, value in scorer.score(case.reference, summary).items():
            totals[metric] += value.fmeasure
    return {m: totals[m] / len(cases) for m in METRICS}, words / len(cases)


def print_table(name: str, cases: Sequence[Case], methods: dict[str, Method]) -> None:
    print(f"\n{name}: {len(cases)} articles")
    print(f"{'method':<22}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}{'words':>7}")
    for label, method in methods.items():
        means, words = score(cases, method)
        print(f"{label:<22}" + "".join(f"{means[m]:>9.4f}" for m in METRICS) + f"{words:>7.0f}")


def methods(default: SummaryConfig) -> dict[str, Method]:
    three = extractive(SummaryConfig(sentences=3))
    return {
        "first-3-sentences": first_sentences(3),
        "first-sentences@words": first_sentences_as_long_as(three),
        "extractive@3": three,
        f"extractive@default({default.sentences})": extractive(default),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    analyzer = Analyzer.load()
    table = methods(SummaryConfig())
    print_table(f"hand-written references ({REFERENCES.relative_to(ROOT)})",
                load_cases(REFERENCES, analyzer), table)
    if XSUM.is_file():
        print_table(f"XSum sample ({XSUM})", load_cases(XSUM, analyzer), table)
    else:
        print(f"\nXSum sample not found at {XSUM}: the shared data folder must sit next to the "
              "repository (../shared/data/summarization/xsum-sample.jsonl); skipped")


if __name__ == "__main__":
    main()
