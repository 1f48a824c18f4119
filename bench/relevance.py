"""Relevance against hand labels: Gleaner's score next to a keyword-count baseline.

Data: tests/data/relevance/articles.jsonl, 54 articles labelled 0–5 for the profile in
tests/data/relevance/profile.toml (see the README there: one developer labelled them before
the scorer was built).

- Gleaner: each article goes through the real analysis stage (pipeline.analyze.Analyzer,
  the real spaCy model), then pipeline/relevance.py with the stated profile. Spearman's ρ
  of the 0–5 relevance (what a note shows) and of the raw score against the labels.
- Baseline: keyword count, the number of the profile's terms with a positive weight found
  in the title and text (whole words, any case), minus the number with a negative weight.
- Learning, hold-out: the articles are split in two halves at random (20 splits); the
  labels of one half are given as ratings (pipeline.learning.learn) and the other half is
  scored with the profile before and after learning: ρ and mean absolute error against its
  labels. Once from the stated profile and once from Gleaner's shipped default profile.

    python bench/relevance.py [--details]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tomllib
from pathlib import Path

from pipeline.analyze import Analyzer
from pipeline.config import DEFAULT_INTERESTS, config_from_dict
from pipeline.learning import Evidence, learn
from pipeline.profile import InterestProfile
from pipeline.records import Article
from pipeline.relevance import NoteFeatures, features_of, score_features

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "relevance"
SPLITS = 20
TARGET = 0.6


def load() -> tuple[list[dict], InterestProfile]:
    articles = [json.loads(line) for line in
                (DATA / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line]
    raw = tomllib.loads((DATA / "profile.toml").read_text(encoding="utf-8"))
    return articles, config_from_dict(raw, origin="profile.toml").interests


def ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    return statistics.correlation(ranks(xs), ranks(ys))


def keyword_count(doc: dict, profile: InterestProfile) -> int:
    text = f"{doc['title']}\n\n{doc['text']}"
    count = 0
    for interest, weight in profile.weights.items():
        if weight and re.search(rf"(?<!\w){re.escape(interest.term.replace('_', ' '))}(?!\w)",
                                text, re.IGNORECASE):
            count += 1 if weight > 0 else -1
    return count


def analysed(articles: list[dict], profile: InterestProfile) -> list[NoteFeatures]:
    analyzer = Analyzer.load()
    phrases = {*profile.phrases(), *DEFAULT_INTERESTS.phrases()}
    features = []
    for doc in articles:
        article = Article(url=doc["url"], source_name=doc["source"], title=doc["title"],
                          text=doc["text"])
        features.append(features_of(article, analyzer.analyze(article), phrases))
    return features


def hold_out(features: list[NoteFeatures], labels: list[int], prior: InterestProfile
             ) -> dict[str, float]:
    """Mean ρ and MAE on the unseen half, before and after learning from the other half."""
    figures: dict[str, list[float]] = {"rho_before": [], "rho_after": [], "mae_before": [],
                                       "mae_after": []}
    generator = random.Random(9)
    indices = list(range(len(labels)))
    for _ in range(SPLITS):
        generator.shuffle(indices)
        rated, unseen = indices[: len(indices) // 2], indices[len(indices) // 2:]
        learned = learn(prior, [Evidence(i, features[i], "rating", labels[i]) for i in rated]
                        + [Evidence(i, features[i], "anchor") for i in unseen])
        truth = [labels[i] for i in unseen]
        for when, profile in (("before", prior), ("after", learned.profile)):
            values = [score_features(features[i], profile).value for i in unseen]
            figures[f"rho_{when}"].append(spearman(values, truth))
            figures[f"mae_{when}"].append(statistics.mean(abs(v - t) for v, t
                                                          in zip(values, truth, strict=True)))
    return {name: statistics.mean(values) for name, values in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="one line per article")
    details = parser.parse_args().details
    articles, profile = load()
    labels = [doc["label"] for doc in articles]
    features = analysed(articles, profile)
    scored = [score_features(f, profile) for f in features]
    keywords = [keyword_count(doc, profile) for doc in articles]
    if details:
        for doc, score, count in zip(articles, scored, keywords, strict=True):
            print(f"{doc['id']:<18} label {doc['label']}  gleaner {score.value} "
                  f"({score.score:+5.2f})  keywords {count:+d}  {doc['title'][:60]}")
    gleaner = spearman([s.value for s in scored], labels)
    raw = spearman([s.score for s in scored], labels)
    print(f"{len(articles)} articles, labels 0–5 for tests/data/relevance/profile.toml")
    print(f"Spearman ρ  Gleaner relevance (0–5)      {gleaner:.3f}")
    print(f"Spearman ρ  Gleaner raw score            {raw:.3f}")
    print(f"Spearman ρ  keyword-count baseline       {spearman(keywords, labels):.3f}")
    print(f"mean |relevance − label|                 "
          f"{statistics.mean(abs(s.value - t) for s, t in zip(scored, labels, strict=True)):.2f}")
    for name, prior in (("stated profile", profile), ("default profile", DEFAULT_INTERESTS)):
        result = hold_out(features, labels, prior)
        print(f"learning from half the labels ({name}, {SPLITS} splits), other half: "
              f"ρ {result['rho_before']:.3f} → {result['rho_after']:.3f}, "
              f"MAE {result['mae_before']:.2f} → {result['mae_after']:.2f}")
    print("target ρ ≥ 0.6: " + ("met" if gleaner >= TARGET else "NOT met"))
    return 0 if gleaner >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
