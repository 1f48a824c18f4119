"""The run state in one SQLite file: what was fetched, which note holds which article,
text fingerprints for near-duplicates, topic mentions and per-item failures.

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

from .records import Source, Topic, Validators
from .subscription_state import SubscriptionState, now

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
-- view): a hash of the text it last wrote there (pipeline/handover.py)
CREATE TABLE IF NOT EXISTS handed_over (
    target TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL
);
-- each site's robots.txt as last read, kept a day (pipeline/etiquette.py)
CREATE TABLE IF NOT EXISTS robots (
    origin TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    read TEXT NOT NULL
);
-- what each note was scored on and scored, and the relevance a person set on it
-- (pipeline/relevance_store.py)
CREATE TABLE IF NOT EXISTS relevance (
    note_id INTEGER PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
    features TEXT,
    scored TEXT,
    rating INTEGER,
    read INTEGER NOT NULL DEFAULT 0,
    stamp TEXT
);
-- each subscription's last poll and health (pipeline/subscription_state.py): failures in a
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
LIVE = "n.id NOT IN (SELECT note_id FROM deleted_notes)"


@dataclass(frozen=True)
class NoteRecord:
    id: int
    url: str
    path: str
    title: str
    published: str | None
    text_length: int
    owned: dict[str, Any]


class State(SubscriptionState):
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

    # topics --------------------------------------------------------------------------------

    def set_mentions(self, note_id: int, counts: dict[str, int]) -> None:
        self.db.execute("DELETE FROM mentions WHERE note_id = ?", (note_id,))
        self.db.executemany("INSERT INTO mentions VALUES (?, ?, ?)",
                            ((note_id, key, n) for key, n in counts.items()))

    def established_topic(self, topic: Topic) -> Topic | None:
        """The vault's established name for this topic's key, if it has one yet."""
        row = self._one("SELECT name, category, organization, aliases FROM topics WHERE key = ?",
                        topic_key(topic))
        return Topic(row[0], row[1], tuple(json.loads(row[3])), row[2]) if row else None

    def remember_topic(self, topic: Topic) -> Topic:
        """The vault's established name for this topic's key, recorded on first sight."""
        established = self.established_topic(topic)
        if established:
            return established
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO topics VALUES (?, ?, ?, ?, ?, 0)",
                            (topic_key(topic), topic.name, topic.category, topic.organization,
                             json.dumps(list(topic.aliases))))
        return topic

    def mark_topics_dirty(self, topics: Iterable[Topic]) -> None:
        """Flag topics whose note must be rewritten; survives a crash until written."""
        self.db.executemany("UPDATE topics SET dirty = 1 WHERE key = ?",
                            ((topic_key(t),) for t in topics))

    def dirty_topics(self) -> list[Topic]:
        rows = self._all("SELECT name, category, organization, aliases FROM topics "
                         "WHERE dirty = 1 ORDER BY key")
        return [Topic(r[0], r[1], tuple(json.loads(r[3])), r[2]) for r in rows]

    def clear_dirty_topic(self, topic: Topic) -> None:
        with self.lock:
            self.db.execute("UPDATE topics SET dirty = 0 WHERE key = ?", (topic_key(topic),))

    def merge_topic(self, old: Topic, new: Topic, old_link: str, new_link: str) -> None:
        """Move every mention of `old` to `new` and forget `old`, as `gleaner topics merge` does.

        The links in what Gleaner last wrote are rewritten too, so the merged embeds are not
        mistaken for a person's edit on the next run.
        """
        with self.transaction():
            for note_id, owned in self.db.execute("SELECT id, owned FROM notes").fetchall():
                before = json.loads(owned)
                after = _replace_in(before, old_link, new_link)
                if after != before:
                    self.db.execute("UPDATE notes SET owned = ? WHERE id = ?",
                                    (json.dumps(after), note_id))
            self.db.execute(
                "INSERT INTO mentions (note_id, topic, count) SELECT note_id, ?, count "
                "FROM mentions WHERE topic = ? ON CONFLICT(note_id, topic) "
                "DO UPDATE SET count = count + excluded.count", (new.key, old.key))
            self.db.execute("DELETE FROM mentions WHERE topic = ?", (old.key,))
            self.db.execute("DELETE FROM topics WHERE key = ?", (topic_key(old),))

    def topic_articles(self, topic_key: str) -> list[tuple[str, str]]:
        """(path, title) of every note mentioning a topic, most mentions first."""
        return self._all(
            "SELECT n.path, n.title FROM mentions m JOIN notes n ON n.id = m.note_id "
            f"WHERE m.topic = ? AND {LIVE} ORDER BY m.count DESC, n.title", topic_key)

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


def _replace_in(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_in(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: _replace_in(v, old, new) for k, v in value.items()}
    return value


def topic_key(topic: Topic) -> str:
    """What a topic is stored under: two spellings of one name are one topic."""
    from .gazetteer import normalize  # the gazetteer's patterns: not for a poll

    return f"{topic.category}/{normalize(topic.name)}"
