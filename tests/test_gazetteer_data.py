"""Checks on the shipped gazetteer.json and concepts.json data files.

The tagger trusts these files blindly: a surface claimed by two entities, or a model whose
maker is missing, would silently mis-tag articles. The last test guards the other way round:
the shipped file must be exactly what scripts/build_gazetteer.py makes from the shared
tables, so nobody hand-edits the output instead of the overrides.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "pipeline" / "data"
SHARED = ROOT.parent / "shared" / "data" / "ai-models"
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+]*[A-Za-z0-9+]|[A-Za-z0-9]")

EXPECTED_MAKERS = {
    "Claude 3.5 Sonnet": "Anthropic",
    "Qwen2.5-Coder-32B": "Alibaba",
    "o1": "OpenAI",
    "Llama 3": "Meta",
    "DeepSeek v3": "DeepSeek",
    "GPT-4o": "OpenAI",
    "Gemini 2.0 Flash": "Google",
    "Mixtral 8x7B": "Mistral AI",
}
EXPECTED_MODELS = [
    "GPT-3.5 Turbo", "GPT-4", "GPT-4 Turbo", "GPT-4o mini", "o1-mini", "o1 pro", "o3", "o3-mini",
    "o4-mini", "GPT-4.5", "GPT-5", "ChatGPT", "Sora", "DALL-E 3", "Whisper", "Claude 2",
    "Claude 3 Opus", "Claude 3 Sonnet", "Claude 3 Haiku", "Claude 3.5 Haiku", "Claude 3.7 Sonnet",
    "Claude Sonnet 4", "Claude Opus 4", "Gemini 1.5 Pro", "Gemini 1.5 Flash", "Gemini 2.5 Pro",
    "Gemma 2", "Gemma 3", "Llama 2", "Llama 3.1 405B", "Llama 3.2", "Llama 3.3 70B", "Llama 4",
    "Mistral 7B", "Mistral Large", "Codestral", "Qwen2.5", "QwQ-32B", "Qwen3", "DeepSeek v2",
    "DeepSeek v2.5", "DeepSeek R1", "Phi-3", "Phi-4", "Grok 2", "Grok 3", "Command R+",
    "Nemotron", "DBRX", "Falcon 180B", "Stable Diffusion 3", "Midjourney v6",
    "Claude", "Gemini", "Llama", "Qwen", "Grok", "Gemma", "Phi",
]
EXPECTED_ORGANIZATIONS = [
    "OpenAI", "Anthropic", "Google", "Google DeepMind", "Meta", "Microsoft", "Mistral AI",
    "NVIDIA", "Alibaba", "DeepSeek", "xAI", "Amazon", "Apple", "Cohere", "AI21 Labs",
    "Hugging Face", "Stability AI", "Midjourney", "Perplexity", "Moonshot AI", "Zhipu AI",
    "01.AI", "Databricks", "IBM", "Baidu", "Tencent", "ByteDance", "Salesforce", "Adobe",
    "Character.AI", "Allen Institute for AI", "EleutherAI", "Nous Research", "Reka",
    "Inflection AI", "Samsung", "Jasper",
]


def _load(name: str) -> dict:
    """From the installed package when there is one, else next to this checkout's tests."""
    if (ROOT / "pipeline" / "__init__.py").exists():
        from importlib.resources import files

        return json.loads((files("pipeline") / "data" / name).read_text(encoding="utf-8"))
    return json.loads((DATA / name).read_text(encoding="utf-8"))


GAZETTEER = _load("gazetteer.json")
CONCEPTS = _load("concepts.json")
ENTITIES = {e["name"]: e for e in GAZETTEER["entities"]}


def _spaced_key(surface: str) -> str:
    return re.sub(r"[\s_-]", "", surface.lower())


def _token_key(surface: str) -> str:
    """The tagger's key (pipeline/nlp/gazetteer.py): stricter, so it catches more collisions."""
    return "".join(t.lower() for t in TOKEN.findall(surface))


def _alias_order(aliases: list[str]) -> list[str]:
    return sorted(aliases, key=lambda a: (a.lower(), a))


def test_gazetteer_has_the_documented_shape():
    assert set(GAZETTEER) == {"source", "entities"}
    assert isinstance(GAZETTEER["source"], str) and GAZETTEER["source"]
    for entity in GAZETTEER["entities"]:
        assert entity["category"] in {"Model", "Organization"}, entity
        assert set(entity) <= {"name", "category", "organization", "aliases", "ambiguous"}
        assert ("organization" in entity) == (entity["category"] == "Model"), entity
        assert isinstance(entity["name"], str) and entity["name"].strip() == entity["name"]
        aliases = entity["aliases"]
        assert all(isinstance(a, str) and a.strip() == a and a for a in aliases), entity
        assert aliases == _alias_order(aliases) and len(set(aliases)) == len(aliases), entity
        assert entity["name"] not in aliases, entity
        assert entity.get("ambiguous", True) is True, entity


def test_entities_are_unique_and_sorted():
    names = [e["name"] for e in GAZETTEER["entities"]]
    assert len(names) == len(set(names))
    order = [(e["category"], e["name"].lower(), e["name"]) for e in GAZETTEER["entities"]]
    assert order == sorted(order)


def test_every_model_maker_is_an_organization_entity():
    organizations = {e["name"] for e in GAZETTEER["entities"] if e["category"] == "Organization"}
    for entity in GAZETTEER["entities"]:
        if entity["category"] == "Model" and entity["organization"] is not None:
            assert entity["organization"] in organizations, entity


@pytest.mark.parametrize("key", [_spaced_key, _token_key])
def test_no_surface_names_two_entities(key):
    owners: dict[str, set[str]] = defaultdict(set)
    for entity in GAZETTEER["entities"]:
        for surface in (entity["name"], *entity["aliases"]):
            owners[key(surface)].add(entity["name"])
    clashes = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not clashes


@pytest.mark.parametrize(("name", "maker"), sorted(EXPECTED_MAKERS.items()))
def test_key_models_have_their_makers(name, maker):
    assert ENTITIES[name]["category"] == "Model"
    assert ENTITIES[name]["organization"] == maker


def test_models_a_news_reader_expects_are_present():
    missing = [n for n in EXPECTED_MODELS if ENTITIES.get(n, {}).get("category") != "Model"]
    assert not missing


def test_organizations_a_news_reader_expects_are_present():
    missing = [n for n in EXPECTED_ORGANIZATIONS
               if ENTITIES.get(n, {}).get("category") != "Organization"]
    assert not missing


def test_vault_names_are_canonical_with_their_aliases():
    assert "DeepSeek-V3" in ENTITIES["DeepSeek v3"]["aliases"]
    assert "o1 models" in ENTITIES["o1"]["aliases"]
    assert "GPT 4" in ENTITIES["GPT-4"]["aliases"]
    assert "gpt-4o-2024-08-06" in ENTITIES["GPT-4o"]["aliases"]
    assert "Sonnet 3.5" in ENTITIES["Claude 3.5 Sonnet"]["aliases"]
    assert "DeepMind" in ENTITIES["Google DeepMind"]["aliases"]
    assert "Mistral" in ENTITIES["Mistral AI"]["aliases"]
    assert {"Nvidia", "nVidia"} <= set(ENTITIES["NVIDIA"]["aliases"])
    assert ENTITIES["Phi"].get("ambiguous") is True


def test_a_sized_release_brings_its_unsized_parent_but_no_fine_tune_base():
    assert ENTITIES["Aya Expanse"]["category"] == "Model"
    assert ENTITIES["Aya Expanse"]["organization"] == "Cohere"
    assert "E5 Mistral" not in ENTITIES


def test_an_epoch_model_led_by_a_university_is_credited_to_its_lab():
    assert ENTITIES["BlenderBot 3"]["organization"] == "Meta"


def test_listed_organizations_keep_their_abbreviation_as_an_alias():
    assert "CMU" in ENTITIES["Carnegie Mellon University"]["aliases"]
    assert ENTITIES["Magic"].get("ambiguous") is True  # a plain word needs its context


def test_gazetteer_size_is_in_the_intended_range():
    assert 300 <= len(GAZETTEER["entities"]) <= 2000


def test_concepts_have_the_documented_shape():
    assert set(CONCEPTS) == {"concepts"}
    concepts = CONCEPTS["concepts"]
    assert 80 <= len(concepts) <= 150
    assert [c["name"] for c in concepts] == sorted((c["name"] for c in concepts),
                                                   key=lambda n: (n.lower(), n))
    for concept in concepts:
        assert set(concept) == {"name", "aliases"}, concept
        assert concept["aliases"] == _alias_order(concept["aliases"]), concept
        assert len(set(concept["aliases"])) == len(concept["aliases"]), concept
        assert concept["name"] not in concept["aliases"], concept


def test_no_concept_surface_names_two_concepts():
    owners: dict[str, set[str]] = defaultdict(set)
    for concept in CONCEPTS["concepts"]:
        for surface in (concept["name"], *concept["aliases"]):
            owners[surface.lower()].add(concept["name"])
    assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_concept_aliases_are_not_bare_common_words():
    """Aliases match case-insensitively as whole words: "agent" or "model" would fire anywhere."""
    common = {"agent", "agents", "model", "models", "data", "training", "safety", "search",
              "memory", "copyright", "regulation", "tokens", "chat", "compute", "reasoning"}
    for concept in CONCEPTS["concepts"]:
        assert not common & {s.lower() for s in (concept["name"], *concept["aliases"])}, concept


def test_topics_named_by_the_taxonomy_exist():
    path = DATA / "taxonomy.json"
    if not path.exists():
        pytest.skip("no taxonomy.json in this checkout")
    known = {c["name"] for c in CONCEPTS["concepts"]} | set(ENTITIES)
    taxonomy = json.loads(path.read_text(encoding="utf-8"))
    named = {t for spec in taxonomy["tags"].values() for t in spec.get("topics", ())}
    assert not named - known


def test_builder_reproduces_the_shipped_file():
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not available")
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "gazetteer.json"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), str(SHARED),
             "-o", str(output)],
            check=True, capture_output=True, text=True,
        )
        assert output.read_bytes() == (DATA / "gazetteer.json").read_bytes()


def test_the_not_entity_lists_agree_with_each_other_and_with_the_gazetteer():
    """A name is never an organization, or an organization that needs proof, not both; and
    neither a never-organization is a known organization nor a non-model a known model."""
    from pipeline.nlp.gazetteer import TOKEN, Gazetteer

    lists = _load("not_entities.json")
    never = [n for names in lists["never"].values() for n in names]
    needing = [n for names in lists["evidence_needed"].values() for n in names]
    assert len(never) == len(set(never)) and len(needing) == len(set(needing))
    assert set(never).isdisjoint(needing)
    gazetteer = Gazetteer.shipped()
    known = {name: gazetteer.lookup(TOKEN.findall(name)) for name in never + lists["not_models"]}
    assert [n for n in never if known[n] and known[n].category == "Organization"] == []
    assert [n for n in lists["not_models"] if known[n] and known[n].category == "Model"] == []
