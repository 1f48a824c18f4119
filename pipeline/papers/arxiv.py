"""arXiv papers: which references name one, and what its abstract page says about it.

A paper is met as `arXiv:2501.12345`, `arXiv:2501.12345v2`, or as an abs, pdf or html URL
on arxiv.org (or export.arxiv.org, or the mirror the config names). All of them are one
paper: its note links to the abs page without a version, and the versions the abs page
lists go to `versions`. Old-style ids (`hep-th/9901001`) work the same way.

The abstract page carries the metadata (Highwire `citation_*` meta tags, which list every
author, while the page body folds long author lists), the abstract in its
`blockquote.abstract`, the subjects in `td.subjects` and the submission history, one
`[vN] <date>` entry per version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..errors import ExtractError

ARXIV = "https://arxiv.org"
HOSTS = {"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"}
PAPER_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?P<version>v\d+)?"
REFERENCE = re.compile(rf"^arxiv:\s*{PAPER_ID}$", re.IGNORECASE)
PAGE_PATH = re.compile(rf"^/(?:abs|pdf|html)/{PAPER_ID}(?:\.pdf)?/?$")
CATEGORY = re.compile(r"\(([a-z-]+(?:\.[A-Za-z-]+)?)\)")
TITLE = "//h1[contains(@class,'title')]"
ABSTRACT = "//blockquote[contains(@class,'abstract')]"
VERSION_ENTRY = re.compile(r"\[v(\d+)\]\s*(?:\w{3},\s*)?(\d{1,2} \w{3} \d{4})")


@dataclass(frozen=True)
class AbsPage:
    """What an arXiv abstract page says about its paper."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    categories: tuple[str, ...]
    submitted: str | None  # the date of the first version, YYYY-MM-DD
    versions: tuple[str, ...]  # the abs URL of each version, first to last


def arxiv_id(reference: str, mirror: str = ARXIV) -> str | None:
    """The id (without version) of the paper a reference names, or None if it names none."""
    reference = reference.strip()
    named = REFERENCE.match(reference)
    if named:
        return named.group("id")
    parts = urlsplit(reference)
    on_mirror = _on(parts, urlsplit(mirror))
    if parts.scheme not in ("http", "https") or not (
            (parts.hostname or "").lower() in HOSTS or on_mirror):
        return None
    path = parts.path[len(urlsplit(mirror).path.rstrip("/")):] if on_mirror else parts.path
    match = PAGE_PATH.match(path)
    return match.group("id") if match else None


def abs_url(paper_id: str, base: str = ARXIV) -> str:
    return f"{base.rstrip('/')}/abs/{paper_id}"


def pdf_url(paper_id: str, base: str = ARXIV) -> str:
    return f"{base.rstrip('/')}/pdf/{paper_id}"


def read_abs_page(content: bytes, url: str) -> AbsPage:
    """The paper's metadata from its abstract page; ExtractError if the page is not one."""
    from lxml import html as lxml_html  # reading lists name papers too: they need no lxml

    try:
        tree = lxml_html.fromstring(content)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise ExtractError(f"arXiv abstract page is not parseable HTML: {exc}") from exc
    paper_id = _meta(tree, "citation_arxiv_id") or arxiv_id(url) or ""
    title = _meta(tree, "citation_title") or _descriptor_text(tree, TITLE)
    abstract = _descriptor_text(tree, ABSTRACT) \
        or _meta(tree, "citation_abstract")
    if not (paper_id and title and abstract):
        raise ExtractError("not an arXiv abstract page: no "
                           + ("id" if not paper_id else "title" if not title else "abstract"))
    history = _text(_first(tree, "//div[contains(@class,'submission-history')]"))
    versions = [(int(number), _date(day)) for number, day in VERSION_ENTRY.findall(history)]
    return AbsPage(
        arxiv_id=paper_id,
        title=title,
        authors=_authors(tree),
        abstract=abstract,
        categories=tuple(dict.fromkeys(CATEGORY.findall(
            _text(_first(tree, "//td[contains(@class,'subjects')]"))))),
        submitted=versions[0][1] if versions else _slashed_date(_meta(tree, "citation_date")),
        versions=tuple(abs_url(f"{paper_id}v{number}") for number, _ in versions),
    )


def _on(parts, mirror) -> bool:
    """Whether the URL is on the configured mirror (host, port and path prefix)."""
    return parts.netloc.lower() == mirror.netloc.lower() and \
        parts.path.startswith(mirror.path.rstrip("/") + "/")


def _meta(tree, name: str) -> str | None:
    values = tree.xpath(f"//meta[@name='{name}']/@content")
    return " ".join(values[0].split()) if values and values[0].strip() else None


def _first(tree, xpath: str):
    found = tree.xpath(xpath)
    return found[0] if found else None


def _text(node) -> str:
    return " ".join(node.text_content().split()) if node is not None else ""


def _descriptor_text(tree, xpath: str) -> str | None:
    """An element's text without its "Title:" or "Abstract:" descriptor."""
    node = _first(tree, xpath)
    if node is None:
        return None
    text = _text(node)
    for descriptor in node.xpath(".//span[contains(@class,'descriptor')]"):
        text = text.removeprefix(_text(descriptor)).strip()
    return text or None


def _authors(tree) -> tuple[str, ...]:
    """Every author, from the meta tags ("Guo, Daya" read as "Daya Guo"), else the byline."""
    names = [" ".join(value.split())
             for value in tree.xpath("//meta[@name='citation_author']/@content")]
    if not names:
        names = [_text(a) for a in tree.xpath("//div[contains(@class,'authors')]//a")]
    return tuple(dict.fromkeys(_first_name_first(name) for name in names if name))


def _first_name_first(name: str) -> str:
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma and first.strip() else name


def _date(day: str) -> str | None:
    try:
        return datetime.strptime(day, "%d %b %Y").date().isoformat()
    except ValueError:
        return None


def _slashed_date(value: str | None) -> str | None:
    match = re.match(r"(\d{4})/(\d{2})/(\d{2})", value or "")
    return "-".join(match.groups()) if match else None
