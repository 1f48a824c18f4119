"""Markdown to plain text, block by block.

NLP and summaries must read prose, never Markdown syntax or URLs: this is the one place
that strips them, so `Paradox](https://…` can never become an entity or a summary word.
A hard-wrapped paragraph is one block, as Markdown renders it, so no sentence is cut at a
line break; lines of plain text that look like separate items stay separate blocks.
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
UNCLOSED_TAG = re.compile(r"^\s*<[A-Za-z][^>]*$")
LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
TEX_MATH = re.compile(r"\$\$.*?(?:\$\$|$)", re.DOTALL)  # MathJax's `$$…$$`, to its end if unclosed
WRAP_COLUMNS = (60, 130)  # the columns editors hard-wrap prose at lie between these
RAGGED_EDGE = 30  # a wrapped line ends at most this far short of the column (a long word)
SENTENCE_ENDED = re.compile(r"[.!?:;][\"'”’)\]*]*$")
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
MARKUP = re.compile(r"[\[\]<>{}`*_~&|\\]|https?:")  # a line without these is plain text
SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Block:
    """One block of an article: a heading, a paragraph, a list item, a quote, or a table row
    (its cells joined by " | ", so no name runs from one cell into the next). `markdown` is
    the block's source, for what its plain text no longer shows (its links)."""

    kind: str
    text: str
    markdown: str = ""


def markdown_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    in_fence = in_tag = continuable = False
    lines = markdown.splitlines()
    wrapped = _wrapped_lines(lines)
    unclosed = _unclosed_fence(lines)
    for index, line in enumerate(lines):
        if FENCE.match(line):
            in_fence, continuable = in_fence != (index != unclosed), False
            continue
        if in_fence:
            continue
        if in_tag:
            # A tag's attributes run over lines until its ">"; a blank line ends it anyway.
            in_tag = bool(line.strip()) and ">" not in line
            continue
        if not line.strip() or TABLE_RULE.match(line) or UNCLOSED_TAG.match(line):
            in_tag, continuable = bool(UNCLOSED_TAG.match(line)), False
            continue
        block = _block(line)
        if block is None:
            continue
        if continuable and (index in wrapped or _continues(blocks[-1], block)):
            previous = blocks[-1]
            blocks[-1] = Block(previous.kind, f"{previous.text} {block.text}",
                               f"{previous.markdown}\n{block.markdown}")
        else:
            blocks.append(block)
        continuable = blocks[-1].kind in ("paragraph", "item", "quote")
    return blocks


def _unclosed_fence(lines: list[str]) -> int | None:
    """The line of a last code fence that nothing closes. Markdown would make the rest of
    the document code; a page converted from HTML that quotes a fence in its text does
    that by accident, and its prose must not be lost: that fence is left out."""
    fences = [number for number, line in enumerate(lines) if FENCE.match(line)]
    return fences[-1] if len(fences) % 2 else None


def prose_words(markdown: str) -> frozenset[str]:
    """The words the prose writes in lower case: ordinary words, not names. Code (fenced or
    inline), URLs, HTML tags, template tags and TeX math are left out: `pip install openai`
    does not make "openai" a word, nor an anchor `<a name="ctrl" />` "ctrl"."""
    words: set[str] = set()
    in_fence = False
    lines = markdown.splitlines()
    unclosed = _unclosed_fence(lines)
    for number, line in enumerate(lines):
        if FENCE.match(line) and number != unclosed:
            in_fence = not in_fence
        elif not in_fence:
            prose = BARE_URL.sub(" ", LINK_TARGET.sub("]", _markup_free(CODE.sub(" ", line))))
            words.update(w for w in PROSE_WORD.findall(prose) if w.islower())
    return frozenset(words)


def _markup_free(line: str) -> str:
    """A line without its HTML tags, template tags and inline TeX math: none of it is prose."""
    return TEX_MATH.sub(" ", HTML_TAG.sub(" ", LIQUID.sub(" ", line)))


def markdown_to_text(markdown: str) -> str:
    return "\n\n".join(block.text for block in markdown_blocks(markdown))


def inline_text(line: str) -> str:
    """Plain text of one line of Markdown: link labels kept, syntax and URLs dropped.
    Tags go before bare URLs, which would otherwise take a tag's `">` with them."""
    if not MARKUP.search(line):
        return SPACES.sub(" ", line).strip()
    text = LIQUID.sub("", line)
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub("", text)
    text = HTML_TAG.sub("", text)
    text = BARE_URL.sub("", text)
    text = CODE.sub(r"\1", text)
    text = EMPHASIS.sub(r"\2", text)
    text = ITALIC.sub(r"\1", text)
    text = text.replace("|", " ").replace("\\", "")
    text = html.unescape(text)
    return SPACES.sub(" ", text).strip()


def _block(line: str) -> Block | None:
    kind = _kind(line)
    if kind == "row":
        text = " | ".join(cell for cell in map(inline_text, _cells(line)) if cell)
    else:
        text = inline_text(BULLET.sub("", HEADING.sub("", QUOTE.sub("", line))))
    return Block(kind, text, line.strip()) if text else None


def _continues(previous: Block, block: Block) -> bool:
    """A line that carries on the sentence of the line before: a hard-wrapped paragraph,
    item or quote. A new line that starts with a capital or ends the sentence before it
    starts a block of its own, as in plain text with one item a line."""
    same_kind = block.kind == "paragraph" or block.kind == previous.kind == "quote"
    return same_kind and block.text[:1].islower() and not SENTENCE_ENDED.search(previous.text)


def _wrapped_lines(lines: list[str]) -> set[int]:
    """The lines that carry on a hard-wrapped paragraph: in a run of prose lines, every
    line but the last ends near one wrap column, as an editor wraps them, and at least one
    line carries on a sentence in lower case. Plain text with one item a line has lines of
    any length, each starting a sentence of its own."""
    wrapped: set[int] = set()
    run: list[int] = []
    for index, line in enumerate([*lines, ""]):
        if line.strip() and not FENCE.match(line) and not UNCLOSED_TAG.match(line) \
                and _kind(line) == "paragraph":
            run.append(index)
            continue
        widths = [len(lines[i].rstrip()) for i in run[:-1]]
        if widths and WRAP_COLUMNS[0] <= max(widths) <= WRAP_COLUMNS[1] \
                and min(widths) >= max(widths) - RAGGED_EDGE \
                and any(_carries_on(lines[i - 1], lines[i]) for i in run[1:]):
            wrapped.update(run[1:])
        run = []
    return wrapped


def _carries_on(line: str, next_line: str) -> bool:
    return next_line.lstrip()[:1].islower() and not SENTENCE_ENDED.search(line.rstrip())


def _cells(row: str) -> list[str]:
    return row.strip().strip("|").split("|")


def _kind(line: str) -> str:
    """A quoted heading or list item is a heading or an item: its marker is not prose."""
    if TABLE_ROW.match(line):
        return "row"
    inner = QUOTE.sub("", line)
    if HEADING.match(inner):
        return "heading"
    if BULLET.match(inner):
        return "item"
    if QUOTE.match(line):
        return "quote"
    return "paragraph"
