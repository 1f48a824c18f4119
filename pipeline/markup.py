"""Make outside text inert inside an Obsidian note.

Article text must never become an embed, a wikilink, a comment, a tag, a block reference,
HTML or a heading in the vault: those are escaped here, before anything is written.
"""

from __future__ import annotations

import re

OBSIDIAN = re.compile(r"(\[\[|\]\]|%%|==|\{\{|\}\})")
TAG_OR_HEADING = re.compile(r"(^|\s)#(?=\S)")
BLOCK_REF = re.compile(r"\^(?=[\w-]+\s*$)", re.MULTILINE)


def inert(text: str) -> str:
    """Plain text that renders as itself in Obsidian, on one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = OBSIDIAN.sub(lambda m: "\\" + "\\".join(m.group(1)), text)
    text = TAG_OR_HEADING.sub(r"\1\\#", text)
    return BLOCK_REF.sub(r"\\^", text)


def link_label(text: str) -> str:
    """A label safe inside `[...]` of a Markdown link or after `|` of a wikilink."""
    return inert(text).replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")


def link_target(url: str) -> str:
    """A URL safe inside `(...)` of a Markdown link."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C")
