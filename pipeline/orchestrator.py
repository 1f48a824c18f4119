"""The orchestrator: the one place that knows the order of the stages.

sources → fetch → extract → analyze → summarize → score → emit → state, item by item as
pages stream in. Every GleanerError an item raises is caught here and recorded for that
item; the run goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from .analyze import Analyzer
from .config import Config
from .dedupe import fingerprint, is_same_article
from .errors import GleanerError, NoteError
from .extract import extract_article
from .fetch import fetch_pages
from .frontmatter import render_frontmatter, split_frontmatter
from .links import canonical_url
from .notes import render_note
from .records import Analysis, Article, NoteDraft, Page, Source
from .relevance import score_relevance
from .report import ItemResult, RunReport
from .state import NoteRecord, State, now
from .summarize import ExtractiveSummarizer, Summarizer
from .text import markdown_to_text
from .topics import write_topic_note
from .vault import STATE_DIR, Vault

OnItem = Callable[[ItemResult], None]


def run(sources: Iterable[Source], config: Config, vault_root: Path | None = None,
        on_item: OnItem | None = None) -> RunReport:
    """Turn every source into a note in the vault and return what happened."""
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    state = State(vault.state_path)
    try:
        return _Run(vault, state, config, on_item or (lambda item: None)).over(sources)
    finally:
        state.close()


class _Run:
    def __init__(self, vault: Vault, state: State, config: Config, on_item: OnItem) -> None:
        self.vault = vault
        self.state = state
        self.config = config
        self.on_item = on_item
        self.analyzer = Analyzer.load(vault.topics())
        self.summarizer: Summarizer = ExtractiveSummarizer(config.summary)
        self.note_paths = state.note_paths()
        self.vault_links = _links_in_vault(vault)
        self.report = RunReport()

    def over(self, sources: Iterable[Source]) -> RunReport:
        run_id = self.state.start_run()
        for source, outcome in fetch_pages(sources, self.config.fetch, self.state.validators):
            item = self._item(source, outcome)
            self.report.add(item)
            self.on_item(item)
        self.report.topic_notes_written = self._write_topic_notes()
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
