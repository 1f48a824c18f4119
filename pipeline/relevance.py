"""Relevance (0–5) of an article against the reader's interest profile.

Each profile term adds its weight when it matches, in this order: a tag of the note, a
topic name, a topic category (weight × number of such topics, at most 3), the note's source,
or else a phrase in the text. The sum is rounded and clamped to 0–5.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .records import Analysis, Article

MAX_RELEVANCE = 5
CATEGORY_CAP = 3


def score_relevance(article: Article, analysis: Analysis, interests: Mapping[str, float]) -> int:
    total = sum(weight * _matches(term, article, analysis) for term, weight in interests.items())
    return max(0, min(MAX_RELEVANCE, round(total)))


def _matches(term: str, article: Article, analysis: Analysis) -> float:
    lowered = term.lower()
    if lowered in (t.lower() for t in analysis.tags):
        return 1.0
    if lowered in (t.name.lower() for t in analysis.topics):
        return 1.0
    in_category = sum(1 for t in analysis.topics if t.category.lower() == lowered)
    if in_category:
        return float(min(CATEGORY_CAP, in_category))
    if lowered == (article.source_name or "").lower():
        return 1.0
    pattern = rf"(?<!\w){re.escape(term)}(?!\w)"
    return 1.0 if re.search(pattern, article.text, re.IGNORECASE) else 0.0
