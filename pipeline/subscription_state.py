"""The state file's tables for `gleaner ingest`: what each subscription has given, and the
daily digests. State (pipeline/state.py) is built on this class, which also holds the
connection helpers both use."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from .records import Validators


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SubscriptionState:
    """Queries over the feeds, seen_items, digests and digest_entries tables; State opens
    the connection (`db`) and its lock."""

    db: sqlite3.Connection
    lock: threading.RLock

    def _one(self, sql: str, *args: Any) -> tuple | None:
        with self.lock:
            return self.db.execute(sql, args).fetchone()

    def _all(self, sql: str, *args: Any) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    # subscriptions (feeds and mailboxes) ---------------------------------------------------

    def feed_validators(self, url: str) -> Validators | None:
        row = self._one("SELECT etag, last_modified FROM feeds WHERE url = ?", url)
        return Validators(*row) if row and (row[0] or row[1]) else None

    def save_feed_validators(self, url: str, validators: Validators) -> None:
        """Call only once every item of that poll was processed: a 304 then means "done"."""
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)",
                            (url, validators.etag, validators.last_modified))

    def is_seen(self, subscription: str, item: str) -> bool:
        return self._one("SELECT 1 FROM seen_items WHERE subscription = ? AND item = ?",
                         subscription, item) is not None

    def mark_seen(self, subscription: str, item: str) -> None:
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO seen_items VALUES (?, ?, ?)",
                            (subscription, item, now()))

    # digests -------------------------------------------------------------------------------

    def add_to_digest(self, day: str, note_id: int, origin: str) -> None:
        """List a new note in the day's digest. Call inside the note's transaction."""
        self.db.execute("INSERT OR IGNORE INTO digest_entries VALUES (?, ?, ?)",
                        (day, note_id, origin))
        self.db.execute("INSERT INTO digests (day) VALUES (?) ON CONFLICT(day) "
                        "DO UPDATE SET dirty = 1", (day,))

    def dirty_digests(self) -> list[tuple[str, str | None]]:
        """(day, path written before or None) of every digest that must be (re)written."""
        return self._all("SELECT day, path FROM digests WHERE dirty = 1 ORDER BY day")

    def digest_notes(self, day: str) -> list[tuple[str, str, str]]:
        """(origin, path, title) of the day's new notes, in the order they were written."""
        return self._all("SELECT d.origin, n.path, n.title FROM digest_entries d "
                         "JOIN notes n ON n.id = d.note_id WHERE d.day = ? AND n.id NOT IN "
                         "(SELECT note_id FROM deleted_notes) ORDER BY d.rowid", day)

    def set_digest_path(self, day: str, path: str) -> None:
        """Remembered before the file is written, so a rerun rewrites that file, not a new one."""
        with self.lock:
            self.db.execute("UPDATE digests SET path = ? WHERE day = ?", (path, day))

    def digest_written(self, day: str) -> None:
        with self.lock:
            self.db.execute("UPDATE digests SET dirty = 0 WHERE day = ?", (day,))
