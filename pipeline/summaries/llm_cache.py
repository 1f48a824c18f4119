"""Replies of the language model, kept in <vault>/.gleaner/llm-cache.sqlite.

A reply is stored under the SHA-256 of its whole request: the model, the rendered prompt
(which holds the article's text) and the settings. The same article, model and prompt never
cost a second request; a changed prompt or model asks again. The file is separate from the
vault's state so that deleting it only costs requests.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from ..errors import GleanerError

SCHEMA = """CREATE TABLE IF NOT EXISTS replies (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reply TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
)"""


class CacheError(GleanerError):
    """The reply cache could not be read or written."""


class ReplyCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def key(request: dict[str, Any]) -> str:
        canonical = json.dumps(request, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def get(self, key: str) -> str | None:
        row = self._run("SELECT reply FROM replies WHERE key = ?", (key,))
        return row[0] if row else None

    def put(self, key: str, model: str, reply: str) -> None:
        self._run("INSERT OR REPLACE INTO replies (key, model, reply) VALUES (?, ?, ?)",
                  (key, model, reply))

    def _run(self, sql: str, parameters: tuple[str, ...]) -> tuple[str, ...] | None:
        """One statement on a short-lived connection: a run holds no cache handle open."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
                db.execute(SCHEMA)
                return db.execute(sql, parameters).fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise CacheError(f"LLM reply cache {self.path}: {exc}") from exc
