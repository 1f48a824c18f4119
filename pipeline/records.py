"""The typed records that flow between stages: Source → Page → Article → Analysis → note.

Each stage takes and returns these frozen dataclasses and nothing else, so a stage can be
replaced or tested without knowing the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """One thing to read: a URL or a local file, and the channel it came through.

    `kind` is "article", or "feed" for a feed document to poll. `from_newsletter` marks a
    link found in a newsletter: the fetcher refuses it on a private address unless allowed.
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
class Page:
    """Raw bytes of a fetched resource, with what the server said about them."""

    source: Source
    url: str
    content: bytes
    content_type: str
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False


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
    """A cleaned article: Markdown body, metadata and in-body links."""

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
