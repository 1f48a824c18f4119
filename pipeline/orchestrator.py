"""The orchestrator: the one place that knows the order of the stages.

sources → fetch → extract → analyze → summarize → score → emit → state, item by item as
pages stream in. Every GleanerError an item raises is caught here and recorded for that
item; the run goes on.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .config import Config
from .emit import NoteEmitting
from .errors import GleanerError, NoteError
from .extract import canonical_url, with_feed_text
from .fetch import RobotsCache, fetch_each, fetch_pages
from .nlp import Taxonomy
from .papers import FullTexts, paper_entry, paper_source
from .reading import RelevanceScorer, held_back
from .records import Analysis, Article, Page, Source
from .report import ItemResult, RunReport
from .sources import FeedItem, NewItem, Poll, is_feed, newsletter_links, parse_feed
from .state import NoteRecord, State, VaultLock, now
from .vault import STATE_DIR, Channels, NoteIndex, NoteTemplate, Vault, load_template
from .views import in_vault_names, write_views
from .workers import Prepared, cpu_stages

if TYPE_CHECKING:
    from .summaries import Summarizer

OnItem = Callable[[ItemResult], None]
YOU_DELETED = "you deleted its note; `gleaner run --restore URL` brings it back"
Key = TypeVar("Key")
Outcome = Page | GleanerError


def run(sources: Iterable[Source], config: Config, vault_root: Path | None = None,
        on_item: OnItem | None = None, restore: Iterable[str] = ()) -> RunReport:
    """Turn every source into a note in the vault and return what happened. The notes of
    the URLs in `restore`, which the person deleted, are made again."""
    template = load_template(config.template)  # a bad template stops the run before it starts
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            restored = {state.restore(url) or state.restore(canonical_url(url))
                        for url in restore}
            return _Run(vault, state, config, on_item or (lambda item: None), template,
                        restored - {None}).over(sources)
        finally:
            state.close()


def ingest_polled(vault: Vault, state: State, config: Config, polled: Poll,
                  on_item: OnItem) -> RunReport:
    """Notes for what a poll found new (pipeline/ingestion.py polls), plus the day's digest."""
    template = load_template(config.template)  # a bad template stops before the first note
    return _Run(vault, state, config, on_item, template).ingest(polled)


class _Run(NoteEmitting):
    def __init__(self, vault: Vault, state: State, config: Config, on_item: OnItem,
                 template: NoteTemplate, restored: set[int] | None = None) -> None:
        self.vault = vault
        self.template = template
        self.state = state
        self.config = config
        self.on_item = on_item
        taxonomy = Taxonomy.from_file(config.taxonomy) if config.taxonomy else None
        self.stages = cpu_stages(config, lambda: list(vault.topics()), taxonomy)
        self.digest_day: str | None = None
        self.llm: Summarizer | None = None
        if config.llm.enabled:
            from .summaries import summarizer_for

            self.llm = summarizer_for(config, vault.root / STATE_DIR,
                                      lambda why: self.report.summary_fallbacks.append(why))
        vault.clear_temp()
        self.report = RunReport()
        self.refetch: list[Source] = []  # 304s whose note a killed run never wrote
        self.listed: set[str] = set()
        self.restored = restored or set()  # notes the person asked back: not deleted again
        self.robots: RobotsCache | None = None
        self.channels = Channels(lambda source: paper_source(source, config))

    @cached_property
    def index(self) -> NoteIndex:
        """Built when the first page arrives, so reading the vault overlaps the fetching."""
        return NoteIndex(self.vault, self.state)

    @cached_property
    def relevance(self) -> RelevanceScorer:
        """Learned from the vault's ratings when the first note is scored: a re-run with
        nothing new never needs it."""
        return RelevanceScorer.for_vault(self.config.interests, self.state, self.vault)

    def over(self, sources: Iterable[Source]) -> RunReport:
        """Every source in order; the items of the feeds among them (a feed's URL or file, or
        an OPML list of feeds) after them."""
        run_id = self.state.start_run()
        feed_items: list[tuple[Source, FeedItem]] = []
        robots = self.robots = RobotsCache(self.state)
        fetched = fetch_pages(self._once_each(sources), self.config.fetch,
                              self.state.validators, robots)
        self._make_notes(self._articles_only(fetched, feed_items))
        entries = [entry for entry in (paper_entry(source, item, self.config)
                                       for source, item in feed_items)
                   if self._first_time(entry[0])]
        self._make_notes(outcome for _, outcome in with_feed_text(
            entries, lambda entry: entry,
            lambda rest: fetch_each(rest, lambda entry: entry[0], self.config.fetch,
                                    self.state.validators, robots)))
        self._refetch(robots)
        return self._finish(run_id)

    def _once_each(self, sources: Iterable[Source]) -> Iterator[Source]:
        return (source for source in map(self.channels.read_as, sources)
                if self._first_time(source))

    def _first_time(self, source: Source) -> bool:
        """A URL listed twice is read once, and reported once; the repeats are counted. The
        variants of an arXiv paper are one URL."""
        if source.location in self.listed:
            self.report.repeated += 1
            self.channels.repeated(source)
            return False
        self.listed.add(source.location)
        return True

    def _refetch(self, robots: RobotsCache) -> None:
        """The pages that answered 304 though their note was never written (a run killed
        between its record and its file): read again in full, without validators."""
        again, self.refetch = self.refetch, []
        self._make_notes(fetch_pages(again, self.config.fetch, lambda url: None, robots))

    def _articles_only(self, fetched: Iterable[tuple[Source, Outcome]],
                       feed_items: list[tuple[Source, FeedItem]]
                       ) -> Iterator[tuple[Source, Outcome]]:
        """The outcomes to make notes of; a feed adds its items instead, whether it was
        listed as one (OPML) or turned out to be one (its content type or its root)."""
        for source, outcome in fetched:
            if isinstance(outcome, Page) and not outcome.not_modified and (
                    source.kind == "feed" or is_feed(outcome.content, outcome.content_type)):
                feed_items.extend(self._feed_items(outcome))
            else:
                yield source, outcome

    def _feed_items(self, page: Page) -> list[tuple[Source, FeedItem]]:
        try:
            feed = parse_feed(page.content, page.url)
        except GleanerError as exc:
            self._record(self._item(page.source, exc, None))
            return []
        self.state.clear_failure(page.source.location)
        name = page.source.origin or feed.title
        return [(Source(location=item.url, origin=name), item) for item in feed.items]

    def ingest(self, polled: Poll) -> RunReport:
        """New feed items and issues first, then the articles the issues link to."""
        run_id = self.state.start_run()
        self.digest_day = date.today().isoformat()
        self.robots = polled.robots
        outcomes = with_feed_text(
            polled.items, lambda new: paper_entry(new.source, new.item, self.config),
            lambda rest: fetch_each(rest, lambda new: self.channels.read_as(new.source),
                                    self.config.fetch, self.state.validators, polled.robots))
        in_hand = ((item, (item.source, item.page)) for item in polled.mail)
        keyed = ((new, source, outcome)
                 for new, (source, outcome) in itertools.chain(outcomes, in_hand))
        issues: list[tuple[str, str]] = []  # (subscription, item) keys, not the pages
        links: list[Source] = []
        for new, outcome in self._notes_made(keyed):
            if new.is_issue and isinstance(outcome, Page):
                issues.append((new.subscription.key, new.key))
                links.extend(_issue_links(new, outcome))
            else:
                self.state.mark_seen(new.subscription.key, new.key)
        self._make_notes(fetch_pages(self.channels.unique(links), self.config.fetch,
                                     self.state.validators, polled.robots))
        for subscription, item in issues:  # only now: a killed run expands their links again
            self.state.mark_seen(subscription, item)
        for failure in polled.failures:  # feeds and mailboxes that could not be read
            self._record(failure)
        for url, validators in polled.validators.items():
            self.state.save_feed_validators(url, validators)
        for check in polled.checks:
            self.state.record_check(check)
        self._refetch(polled.robots)
        return self._finish(run_id)

    def _make_notes(self, fetched: Iterable[tuple[Source, Outcome]]) -> None:
        for _ in self._notes_made((None, source, outcome) for source, outcome in fetched):
            continue

    def _notes_made(self, fetched: Iterable[tuple[Key, Source, Outcome]]
                    ) -> Iterator[tuple[Key, Outcome]]:
        """Each fetched page through the CPU stages (in the workers) into the vault, in order;
        each key with its outcome once its item is recorded. New or changed arXiv papers come
        last, once their PDFs are fetched."""
        full_texts: FullTexts[Key] = FullTexts(self.config, self.robots)
        yield from self._through_stages(full_texts.held_back(fetched, self._needs_work))
        yield from self._through_stages(full_texts.fetched())

    def _through_stages(self, fetched: Iterable[tuple[Key, Source, Outcome]]
                        ) -> Iterator[tuple[Key, Outcome]]:
        needing_work = (((key, source, outcome), self._needs_work(outcome))
                        for key, source, outcome in fetched)
        prepared_items = held_back(self.stages.in_order(needing_work), self._to_be_scored,
                                   lambda: self.relevance)
        for (key, source, outcome), prepared in prepared_items:
            item = self._item(source, outcome, prepared)
            if item is not None:
                self._record_made(key, item)
            yield key, outcome

    def _to_be_scored(self, item: tuple[object, Prepared | GleanerError | None]
                      ) -> tuple[Article, Analysis] | None:
        """A prepared item's article, and its analysis as its note will have it: held-back
        notes are put on the scale with the score they will be written with. Records no
        topic: the note may yet fail."""
        prepared = item[1]
        if not isinstance(prepared, Prepared):
            return None
        return prepared.article, in_vault_names(prepared.analysis, self.state.established_topic)

    def _record_made(self, key: Key, item: ItemResult) -> None:
        """Records what became of a page; a run whose keys carry more (an import's saved
        items) adds it to the note here."""
        self._record(item)

    def _needs_work(self, outcome: Outcome) -> Page | None:
        """The page, if it is new or changed, or its note was never written: only those go
        through the CPU stages."""
        if not isinstance(outcome, Page) or outcome.not_modified:
            return None
        known = self._unchanged(outcome)
        if known is None or (known.owned.get("pending") and not self.index.exists(known)) \
                or self.channels.are_new(known, outcome.source):
            return outcome
        return None

    def _record(self, item: ItemResult) -> None:
        self.report.add(item)
        self.on_item(item)

    def _finish(self, run_id: int) -> RunReport:
        self.stages.close()
        write_views(self.vault, self.state, self.report)
        self.report.finished = now()
        self.state.finish_run(run_id, self.report.counts)
        self.report.save(self.vault.root / STATE_DIR / "reports")
        return self.report

    def _item(self, source: Source, outcome: Outcome,
              prepared: Prepared | GleanerError | None) -> ItemResult | None:
        """What became of the item; None if it is to be read again in full (_refetch)."""
        try:
            if isinstance(outcome, GleanerError):
                raise outcome
            if isinstance(prepared, GleanerError):
                raise prepared
            item = self._page(outcome, prepared)
            if item is not None:
                self.state.clear_failure(source.location)
            return item
        except GleanerError as exc:
            reason = str(exc) or type(exc).__name__
            self.state.record_failure(source.location, source.origin, reason)
            self.state.record_failed_source(source)
            return ItemResult(source.location, "failed", reason)

    def _unchanged(self, page: Page) -> NoteRecord | None:
        """The note of this page, if the page is as it was when the note was written."""
        note_id, old_hash = self.state.fetched(page.source.location)
        known = self.state.note(note_id) if note_id else None
        if known and (page.not_modified or page.content_hash == old_hash):
            return known
        return None

    def _page(self, page: Page, prepared: Prepared | None) -> ItemResult | None:
        location = page.source.location
        known = self._unchanged(page)
        if known and not self._lost(known) and \
                (prepared is None or not self.channels.are_new(known, page.source)):
            return self._kept(known, location)
        if page.not_modified:
            self.refetch.append(page.source)
            return None
        if prepared is None:
            raise NoteError("its note changed while the run was under way: run again")
        article, prints = prepared.article, list(prepared.prints)
        content_hash = page.content_hash
        existing = self.index.existing_note(article, page.url, prints)
        if existing and existing.id and self._deleted(existing):
            return ItemResult(location, "skipped", YOU_DELETED)
        if existing and existing.url != article.url and not _is_newer(
                article, existing, prepared.text_length):
            return self._older_version(article, existing, page, content_hash)
        draft = self._draft(prepared)
        return self._emit(draft, existing, page, content_hash, prints, prepared.text_length)

    def _kept(self, known: NoteRecord, location: str) -> ItemResult:
        """The page is as it was: its note stays as the person keeps it, under whatever name
        and in whatever folder; topic notes and digests follow a rename."""
        if self._deleted(known):
            return ItemResult(location, "skipped", YOU_DELETED)
        path = self.index.find(known) or known.path
        if path != known.path:
            self.state.move_note(known.id, path)
            self.index.add(tuple(self.state.urls_of(known.id)), path)
        return ItemResult(location, "unchanged", note=path)

    def _deleted(self, record: NoteRecord) -> bool:
        """Whether the person deleted the note: the state says so, or no file of the vault
        holds it although its last write was completed. A deletion is remembered: the
        article is skipped from then on, whatever its page says, until `run --restore`."""
        if self.state.is_deleted(record.id):
            return True
        if record.id in self.restored or record.owned.get("pending") \
                or self.index.find(record) is not None:
            return False
        self.state.delete_note(record.id)
        return True

    def _lost(self, record: NoteRecord) -> bool:
        """A note a killed run recorded but never wrote: made again, not taken for deleted."""
        return bool(record.owned.get("pending")) and self.index.find(record) is None


def _issue_links(issue: NewItem, page: Page) -> list[Source]:
    """The articles a newsletter issue links to, as sources named after the newsletter."""
    urls = newsletter_links(page.content, page.url, issue.home, issue.sender_domain)
    return [Source(location=url, origin=page.source.origin, from_newsletter=True)
            for url in urls]


def _is_newer(article: Article, existing: NoteRecord, text_length: int) -> bool:
    """A later date, or on the same date a longer text: the version a note should show."""
    if article.published and existing.published and article.published != existing.published:
        return article.published > existing.published
    return text_length > existing.text_length
