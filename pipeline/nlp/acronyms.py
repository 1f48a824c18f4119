"""Terms an article defines: acronyms it spells out as a phrase of ordinary words, names it
describes as a method, a tool or a dataset, and names it introduces with a paper's citation.

Research posts define their terms: "Open-Domain Question Answering (ODQA)", "Continuous
Bag-of-Words (CBOW)", "CC-VAE (Context-Conditioned VAE)", "BM25, a classic retrieval
scoring function". Such a name is a task, a method, an architecture or a tool, not a
product: the tagger never takes it for a model or an organization it does not already know,
anywhere in the article. A phrase that holds an organization's word ("Association for
Computational Linguistics (ACL)") is left alone. A name followed by a citation of its paper
("Image Transformer (Parmar et al., 2018)", "Pointer Nets (Vinyals & Le, 2015)") is that
paper's method or model, so no organization anywhere in the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .name_parts import TOKEN
from .organizations import APPOSITION_OF_KIND, CITATION

ACRONYM = r"[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9-]*"
PHRASE = r"[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,7}"
# "words (ACR)" and "ACR (words" with the definition ending at `)`, `;` or `,`.
IN_PARENTHESES = re.compile(rf"\s\((?P<acronym>{ACRONYM})[);,]")
PHRASE_BEFORE = re.compile(r"[^.;:!?,()\[\]]{1,120}$")
DESCRIBED = re.compile(rf"(?<![\w.-])(?P<name>[A-Z][\w.-]*[\w]){APPOSITION_OF_KIND}")
# What research posts introduce that is neither a model nor an organization: "the REINFORCE
# algorithm", "the InfoNCE loss", "CPC is a method for…". Not products (`the OpenAI API`):
# a company names its platform after itself; nor datasets (`the Alpaca dataset`): a data set
# is often named for the model trained on it.
RESEARCH_KINDS = (r"algorithms?|methods?|techniques?|loss(?:es)?|objectives?|metrics?|"
                  r"architectures?")
NOT_A_MODEL_WORD = r"(?!models?\b|networks?\b|fine-?tune|LLMs?\b|chatbots?\b)"
NAMED_KIND = re.compile(
    rf"(?<![\w.-])(?P<name>[A-Z][\w.-]*[\w])(?:\s+(?:{RESEARCH_KINDS})\b|\s+(?:is|was)\s+"
    rf"(?:a|an)\s+(?:{NOT_A_MODEL_WORD}[\w.-]+\s+){{0,4}}?(?:{RESEARCH_KINDS})\b)")
BEFORE_PHRASE = re.compile(rf"(?<![\w-])(?P<acronym>{ACRONYM})\s+\((?P<phrase>{PHRASE})[);,]")
NAME_WORD = r"[A-Z][\w.+-]*"
CITED = re.compile(rf"(?<![\w.-])(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{0,3}}){CITATION}")
ORGANIZATION_WORDS = {
    "association", "institute", "university", "college", "laboratory", "laboratories", "lab",
    "labs", "foundation", "center", "centre", "society", "agency", "council", "organization",
    "organisation", "department", "ministry", "commission", "committee", "group", "company",
    "corporation", "academy", "school", "consortium", "alliance", "conference", "workshop",
}


def defined_terms(text: str, common: frozenset[str]) -> frozenset[str]:
    """The acronyms `text` spells out as a phrase of `common` words (or acronyms), and the
    one-word names it describes as a method or tool ("BM25, a scoring function") or names
    with the kind of method they are ("the InfoNCE loss", "CPC is a method")."""
    terms = set()
    for acronym, phrase in _definitions(text):
        words = _spelling_words(phrase, acronym)
        if words and _is_description(words, common):
            terms.add(acronym)
    terms.update(match["name"] for match in DESCRIBED.finditer(text))
    terms.update(match["name"] for match in NAMED_KIND.finditer(text))
    return frozenset(terms)


def cited_names(text: str) -> frozenset[str]:
    """The names `text` introduces with a citation of their paper, and each of their tails
    (the name a sentence's first word runs into: "Then Image Transformer (…)")."""
    names = set()
    for match in CITED.finditer(text):
        words = match["name"].split()
        names.update(" ".join(words[i:]) for i in range(len(words)))
    return frozenset(names)


def _definitions(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each acronym in parentheses with the words before it, and each acronym followed by
    words in parentheses."""
    for match in IN_PARENTHESES.finditer(text):
        phrase = PHRASE_BEFORE.search(text, max(0, match.start() - 120), match.start())
        if phrase:
            yield match["acronym"], phrase.group().split()[-8:]
    for match in BEFORE_PHRASE.finditer(text):
        yield match["acronym"], match["phrase"].split()


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
