"""Tags from a small taxonomy (pipeline/data/taxonomy.json), decided by topics and phrases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .records import Topic
from .resources import load_json


@dataclass(frozen=True)
class TagRule:
    tag: str
    pattern: re.Pattern[str] | None
    topics: frozenset[str]
    min_phrases: int
    min_models: int


class Taxonomy:
    def __init__(self, rules: Sequence[TagRule]) -> None:
        self.rules = tuple(rules)

    @classmethod
    def shipped(cls) -> Taxonomy:
        return cls([_rule(tag, spec) for tag, spec in load_json("taxonomy.json")["tags"].items()])

    def tags_for(self, text: str, topics: Sequence[Topic]) -> tuple[str, ...]:
        names = {t.name for t in topics}
        models = sum(1 for t in topics if t.category == "Model")
        return tuple(rule.tag for rule in self.rules if _applies(rule, text, names, models))


def _applies(rule: TagRule, text: str, names: set[str], models: int) -> bool:
    if rule.topics & names:
        return True
    if rule.min_models and models >= rule.min_models:
        return True
    if rule.pattern is None:
        return False
    return len(rule.pattern.findall(text)) >= rule.min_phrases


def _rule(tag: str, spec: dict) -> TagRule:
    phrases = sorted(spec.get("phrases", ()), key=len, reverse=True)
    pattern = None
    if phrases:
        alternation = "|".join(re.escape(p) for p in phrases)
        pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
    return TagRule(tag, pattern, frozenset(spec.get("topics", ())), int(spec.get("min", 1)),
                   int(spec.get("min_models", 0)))
