"""The run state in one SQLite file: what was fetched, which note holds which article,
text fingerprints for near-duplicates and per-item failures (topic mentions: state/topics.py).

It lives inside the vault (`.gleaner/state.sqlite`) so a vault carries its own memory.
Every change of one item is committed in one transaction, so a killed run leaves the state
consistent with the notes already written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..records import Source, Topic, Validators
from .subscriptions import SubscriptionState, now
from .topics import TopicState

ROBOTS_TXT_HOURS = 24  # RFC 9309: a crawler should not keep a robots.txt longer
SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    text_length INTEGER NOT NULL,
    fingerprint_size INTEGER NOT NULL,
    owned TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS note_urls (
    url TEXT PRIMARY KEY,
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS fetches (
    location TEXT PRIMARY KEY,
    note_id INTEGER REFERENCES notes(id) ON DELETE SET NULL,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT
);
CREATE TABLE IF NOT EXISTS fingerprints (
    hash INTEGER NOT NULL,
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS fingerprints_by_hash ON fingerprints(hash);
CREATE INDEX IF NOT EXISTS note_urls_by_note ON note_urls(note_id);
CREATE TABLE IF NOT EXISTS mentions (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (note_id, topic)
);
CREATE TABLE IF NOT EXISTS topics (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    organization TEXT,
    aliases TEXT NOT NULL DEFAULT '[]',
    dirty INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS failures (
    location TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    counts TEXT
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT
);
CREATE TABLE IF NOT EXISTS seen_items (
    subscription TEXT NOT NULL,
    item TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (subscription, item)
);
CREATE TABLE IF NOT EXISTS failed_sources (
    location TEXT PRIMARY KEY,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_entries (
    day TEXT NOT NULL,
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    PRIMARY KEY (day, note_id)
);
CREATE TABLE IF NOT EXISTS digests (
    day TEXT PRIMARY KEY,
    path TEXT,
    dirty INTEGER NOT NULL DEFAULT 1
);
-- what Gleaner wrote once and then left to the person (Gleaner.base, each topic note's
-- view): a hash of the text it last wrote there (pipeline/vault/handover.py)
CREATE TABLE IF NOT EXISTS handed_over (
    target TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL
);
-- each site's robots.txt as last read, kept a day (pipeline/fetch/etiquette.py)
CREATE TABLE IF NOT EXISTS robots (
    origin TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    read TEXT NOT NULL
);
-- what each note was scored on and scored, and the relevance a person set on it
-- (pipeline/reading/relevance_store.py)
CREATE TABLE IF NOT EXISTS relevance (
    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    features TEXT,
    scored TEXT,
    rating INTEGER,
    read INTEGER NOT NULL DEFAULT 0,
    stamp TEXT
);
-- each subscription's last poll and health (pipeline/state/subscriptions.py): failures in a
-- row, and the time before which its feed is not asked again (fresh, or backing off)
CREATE TABLE IF NOT EXISTS subscription_health (
    subscription TEXT PRIMARY KEY,
    polled TEXT NOT NULL,
    status TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    not_before TEXT,
    waiting TEXT
);
-- notes the person deleted: their articles are skipped until `gleaner run --restore`
CREATE TABLE IF NOT EXISTS deleted_notes (
    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class NoteRecord:
    id: int
    url: str
    path: str
    title: str
    published: str | None
    text_length: int
    owned: dict[str, Any]


class State(TopicState, SubscriptionState):
    """Typed queries over the state file; safe to call from the fetch thread too."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # fetches -------------------------------------------------------------------------------

    def validators(self, location: str) -> Validators | None:
        row = self._one("SELECT etag, last_modified FROM fetches WHERE location = ? "
                        "AND note_id IS NOT NULL", location)
        return Validators(*row) if row and (row[0] or row[1]) else None

    def fetched(self, location: str) -> tuple[int | None, str | None]:
        row = self._one("SELECT note_id, content_hash FROM fetches WHERE location = ?", location)
        return (row[0], row[1]) if row else (None, None)

    def record_fetch(self, location: str, note_id: int, validators: Validators,
                     content_hash: str) -> None:
        self.db.execute(
            "INSERT INTO fetches VALUES (?, ?, ?, ?, ?) ON CONFLICT(location) DO UPDATE SET "
            "note_id = excluded.note_id, etag = excluded.etag, "
            "last_modified = excluded.last_modified, content_hash = excluded.content_hash",
            (location, note_id, validators.etag, validators.last_modified, content_hash),
        )

    # notes ---------------------------------------------------------------------------------

    def note(self, note_id: int) -> NoteRecord | None:
        row = self._one("SELECT id, url, path, title, published, text_length, owned "
                        "FROM notes WHERE id = ?", note_id)
        return NoteRecord(*row[:6], json.loads(row[6])) if row else None

    def note_for_url(self, url: str) -> NoteRecord | None:
        row = self._one("SELECT note_id FROM note_urls WHERE url = ?", url)
        return self.note(row[0]) if row else None

    def note_paths(self) -> dict[str, str]:
        """Every known URL (canonical or version) and the vault path of its note."""
        rows = self._all("SELECT u.url, n.path FROM note_urls u JOIN notes n ON n.id = u.note_id")
        return dict(rows)

    def save_note(self, record: NoteRecord, fingerprint: Iterable[int], size: int) -> int:
        """Insert or update a note; returns its id. Call inside a transaction."""
        stamp = now()
        if record.id:
            self.db.execute(
                "UPDATE notes SET url=?, path=?, title=?, published=?, text_length=?, "
                "fingerprint_size=?, owned=?, updated=? WHERE id=?",
                (record.url, record.path, record.title, record.published, record.text_length,
                 size, json.dumps(record.owned), stamp, record.id),
            )
            note_id = record.id
        else:
            note_id = self.db.execute(
                "INSERT INTO notes (url, path, title, published, text_length, fingerprint_size, "
                "owned, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.url, record.path, record.title, record.published, record.text_length,
                 size, json.dumps(record.owned), stamp, stamp),
            ).lastrowid
        self.db.execute("DELETE FROM fingerprints WHERE note_id = ?", (note_id,))
        self.db.executemany("INSERT INTO fingerprints VALUES (?, ?)",
                            ((h, note_id) for h in fingerprint))
        self.add_url(record.url, note_id)
        return note_id

    def move_note(self, note_id: int, path: str) -> None:
        """The person renamed or moved the note: topic notes and digests link to `path` now."""
        with self.transaction():
            self.db.execute("UPDATE notes SET path = ? WHERE id = ?", (path, note_id))
            self._relink(note_id)

    def delete_note(self, note_id: int) -> None:
        """The person deleted the note: it stays deleted, and nothing links to it any more."""
        with self.transaction():
            self.db.execute("INSERT OR IGNORE INTO deleted_notes VALUES (?, ?)", (note_id, now()))
            self._relink(note_id)

    def is_deleted(self, note_id: int) -> bool:
        return self._one("SELECT 1 FROM deleted_notes WHERE note_id = ?", note_id) is not None

    def restore(self, url: str) -> int | None:
        """Undo a deletion for `run --restore URL`: the URL is read afresh (no validators, no
        content hash) and its note made again. The id of the note, if it was deleted."""
        record = self.note_for_url(url)
        if record is None or not self.is_deleted(record.id):
            return None
        with self.transaction():
            self.db.execute("DELETE FROM deleted_notes WHERE note_id = ?", (record.id,))
            self.db.execute("UPDATE fetches SET etag = NULL, last_modified = NULL, "
                            "content_hash = NULL WHERE note_id = ?", (record.id,))
        return record.id

    def _relink(self, note_id: int) -> None:
        """The topic notes and digests that list a note are rewritten at the end of the run."""
        keys = [row[0] for row in self._all("SELECT topic FROM mentions WHERE note_id = ?",
                                            note_id)]
        self.mark_topics_dirty(Topic(name, category) for category, _, name
                               in (key.partition("/") for key in keys))
        self.db.execute("UPDATE digests SET dirty = 1 WHERE day IN "
                        "(SELECT day FROM digest_entries WHERE note_id = ?)", (note_id,))

    def add_url(self, url: str, note_id: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO note_urls VALUES (?, ?)", (url, note_id))

    def urls_of(self, note_id: int) -> list[str]:
        return [r[0] for r in self._all("SELECT url FROM note_urls WHERE note_id = ? "
                                        "ORDER BY url", note_id)]

    def fingerprint_of(self, note_id: int) -> list[int]:
        return [r[0] for r in self._all("SELECT hash FROM fingerprints WHERE note_id = ?",
                                        note_id)]

    def similar_notes(self, fingerprint: list[int], limit: int = 5) -> list[tuple[int, int, int]]:
        """(note id, shared fingerprint hashes, that note's fingerprint size), best first."""
        if not fingerprint:
            return []
        marks = ",".join("?" * len(fingerprint))
        return self._all(
            f"SELECT f.note_id, COUNT(*), n.fingerprint_size FROM fingerprints f "
            f"JOIN notes n ON n.id = f.note_id WHERE f.hash IN ({marks}) "
            f"GROUP BY f.note_id ORDER BY COUNT(*) DESC LIMIT ?",
            *fingerprint, limit,
        )

    # failures and runs ---------------------------------------------------------------------

    def robots_txt(self, origin: str) -> str | None:
        """The site's robots.txt as read within the last ROBOTS_TXT_HOURS, else None."""
        read_since = (datetime.now(UTC) - timedelta(hours=ROBOTS_TXT_HOURS)).isoformat(
            timespec="seconds")
        row = self._one("SELECT body FROM robots WHERE origin = ? AND read >= ?", origin,
                        read_since)
        return row[0] if row else None

    def remember_robots_txt(self, origin: str, text: str) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO robots VALUES (?, ?, ?)",
                            (origin, text, now()))

    def record_failure(self, location: str, origin: str, reason: str) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO failures VALUES (?, ?, ?, ?)",
                            (location, origin, reason, now()))

    def clear_failure(self, location: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM failures WHERE location = ?", (location,))

    def failures(self) -> list[tuple[str, str, str, str]]:
        return self._all("SELECT location, origin, reason, at FROM failures ORDER BY at")

    def start_run(self) -> int:
        with self.lock:
            return self.db.execute("INSERT INTO runs (started) VALUES (?)", (now(),)).lastrowid

    def finish_run(self, run_id: int, counts: dict[str, int]) -> None:
        with self.lock:
            self.db.execute("UPDATE runs SET finished = ?, counts = ? WHERE id = ?",
                            (now(), json.dumps(counts), run_id))

    def record_failed_source(self, source: Source) -> None:
        """Remember how to read a failed item again, for `gleaner run --retry-failed`."""
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO failed_sources VALUES (?, ?)",
                            (source.location, json.dumps(asdict(source))))

    def failed_sources(self) -> list[Source]:
        rows = self._all("SELECT s.source FROM failures f JOIN failed_sources s "
                         "ON s.location = f.location ORDER BY f.at")
        return [Source(**json.loads(row[0])) for row in rows]
