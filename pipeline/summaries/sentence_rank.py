"""How much each candidate sentence says about what the article is about.

A sentence's salience adds up signals that generalize across articles, each on its own
scale: how much of it is the title's words, and its section heading's; how much is the
article's recurring terms, the more so the earlier they first appear (what the post sets
out to talk about); how alike it is to the article's other sentences (its centrality: the
TextRank idea, without the walk); how many of the topics the analysis found most often it
names; how early it comes; and how specific it is (numbers, names). It is scaled by the
sentence's weight (less for a weak section, a quotation, a paragraph of links:
summaries/candidates.py).

The coefficients were fitted once by least squares, on one half of the real evaluation
set (tests/data/summaries/dev-posts.jsonl, the ids bench/summaries.py calls "fit"), to the
share of each sentence's bigrams found in the reference summary, and rounded; the other
half checks them (docs/SUMMARIES.md). The heading's was added after, at half the title's,
on the same half; centrality's was doubled: news articles lean on it more than blog posts,
and the news references must not lose to the earlier summarizer.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from ..records import Analysis, Article, Topic
from .candidates import Candidate

TOKEN = re.compile(r"[a-z0-9][a-z0-9'.-]*[a-z0-9]|[a-z0-9]")
NAME = re.compile(r"\b[A-Z][a-zA-Z0-9]+")
NUMBER = re.compile(r"\d")
MIN_REPEATS = 2  # a term in fewer sentences than this is not one the article is about
TITLE = 1.0
HEADING = 0.5
RECURRING = 0.22
CENTRAL = 0.4
TOPICS = 0.08
POSITION = 0.25
NUMBERS = 0.09
NAMES = 0.25


@dataclass(frozen=True)
class Ranking:
    """A salience per candidate, and the candidates' unit TF-IDF vectors (over the terms at
    least two of them share: the only ones that make two sentences alike)."""

    scores: np.ndarray
    vectors: np.ndarray

    def similarity(self, chosen: Sequence[int]) -> np.ndarray:
        """Each candidate's cosine similarity to the most similar of the chosen ones."""
        if not chosen:
            return np.zeros(len(self.scores))
        return (self.vectors @ self.vectors[list(chosen)].T).max(axis=1)


def rank_sentences(candidates: Sequence[Candidate], article: Article, analysis: Analysis
                   ) -> Ranking:
    every_terms = [sentence_terms(s) for s in analysis.sentences]
    terms = [every_terms[c.position] for c in candidates]
    vectors = tfidf([[t for t in ts if len(t) == 1] for ts in terms])
    # The summed similarity to the other sentences (not to itself).
    centrality = vectors @ vectors.sum(axis=0) - np.einsum("ij,ij->i", vectors, vectors)
    centrality /= centrality.max() or 1.0
    sizes = np.array([len(c.text.split()) for c in candidates], dtype=float)
    headings = {c.heading: sentence_terms(c.heading) for c in candidates}
    scores = (
        TITLE * _shared(terms, [sentence_terms(article.title)] * len(terms)) / sizes
        + HEADING * _shared(terms, [headings[c.heading] for c in candidates]) / sizes
        + RECURRING * _recurring(terms, every_terms) / sizes
        + CENTRAL * centrality
        + TOPICS * _topic_salience(candidates, analysis)
        + POSITION / np.sqrt([c.position + 1.0 for c in candidates])
        + NUMBERS * np.array([bool(NUMBER.search(c.text)) for c in candidates])
        + NAMES * np.array([len(NAME.findall(c.text[1:])) for c in candidates]) / sizes
    ) * np.array([c.weight for c in candidates])
    return Ranking(scores, vectors)


def sentence_terms(text: str) -> set[tuple[str, ...]]:
    """A sentence's content words and the word pairs that are not both stop words, with a
    plural's `s` dropped so `model` and `models` are one term."""
    tokens = [_singular(t) for t in TOKEN.findall(text.lower())]
    pairs = {(a, b) for a, b in zip(tokens, tokens[1:], strict=False)
             if a not in STOP_WORDS or b not in STOP_WORDS}
    return pairs | {(t,) for t in tokens if t not in STOP_WORDS and len(t) > 2}


def tfidf(documents: list[list[tuple[str, ...]]]) -> np.ndarray:
    """TF-IDF rows of unit length, one per document, with columns only for the terms found
    in two documents or more: a term of one document adds nothing to any similarity between
    two, and dropping it keeps the matrix small (its weight still counts in the length)."""
    frequency = Counter(w for d in documents for w in set(d))
    vocabulary = {w: i for i, w in enumerate(sorted(w for w, n in frequency.items() if n > 1))}
    matrix = np.zeros((len(documents), max(1, len(vocabulary))))
    norms = np.zeros(len(documents))
    for row, document in enumerate(documents):
        for word, n in Counter(document).items():
            weight = n * math.log(1 + len(documents) / frequency[word])
            norms[row] += weight * weight
            if word in vocabulary:
                matrix[row, vocabulary[word]] = weight
    return matrix / np.where(norms == 0, 1, np.sqrt(norms))[:, None]


def _singular(token: str) -> str:
    return token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") \
        else token


def _shared(terms: list[set[tuple[str, ...]]], others: list[set[tuple[str, ...]]]
            ) -> np.ndarray:
    """Per sentence, how many of its terms the other text (title, heading) has."""
    return np.array([len(ts & other) for ts, other in zip(terms, others, strict=True)],
                    dtype=float)


def _recurring(terms: list[set[tuple[str, ...]]], every_terms: list[set[tuple[str, ...]]]
               ) -> np.ndarray:
    """Per sentence, its terms that recur in the article, each weighing 1/√(n+1) for a term
    first seen in the article's sentence n."""
    frequency: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], int] = {}
    for n, found in enumerate(every_terms):
        for term in found:
            frequency[term] += 1
            first.setdefault(term, n)
    return np.array([sum(1 / math.sqrt(first[t] + 1) for t in ts
                         if frequency[t] >= MIN_REPEATS) for ts in terms])


def _topic_salience(candidates: Sequence[Candidate], analysis: Analysis) -> np.ndarray:
    """Per sentence, the summed weight of the topics it names (at most 1), a topic's weight
    being its mentions over those of the article's most mentioned topic."""
    names = _topic_names(analysis.topics)
    if not names:
        return np.zeros(len(candidates))
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
                         + r")\b", re.IGNORECASE)
    counts = {t.key: analysis.mentions.get(t.key, 1) for t in analysis.topics}
    most = max(counts.values())
    salience = []
    for candidate in candidates:
        named = {names[m.group(0).lower()] for m in pattern.finditer(candidate.text)}
        salience.append(min(1.0, sum(counts[key] / most for key in named)))
    return np.array(salience)


def _topic_names(topics: Sequence[Topic]) -> dict[str, str]:
    """Every name and alias of the topics, lower-cased, to its topic's key."""
    return {name.lower(): topic.key for topic in topics
            for name in (topic.name, *topic.aliases) if len(name) > 1}
