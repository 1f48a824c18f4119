"""The vault on disk: safe file names, notes written atomically (atomic.py), reading them back.

PyYAML (through `frontmatter`) loads when a note is first read: a cron poll that finds
nothing new reads no note and does not pay for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from ..atomic import TEMP_SUFFIX, atomic_write
from ..errors import NoteError
from ..records import Topic
from .markup import readable

STATE_DIR = ".gleaner"
TEMP_DIR = "tmp"
TOPICS_DIR = "topics"
# Forbidden on Windows (<>:"/\|?*, controls) or meaningful in an Obsidian link (#^[]|{}%).
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*#^\[\]{}%]')
# Invisible characters that reorder or hide text: a name must read as what it is.
BIDI_AND_INVISIBLE = re.compile(r"[\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"{port}{i}" for port in ("COM", "LPT") for i in (*range(1, 10), "¹", "²", "³"))}
MAX_NAME_BYTES = 120


def safe_name(title: str) -> str:
    """A file name (no extension) valid on Windows, macOS and Linux and in wikilinks:
    readable, at most MAX_NAME_BYTES bytes of UTF-8, never hidden, never a device name."""
    name = unicodedata.normalize("NFC", readable(title))
    name = BIDI_AND_INVISIBLE.sub("", name)
    name = " ".join(UNSAFE.sub(" ", name).split()).strip(" .")
    name = _capped(name, MAX_NAME_BYTES - 1)  # one byte spare for a device name's "_"
    device = name.split(".")[0].strip()
    if device.upper() in RESERVED:
        name = f"{device}_{name[len(device):]}"
    return name or "Untitled"


def _capped(name: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut at a word boundary where there is one."""
    encoded = name.encode("utf-8")
    if len(encoded) <= limit:
        return name
    name = encoded[:limit].decode("utf-8", "ignore")
    return (name.rsplit(" ", 1)[0] if " " in name else name).strip(" .")


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def state_path(self) -> Path:
        return self.root / STATE_DIR / "state.sqlite"

    @property
    def temp_dir(self) -> Path:
        """Where notes are written before their atomic rename: outside every note folder,
        so a killed run's leftover is never seen by Obsidian or a sync tool."""
        return self.root / STATE_DIR / TEMP_DIR

    def clear_temp(self) -> int:
        """Delete what killed runs left in the temp folder; call only under the vault lock."""
        removed = 0
        for leftover in self.temp_dir.glob(f"*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
        return removed

    def inside(self, relative: str) -> Path:
        """The absolute path of a vault-relative path, refusing anything outside the vault."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise NoteError(f"{relative!r} points outside the vault")
        return path

    def free_note_path(self, title: str, folder: str = "") -> str:
        """A vault-relative path for a new note, with a suffix if the name is taken.

        Taken means by any file whose name differs only in case or Unicode normalization,
        since macOS and Windows would see those two names as one file.
        """
        base = safe_name(title)
        taken = self._names_in(folder)
        for attempt in range(1, 1000):
            name = f"{base}.md" if attempt == 1 else f"{base} ({attempt}).md"
            if _name_key(name) not in taken:
                return f"{folder}/{name}" if folder else name
        raise NoteError(f"no free file name for {title!r}")

    def _names_in(self, folder: str) -> set[str]:
        directory = self.inside(folder) if folder else self.root
        if not directory.is_dir():
            return set()
        return {_name_key(entry.name) for entry in directory.iterdir()}

    def holds(self, relative: str, note_id: Any, urls: Collection[str]) -> bool:
        """Whether the note at `relative` is the one with this id (without ids: with one of
        these URLs as its link). An unreadable note is, so its item fails with the reason
        instead of getting a twin."""
        from .frontmatter import read_frontmatter

        try:
            frontmatter = read_frontmatter(self.inside(relative))
        except FileNotFoundError:
            return False
        except (NoteError, OSError, UnicodeDecodeError):
            return True
        if frontmatter.get("id") is not None and note_id is not None:
            return frontmatter["id"] == note_id
        link = frontmatter.get("link")
        return isinstance(link, str) and link in urls

    def read(self, relative: str) -> str | None:
        path = self.inside(relative)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise NoteError(f"cannot read {relative}: {exc}") from exc

    def write(self, relative: str, text: str) -> None:
        """Write a note atomically; a disk, permission or encoding problem is a NoteError."""
        try:
            atomic_write(self.inside(relative), text, self.temp_dir)
        except (OSError, UnicodeEncodeError) as exc:
            raise NoteError(f"cannot write {relative}: {exc}") from exc

    def notes(self) -> Iterator[Path]:
        """Every Markdown note, outside Gleaner's and Obsidian's own folders."""
        for path in sorted(self.root.rglob("*.md")):
            parts = path.relative_to(self.root).parts
            if not any(p.startswith(".") for p in parts):
                yield path

    def topics(self) -> Iterator[Topic]:
        """Topic notes a person or an earlier run put in `topics/<Category>/`, with aliases."""
        from .frontmatter import split_frontmatter

        for path in sorted((self.root / TOPICS_DIR).glob("*/*.md")):
            try:
                meta, _ = split_frontmatter(path.read_text(encoding="utf-8"))
            except (NoteError, OSError, UnicodeDecodeError):
                continue
            aliases = meta.get("aliases") or []
            yield Topic(
                name=path.stem,
                category=path.parent.name,
                aliases=tuple(str(a) for a in aliases if isinstance(a, str | int | float)),
                organization=meta.get("organization") if isinstance(meta.get("organization"),
                                                                    str) else None,
            )


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
