"""Find AI models, organizations and concepts in plain text by name.

Names are compared on a normalized key (lowercase, no spaces, hyphens or underscores), so
`DeepSeek-V3`, `Deepseek V3` and `deepseek v3` are one entity. A single alphabetic word
(`Meta`, `Gemini`) is matched case-sensitively, since `meta` and `gemini` are ordinary words.
Names the gazetteer lacks but that look like a model (`Llama 3.2 8B`, `Qwen 3.5`) are found
by extending a known family name with version, size and variant tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .records import Topic
from .resources import load_json

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*[A-Za-z0-9+]|[A-Za-z0-9]")
JOINERS = {" ", "-", "_", "·", "\u2011"}
SIZE = re.compile(r"^(?:\d+(?:\.\d+)?[bBmMkKtT]|\d+x\d+[bB]|[aA]\d+[bB])$")
VERSION = re.compile(r"^(?:[vV]?\d{1,2}(?:\.\d+)*[a-z]?|[rR]\d)$")
YEAR = re.compile(r"^(?:19|20)\d\d$")
VARIANTS = {
    "coder", "instruct", "turbo", "flash", "pro", "mini", "sonnet", "opus", "haiku", "vision",
    "chat", "large", "small", "medium", "nano", "ultra", "lite", "plus", "max", "preview",
    "math", "vl", "omni", "thinking", "reasoning", "distill", "exp", "moe",
}


def normalize(name: str) -> str:
    """The matching key of a name: its tokens, lowercased and run together."""
    return "".join(token.lower() for token in TOKEN.findall(name))


@dataclass(frozen=True)
class Mention:
    topic: Topic
    start: int
    end: int


@dataclass(frozen=True)
class _Entry:
    topic: Topic
    surface: str
    case_sensitive: bool


class Gazetteer:
    """Entities by normalized key, plus the family names that start unseen model names."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.entries: dict[str, list[_Entry]] = {}
        self.family_orgs: dict[str, str | None] = {}
        self.longest = 1
        for topic in topics:
            self.add(topic)

    @classmethod
    def shipped(cls) -> Gazetteer:
        data = load_json("gazetteer.json")
        return cls(
            Topic(name=e["name"], category=e["category"], aliases=tuple(e.get("aliases", ())),
                  organization=e.get("organization"))
            for e in data["entities"]
            if not e.get("ambiguous")
        )

    def add(self, topic: Topic) -> None:
        """Register a topic under its name and aliases; a later add of the same surface wins."""
        for surface in (topic.name, *topic.aliases):
            tokens = TOKEN.findall(surface)
            if not tokens:
                continue
            key = "".join(t.lower() for t in tokens)
            case_sensitive = len(tokens) == 1 and tokens[0].isalpha()
            entries = [e for e in self.entries.get(key, []) if e.surface != surface]
            self.entries[key] = [*entries, _Entry(topic, surface, case_sensitive)]
            self.longest = max(self.longest, len(tokens))
            first = tokens[0]
            if topic.category == "Model" and _is_family_word(first):
                self.family_orgs.setdefault(first.lower(), topic.organization)

    def lookup(self, surface_tokens: list[str]) -> Topic | None:
        key = "".join(t.lower() for t in surface_tokens)
        for entry in self.entries.get(key, ()):
            if not entry.case_sensitive or entry.surface == surface_tokens[0]:
                return entry.topic
        return None

    def find(self, text: str) -> Iterator[Mention]:
        """Every entity mention in `text`, longest match first, left to right."""
        tokens = list(TOKEN.finditer(text))
        i = 0
        while i < len(tokens):
            run = _run_length(text, tokens, i)
            found = self._known_at(tokens, i, run) or self._family_at(tokens, i, run)
            if found is None:
                i += 1
                continue
            topic, length = found
            yield Mention(topic, tokens[i].start(), tokens[i + length - 1].end())
            i += length

    def _known_at(
        self, tokens: list[re.Match[str]], i: int, run: int
    ) -> tuple[Topic, int] | None:
        for length in range(min(self.longest, run), 0, -1):
            topic = self.lookup([t.group() for t in tokens[i : i + length]])
            if topic is not None:
                return self._extended(tokens, i, length, run, topic)
        return None

    def _family_at(
        self, tokens: list[re.Match[str]], i: int, run: int
    ) -> tuple[Topic, int] | None:
        """An unseen model name: a known family word followed by version or size tokens."""
        word = tokens[i].group()
        if not word[:1].isupper() or word.lower() not in self.family_orgs:
            return None
        organization = self.family_orgs[word.lower()]
        provisional = Topic(name=word, category="Model", organization=organization)
        topic, length = self._extended(tokens, i, 1, run, provisional)
        return (topic, length) if length > 1 else None

    def _extended(
        self, tokens: list[re.Match[str]], i: int, length: int, run: int, topic: Topic
    ) -> tuple[Topic, int]:
        """Grow a model match over version/size/variant tokens into a more specific model."""
        if topic.category != "Model":
            return topic, length
        end = i + length
        while end < i + run and _is_model_suffix(tokens[end].group()):
            end += 1
        while end > i + length and not _has_digit(tokens[end - 1].group()):
            if self.lookup([t.group() for t in tokens[i:end]]):
                break
            end -= 1
        if end == i + length:
            return topic, length
        surface = [t.group() for t in tokens[i:end]]
        known = self.lookup(surface)
        if known is not None:
            return known, end - i
        text = tokens[i].string[tokens[i].start() : tokens[end - 1].end()]
        return Topic(name=text, category="Model", organization=topic.organization), end - i


def _run_length(text: str, tokens: list[re.Match[str]], i: int) -> int:
    """How many tokens from i on are joined by single spaces or hyphens (one name at most)."""
    length = 1
    while i + length < len(tokens):
        gap = text[tokens[i + length - 1].end() : tokens[i + length].start()]
        if gap not in JOINERS:
            break
        length += 1
    return length


def _is_model_suffix(token: str) -> bool:
    if YEAR.match(token):
        return False
    return bool(SIZE.match(token) or VERSION.match(token)) or token.lower() in VARIANTS


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def _is_family_word(token: str) -> bool:
    return len(token) > 2 and token.isalpha() and token[0].isupper()
