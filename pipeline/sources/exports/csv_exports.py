"""Read-later services' CSV exports: Pocket, Instapaper, Raindrop.io, Readwise Reader, and
any CSV with a url column. Which one a file is, its header row says; docs/IMPORTING.md
has each layout and what Gleaner takes from it.

Rows are read one at a time, so an export of a million rows costs the memory of one.
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping

from ...records import Highlight, SavedItem, UnreadableItem
from .fields import FieldError, day_of, flag, split_tags, text_or_none, web_url

Row = Mapping[str, str]
URL_COLUMNS = ("url", "link", "href", "uri", "address")
INSTAPAPER_READ, INSTAPAPER_STARRED = "archive", "starred"
INSTAPAPER_PLAIN_FOLDERS = frozenset({"unread", INSTAPAPER_READ, INSTAPAPER_STARRED})
READWISE_READ_LOCATIONS = frozenset({"archive"})
csv.field_size_limit(16 * 1024 * 1024)  # a highlights cell may be long; never unbounded


def csv_kind(header: Iterable[str]) -> str | None:
    """Which service wrote a CSV with this header row; "csv" for a bare list with a url
    column; None for a CSV without one."""
    names = {cell.strip().lower() for cell in header}
    if {"url", "time_added", "status"} <= names:
        return "pocket"
    if {"url", "title", "selection", "folder"} <= names:
        return "instapaper"
    if {"id", "url", "folder", "tags", "created"} <= names:
        return "raindrop"
    if {"url", "document tags", "saved date"} <= names:
        return "readwise"
    if names & set(URL_COLUMNS):
        return "csv"
    return None


def read_csv_export(lines: Iterable[str], name: str) -> Iterator[SavedItem | UnreadableItem]:
    """Every row of a CSV export as a saved item, or as the reason it cannot be one."""
    rows = csv.reader(lines)
    header = [cell.strip().lower() for cell in next(rows, [])]
    kind = csv_kind(header)
    if kind is None:
        yield UnreadableItem(name, "CSV has no url column (one of: url, link, href, uri, "
                                   "address)")
        return
    make = ROW_READERS[kind]
    for number, cells in enumerate(rows, start=1):
        where = f"{name} row {number}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield UnreadableItem(where, f"has {len(cells)} cells where the header has "
                                        f"{len(header)}")
            continue
        try:
            yield make(dict(zip(header, cells, strict=True)), where)
        except FieldError as exc:
            yield UnreadableItem(where, str(exc))


def _pocket(row: Row, where: str) -> SavedItem:
    """title,url,time_added,cursor,tags,status: tags split by `|`, status unread/archive."""
    status = row["status"].strip().lower()
    if status not in ("unread", "archive"):
        raise FieldError(f"status {row['status'][:40]!r} is neither unread nor archive")
    return SavedItem(url=web_url(row["url"]), origin="Pocket", where=where,
                     title=text_or_none(row.get("title")),
                     tags=split_tags(row.get("tags", ""), "|"), read=status == "archive",
                     saved=day_of(row["time_added"], "time_added"))


def _instapaper(row: Row, where: str) -> SavedItem:
    """URL,Title,Selection,Folder,Timestamp[,Tags]: Archive is read, Starred a favourite,
    another folder the person made is kept as a tag; Selection is a highlighted passage."""
    folder = row["folder"].strip()
    tags = _instapaper_tags(row.get("tags", ""))
    if folder and folder.lower() not in INSTAPAPER_PLAIN_FOLDERS:
        tags = (folder, *tags)
    selection = row["selection"].strip()
    return SavedItem(url=web_url(row["url"]), origin="Instapaper", where=where,
                     title=text_or_none(row["title"]), tags=tuple(dict.fromkeys(tags)),
                     read=folder.lower() == INSTAPAPER_READ,
                     favorite=folder.lower() == INSTAPAPER_STARRED,
                     saved=day_of(row.get("timestamp"), "Timestamp"),
                     highlights=(Highlight(selection),) if selection else ())


def _instapaper_tags(cell: str) -> tuple[str, ...]:
    """Newer exports add Tags as a JSON list (`["coding"]`)."""
    if not cell.strip():
        return ()
    try:
        tags = json.loads(cell)
    except json.JSONDecodeError as exc:
        raise FieldError(f"Tags {cell[:40]!r} is not a JSON list") from exc
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise FieldError(f"Tags {cell[:40]!r} is not a list of tags")
    return tuple(t.strip() for t in tags if t.strip())


def _raindrop(row: Row, where: str) -> SavedItem:
    """id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite: tags split
    by `,`; the item's note; highlights one a line, a `Note:` line on the one before."""
    return SavedItem(url=web_url(row["url"]), origin="Raindrop.io", where=where,
                     title=text_or_none(row.get("title")), tags=split_tags(row["tags"], ","),
                     favorite=flag(row.get("favorite"), "favorite"),
                     saved=day_of(row["created"], "created"), note=row.get("note", "").strip(),
                     highlights=_raindrop_highlights(row.get("highlights", "")))


def _raindrop_highlights(cell: str) -> tuple[Highlight, ...]:
    found: list[Highlight] = []
    for line in (line.strip() for line in cell.splitlines()):
        if line.lower().startswith("note:") and found:
            last = found.pop()
            found.append(Highlight(last.quote, line[5:].strip()))
        elif line:
            quote = line[10:].strip() if line.lower().startswith("highlight:") else line
            found.append(Highlight(quote))
    return tuple(found)


def _readwise(row: Row, where: str) -> SavedItem:
    """Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen: tags a Python
    list (`['ai', 'later']`); the archive location is read."""
    return SavedItem(url=web_url(row["url"]), origin="Readwise Reader", where=where,
                     title=text_or_none(row.get("title")),
                     tags=_python_list(row["document tags"]),
                     read=row.get("location", "").strip().lower() in READWISE_READ_LOCATIONS,
                     saved=day_of(row["saved date"], "Saved date"))


def _python_list(cell: str) -> tuple[str, ...]:
    if not cell.strip():
        return ()
    try:
        tags = ast.literal_eval(cell.strip())
    except (ValueError, SyntaxError) as exc:
        raise FieldError(f"Document tags {cell[:40]!r} is not a list") from exc
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise FieldError(f"Document tags {cell[:40]!r} is not a list of tags")
    return tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))


def _plain(row: Row, where: str) -> SavedItem:
    """A CSV reading list: its url column, and title and tags columns if it has them."""
    column = next(name for name in URL_COLUMNS if name in row)
    return SavedItem(url=web_url(row[column], column), origin="import", where=where,
                     title=text_or_none(row.get("title")),
                     tags=split_tags(row.get("tags", ""), ","))


ROW_READERS: dict[str, Callable[[Row, str], SavedItem]] = {
    "pocket": _pocket,
    "instapaper": _instapaper,
    "raindrop": _raindrop,
    "readwise": _readwise,
    "csv": _plain,
}
