"""Topic notes: one per model, organization or concept, listing the articles that mention it.

Gleaner owns the keys `type` and `category` and the article links (`- [[path|title]]`) of
the `## Articles` section; `aliases` only grow (a person's aliases stay, and teach the tagger
on the next run); `organization` is filled in only while the note has none, so a person's
correction stays; any other text or key in a topic note, including a line the person adds
under `## Articles`, is the person's.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import NoteError
from .frontmatter import render_frontmatter, split_frontmatter
from .markup import link_label
from .records import Topic
from .sections import PREAMBLE, join_sections, split_sections
from .validate import check_frontmatter
from .vault import TOPICS_DIR, Vault, safe_name

ARTICLES = "Articles"
ARTICLE_LINE = re.compile(r"^- \[\[[^\]|]+\|.*\]\]$")


def topic_note_path(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{safe_name(topic.category)}/{safe_name(topic.name)}.md"


def render_topic_note(topic: Topic, articles: list[tuple[str, str]], existing: str | None) -> str:
    """The topic note's text, merged into the existing one if there is one."""
    frontmatter: dict[str, Any] = {}
    parts: list[tuple[str, str]] = [(PREAMBLE, "\n")]
    if existing is not None:
        frontmatter, body = split_frontmatter(existing.replace("\r\n", "\n"))
        parts = split_sections(body)
    aliases = frontmatter.get("aliases") if isinstance(frontmatter.get("aliases"), list) else []
    frontmatter.update({
        "type": "Topic",
        "category": topic.category,
        "aliases": list(dict.fromkeys([*aliases, *(a for a in topic.aliases if a != topic.name)])),
    })
    if topic.organization and not frontmatter.get("organization"):
        frontmatter["organization"] = topic.organization
    check_frontmatter(frontmatter, f"topic note {topic.name!r}")
    listing = "".join(f"- [[{path.removesuffix('.md')}|{link_label(title)}]]\n"
                      for path, title in articles)
    if any(name == ARTICLES for name, _ in parts):
        parts = [(n, _articles_section(listing, c) if n == ARTICLES else c) for n, c in parts]
    else:
        parts.append((ARTICLES, _articles_section(listing, "")))
    return render_frontmatter(frontmatter) + join_sections(parts)


def _articles_section(listing: str, current: str) -> str:
    """Gleaner's article links, then every other line the person wrote in the section."""
    own = "\n".join(line for line in current.split("\n") if not ARTICLE_LINE.match(line))
    own = own.strip("\n")
    return "\n" + listing + (f"\n{own}\n" if own else "")


def write_topic_note(vault: Vault, topic: Topic, articles: list[tuple[str, str]]) -> bool:
    """Write the note if its text changed; True when something was written."""
    relative = topic_note_path(topic)
    existing = vault.read(relative)
    try:
        text = render_topic_note(topic, articles, existing)
    except NoteError as exc:
        raise NoteError(f"{relative}: {exc}") from exc
    if text == existing:
        return False
    vault.write(relative, text)
    return True
