"""Acronyms an article spells out as a phrase of ordinary words.

Research posts define their terms: "Open-Domain Question Answering (ODQA)", "Continuous
Bag-of-Words (CBOW)", "CC-VAE (Context-Conditioned VAE)". Such an acronym names a task, a
method or an architecture the words describe, not a product: the tagger never takes it
for a model or an organization it does not already know. A phrase that holds an
organization's word ("Association for Computational Linguistics (ACL)") is left alone.
"""

from __future__ import annotations

import re

from .name_parts import TOKEN

ACRONYM = r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*"
PHRASE = r"[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,7}"
# "words (ACR)" and "ACR (words" with the definition ending at `)`, `;` or `,`.
AFTER_PHRASE = re.compile(rf"(?P<phrase>{PHRASE})\s+\((?P<acronym>{ACRONYM})[);,]")
BEFORE_PHRASE = re.compile(rf"(?<![\w-])(?P<acronym>{ACRONYM})\s+\((?P<phrase>{PHRASE})[);,]")
ORGANIZATION_WORDS = {
    "association", "institute", "university", "college", "laboratory", "laboratories", "lab",
    "labs", "foundation", "center", "centre", "society", "agency", "council", "organization",
    "organisation", "department", "ministry", "commission", "committee", "group", "company",
    "corporation", "academy", "school", "consortium", "alliance", "conference", "workshop",
}


def defined_terms(text: str, common: frozenset[str]) -> frozenset[str]:
    """The acronyms `text` spells out as a phrase of `common` words (or acronyms)."""
    terms = set()
    for pattern in (AFTER_PHRASE, BEFORE_PHRASE):
        for match in pattern.finditer(text):
            words = _spelling_words(match["phrase"].split(), match["acronym"])
            if words and _is_description(words, common):
                terms.add(match["acronym"])
    return frozenset(terms)


def _spelling_words(words: list[str], acronym: str) -> list[str] | None:
    """The shortest run of words, ending where the phrase ends (or starting where it starts,
    for a phrase after its acronym), whose initials spell the acronym's letters; a word in
    capitals gives all its letters (`VAE`)."""
    letters = re.sub(r"[^A-Za-z]", "", acronym).upper()
    for size in range(1, len(words) + 1):
        for run in (words[-size:], words[:size]):
            if _initials(run) == letters:
                return run
    return None


def _initials(words: list[str]) -> str:
    parts = [part for word in words for part in TOKEN.findall(word.replace("-", " "))]
    return "".join(part if part.isupper() else part[0].upper() for part in parts
                   if part[0].isalpha())


def _is_description(words: list[str], common: frozenset[str]) -> bool:
    parts = [part for word in words for part in TOKEN.findall(word.replace("-", " "))]
    return not any(part.lower() in ORGANIZATION_WORDS for part in parts) and all(
        part.isupper() or part.lower() in common for part in parts if part.isalpha())
