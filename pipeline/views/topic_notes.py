"""Topic notes: one per model, organization or concept, listing the articles that mention it.

Gleaner owns the keys `type` and `category` and the article links (`- [[path|title]]`) of
the `## Articles` section; `aliases` only grow (a person's aliases stay, and teach the tagger
on the next run); `organization` is filled in only while the note has none, so a person's
correction stays; any other text or key in a topic note, including a line the person adds
under `## Articles`, is the person's. The `## Articles, newest first` section, a base view of
the same articles (pipeline/views/bases.py), is written once and then the person's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..errors import NoteError
from ..records import Analysis, Topic
from ..state import State, topic_key
from ..vault import (
    PREAMBLE,
    TOPICS_DIR,
    Vault,
    check_frontmatter,
    is_gleaners,
    join_sections,
    link_label,
    remember_written,
    render_frontmatter,
    safe_name,
    split_frontmatter,
    split_sections,
)
from .bases import TOPIC_VIEW_SECTION, topic_view, topic_view_target

ARTICLES = "Articles"
ARTICLE_LINE = re.compile(r"^- \[\[[^\]|]+\|.*\]\]$")


def in_vault_names(analysis: Analysis, established: Callable[[Topic], Topic | None]
                   ) -> Analysis:
    """The analysis with its topics under the names the vault already uses, or else under
    their first spelling in the article: two spellings of one name become one topic, whose
    mentions add up. The score counts topics (reading/relevance.py), so a note must be scored on the
    same topics when it is put on the scale (reading/scoring.py) as when it is written."""
    mentions: Counter[str] = Counter()
    topics: dict[str, Topic] = {}
    for topic in analysis.topics:
        named = topics.setdefault(topic_key(topic), established(topic) or topic)
        mentions[named.key] += analysis.mentions.get(topic.key, 1)
    return replace(analysis, topics=tuple(topics.values()), mentions=dict(mentions))


def topic_note_path(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{safe_name(topic.category)}/{safe_name(topic.name)}.md"


def render_topic_note(topic: Topic, articles: list[tuple[str, str]], existing: str | None,
                      view: str | None = None) -> str:
    """The topic note's text, merged into the existing one if there is one; with `view` as
    its view section's content, or that section as it is when `view` is None."""
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
    if view is not None:
        parts = _with_view(parts, view)
    return render_frontmatter(frontmatter) + join_sections(parts)


def _with_view(parts: list[tuple[str, str]], view: str) -> list[tuple[str, str]]:
    """The view section holding `view`: where it is, else just above `## Articles`."""
    if any(name == TOPIC_VIEW_SECTION for name, _ in parts):
        return [(n, view if n == TOPIC_VIEW_SECTION else c) for n, c in parts]
    at = next(i for i, (name, _) in enumerate(parts) if name == ARTICLES)
    return [*parts[:at], (TOPIC_VIEW_SECTION, view), *parts[at:]]


def _articles_section(listing: str, current: str) -> str:
    """Gleaner's article links, then every other line the person wrote in the section."""
    own = "\n".join(line for line in current.split("\n") if not ARTICLE_LINE.match(line))
    own = own.strip("\n")
    return "\n" + listing + (f"\n{own}\n" if own else "")


def write_topic_note(vault: Vault, topic: Topic, articles: list[tuple[str, str]],
                     state: State) -> bool:
    """Write the note if its text changed; True when something was written. A new note gets
    the view section, and so does a note whose view is still Gleaner's or was never written."""
    relative = topic_note_path(topic)
    existing = vault.read(relative)
    target, view = topic_view_target(relative), topic_view()
    try:
        ours = existing is None or is_gleaners(
            state, target, _section(existing, TOPIC_VIEW_SECTION), view)
        text = render_topic_note(topic, articles, existing, view if ours else None)
    except NoteError as exc:
        raise NoteError(f"{relative}: {exc}") from exc
    if text != existing:
        vault.write(relative, text)
    if ours:
        remember_written(state, target, view)
    return text != existing


def _section(note: str, name: str) -> str | None:
    """The content of the note's `## name` section, None if it has none."""
    _, body = split_frontmatter(note.replace("\r\n", "\n"))
    return dict(split_sections(body)).get(name)
