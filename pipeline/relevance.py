"""Relevance (0–5) of a note against the interest profile, with the terms that made it.

    score     = baseline + Σ weight(term) × strength(term, note)
    relevance = the score rounded (halves up), then clamped to 0–5

A term's strength is 1 when it matches the note and 0 when it does not; a category's is its
number of topics in the note, up to 3. Names match on their tokens, whatever the case,
spaces, hyphens or underscores (`Large Language Model` = `Large_Language_Model`), and a
topic also matches by any of its aliases. What each kind matches is in profile.py.

Scoring reads only `NoteFeatures`: the note's tags, topics and sources, and which of the
profile's phrases its text contains. Those are kept in the state when a note is written, so
notes can be scored again without their text when the weights are learned (learning.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from .gazetteer import normalize
from .profile import FLAT_KIND, Interest, InterestProfile
from .records import Analysis, Article, Topic
from .text import markdown_to_text

MAX_RELEVANCE = 5
CATEGORY_CAP = 3
SHOWN_TOPICS = 3
NEGLIGIBLE = 0.005
FLAT_ORDER = ("topics", "categories", "sources", "phrases")  # the order of earlier versions


@dataclass(frozen=True)
class NoteFeatures:
    """What relevance looks at in a note; `phrases` are the profile's phrases its text holds."""

    tags: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    sources: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "sources": list(self.sources),
                "phrases": list(self.phrases),
                "topics": [[t.name, t.category, t.organization, list(t.aliases)]
                           for t in self.topics]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteFeatures:
        return cls(tags=tuple(data.get("tags", ())), sources=tuple(data.get("sources", ())),
                   phrases=tuple(data.get("phrases", ())),
                   topics=tuple(Topic(name, category, tuple(aliases), organization)
                                for name, category, organization, aliases
                                in data.get("topics", ())))


@dataclass(frozen=True)
class Match:
    """How strongly a term matches a note, and the words that say why."""

    strength: float
    evidence: str


@dataclass(frozen=True)
class Contribution:
    interest: Interest
    weight: float
    strength: float
    evidence: str

    @property
    def points(self) -> float:
        return self.weight * self.strength

    def describe(self) -> str:
        return f"{self.interest.term} {self.points:+.2f}"


@dataclass(frozen=True)
class Scored:
    """A note's relevance and its terms, largest effect first (then by kind and term).
    `rated`: the value is the person's rating, not the score's (learning.py)."""

    value: int
    score: float
    baseline: float
    contributions: tuple[Contribution, ...]
    rated: bool = False

    def top(self, count: int) -> tuple[Contribution, ...]:
        return self.contributions[:count]

    def to_json(self, count: int | None = None) -> dict[str, Any]:
        return {"relevance": self.value, "score": round(self.score, 3),
                "baseline": round(self.baseline, 3), "rated_by_you": self.rated,
                "terms": [{"term": c.interest.term, "kind": c.interest.kind,
                           "weight": round(c.weight, 3), "strength": c.strength,
                           "points": round(c.points, 3), "evidence": c.evidence}
                          for c in self.contributions[:count]]}


@lru_cache(maxsize=65536)
def term_key(term: str) -> str:
    """The key a name matches on; cached, as the same names recur in every note."""
    return normalize(term) or term.casefold()


def features_of(article: Article, analysis: Analysis, phrases: Iterable[str]) -> NoteFeatures:
    host = urlsplit(article.url).hostname or ""
    sources = (article.source_name, article.site_name or "", host.removeprefix("www."))
    text = f"{article.title}\n\n{markdown_to_text(article.text)}"
    return NoteFeatures(
        tags=tuple(analysis.tags),
        topics=tuple(analysis.topics),
        sources=tuple(dict.fromkeys(s for s in sources if s)),
        phrases=tuple(sorted({p.casefold() for p in phrases if _contains(text, p)})),
    )


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def matches(features: NoteFeatures) -> dict[tuple[str, str], Match]:
    """Every (kind, term key) the note matches, so that any term is looked up at once."""
    found: dict[tuple[str, str], Match] = {}
    for tag in features.tags:
        found.setdefault(("topics", term_key(tag)), Match(1.0, f"tag {tag}"))
    for topic in features.topics:
        evidence = Match(1.0, f"{topic.category} topic {topic.name}")
        for name in (topic.name, *topic.aliases):
            found.setdefault(("topics", term_key(name)), evidence)
            if topic.category in ("Concept", "Organization"):
                kind = "concepts" if topic.category == "Concept" else "organizations"
                found.setdefault((kind, term_key(name)), evidence)
    for topic in features.topics:
        if topic.category == "Model" and topic.organization:
            found.setdefault(("organizations", term_key(topic.organization)),
                             Match(1.0, f"maker of Model topic {topic.name}"))
    for source in features.sources:
        found.setdefault(("sources", term_key(source)), Match(1.0, f"source {source}"))
        labels = source.split(".")
        for start in range(1, len(labels) - 1):  # a host matches its domains: a.b.c → b.c
            found.setdefault(("sources", term_key(".".join(labels[start:]))),
                             Match(1.0, f"source {source}"))
    for phrase in features.phrases:
        found.setdefault(("phrases", term_key(phrase)), Match(1.0, f'"{phrase}" in the text'))
    found.update(_categories(features.topics))
    return found


def _categories(topics: tuple[Topic, ...]) -> dict[tuple[str, str], Match]:
    names: dict[str, list[str]] = {}
    for topic in topics:
        names.setdefault(topic.category, []).append(topic.name)
    return {("categories", term_key(category)): Match(
        float(min(CATEGORY_CAP, len(found))),
        f"{len(found)} {category} topics: {', '.join(found[:SHOWN_TOPICS])}"
        + (", …" if len(found) > SHOWN_TOPICS else ""))
        for category, found in names.items()}


def match_of(interest: Interest, found: dict[tuple[str, str], Match]) -> Match | None:
    key = term_key(interest.term)
    kinds = FLAT_ORDER if interest.kind == FLAT_KIND else (interest.kind,)
    return next((found[(kind, key)] for kind in kinds if (kind, key) in found), None)


def score_features(features: NoteFeatures, profile: InterestProfile) -> Scored:
    found = matches(features)
    contributions = []
    for interest, weight in profile.weights.items():
        match = match_of(interest, found)
        if match and abs(weight * match.strength) >= NEGLIGIBLE:
            contributions.append(Contribution(interest, weight, match.strength, match.evidence))
    contributions.sort(key=lambda c: (-abs(c.points), c.interest.kind, c.interest.term))
    score = profile.baseline + sum(c.points for c in contributions)
    return Scored(relevance_of(score), score, profile.baseline, tuple(contributions))


def relevance_of(score: float) -> int:
    return max(0, min(MAX_RELEVANCE, math.floor(score + 0.5)))


def score_relevance(article: Article, analysis: Analysis, profile: InterestProfile) -> int:
    """The relevance of one article under a fixed profile (no learning): for benchmarks."""
    features = features_of(article, analysis, profile.phrases())
    return score_features(features, profile).value
