"""Keyphrase concepts: repeated domain phrases become Title Case topics, filler never does."""

from __future__ import annotations

from pipeline.nlp.analyze import Analyzer
from pipeline.nlp.concepts import ConceptList
from pipeline.nlp.keyphrases import KeyphraseConcepts
from pipeline.records import Article

STREAMING = (  # a post about its subject names it often: eight times here
    "Cloud vendors keep betting on game streaming. Critics say game streaming needs fast "
    "home connections, and game streaming still drops frames on busy evenings. Whether "
    "game streaming replaces consoles is an open question. Publishers like game streaming "
    "because nobody can copy a game that runs on their servers. Players see game streaming "
    "as a way to skip expensive hardware. Telecoms sell game streaming bundles with fibre. "
    "Ten years in, game streaming is still a promise more than a habit."
)
FILLER = (
    "We learned a lot this year. The year started slowly, and a lot changed last week. "
    "Looking back on the year, last week felt like a lot. Last week we said the year was "
    "long; the year ended, a lot happened, and last week was busy."
)


def concept_names(title: str, text: str, entity_names: tuple[str, ...] = ()) -> set[str]:
    found = KeyphraseConcepts(ConceptList.shipped()).find(title, text, entity_names)
    return {topic.name for topic in found}


def test_a_repeated_domain_phrase_becomes_a_title_case_concept():
    assert "Game Streaming" in concept_names("Consoles in the cloud", STREAMING)


def test_filler_phrases_never_become_concepts():
    names = {name.lower() for name in concept_names("Notes", FILLER * 3)}
    assert not any(word in name.split() for name in names for word in ("lot", "year", "week"))


def test_an_entity_name_is_not_a_concept():
    text = STREAMING.replace("game streaming", "stadia cloud")
    assert concept_names("Notes", text, entity_names=("Stadia Cloud",)) == set()


def test_a_phrase_matching_a_concept_alias_becomes_the_canonical_concept():
    text = "Our search stack uses retrieval augmented generation over the wiki."
    assert concept_names("Notes", text) == {"Retrieval-Augmented Generation"}


def test_the_analyzer_tags_repeated_domain_phrases_as_concepts():
    analysis = Analyzer.load().analyze(Article(
        url="https://example.test/a", source_name="test", title="Consoles in the cloud",
        text=STREAMING))
    assert ("Game Streaming", "Concept") in {(t.name, t.category) for t in analysis.topics}
