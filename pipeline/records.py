"""The typed records that flow between stages: Source → Page → Article → Analysis → note.

Each stage takes and returns these frozen dataclasses and nothing else, so a stage can be
replaced or tested without knowing the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """One thing to read: a URL or a local file, and the channel it came through.

    `kind` is "article", "feed" for a feed document to poll, or "paper" for an arXiv
    abstract page, whose PDF is fetched after it (pipeline/papers/full_texts.py).
    `from_newsletter` marks a link found in a newsletter: the fetcher refuses it on a
    private address unless allowed.
    """

    location: str
    origin: str
    is_file: bool = False
    kind: str = "article"
    from_newsletter: bool = False


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators remembered from the last fetch of a URL."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class ArchiveRecord:
    """Where a web archive holds a capture (a file, or a WARC inside a WACZ, and the byte
    offset of its record), with the SHA-256 of its payload: a worker that can reach the file
    reads the page there, and the run that sent it knows a changed page without its bytes."""

    path: str
    member: str | None
    offset: int
    content_hash: str


@dataclass(frozen=True)
class Page:
    """Raw bytes of a fetched resource, with what the server said about them.

    `max_age` is how long the server said the resource stays fresh (Cache-Control). A page
    made from a feed item's content has `text_from` saying so, and why; a fetched page may
    carry the feed's copy of its article (`feed_copy`), for extract to choose the better.
    A capture of a web archive read where the workers are has no bytes yet, only where they
    are (`stored_at`): the worker that prepares it reads them.
    """

    source: Source
    url: str
    content: bytes
    content_type: str
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False
    document: Page | None = None  # an arXiv abstract page's paper, fetched after it (PDF)
    max_age: float | None = None
    text_from: str | None = None
    feed_copy: Page | None = None
    stored_at: ArchiveRecord | None = None

    @property
    def content_hash(self) -> str:
        """What tells a changed page from the one its note was made of."""
        if self.stored_at is not None:
            return self.stored_at.content_hash
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class Link:
    """An outbound link from the article body, with the sentence it sits in.

    `kind` is what the target is: article, repository, paper, video or social (links.KINDS).
    """

    url: str
    label: str
    context: str
    kind: str = "article"


@dataclass(frozen=True)
class Article:
    """A cleaned article: Markdown body, metadata and in-body links. `text_from` says where
    the text came from when it is not the page at `url` ("feed", and why)."""

    url: str
    source_name: str
    title: str
    text: str
    links: tuple[Link, ...] = ()
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    description: str | None = None
    language: str | None = None
    fetched_url: str | None = None
    text_from: str | None = None
    paper: Paper | None = None


@dataclass(frozen=True)
class Paper:
    """What a paper's note shows beyond an article's: its authors and their affiliations,
    its abstract (the summary), how much of its PDF was read, and for an arXiv paper its
    id, subject categories and the abs URL of each version."""

    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    abstract: str | None = None
    pages: int = 0
    pages_read: int = 0
    arxiv_id: str | None = None
    categories: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()

    @property
    def truncated(self) -> bool:
        return self.pages_read < self.pages


@dataclass(frozen=True)
class Topic:
    """A canonical entity or concept an article mentions; one topic note per topic."""

    name: str
    category: str
    aliases: tuple[str, ...] = ()
    organization: str | None = None

    @property
    def key(self) -> str:
        return f"{self.category}/{self.name}"


@dataclass(frozen=True)
class Analysis:
    """What the NLP stage learned about an article."""

    topics: tuple[Topic, ...]
    tags: tuple[str, ...]
    sentences: tuple[str, ...]
    mentions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NoteDraft:
    """Everything Gleaner owns in an article note, before it meets the vault."""

    article: Article
    analysis: Analysis
    summary: str
    relevance: int
    read_priority: int = 0
    reading_minutes: int | None = None  # None: the length of the text is not known


# What a person saved in a read-later service or a web archive (`gleaner import`) ----------


@dataclass(frozen=True)
class Highlight:
    """A passage the person highlighted, and the note they wrote on it (either may be empty)."""

    quote: str
    note: str = ""


@dataclass(frozen=True)
class SavedItem:
    """One saved article of an export or one capture of a web archive, with what the person
    had: their tags as written, read status, save date (ISO), favourite, highlights, a note
    on the whole item, and the stored copy of the page when the export holds one (`stored`,
    a whole page or, with `fragment`, the article's HTML alone; or, for a web archive read
    where the workers are, where the page is: `stored_at`). `where` names the item in its
    file (`pocket.csv row 12`, `crawl.warc.gz record at byte 5120`)."""

    url: str
    origin: str
    where: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    read: bool = False
    favorite: bool = False
    saved: str | None = None
    highlights: tuple[Highlight, ...] = ()
    note: str = ""
    author: str | None = None
    published: str | None = None
    stored: bytes | None = None
    fragment: bool = False
    stored_at: ArchiveRecord | None = None

    @property
    def has_stored_copy(self) -> bool:
        return self.stored is not None or self.stored_at is not None


@dataclass(frozen=True)
class UnreadableItem:
    """An entry of an export that could not be read (a malformed row, a broken record)."""

    where: str
    reason: str


@dataclass(frozen=True)
class NotAnArticle:
    """A web-archive record that is no article (`kind`: not HTML, error response, revisit,
    duplicate capture): counted, not reported one by one."""

    kind: str
