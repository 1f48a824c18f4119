"""Shared by the import tests: distinct articles on the loopback server, stored pages, WARC
files written by warcio, and reading an imported vault back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.sections import split_sections

from .conftest import article_page, realistic_paragraphs
from .server import LoopbackServer, Response

PARAGRAPHS_PER_PAGE = 4


def distinct_pages(count: int, offset: int = 0) -> list[tuple[str, str]]:
    """(title, html) of `count` articles that share no paragraph (no near-duplicates)."""
    paragraphs = realistic_paragraphs()
    pages = []
    for index in range(offset, offset + count):
        body = paragraphs[index * PARAGRAPHS_PER_PAGE:(index + 1) * PARAGRAPHS_PER_PAGE]
        title = f"Saved article number {index}"
        pages.append((title, article_page(title, body)))
    return pages


def serve_pages(server: LoopbackServer, count: int, offset: int = 0) -> list[str]:
    """URLs of `count` distinct articles served by `server`."""
    urls = []
    for number, (_, page) in enumerate(distinct_pages(count, offset)):
        path = f"/saved/{offset + number}"
        server.routes[path] = Response(page)
        urls.append(server.url(path))
    return urls


def fragment(index: int) -> str:
    """An article's HTML alone, as Omnivore and Wallabag store it."""
    paragraphs = realistic_paragraphs()[index * PARAGRAPHS_PER_PAGE:
                                        (index + 1) * PARAGRAPHS_PER_PAGE]
    return "<div>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"


@dataclass(frozen=True)
class Note:
    path: Path
    frontmatter: dict[str, Any]
    sections: dict[str, str]


def article_notes(vault: Path) -> dict[str, Note]:
    """Every article note of the vault by its link."""
    found = {}
    for path in vault.glob("*.md"):
        frontmatter, body = split_frontmatter(path.read_text(encoding="utf-8"))
        if frontmatter.get("type") == "Content":
            found[frontmatter["link"]] = Note(path, frontmatter, dict(split_sections(body)))
    return found


def http_record(writer: WARCWriter, url: str, body: bytes, status: str = "200 OK",
                content_type: str = "text/html; charset=utf-8",
                date: str = "2024-03-01T10:00:00Z") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type),
                                        ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                       http_headers=headers,
                                       warc_headers_dict={"WARC-Date": date})
    writer.write_record(record)


def revisit_record(writer: WARCWriter, url: str, date: str = "2024-03-02T10:00:00Z") -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_revisit_record(url, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                          refers_to_uri=url, refers_to_date=date,
                                          http_headers=headers)
    writer.write_record(record)
