"""The emit stage of a run: an article's note laid out, written into the vault and
recorded in the state, in an order a kill at any moment cannot break (docs/OWNERSHIP.md).

A mixin of the orchestrator's run, which holds what it uses: the vault, the state, the
note index, the channels, the template, the relevance scorer, the LLM and the report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .errors import NoteError
from .extract import FROM_FEED, canonical_url
from .reading import read_priority, reading_minutes
from .records import Article, NoteDraft, Page
from .report import ItemResult
from .state import NoteRecord
from .vault import readable, render_frontmatter, render_note, split_frontmatter, with_pending
from .views import in_vault_names
from .workers import Prepared

if TYPE_CHECKING:
    from .reading import RelevanceScorer
    from .report import RunReport
    from .state import State
    from .summaries import Summarizer
    from .vault import Channels, NoteIndex, NoteTemplate, Vault


class NoteEmitting:
    """What the run (pipeline/orchestrator.py) gives the methods below."""

    vault: Vault
    state: State
    index: NoteIndex
    channels: Channels
    template: NoteTemplate
    relevance: RelevanceScorer
    llm: Summarizer | None
    report: RunReport
    digest_day: str | None

    def _draft(self, prepared: Prepared) -> NoteDraft:
        article = prepared.article
        analysis = in_vault_names(prepared.analysis, self.state.remember_topic)
        has_abstract = article.paper is not None and article.paper.abstract
        summary = self.llm.summarize(article, analysis) \
            if self.llm and not has_abstract else prepared.summary
        scored = self.relevance.score(article, analysis)
        return NoteDraft(article, analysis, summary, scored.value, read_priority=read_priority(
            scored.unrounded, article.published, prepared.text_length),
            reading_minutes=max(1, round(reading_minutes(prepared.text_length))))

    def _emit(self, draft: NoteDraft, existing: NoteRecord | None, page: Page,
              content_hash: str, prints: list[int], text_length: int) -> ItemResult:
        article = draft.article
        path = existing.path if existing else self.vault.free_note_path(article.title)
        current = self.vault.read(path)
        versions = self.state.urls_of(existing.id) if existing else []
        channels = self.channels.for_note(existing, page.source,
                                          article.source_name or article.site_name)
        rendered = render_note(draft, self.index.note_paths, versions, current,
                               existing.owned if existing else None, template=self.template,
                               sources=channels)
        status = "unchanged" if rendered.text == current else \
            ("written" if current is None else "updated")
        record = NoteRecord(existing.id if existing else 0, article.url, path,
                            readable(article.title), article.published, text_length,
                            {**rendered.owned, "channels": channels})
        if status != "unchanged":
            record = self._before_writing(record, existing.owned if existing else None, prints)
            self.vault.write(path, rendered.text)
        with self.state.transaction():
            note_id = self.state.save_note(record, prints, len(prints))
            self.state.add_url(canonical_url(page.url), note_id)
            self.state.record_fetch(page.source.location, note_id, page.validators, content_hash)
            self.state.set_mentions(note_id, draft.analysis.mentions)
            scored = self.relevance.remember(self.state, note_id, path, article,
                                             draft.analysis)
            self.state.mark_topics_dirty(draft.analysis.topics)
            if self.digest_day and not (existing and existing.owned.get("keys")):
                self.state.add_to_digest(self.digest_day, note_id, article.source_name)
        self.index.add((article.url, canonical_url(page.url)), path)
        self.report.kept_edits.extend(f"{path}: {what}" for what in rendered.kept)
        if status != "unchanged":
            self.report.add_relevance(path, scored)
        stood_in = article.text_from if article.text_from not in (None, FROM_FEED) else ""
        return ItemResult(page.source.location, status, f"text from the {stood_in}"
                          if stood_in else "", path)

    def _before_writing(self, record: NoteRecord, committed: dict | None,
                        prints: list[int]) -> NoteRecord:
        """Commit what is about to be written before writing it: after a kill between file
        and commit, the next run finds the note by URL and knows its text as Gleaner's."""
        pending = with_pending(committed, record.owned)
        with self.state.transaction():
            note_id = self.state.save_note(replace(record, owned=pending), prints, len(prints))
        return replace(record, id=note_id)

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
            status = "updated"
        owned = {**existing.owned, "keys": {**existing.owned.get("keys", {}),
                                            "versions": frontmatter.get("versions", [])},
                 "channels": self.channels.for_note(existing, page.source, None)}
        if status == "updated":
            prints, _ = self._prints_of(existing)
            self._before_writing(replace(existing, owned=owned, path=path), existing.owned, prints)
            self.vault.write(path, render_frontmatter(frontmatter) + body)
        with self.state.transaction():
            note_id = self.state.save_note(replace(existing, owned=owned, path=path),
                                           *self._prints_of(existing))
            self.state.add_url(article.url, note_id)
            self.state.record_fetch(page.source.location, note_id, page.validators, content_hash)
        self.index.add((article.url,), path)
        return ItemResult(page.source.location, status, "older version of an existing note", path)

    def _prints_of(self, record: NoteRecord) -> tuple[list[int], int]:
        prints = self.state.fingerprint_of(record.id)
        return prints, len(prints)
