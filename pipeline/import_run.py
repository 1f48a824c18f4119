"""`gleaner import`: a person's read-later exports and web archives made into notes.

The run of `gleaner run` (pipeline/orchestrator.py), with two differences in what feeds it
and one in what follows each note:

- the items come from exports (pipeline/sources/exports/), read twice, lazily: first those whose
  export holds the page (a stored copy: no request at all), then the others, fetched in
  batches; `--refetch` fetches every item and falls back on its stored copy, `--offline`
  fetches nothing and reports the items that have no stored copy;
- an item whose article already has a note (from an earlier import, another export, or
  `gleaner run`) is not fetched or prepared again: only what the person had is merged in;
- after its note is written, each item's tags, read and favourite marks, save date and
  highlights are merged into the note (pipeline/vault/saved_notes.py), once.

Memory holds the items of one batch and the pages in flight, whatever the number of rows.
A run killed at any moment is finished by the next one: a note is committed in one
transaction as in `run`, and what an import added to a note is recognised in it.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Config
from .errors import GleanerError, NoteError
from .extract import canonical_url
from .fetch import RobotsCache, fetch_pages
from .orchestrator import YOU_DELETED, OnItem, Outcome, _Run
from .records import NotAnArticle, Page, SavedItem, Source, UnreadableItem
from .report import ItemResult, RunReport
from .state import NoteRecord, State, VaultLock
from .vault import STATE_DIR, NoteTemplate, SavedMarks, Vault, load_template, marks_of, merge_saved

FETCH_BATCH = 500  # items classified, then fetched in one pass: bounds what is held
NO_STORED_COPY = "no stored copy in the export, and --offline makes no request"
MADE = ("written", "updated", "unchanged")


@dataclass(frozen=True)
class ImportOptions:
    offline: bool = False  # never a request; items without a stored copy are reported
    refetch: bool = False  # the live page first; the stored copy if it cannot be had


@dataclass
class ImportReport(RunReport):
    """A run's report, plus the web-archive records that were no article, by kind."""

    not_articles: dict[str, int] = field(default_factory=dict)

    def summary_line(self) -> str:
        line = super().summary_line()
        if self.not_articles:
            kinds = ", ".join(f"{count} {kind}" for kind, count
                              in sorted(self.not_articles.items()))
            line += f"; {sum(self.not_articles.values())} archive records skipped ({kinds})"
        return line


def import_exports(paths: Iterable[Path], config: Config, vault_root: Path | None = None,
                   on_item: OnItem | None = None,
                   options: ImportOptions = ImportOptions()) -> ImportReport:
    """Every item of every export into the vault; what became of each, in the report."""
    template = load_template(config.template)
    vault = Vault(vault_root or config.vault)
    vault.root.mkdir(parents=True, exist_ok=True)
    with VaultLock(vault.root / STATE_DIR):
        state = State(vault.state_path)
        try:
            run = _ImportRun(vault, state, config, on_item or (lambda item: None), template,
                             options)
            return run.over_exports(list(paths))
        finally:
            state.close()


class _ImportRun(_Run):
    def __init__(self, vault: Vault, state: State, config: Config, on_item: OnItem,
                 template: NoteTemplate, options: ImportOptions) -> None:
        super().__init__(vault, state, config, on_item, template)
        self.report: ImportReport = ImportReport()
        self.options = options
        self.marks = SavedMarks(state)
        self.in_flight: dict[str, list[SavedItem]] = {}  # URL → its items, until recorded
        self.read_again: list[Path] = []  # the files with items left for the second pass

    def over_exports(self, paths: list[Path]) -> ImportReport:
        run_id = self.state.start_run()
        robots = RobotsCache(self.state)
        self._notes_for(self._stored_copies(self._items(paths, first=True)))
        self._notes_for(self._fetched(self._items(self.read_again, first=False), robots))
        self._finish(run_id)
        return self.report

    def _items(self, paths: list[Path], first: bool) -> Iterator[SavedItem]:
        """The saved items of this pass; the first also counts and reports the rest, and
        notes the files that hold items for the second (a web archive seldom does)."""
        for path in paths:
            for entry in self.stages.entries(path):
                if isinstance(entry, SavedItem):
                    if self._in_first_pass(entry) == first:
                        yield entry
                    elif first and path not in self.read_again:
                        self.read_again.append(path)
                elif not first:
                    continue
                elif isinstance(entry, NotAnArticle):
                    counts = Counter(self.report.not_articles)
                    counts[entry.kind] += 1
                    self.report.not_articles = dict(counts)
                elif isinstance(entry, UnreadableItem):
                    self._record(ItemResult(entry.where, "failed", entry.reason))

    def _in_first_pass(self, item: SavedItem) -> bool:
        return item.has_stored_copy and (self.options.offline or not self.options.refetch)

    def _stored_copies(self, items: Iterator[SavedItem]) -> Iterator[tuple[SavedItem, Source,
                                                                           Outcome]]:
        for item in items:
            if self._needs_note(item):
                yield item, _source(item), stored_page(item)

    def _fetched(self, items: Iterator[SavedItem], robots: RobotsCache
                 ) -> Iterator[tuple[SavedItem, Source, Outcome]]:
        """The items to fetch, a batch at a time: classified here, on the run's thread,
        then fetched in one pass; a failed fetch falls back on the stored copy."""
        while taken := _take(items, FETCH_BATCH):
            batch = [item for item in taken if self._needs_note(item)]
            offline = [item for item in batch if self.options.offline]
            for item in offline:
                self._resolve(item.url, ItemResult(item.url, "skipped", NO_STORED_COPY))
            wanted = [_source(item) for item in batch if not self.options.offline]
            for source, outcome in fetch_pages(wanted, self.config.fetch, lambda url: None,
                                               robots):
                item = self.in_flight[source.location][0]
                if isinstance(outcome, GleanerError) and item.has_stored_copy:
                    outcome = stored_page(item)
                yield item, source, outcome

    def _needs_note(self, item: SavedItem) -> bool:
        """Whether the item's article needs its note made: not if it is on its way already
        (the item joins it), nor if it has a note (the item's data is merged into it)."""
        if item.url in self.in_flight:
            self.in_flight[item.url].append(item)
            return False
        known = self._known(item.url)
        if known is None or self.options.refetch:
            self.in_flight[item.url] = [item]
            return True
        path = self.index.find(known)  # once: it reads the note's frontmatter
        if self.state.is_deleted(known.id) or (path is None and self._deleted(known)):
            self._record(ItemResult(item.url, "skipped", YOU_DELETED))
        else:
            self._record(self._with_saved(ItemResult(item.url, "unchanged",
                                                     note=path or known.path),
                                          known.id, [item]))
        return False

    def _known(self, url: str) -> NoteRecord | None:
        """The committed note of this URL; a note a killed run left pending is made again."""
        record = self.state.note_for_url(url) or self.state.note_for_url(canonical_url(url))
        return None if record is None or record.owned.get("pending") else record

    def _notes_for(self, keyed: Iterator[tuple[SavedItem, Source, Outcome]]) -> None:
        """Each page through the CPU stages into its note (as in `run`), then the person's
        data into it (`_record_made`)."""
        for _ in self._notes_made(keyed):
            continue

    def _record_made(self, key: SavedItem, item: ItemResult) -> None:  # type: ignore[override]
        self._resolve(key.url, item)

    def _resolve(self, url: str, result: ItemResult) -> None:
        """Records the result of the first item of a URL and of the items that joined it."""
        items = self.in_flight.pop(url)
        note_id = self.state.fetched(url)[0] if result.status in MADE else None
        if note_id is not None:
            result = self._with_saved(result, note_id, items)
        self._record(result)
        status = "unchanged" if result.status in MADE else result.status  # one note, not two
        for joined in items[1:]:
            self._record(replace(result, status=status, detail=f"{joined.where}: same page "
                                                               f"as {items[0].where}"))

    def _with_saved(self, result: ItemResult, note_id: int,
                    items: list[SavedItem]) -> ItemResult:
        """The result once the items' saved data is in the note (written once, atomically)."""
        written = self.marks.of(note_id)
        if result.note is None or marks_of(items) <= written:
            return result
        try:
            current = self.vault.read(result.note)
            if current is None:
                raise NoteError(f"note {result.note} is missing")
            merged = merge_saved(current, items, written)
            if merged.text != current:
                self.vault.write(result.note, merged.text)
                if result.status == "unchanged":
                    result = replace(result, status="updated")
        except GleanerError as exc:
            return replace(result, status="failed",
                           detail=f"your saved data could not be added: {exc}")
        if merged.marks - written:
            self.marks.add(note_id, merged.marks - written)
        return result


def stored_page(item: SavedItem) -> Page:
    """The page as the export holds it, as if fetched. An article's HTML alone (Omnivore,
    Wallabag) gets a head with its title, author and date, for the extractor to read. A web
    archive's capture read where the workers are comes without its bytes: they read them."""
    content = item.stored or b""
    if item.fragment:
        meta = {"author": item.author, "article:published_time": item.published,
                "og:title": item.title}
        head = "".join(f'<meta {"property" if ":" in k else "name"}="{k}" '
                       f'content="{html.escape(v)}">' for k, v in meta.items() if v)
        title = f"<title>{html.escape(item.title)}</title>" if item.title else ""
        content = (f'<!DOCTYPE html><html><head><meta charset="utf-8">{title}{head}</head>'
                   f'<body><article>{content.decode("utf-8", "replace")}</article></body>'
                   f'</html>').encode()
    return Page(_source(item), item.url, content, "text/html", stored_at=item.stored_at)


def _source(item: SavedItem) -> Source:
    return Source(location=item.url, origin=item.origin)


def _take(items: Iterator[SavedItem], count: int) -> list[SavedItem]:
    return [item for _, item in zip(range(count), items, strict=False)]
