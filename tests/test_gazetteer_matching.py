"""Finding models and organizations by name, with variants and unseen model names."""

from __future__ import annotations

import pytest

from pipeline.nlp.gazetteer import Gazetteer
from pipeline.records import Topic

ANTHROPIC = Topic("Anthropic", "Organization")
META = Topic("Meta", "Organization", aliases=("Meta AI",))
SONNET = Topic("Claude 3.5 Sonnet", "Model", aliases=("Sonnet 3.5",), organization="Anthropic")
DEEPSEEK_V3 = Topic("DeepSeek v3", "Model", organization="DeepSeek")
LLAMA = Topic("Llama", "Model", organization="Meta")
LLAMA_3 = Topic("Llama 3", "Model", organization="Meta")
FLASH = Topic("Gemini 2.0 Flash", "Model", organization="Google")
CLAUDE = Topic("Claude", "Model", organization="Anthropic")
DEEPSEEK = Topic("DeepSeek", "Organization")
DEEPSEEK_V2 = Topic("DeepSeek v2", "Model", organization="DeepSeek")
FALCON = Topic("Falcon 180B", "Model", organization="TII")
GPT_4O = Topic("GPT-4o", "Model", organization="OpenAI")


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer([ANTHROPIC, META, SONNET, DEEPSEEK_V3, LLAMA, LLAMA_3, GPT_4O, FLASH, CLAUDE,
                      DEEPSEEK, DEEPSEEK_V2, FALCON])


def names(gazetteer: Gazetteer, text: str) -> list[str]:
    return [m.topic.name for m in gazetteer.find(text)]


@pytest.mark.parametrize("text", ["DeepSeek-V3", "Deepseek V3", "deepseek v3", "DeepSeek_v3"])
def test_spelling_variants_are_one_entity(gazetteer, text):
    assert names(gazetteer, f"We tried {text} today.") == ["DeepSeek v3"]


def test_alias_maps_to_the_canonical_name(gazetteer):
    assert names(gazetteer, "Sonnet 3.5 is good at code.") == ["Claude 3.5 Sonnet"]


def test_run_together_spelling_matches(gazetteer):
    assert names(gazetteer, "GPT4o and GPT 4o are the same model.") == ["GPT-4o", "GPT-4o"]


def test_single_word_names_are_case_sensitive(gazetteer):
    assert names(gazetteer, "A meta-analysis of 40 studies.") == []
    assert names(gazetteer, "Meta released weights.") == ["Meta"]


def test_unseen_model_name_extends_a_known_family(gazetteer):
    [mention] = gazetteer.find("Llama 3.2 8B beat the larger model.")
    assert mention.topic == Topic("Llama 3.2 8B", "Model", organization="Meta")


def test_known_name_followed_by_size_becomes_a_specific_model(gazetteer):
    assert names(gazetteer, "Llama 3 70B runs on two GPUs.") == ["Llama 3 70B"]


def test_family_word_in_lowercase_is_not_a_model(gazetteer):
    assert names(gazetteer, "A llama walked in.") == []


def test_word_that_only_starts_a_model_name_is_not_a_family(gazetteer):
    assert names(gazetteer, "SpaceX launched a Falcon 9 rocket.") == []


def test_one_word_model_followed_by_a_capitalised_name_is_a_person(gazetteer):
    assert names(gazetteer, "Claude Monet painted; Claude wrote code.") == ["Claude"]


def test_word_order_variants_are_one_model(gazetteer):
    assert names(gazetteer, "Gemini Flash 2.0 and Claude Sonnet 3.5") == [
        "Gemini 2.0 Flash", "Claude 3.5 Sonnet"
    ]


def test_slashed_versions_name_each_version(gazetteer):
    assert names(gazetteer, "Deepseek v2/2.5/3 led us here.") == [
        "DeepSeek v2", "DeepSeek v2.5", "DeepSeek v3"
    ]


def test_maker_name_followed_by_a_version_is_a_model(gazetteer):
    [mention] = gazetteer.find("We tried DeepSeek V4 yesterday.")
    assert mention.topic == Topic("DeepSeek V4", "Model", organization="DeepSeek")


def test_year_after_a_name_is_not_a_version(gazetteer):
    assert names(gazetteer, "Llama 3 2024 was a good year.") == ["Llama 3"]


def test_names_do_not_join_across_punctuation(gazetteer):
    assert names(gazetteer, "Claude 3.5 Sonnet, 70B parameters") == ["Claude 3.5 Sonnet"]


def test_vault_alias_teaches_the_gazetteer(gazetteer):
    gazetteer.add(Topic("DeepSeek v3", "Model", aliases=("DSv3",), organization="DeepSeek"))
    assert names(gazetteer, "DSv3 is cheap.") == ["DeepSeek v3"]
