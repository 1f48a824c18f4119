"""Text Gleaner writes once and then hands over to the person: `Gleaner.base` at the vault's
root, and the base view in each topic note.

A person tunes a view (another column, another sort) the way they edit a note, so the rule
is the notes' rule (docs/OWNERSHIP.md): the state remembers a hash of what Gleaner last wrote
at each target (table `handed_over`). A target that still holds that text is Gleaner's and
is refreshed when Gleaner's text changes; one that holds anything else is the person's and is
never written again; one the person deleted stays deleted. A target Gleaner has no record
of is written if it is absent, and adopted if it already holds exactly Gleaner's text (a
run killed between the write and the record, or a vault whose state file was deleted).
"""

from __future__ import annotations

import hashlib

from ..state import State


def is_gleaners(state: State, target: str, current: str | None, ours: str) -> bool:
    """Whether `target`, which now holds `current` (None: nothing), is Gleaner's to write."""
    with state.lock:
        row = state.db.execute("SELECT sha256 FROM handed_over WHERE target = ?",
                               (target,)).fetchone()
    if current is None:
        return row is None
    return current.strip() == ours.strip() or (row is not None and row[0] == _hash(current))


def remember_written(state: State, target: str, text: str) -> None:
    """Record what Gleaner wrote at `target`: its own text from now on, until changed."""
    with state.lock:
        state.db.execute("INSERT OR REPLACE INTO handed_over VALUES (?, ?)",
                         (target, _hash(text)))


def _hash(text: str) -> str:
    """Of the text without its surrounding blank lines, which editors add and remove."""
    return hashlib.sha256(text.strip().encode("utf-8", "surrogatepass")).hexdigest()
