"""Tags from a small taxonomy (pipeline/data/taxonomy.json), decided by topics and phrases."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..records import Topic
from ..resources import load_json


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
        return cls.from_mapping(load_json("taxonomy.json"))

    @classmethod
    def from_file(cls, path: Path) -> Taxonomy:
        """A person's own taxonomy, in the shipped file's shape; errors name the file."""
        try:
            return cls.from_mapping(json.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ConfigError(f"taxonomy {path}: cannot read it: {exc.strerror or exc}") from exc
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            raise ConfigError(f"taxonomy {path}: expected {{\"tags\": {{TAG: {{\"phrases\": "
                              f"[...], \"topics\": [...], \"min\": N}}}}}}: {exc}") from exc

    @classmethod
    def from_mapping(cls, data: dict) -> Taxonomy:
        return cls([_rule(tag, spec) for tag, spec in data["tags"].items()])

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
