"""The metadata a note uses, read from the page's one parsed tree.

trafilatura's `extract_metadata` also reads categories, tags and a licence, which no note
uses, and on the extraction benchmark those three took a fifth of the time of a page's whole
extraction. The fields a note uses are read here with trafilatura's own functions, each with
its fallbacks in the order trafilatura tries them: meta tags, then JSON-LD, then the page's
structure.
"""

from __future__ import annotations

from dataclasses import dataclass

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params


@dataclass(frozen=True)
class PageMeta:
    title: str | None
    author: str | None
    date: str | None
    site_name: str | None
    description: str | None
    url: str | None  # the page's own canonical URL, when it declares one


def page_metadata(tree: HtmlElement, url: str) -> PageMeta:
    found = _declared(tree)
    found.title = found.title or extract_title(tree)
    found.author = found.author or extract_author(tree)
    found.url = found.url or extract_url(tree, url)
    found.date = find_date(tree, **{**set_date_params(False), "url": found.url})
    found.sitename = _site_name(tree, found)
    found.clean_and_trim()
    return PageMeta(found.title, found.author, found.date, found.sitename, found.description,
                    found.url)


def _declared(tree: HtmlElement) -> Document:
    """What the page's meta tags and JSON-LD say; a one-word author is a handle, not a
    name."""
    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        return extract_meta_json(tree, found)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # malformed JSON-LD
        return found


def _site_name(tree: HtmlElement, found: Document) -> str | None:
    name = (found.sitename or extract_sitename(tree) or "").lstrip("@")
    if name and "." not in name and not name[0].isupper():
        return name.title()
    if name:
        return name
    match = META_URL.match(found.url) if found.url else None
    return match[1] if match else None
