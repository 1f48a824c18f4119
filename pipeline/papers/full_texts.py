"""arXiv papers take two fetches: the abstract page, then the PDF.

Every reference to an arXiv paper (an abs, pdf or html URL, or `arXiv:ID`) is read as its
abstract page (`paper_source`), so the variants of one paper are one source, fetched once.
The abstract page says whether the paper is new or changed; only then is its PDF fetched,
in a pass of its own after the list's pass, so a re-run over unchanged papers downloads no
PDF. The abstract pages that wait for their PDF are kept until then (about 50 KB each).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Generic, TypeVar

from ..config import Config
from ..errors import ExtractError, GleanerError
from ..fetch import RobotsCache, fetch_each
from ..records import Page, Source
from ..sources import FeedItem
from .arxiv import abs_url, arxiv_id, pdf_url, read_abs_page

Key = TypeVar("Key")


def paper_source(source: Source, config: Config) -> Source:
    """The source of an arXiv paper's abstract page, if the source names a paper; else itself."""
    if source.kind != "article" or source.is_file:
        return source
    paper = arxiv_id(source.location, config.papers.arxiv)
    if paper is None:
        return source
    return replace(source, location=abs_url(paper, config.papers.arxiv), kind="paper")


def paper_entry(source: Source, item: FeedItem | None, config: Config
                ) -> tuple[Source, FeedItem | None]:
    """A feed item as pipeline/extract/feed_items.py reads it; one that names an arXiv paper is read
    as the paper, without the feed's text: that is its abstract, not the paper."""
    paper = paper_source(source, config)
    return (paper, None) if paper.kind == "paper" else (source, item)


class FullTexts(Generic[Key]):
    """Abstract pages waiting for their paper's PDF, and the pass that fetches them."""

    def __init__(self, config: Config, robots: RobotsCache | None) -> None:
        self.config = config
        self.robots = robots
        self.waiting: list[tuple[Key, Page]] = []

    def held_back(self, fetched: Iterable[tuple[Key, Source, Page | GleanerError]],
                  needs_work: Callable[[Page], Page | None]
                  ) -> Iterator[tuple[Key, Source, Page | GleanerError]]:
        """The outcomes, but the abstract pages of new or changed papers: they wait for their
        PDF (`fetched`). A page that is not an abstract page fails here, without a PDF."""
        for key, source, outcome in fetched:
            if source.kind == "paper" and isinstance(outcome, Page) and \
                    outcome.document is None and needs_work(outcome):
                try:
                    read_abs_page(outcome.content, outcome.url)
                except ExtractError as exc:
                    yield key, source, exc
                    continue
                self.waiting.append((key, outcome))
            else:
                yield key, source, outcome

    def fetched(self) -> Iterator[tuple[Key, Source, Page | GleanerError]]:
        """Each waiting abstract page with its PDF as `document`, or the error that the PDF's
        fetch ended in, named as the PDF's."""
        waiting, self.waiting = self.waiting, []
        if not waiting:
            return
        outcomes = fetch_each(waiting, lambda held: self._pdf_source(held[1].source),
                              self.config.fetch, lambda url: None, self.robots)
        for (key, page), (pdf, outcome) in outcomes:
            if isinstance(outcome, GleanerError):
                yield key, page.source, type(outcome)(f"its PDF {pdf.location}: {outcome}")
            else:
                yield key, page.source, replace(page, document=outcome)

    def _pdf_source(self, abstract: Source) -> Source:
        base = self.config.papers.arxiv
        paper = arxiv_id(abstract.location, base) or ""
        return replace(abstract, location=pdf_url(paper, base), kind="article")
