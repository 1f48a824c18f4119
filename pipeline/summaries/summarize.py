"""Summaries. The default is extractive and offline: it picks the article's own sentences.

Only clean sentences of the article's prose are candidates (summaries/candidates.py): never a
list item, a table row, a heading, a caption, or a sentence with Markdown, code or URL
debris. Each gets a salience (summaries/sentence_rank.py: the title's words, the article's recurring
terms, centrality, the topics the analysis found, position, specificity; less in a weak
section, a quotation or a paragraph of links). They are chosen greedily by salience less
redundancy (MMR); a sentence that leans on the one before it ("It …", "However …") comes
with that one or not at all. A short article gets fewer sentences, and they are given back
in the article's order. `bench/summaries.py` measures the result with ROUGE.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..config import SummaryConfig
from ..records import Analysis, Article
from .candidates import Candidate, summary_candidates
from .sentence_rank import Ranking, rank_sentences

# A sentence opening with one of these leans on the one before it; "This week" does not.
DANGLING_START = re.compile(
    r"^(?:(?:this|that|these|those)\b(?! (?:week|month|year|morning|afternoon|evening|night|"
    r"weekend|summer|spring|autumn|winter|post|article)\b)|"
    r"it|its|they|their|them|he|she|his|her|instead|however|but|"
    r"so|and|also|then|still|yet|or|both|such|thus|hence|therefore|meanwhile|moreover|"
    r"furthermore|additionally|likewise|similarly|otherwise|here|"
    r"the (?:latter|former|same)|in (?:addition|contrast|fact|turn)|as a result|"
    r"for (?:example|instance)|on the other hand|even so|other|another|which)\b",
    re.IGNORECASE,
)
REDUNDANCY = 0.6
MAX_ANTECEDENTS = 1
DUPLICATE = 0.7  # cosine similarity above which a sentence only repeats a chosen one
# Prose words of an article → at most this many sentences; longer articles get the config's.
SHORT_ARTICLES = ((150, 2), (400, 3))


class Summarizer(Protocol):
    def summarize(self, article: Article, analysis: Analysis) -> str: ...


class ExtractiveSummarizer:
    def __init__(self, config: SummaryConfig) -> None:
        self.config = config

    def summarize(self, article: Article, analysis: Analysis) -> str:
        candidates = summary_candidates(article.text, analysis.sentences)
        if not candidates:
            return article.description or ""
        count = _sentence_count(analysis.sentences, self.config.sentences)
        chosen = select_sentences(candidates, count, rank_sentences(candidates, article, analysis))
        if self.config.style == "bullets":
            return "\n".join(f"- {s}" for s in chosen)
        return " ".join(chosen)


def select_sentences(candidates: Sequence[Candidate], count: int, ranking: Ranking
                     ) -> list[str]:
    """Up to `count` sentences by salience less redundancy (MMR), in the article's order."""
    by_position = {c.position: i for i, c in enumerate(candidates)}
    scores = ranking.scores / (ranking.scores.max() or 1.0)
    chosen: list[int] = []
    while len(chosen) < count:
        penalty = ranking.similarity(chosen)
        mmr = scores - REDUNDANCY * penalty
        mmr[chosen] = -np.inf
        mmr[penalty > DUPLICATE] = -np.inf
        picked = _best_fitting(mmr, candidates, by_position, chosen, count - len(chosen))
        if picked is None:
            break
        chosen.extend(picked)
    return [candidates[i].text for i in sorted(chosen)]


def _best_fitting(mmr: np.ndarray, candidates: Sequence[Candidate], by_position: dict[int, int],
                  chosen: list[int], room: int) -> list[int] | None:
    """The best sentence that fits in `room` sentences with those it leans on, or None."""
    for index in np.argsort(-mmr):
        if np.isneginf(mmr[index]):
            return None
        group = _with_antecedents(int(index), candidates, by_position, chosen)
        if group and len(group) <= room:
            return group
    return None


def _with_antecedents(index: int, candidates: Sequence[Candidate], by_position: dict[int, int],
                      chosen: list[int]) -> list[int]:
    """The sentence and, if it leans on the one before, that one too, up to MAX_ANTECEDENTS
    (a longer chain is a passage, not a point); empty when the one it leans on is not a
    candidate or is missing (it opens a paragraph), except for the article's first
    sentence, which leans on the title."""
    group = [index]
    while _leans(candidates[group[-1]]):
        previous = candidates[group[-1]].previous
        if previous is None or previous not in by_position or len(group) > MAX_ANTECEDENTS:
            return []
        if by_position[previous] in chosen:
            break
        group.append(by_position[previous])
    return group


def _leans(candidate: Candidate) -> bool:
    return candidate.position > 0 and DANGLING_START.match(candidate.text) is not None


def _sentence_count(sentences: Sequence[str], configured: int) -> int:
    words = sum(len(s.split()) for s in sentences)
    for limit, count in SHORT_ARTICLES:
        if words < limit:
            return min(count, configured)
    return configured
