"""Wallabag's and Karakeep's (formerly Hoarder) JSON exports, read one entry at a time.

Wallabag: a list of entries, each with its stored page (`content`), tags (labels, or objects
with a `label`), `is_archived`, `is_starred`, `created_at` and annotations (`quote`, `text`).
Karakeep: `{"bookmarks": [...]}`, each with `createdAt` (epoch seconds), `tags`, `note`,
`archived`, `favourited` and `content` (`{"type": "link", "url": ...}`; text and file
bookmarks are no articles). docs/IMPORTING.md has both layouts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from ...records import Highlight, NotAnArticle, SavedItem, UnreadableItem
from .fields import FieldError, day_of, flag, text_or_none, web_url
from .json_stream import JsonStreamError, array_items

Entry = SavedItem | UnreadableItem | NotAnArticle


def read_wallabag(stream: TextIO, name: str) -> Iterator[Entry]:
    yield from _entries(array_items(stream), name, _wallabag)


def read_karakeep(stream: TextIO, name: str) -> Iterator[Entry]:
    yield from _entries(array_items(stream, "bookmarks"), name, _karakeep)


def _entries(items: Iterator[Any], name: str, make: Any) -> Iterator[Entry]:
    number = 0
    try:
        for number, raw in enumerate(items, start=1):  # noqa: B007 (read after the loop)
            where = f"{name} item {number}"
            if not isinstance(raw, dict):
                yield UnreadableItem(where, "is not an object")
                continue
            try:
                yield make(raw, where)
            except FieldError as exc:
                yield UnreadableItem(where, str(exc))
    except JsonStreamError as exc:
        yield UnreadableItem(f"{name} after item {number}", f"cannot be read further: {exc}")


def _wallabag(entry: dict[str, Any], where: str) -> SavedItem:
    content = entry.get("content")
    return SavedItem(
        url=web_url(entry.get("url") or entry.get("given_url")), origin="Wallabag", where=where,
        title=text_or_none(entry.get("title")), tags=_labels(entry.get("tags")),
        read=flag(entry.get("is_archived"), "is_archived"),
        favorite=flag(entry.get("is_starred"), "is_starred"),
        saved=day_of(entry.get("created_at"), "created_at"),
        published=day_of(entry.get("published_at"), "published_at"),
        author=_authors(entry.get("published_by")),
        highlights=tuple(_annotations(entry.get("annotations"))),
        stored=content.encode("utf-8") if isinstance(content, str) and content.strip()
        else None,
        fragment=True)


def _authors(authors: Any) -> str | None:
    if not isinstance(authors, list):
        return text_or_none(authors) if isinstance(authors, str) else None
    return ", ".join(a.strip() for a in authors if isinstance(a, str) and a.strip()) or None


def _labels(tags: Any) -> tuple[str, ...]:
    if tags is None:
        return ()
    if not isinstance(tags, list):
        raise FieldError("tags is not a list")
    labels = [tag.get("label") if isinstance(tag, dict) else tag for tag in tags]
    if not all(isinstance(label, str) for label in labels):
        raise FieldError("tags holds something that is not a tag")
    return tuple(dict.fromkeys(label.strip() for label in labels if label.strip()))


def _annotations(annotations: Any) -> Iterator[Highlight]:
    for annotation in annotations if isinstance(annotations, list) else ():
        if isinstance(annotation, dict):
            quote = str(annotation.get("quote") or "").strip()
            note = str(annotation.get("text") or "").strip()
            if quote or note:
                yield Highlight(quote, note)


def _karakeep(bookmark: dict[str, Any], where: str) -> SavedItem | NotAnArticle:
    content = bookmark.get("content")
    if not isinstance(content, dict) or content.get("type") != "link":
        return NotAnArticle("not a link (a text or file bookmark)")
    return SavedItem(
        url=web_url(content.get("url")), origin="Karakeep", where=where,
        title=text_or_none(bookmark.get("title")), tags=_labels(bookmark.get("tags")),
        read=flag(bookmark.get("archived"), "archived"),
        favorite=flag(bookmark.get("favourited"), "favourited"),
        saved=day_of(bookmark.get("createdAt"), "createdAt"),
        author=text_or_none(content.get("author")),
        note=str(bookmark.get("note") or "").strip())
