"""Summaries: the article's own sentences by default, offline, or a language model's.

Entry points: `ExtractiveSummarizer` and `Summarizer` (summarize.py, with candidates.py and
sentence_rank.py) and `summarizer_for` (llm.py, with llm_cache.py).
docs/SUMMARIES.md has the method and its figures.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "ExtractiveSummarizer": "summarize",
    "Summarizer": "summarize",
    "summarizer_for": "llm",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
