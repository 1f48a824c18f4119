"""Outbound links of an article body, each with the sentence it sits in."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url

from .records import Link
from .text import LINK, inline_text, markdown_blocks

SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")
GENERIC_LABELS = {"here", "this", "link", "click here", "read more", "more", "source", "this post",
                  "this article", "post", "article", "via"}
MAX_CONTEXT = 400


def canonical_url(url: str) -> str:
    """Normalized URL without tracking parameters or fragment: the identity of a page."""
    with contextlib.suppress(ValueError):  # courlan rejects some valid URLs; keep them as given
        url = normalize_url(url)
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def extract_links(markdown: str, base_url: str) -> tuple[Link, ...]:
    """Links of the Markdown body (not images), de-duplicated by canonical URL."""
    page = canonical_url(base_url) if base_url.startswith("http") else base_url
    seen: set[str] = set()
    links: list[Link] = []
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        for match in LINK.finditer(line):
            if match.start() > 0 and line[match.start() - 1] == "!":
                continue
            link = _link(line, match, base_url)
            if link is None or link.url in seen or link.url == page:
                continue
            if not link.context:
                link = replace(link, context=_following_sentence(lines[number + 1 :]))
            seen.add(link.url)
            links.append(link)
    return tuple(links)


def _following_sentence(lines: list[str]) -> str:
    """A headline link's description: the first sentence of the paragraph under it."""
    for line in lines:
        block = next(iter(markdown_blocks(line)), None)
        if block is None:
            continue
        if block.kind != "paragraph" or LINK.fullmatch(line.strip()):
            return ""
        return _first_sentence(block.text)
    return ""


def _first_sentence(text: str) -> str:
    sentence = SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return sentence if len(sentence) <= MAX_CONTEXT else sentence[: MAX_CONTEXT - 1] + "…"


def _link(line: str, match: re.Match[str], base_url: str) -> Link | None:
    target = _target(match.group(0))
    absolute = urljoin(base_url, target)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    url = canonical_url(absolute)
    label = inline_text(match.group(1)) or urlsplit(url).netloc
    if label.lower().strip(" .:") in GENERIC_LABELS:
        label = _readable(url)
    return Link(url=url, label=label, context=_context(line, match))


def _target(markdown_link: str) -> str:
    inner = markdown_link[markdown_link.index("](") + 2 : -1].strip()
    return inner.split(' "', 1)[0].strip("<>")


def _context(line: str, match: re.Match[str]) -> str:
    """The cleaned sentence that holds the link; empty when the line is only the link."""
    marked = line[: match.start()] + "\x00" + line[match.start() :]
    block = next((b for b in markdown_blocks(marked)), None)
    if block is None:
        return ""
    sentences = SENTENCE_END.split(block.text)
    sentence = next((s for s in sentences if "\x00" in s), block.text).replace("\x00", "").strip()
    if sentence == inline_text(match.group(1)):
        return ""
    return _first_sentence(sentence)


def _readable(url: str) -> str:
    parts = urlsplit(url)
    tail = [p for p in parts.path.split("/") if p]
    return f"{parts.netloc}/{tail[-1]}" if tail else parts.netloc
