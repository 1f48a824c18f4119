"""Looking after topic notes: list them with their article counts, merge two into one.

A merge is how a person fixes the tagger's mistakes once and for all: every link to the old
topic is rewritten to the new one, the old name becomes an alias of the new one (so the
tagger maps it there on every later run), and the old topic note goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoteError
from ..records import Topic
from ..state import State
from ..vault import TOPICS_DIR, Vault, render_frontmatter, split_frontmatter

ARTICLE_LINK = re.compile(r"^- \[\[", re.MULTILINE)


@dataclass(frozen=True)
class TopicEntry:
    category: str
    name: str
    articles: int

    @property
    def link(self) -> str:
        return f"{TOPICS_DIR}/{self.category}/{self.name}"


def list_topics(root: Path) -> list[TopicEntry]:
    """Every topic note, most-mentioned first."""
    entries = []
    for path in (root / TOPICS_DIR).glob("*/*.md"):
        _, body = split_frontmatter(path.read_text(encoding="utf-8"))
        entries.append(TopicEntry(path.parent.name, path.stem, len(ARTICLE_LINK.findall(body))))
    return sorted(entries, key=lambda e: (-e.articles, e.category, e.name.lower()))


def merge_topics(root: Path, old: str, new: str) -> int:
    """Merge topic `old` into `new` (each `Category/Name`); returns the notes rewritten."""
    vault = Vault(root)
    old_path, new_path = _topic_path(vault, old), _topic_path(vault, new)
    if old_path == new_path:
        raise NoteError(f"cannot merge {old!r} into itself")
    _absorb(old_path, new_path)
    old_link, new_link = f"[[{_link(old_path, root)}", f"[[{_link(new_path, root)}"
    state = State(vault.state_path)
    try:
        state.merge_topic(_topic(old_path), _topic(new_path), old_link + "]]", new_link + "]]")
    finally:
        state.close()
    pattern = re.compile(rf"{re.escape(old_link)}(?=[\]|#])")
    rewritten = 0
    for note in vault.notes():
        text = note.read_text(encoding="utf-8")
        updated = pattern.sub(new_link, text)
        if updated != text:
            vault.write(note.relative_to(root).as_posix(), updated)
            rewritten += 1
    old_path.unlink()
    return rewritten


def _topic_path(vault: Vault, spec: str) -> Path:
    category, _, name = spec.strip().strip("/").removesuffix(".md").partition("/")
    if not name:
        raise NoteError(f"{spec!r}: give a topic as Category/Name, e.g. Model/GPT-4o")
    path = vault.inside(f"{TOPICS_DIR}/{category}/{name}.md")
    if not path.is_file():
        raise NoteError(f"{spec!r}: no topic note at {path.relative_to(vault.root)}")
    return path


def _topic(path: Path) -> Topic:
    return Topic(name=path.stem, category=path.parent.name)


def _link(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def _absorb(old_path: Path, new_path: Path) -> None:
    """Add the old topic's name and aliases to the new one's, and its article list."""
    old_meta, old_body = split_frontmatter(old_path.read_text(encoding="utf-8"))
    new_meta, new_body = split_frontmatter(new_path.read_text(encoding="utf-8"))
    aliases = [*(new_meta.get("aliases") or []), old_path.stem, *(old_meta.get("aliases") or [])]
    new_meta["aliases"] = [a for a in dict.fromkeys(aliases) if a != new_path.stem]
    missing = [line for line in old_body.splitlines()
               if line.startswith("- [[") and line not in new_body]
    if missing:
        new_body = new_body.rstrip("\n") + "\n" + "\n".join(missing) + "\n"
    Vault(new_path.parents[2]).write(
        new_path.relative_to(new_path.parents[2]).as_posix(),
        render_frontmatter(new_meta) + new_body,
    )
