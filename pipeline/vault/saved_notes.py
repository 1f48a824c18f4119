"""What the person had in a read-later service, merged into their note: their tags, the
read and favourite marks, the day they saved it (`saved`) and a `## Highlights` section.

Everything written here is the person's from then on (docs/OWNERSHIP.md): Gleaner's own
refresh of a note never touches these keys or that section, and an import writes each piece
once (pipeline/vault/saved_marks.py), so what the person deletes stays deleted. Merging is
idempotent: a piece already in the note is not written again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import NoteError
from ..records import Highlight, SavedItem
from .frontmatter import render_frontmatter, split_frontmatter
from .markup import inert, readable
from .saved_marks import Mark
from .sections import join_sections, split_sections

HIGHLIGHTS = "Highlights"
AFTER_SECTION = "Summary"  # the Highlights section goes right after it, if the note has one
NOT_IN_TAG = re.compile(r"[\s#,\[\]|]+")  # what an Obsidian tag (and the schema) cannot hold


@dataclass(frozen=True)
class SavedMerge:
    """The note's text with the saved data in it, and every mark that is now in it."""

    text: str
    marks: frozenset[Mark]


def person_tag(tag: str) -> str:
    """A tag from an export, kept as the person wrote it, but for what a tag cannot hold (a
    space, `#`, `,`, `[`, `]`, `|`), which becomes `_`."""
    return NOT_IN_TAG.sub("_", readable(tag).strip().lstrip("#")).strip("_")


def merge_saved(text: str, items: Sequence[SavedItem], written: set[Mark]) -> SavedMerge:
    """The note with what the items hold and the note lacks, minus what was written before.

    NoteError if the note's frontmatter cannot be read: the note is then left as it is."""
    try:
        frontmatter, body = split_frontmatter(text.replace("\r\n", "\n"))
    except NoteError as exc:
        raise NoteError(f"note cannot be read, left untouched: {exc}") from exc
    before = render_frontmatter(frontmatter)
    marks: set[Mark] = set()
    for item in items:
        marks |= _merge_keys(frontmatter, item, written)
    blocks = [(mark, block) for item in items for mark, block in _highlight_blocks(item)]
    merged_body, in_section = _with_highlights(body, [(m, b) for m, b in blocks
                                                      if m not in written])
    marks |= in_section | {mark for mark, _ in blocks if mark in written}
    after = render_frontmatter(frontmatter)
    if after == before and merged_body == body:
        return SavedMerge(text, frozenset(marks))
    return SavedMerge(after + merged_body, frozenset(marks))


def marks_of(items: Sequence[SavedItem]) -> frozenset[Mark]:
    """Every mark the items can leave in a note. When an import has written them all to a
    note before, merging would change nothing, so a re-import need not read the note."""
    marks: set[Mark] = set()
    for item in items:
        marks |= {("tag", tag) for tag in filter(None, map(person_tag, item.tags))}
        marks |= {(key, "") for key, _ in _once_keys(item)}
        marks |= {mark for mark, _ in _highlight_blocks(item)}
    return frozenset(marks)


def _merge_keys(frontmatter: dict[str, Any], item: SavedItem, written: set[Mark]) -> set[Mark]:
    """Adds to the frontmatter what the item has and the note lacks; the item's marks."""
    marks: set[Mark] = set()
    tags = frontmatter.setdefault("tags", [])
    if isinstance(tags, list):  # the person made it something else: theirs to keep
        for tag in filter(None, map(person_tag, item.tags)):
            if ("tag", tag) not in written and tag not in tags:
                tags.append(tag)
            marks.add(("tag", tag))
    for key, value in _once_keys(item):
        if (key, "") not in written and frontmatter.get(key) in (None, False):
            frontmatter[key] = value
        marks.add((key, ""))
    return marks


def _once_keys(item: SavedItem) -> list[tuple[str, object]]:
    """The frontmatter keys the item sets, if the note lacks them."""
    once = [("saved", item.saved), ("already_read", item.read or None),
            ("favorite", item.favorite or None)]
    return [(key, value) for key, value in once if value is not None]


def _highlight_blocks(item: SavedItem) -> Iterator[tuple[Mark, str]]:
    """Each highlight as a quote callout with the person's note under it; a note on the
    whole item as a paragraph of its own."""
    pieces = [*item.highlights, *((Highlight("", item.note),) if item.note else ())]
    for highlight in pieces:
        lines = []
        if highlight.quote.strip():
            lines += ["> [!quote]", *(f"> {inert(p)}" for p in _paragraphs(highlight.quote))]
        if highlight.note.strip():
            lines += [("\n" if lines else "") + "\n\n".join(map(inert,
                                                               _paragraphs(highlight.note)))]
        if lines:
            block = "\n".join(lines)
            yield ("highlight", hashlib.sha256(block.encode("utf-8", "surrogatepass"))
                   .hexdigest()[:16]), block


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _with_highlights(body: str, blocks: list[tuple[Mark, str]]) -> tuple[str, set[Mark]]:
    """The body with the blocks not in it yet at the end of its Highlights section (made
    after the Summary, or at the end, if the note has none); the marks of every block the
    section now holds."""
    if not blocks:
        return body, set()
    parts = split_sections(body)
    names = [name for name, _ in parts]
    present = dict(parts).get(HIGHLIGHTS, "")
    new = [block for _, block in blocks if block not in present]
    marks = {mark for mark, _ in blocks}
    if not new:
        return body, marks
    content = (present.rstrip("\n") + "\n\n" if present.strip() else "\n") + \
        "\n\n".join(new) + "\n"
    if HIGHLIGHTS in names:
        parts[names.index(HIGHLIGHTS)] = (HIGHLIGHTS, content)
    else:
        at = names.index(AFTER_SECTION) + 1 if AFTER_SECTION in names else len(parts)
        if at == len(parts) and parts[-1][1] and not parts[-1][1].endswith("\n"):
            parts[-1] = (parts[-1][0], parts[-1][1] + "\n")
        parts.insert(at, (HIGHLIGHTS, content))
    return join_sections(parts), marks
