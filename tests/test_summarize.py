"""The extractive summary: clean sentences of the article's prose, chosen well, in its order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from pipeline.config import SummaryConfig
from pipeline.extract.text import markdown_blocks
from pipeline.nlp.analyze import Analyzer
from pipeline.records import Analysis, Article
from pipeline.summaries.summarize import ExtractiveSummarizer

from .conftest import AI_PARAGRAPHS

REFERENCES = Path(__file__).parent / "data" / "summaries" / "references.jsonl"
WEEKNOTES = """\
This week I shipped a new version of Datasette, the open source tool for exploring and \
publishing data, with a rewritten JSON API that plugins can build on.

## The new JSON API

The JSON API now returns rows as objects, with extra keys requested through a new \
parameter. Datasette plugins can add their own extra keys to the JSON API output. \
It took three months of work on a long-running branch before the API felt stable enough.

These are the features the rewritten JSON API brings to every Datasette plugin author:

- Datasette plugins can now register custom extras for the JSON API in a single hook.
- Every extra in the JSON API is documented automatically for Datasette plugin authors.

| Datasette version | JSON API change for plugins |
|---|---|
| Datasette 1.0a2 | The JSON API returns rows as objects for every plugin |

```python
datasette.client.get("/db/table.json?_extra=count")  # the JSON API from a Datasette plugin
```

`Willison et al., "The Datasette JSON API for plugins", Datasette Blog, 2023.`

## Releases this week

Datasette 1.0a2 ships the JSON API for plugins, as described on the releases page of Datasette.
"""


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def summary_of(analyzer: Analyzer, text: str, title: str = "Datasette's new JSON API",
               **config: object) -> tuple[str, Analysis]:
    article = Article(url="https://example.org/post", source_name="test", title=title,
                      text=text, description="The description.")
    analysis = analyzer.analyze(article)
    return ExtractiveSummarizer(SummaryConfig(**config)).summarize(article, analysis), analysis


def key_points(summary: str) -> list[str]:
    return [line.removeprefix("- ") for line in summary.splitlines()]


def news_article() -> dict:
    return json.loads(REFERENCES.read_text(encoding="utf-8").splitlines()[0])


def test_a_long_article_gets_the_configured_number_of_sentences(analyzer):
    row = news_article()
    summary, _ = summary_of(analyzer, row["text"], row["title"], sentences=4, style="bullets")
    assert len(key_points(summary)) == 4


def test_a_short_post_gets_two_sentences(analyzer):
    summary, analysis = summary_of(analyzer, "\n\n".join(AI_PARAGRAPHS), "A year of models",
                                   style="bullets")
    assert len(analysis.sentences) == 5
    assert len(key_points(summary)) == 2


def test_chosen_sentences_keep_the_articles_order(analyzer):
    row = news_article()
    summary, analysis = summary_of(analyzer, row["text"], row["title"], style="bullets")
    positions = [analysis.sentences.index(point) for point in key_points(summary)]
    assert positions == sorted(positions)


def test_bullets_give_one_whole_sentence_a_line(analyzer):
    row = news_article()
    summary, analysis = summary_of(analyzer, row["text"], row["title"], style="bullets")
    lines = summary.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("- ") for line in lines)
    assert all(point in analysis.sentences for point in key_points(summary))


def test_list_items_table_rows_code_and_citations_are_never_summary_text(analyzer):
    summary, _ = summary_of(analyzer, WEEKNOTES, sentences=10)
    assert summary != "The description."
    for excluded in ("register custom extras", "documented automatically", "returns rows as "
                     "objects for every plugin", "_extra=count", "Willison et al."):
        assert excluded not in summary


def test_a_sentence_of_a_release_section_weighs_less_than_the_same_words_elsewhere(analyzer):
    summary, _ = summary_of(analyzer, WEEKNOTES, sentences=3)
    assert "releases page" not in summary


def test_a_sentence_that_leans_on_the_one_before_comes_with_it(analyzer):
    opening, rest = WEEKNOTES.split("\n\n", 1)
    before = "Alex and I argued about the design over many weeks of calls."
    leaning = "It gives every Datasette plugin the new JSON API, with rows returned as objects."
    summary, _ = summary_of(analyzer, f"{opening}\n\n{before} {leaning}\n\n{rest}")
    assert leaning in summary
    assert before in summary


def test_a_sentence_that_leans_on_one_that_leans_again_is_left_out(analyzer):
    opening, rest = WEEKNOTES.split("\n\n", 1)
    chain = ("Alex and I argued about the design over many weeks of calls. That went on and "
             "on for a long while. It gives every Datasette plugin the new JSON API, with rows "
             "returned as objects.")
    summary, _ = summary_of(analyzer, f"{opening}\n\n{chain}\n\n{rest}")
    assert "It gives every Datasette plugin" not in summary


def test_a_paragraph_that_opens_by_leaning_on_nothing_is_never_chosen(analyzer):
    opening, rest = WEEKNOTES.split("\n\n", 1)
    leaning = "However, the JSON API of Datasette returns rows as objects for plugins now."
    summary, _ = summary_of(analyzer, f"{opening}\n\n{leaning}\n\n{rest}", sentences=10)
    assert leaning not in summary


def test_the_articles_first_sentence_may_lean_on_the_title(analyzer):
    leaning = "It is a new JSON API for Datasette plugins, with rows returned as objects."
    summary, _ = summary_of(analyzer, f"{leaning}\n\n{WEEKNOTES}", sentences=10)
    assert leaning in summary


def test_boilerplate_captions_and_credits_are_never_chosen(analyzer):
    noise = [
        "Click here to subscribe to our weekly newsletter about large language models today.",
        "*Fig. 3. The OpenAI offices where GPT-4o and Claude 3.5 Sonnet models were compared.*",
        "This article was originally published on Example Tech Blog about Claude 3.5 Sonnet.",
    ]
    summary, _ = summary_of(analyzer, "\n\n".join(noise + AI_PARAGRAPHS * 2), sentences=10)
    assert not any(n.strip("*") in summary for n in noise)


def test_half_a_quotation_is_not_chosen(analyzer):
    fragment = ("And of my 1,000 followers on the platform, five swiped away,” said a consultant "
                "who sells models.")
    summary, _ = summary_of(analyzer, "\n\n".join([fragment, *AI_PARAGRAPHS]), sentences=10)
    assert fragment not in summary


def test_a_near_duplicate_sentence_is_not_chosen_twice(analyzer):
    repeat = AI_PARAGRAPHS[0].replace("later", "afterwards")
    text = "\n\n".join([AI_PARAGRAPHS[0], repeat, *AI_PARAGRAPHS[1:]] * 2)
    summary, _ = summary_of(analyzer, text, sentences=10)
    assert not (AI_PARAGRAPHS[0] in summary and repeat in summary)


def test_an_article_without_usable_sentences_gets_its_description(analyzer):
    summary, _ = summary_of(analyzer, "Too short.\n\nSubscribe now to read more of this great "
                            "newsletter!")
    assert summary == "The description."


def test_no_summary_of_the_news_references_holds_markdown_or_a_url(analyzer):
    debris = re.compile(r"\]\(|\*\*|`|https?://|www\.|^\s*[-*#]\s", re.MULTILINE)
    for line in REFERENCES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        summary, _ = summary_of(analyzer, row["text"], row["title"], style="bullets")
        assert not any(debris.search(point) for point in key_points(summary))


def test_it_beats_the_lead_of_the_same_length_on_the_hand_written_references(analyzer):
    scorer = rouge_scorer.RougeScorer(["rouge2", "rougeL"], use_stemmer=True)
    ours = lead = 0.0
    for line in REFERENCES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        summary, analysis = summary_of(analyzer, row["text"], row["title"])
        first_words = " ".join(" ".join(analysis.sentences).split()[:len(summary.split())])
        ours += sum(s.fmeasure for s in scorer.score(row["summary"], summary).values())
        lead += sum(s.fmeasure for s in scorer.score(row["summary"], first_words).values())
    assert ours > lead


PROSE = [*AI_PARAGRAPHS[:2], *AI_PARAGRAPHS[3:],
         "Datasette plugins can now add their own keys to the JSON API output.",
         "Mistral released a mixture of experts model with open weights this week."]
MARKUP = {
    "paragraph": "{}",
    "linked": "Read [the {}](https://example.org/a) and more.",
    "item": "- {}",
    "numbered": "1. {}",
    "row": "| {} | 84% |",
    "heading": "## {}",
    "quote": "> {}",
    "code": "`{}`",
    "emphasis": "*{}*",
}


@seed(23)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(sorted(MARKUP)), st.sampled_from(PROSE)),
                min_size=1, max_size=12))
def test_every_key_point_is_one_clean_sentence_of_the_articles_prose(analyzer, pieces):
    markdown = "\n\n".join(MARKUP[kind].format(text) for kind, text in pieces)
    summary, _ = summary_of(analyzer, markdown, style="bullets")
    prose = [b.text for b in markdown_blocks(markdown) if b.kind in ("paragraph", "quote")]
    for point in key_points(summary):
        assert point == "The description." or any(point in text for text in prose)
        assert not re.search(r"[\[\]|`*#]|https?://|^\d+\.\s", point)
