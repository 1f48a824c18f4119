"""The tagger on research-style posts (sentences written for these tests): formulas, anchors,
names introduced with a citation or as a method, size words and example lists."""

from __future__ import annotations

import pytest

from pipeline.extract import prose_words
from pipeline.nlp.acronyms import cited_names, defined_terms
from pipeline.nlp.analyze import Analyzer
from pipeline.nlp.gazetteer import Gazetteer, Span
from pipeline.nlp.organizations import StatisticalOrgs
from pipeline.records import Topic

from .tagging_topics import topics


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def test_tex_math_inline_or_displayed_names_no_model(analyzer):
    text = ("The pretext loss is $$\\sum_{k=1}^4 \\phi(x_k)$$ over the four crops.\n\n"
            "$$\n\\mathcal{L} = \\max(0, m - \\sum_{j=1}^4 \\phi(y_j))\n$$\n\n"
            "We compare it with BERT.")
    assert topics(analyzer, text, "Model") == {"BERT"}


def test_words_of_html_tags_template_tags_and_math_are_no_prose():
    words = prose_words('<a name="zorblet" />some text {% cite quaffle %} and $$\\grommet x$$.')
    assert words == {"some", "text", "and"}


def test_a_model_name_used_as_an_anchor_still_reads_as_a_name(analyzer):
    text = ('<a name="ctrl" />\n\nIn our runs the replies CTRL wrote were the longest, '
            "and [the CTRL section](#ctrl) explains why.")
    assert topics(analyzer, text, "Model") == {"CTRL"}


def test_names_introduced_with_a_citation():
    text = ("Then Patch Mixer (Okafor et al., 2021) shuffles tokens, and Grid Nets (Lund & "
            "Aho, 2019) do the rest; OpenAI (the lab) said nothing.")
    assert cited_names(text) == {"Then Patch Mixer", "Patch Mixer", "Mixer", "Grid Nets",
                                 "Nets"}


def test_a_name_cited_as_a_paper_is_no_organization_even_when_it_acts(analyzer):
    text = ("Image Mixer (Okafor et al., 2021) shuffles patches.\n\n"
            "Image Mixer introduced a patch shuffle that others copied.")
    assert topics(analyzer, text, "Organization") == set()


def test_a_name_of_a_kind_of_method_is_a_defined_term():
    text = ("We train with the Quibble loss, prune with the Snipwell algorithm, and Dovetail "
            "is a simple contrastive method. Blorp is a language model trained on a corpus.")
    assert defined_terms(text, frozenset()) == {"Quibble", "Snipwell", "Dovetail"}


def test_a_name_of_a_kind_of_method_is_no_model_anywhere(analyzer):
    text = ("We prune with the Snipwell algorithm first. Later we compare Snipwell, "
            "Mistral 7B and GPT-4 on the same prompts.")
    assert topics(analyzer, text, "Model") == {"Mistral 7B", "GPT-4"}


def test_base_is_the_size_of_a_model_named_without_a_version(analyzer):
    text = "We fine-tuned RoBERTa-base and BERT-base; Idefics2-base stayed frozen."
    assert topics(analyzer, text, "Model") == {"RoBERTa-base", "BERT-base", "Idefics2"}


def test_a_name_given_as_an_example_of_models_is_a_model(analyzer):
    text = "Diffusion now beats strong generative models (e.g. ZentroGAN) on image quality."
    assert topics(analyzer, text, "Model") == {"ZentroGAN"}


def test_a_name_that_starts_an_article_model_is_no_organization():
    gazetteer = Gazetteer([Topic("Falcon", "Model")])
    orgs = StatisticalOrgs(gazetteer, frozenset(), models=frozenset({"Heron Swift 9B"}))
    text = "Heron Swift introduced a longer context; Blue Heron Labs introduced it."
    orgs.read(text, [Span("ORG", 0, 11), Span("ORG", 41, 56)], [])
    assert set(orgs.proven()) == {Topic("Blue Heron Labs", "Organization")}


def test_the_maker_of_a_dataset_or_a_paper_is_an_organization(analyzer):
    text = ("They trained on a set of datasets for reading comprehension by Facebook, while "
            "the demo was served by Discord.")
    assert topics(analyzer, text, "Organization") == {"Meta"}
