"""Papers: a PDF, from a URL or a file, or an arXiv paper (its abstract page, then its
PDF), read into an Article with its authors, affiliations and abstract.

Entry points: `paper_article` (paper.py), `FullTexts`, `paper_entry`, `paper_source`
(full_texts.py), `arxiv_id`, `abs_url` (arxiv.py). docs/PAPERS.md has the design.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "FullTexts": "full_texts",
    "REFERENCE": "arxiv",
    "abs_url": "arxiv",
    "arxiv_id": "arxiv",
    "paper_article": "paper",
    "paper_entry": "full_texts",
    "paper_source": "full_texts",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
