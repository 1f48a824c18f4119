"""Make outside text inert inside an Obsidian note.

Article text must never become an embed, a wikilink, a Markdown link or image, a comment, a
tag, a block reference, HTML, a template, a Dataview query or a heading in the vault: those
are escaped here, before anything is written. Backslashes are escaped first, so text that
arrives already escaped (`\\[[x]]`) cannot cancel an escape added here.
"""

from __future__ import annotations

import re
from urllib.parse import quote

SURROGATE = re.compile(r"[\ud800-\udfff]")
# `[` opens links, embeds, footnotes and callouts; a backtick, code and Dataview queries.
TEXT_SPECIALS = "\\[`"
LABEL_SPECIALS = TEXT_SPECIALS + "]|"
# Runs of two or more: wikilink end, comment, highlight, template.
DOUBLED = re.compile(r"\]{2,}|%{2,}|={2,}|\{{2,}|\}{2,}")
TAG_OR_HEADING = re.compile(r"(^|\s)#")
BLOCK_REF = re.compile(r"\^(?=[\w-]+\s*$)", re.MULTILINE)
RULE_OR_UNDERLINE = re.compile(r"^(?=[-=*_+](?:\s*[-=*_])*\s*$)")
URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]")
BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
DOUBLE_EQUALS = re.compile(r"(?<==)=")


def readable(text: str) -> str:
    """Text that can be written as UTF-8: lone surrogates become U+FFFD."""
    return SURROGATE.sub("\ufffd", text)


def inert(text: str) -> str:
    """Plain text that renders as itself in Obsidian, on one line."""
    return _escaped(text, TEXT_SPECIALS)


def link_label(text: str) -> str:
    """A label safe inside `[...]` of a Markdown link or after `|` of a wikilink."""
    return _escaped(text, LABEL_SPECIALS)


def _escaped(text: str, specials: str) -> str:
    text = " ".join(readable(text).split())
    text = re.sub(f"([{re.escape(specials)}])", r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = DOUBLED.sub(lambda m: "".join(f"\\{c}" for c in m.group()), text)
    text = TAG_OR_HEADING.sub(r"\1\\#", text)
    text = RULE_OR_UNDERLINE.sub("\\\\", text)
    return BLOCK_REF.sub(r"\\^", text)


def link_target(url: str) -> str:
    """A URL safe inside `(...)` of a Markdown link and as a bare line: every character
    outside RFC 3986's set (spaces, brackets, pipes, backticks, non-ASCII) percent-encoded."""
    url = BARE_PERCENT.sub("%25", readable(url))
    url = URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url)
    return DOUBLE_EQUALS.sub("%3D", url)
