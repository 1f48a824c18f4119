"""The vault on disk: safe file names, atomic writes, and reading notes back."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import NoteError
from .frontmatter import split_frontmatter
from .records import Topic

STATE_DIR = ".gleaner"
TOPICS_DIR = "topics"
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*#^\[\]{}%]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
            *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 120


def safe_name(title: str) -> str:
    """A file name (no extension) that is valid on Windows, macOS and Linux and in wikilinks."""
    name = unicodedata.normalize("NFC", title)
    name = " ".join(UNSAFE.sub(" ", name).split()).strip(" .")
    encoded = name.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        name = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore")
        name = (name.rsplit(" ", 1)[0] if " " in name else name).strip(" .")
    if name.split(".")[0].upper() in RESERVED:
        name = f"{name}_"
    return name or "Untitled"


def atomic_write(path: Path, text: str) -> None:
    """Write via a temp file, fsync and rename, so a reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def state_path(self) -> Path:
        return self.root / STATE_DIR / "state.sqlite"

    def inside(self, relative: str) -> Path:
        """The absolute path of a vault-relative path, refusing anything outside the vault."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise NoteError(f"{relative!r} points outside the vault")
        return path

    def free_note_path(self, title: str, folder: str = "") -> str:
        """A vault-relative path for a new note, with a suffix if the name is taken."""
        base = safe_name(title)
        for attempt in range(1, 1000):
            name = base if attempt == 1 else f"{base} ({attempt})"
            relative = f"{folder}/{name}.md" if folder else f"{name}.md"
            if not self.inside(relative).exists():
                return relative
        raise NoteError(f"no free file name for {title!r}")

    def read(self, relative: str) -> str | None:
        path = self.inside(relative)
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, relative: str, text: str) -> None:
        atomic_write(self.inside(relative), text)

    def notes(self) -> Iterator[Path]:
        """Every Markdown note, outside Gleaner's and Obsidian's own folders."""
        for path in sorted(self.root.rglob("*.md")):
            parts = path.relative_to(self.root).parts
            if not any(p.startswith(".") for p in parts):
                yield path

    def topics(self) -> Iterator[Topic]:
        """Topic notes a person or an earlier run put in `topics/<Category>/`, with aliases."""
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
