"""Obsidian Bases views of the vault: `Gleaner.base` at the root (reading queue, recently
added, by source, by topic), and in each topic note a table of its own articles.

People would rather look at their vault than read lists, and Bases (a core plugin) draws
live tables from the notes' frontmatter. The views are data files in pipeline/data/views/,
checked against schemas/base.schema.json by the tests. Both are written once and then
belong to the person (pipeline/vault/handover.py): a view they changed is never overwritten.
"""

from __future__ import annotations

from functools import cache

from ..errors import NoteError
from ..resources import data_path
from ..state import State
from ..vault import Vault, is_gleaners, remember_written

BASE_FILE = "Gleaner.base"
TOPIC_VIEW_SECTION = "Articles, newest first"


@cache
def vault_base() -> str:
    """The text of `Gleaner.base`."""
    return data_path("views/Gleaner.base").read_text(encoding="utf-8")


@cache
def topic_view() -> str:
    """The content of a topic note's view section: a `base` code block, in which `this` is
    the topic note, so one block serves every topic."""
    block = data_path("views/topic-articles.base").read_text(encoding="utf-8")
    return f"\n```base\n{block}```\n\n"


def write_vault_base(vault: Vault, state: State) -> bool:
    """Write `Gleaner.base` unless it is the person's now; True when the file was written."""
    try:
        current = vault.read(BASE_FILE)
    except NoteError:
        return False  # not even text: certainly not Gleaner's
    ours = vault_base()
    if not is_gleaners(state, BASE_FILE, current, ours):
        return False
    if current != ours:
        vault.write(BASE_FILE, ours)
    remember_written(state, BASE_FILE, ours)
    return current != ours


def topic_view_target(note_path: str) -> str:
    """The name under which the view of the topic note at `note_path` is remembered."""
    return f"{note_path}#{TOPIC_VIEW_SECTION}"
