"""Salience: what makes one sentence say more than another about what the article is about."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.nlp.analyze import Analyzer
from pipeline.records import Article
from pipeline.summaries.candidates import summary_candidates
from pipeline.summaries.sentence_rank import rank_sentences, sentence_terms

FILLER = ("The team wrote about their week in the usual blog post, with a few photos of the "
          "office and the new coffee machine.")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def scores(analyzer: Analyzer, title: str, paragraphs: list[str]) -> dict[str, float]:
    article = Article(url="https://example.org/p", source_name="test", title=title,
                      text="\n\n".join(paragraphs))
    analysis = analyzer.analyze(article)
    candidates = summary_candidates(article.text, analysis.sentences)
    ranking = rank_sentences(candidates, article, analysis)
    return {c.text: float(s) for c, s in zip(candidates, ranking.scores, strict=True)}


def test_a_sentence_in_the_titles_words_outranks_an_equal_one_in_other_words(analyzer):
    about_title = "Mistral released a mixture of experts model with open weights this week."
    other = "Several labs released small vision models with open weights this week."
    ranked = scores(analyzer, "Mistral's mixture of experts model", [FILLER, other, about_title])
    assert ranked[about_title] > ranked[other]


def test_a_sentence_naming_a_topic_of_the_analysis_outranks_one_naming_an_unknown(analyzer):
    paragraphs = [FILLER, "Zorblat 2 comes in three sizes, and its makers published a paper.",
                  "Llama 2 comes in three sizes, and its makers published a paper.",
                  "Zorblat 2 was trained on two trillion tokens of public data.",
                  "Llama 2 was trained on two trillion tokens of public data."]
    ranked = scores(analyzer, "A week of news", paragraphs)
    assert ranked[paragraphs[4]] > ranked[paragraphs[3]]


def test_the_same_sentence_ranks_higher_at_the_start_of_the_article(analyzer):
    sentence = "Datasette plugins can now add their own keys to the JSON API output."
    early = scores(analyzer, "Weeknotes", [sentence, FILLER, FILLER.replace("week", "month")])
    late = scores(analyzer, "Weeknotes", [FILLER, FILLER.replace("week", "month"), sentence])
    assert early[sentence] > late[sentence]


def test_similarity_to_the_chosen_is_one_for_a_repeat_and_zero_for_no_shared_word(analyzer):
    article = Article(url="https://example.org/p", source_name="test", title="T", text="\n\n".join([
        "Datasette plugins can now add their own keys to the JSON API output.",
        "Datasette plugins can now add their own keys to the JSON API output!",
        "Mistral released a mixture of experts model with open weights.",
        "The JSON API output of Datasette grew new keys for every plugin."]))
    analysis = analyzer.analyze(article)
    candidates = summary_candidates(article.text, analysis.sentences)
    similarity = rank_sentences(candidates, article, analysis).similarity([0])
    assert np.isclose(similarity[1], 1.0) and similarity[2] == 0.0 and 0 < similarity[3] < 1


def test_terms_are_content_words_and_pairs_with_plurals_singular():
    terms = sentence_terms("The models of OpenAI")
    assert ("model",) in terms and ("openai",) in terms and ("the", "model") in terms
    assert ("of",) not in terms and ("of", "the") not in terms
