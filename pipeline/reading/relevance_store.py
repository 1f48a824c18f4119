"""The state's memory of relevance (table `relevance` in state/store.py's schema): each note's
features and score when it was written, the relevance and `already_read` a person set on it,
and the stamp (mtime and size) of the file when those were last looked at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..state import NoteRecord, State


@dataclass(frozen=True)
class RelevanceRow:
    """A note as learning sees it. `features` and `scored` are None for notes written before
    they were kept; `rating` and `read` are the person's values as of `stamp`; `mentions`
    counts its topics' mentions by topic key (`Category/Name`)."""

    note: NoteRecord
    features: dict[str, Any] | None
    scored: dict[str, Any] | None
    rating: int | None
    read: bool
    stamp: str | None
    mentions: dict[str, int]


def file_stamp(path: Path) -> str | None:
    """Changes whenever the file does; None when there is no file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def save_relevance(state: State, note_id: int, features: dict, scored: dict,
                   stamp: str | None) -> None:
    """What a note was scored on and what it scored, and the stamp of the file as written
    (whose person-owned values were read at start-up). Call inside the note's transaction."""
    state.db.execute(
        "INSERT INTO relevance (note_id, features, scored, stamp) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(note_id) DO UPDATE SET features = excluded.features, "
        "scored = excluded.scored, stamp = excluded.stamp",
        (note_id, json.dumps(features), json.dumps(scored), stamp))


def relevance_rows(state: State) -> list[RelevanceRow]:
    with state.lock:
        rows = state.db.execute(
            "SELECT n.id, n.url, n.path, n.title, n.published, n.text_length, n.owned, "
            "r.features, r.scored, r.rating, COALESCE(r.read, 0), r.stamp, "
            "(SELECT json_group_object(m.topic, m.count) FROM mentions m "
            "WHERE m.note_id = n.id) "
            "FROM notes n LEFT JOIN relevance r ON r.note_id = n.id ORDER BY n.id").fetchall()
    return [RelevanceRow(NoteRecord(*row[:6], json.loads(row[6])),
                         *(json.loads(v) if v else None for v in row[7:9]), row[9],
                         bool(row[10]), row[11], json.loads(row[12])) for row in rows]


def written_score(state: State, note_id: int) -> dict[str, Any] | None:
    """What the note scored when Gleaner last wrote it (Scored.to_json), if it was kept."""
    with state.lock:
        row = state.db.execute("SELECT scored FROM relevance WHERE note_id = ?",
                               (note_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def remember_ratings(state: State, seen: dict[int, tuple[int | None, bool, str | None]]
                     ) -> None:
    """Per note: the relevance a person set (None: none), whether they read it, and the
    stamp of the file those were read from. A note is read again only once its file
    changes, and a rating stays evidence even after a later score happens to equal it."""
    with state.transaction():
        state.db.executemany(
            "INSERT INTO relevance (note_id, rating, read, stamp) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(note_id) DO UPDATE SET rating = excluded.rating, "
            "read = excluded.read, stamp = excluded.stamp",
            ((note_id, rating, int(read), stamp)
             for note_id, (rating, read, stamp) in seen.items()))
