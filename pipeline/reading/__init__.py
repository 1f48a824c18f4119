"""What to read next: each note's relevance against the interest profile, learned from the
person's ratings, and the reading queue.

Entry points: `RelevanceScorer`, `held_back` (scoring.py), `make_queue`, `queue_table`,
`read_priority`, `reading_minutes` (queue.py), `explain_note` (explain.py).
docs/RELEVANCE.md has the method and its figures.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "RelevanceScorer": "scoring",
    "Scored": "relevance",
    "explain_note": "explain",
    "held_back": "scoring",
    "make_queue": "queue",
    "queue_table": "queue",
    "read_priority": "queue",
    "reading_minutes": "queue",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
