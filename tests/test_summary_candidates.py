"""The sentences a summary may use, and what each weighs by where it sits in the article."""

from __future__ import annotations

import pytest

from pipeline.nlp.analyze import Analyzer
from pipeline.records import Article
from pipeline.summaries.candidates import Candidate, is_clean, summary_candidates

SECTIONS = """\
Datasette now has a JSON API that returns rows as objects, which plugins can extend.

## How the JSON API works

Plugins ask the JSON API for extra keys through a single new hook in Datasette.

> Plugins ask the JSON API for extra keys through a single new hook in Datasette, said Alex.

Plugins ask the [JSON API](https://docs.datasette.io/json) for [extra keys](https://x.org/e) \
through a [single new hook](https://x.org/h) in [Datasette](https://datasette.io).

## Releases this week

Plugins ask the JSON API for extra keys through a single new hook in Datasette 1.0a2.
"""


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def candidates_of(analyzer: Analyzer, markdown: str) -> list[Candidate]:
    article = Article(url="https://example.org/p", source_name="test", title="T", text=markdown)
    return summary_candidates(markdown, analyzer.analyze(article).sentences)


def weight_of(candidates: list[Candidate], start: str) -> float:
    return next(c.weight for c in candidates if c.text.startswith(start))


@pytest.mark.parametrize("sentence", [
    "See the docs](https://docs.example.org) for the whole list of the new options.",
    "Run `pip install llm` and then try the new plugin on your own machine today.",
    "The model is described at huggingface.co/tiiuae/falcon-40b in much more detail.",
    "The attention weights are $\\alpha_t = softmax(q k^T)$ for every position here.",
    "**Update:** the model now runs on a phone, which is a remarkable thing to see.",
    "- Falcon-40B is the best open model on the leaderboard at the moment, by far.",
    "Call fetch() on the window object and save the JSON that comes back to a file.",
])
def test_a_sentence_with_markdown_code_or_url_debris_is_not_clean(sentence):
    assert not is_clean(sentence)


@pytest.mark.parametrize("sentence", [
    "the model now runs on a phone, which is a remarkable thing to see for sure.",
    "The model now runs on a phone, which is a remarkable thing to see, and then",
    "Is this the model that now runs on a phone, which is a remarkable thing to see?",
    "Fig. 3. The attention weights of the model for every position in the sentence.",
])
def test_a_fragment_a_question_or_a_caption_is_not_clean(sentence):
    assert not is_clean(sentence)


def test_a_whole_plain_sentence_is_clean():
    assert is_clean("Meta released Llama 2 70B in July, under a licence that allows most "
                    "commercial use (with a few exceptions).")


def test_candidates_know_their_section_heading(analyzer):
    candidates = candidates_of(analyzer, SECTIONS)
    assert [c.heading for c in candidates] == [
        "", "How the JSON API works", "How the JSON API works", "How the JSON API works",
        "Releases this week"]


def test_a_quotation_weighs_less_than_the_same_words_in_the_authors_prose(analyzer):
    candidates = candidates_of(analyzer, SECTIONS)
    assert weight_of(candidates, "Plugins ask the JSON API for extra keys through a single "
                     "new hook in Datasette, said") < weight_of(candidates, "Plugins ask the")


def test_a_paragraph_made_of_links_weighs_less(analyzer):
    candidates = candidates_of(analyzer, SECTIONS)
    linked = candidates[3]
    assert linked.text.startswith("Plugins ask the JSON API for extra keys") and \
        linked.weight < candidates[1].weight


def test_a_release_section_weighs_less(analyzer):
    candidates = candidates_of(analyzer, SECTIONS)
    assert candidates[-1].weight < candidates[1].weight / 2


def test_a_sentence_knows_the_one_before_it_in_its_paragraph(analyzer):
    candidates = candidates_of(analyzer, "The JSON API is new in Datasette this month. It "
                               "returns rows as objects that plugins can extend with keys.")
    assert [c.previous for c in candidates] == [None, 0]


def test_a_bold_line_is_a_heading_and_an_italic_paragraph_a_caption(analyzer):
    markdown = ("Datasette now has a JSON API that returns rows as objects for plugins.\n\n"
                "**Releases this week**\n\n"
                "Datasette 1.0a2 ships the JSON API that returns rows as objects for plugins.\n\n"
                "*The JSON API that returns rows as objects, in a screenshot of Datasette.*")
    candidates = candidates_of(analyzer, markdown)
    assert [c.heading for c in candidates] == ["", "Releases this week"]


def test_a_transcript_line_weighs_less_and_an_editors_update_does_not(analyzer):
    candidates = candidates_of(analyzer, "\n\n".join([
        "Datasette now has a JSON API that returns rows as objects for plugins to extend.",
        "Peter: Datasette now has a JSON API that returns rows as objects for plugins.",
        "Update: Datasette now has a JSON API that returns rows as objects for plugins."]))
    plain, spoken, update = (c.weight for c in candidates)
    assert spoken < plain and update == plain
