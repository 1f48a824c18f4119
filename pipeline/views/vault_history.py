"""What the report page shows, gathered from the vault: the runs and failures in the state
file, the JSON run reports in `.gleaner/reports/`, and the article notes' frontmatter.

The notes are read from the vault, not from the state's records of them, so the page shows
what the person sees: their ratings, the notes they ticked as read, the notes they moved.
All of this is read when a report is asked for, never on a run's or a poll's path.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import NoteError
from ..reading import reading_minutes
from ..state import State
from ..vault import STATE_DIR, Vault, read_frontmatter
from .trends import MentionHistory

REPORTS_DIR = "reports"
NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
MAX_REASON_CHARS = 60
NOT_A_HOST = "(the vault's own notes)"


@dataclass(frozen=True)
class RunCounts:
    """One run from the state file: when it started, and what became of its items."""

    started: datetime
    written: int
    updated: int
    unchanged: int
    skipped: int
    failed: int

    @property
    def did_something(self) -> bool:
        return bool(self.written or self.updated or self.failed)


@dataclass(frozen=True)
class ArticleFacts:
    """An article note as the person has it now."""

    path: str
    source: str
    relevance: int | None
    minutes: float | None
    added: date | None
    read: bool


@dataclass(frozen=True)
class Failure:
    """An item failing now (the state's failures table)."""

    location: str
    reason: str
    at: str


@dataclass(frozen=True)
class VaultHistory:
    """Everything the report page draws, read once."""

    vault: Path
    runs: tuple[RunCounts, ...]
    failure_reasons: Counter[str]  # over every failed item in the run reports
    failure_hosts: Counter[str]
    failing_now: tuple[Failure, ...]
    articles: tuple[ArticleFacts, ...]
    mentions: MentionHistory
    topic_count: int
    unreadable: tuple[str, ...]  # reports and notes that could not be read, with why


def read_history(vault_root: Path) -> VaultHistory:
    """The vault's history; NoteError if it has no state file (Gleaner never ran on it)."""
    vault = Vault(vault_root)
    if not vault.state_path.is_file():
        raise NoteError(f"no Gleaner state in {vault_root}: run `gleaner run` or "
                        "`gleaner ingest` on it first")
    unreadable: list[str] = []
    state = State(vault.state_path)
    try:
        runs = tuple(_runs(state))
        failing = tuple(Failure(location, reason, at)
                        for location, _, reason, at in state.failures())
        mentions = MentionHistory.from_state(state, ("Model", "Organization", "Concept"))
        topic_count = state.db.execute("SELECT COUNT(*) FROM topics").fetchone()[0]
        articles = tuple(_articles(vault, state, unreadable))
    finally:
        state.close()
    reasons, hosts = _failures_in_reports(vault.root / STATE_DIR / REPORTS_DIR, unreadable)
    return VaultHistory(vault.root, runs, reasons, hosts, failing, articles, mentions,
                        topic_count, tuple(unreadable))


def reason_kind(reason: str) -> str:
    """A failure's reason without its particulars (the host, the numbers), so that like
    failures count together: `HTTP 404 Not Found`, `network error`, `timed out after N s`."""
    kind = reason.split(":", 1)[0].split(" (", 1)[0].split(" from ", 1)[0].strip()
    if not kind.startswith("HTTP "):  # an HTTP status is the kind itself
        kind = NUMBER.sub("N", kind)
    return kind if len(kind) <= MAX_REASON_CHARS else kind[:MAX_REASON_CHARS - 1] + "…"


def host_of(location: str) -> str:
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.netloc:
        return parts.netloc
    return "local files" if parts.scheme == "file" or location.startswith("/") else NOT_A_HOST


def _runs(state: State) -> list[RunCounts]:
    with state.lock:
        rows = state.db.execute("SELECT started, counts FROM runs WHERE counts IS NOT NULL "
                                "ORDER BY started").fetchall()
    runs = []
    for started, counts in rows:
        values: dict[str, Any] = json.loads(counts)
        runs.append(RunCounts(datetime.fromisoformat(started),
                              *(int(values.get(key, 0)) for key in
                                ("written", "updated", "unchanged", "skipped", "failed"))))
    return runs


def _articles(vault: Vault, state: State, unreadable: list[str]) -> list[ArticleFacts]:
    articles = []
    for path in vault.notes():
        relative = path.relative_to(vault.root).as_posix()
        try:
            frontmatter = read_frontmatter(path)
        except (NoteError, OSError, UnicodeDecodeError) as exc:
            unreadable.append(f"{relative}: {exc}")
            continue
        if frontmatter.get("type") == "Content":
            articles.append(_facts(relative, frontmatter, state))
    return articles


def _facts(relative: str, frontmatter: dict[str, Any], state: State) -> ArticleFacts:
    relevance = frontmatter.get("relevance")
    minutes = frontmatter.get("reading_minutes")
    if not _is_number(minutes):
        record = state.note_for_url(frontmatter["link"]) \
            if isinstance(frontmatter.get("link"), str) else None
        minutes = reading_minutes(record.text_length) if record and record.text_length else None
    source = frontmatter.get("source")
    return ArticleFacts(
        relative, source if isinstance(source, str) and source.strip() else "(no source)",
        min(max(round(relevance), 0), 5) if _is_number(relevance) else None, minutes,
        _day(frontmatter.get("upload_date")), frontmatter.get("already_read") is True)


def _failures_in_reports(folder: Path, unreadable: list[str]
                         ) -> tuple[Counter[str], Counter[str]]:
    """Every failed item of every run report, by kind of reason and by host."""
    reasons: Counter[str] = Counter()
    hosts: Counter[str] = Counter()
    for path in sorted(folder.glob("run-*.json")):
        try:
            items = json.loads(path.read_text(encoding="utf-8"))["items"]
            failed = [(item["location"], item["detail"]) for item in items
                      if item["status"] == "failed"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            unreadable.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        for location, reason in failed:
            reasons[reason_kind(str(reason))] += 1
            hosts[host_of(str(location))] += 1
    return reasons, hosts


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
