"""Concepts from a curated list (pipeline/data/concepts.json), matched as whole words."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .records import Topic
from .resources import load_json


class ConceptList:
    """One case-insensitive pattern over every concept name and alias (plurals included)."""

    def __init__(self, concepts: Iterable[Topic]) -> None:
        self.by_surface: dict[str, Topic] = {}
        for concept in concepts:
            for surface in (concept.name, *concept.aliases):
                self.by_surface[surface.lower()] = concept
        surfaces = sorted(self.by_surface, key=len, reverse=True)
        alternation = "|".join(re.escape(s) for s in surfaces) or "(?!)"
        self.pattern = re.compile(rf"(?<![\w-])({alternation})(?:s|es)?(?![\w-])", re.IGNORECASE)

    @classmethod
    def shipped(cls) -> ConceptList:
        return cls(
            Topic(name=c["name"], category="Concept", aliases=tuple(c.get("aliases", ())))
            for c in load_json("concepts.json")["concepts"]
        )

    def count(self, text: str) -> Counter[Topic]:
        return Counter(self.by_surface[m.group(1).lower()] for m in self.pattern.finditer(text))
