"""The state file's topic tables: which note mentions which topic how often, each topic's
established name, and the topic notes waiting to be rewritten. State (pipeline/state/store.py)
is built on this class.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..records import Topic
from .subscriptions import SubscriptionState

LIVE = "n.id NOT IN (SELECT note_id FROM deleted_notes)"


class TopicState(SubscriptionState):
    """Queries over the `mentions` and `topics` tables."""

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
    from ..nlp import normalize  # the gazetteer's patterns: not for a poll

    return f"{topic.category}/{normalize(topic.name)}"
