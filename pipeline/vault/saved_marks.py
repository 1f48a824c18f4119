"""What an import has written into each note from the person's exports, once.

Tags, the save date, the read and favourite marks and the highlights of an export are the
person's from the moment they are in the note (docs/OWNERSHIP.md): a tag they delete must
not come back with the next import. So each is remembered here as a mark, per note, and an
import writes only what it has never written to that note before. The marks live in the
state file, beside the note records, and are committed after the note file is written: a
run killed in between writes nothing twice, because what is already in the note is not
written again either.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..state import State

Mark = tuple[str, str]  # (kind, value): ("tag", "ml"), ("saved", ""), ("highlight", hash)
SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_marks (
    note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (note_id, kind, value)
);
"""


class SavedMarks:
    """The marks of the state file's notes."""

    def __init__(self, state: State) -> None:
        self.state = state
        with state.lock:
            state.db.executescript(SCHEMA)

    def of(self, note_id: int) -> set[Mark]:
        with self.state.lock:
            rows = self.state.db.execute("SELECT kind, value FROM saved_marks "
                                         "WHERE note_id = ?", (note_id,)).fetchall()
        return {(kind, value) for kind, value in rows}

    def add(self, note_id: int, marks: Iterable[Mark]) -> None:
        with self.state.transaction():
            self.state.db.executemany("INSERT OR IGNORE INTO saved_marks VALUES (?, ?, ?)",
                                      ((note_id, kind, value) for kind, value in marks))
