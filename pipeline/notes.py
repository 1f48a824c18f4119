"""The emit stage: render an article note in the users' format and merge it into the vault.

Gleaner owns the keys and sections it writes; the person owns everything else. What Gleaner
last wrote is kept in the state (`owned`), so on a re-run a value or section that still
matches it is refreshed, and one the person changed is left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import NoteError
from .frontmatter import render_frontmatter, split_frontmatter
from .markup import inert, link_label, link_target
from .records import Link, NoteDraft, Topic
from .sections import PREAMBLE, join_sections, split_sections
from .validate import check_frontmatter
from .vault import TOPICS_DIR, safe_name

PERSON_DEFAULTS: Mapping[str, Any] = {"already_read": False, "read_priority": 0}
OWNED_SECTIONS = ("Summary", "Links", "Topics")


@dataclass(frozen=True)
class Rendered:
    """A note as text, with the owned values and sections it contains."""

    text: str
    owned: dict[str, Any]
    kept: tuple[str, ...] = field(default_factory=tuple)


def topic_link(topic: Topic) -> str:
    return f"{TOPICS_DIR}/{topic.category}/{safe_name(topic.name)}"


def owned_frontmatter(draft: NoteDraft, versions: list[str]) -> dict[str, Any]:
    article = draft.article
    values: dict[str, Any] = {
        "link": article.url,
        "relevance": draft.relevance,
        "source": article.source_name or article.site_name or "",
        "tags": list(draft.analysis.tags),
        "type": "Content",
        "title": article.title,
    }
    optional = {"author": article.author, "published": article.published,
                "versions": [v for v in versions if v != article.url]}
    values.update({k: v for k, v in optional.items() if v})
    return values


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


def render_note(
    draft: NoteDraft,
    note_paths: Mapping[str, str],
    versions: list[str],
    existing: str | None = None,
    owned_before: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> Rendered:
    """The note's full text: fresh, or merged into the existing file keeping the person's edits."""
    fresh_keys = owned_frontmatter(draft, versions)
    fresh_sections = owned_sections(draft, note_paths)
    if existing is None:
        frontmatter = {**PERSON_DEFAULTS, **fresh_keys,
                       "upload_date": (today or date.today()).isoformat()}
        text = _compose(frontmatter, fresh_sections)
        kept: tuple[str, ...] = ()
    else:
        text, kept = _merge(existing, fresh_keys, fresh_sections, owned_before or {})
    frontmatter, _ = split_frontmatter(text)
    check_frontmatter(frontmatter, f"note for {draft.article.url}")
    owned = {"keys": fresh_keys, "sections": fresh_sections}
    return Rendered(text=text, owned=owned, kept=kept)


def _compose(frontmatter: dict[str, Any], sections: dict[str, str]) -> str:
    parts = [(PREAMBLE, sections[PREAMBLE]), *((n, sections[n]) for n in OWNED_SECTIONS)]
    return render_frontmatter(frontmatter) + join_sections(parts)


def _merge(
    existing: str, fresh_keys: dict[str, Any], fresh_sections: dict[str, str],
    owned_before: Mapping[str, Any],
) -> tuple[str, tuple[str, ...]]:
    try:
        frontmatter, body = split_frontmatter(existing)
    except NoteError as exc:
        raise NoteError(f"existing note cannot be read, left untouched: {exc}") from exc
    before_keys = owned_before.get("keys", {})
    before_sections = owned_before.get("sections", {})
    kept = []
    for key, value in fresh_keys.items():
        merged = _merged_value(key, frontmatter.get(key), value, before_keys)
        if merged is _PERSON_EDIT:
            kept.append(f"frontmatter key {key!r}")
        else:
            frontmatter[key] = merged
    for key in set(before_keys) - set(fresh_keys):
        if frontmatter.get(key) == before_keys[key]:
            frontmatter.pop(key, None)
    sections, section_kept = _merge_sections(body, fresh_sections, before_sections)
    return render_frontmatter(frontmatter) + sections, tuple(kept + section_kept)


_PERSON_EDIT = object()


def _merged_value(key: str, current: Any, fresh: Any, before: Mapping[str, Any]) -> Any:
    if key == "tags":
        current = current if isinstance(current, list) else []
        earlier = before.get("tags", [])
        removed_by_person = set(earlier) - set(current)
        added_by_person = [t for t in current if t not in earlier]
        return list(dict.fromkeys([*(t for t in fresh if t not in removed_by_person),
                                   *added_by_person]))
    if key in before and current != before[key]:
        return _PERSON_EDIT
    return fresh


def _merge_sections(
    body: str, fresh: dict[str, str], before: Mapping[str, str]
) -> tuple[str, list[str]]:
    """Replace each owned section's earlier text by the new one; keep everything else."""
    parts = split_sections(body)
    kept = []
    for index, (name, content) in enumerate(parts):
        if name not in fresh:
            continue
        old = before.get(name)
        if old is None or content == old:
            parts[index] = (name, fresh[name])
        elif old.strip() and old.strip() in content:
            parts[index] = (name, content.replace(old.strip(), fresh[name].strip(), 1))
        else:
            kept.append(f"section {name or 'link line'!r}")
    present = {name for name, _ in parts}
    parts += [(n, fresh[n]) for n in OWNED_SECTIONS if n not in present and n not in before]
    return join_sections(parts), kept


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
    return f"- {target} : {inert(link.context)}" if link.context else f"- {target}"
