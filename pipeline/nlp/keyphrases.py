"""Concepts as keyphrases: repeated multi-word phrases, filtered by stop rules and the list.

Candidates are the word runs between stopwords, punctuation and numbers (RAKE's split),
so no parser is needed: spaCy's parser would roughly halve tagging speed for noun chunks
that the split already approximates. A phrase that matches a concept name or alias becomes
that canonical concept; any other phrase becomes a concept of its own only when it is
multi-word, repeated MIN_NEW_MENTIONS times, has each word written in lower case somewhere
(a word always capitalized belongs to a name, not a concept), and names no tagged entity.
List concepts count from one mention; all are ranked by mentions, title first, and capped
at MAX_CONCEPTS. bench/tagging.py measures these rules against the list-only method.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS

from ..records import Topic
from .concepts import ConceptList

MIN_LIST_MENTIONS = 1
MIN_NEW_MENTIONS = 8  # on real posts a phrase off the list is mostly noise below that
MAX_CONCEPTS = 6
MIN_STOPWORD_SHARE = 0.2
HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=[A-Za-z])")
MAX_PHRASE_WORDS = 4
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What ends a candidate run: sentence and clause punctuation, brackets, quotes, digits.
BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”/|\n\d–—]+")
# Phrase heads too vague to be a topic, however often they recur.
GENERIC_WORDS = {
    "year", "years", "lot", "lots", "way", "ways", "thing", "things", "people", "time",
    "times", "week", "weeks", "day", "days", "month", "months", "today", "number", "part",
    "kind", "sort", "bit", "end", "place", "case", "point", "fact", "question", "moment",
    "example", "percent", "company", "companies", "use", "users", "version", "guy", "guys",
    "story", "news", "issue", "option", "options", "level", "side", "world", "term",
}
STOPWORDS = frozenset(STOP_WORDS) | {"also", "just", "really", "like", "said", "says", "new"}


@dataclass
class Phrase:
    """One candidate phrase: how often it occurs and which of its words were lower case."""

    words: tuple[str, ...]
    count: int = 0
    lowercase_at: set[int] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def written(self) -> list[str]:
        """The words in their most frequent spelling: `Tuft Cells`, not the key `tuft cell`."""
        return self.spellings.most_common(1)[0][0].split()

    def reads_as_name(self) -> bool:
        """A word always capitalized (not an acronym) marks a name: `Tim Cook`, `Stadia Pro`;
        so does a phrase all in capitals: `SPACE VIZZION`."""
        return all(w.isupper() for w in self.written) or any(
            i not in self.lowercase_at and not w.isupper() for i, w in enumerate(self.written))

    def has_fragments(self) -> bool:
        """Letters split off by digits or markup (`th`, `n o`) are not words."""
        return any(len(w) < 3 and not w.isupper() for w in self.written)


def candidate_runs(text: str) -> Iterable[list[str]]:
    """Runs of content words between stopwords and punctuation, as written."""
    for chunk in BREAK.split(text):
        run: list[str] = []
        for word in WORD.findall(chunk):
            if word.lower() in STOPWORDS:
                if run:
                    yield run
                run = []
            else:
                run.append(word)
        if run:
            yield run


def phrases(text: str) -> dict[tuple[str, ...], Phrase]:
    """Every 2..MAX_PHRASE_WORDS word n-gram inside a run, counted by its lowercase words
    with a plural s dropped, so `tuft cell` and `tuft cells` are one phrase."""
    found: dict[tuple[str, ...], Phrase] = {}
    for run in candidate_runs(text):
        for size in range(2, MAX_PHRASE_WORDS + 1):
            for start in range(len(run) - size + 1):
                words = run[start:start + size]
                key = (*(w.lower() for w in words[:-1]), words[-1].lower().removesuffix("s"))
                phrase = found.setdefault(key, Phrase(key))
                phrase.count += 1
                phrase.lowercase_at.update(i for i, w in enumerate(words) if w.islower())
                phrase.spellings[" ".join(words)] += 1
    return found


def looks_english(text: str) -> bool:
    """English prose is about two-fifths stopwords; German or Russian has almost none."""
    words = [w.lower() for w in WORD.findall(text)]
    return bool(words) and sum(w in STOPWORDS for w in words) >= MIN_STOPWORD_SHARE * len(words)


def title_case(phrase: Phrase) -> str:
    """`synthetic data` → `Synthetic Data`; acronyms and inner capitals stay as written."""
    return " ".join(w if any(c.isupper() for c in w[1:]) else w[0].upper() + w[1:]
                    for w in phrase.written)


class KeyphraseConcepts:
    """Concepts of one article: list concepts named in it plus repeated domain phrases,
    ranked by mentions (title first) and capped at max_concepts."""

    def __init__(self, concepts: ConceptList, min_list_mentions: int = MIN_LIST_MENTIONS,
                 min_new_mentions: int = MIN_NEW_MENTIONS,
                 max_concepts: int = MAX_CONCEPTS) -> None:
        self.concepts = concepts
        self.min_list_mentions = min_list_mentions
        self.min_new_mentions = min_new_mentions
        self.max_concepts = max_concepts

    def find(self, title: str, text: str, entity_names: Iterable[str] = ()) -> Counter[Topic]:
        """Concepts with their mention counts; `entity_names` are never concepts."""
        in_title = self._count(title)
        counts = in_title + self._count(text)
        found = Counter({c: n for c, n in counts.items()
                         if n >= self.min_list_mentions or c in in_title})
        found.update(self._new_concepts(f"{title}\n{text}", entity_names, counts))
        ranked = sorted(found, key=lambda c: (c not in in_title, -found[c]))
        return Counter({c: found[c] for c in ranked[:self.max_concepts]})

    def _count(self, text: str) -> Counter[Topic]:
        """List mentions, also when hyphenated: `data-centre revenue`, `mixture-of-experts`."""
        return self.concepts.count(text) | self.concepts.count(HYPHEN.sub(" ", text))

    def _new_concepts(self, text: str, entity_names: Iterable[str],
                      listed: Counter[Topic]) -> Counter[Topic]:
        """Repeated phrases off the list, longest first, none overlapping a kept one; none
        at all in text that is not English, where the stopwords do not split phrases."""
        if not looks_english(text):
            return Counter()
        names = [tuple(w.lower() for w in WORD.findall(name)) for name in entity_names]
        names += [tuple(s.lower().split()) for c in listed for s in (c.name, *c.aliases)]
        kept: list[Phrase] = []
        for phrase in sorted(phrases(text).values(), key=lambda p: (-len(p.words), -p.count)):
            words = _lower(phrase.written)
            if self._is_new_concept(phrase) and not any(
                    _overlaps_name(words, name)
                    for name in (*names, *(_lower(k.written) for k in kept))):
                kept.append(phrase)
        return Counter({Topic(title_case(p), "Concept"): p.count for p in kept})

    def _is_new_concept(self, phrase: Phrase) -> bool:
        written = [w.lower() for w in phrase.written]
        return (phrase.count >= self.min_new_mentions
                and not phrase.reads_as_name()
                and not phrase.has_fragments()
                and written[-1] not in GENERIC_WORDS
                and written[0] not in GENERIC_WORDS
                and not self.concepts.pattern.fullmatch(" ".join(written)))


def _lower(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)


def _overlaps_name(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """The phrase contains the name, or is part of it: `deepseek model`, `sonnet`."""
    if not name:
        return False
    return _contains(words, name) or _contains(name, words)


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    size = len(inner)
    return any(outer[i:i + size] == inner for i in range(len(outer) - size + 1))
