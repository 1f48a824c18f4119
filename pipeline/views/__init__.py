"""What the vault shows beyond article notes: topic notes, daily and weekly digests, the
Obsidian base, trends and the report page.

Entry points: `write_views` (view_notes.py: everything a run rewrites after its
articles), `write_topic_note`, `in_vault_names` (topic_notes.py), `list_topics`,
`merge_topics` (topic_admin.py), `vault_trends`, `trends_table` (trends.py),
`write_report` (report_page.py). docs/TEMPLATES.md has the notes' layouts.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "in_vault_names": "topic_notes",
    "list_topics": "topic_admin",
    "merge_topics": "topic_admin",
    "trends_table": "trends",
    "vault_trends": "trends",
    "write_report": "report_page",
    "write_views": "view_notes",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
