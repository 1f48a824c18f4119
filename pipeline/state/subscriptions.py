"""The state file's tables for `gleaner ingest`: what each subscription has given, how its
last polls went, and the daily digests. State (pipeline/state/store.py) is built on this class,
which also holds the connection helpers both use.

Polite polling lives here. A feed is not asked again before `not_before`:
- while it is fresh: its server's Cache-Control max-age (at most a day) has not run out;
- after failures in a row: one failure may be a blip and costs nothing, then the wait
  doubles from BACKOFF_START with each failure, up to a day, or is the server's own
  Retry-After if longer (also at most a day). A poll that works resets it.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..records import Validators
from ..report import now

BACKOFF_START = timedelta(minutes=30)  # the wait after the second failure in a row
LONGEST_WAIT = timedelta(days=1)


@dataclass(frozen=True)
class Check:
    """How one poll of a subscription went. `max_age`: how long the server said the feed
    stays fresh; `retry_after`: how long it asked not to be asked (seconds)."""

    subscription: str
    ok: bool
    status: str
    max_age: float | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Health:
    """A subscription's last poll as `gleaner subscriptions` shows it."""

    polled: str
    status: str
    failures: int
    not_before: str | None
    waiting: str | None
    items: int


def backoff(failures: int) -> timedelta:
    """The wait after `failures` failures in a row: none after the first, then doubling."""
    if failures < 2:
        return timedelta(0)
    return min(BACKOFF_START * 2 ** (failures - 2), LONGEST_WAIT)


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

    def not_before(self, subscription: str) -> str | None:
        """The time before which the subscription's feed is not to be asked, if later than
        now (ISO 8601, UTC)."""
        row = self._one("SELECT not_before FROM subscription_health WHERE subscription = ? "
                        "AND not_before > ?", subscription, now())
        return row[0] if row else None

    def record_check(self, check: Check) -> None:
        """Remember how a poll went, and from it when the feed may be asked again."""
        row = self._one("SELECT failures FROM subscription_health WHERE subscription = ?",
                        check.subscription)
        failures = 0 if check.ok else (row[0] if row else 0) + 1
        wait, waiting = _wait(check, failures)
        stamp = datetime.now(UTC)
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO subscription_health VALUES (?, ?, ?, ?, ?, ?)",
                (check.subscription, stamp.isoformat(timespec="seconds"), check.status,
                 failures, (stamp + wait).isoformat(timespec="seconds") if wait else None,
                 waiting))

    def health(self, subscription: str) -> Health | None:
        row = self._one("SELECT polled, status, failures, not_before, waiting FROM "
                        "subscription_health WHERE subscription = ?", subscription)
        items = self._one("SELECT count(*) FROM seen_items WHERE subscription = ?",
                          subscription)
        return Health(*row, items=items[0]) if row else None

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


def _wait(check: Check, failures: int) -> tuple[timedelta, str | None]:
    """How long the feed rests after this poll, and why."""
    if check.ok:
        if not check.max_age:
            return timedelta(0), None
        return min(timedelta(seconds=check.max_age), LONGEST_WAIT), \
            f"fresh (max-age {check.max_age:.0f} s)"
    wait = backoff(failures)
    reason = f"backing off after {failures} failures in a row" if wait else None
    if check.retry_after and timedelta(seconds=check.retry_after) > wait:
        wait = min(timedelta(seconds=check.retry_after), LONGEST_WAIT)
        reason = f"the server asked to wait {check.retry_after:.0f} s (Retry-After)"
    return wait, reason
