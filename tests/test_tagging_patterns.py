"""The tagger on the patterns real AI posts are full of (sentences written for these tests):
what is and is not an organization, models in every form, one topic per model."""

from __future__ import annotations

import pytest

from pipeline.nlp.acronyms import defined_terms
from pipeline.nlp.analyze import Analyzer
from pipeline.nlp.gazetteer import normalize

from .tagging_topics import topics


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


@pytest.mark.parametrize(("kind", "sentence", "name"), [
    ("language", "The team behind the viewer rewrote it in JavaScript, and JavaScript "
                 "announced nothing, as languages do.", "JavaScript"),
    ("protocol", "Every client talks to the server over WebSocket; WebSocket keeps one "
                 "connection open per tab.", "WebSocket"),
    ("package index", "Version 2 went up on PyPI last night, so PyPI users get it with pip.",
     "PyPI"),
    ("cloud product", "They serve the model through Amazon Bedrock, and Bedrock bills "
                      "per token.", "Bedrock"),
    ("model", "Researchers at the lab compared answers from Claude 3.5 Haiku with the "
              "earlier model.", "Claude 3.5 Haiku"),
])
def test_a_language_protocol_index_product_or_model_is_never_an_organization(
        analyzer, kind, sentence, name):
    assert name not in topics(analyzer, sentence, "Organization"), kind


def test_an_unknown_name_is_an_organization_when_its_context_proves_it(analyzer):
    text = ("Vexel Dynamics, a startup in Lisbon, trained the model. Engineers at "
            "Vexel Dynamics say the next one is bigger.")
    assert "Vexel Dynamics" in topics(analyzer, text, "Organization")


@pytest.mark.parametrize(("on_it", "acting", "name"), [
    ("I posted the slides in a thread on Twitter and on YouTube.",
     "Twitter laid off most of its trust and safety staff that week.", "Twitter"),
    ("I host the slides on Netlify, next to the demo.",
     "The maintainer's time this spring is funded by Netlify, which is generous.", "Netlify"),
])
def test_a_platform_is_an_organization_only_when_it_acts_as_one(analyzer, on_it, acting, name):
    assert topics(analyzer, on_it, "Organization") == set()
    assert name in topics(analyzer, acting, "Organization")


def test_shorthand_once_the_family_is_named_resolves_to_the_full_model(analyzer):
    text = "Anthropic updated Claude this week. In my tests Haiku 3.5 answered faster."
    assert "Claude 3.5 Haiku" in topics(analyzer, text, "Model")


def test_family_words_after_the_family_resolve_to_its_models(analyzer):
    text = "Amazon Nova arrived at the conference. Nova Lite is cheap; Nova Pro reads images."
    assert {"Amazon Nova Lite", "Amazon Nova Pro"} <= topics(analyzer, text, "Model")


def test_variants_listed_after_a_model_are_its_siblings(analyzer):
    text = "Google shipped three Gemini 1.5 models: Pro, Flash and Flash-8B, all multimodal."
    found = topics(analyzer, text, "Model")
    assert {"Gemini 1.5 Pro", "Gemini 1.5 Flash"} <= found
    assert any(name.replace("-", " ") == "Gemini 1.5 Flash 8B" for name in found)
    assert "Flash" not in found and "Pro" not in found


@pytest.mark.parametrize(("api_id", "model"), [
    ("claude-3-haiku-20240307", "Claude 3 Haiku"),
    ("gpt-4o-2024-08-06", "GPT-4o"),
    ("claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet"),
])
def test_an_api_id_or_dated_snapshot_maps_to_its_model(analyzer, api_id, model):
    text = f"The script calls `{api_id}` through the API and logs every answer."
    assert model in topics(analyzer, text, "Model")


def test_a_model_named_with_its_size_is_a_model_the_gazetteer_need_not_know(analyzer):
    text = "We compared Quokka-13B with two older chat models on the same prompts."
    assert "Quokka-13B" in topics(analyzer, text, "Model")


def test_a_family_the_article_has_shown_names_its_bare_mentions(analyzer):
    text = ("The team released Quokka-13B in May. Quokka answers in full sentences, and "
            "Quokka keeps to the facts it was given.")
    assert {"Quokka-13B", "Quokka"} <= topics(analyzer, text, "Model")


def test_an_ordinary_word_before_a_size_is_no_model(analyzer):
    text = "Powerful 8B models now run on a laptop, the vendor said."
    assert topics(analyzer, text, "Model") == set()


def test_a_shorthand_and_its_full_name_are_one_topic(analyzer):
    text = "Gemini 1.5 Pro reads the whole book. Gemini Pro then answers every question."
    assert topics(analyzer, text, "Model") == {"Gemini 1.5 Pro"}


def test_a_model_file_name_is_not_a_new_model(analyzer):
    text = "Download llama-2-7b-chat.ggmlv3.q8_0.bin and point the tool at it."
    assert "llama-2-7b-chat.ggmlv3.q8_0.bin" not in topics(analyzer, text, "Model")


@pytest.mark.parametrize(("written", "model"), [
    ("Mistral-7B-v0.1", "Mistral 7B"),
    ("Mixtral-8x7B-Instruct-v0.1", "Mixtral 8x7B"),
    ("Llama 3 8B Instruct", "Llama 3 8B"),
    ("Llama-2-13b-chat", "Llama 2 13B"),
])
def test_a_release_name_with_a_tuning_or_a_release_tag_is_its_model(analyzer, written, model):
    text = f"For the demo we loaded {written} on one GPU and asked it ten questions."
    assert {normalize(n) for n in topics(analyzer, text, "Model")} == {normalize(model)}


def test_a_tuning_word_after_a_model_is_no_sibling_model(analyzer):
    text = "- Llama 3 8B: Instruct tuned version of the base model, for chat."
    assert topics(analyzer, text, "Model") == {"Llama 3 8B"}


def test_a_new_size_of_a_known_model_keeps_the_known_spelling(analyzer):
    text = "The cheapest option was Gemini Flash 1.5 8B, which we ran on every image."
    found = {normalize(name) for name in topics(analyzer, text, "Model")}
    assert found == {normalize("Gemini 1.5 Flash-8B")}


def test_a_family_first_release_named_with_version_one_is_the_family(analyzer):
    text = "Compared with LLaMA v1, the second release doubled the context."
    assert topics(analyzer, text, "Model") == {"Llama"}


def test_the_unsized_parent_of_sized_releases_is_a_known_model(analyzer):
    text = "We ran Aya Expanse on the translation prompts; it kept the tone of each one."
    assert "Aya Expanse" in topics(analyzer, text, "Model")


def test_a_distinctive_name_described_as_a_model_is_a_model(analyzer):
    text = ("- Quillfeather: the small model trained on poems.\n"
            "- Our viewer also handles models like Brindlecat, when they ship weights.")
    assert {"Quillfeather", "Brindlecat"} <= topics(analyzer, text, "Model")


def test_an_author_cited_with_et_al_is_neither_model_nor_organization(analyzer):
    text = "Reward learning from feedback goes back a while (Yi et al., 2019; Meta et al.)."
    article_topics = topics(analyzer, text, "Model") | topics(analyzer, text, "Organization")
    assert "Yi" not in article_topics and "Meta" not in article_topics


def test_publishers_in_a_references_section_are_no_organizations(analyzer):
    text = ("OpenAI trained the model on public text.\n\n## References\n\n"
            '[1] A. Writer. "Learning things." IEEE Transactions on Learning 4 (2018).')
    assert topics(analyzer, text, "Organization") == {"OpenAI"}


def test_a_maker_with_a_model_number_names_its_product(analyzer):
    text = "My first computer ran on a Motorola 68000, long before phones had chips like it."
    assert "Motorola" not in topics(analyzer, text, "Organization")


def test_an_organization_named_by_an_ordinary_word_needs_its_context(analyzer):
    just_a_word = "You can replicate the run with Replicate-style settings at home."
    acting = "Replicate raised a new round to host more open models."
    assert "Replicate" not in topics(analyzer, just_a_word, "Organization")
    assert "Replicate" in topics(analyzer, acting, "Organization")


def test_a_name_styled_with_a_dot_is_the_known_organization(analyzer):
    text = "The bilingual model was released by Zhipu.AI with open weights."
    assert "Zhipu AI" in topics(analyzer, text, "Organization")


def test_a_university_of_the_reference_lists_is_a_known_organization(analyzer):
    text = "Two students at Carnegie Mellon University wrote the evaluation harness."
    assert "Carnegie Mellon University" in topics(analyzer, text, "Organization")


def test_the_organization_in_parentheses_after_a_person_is_their_affiliation(analyzer):
    text = ("The panel, organized by Quorvane, had Dana Whitlock (Brightmoss Analytics) and "
            "Lee Ortiz (Tallpine Systems) on it.")
    assert {"Quorvane", "Brightmoss Analytics", "Tallpine Systems"} <= topics(
        analyzer, text, "Organization")


def test_an_architecture_a_model_library_implements_is_a_model(analyzer):
    text = ("For the retrieval baseline we fine-tuned XLNet, and the image side uses a frozen "
            "SigLIP encoder, as LLaVA-NeXT does.")
    assert {"XLNet", "SigLIP", "LLaVA-NeXT"} <= topics(analyzer, text, "Model")


def test_a_plain_word_a_library_names_a_model_after_stays_a_word(analyzer):
    text = "The Perceiver of the scene is a camera; XLNet wrote each caption."
    assert topics(analyzer, text, "Model") == {"XLNet"}


def test_a_family_word_that_is_also_an_ordinary_word_starts_a_sized_name(analyzer):
    text = "We compared Falcon Mamba 7B with a transformer of the same size."
    assert topics(analyzer, text, "Model") == {"Falcon Mamba 7B"}


def test_a_size_word_after_a_versioned_model_names_that_size(analyzer):
    text = ("We sampled from GPT-2 Medium and GPT-2 XL, fine-tuned T5-XXL, and left the "
            "Falcon3-7B-Base checkpoint and siglip2-large-patch16-256 as they were.")
    assert topics(analyzer, text, "Model") == {"GPT-2 Medium", "GPT-2 XL", "T5-XXL",
                                               "Falcon3-7B", "SigLIP2"}


def test_an_acronym_the_article_spells_out_in_plain_words_is_no_model(analyzer):
    text = ("Masked Span Prediction (MSP) is the objective we use. The MSP model fills the "
            "gaps, and a GR-VAE (Goal-Regularized VAE; see the paper) plans ahead: GR-VAE "
            "researchers trained it on XLNet features.")
    assert topics(analyzer, text, "Model") == {"XLNet"}
    assert topics(analyzer, text, "Organization") == set()


def test_an_acronym_spelled_out_with_an_organizations_word_stays_possible():
    common = frozenset({"association", "for", "dialogue", "research", "masked", "span",
                        "prediction"})
    text = ("The Association for Dialogue Research (ADR) met. Masked Span Prediction (MSP) "
            "came up.")
    assert defined_terms(text, common) == {"MSP"}


def test_a_checkpoint_named_by_its_id_in_prose_is_a_model(analyzer):
    text = ("We embedded every note with acme-embedding-v3-small, then tried "
            "sentence-MiniLM-L12-v2 and a gtr-t5-base variant; the sqlite-utils-3 release "
            "and the report-2024-q3 tag name nothing.")
    assert topics(analyzer, text, "Model") == {"acme-embedding-v3-small",
                                               "sentence-MiniLM-L12-v2", "gtr-t5-base"}


def test_a_known_family_word_before_models_names_the_family(analyzer):
    text = "In our long-context tests, Falcon models held up better than we expected."
    assert topics(analyzer, text, "Model") == {"Falcon"}


def test_every_name_listed_as_an_example_of_a_kind_of_organization_is_one(analyzer):
    text = "Teams already trust hosting vendors such as AWS and Google Cloud with this."
    assert {"Amazon Web Services", "Google Cloud"} <= topics(analyzer, text, "Organization")
    assert topics(analyzer, "The demo runs on Google Cloud.", "Organization") == set()


def test_mit_in_a_table_of_licences_is_the_licence_not_the_institute(analyzer):
    licences = ("| Checkpoint | Licence |\n|---|---|\n| Phi-2 | MIT |\n"
                "| Mistral 7B | Apache 2.0 |\n")
    labs = "| Lab | City |\n|---|---|\n| MIT | Cambridge |\n"
    assert topics(analyzer, licences, "Organization") == set()
    assert topics(analyzer, labs, "Organization") == {"Massachusetts Institute of Technology"}


@pytest.mark.parametrize("text", [
    "Passages are ranked by Okapi25, a classic lexical scoring function. Okapi25 models "
    "are cheap, and XLNet reads the top ten.",
    "In print, CMYK models the colour of the inks, while XLNet writes the captions.",
    "We rendered every scene on the NVIDIA Omniverse platform and let XLNet caption it.",
])
def test_a_method_a_verb_or_a_product_of_a_kind_is_no_model(analyzer, text):
    assert topics(analyzer, text, "Model") == {"XLNet"}


def test_a_name_described_as_a_method_is_no_organization(analyzer):
    text = ("Passages are ranked by Okapi25, a classic lexical scoring function. The "
            "researchers at Okapi25 are, of course, a figure of speech.")
    assert topics(analyzer, text, "Organization") == set()


def test_a_word_hyphened_before_a_known_model_is_part_of_a_new_name(analyzer):
    text = ("We benchmarked Quickened-Whisper Large v3 against Meta-Llama-3-8B on the "
            "same clips.")
    assert topics(analyzer, text, "Model") == {"Quickened-Whisper Large v3", "Llama 3 8B"}


def test_a_vision_model_named_with_its_backbone_is_that_variant(analyzer):
    text = "The images go through CLIP ViT-L/14 first; Claude Monet painted the test set."
    assert topics(analyzer, text, "Model") == {"CLIP ViT-L/14"}


def test_a_name_described_as_a_model_in_parentheses_is_one(analyzer):
    text = "In August, Zorblat (a chat fine-tune of LLaMA) came out and did well."
    assert "Zorblat" in topics(analyzer, text, "Model")
