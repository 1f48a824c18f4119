"""Relevance (0–5) of a note against the interest profile, with the terms that made it.

    score     = baseline + Σ weight(term) × strength(term, note)
    relevance = where the score stands among the vault's scores, 0–5 (reading/calibration.py)

A tag, a source or a phrase has strength 1 when it matches the note and 0 when it does not.
A topic's strength grows with how often the note names it, m / (m + 1): ½ for a name in
passing, 0.9 for ten mentions; an organization counts the mentions of its models too. A
category's strength grows with its topics, each counted by that strength, with diminishing
returns toward 3: 3 × (1 − e^(−n/3)). Without these grades every long on-topic article
matches every term in full and they all tie; with them, the article about a topic scores
above one that names it on the way. Names match on their tokens, whatever the case, spaces,
hyphens or underscores (`Large Language Model` = `Large_Language_Model`), and a topic also
matches by any of its aliases. What each kind matches is in profile.py.

Scoring reads only `NoteFeatures`: the note's tags, topics and their mentions, sources, and
which of the profile's phrases its text contains. Those are kept in the state when a note
is written, so notes can be scored again without their text when the weights are learned
(reading/learning.py) and the vault's scale is drawn (reading/calibration.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ..extract import markdown_to_text
from ..nlp import normalize
from ..profile import FLAT_KIND, Interest, InterestProfile
from ..records import Analysis, Article, Topic
from .calibration import ABSOLUTE, Calibration

CATEGORY_CAP = 3
SHOWN_TOPICS = 3
NEGLIGIBLE = 0.005
FLAT_ORDER = ("topics", "categories", "sources", "phrases")  # the order of earlier versions


@dataclass(frozen=True)
class NoteFeatures:
    """What relevance looks at in a note; `phrases` are the profile's phrases its text holds,
    `mentions[i]` how often it names `topics[i]` (empty for notes kept before they were
    counted: their topics count in full)."""

    tags: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    sources: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    mentions: tuple[int, ...] = ()

    def named(self) -> list[tuple[Topic, int | None]]:
        """Each topic with its number of mentions, None where it is not known."""
        counts = self.mentions if len(self.mentions) == len(self.topics) else ()
        return [(topic, counts[n] if counts else None) for n, topic in enumerate(self.topics)]

    def to_json(self) -> dict[str, Any]:
        """The mentions go apart from the topics, whose shape earlier versions read."""
        return {"tags": list(self.tags), "sources": list(self.sources),
                "phrases": list(self.phrases),
                "topics": [[t.name, t.category, t.organization, list(t.aliases)]
                           for t in self.topics],
                **({"mentions": list(self.mentions)} if self.mentions else {})}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoteFeatures:
        return cls(tags=tuple(data.get("tags", ())), sources=tuple(data.get("sources", ())),
                   phrases=tuple(data.get("phrases", ())),
                   topics=tuple(Topic(name, category, tuple(aliases), organization)
                                for name, category, organization, aliases
                                in data.get("topics", ())),
                   mentions=tuple(data.get("mentions", ())))


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
    """A note's relevance, before and after rounding, its raw score, and its terms, largest
    effect first (then by kind and term). `rated`: the value is the person's rating, not
    the score's (reading/learning.py)."""

    value: int
    unrounded: float
    score: float
    baseline: float
    contributions: tuple[Contribution, ...]
    rated: bool = False

    def top(self, count: int) -> tuple[Contribution, ...]:
        return self.contributions[:count]

    def to_json(self, count: int | None = None) -> dict[str, Any]:
        return {"relevance": self.value, "unrounded": round(self.unrounded, 3),
                "score": round(self.score, 3),
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
        mentions=tuple(analysis.mentions.get(topic.key, 1) for topic in analysis.topics),
    )


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def matches(features: NoteFeatures) -> dict[tuple[str, str], Match]:
    """Every (kind, term key) the note matches, so that any term is looked up at once."""
    found: dict[tuple[str, str], Match] = {}
    for tag in features.tags:
        found.setdefault(("topics", term_key(tag)), Match(1.0, f"tag {tag}"))
    for topic, count in features.named():
        match = Match(prominence(count), f"{topic.category} topic {topic.name}{_times(count)}")
        for name in (topic.name, *topic.aliases):
            found.setdefault(("topics", term_key(name)), match)
            if topic.category == "Concept":
                found.setdefault(("concepts", term_key(name)), match)
    for key, match in _organizations(features).items():
        found.setdefault(("organizations", key), match)
    for source in features.sources:
        found.setdefault(("sources", term_key(source)), Match(1.0, f"source {source}"))
        labels = source.split(".")
        for start in range(1, len(labels) - 1):  # a host matches its domains: a.b.c → b.c
            found.setdefault(("sources", term_key(".".join(labels[start:]))),
                             Match(1.0, f"source {source}"))
    for phrase in features.phrases:
        found.setdefault(("phrases", term_key(phrase)), Match(1.0, f'"{phrase}" in the text'))
    found.update(_categories(features))
    return found


def prominence(count: int | None) -> float:
    """A topic's strength from its mentions, m / (m + 1); unknown counts (notes kept before
    mentions were) count in full."""
    return 1.0 if count is None else count / (count + 1)


def _times(count: int | None) -> str:
    return "" if count is None else f", {count} {'mention' if count == 1 else 'mentions'}"


def _plus(total: int | None, count: int | None) -> int | None:
    """A sum of mentions, unknown once one of them is."""
    return None if total is None or count is None else total + count


def _organizations(features: NoteFeatures) -> dict[str, Match]:
    """An organization's strength counts its own mentions and those of the models it makes:
    an article about Claude is about Anthropic's work."""
    counts: dict[str, int | None] = {}
    evidence: dict[str, Topic] = {}
    named = features.named()
    for topic, count in named:
        if topic.category == "Organization":
            for key in {term_key(name) for name in (topic.name, *topic.aliases)}:
                counts[key] = _plus(counts.get(key, 0), count)
                evidence.setdefault(key, topic)
    for topic, count in named:
        if topic.category == "Model" and topic.organization:
            key = term_key(topic.organization)
            counts[key] = _plus(counts.get(key, 0), count)
            evidence.setdefault(key, topic)
    return {key: Match(prominence(count), _organization_evidence(evidence[key]) + _times(count))
            for key, count in counts.items()}


def _organization_evidence(topic: Topic) -> str:
    if topic.category == "Organization":
        return f"Organization topic {topic.name}"
    return f"maker of Model topic {topic.name}"


def _categories(features: NoteFeatures) -> dict[tuple[str, str], Match]:
    """Per category: its topics, each counted by its prominence, with diminishing returns
    toward CATEGORY_CAP."""
    names: dict[str, list[str]] = {}
    weight: dict[str, float] = {}
    mentions: dict[str, int | None] = {}
    for topic, count in features.named():
        names.setdefault(topic.category, []).append(topic.name)
        weight[topic.category] = weight.get(topic.category, 0.0) + prominence(count)
        mentions[topic.category] = _plus(mentions.get(topic.category, 0), count)
    return {("categories", term_key(category)): Match(
        CATEGORY_CAP * (1 - math.exp(-weight[category] / CATEGORY_CAP)),
        f"{len(found)} {category} topics: {', '.join(found[:SHOWN_TOPICS])}"
        + (", …" if len(found) > SHOWN_TOPICS else "") + _times(mentions[category]))
        for category, found in names.items()}


def match_of(interest: Interest, found: dict[tuple[str, str], Match]) -> Match | None:
    key = term_key(interest.term)
    kinds = FLAT_ORDER if interest.kind == FLAT_KIND else (interest.kind,)
    return next((found[(kind, key)] for kind in kinds if (kind, key) in found), None)


def score_features(features: NoteFeatures, profile: InterestProfile,
                   calibration: Calibration = ABSOLUTE) -> Scored:
    """The note's raw score under the profile, and its relevance on the vault's scale."""
    found = matches(features)
    contributions = []
    for interest, weight in profile.weights.items():
        match = match_of(interest, found)
        if match and abs(weight * match.strength) >= NEGLIGIBLE:
            contributions.append(Contribution(interest, weight, match.strength, match.evidence))
    contributions.sort(key=lambda c: (-abs(c.points), c.interest.kind, c.interest.term))
    score = profile.baseline + sum(c.points for c in contributions)
    return Scored(value=calibration.relevance(score), unrounded=calibration.value(score),
                  score=score, baseline=profile.baseline, contributions=tuple(contributions))


def score_relevance(article: Article, analysis: Analysis, profile: InterestProfile) -> int:
    """The relevance of one article under a fixed profile, on the absolute scale of an empty
    vault (no learning, no calibration): for benchmarks."""
    features = features_of(article, analysis, profile.phrases())
    return score_features(features, profile).value
