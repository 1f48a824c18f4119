"""The emit stage: render an article note in the users' format and merge it into the vault.

Gleaner owns the keys and sections it writes; the person owns everything else (see
docs/OWNERSHIP.md). What Gleaner last wrote is kept in the state (`owned`), so on a re-run
a value or section that still matches it is refreshed, and one the person changed is left
alone. A snapshot written just before a note file (`pending`) covers a run killed between
the file write and the state commit: the text it left is still recognised as Gleaner's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import NoteError
from .frontmatter import render_frontmatter, split_frontmatter
from .markup import inert, link_label, link_target, readable
from .records import Link, NoteDraft, Topic
from .sections import PREAMBLE, join_sections, split_sections
from .validate import check_frontmatter, frontmatter_problems
from .vault import TOPICS_DIR, safe_name

PERSON_DEFAULTS: Mapping[str, Any] = {"already_read": False, "read_priority": 0}
OWNED_SECTIONS = ("Summary", "Links", "Topics")
ID_KEY = "id"
MAX_PENDING = 8
NOT_IN_TAG = re.compile(r"[^\w/-]+")  # Obsidian tags: letters, digits, `_`, `-` and `/`


@dataclass(frozen=True)
class Rendered:
    """A note as text, with the owned values and sections it contains."""

    text: str
    owned: dict[str, Any]
    kept: tuple[str, ...] = field(default_factory=tuple)


def note_id_for(url: str) -> str:
    """The stable id of the note first written for this URL; it never changes after."""
    return "gl-" + hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def topic_link(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{safe_name(topic.category)}/{safe_name(topic.name)}"


def owned_frontmatter(draft: NoteDraft, versions: list[str]) -> dict[str, Any]:
    article = draft.article
    values: dict[str, Any] = {
        "link": article.url,
        "relevance": draft.relevance,
        "source": readable(article.source_name or article.site_name or ""),
        "tags": gleaner_tags(draft.analysis.tags),
        "type": "Content",
    }
    optional = {"title": readable(article.title), "author": readable(article.author or ""),
                "published": article.published,
                "versions": [v for v in versions if v != article.url]}
    values.update({k: v for k, v in optional.items() if v})
    return values


def gleaner_tags(tags: Sequence[str]) -> list[str]:
    """Gleaner's own tags as valid Obsidian tags; a person's tags are never rewritten."""
    cleaned = (NOT_IN_TAG.sub("_", readable(tag)).strip("_") for tag in tags)
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def owned_sections(draft: NoteDraft, note_paths: Mapping[str, str]) -> dict[str, str]:
    article = draft.article
    links = "\n".join(_link_line(link, note_paths) for link in article.links)
    embeds = "\n\n".join(f"![[{topic_link(t)}]]" for t in draft.analysis.topics)
    return {
        PREAMBLE: f"\n{link_target(article.url)}\n",
        "Summary": f"\n{_summary_text(draft.summary)}\n",
        "Links": f"\n{links}\n\n" if links else "\n",
        "Topics": f"\n{embeds}\n" if embeds else "\n",
    }


def with_pending(owned_before: Mapping[str, Any] | None, written: Mapping[str, Any]) -> dict:
    """The state's snapshot while a note file is being written: the last committed one plus
    what is about to be written, so either is recognised as Gleaner's after a kill."""
    before = dict(owned_before or {})
    before["pending"] = [*before.get("pending", []), dict(written)][-MAX_PENDING:]
    return before


def render_note(
    draft: NoteDraft,
    note_paths: Mapping[str, str],
    versions: list[str],
    existing: str | None = None,
    owned_before: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Rendered:
    """The note's full text: fresh, or merged into the existing file keeping the person's edits."""
    owned_before = owned_before or {}
    fresh_keys = owned_frontmatter(draft, versions)
    fresh_sections = owned_sections(draft, note_paths)
    what = f"note for {draft.article.url}"
    note_id = owned_before.get("id") or note_id_for(draft.article.url)
    if existing is None:
        frontmatter = {**PERSON_DEFAULTS, **fresh_keys, ID_KEY: note_id,
                       "upload_date": (today or date.today()).isoformat()}
        check_frontmatter(frontmatter, what)
        text = render_frontmatter(frontmatter) + _fresh_body(fresh_sections)
        kept: tuple[str, ...] = ()
    else:
        frontmatter, text, kept = _merge(existing, fresh_keys, fresh_sections, owned_before,
                                         note_id, what)
    owned = {"keys": fresh_keys, "sections": fresh_sections, "id": frontmatter[ID_KEY]}
    return Rendered(text=text, owned=owned, kept=kept)


def _fresh_body(sections: dict[str, str]) -> str:
    return join_sections([(PREAMBLE, sections[PREAMBLE]),
                          *((name, sections[name]) for name in OWNED_SECTIONS)])


def _merge(
    existing: str, fresh_keys: dict[str, Any], fresh_sections: dict[str, str],
    owned_before: Mapping[str, Any], note_id: str, what: str,
) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    try:
        frontmatter, body = split_frontmatter(existing.replace("\r\n", "\n"))
    except NoteError as exc:
        raise NoteError(f"existing note cannot be read, left untouched: {exc}") from exc
    already_wrong = frontmatter_problems(frontmatter)
    snapshots = [owned_before, *owned_before.get("pending", [])]
    written_keys = [s.get("keys", {}) for s in snapshots]
    kept = []
    for key, value in fresh_keys.items():
        merged = _merged_value(key, frontmatter.get(key), value, written_keys)
        if merged is _PERSON_EDIT:
            kept.append(f"frontmatter key {key!r}")
        else:
            frontmatter[key] = merged
    for key in {k for keys in written_keys for k in keys} - set(fresh_keys):
        if any(key in keys and frontmatter.get(key) == keys[key] for keys in written_keys):
            frontmatter.pop(key, None)
    frontmatter.setdefault(ID_KEY, note_id)
    check_frontmatter(frontmatter, what, tolerated=already_wrong)
    sections, section_kept = _merge_sections(body, fresh_sections,
                                             [s.get("sections", {}) for s in snapshots])
    return frontmatter, render_frontmatter(frontmatter) + sections, tuple(kept + section_kept)


_PERSON_EDIT = object()


def _merged_value(key: str, current: Any, fresh: Any, written: list[Mapping[str, Any]]) -> Any:
    """The fresh value, unless the note holds a value Gleaner never wrote there."""
    if key == "tags":
        return _merged_tags(current, fresh, [keys["tags"] for keys in written if "tags" in keys])
    earlier = [keys[key] for keys in written if key in keys]
    if current == fresh or current in earlier or (current is None and not earlier):
        return fresh
    return _PERSON_EDIT


def _merged_tags(current: Any, fresh: list[str], written: list[list[str]]) -> Any:
    """Gleaner's new tags, minus those the person deleted, plus those the person added."""
    current = [] if current is None else current
    if not isinstance(current, list) or not all(isinstance(t, str | int | float) for t in current):
        return _PERSON_EDIT
    earlier = min(written, key=lambda tags: len(set(tags) ^ set(current)), default=[])
    removed_by_person = set(earlier) - set(current)
    added_by_person = [t for t in current if t not in earlier]
    return list(dict.fromkeys([*(t for t in fresh if t not in removed_by_person),
                               *added_by_person]))


def _merge_sections(
    body: str, fresh: dict[str, str], written: list[Mapping[str, str]]
) -> tuple[str, list[str]]:
    """Replace each owned section's earlier text by the new one; keep everything else."""
    parts = split_sections(body)
    kept = []
    for index, (name, content) in enumerate(parts):
        if name not in fresh:
            continue
        merged = _merged_section(content, fresh[name], [w[name] for w in written if name in w])
        if merged is None:
            kept.append(f"section {name or 'link line'!r}")
        else:
            parts[index] = (name, merged)
    present = {name for name, _ in parts}
    ever_written = {name for w in written for name in w}
    parts += [(n, fresh[n]) for n in OWNED_SECTIONS if n not in present and n not in ever_written]
    return join_sections(parts), kept


def _merged_section(content: str, fresh: str, earlier: list[str]) -> str | None:
    """The section with Gleaner's earlier text replaced; None when the person rewrote it.

    A section Gleaner never wrote counts as Gleaner's only while it is empty, so a note the
    person wrote (found by its link) keeps its own text.
    """
    if content == fresh or content in earlier or (not earlier and not content.strip()):
        return fresh
    for old in earlier:
        if old.strip() and old.strip() in content:
            return content.replace(old.strip(), fresh.strip(), 1)
    return None


def _summary_text(summary: str) -> str:
    return "\n".join(
        f"- {inert(line[2:])}" if line.startswith("- ") else inert(line)
        for line in summary.splitlines()
    )


def _link_line(link: Link, note_paths: Mapping[str, str]) -> str:
    note = note_paths.get(link.url)
    label = link_label(link.label)
    target = f"[[{note.removesuffix('.md')}|{label}]]" if note else \
        f"[{label}]({link_target(link.url)})"
    context = inert(link.context)
    return f"- {target} : {context}" if context else f"- {target}"
