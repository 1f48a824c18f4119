"""Read-later exports and web archives as a stream of saved items: `read_export(path)`.

The kind of a file is told from its content, never from its name: a zip holding a WACZ
bundle, an Omnivore export or Pocket's CSV parts; a WARC (gzipped or not); JSON from
Wallabag or Karakeep; Pocket's HTML or a Netscape bookmark file; a CSV from Pocket,
Instapaper, Raindrop.io, Readwise Reader, or any CSV with a url column. Each entry comes
out as a SavedItem, an UnreadableItem (the reason, and where in the file) or a
NotAnArticle (counted). docs/IMPORTING.md describes every format.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ...records import NotAnArticle, SavedItem, UnreadableItem

Entry = SavedItem | UnreadableItem | NotAnArticle
HEAD_BYTES = 65_536
POCKET_PART = "part_"


def read_export(path: Path) -> Iterator[Entry]:
    """Every entry of the file, in file order; a file that cannot be read at all is one
    UnreadableItem naming it."""
    name = path.name
    try:
        kind = export_kind(path)
    except OSError as exc:
        yield UnreadableItem(name, f"cannot be read: {exc.strerror or exc}")
        return
    if kind is None:
        yield UnreadableItem(name, "is no export Gleaner knows (docs/IMPORTING.md lists them)")
        return
    try:
        yield from _READERS[kind](path)
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        yield UnreadableItem(name, f"cannot be read further: {exc}")


def export_kind(path: Path) -> str | None:
    """The kind of export a file is, from its first bytes; None if it is none Gleaner reads."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        return _zip_kind(path)
    if head.startswith(b"\x1f\x8b"):
        return "warc" if _gunzipped_head(path).startswith(b"WARC/") else None
    if head.startswith(b"WARC/"):
        return "warc"
    return _text_kind(head.decode("utf-8-sig", "replace"))


def _zip_kind(path: Path) -> str | None:
    from .omnivore import is_omnivore
    from .warc import WACZ_WARCS

    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "datapackage.json" in names or any(WACZ_WARCS.match(n) for n in names):
            return "wacz"
        if is_omnivore(archive):
            return "omnivore"
        if any(Path(n).name.startswith(POCKET_PART) and n.endswith(".csv") for n in names):
            return "pocket-zip"
    return None


def _gunzipped_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(16)
    except (OSError, EOFError):
        return b""


def _text_kind(head: str) -> str | None:
    from .csv_exports import csv_kind

    start = head.lstrip()
    lowered = start[:4096].lower()
    if start.startswith("{"):
        return "karakeep" if '"bookmarks"' in head else None
    if start.startswith("["):
        return "wallabag" if '"is_archived"' in head or '"is_starred"' in head else None
    if start.startswith("<"):
        if "time_added" in head.lower():
            return "pocket-html"
        return "bookmarks" if "netscape-bookmark-file" in lowered else None
    first_line = start.split("\n", 1)[0]
    header = next(csv.reader([first_line]), [])
    return "csv" if len(header) > 1 and csv_kind(header) else None


def _text(path: Path) -> io.TextIOWrapper:
    return path.open(encoding="utf-8-sig", errors="replace", newline="")


def _read_csv(path: Path) -> Iterator[Entry]:
    from .csv_exports import read_csv_export

    with _text(path) as lines:
        yield from read_csv_export(lines, path.name)


def _read_pocket_parts(path: Path) -> Iterator[Entry]:
    """Pocket's last exports: a zip of `part_000000.csv`, `part_000001.csv`, …"""
    from .csv_exports import read_csv_export

    with zipfile.ZipFile(path) as archive:
        parts = sorted(n for n in archive.namelist()
                       if Path(n).name.startswith(POCKET_PART) and n.endswith(".csv"))
        for part in parts:
            with archive.open(part) as raw:
                lines = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace",
                                         newline="")
                yield from read_csv_export(lines, f"{path.name}: {part}")


def _read_link_list(path: Path, origin: str) -> Iterator[Entry]:
    from .html_exports import read_link_list

    with _text(path) as lines:
        yield from read_link_list(lines, path.name, origin)


def _read_json(path: Path, kind: str) -> Iterator[Entry]:
    from .json_exports import read_karakeep, read_wallabag

    with _text(path) as stream:
        yield from (read_karakeep if kind == "karakeep" else read_wallabag)(stream, path.name)


def _read_zip(path: Path, kind: str) -> Iterator[Entry]:
    from .omnivore import read_omnivore
    from .warc import read_wacz

    with zipfile.ZipFile(path) as archive:
        yield from (read_wacz if kind == "wacz" else read_omnivore)(archive, path.name)


def _read_warc(path: Path) -> Iterator[Entry]:
    from .warc import read_warc

    yield from read_warc(path)


_READERS = {
    "csv": _read_csv,
    "pocket-zip": _read_pocket_parts,
    "pocket-html": lambda path: _read_link_list(path, "Pocket"),
    "bookmarks": lambda path: _read_link_list(path, "bookmarks"),
    "wallabag": lambda path: _read_json(path, "wallabag"),
    "karakeep": lambda path: _read_json(path, "karakeep"),
    "omnivore": lambda path: _read_zip(path, "omnivore"),
    "wacz": lambda path: _read_zip(path, "wacz"),
    "warc": _read_warc,
}


def count_entries(paths: list[Path]) -> int:
    """How many items the files hold (what a progress bar counts to): a pass that reads
    them as the import will, one entry at a time."""
    entries = itertools.chain.from_iterable(read_export(path) for path in paths)
    return sum(1 for entry in entries if not isinstance(entry, NotAnArticle))
