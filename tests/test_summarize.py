"""The extractive summary: clean sentences of the article, chosen well, in its order."""

from __future__ import annotations

import json
from pathlib import Path

from rouge_score import rouge_scorer

from pipeline.analyze import Analyzer
from pipeline.config import SummaryConfig
from pipeline.records import Article
from pipeline.summarize import ExtractiveSummarizer

from .conftest import AI_PARAGRAPHS

REFERENCES = Path(__file__).parent / "data" / "summaries" / "references.jsonl"
ARTICLE = Article(url="https://example.org/a", source_name="test", title="A year of models",
                  text="\n\n".join(AI_PARAGRAPHS), description="What happened to models.")


def summarize(candidates: list[str], **config: object) -> str:
    return ExtractiveSummarizer(SummaryConfig(**config)).summarize(ARTICLE, candidates)


def test_the_summary_has_the_configured_number_of_sentences():
    summary = summarize(AI_PARAGRAPHS, sentences=2)
    assert sum(summary.count(p) for p in AI_PARAGRAPHS) == 2


def test_chosen_sentences_keep_the_articles_order():
    summary = summarize(AI_PARAGRAPHS, sentences=3)
    positions = [summary.index(p) for p in AI_PARAGRAPHS if p in summary]
    assert positions == sorted(positions)


def test_bullets_give_one_key_point_a_line():
    lines = summarize(AI_PARAGRAPHS, sentences=3, style="bullets").splitlines()
    assert len(lines) == 3
    assert all(line.startswith("- ") and line[2:] in AI_PARAGRAPHS for line in lines)


def test_boilerplate_and_captions_are_never_chosen():
    noise = [
        "Click here to subscribe to our weekly newsletter about large language models today.",
        "Photograph: Getty Images shows the OpenAI offices where GPT-4o was first released.",
        "This article was originally published on Example Tech Blog about Claude 3.5 Sonnet.",
    ]
    summary = summarize(noise + AI_PARAGRAPHS, sentences=5)
    assert not any(n in summary for n in noise)


def test_half_a_quotation_is_not_chosen():
    fragment = ("And of my 1,000 followers on the platform, five swiped away,” said a consultant "
                "who sells models.")
    summary = summarize([fragment, *AI_PARAGRAPHS], sentences=5)
    assert fragment not in summary


def test_a_near_duplicate_sentence_is_not_chosen_twice():
    repeat = AI_PARAGRAPHS[0].replace("later", "afterwards")
    summary = summarize([AI_PARAGRAPHS[0], repeat, *AI_PARAGRAPHS[1:]], sentences=3)
    assert not (AI_PARAGRAPHS[0] in summary and repeat in summary)


def test_an_article_without_usable_sentences_gets_its_description():
    assert summarize(["Too short.", "Subscribe now to read more of this great newsletter!"]) \
        == "What happened to models."


def test_it_beats_the_first_three_sentences_on_the_hand_written_references():
    analyzer = Analyzer.load()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    summarizer = ExtractiveSummarizer(SummaryConfig(sentences=3))

    def rouge(reference: str, summary: str) -> float:
        return sum(score.fmeasure for score in scorer.score(reference, summary).values())

    ours = lead = 0.0
    for line in REFERENCES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        article = Article(url="https://b.invalid/", source_name="b", title=row["title"],
                          text=row["text"])
        sentences = analyzer.analyze(article).sentences
        ours += rouge(row["summary"], summarizer.summarize(article, sentences))
        lead += rouge(row["summary"], " ".join(sentences[:3]))
    assert ours > lead
