"""The metadata a note uses, read from the page's one parsed tree.

trafilatura's `extract_metadata` also reads categories, tags and a licence, which no note
uses, and on the extraction benchmark those three took a fifth of the time of a page's whole
extraction. The fields a note uses are read here with trafilatura's own functions, each with
its fallbacks in the order trafilatura tries them: meta tags, then JSON-LD, then the page's
structure.

The one exception is the author in the page's structure, looked for on most pages (few
declare one): trafilatura copies the whole tree, prunes comments, dates and figures from the
copy, then runs three XPaths whose regular expressions call back into Python for every
element; on the benchmark that was an eighth of a page's extraction. `_author_in_page`
selects the same elements in trafilatura's order and reads the same text from them, but
tests the regular expressions only on the few elements whose attributes name an author, and
prunes only the element it reads (tests/test_page_meta.py holds it to trafilatura's answer).
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS

# trafilatura's AUTHOR_XPATHS, from the most specific to the last resort, and
# AUTHOR_DISCARD_XPATHS, written as tests of one element.
NAMING_ATTRIBUTES = XPath("//@class | //@id | //@itemprop | //@rel | //@data-testid"
                          " | //@data-component")
NAMING_ELEMENTS = XPath("//author | //rel/..")
NAMES_AUTHOR = re.compile(r"uthor|yline|byl|BBL|username|channel-name|zuozhe|bianji|xiaobian"
                          r"|submitted-by|posted-by|journalist-name|screenname|writer")
SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
SPECIFIC_CLASS = re.compile(r"author-?name|AuthorName|authorName")
GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
GENERIC_CLASSES = frozenset({"byline", "username", "byl", "BBL"})
GENERIC_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
GENERIC_CLASS = re.compile(r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
                           r"|journalist-name")
ANY_ID = re.compile(r"[Aa]uthor")
ANY_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
DISCARDED_TAGS = frozenset({"time", "figure"})
DISCARDING_TAGS = frozenset({"a", "div", "section", "span"})
DISCARDING_CLASSES = frozenset({"comments", "title", "date"})
DISCARDING_ID = re.compile(r"^comments|comment-?list|ProductReviews")
DISCARDING_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    r"|article-(?:share|support)|print|category|meta-date|meta-reviewer")
AUTHOR_CHARS = (3, 119)  # trafilatura's bounds on a byline's length


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
    found.author = found.author or _author_in_page(tree)
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


def _author_in_page(tree: HtmlElement) -> str | None:
    """trafilatura's `extract_author`: the text of the first element its author XPaths
    select, in their order, outside comments, dates and figures."""
    by_rank: tuple[list[HtmlElement], ...] = ([], [], [])
    for element in _naming_elements(tree):
        rank = _author_rank(element)
        if rank is not None:
            by_rank[rank].append(element)
    for element in (element for ranked in by_rank for element in ranked):
        if any(_discarded(each) for each in (element, *element.iterancestors())):
            continue
        text = trim(" ".join(prune_unwanted_nodes(deepcopy(element),
                                                  AUTHOR_DISCARD_XPATHS).itertext()))
        if AUTHOR_CHARS[0] <= len(text) <= AUTHOR_CHARS[1]:
            return normalize_authors(None, text)
    return None


def _naming_elements(tree: HtmlElement) -> list[HtmlElement]:
    """The elements an author XPath could select, in document order: those whose
    attributes hold one of the words the XPaths look for."""
    found = dict.fromkeys(value.getparent() for value in NAMING_ATTRIBUTES(tree)
                          if NAMES_AUTHOR.search(value))
    named = NAMING_ELEMENTS(tree)
    if not named:
        return list(found)
    found.update(dict.fromkeys(named))
    order = {element: index for index, element in enumerate(tree.iter())}
    return sorted(found, key=order.__getitem__)


def _author_rank(element: HtmlElement) -> int | None:
    """Which of trafilatura's three author XPaths selects the element first, if any."""
    tag, classes = element.tag, element.get("class", "")
    identity, prop = element.get("id", ""), element.get("itemprop", "")
    if tag == "author" or tag in SPECIFIC_TAGS and (
            "author" in (element.get("rel"), identity, classes) or prop == "author name"
            or element.get("data-testid") in ("AuthorCard", "AuthorURL")
            or SPECIFIC_CLASS.search(classes)
            or any(rel.xpath("string()") == "me" for rel in element.iterchildren("rel"))):
        return 0
    if tag in GENERIC_TAGS and (classes in GENERIC_CLASSES or "author" in prop
                                or GENERIC_ID.search(identity) or GENERIC_CLASS.search(classes)):
        return 1
    if ("Byline" in element.get("data-component", "") or "author" in prop
            or ANY_ID.search(identity) or ANY_CLASS.search(classes)):
        return 2
    return None


def _discarded(element: HtmlElement) -> bool:
    """Whether trafilatura prunes the element before it looks for the author."""
    if element.tag in DISCARDED_TAGS:
        return True
    if element.tag not in DISCARDING_TAGS or element.getparent() is None:
        return False
    classes, identity = element.get("class", ""), element.get("id", "")
    return (identity == "comments" or classes in DISCARDING_CLASSES
            or DISCARDING_ID.search(identity) is not None
            or DISCARDING_CLASS.search(classes) is not None
            or "Figure" in element.get("data-component", ""))
