"""Analysis: Article → Analysis, the AI models, organizations, concepts and tags an article
names.

Entry points: `Analyzer` (analyze.py, with gazetteer.py, names.py, organizations.py,
shorthand.py, acronyms.py, concepts.py, keyphrases.py), `Taxonomy` (tags.py) and
`normalize`, the key a topic is stored under (gazetteer.py). docs/TAGGING.md has the
method and its figures.
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Analyzer": "analyze",
    "Taxonomy": "tags",
    "normalize": "gazetteer",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
