"""Markdown to plain text, block by block.

NLP and summaries must read prose, never Markdown syntax or URLs: this is the one place
that strips them, so `Paradox](https://…` can never become an entity or a summary word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]+>")
BARE_URL = re.compile(r"\bhttps?://\S+")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.DOTALL)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
QUOTE = re.compile(r"^\s*>\s?")
EMPHASIS = re.compile(r"(\*\*|__|~~)(.+?)\1")
ITALIC = re.compile(r"(?<![\w*])[*_](?![\s*_])(.+?)(?<![\s*_])[*_](?![\w*])")
CODE = re.compile(r"`([^`]*)`")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
PROSE_WORD = re.compile(r"(?<![\w/.-])[a-z][a-z'-]*[a-z](?![\w/-]|\.\w)")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Block:
    """One block of an article: a heading, a paragraph, a list item, a quote, or a table row
    (its cells joined by " | ", so no name runs from one cell into the next)."""

    kind: str
    text: str


def markdown_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    in_fence = False
    lines = markdown.splitlines()
    unclosed = _unclosed_fence(lines)
    for number, line in enumerate(lines):
        if FENCE.match(line):
            in_fence = in_fence != (number != unclosed)
            continue
        if in_fence or not line.strip() or TABLE_RULE.match(line):
            continue
        kind = _kind(line)
        if kind == "row":
            text = " | ".join(cell for cell in map(inline_text, _cells(line)) if cell)
        else:
            text = inline_text(QUOTE.sub("", BULLET.sub("", HEADING.sub("", line))))
        if text:
            blocks.append(Block(kind, text))
    return blocks


def _unclosed_fence(lines: list[str]) -> int | None:
    """The line of a last code fence that nothing closes. Markdown would make the rest of
    the document code; a page converted from HTML that quotes a fence in its text does
    that by accident, and its prose must not be lost: that fence is left out."""
    fences = [number for number, line in enumerate(lines) if FENCE.match(line)]
    return fences[-1] if len(fences) % 2 else None


def prose_words(markdown: str) -> frozenset[str]:
    """The words the prose writes in lower case: ordinary words, not names. Code (fenced or
    inline) and URLs are left out: `pip install openai` does not make "openai" a word."""
    words: set[str] = set()
    in_fence = False
    lines = markdown.splitlines()
    unclosed = _unclosed_fence(lines)
    for number, line in enumerate(lines):
        if FENCE.match(line) and number != unclosed:
            in_fence = not in_fence
        elif not in_fence:
            prose = BARE_URL.sub(" ", LINK_TARGET.sub("]", CODE.sub(" ", line)))
            words.update(w for w in PROSE_WORD.findall(prose) if w.islower())
    return frozenset(words)


def markdown_to_text(markdown: str) -> str:
    return "\n\n".join(block.text for block in markdown_blocks(markdown))


def inline_text(line: str) -> str:
    """Plain text of one line of Markdown: link labels kept, syntax and URLs dropped."""
    text = IMAGE.sub("", line)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub("", text)
    text = BARE_URL.sub("", text)
    text = HTML_TAG.sub("", text)
    text = CODE.sub(r"\1", text)
    text = EMPHASIS.sub(r"\2", text)
    text = ITALIC.sub(r"\1", text)
    text = text.replace("|", " ").replace("\\", "")
    text = html.unescape(text)
    return SPACES.sub(" ", text).strip()


def _cells(row: str) -> list[str]:
    return row.strip().strip("|").split("|")


def _kind(line: str) -> str:
    if TABLE_ROW.match(line):
        return "row"
    if HEADING.match(line):
        return "heading"
    if BULLET.match(line):
        return "item"
    if QUOTE.match(line):
        return "quote"
    return "paragraph"
