"""Omnivore's export: a zip of `metadata_<from>_to_<to>.json` lists (id, slug, title, author,
url, state, labels, savedAt, publishedAt, …), the stored page of each item as
`content/<slug>.html` and its highlights as `highlights/<slug>.md`.

Each metadata list is read one item at a time, and each stored page only for its own item,
so memory holds one item whatever the size of the library.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from ...records import Highlight, SavedItem, UnreadableItem
from .fields import FieldError, day_of, text_or_none, web_url
from .json_stream import JsonStreamError, array_items

METADATA = re.compile(r"^metadata(?:_(\d+)_to_\d+)?\.json$")
READ_STATES = frozenset({"archived"})
MAX_MEMBER_BYTES = 50_000_000

Entry = SavedItem | UnreadableItem


def is_omnivore(archive: zipfile.ZipFile) -> bool:
    return any(METADATA.match(name) for name in archive.namelist())


def read_omnivore(archive: zipfile.ZipFile, name: str) -> Iterator[Entry]:
    lists = sorted((n for n in archive.namelist() if METADATA.match(n)),
                   key=lambda n: int(METADATA.match(n).group(1) or 0))  # type: ignore[union-attr]
    for member in lists:
        yield from _items(archive, member, f"{name}: {member}")


def _items(archive: zipfile.ZipFile, member: str, where: str) -> Iterator[Entry]:
    number = 0
    try:
        with archive.open(member) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig")
            for number, item in enumerate(array_items(text), start=1):  # noqa: B007
                yield _entry(archive, item, f"{where} item {number}")
    except (JsonStreamError, zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        yield UnreadableItem(f"{where} after item {number}", f"cannot be read further: {exc}")


def _entry(archive: zipfile.ZipFile, item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        return UnreadableItem(where, "is not an object")
    try:
        slug = str(item.get("slug") or "")
        return SavedItem(
            url=web_url(item.get("url")), origin="Omnivore", where=where,
            title=text_or_none(item.get("title")), tags=_labels(item.get("labels")),
            read=str(item.get("state") or "").lower() in READ_STATES,
            saved=day_of(item.get("savedAt"), "savedAt"),
            published=day_of(item.get("publishedAt"), "publishedAt"),
            author=text_or_none(item.get("author")),
            highlights=parse_highlights(_member_text(archive, f"highlights/{slug}.md")),
            stored=_member_bytes(archive, f"content/{slug}.html"), fragment=True)
    except FieldError as exc:
        return UnreadableItem(where, str(exc))


def _labels(labels: Any) -> tuple[str, ...]:
    """Labels as names, or (older exports) as objects with a `name`."""
    if labels is None:
        return ()
    if not isinstance(labels, list):
        raise FieldError("labels is not a list")
    names = [label.get("name") if isinstance(label, dict) else label for label in labels]
    if not all(isinstance(n, str) for n in names):
        raise FieldError("labels holds something that is not a label")
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def _member_bytes(archive: zipfile.ZipFile, member: str) -> bytes | None:
    try:
        info = archive.getinfo(member)
    except KeyError:
        return None
    if info.file_size > MAX_MEMBER_BYTES:
        raise FieldError(f"{member} is over {MAX_MEMBER_BYTES:,} bytes")
    try:
        return archive.read(info) or None
    except (zipfile.BadZipFile, OSError) as exc:  # a CRC error, a truncated zip
        raise FieldError(f"{member} cannot be read: {exc}") from exc


def _member_text(archive: zipfile.ZipFile, member: str) -> str:
    content = _member_bytes(archive, member)
    return content.decode("utf-8", "replace") if content else ""


def parse_highlights(markdown: str) -> tuple[Highlight, ...]:
    """Omnivore's highlights file: each highlight a `> quote` block, then a line of
    `#labels` and the note, if any, as paragraphs of their own; a note with no quote is a
    paragraph on its own."""
    found: list[Highlight] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].startswith(">"):
            quote = "\n".join(line[1:].strip() for line in lines)
            found.append(Highlight(" ".join(quote.split())))
        elif all(word.startswith("#") for word in block.split()):
            continue  # the highlight's labels
        elif found and not found[-1].note:
            found[-1] = Highlight(found[-1].quote, block.strip())
        else:
            found.append(Highlight("", block.strip()))
    return tuple(found)
