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

from ..records import Topic
from ..resources import load_json
from .name_parts import (
    JOINERS,
    PARAMETERS,
    TOKEN,
    VERSION,
    has_digit,
    is_first_release,
    is_model_suffix,
    is_name_word,
    is_size_tier,
    named_like,
    release_tokens,
    spelled,
)

FAMILY_MIN_MODELS = 2
DIGIT = re.compile(r"\d")
MAX_NAME_WORDS = 3


def normalize(name: str) -> str:
    """The matching key of a name: its tokens, lowercased and run together."""
    return "".join(token.lower() for token in TOKEN.findall(name))


@dataclass(frozen=True)
class Mention:
    """A name found in a text. `tentative`: a model name that is also an ordinary word
    (`Bard`, `Phi`, `Gopher`), which stands only if the article's context makes it a model
    (pipeline/nlp/analyze.py)."""

    topic: Topic
    start: int
    end: int
    tentative: bool = False


@dataclass(frozen=True)
class Span:
    """Where spaCy's NER saw an entity of a kind (ORG, PERSON, GPE, ...) in a text."""

    label: str
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
        self.unordered: dict[tuple[str, ...], Topic] = {}
        self.first_words: dict[str, list[Topic]] = {}
        self.single_word_models: set[str] = set()
        self.organizations: set[str] = set()
        self.tentative: dict[str, Topic] = {}  # ambiguous model names, by exact surface
        self.longest = 1
        self.prefixes: set[str] = set()  # what a name's first word may be, run together
        self.tentative_reach: dict[str, int] = {}  # most words of one starting so
        for topic in topics:
            self.add(topic)

    @classmethod
    def shipped(cls) -> Gazetteer:
        """AI models and organizations, then the broader list of organizations news names."""
        entities = load_json("gazetteer.json")["entities"]
        gazetteer = cls(_entity(e) for e in entities if not e.get("ambiguous"))
        for entry in entities:
            if entry.get("ambiguous"):
                gazetteer.add_tentative(_entity(entry))
        for entry in load_json("organizations_extra.json")["organizations"]:
            surfaces = (*entry.get("aliases", ()), *entry.get("case_variants", ()))
            if not entry.get("ambiguous"):
                gazetteer.add_organization(entry["name"], surfaces)
            elif gazetteer.lookup(TOKEN.findall(entry["name"])) is None:
                gazetteer.add_tentative(Topic(entry["name"], "Organization", aliases=surfaces))
        return gazetteer

    def add_organization(self, name: str, aliases: Iterable[str]) -> None:
        """Add an organization, or more aliases to the one already known by that name."""
        known = self.lookup(TOKEN.findall(name))
        if known is not None and known.category == "Organization":
            self.add(Topic(known.name, "Organization", aliases=tuple(aliases)))
        elif known is None:
            self.add(Topic(name, "Organization", aliases=tuple(aliases)))

    def add(self, topic: Topic) -> None:
        """Register a topic under its name and aliases; a later add of the same surface wins."""
        for surface in (topic.name, *topic.aliases):
            tokens = TOKEN.findall(surface)
            if not tokens:
                continue
            key = "".join(t.lower() for t in tokens)
            # One word (`Meta`), or a short name (`P&G`, `A.I.`): as written, or it would be
            # found in `meta-analysis`, `p(g)` or `a. i.`
            case_sensitive = (len(tokens) == 1 and tokens[0].isalpha()) or len(key) <= 3
            entries = [e for e in self.entries.get(key, []) if e.surface != surface]
            self.entries[key] = [*entries, _Entry(topic, surface, case_sensitive)]
            self.longest = max(self.longest, len(tokens))
            self._note_prefixes(key)
            if len(tokens) > 1 and any(has_digit(t) for t in tokens):
                self.unordered[_unordered_key(tokens)] = topic
                for token in tokens:  # any word may come first
                    self._note_prefixes(token.lower())
        self._register_family(topic)

    def add_tentative(self, topic: Topic) -> None:
        """A name that is also an ordinary word or phrase: found as written, but only as a
        tentative mention, which stands where the context proves it (`Replicate`, `Together
        AI`); a model's name may start unseen versions (`Phi-2`, `Galactica 120B`)."""
        for surface in (topic.name, *topic.aliases):
            self.tentative[surface] = topic
            tokens = TOKEN.findall(surface)
            self.tentative_reach[tokens[0]] = max(self.tentative_reach.get(tokens[0], 0),
                                                  len(tokens))
        tokens = TOKEN.findall(topic.name)
        if len(tokens) == 1 and topic.category == "Model":
            self.single_word_models.add(tokens[0].lower())
            self.first_words.setdefault(tokens[0].lower(), []).append(topic)

    def _note_prefixes(self, key: str) -> None:
        """Remember the starts of a key: `find` reads no run from a word that starts no
        name (most words), and a name's first word may be written run together (`GPT4o`)."""
        self.prefixes.update(key[:end] for end in range(1, len(key) + 1))

    def _register_family(self, topic: Topic) -> None:
        tokens = TOKEN.findall(topic.name)
        if topic.category == "Organization":
            self.organizations.add(topic.name.lower())
        elif len(tokens) == 1 and tokens[0].isalpha():
            self.single_word_models.add(tokens[0].lower())
        if topic.category == "Model" and tokens:
            self.first_words.setdefault(tokens[0].lower(), []).append(topic)

    def family_organization(self, word: str) -> tuple[bool, str | None]:
        """Whether `word` starts model names (Llama, GPT, DeepSeek), and the maker if so.

        A one-word model is a family; so is a word that starts several model names and is an
        acronym or a maker's name. Plain words that merely start a name (Falcon, Code) are not.
        """
        lowered = word.lower()
        models = self.first_words.get(lowered, [])
        is_family = lowered in self.single_word_models or (
            len(models) >= FAMILY_MIN_MODELS and (word.isupper() or lowered in self.organizations)
        )
        organization = next((m.organization for m in models if m.organization), None)
        return is_family and word[:1].isupper() and len(word) > 1, organization

    def lookup(self, surface_tokens: list[str]) -> Topic | None:
        key = "".join(surface_tokens).lower()
        for entry in reversed(self.entries.get(key, ())):
            if not entry.case_sensitive or entry.surface == surface_tokens[0]:
                return entry.topic
        if len(surface_tokens) > 1 and DIGIT.search(key) and (
                unordered := self.unordered.get(_unordered_key(surface_tokens))):
            return unordered
        if ".0" in key and any(t.endswith(".0") for t in surface_tokens):  # `GPT 4.0 Turbo`
            return self.lookup([t.removesuffix(".0") for t in surface_tokens])
        if "." in key:  # `Zhipu.AI`, `Mistral.AI`: a name styled with a dot
            return next((e.topic for e in self.entries.get(key.replace(".", ""), ())
                         if not e.case_sensitive and not DIGIT.search(key)), None)
        return None

    def find(self, text: str, families: frozenset[str] = frozenset(),
             ordinary: frozenset[str] = frozenset()) -> Iterator[Mention]:
        """Every entity mention in `text`, longest match first, left to right. `families`
        are words the article has shown to start model names (`Vicuna` after `Vicuna-13B`):
        alone, each names its family. `ordinary` are the words the article writes in lower
        case: capitalized at a sentence's start, they never begin a model's name."""
        tokens = list(TOKEN.finditer(text))
        runs = _run_lengths(text, tokens)
        i = 0
        while i < len(tokens):
            run = runs[i]
            found = self._match_at(tokens, i, run, families, ordinary)
            if found is None or _is_persons_name(found, tokens, i, run):
                tentative = self._tentative_at(tokens, i, run)
                if tentative is not None:
                    yield tentative
                    i += 1
                    continue
                i += 1
                continue
            topic, length = found
            start = tokens[i].start()
            if self._named_prefix(tokens, i, topic):
                start = tokens[i - 1].start()
                topic = Topic(f"{tokens[i - 1].group()}-{topic.name}", "Model")
            yield Mention(topic, start, tokens[i + length - 1].end())
            yield from self._slash_versions(text, tokens, i, length, topic)
            i += length

    def _match_at(self, tokens: list[re.Match[str]], i: int, run: int,
                  families: frozenset[str] = frozenset(),
                  ordinary: frozenset[str] = frozenset()) -> tuple[Topic, int] | None:
        """A known name, unless a model family reading of the same words is longer; else an
        unseen model named with its size; else a family the article named."""
        known = self._known_at(tokens, i, run)
        if known is None or known[0].category == "Organization":
            family = self._family_at(tokens, i, run) or self._sized_at(tokens, i, run, ordinary)
            if family is not None and (known is None or family[1] > known[1]):
                return family
        if known is None and tokens[i].group() in families:
            word = tokens[i].group()
            return self._extended(tokens, i, 1, run, Topic(word, "Model"))
        return known

    def _named_prefix(self, tokens: list[re.Match[str]], i: int, topic: Topic) -> bool:
        """A capitalized word hyphened before a known model is part of a new model's name
        (`Distil-Whisper`, `OpenBuddy-Zephyr`), unless it is a maker or a model itself
        (`Meta-Llama-3-8B`, `LLaVA-NeXT-Mistral-7B`: those stay two names)."""
        if i == 0 or topic.category != "Model":
            return False
        word, text = tokens[i - 1].group(), tokens[i].string
        joined = text[tokens[i - 1].end():tokens[i].start()] == "-"
        alone = i == 1 or text[tokens[i - 2].end():tokens[i - 1].start()] not in ("-", "/", "_")
        return (joined and alone and word[:1].isupper() and word.isalpha() and len(word) > 2
                and self.lookup([word]) is None and word not in self.tentative
                and word.lower() not in self.first_words)

    def _is_model(self, word: str) -> bool:
        known = self.lookup([word])
        return (known is not None and known.category == "Model") or word in self.tentative

    def _is_organization(self, word: str) -> bool:
        known = self.lookup([word])
        return known is not None and known.category == "Organization"

    def _tentative_at(self, tokens: list[re.Match[str]], i: int, run: int) -> Mention | None:
        for length in range(min(self.tentative_reach.get(tokens[i].group(), 0), run), 0, -1):
            surface = tokens[i].string[tokens[i].start():tokens[i + length - 1].end()]
            topic = self.tentative.get(surface)
            if topic is not None:
                return Mention(topic, tokens[i].start(), tokens[i + length - 1].end(),
                               tentative=True)
        return None

    def _sized_at(self, tokens: list[re.Match[str]], i: int, run: int,
                  ordinary: frozenset[str] = frozenset()) -> tuple[Topic, int] | None:
        """An unseen model named with its parameter count: one to three name words, maybe a
        version, then the size (`Vicuna-13B`, `MPT 7B`, `SmolVLM-256M`, `falcon-40b`). A word
        that starts known model names is a name word even where it is also an ordinary one
        (`Falcon Mamba 7B`)."""
        for words in range(1, min(MAX_NAME_WORDS, run - 1) + 1):
            word = tokens[i + words - 1].group()
            named = is_name_word(tokens, i + words - 1, ordinary) or word.lower() in \
                self.first_words
            if not named or self._is_organization(word) or (words > 1 and self._is_model(word)):
                return None  # `Quantizing Mixtral-7B`: the name starts at the model's
            end = i + words
            while end < i + run - 1 and VERSION.match(tokens[end].group()) \
                    and not PARAMETERS.match(tokens[end].group()):
                end += 1
            if end < i + run and PARAMETERS.match(tokens[end].group()):
                kept = release_tokens(tokens[i:end + 1])
                known = self.lookup([t.group() for t in kept])
                return known or Topic(spelled(kept), "Model"), end + 1 - i
        return None

    def _slash_versions(
        self, text: str, tokens: list[re.Match[str]], i: int, length: int, topic: Topic
    ) -> Iterator[Mention]:
        """`Deepseek v2/2.5/3` names three versions: yield the ones after the first."""
        named = TOKEN.findall(topic.name)
        if topic.category != "Model" or len(named) < 2 or not VERSION.match(named[-1]):
            return
        prefix = named[-1][0] if named[-1][:1] in "vV" else ""
        last = i + length - 1
        while (last + 1 < len(tokens) and text[tokens[last].end() : tokens[last + 1].start()] == "/"
               and VERSION.match(tokens[last + 1].group())):
            last += 1
            version = tokens[last].group().lstrip("vV")
            surface = [*named[:-1], prefix + version]
            sibling = self.lookup(surface) or Topic(" ".join(surface), "Model",
                                                    organization=topic.organization)
            yield Mention(sibling, tokens[last].start(), tokens[last].end())

    def _known_at(
        self, tokens: list[re.Match[str]], i: int, run: int
    ) -> tuple[Topic, int] | None:
        first = tokens[i].group().lower()
        starts = first in self.prefixes or first.replace(".", "") in self.prefixes
        reach = min(self.longest, run) if starts else 0
        words = [t.group() for t in tokens[i : i + reach]]
        for length in range(len(words), 0, -1):
            topic = self.lookup(words[:length])
            if topic is not None:
                return self._extended(tokens, i, length, run, topic)
        return None

    def _first_release(self, topic: Topic, rest: list[re.Match[str]]) -> bool:
        """`LLaMA v1`, `Llama 1`: the first release of a one-word family, named so only once
        later ones came, is the family (`Phi-1`, written as one name, stays itself)."""
        return (len(rest) == 2 and topic.name.lower() in self.single_word_models
                and is_first_release(rest[0].string, rest[0], rest[1]))

    def _family_at(
        self, tokens: list[re.Match[str]], i: int, run: int
    ) -> tuple[Topic, int] | None:
        """An unseen model name: a known family word followed by version or size tokens."""
        word = tokens[i].group()
        is_family, organization = self.family_organization(word)
        if not is_family:
            return None
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
        while end < i + run and is_model_suffix(tokens[end].group()):
            end += 1
        if end < i + run and end == i + length and is_size_tier(tokens[i:end + 1], topic):
            end += 1
        while end > i + length and not has_digit(tokens[end - 1].group()):
            if self.lookup([t.group() for t in tokens[i:end]]) or (
                    end == i + length + 1 and is_size_tier(tokens[i:end], topic)):
                break
            end -= 1
        if end == i + length:
            return topic, length
        kept = release_tokens(tokens[i:end])
        known = self.lookup([t.group() for t in kept])
        if known is not None:
            return known, end - i
        if len(kept) <= length or self._first_release(topic, kept[length - 1:]):
            return topic, end - i
        return Topic(name=named_like(topic, tokens[i:i + length], kept[length:]),
                     category="Model", organization=topic.organization), end - i


def _run_lengths(text: str, tokens: list[re.Match[str]]) -> list[int]:
    """How many tokens from each on are joined by single spaces or hyphens (one name at
    most), counted once from the end."""
    runs = [1] * len(tokens)
    for i in range(len(tokens) - 2, -1, -1):
        if text[tokens[i].end():tokens[i + 1].start()] in JOINERS:
            runs[i] = runs[i + 1] + 1
    return runs


def _entity(entry: dict) -> Topic:
    return Topic(name=entry["name"], category=entry["category"],
                 aliases=tuple(entry.get("aliases", ())), organization=entry.get("organization"))


def _unordered_key(tokens: list[str]) -> tuple[str, ...]:
    return tuple(sorted(t.lower() for t in tokens))


def _is_persons_name(
    found: tuple[Topic, int], tokens: list[re.Match[str]], i: int, run: int
) -> bool:
    """`Claude Monet`, `Claude Shannon`: a one-word model name written like a first name,
    followed by a capitalised word (`CLIP ViT-L/14` is no person)."""
    topic, length = found
    word = tokens[i].group()
    if topic.category != "Model" or length != 1 or run < 2 or " " in topic.name \
            or not (word[:1].isupper() and word[1:].islower()):
        return False
    following = tokens[i + 1].group()
    return following[:1].isupper() and following.isalpha() and not is_model_suffix(following)
