"""What the tagger finds in a sentence written for a test: shared by the tagging tests."""

from __future__ import annotations

from pipeline.nlp.analyze import Analyzer
from pipeline.records import Article


def topics(analyzer: Analyzer, text: str, category: str) -> set[str]:
    article = Article(url="https://example.invalid/post", source_name="test", title="Notes",
                      text=text)
    return {t.name for t in analyzer.analyze(article).topics if t.category == category}
