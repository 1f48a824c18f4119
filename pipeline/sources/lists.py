"""Turn command-line arguments into a stream of Sources.

An argument is a URL, a local article (HTML or Markdown), a feed file (RSS, Atom, JSON
Feed: its items are read), a reading list, or `-` for a reading list on stdin. A reading
list is plain text (one URL or path a line, `#` comments), CSV with a url column, OPML, a
Netscape bookmark file (what every browser exports), a Markdown list of links, or JSON (a
list of URLs or of objects with `url`).
The format is told from the content, so a bookmark export saved as `.html` or a link list
saved as `.md` is read as a list, not as an article.

Every format but JSON is read lazily, chunk by chunk or line by line, so a list of a
million entries costs no more memory than a list of ten.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol, TextIO
from xml.parsers import expat

from ..errors import ConfigError, FetchError
from ..fetch import PDF_TYPE
from ..papers import REFERENCE as ARXIV_REFERENCE
from ..records import Page, Source

FILE_TYPES = {".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain",
              ".xml": "application/xml", ".rss": "application/rss+xml",
              ".atom": "application/atom+xml", ".json": "application/json", ".pdf": PDF_TYPE}
ARTICLE_SUFFIXES = {".html", ".htm", ".xhtml", ".md", ".markdown"}
HEAD_CHARS = 65_536
CHUNK_CHARS = 65_536
URL_COLUMNS = ("url", "link", "href", "uri", "address")
MD_LINK = re.compile(r"\]\(\s*<?(https?://[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<(https?://[^>\s]+)>")
MD_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
BARE_URL = re.compile(r"https?://\S+")
JSON_START = re.compile(r"^(?:\{|\[\s*(?:[\"{\]]|$))")


def read_sources(arguments: Iterable[str], stdin: TextIO | None = None) -> Iterator[Source]:
    for argument in arguments:
        if argument == "-":
            yield from read_reading_list(stdin or sys.stdin, origin="stdin", base=Path.cwd())
        elif _is_url(argument) or ARXIV_REFERENCE.match(argument):
            yield Source(location=argument, origin="")
        else:
            yield from _read_path(Path(argument))


def _read_path(path: Path) -> Iterator[Source]:
    if not path.is_file() or path.suffix.lower() == ".pdf":
        yield Source(location=str(path.resolve()), origin="", is_file=True)
        return
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        head = handle.read(HEAD_CHARS)
        if path.suffix.lower() in ARTICLE_SUFFIXES and not _is_list_document(head):
            yield Source(location=str(path.resolve()), origin="", is_file=True)
            return
        if _is_feed(head):
            yield Source(location=str(path.resolve()), origin="", is_file=True, kind="feed")
            return
        yield from _read_listing(head, handle, path.stem, path.resolve().parent,
                                 path.suffix.lower(), str(path))


def read_reading_list(stream: TextIO, origin: str, base: Path,
                      suffix: str = "") -> Iterator[Source]:
    """Sources from a reading list of any supported format, told from its first bytes."""
    head = stream.read(HEAD_CHARS)
    yield from _read_listing(head, stream, origin, base, suffix, origin)


def _read_listing(head: str, rest: TextIO, origin: str, base: Path, suffix: str,
                  name: str) -> Iterator[Source]:
    head = head.lstrip("\ufeff")
    if _is_feed(head):
        raise ConfigError(f"{name}: a feed, not a reading list: give its file or URL to "
                          "`gleaner run`")
    reader = READERS[detect_format(head, suffix)]
    yield from reader(_rejoined(head, rest), origin, base, name)


def detect_format(head: str, suffix: str = "") -> str:
    """The reading-list format of a document, from its first characters (then its suffix)."""
    start = head.lstrip()[:4096]
    lowered = start.lower()
    if "netscape-bookmark-file" in lowered:
        return "bookmarks"
    if lowered.startswith("<opml") or (lowered.startswith("<?xml") and "<opml" in lowered):
        return "opml"
    if JSON_START.match(start):
        return "json"
    if suffix in (".csv", ".tsv") or _has_url_column(start):
        return "csv"
    if suffix in (".md", ".markdown") or MD_LINK.search(start):
        return "markdown"
    return "text"


def _is_list_document(head: str) -> bool:
    """An .html or .md file that is really a list of links, not an article."""
    kind = detect_format(head)
    if kind in ("bookmarks", "opml", "json"):
        return True
    if kind != "markdown" or head.lstrip().startswith("---"):
        return False
    items = prose = 0
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if (MD_LIST_ITEM.match(line) and MD_LINK.search(line)) or BARE_URL.fullmatch(stripped):
            items += 1
        else:
            prose += 1
    return items >= max(1, 2 * prose)


def _rejoined(head: str, rest: TextIO) -> Iterator[str]:
    """The document again as lines, the already-read head first, the rest read lazily."""
    first = head + (rest.readline() if head and not head.endswith("\n") else "")
    return itertools.chain(io.StringIO(first, newline=None), rest)


# plain text and Markdown ---------------------------------------------------------------------


def read_list(lines: Iterable[str], origin: str, base: Path, name: str = "") -> Iterator[Source]:
    """Plain text: one URL or path a line; `#` starts a comment."""
    for raw in lines:
        entry = raw.split(" #", 1)[0].strip()
        if not entry or entry.startswith("#"):
            continue
        if _is_url(entry) or "://" in entry or ARXIV_REFERENCE.match(entry):
            yield Source(location=entry, origin=origin)
        else:
            yield Source(location=str((base / entry).resolve()), origin=origin, is_file=True)


def _read_markdown(lines: Iterable[str], origin: str, base: Path, name: str) -> Iterator[Source]:
    """The first link of every line (`[label](url)`, `<url>` or a bare URL); prose is skipped."""
    for line in lines:
        match = MD_LINK.search(line)
        if match:
            yield Source(location=match.group(1) or match.group(2), origin=origin)
            continue
        bare = BARE_URL.search(line)
        if bare and (MD_LIST_ITEM.match(line) or line.strip() == bare.group(0)):
            yield Source(location=bare.group(0).rstrip(".,;"), origin=origin)


# CSV ------------------------------------------------------------------------------------------


def _has_url_column(head: str) -> bool:
    first = head.split("\n", 1)[0]
    if "," not in first and "\t" not in first:
        return False
    return _url_column(next(csv.reader([first], _dialect(first)))) is not None


def _dialect(first_line: str) -> type[csv.Dialect]:
    return csv.excel_tab if first_line.count("\t") > first_line.count(",") else csv.excel


def _url_column(header: list[str]) -> int | None:
    names = [cell.strip().lower() for cell in header]
    return next((names.index(n) for n in URL_COLUMNS if n in names), None)


def _read_csv(lines: Iterable[str], origin: str, base: Path, name: str) -> Iterator[Source]:
    lines = iter(lines)
    first = next(lines, "")
    rows = csv.reader(itertools.chain([first], lines), _dialect(first))
    column = _url_column(next(rows, []))
    if column is None:
        raise ConfigError(f"{name}: CSV reading list has no url column "
                          f"(one of: {', '.join(URL_COLUMNS)})")
    for row in rows:
        if len(row) > column and row[column].strip():
            yield Source(location=row[column].strip(), origin=origin)


# JSON -----------------------------------------------------------------------------------------


def _read_json(lines: Iterable[str], origin: str, base: Path, name: str) -> Iterator[Source]:
    """A list of URLs or of objects with `url`, bare or under a top-level key such as `items`."""
    try:
        data = json.loads("".join(lines))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{name}: not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise ConfigError(f"{name}: JSON reading list must be a list of URLs or of objects "
                          "with a url")
    for entry in data:
        url = entry.get("url") if isinstance(entry, dict) else entry
        if isinstance(url, str) and url.strip():
            yield Source(location=url.strip(), origin=origin)


# OPML and bookmark files: pushed through a parser chunk by chunk ------------------------------


def _read_opml(lines: Iterable[str], origin: str, base: Path, name: str) -> Iterator[Source]:
    """Outlines with `url` (links) are articles; outlines with `xmlUrl` are feeds to read."""
    found: list[Source] = []

    def outline(tag: str, attributes: dict[str, str]) -> None:
        if tag != "outline":
            return
        if attributes.get("url"):
            found.append(Source(location=attributes["url"].strip(), origin=origin))
        elif attributes.get("xmlUrl"):
            found.append(Source(location=attributes["xmlUrl"].strip(),
                                origin=attributes.get("title") or attributes.get("text")
                                or origin, kind="feed"))

    def refuse_entity(entity: str, *rest: object) -> None:
        raise ConfigError(f"{name}: OPML declares the XML entity {entity!r}; refused")

    parser = expat.ParserCreate()
    parser.StartElementHandler = outline
    parser.EntityDeclHandler = refuse_entity
    try:
        for chunk in text_chunks(lines):
            parser.Parse(chunk, False)
            yield from found
            found.clear()
        parser.Parse("", True)
    except expat.ExpatError as exc:
        raise ConfigError(f"{name}: OPML is not well-formed XML: {exc}") from exc
    yield from found


class _BookmarkParser(HTMLParser):
    def __init__(self, origin: str) -> None:
        super().__init__(convert_charrefs=True)
        self.origin = origin
        self.found: list[Source] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and _is_url(href.strip()):
            self.found.append(Source(location=href.strip(), origin=self.origin))


def _read_bookmarks(lines: Iterable[str], origin: str, base: Path, name: str) -> Iterator[Source]:
    """Every http(s) bookmark of a Netscape bookmark file; `place:` and `javascript:` are not."""
    yield from found_in_chunks(_BookmarkParser(origin), lines)


def found_in_chunks(parser: FindingParser, lines: Iterable[str]) -> Iterator[Any]:
    """What an HTML parser finds, handed on a chunk at a time: a big export is never whole."""
    for chunk in text_chunks(lines):
        parser.feed(chunk)
        yield from parser.found
        parser.found.clear()
    parser.close()
    yield from parser.found


class FindingParser(Protocol):
    found: list[Any]

    def feed(self, data: str) -> None: ...

    def close(self) -> None: ...


def text_chunks(lines: Iterable[str]) -> Iterator[str]:
    """The lines joined into pieces of about CHUNK_CHARS, so a parser never holds a whole file."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _is_feed(head: str) -> bool:
    from .feeds import is_feed

    return is_feed(head.lstrip("\ufeff").encode("utf-8"), "")


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


Reader = Callable[[Iterable[str], str, Path, str], Iterator[Source]]
READERS: dict[str, Reader] = {
    "text": read_list,
    "markdown": _read_markdown,
    "csv": _read_csv,
    "json": _read_json,
    "opml": _read_opml,
    "bookmarks": _read_bookmarks,
}


def read_file(source: Source) -> Page:
    """A local file as a page: for a file in a list, what fetching is for a URL."""
    path = Path(source.location)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    content_type = FILE_TYPES.get(path.suffix.lower()) or \
        (PDF_TYPE if content.startswith(b"%PDF-") else "text/html")
    return Page(source, path.as_uri(), content, content_type)
