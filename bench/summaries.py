"""Summary quality: ROUGE-1/2/L F (stemmed) of Gleaner's summary beside the baselines, per set.

Three sets, in one run:
- real AI posts: the 91 reference summaries of tests/data/summaries/dev-posts.jsonl, written by
  reading (docs/SUMMARIES.md), over ../shared/data/dev-posts/ (newsletter issues split into
  entries by bench/_devposts.py). The ids are split in two halves by their document (a hash
  of the file stem, so the entries of one issue stay together): "fit" is the half the
  summarizer's choices were made on, "check" the half it never looked at one by one.
- news references: the 16 hand-written summaries of tests/data/summaries/references.jsonl.
- XSum sample: 10 BBC articles with their one-sentence summaries (../shared/data/summarization/).

Methods, all over the analyzer's own sentences:
- gleaner: the extractive summary a note gets (the default [summary] config);
- lead-3: the article's first three sentences;
- lead-N: the first words of the article's plain text, as many as Gleaner's summary has;
- textrank: PageRank over TF-IDF cosine similarity of the same clean candidates, uniform
  prior, as many sentences as Gleaner chose, in the article's order;
- oracle: sentences chosen greedily against the reference (the best ROUGE-1 + ROUGE-2 F),
  while the score still rises: the ceiling for any extractive method.

The targets (issue 23) are checked on the real set: Gleaner's ROUGE-2 ≥ 1.15 × lead-N's, with
a bootstrap 95% interval of the ratio; ROUGE-L ≥ lead-N's; no Markdown, URL or list debris in
any summary (by a check of its own, independent of the summarizer's filter). Time: summary
time per article against the analysis stage's, on the real set.

    python bench/summaries.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _devposts import DEV_POSTS, by_id
from rouge_score import rouge_scorer, tokenizers

from pipeline.config import SummaryConfig
from pipeline.extract.text import markdown_blocks, markdown_to_text
from pipeline.nlp.analyze import Analyzer
from pipeline.records import Analysis, Article
from pipeline.summaries.candidates import summary_candidates
from pipeline.summaries.sentence_rank import sentence_terms, tfidf
from pipeline.summaries.summarize import ExtractiveSummarizer

ROOT = Path(__file__).resolve().parents[1]
DEV_REFERENCES = ROOT / "tests" / "data" / "summaries" / "dev-posts.jsonl"
NEWS_REFERENCES = ROOT / "tests" / "data" / "summaries" / "references.jsonl"
XSUM = ROOT.parent / "shared" / "data" / "summarization" / "xsum-sample.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL")
SCORER = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=True)  # the scorer's own
TARGET_RATIO = 1.15
DAMPING = 0.85
# What a summary must never show: Markdown syntax, HTML, template tags, URLs, list markers.
DEBRIS = re.compile(r"\]\(|\[[^\]]*\]|\*\*|__|`|<[a-z/!]|\{[{%]|\||(?:^|\n)\s*#|"
                    r"(?:^|\n)\s*(?:[*+•]|\d+[.)])\s|https?://|www\.|\b\w+\.(?:com|org|io)/",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    """One article as the summarizers see it, with its reference summary."""

    id: str
    article: Article
    analysis: Analysis
    reference: str
    analysis_seconds: float


Method = Callable[[Case], str]


def analyzed(id: str, article: Article, reference: str, analyzer: Analyzer) -> Case:
    start = time.perf_counter()
    analysis = analyzer.analyze(article)
    return Case(id, article, analysis, reference, time.perf_counter() - start)


def dev_cases(analyzer: Analyzer) -> list[Case]:
    rows = [json.loads(line) for line in DEV_REFERENCES.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    posts = by_id([row["id"] for row in rows])
    return [analyzed(row["id"], Article(url=posts[row["id"]].url, source_name="bench",
                                        title=posts[row["id"]].title,
                                        text=posts[row["id"]].body),
                     row["summary"], analyzer) for row in rows]


def jsonl_cases(path: Path, analyzer: Analyzer) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        # XSum separates sentences by single newlines: make each one a paragraph.
        text = row.get("text") or row["document"].replace("\n", "\n\n")
        article = Article(url=row.get("url", "https://bench.invalid/"), source_name="bench",
                          title=row.get("title", ""), text=text)
        cases.append(analyzed(row.get("id", f"{path.stem}-{number}"), article, row["summary"],
                              analyzer))
    return cases


def half_of(case_id: str) -> str:
    """"fit" or "check", by the document: the entries of one newsletter issue stay together."""
    stem = case_id.split("#", 1)[0]
    return "fit" if hashlib.sha256(stem.encode()).digest()[0] % 2 == 0 else "check"


def gleaner(config: SummaryConfig) -> Method:
    summarizer = ExtractiveSummarizer(config)
    return lambda case: summarizer.summarize(case.article, case.analysis)


def lead_sentences(count: int) -> Method:
    return lambda case: " ".join(case.analysis.sentences[:count])


def lead_words_as_long_as(method: Method) -> Method:
    """The article's first words, as many as `method`'s summary has: a length-fair lead."""
    def summary(case: Case) -> str:
        words = markdown_to_text(case.article.text).split()
        return " ".join(words[:len(method(case).split())])
    return summary


def textrank_as_long_as(method: Method) -> Method:
    """TextRank alone over Gleaner's candidates, as many sentences as `method` chose."""
    def summary(case: Case) -> str:
        texts = [c.text for c in summary_candidates(case.article.text, case.analysis.sentences)]
        if not texts:
            return ""
        ours = method(case)
        count = max(1, sum(1 for t in texts if t in ours))
        vectors = tfidf([[t for t in sentence_terms(text) if len(t) == 1] for text in texts])
        chosen = np.argsort(-_pagerank(vectors @ vectors.T))[:count]
        return " ".join(texts[i] for i in sorted(chosen))
    return summary


def _pagerank(similarity: np.ndarray, iterations: int = 50) -> np.ndarray:
    np.fill_diagonal(similarity, 0.0)
    totals = similarity.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, similarity / np.where(totals == 0, 1, totals), 0.0)
    prior = np.full(len(similarity), 1.0 / len(similarity))
    scores = prior.copy()
    for _ in range(iterations):
        scores = (1 - DAMPING) * prior + DAMPING * transition.T @ scores
    return scores


def oracle(case: Case) -> str:
    """Sentences added greedily, each the one that most raises ROUGE-1 + ROUGE-2 F against the
    reference, until none does (n-gram counts computed once per sentence, as rouge-score
    counts them)."""
    grams = [_ngrams(TOKENIZER.tokenize(s)) for s in case.analysis.sentences]
    wanted = _ngrams(TOKENIZER.tokenize(case.reference))
    chosen: list[int] = []
    best = 0.0
    while True:
        scored = [(_f(wanted, _sum(grams, [*chosen, i])), i)
                  for i in range(len(grams)) if i not in chosen]
        if not scored or max(scored)[0] <= best:
            break
        best, pick = max(scored)
        chosen.append(pick)
    return " ".join(case.analysis.sentences[i] for i in sorted(chosen))


def _ngrams(tokens: list[str]) -> tuple[dict, dict]:
    unigrams: dict = {}
    bigrams: dict = {}
    for token in tokens:
        unigrams[token] = unigrams.get(token, 0) + 1
    for pair in zip(tokens, tokens[1:], strict=False):
        bigrams[pair] = bigrams.get(pair, 0) + 1
    return unigrams, bigrams


def _sum(grams: list[tuple[dict, dict]], chosen: list[int]) -> tuple[dict, dict]:
    total: tuple[dict, dict] = ({}, {})
    for i in chosen:
        for n in (0, 1):
            for gram, count in grams[i][n].items():
                total[n][gram] = total[n].get(gram, 0) + count
    return total


def _f(wanted: tuple[dict, dict], got: tuple[dict, dict]) -> float:
    score = 0.0
    for n in (0, 1):
        overlap = sum(min(count, wanted[n].get(gram, 0)) for gram, count in got[n].items())
        if overlap:
            precision = overlap / sum(got[n].values())
            recall = overlap / sum(wanted[n].values())
            score += 2 * precision * recall / (precision + recall)
    return score


def rouge(cases: Sequence[Case], method: Method) -> tuple[np.ndarray, float]:
    """ROUGE F per case (rows) and metric (columns), and the mean summary length in words."""
    rows, words = [], 0
    for case in cases:
        summary = method(case)
        words += len(summary.split())
        scores = SCORER.score(case.reference, summary)
        rows.append([scores[m].fmeasure for m in METRICS])
    return np.array(rows), words / len(cases)


def print_table(name: str, cases: Sequence[Case], methods: dict[str, Method]
                ) -> dict[str, np.ndarray]:
    print(f"\n{name}: {len(cases)} articles")
    print(f"{'method':<12}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}{'words':>7}")
    results = {}
    for label, method in methods.items():
        results[label], words = rouge(cases, method)
        means = results[label].mean(axis=0)
        print(f"{label:<12}" + "".join(f"{m:>9.4f}" for m in means) + f"{words:>7.0f}")
    return results


def bootstrap_ratio(ours: np.ndarray, theirs: np.ndarray, draws: int = 2000
                    ) -> tuple[float, float]:
    generator = np.random.default_rng(23)
    ratios = []
    for _ in range(draws):
        sample = generator.integers(0, len(ours), len(ours))
        ratios.append(ours[sample].mean() / theirs[sample].mean())
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def print_targets(results: dict[str, np.ndarray]) -> None:
    ours, lead = results["gleaner"], results["lead-N"]
    ratio = ours[:, 1].mean() / lead[:, 1].mean()
    low, high = bootstrap_ratio(ours[:, 1], lead[:, 1])
    print(f"  ROUGE-2 gleaner / lead-N = {ratio:.4f} (95% bootstrap {low:.2f}–{high:.2f}; "
          f"target ≥ {TARGET_RATIO}): {'met' if ratio >= TARGET_RATIO else 'NOT met'}")
    difference = ours[:, 2].mean() - lead[:, 2].mean()
    print(f"  ROUGE-L gleaner − lead-N = {difference:+.4f} (target ≥ 0): "
          f"{'met' if difference >= 0 else 'NOT met'}")


def debris(cases: Sequence[Case], configs: Sequence[SummaryConfig]) -> list[str]:
    """Each summary with Markdown, URL or list debris, or with a sentence that is not inside
    one block of the article (list items or cells glued together)."""
    found = []
    for config in configs:
        summarize = gleaner(config)
        for case in cases:
            summary = summarize(case)
            lines = summary.splitlines() if config.style == "bullets" else [summary]
            texts = [b.text for b in markdown_blocks(case.article.text)]
            for line in lines:
                body = line.removeprefix("- ") if config.style == "bullets" else line
                if DEBRIS.search(body):
                    found.append(f"{case.id} ({config.style}): {body!r}")
                elif config.style == "bullets" and not any(body in t for t in texts):
                    found.append(f"{case.id} (bullets): not one block's text: {body!r}")
    return found


def print_time(cases: Sequence[Case], method: Method) -> None:
    start = time.perf_counter()
    for case in cases:
        method(case)
    summary_seconds = (time.perf_counter() - start) / len(cases)
    analysis_seconds = sum(c.analysis_seconds for c in cases) / len(cases)
    print(f"\ntime per article: analysis {analysis_seconds * 1000:.1f} ms, summary "
          f"{summary_seconds * 1000:.1f} ms = {summary_seconds / analysis_seconds:.1%} of the "
          "analysis (target < 10%)")


def methods(default: SummaryConfig) -> dict[str, Method]:
    ours = gleaner(default)
    return {
        "gleaner": ours,
        "lead-3": lead_sentences(3),
        "lead-N": lead_words_as_long_as(ours),
        "textrank": textrank_as_long_as(ours),
        "oracle": oracle,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debris", action="store_true", help="list every summary with debris")
    arguments = parser.parse_args()
    if not DEV_POSTS.is_dir() or not XSUM.is_file():
        raise SystemExit("the shared data folder must sit next to the repository "
                         "(../shared/data/dev-posts/, ../shared/data/summarization/)")
    analyzer = Analyzer.load()
    table = methods(SummaryConfig())
    real = dev_cases(analyzer)
    results = print_table("real AI posts (tests/data/summaries/dev-posts.jsonl)", real, table)
    print_targets(results)
    for half in ("fit", "check"):
        part = [c for c in real if half_of(c.id) == half]
        print_targets(print_table(f"real AI posts, {half} half", part, table))
    found = debris(real, [SummaryConfig(), SummaryConfig(style="bullets")])
    print(f"\nsummaries with Markdown, URL or list debris (paragraphs and bullets, "
          f"{2 * len(real)} summaries): {len(found)}")
    for line in found if arguments.debris else found[:5]:
        print(f"  {line}")
    print_time(real, table["gleaner"])
    print_table("news references (tests/data/summaries/references.jsonl)",
                jsonl_cases(NEWS_REFERENCES, analyzer), table)
    print_table(f"XSum sample ({XSUM.relative_to(ROOT.parent)})", jsonl_cases(XSUM, analyzer),
                table)


if __name__ == "__main__":
    main()
