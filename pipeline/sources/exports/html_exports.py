"""Pocket's older HTML export (`ril_export.html`) and Netscape bookmark files.

Pocket's: an `<h1>Unread</h1>` and an `<h1>Read Archive</h1>`, each followed by a list of
`<a href="…" time_added="1500000000" tags="a,b">title</a>`. A bookmark file (what browsers,
Raindrop and Karakeep export): `<A HREF="…" ADD_DATE="…" TAGS="a,b">`. Read through the
standard library's HTML parser, chunk by chunk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html.parser import HTMLParser

from ...records import SavedItem, UnreadableItem
from ..lists import found_in_chunks
from .fields import FieldError, day_of, split_tags, text_or_none, web_url

POCKET_READ_SECTION = "read archive"
HEADINGS = ("h1", "h2", "h3")

Entry = SavedItem | UnreadableItem


class _LinkParser(HTMLParser):
    """Collects each link with the heading of the section it is in."""

    def __init__(self, name: str, origin: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name, self.origin = name, origin
        self.found: list[Entry] = []
        self.heading: list[str] | None = None
        self.section = ""
        self.link: dict[str, str | None] | None = None
        self.title: list[str] = []
        self.count = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADINGS:
            self.heading = []
        elif tag == "a":
            self.link, self.title = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.title.append(data)
        elif self.heading is not None:
            self.heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self.heading is not None:
            self.section = " ".join("".join(self.heading).split()).lower()
            self.heading = None
        elif tag == "a" and self.link is not None:
            self.count += 1
            self.found.append(_link(self.link, "".join(self.title), self.section,
                                    f"{self.name} link {self.count}", self.origin))
            self.link = None


def read_link_list(lines: Iterable[str], name: str, origin: str) -> Iterator[Entry]:
    """Every link of the file as a saved item: a link under a "Read Archive" heading is read."""
    yield from found_in_chunks(_LinkParser(name, origin), lines)


def _link(attributes: dict[str, str | None], title: str, section: str, where: str,
          origin: str) -> Entry:
    href = attributes.get("href") or ""
    if href.lower().startswith(("javascript:", "place:", "data:", "about:", "file:")):
        return UnreadableItem(where, f"{href[:40]!r} is no web page")
    try:
        added = attributes.get("time_added") or attributes.get("add_date")
        return SavedItem(url=web_url(href, "href"), origin=origin, where=where,
                         title=text_or_none(title), tags=split_tags(attributes.get("tags")
                                                                    or "", ","),
                         read=section == POCKET_READ_SECTION,
                         saved=day_of(added, "time_added" if origin == "Pocket" else "ADD_DATE"))
    except FieldError as exc:
        return UnreadableItem(where, str(exc))
