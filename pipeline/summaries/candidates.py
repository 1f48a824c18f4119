"""The sentences a summary may use, each with its place in the article's Markdown structure.

The analyzer gives the article's prose sentences as plain strings; the summary also needs
to know where each one sits: its paragraph (a sentence that leans on the one before it
needs that one), its section (a "Releases this week" or "References" section is not what
the post is about), and whether it is quoted or mostly link labels. Sentences are found
again in the article's blocks, in order, so the analysis needs no extra fields.

A candidate is a clean sentence: no Markdown, code or URL debris, a capital at the start and
a full stop at the end, neither a question nor a lead-in to a list, not boilerplate, no
half of a quotation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..extract import LINK, Block, markdown_blocks

MIN_WORDS, MAX_WORDS = 8, 60
BOILERPLATE = re.compile(
    r"click here|subscribe|sign up|newsletter|cookie|all rights reserved|©|follow us|"
    r"share this|read more|we're hiring|check out|originally published|"
    r"(?:photo|image|illustration|graphic)(?:graph)?s?(?: credit)?:|getty images|"
    r"\((?:ap|afp|reuters) photo|(?:photo|image)s? (?:by|courtesy of)\b|"
    r"^(?:fig\.|figure|table|source:)\s*\d*[.:]",
    re.IGNORECASE,
)
# A paragraph that is all emphasis or all code is a caption, a pseudo-heading or code.
WHOLLY_MARKED = re.compile(r"^([*_`]).*\1$", re.DOTALL)
PSEUDO_HEADING_WORDS = 8
# What Markdown, HTML, templates, code or a URL leave behind when the text was not clean.
DEBRIS = re.compile(
    r"[\[\]{}<>|`\\^]|\*\*|__|~~|(?:^|\s)[#*+•]\s|^[-–—]\s|https?:|www\.|"
    r"\w\.(?:com|org|net|io|ai|dev|co|me|app|so)/|\$[^\d\s]|\w\(\)|\S=\S|\s=\s",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!][\"'”’)]*$")
STARTS_WELL = re.compile(r"^[\"“‘(]?[A-Z0-9]")
QUOTES = (("“", "”"), ("«", "»"))
# A speaker's label opens a line of a transcript or a chat: `Simon: …`, `Bard: …`; an
# editor's note (`Update: …`) is the author's own.
SPEAKER = re.compile(r"^(?!(?:Update|Note|Edit|Correction|Disclaimer|Warning|Tip)\b)"
                     r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?: ")
WEAK_HEADING = re.compile(
    r"\b(?:releases?|TILs?|links?|further reading|references|bibliography|acknowledge?ments?|"
    r"citations?|resources|appendix|changelog|credits|sponsors?|related|footnotes|see also|"
    r"colophon|quotes?|elsewhere|also this week)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"\w+")
PROSE = ("paragraph", "quote", "caption")  # the blocks the analyzer takes sentences from
WEAK_SECTION = 0.15
QUOTED = 0.6
SPOKEN = 0.6


@dataclass(frozen=True)
class Candidate:
    """A clean sentence of the article that a summary may use.

    `position` counts all the article's prose sentences, clean or not; `previous` is the
    position of the sentence before it in the same paragraph (None for a paragraph's first),
    the one it may lean on. `weight` is below 1 for what the post is less about: a weak
    section, a quotation, a transcript line, a paragraph made mostly of links."""

    text: str
    position: int
    previous: int | None
    heading: str
    weight: float


def summary_candidates(markdown: str, sentences: Sequence[str]) -> list[Candidate]:
    """The clean sentences, in the article's order, placed in its blocks and sections."""
    blocks = [_as_read(b) for b in markdown_blocks(markdown)]
    places = _places(blocks, sentences)
    headings = _headings(blocks)
    block_weights = _block_weights(blocks)
    found = []
    for position, (sentence, block) in enumerate(zip(sentences, places, strict=True)):
        if not is_clean(sentence):
            continue
        if block is None:
            found.append(Candidate(sentence, position, None, "", 1.0))
        elif blocks[block].kind != "caption":
            previous = position - 1 if position and places[position - 1] == block else None
            weight = block_weights[block] * (SPOKEN if SPEAKER.match(sentence) else 1.0)
            found.append(Candidate(sentence, position, previous, headings[block], weight))
    return found


def is_clean(sentence: str) -> bool:
    words = sentence.split()
    return (
        MIN_WORDS <= len(words) <= MAX_WORDS
        and STARTS_WELL.match(sentence) is not None
        and SENTENCE_END.search(sentence) is not None
        and not DEBRIS.search(sentence)
        and not BOILERPLATE.search(sentence)
        and _quotes_balanced(sentence)
    )


def _quotes_balanced(sentence: str) -> bool:
    """False for half a quotation: `And like, five swiped away,” said Will.`"""
    return sentence.count('"') % 2 == 0 and all(
        sentence.count(opening) == sentence.count(closing) for opening, closing in QUOTES)


def _as_read(block: Block) -> Block:
    """A block as a reader takes it: a short line all in bold (`**Citation**`) is a
    heading, and a paragraph all in italics or code (a caption, a citation) is no prose."""
    if block.kind != "paragraph" or not WHOLLY_MARKED.match(block.markdown):
        return block
    if len(block.text.split()) <= PSEUDO_HEADING_WORDS and not SENTENCE_END.search(block.text):
        return Block("heading", block.text, block.markdown)
    return Block("caption", block.text, block.markdown)


def _places(blocks: list[Block], sentences: Sequence[str]) -> list[int | None]:
    """The block of each sentence. The analyzer cut its sentences from the prose blocks in
    order, so each is found at or after the end of the one before; a sentence found nowhere
    ahead (a block the analyzer read differently) has no place and keeps the search where
    it was."""
    places: list[int | None] = []
    block, cursor = 0, 0
    for sentence in sentences:
        found = _find(blocks, sentence, block, cursor)
        if found is None:
            places.append(None)
            continue
        block, cursor = found
        places.append(block)
    return places


def _find(blocks: list[Block], sentence: str, block: int, cursor: int
          ) -> tuple[int, int] | None:
    for index in range(block, len(blocks)):
        if blocks[index].kind in PROSE:
            start = blocks[index].text.find(sentence, cursor if index == block else 0)
            if start >= 0:
                return index, start + len(sentence)
    return None


def _headings(blocks: list[Block]) -> list[str]:
    """The heading each block sits under, "" before the first."""
    current, found = "", []
    for block in blocks:
        if block.kind == "heading":
            current = block.text
        found.append(current)
    return found


def _block_weights(blocks: list[Block]) -> list[float]:
    """Each block's weight: its section's (low under a heading of links, releases, quotes
    or references, and as low as the share of the section's words that are link labels)
    times its own (as low as its share of link labels, lower for a quotation)."""
    counts = [(len(WORD.findall(b.text)), _label_words(b)) for b in blocks]
    weights: list[float] = []
    start = 0
    for end in [*(i for i, b in enumerate(blocks) if b.kind == "heading" and i), len(blocks)]:
        words = sum(n for n, _ in counts[start:end])
        section = 1.0 - _share(sum(labels for _, labels in counts[start:end]), words)
        if blocks and blocks[start].kind == "heading" and WEAK_HEADING.search(blocks[start].text):
            section = min(section, WEAK_SECTION)
        for index in range(start, end):
            own = 1.0 - _share(counts[index][1], counts[index][0])
            weights.append(section * own * (QUOTED if blocks[index].kind == "quote" else 1.0))
        start = end
    return weights


def _label_words(block: Block) -> int:
    return sum(len(WORD.findall(m.group(1))) for m in LINK.finditer(block.markdown))


def _share(part: int, whole: int) -> float:
    return min(1.0, part / whole) if whole else 0.0
