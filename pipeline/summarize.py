"""Summaries. The default is extractive and offline: it picks the article's own sentences.

Sentences are ranked by TextRank (PageRank over TF-IDF cosine similarity) with a prior
toward the beginning of the article and the title's words, and against sentences that lean
on an earlier one ("It …", "However …", which read badly out of context); they are then
chosen greedily with a redundancy penalty (MMR) and given back in the article's order.
Only clean sentences are candidates: no boilerplate ("Click here", "Subscribe"), no photo
captions or credits, no questions or lead-ins to a list, no fragment of a quotation that
the sentence splitter cut in two. `bench/summaries.py` measures the result with ROUGE.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from .config import SummaryConfig
from .records import Article

WORD = re.compile(r"[a-z][a-z0-9'-]+")
BOILERPLATE = re.compile(
    r"click here|subscribe|sign up|newsletter|cookie|all rights reserved|©|follow us|"
    r"share this|read more|we're hiring|check out|originally published|"
    r"(?:photo|image|illustration|graphic)(?:graph)?s?(?: credit)?:|getty images|"
    r"\((?:ap|afp|reuters) photo|(?:photo|image)s? (?:by|courtesy of)\b",
    re.IGNORECASE,
)
QUOTES = (("“", "”"), ("«", "»"))
DANGLING_START = re.compile(
    r"^(?:it|this|that|these|those|they|he|she|instead|however|but|so|and|also|then|"
    r"still|yet|or)\b", re.IGNORECASE
)
MIN_WORDS, MAX_WORDS = 8, 60
DANGLING_WEIGHT = 0.5
DAMPING = 0.85
REDUNDANCY = 0.35
DUPLICATE = 0.7  # cosine similarity above which a sentence only repeats a chosen one


class Summarizer(Protocol):
    def summarize(self, article: Article, sentences: Sequence[str]) -> str: ...


class ExtractiveSummarizer:
    def __init__(self, config: SummaryConfig) -> None:
        self.config = config

    def summarize(self, article: Article, sentences: Sequence[str]) -> str:
        candidates = [s for s in dict.fromkeys(sentences) if _is_summary_sentence(s)]
        if not candidates:
            return article.description or ""
        chosen = select_sentences(candidates, self.config.sentences, article.title)
        if self.config.style == "bullets":
            return "\n".join(f"- {s}" for s in chosen)
        return " ".join(chosen)


def select_sentences(sentences: Sequence[str], count: int, title: str = "") -> list[str]:
    if len(sentences) <= count:
        return list(sentences)
    matrix = _tfidf([_words(title), *[_words(s) for s in sentences]])
    title_vector, vectors = matrix[0], matrix[1:]
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    prior = np.array([1.0 / math.sqrt(i + 1) for i in range(len(sentences))])
    prior = prior * (1.0 + vectors @ title_vector) * np.array(
        [DANGLING_WEIGHT if DANGLING_START.match(s) else 1.0 for s in sentences]
    )
    scores = _pagerank(similarity, prior / prior.sum())
    chosen: list[int] = []
    while len(chosen) < count:
        penalty = similarity[:, chosen].max(axis=1) if chosen else np.zeros(len(sentences))
        mmr = scores / scores.max() - REDUNDANCY * penalty
        mmr[chosen] = -np.inf
        mmr[penalty > DUPLICATE] = -np.inf
        if np.isneginf(mmr).all():
            break
        chosen.append(int(np.argmax(mmr)))
    return [sentences[i] for i in sorted(chosen)]


def _is_summary_sentence(sentence: str) -> bool:
    words = sentence.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and not sentence.rstrip().endswith((":", "?"))
        and not BOILERPLATE.search(sentence)
        and (sentence[:1].isupper() or sentence[:1].isdigit() or sentence[:1] in "\"“")
        and _quotes_balanced(sentence)
    )


def _quotes_balanced(sentence: str) -> bool:
    """False for half a quotation: `And like, five swiped away,” said Will.`"""
    return sentence.count('"') % 2 == 0 and all(
        sentence.count(opening) == sentence.count(closing) for opening, closing in QUOTES)


def _words(sentence: str) -> list[str]:
    return [w for w in WORD.findall(sentence.lower()) if w not in STOP_WORDS]


def _tfidf(documents: list[list[str]]) -> np.ndarray:
    vocabulary = {w: i for i, w in enumerate(sorted({w for d in documents for w in d}))}
    matrix = np.zeros((len(documents), max(1, len(vocabulary))))
    frequency = Counter(w for d in documents for w in set(d))
    for row, document in enumerate(documents):
        for word, n in Counter(document).items():
            matrix[row, vocabulary[word]] = n * math.log(1 + len(documents) / frequency[word])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _pagerank(similarity: np.ndarray, prior: np.ndarray, iterations: int = 50) -> np.ndarray:
    totals = similarity.sum(axis=1, keepdims=True)
    transition = np.where(totals > 0, similarity / np.where(totals == 0, 1, totals), 0.0)
    scores = prior.copy()
    for _ in range(iterations):
        scores = (1 - DAMPING) * prior + DAMPING * transition.T @ scores
    return scores
