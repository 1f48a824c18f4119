"""The orchestrator: the one place that knows the order of the stages.

sources → fetch → extract → analyze → summarize → score → emit → state, item by item as
pages stream in. Every GleanerError an item raises is caught here and recorded for that
item; the run goes on.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .dedupe import fingerprint, is_same_article
from .digest import digest_path, render_digest
from .errors import GleanerError, NoteError
from .feeds import parse_feed
from .fetch import fetch_pages
from .frontmatter import render_frontmatter, split_frontmatter
from .links import canonical_url
from .lock import VaultLock
from .mail import newsletter_links
from .notes import render_note
from .poll import NewItem, Poll, poll
from .records import Analysis, Article, NoteDraft, Page, Source
from .relevance import score_relevance
from .report import ItemResult, RunReport
from .state import NoteRecord, State, now
from .text import markdown_to_text
from .topics import write_topic_note
from .vault import STATE_DIR, Vault

if TYPE_CHECKING:
    from .summarize import Summarizer

OnItem = Callable[[ItemResult], None]


def run(sources: Iterable[Source], config: Config, vault_root: Path | None = None,
        on_item: OnItem | None = None) -> RunReport:
    """Turn every source into a note in the vault and return what happened."""
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            return _Run(vault, state, config, on_item or (lambda item: None)).over(sources)
        finally:
            state.close()


def ingest(config: Config, vault_root: Path | None = None,
           on_item: OnItem | None = None) -> RunReport:
    """Poll every subscription and turn only what is new into notes, plus the day's digest.

    With nothing new, no article stage runs (spaCy is not even imported): a cron poll costs
    a conditional request per feed and a scan of each mailbox.
    """
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            polled = poll(config.subscriptions, config.fetch, state)
            if polled.items or state.dirty_topics() or state.dirty_digests():
                return _Run(vault, state, config, on_item or (lambda item: None)).ingest(polled)
            return _nothing_new(vault, state, polled, on_item or (lambda item: None))
        finally:
            state.close()


def _nothing_new(vault: Vault, state: State, polled: Poll, on_item: OnItem) -> RunReport:
    run_id = state.start_run()
    report = RunReport(items=list(polled.failures))
    for failure in polled.failures:
        on_item(failure)
    for url, validators in polled.validators.items():
        state.save_feed_validators(url, validators)
    report.finished = now()
    state.finish_run(run_id, report.counts)
    report.save(vault.root / STATE_DIR / "reports")
    return report


class _Run:
    def __init__(self, vault: Vault, state: State, config: Config, on_item: OnItem) -> None:
        self.vault = vault
        self.state = state
        self.config = config
        self.on_item = on_item
        # spaCy and the summarizers load in seconds: imported only once a run has work.
        from .analyze import Analyzer
        from .llm import summarizer_for

        self.analyzer = Analyzer.load(vault.topics())
        self.digest_day: str | None = None
        self.summarizer: Summarizer = summarizer_for(
            config, vault.root / STATE_DIR, lambda why: self.report.summary_fallbacks.append(why))
        self.note_paths = state.note_paths()
        self.vault_links = _links_in_vault(vault)
        self.report = RunReport()

    def over(self, sources: Iterable[Source]) -> RunReport:
        """Every source in order; the items of feeds in the list (OPML) after them."""
        run_id = self.state.start_run()
        feed_items: list[Source] = []
        for source, outcome in fetch_pages(sources, self.config.fetch, self.state.validators):
            if source.kind == "feed" and isinstance(outcome, Page):
                feed_items.extend(self._feed_items(outcome))
            else:
                self._record(self._item(source, outcome))
        for source, outcome in fetch_pages(feed_items, self.config.fetch, self.state.validators):
            self._record(self._item(source, outcome))
        return self._finish(run_id)

    def _feed_items(self, page: Page) -> list[Source]:
        try:
            feed = parse_feed(page.content, page.url)
        except GleanerError as exc:
            self._record(self._item(page.source, exc))
            return []
        self.state.clear_failure(page.source.location)
        name = page.source.origin or feed.title
        return [Source(location=item.url, origin=name) for item in feed.items]

    def ingest(self, polled: Poll) -> RunReport:
        """New feed items and issues first, then the articles the issues link to."""
        run_id = self.state.start_run()
        self.digest_day = date.today().isoformat()
        for failure in polled.failures:
            self._record(failure)
        to_fetch = [item for item in polled.items if item.page is None]
        outcomes = zip(to_fetch, fetch_pages([i.source for i in to_fetch], self.config.fetch,
                                             self.state.validators), strict=True)
        in_hand = ((item, (item.source, item.page)) for item in polled.items if item.page)
        issues: list[NewItem] = []
        links: list[Source] = []
        for new, (source, outcome) in itertools.chain(outcomes, in_hand):
            self._record(self._item(source, outcome))
            if new.is_issue and isinstance(outcome, Page):
                issues.append(new)
                links.extend(_issue_links(new, outcome))
            else:
                self.state.mark_seen(new.subscription.key, new.key)
        for source, outcome in fetch_pages(_unique(links), self.config.fetch,
                                           self.state.validators):
            self._record(self._item(source, outcome))
        for new in issues:  # only now: a killed run expands these issues' links again
            self.state.mark_seen(new.subscription.key, new.key)
        for url, validators in polled.validators.items():
            self.state.save_feed_validators(url, validators)
        return self._finish(run_id)

    def _record(self, item: ItemResult) -> None:
        self.report.add(item)
        self.on_item(item)

    def _finish(self, run_id: int) -> RunReport:
        self.report.topic_notes_written = self._write_topic_notes()
        self._write_digests()
        self.report.finished = now()
        self.state.finish_run(run_id, self.report.counts)
        self.report.save(self.vault.root / STATE_DIR / "reports")
        return self.report

    def _item(self, source: Source, outcome: Page | GleanerError) -> ItemResult:
        try:
            if isinstance(outcome, GleanerError):
                raise outcome
            item = self._page(outcome)
            self.state.clear_failure(source.location)
            return item
        except GleanerError as exc:
            reason = str(exc) or type(exc).__name__
            self.state.record_failure(source.location, source.origin, reason)
            self.state.record_failed_source(source)
            return ItemResult(source.location, "failed", reason)

    def _page(self, page: Page) -> ItemResult:
        location = page.source.location
        note_id, old_hash = self.state.fetched(location)
        content_hash = hashlib.sha256(page.content).hexdigest()
        known = self.state.note(note_id) if note_id else None
        if known and (page.not_modified or content_hash == old_hash) and self._exists(known):
            return ItemResult(location, "unchanged", note=known.path)
        if page.not_modified:
            raise NoteError("server says not modified, but its note is gone: "
                            "run again with a fresh state to rebuild it")
        from .extract import extract_article  # trafilatura: imported only when needed

        article = extract_article(page)
        plain = markdown_to_text(article.text)
        prints = fingerprint(plain)
        existing = self._existing_note(article, page.url, prints)
        if existing and existing.url != article.url and not _is_newer(article, existing,
                                                                      len(plain)):
            return self._older_version(article, existing, page, content_hash)
        draft = self._draft(article)
        return self._emit(draft, existing, page, content_hash, prints, len(plain))

    def _draft(self, article: Article) -> NoteDraft:
        analysis = self.analyzer.analyze(article)
        topics = tuple(self.state.remember_topic(t) for t in analysis.topics)
        analysis = Analysis(topics=topics, tags=analysis.tags, sentences=analysis.sentences,
                            mentions={t.key: n for t, n in zip(topics, analysis.mentions.values(),
                                                               strict=True)})
        summary = self.summarizer.summarize(article, analysis.sentences)
        relevance = score_relevance(article, analysis, self.config.interests)
        return NoteDraft(article, analysis, summary, relevance)

    def _emit(self, draft: NoteDraft, existing: NoteRecord | None, page: Page,
              content_hash: str, prints: list[int], text_length: int) -> ItemResult:
        article = draft.article
        path = existing.path if existing else self.vault.free_note_path(article.title)
        current = self.vault.read(path)
        versions = self.state.urls_of(existing.id) if existing else []
        rendered = render_note(draft, self.note_paths, versions, current,
                               existing.owned if existing else None)
        status = "unchanged" if rendered.text == current else \
            ("written" if current is None else "updated")
        if status != "unchanged":
            self.vault.write(path, rendered.text)
        record = NoteRecord(existing.id if existing else 0, article.url, path, article.title,
                            article.published, text_length, rendered.owned)
        with self.state.transaction():
            note_id = self.state.save_note(record, prints, len(prints))
            self.state.add_url(canonical_url(page.url), note_id)
            self.state.record_fetch(page.source.location, note_id, page.validators, content_hash)
            self.state.set_mentions(note_id, draft.analysis.mentions)
            self.state.mark_topics_dirty(draft.analysis.topics)
            if self.digest_day and not (existing and existing.id):
                self.state.add_to_digest(self.digest_day, note_id, article.source_name)
        for url in (article.url, canonical_url(page.url)):
            self.note_paths[url] = path
        self.report.kept_edits.extend(f"{path}: {what}" for what in rendered.kept)
        return ItemResult(page.source.location, status, note=path)

    def _existing_note(
        self, article: Article, fetched: str, prints: list[int]
    ) -> NoteRecord | None:
        """The note already holding this article: by URL, else by near-identical text."""
        for url in (article.url, canonical_url(fetched)):
            record = self.state.note_for_url(url)
            if record:
                return self._located(record)
        for note_id, shared, size in self.state.similar_notes(prints):
            if is_same_article(shared, len(prints), size):
                record = self.state.note(note_id)
                return self._located(record) if record else None
        path = self.vault_links.get(article.url)
        if path:
            return NoteRecord(0, article.url, path, article.title, article.published, 0, {})
        return None

    def _located(self, record: NoteRecord) -> NoteRecord:
        """The record with its current path, following a note the person renamed or moved."""
        if self._exists(record):
            return record
        moved = self.vault_links.get(record.url)
        return replace(record, path=moved) if moved else record

    def _exists(self, record: NoteRecord) -> bool:
        return self.vault.inside(record.path).exists()

    def _older_version(self, article: Article, existing: NoteRecord, page: Page,
                       content_hash: str) -> ItemResult:
        """Record another copy (older, shorter or identical) of a note's article as a version."""
        path = existing.path
        text = self.vault.read(path)
        if text is None:
            raise NoteError(f"note {path} for this article's newer version is missing")
        frontmatter, body = split_frontmatter(text)
        versions = list(frontmatter.get("versions") or [])
        status = "unchanged"
        if article.url not in versions and article.url != frontmatter.get("link"):
            frontmatter["versions"] = [*versions, article.url]
            self.vault.write(path, render_frontmatter(frontmatter) + body)
            status = "updated"
        owned = {**existing.owned, "keys": {**existing.owned.get("keys", {}),
                                            "versions": frontmatter.get("versions", [])}}
        with self.state.transaction():
            note_id = self.state.save_note(replace(existing, owned=owned, path=path),
                                           *self._prints_of(existing))
            self.state.add_url(article.url, note_id)
            self.state.record_fetch(page.source.location, note_id, page.validators, content_hash)
        self.note_paths[article.url] = path
        return ItemResult(page.source.location, status, "older version of an existing note", path)

    def _prints_of(self, record: NoteRecord) -> tuple[list[int], int]:
        prints = self.state.fingerprint_of(record.id)
        return prints, len(prints)

    def _write_topic_notes(self) -> int:
        written = 0
        for topic in self.state.dirty_topics():
            try:
                written += write_topic_note(self.vault, topic, self.state.topic_articles(topic.key))
            except GleanerError as exc:
                self.report.add(ItemResult(f"topic {topic.key}", "failed", str(exc)))
                continue
            self.state.clear_dirty_topic(topic)
        return written

    def _write_digests(self) -> None:
        for day, known_path in self.state.dirty_digests():
            path = known_path or digest_path(self.vault, day)
            self.state.set_digest_path(day, path)
            try:
                self.vault.write(path, render_digest(day, self.state.digest_notes(day)))
            except GleanerError as exc:
                self.report.add(ItemResult(f"digest {day}", "failed", str(exc)))
                continue
            self.state.digest_written(day)


def _issue_links(issue: NewItem, page: Page) -> list[Source]:
    """The articles a newsletter issue links to, as sources named after the newsletter."""
    urls = newsletter_links(page.content, page.url, issue.home, issue.sender_domain)
    return [Source(location=url, origin=page.source.origin, from_newsletter=True)
            for url in urls]


def _unique(sources: list[Source]) -> list[Source]:
    """One source per URL: two issues linking to one article make one fetch."""
    return list({source.location: source for source in sources}.values())


def _is_newer(article: Article, existing: NoteRecord, text_length: int) -> bool:
    """A later date, or on the same date a longer text: the version a note should show."""
    if article.published and existing.published and article.published != existing.published:
        return article.published > existing.published
    return text_length > existing.text_length


def _links_in_vault(vault: Vault) -> dict[str, str]:
    """URL → note path for every note in the vault, so renamed or moved notes are found."""
    links: dict[str, str] = {}
    for path in vault.notes():
        try:
            with path.open(encoding="utf-8") as handle:
                head = handle.read(16_384)
            frontmatter, _ = split_frontmatter(head)
        except (GleanerError, OSError, UnicodeDecodeError):
            continue
        relative = path.relative_to(vault.root).as_posix()
        for url in [frontmatter.get("link"), *(frontmatter.get("versions") or [])]:
            if isinstance(url, str):
                links.setdefault(url, relative)
    return links
