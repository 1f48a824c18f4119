"""The vault on disk: notes laid out through their template and merged with what the
person changed, file names, frontmatter, and finding a note wherever it was moved.

Entry points: `Vault` (files.py), `render_note`, `load_template`, `with_pending`
(notes.py), `NoteIndex` (note_index.py), `read_frontmatter`, `render_frontmatter`,
`split_frontmatter` (frontmatter.py), `validate_vault` (validate.py), `merge_saved`
(saved_notes.py). docs/OWNERSHIP.md says what belongs to whom in a note.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Channels": "channels",
    "NoteIndex": "note_index",
    "NoteTemplate": "templates",
    "PREAMBLE": "sections",
    "STATE_DIR": "files",
    "SavedMarks": "saved_marks",
    "TOPICS_DIR": "files",
    "Vault": "files",
    "check_frontmatter": "validate",
    "is_gleaners": "handover",
    "join_sections": "sections",
    "link_label": "markup",
    "load_template": "notes",
    "marks_of": "saved_notes",
    "merge_saved": "saved_notes",
    "read_frontmatter": "frontmatter",
    "readable": "markup",
    "remember_written": "handover",
    "render_frontmatter": "frontmatter",
    "render_note": "notes",
    "safe_name": "files",
    "split_frontmatter": "frontmatter",
    "split_sections": "sections",
    "validate_vault": "validate",
    "with_pending": "notes",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
