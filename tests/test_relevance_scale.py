"""The relevance scale: where a note's score stands among the vault's scores, and a new
vault's first run of on-topic articles spread over 0–5 instead of all showing 5."""

from __future__ import annotations

import html
import itertools
import json
import tomllib
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import run
from pipeline.config import Config, FetchConfig, config_from_dict
from pipeline.reading.calibration import ABSOLUTE, PRIOR_NOTES, Calibration
from pipeline.reading.queue import rank_notes
from pipeline.reading.relevance_store import relevance_rows
from pipeline.sources.lists import read_sources
from pipeline.state.store import State
from pipeline.vault.files import Vault
from pipeline.vault.frontmatter import read_frontmatter

from .conftest import REPO, article_page
from .server import LoopbackServer, Response

DATA = REPO / "tests" / "data" / "relevance"
# scores as the state keeps them, to three decimals
scores = st.lists(st.floats(-10, 20).map(lambda s: round(s, 3)), min_size=1, max_size=60)


# the scale --------------------------------------------------------------------------------

def test_without_notes_the_scale_is_the_score_clamped_to_0_5():
    assert [ABSOLUTE.value(s) for s in (-2, 0, 2.5, 5, 9)] == [0, 0, 2.5, 5, 5]


def test_in_a_large_vault_5_is_its_best_tenth_and_0_its_lowest():
    vault = Calibration.of(n / 100 for n in range(1000))
    shown = Counter(vault.relevance(n / 100) for n in range(1000))
    tenths = {0: 100, 1: 200, 2: 200, 3: 200, 4: 200, 5: 100}
    assert all(abs(shown[value] - count) <= PRIOR_NOTES for value, count in tenths.items())


def test_a_vault_of_on_topic_scores_uses_the_whole_scale():
    on_topic = Calibration.of([5.5, 5.6, 5.8, 6.0, 6.1, 6.3, 6.4, 6.5, 6.8, 7.0] * 5)
    shown = Counter(on_topic.relevance(s) for s in on_topic.scores)
    assert set(shown) == {1, 2, 3, 4, 5} and max(shown.values()) <= 0.4 * 50


def test_the_imaginary_notes_settle_a_small_vault():
    two = Calibration.of([5.5, 5.6])  # a two-note vault: not "0 and 5"
    assert 3.5 < two.value(5.5) < two.value(5.6) < 5
    assert two.value(5.6) - two.value(5.5) == pytest.approx(5 * 1 / 2 * 2 / (2 + PRIOR_NOTES),
                                                           abs=0.01)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(scores, st.floats(-12, 22), st.floats(-12, 22))
def test_a_higher_score_never_gets_a_lower_relevance(vault, one, other):
    scale = Calibration.of(vault)
    low, high = sorted((one, other))
    assert 0 <= scale.value(low) <= scale.value(high) <= 5
    assert scale.relevance(low) <= scale.relevance(high)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(scores)
def test_every_note_of_the_vault_above_another_has_a_higher_relevance(vault):
    scale = Calibration.of(vault)
    distinct = sorted(set(vault))
    values = [scale.value(s) for s in distinct]
    assert all(a < b for a, b in itertools.pairwise(values))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(scores, st.floats(-12, 22))
def test_the_whole_number_is_the_value_before_rounding_rounded(vault, score):
    scale = Calibration.of(vault)
    assert scale.relevance(score) == int(Decimal(f"{scale.value(score):.2f}").quantize(
        Decimal(1), ROUND_HALF_UP))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(scores, st.floats(0, 1))
def test_score_for_finds_the_score_of_a_relevance(vault, fraction):
    scale = Calibration.of(vault)
    bottom, top = scale.value(scale.score_for(0)), scale.value(scale.score_for(5))
    wanted = bottom + fraction * (top - bottom)
    assert scale.value(scale.score_for(wanted)) == pytest.approx(wanted, abs=0.01)


# a new vault's first run ------------------------------------------------------------------

def on_topic_articles() -> list[dict]:
    """The AI articles of the labelled set (labels 3–5) and its six AI-policy posts."""
    found = []
    for name in ("articles.jsonl", "policy.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            if article.get("label", 3) >= 3:
                found.append(article)
    return found


def first_run(vault: Path, articles: list[dict]) -> dict[str, dict]:
    """The articles as pages, read into a new vault with the labelled set's profile (a
    reader of many AI interests, on whose profile most of these score above 5): each
    page's note frontmatter, by article id."""
    profile = tomllib.loads((DATA / "profile.toml").read_text(encoding="utf-8"))
    config = Config(fetch=FetchConfig(host_delay=0.0, timeout=2.0, retries=1, backoff=0.05),
                    workers=0, interests=config_from_dict(profile).interests)
    with LoopbackServer() as server:
        for article in articles:
            paragraphs = [html.escape(p) for p in article["text"].split("\n\n")]
            server.routes[f"/{article['id']}"] = Response(
                article_page(article["title"], paragraphs))
        report = run(read_sources([server.url(f"/{a['id']}") for a in articles]), config,
                     vault)
    return {item.location.rsplit("/", 1)[1]: read_frontmatter(vault / item.note)
            for item in report.items}


@pytest.fixture(scope="module")
def two_first_runs(tmp_path_factory) -> tuple[Path, dict[str, dict], dict[str, dict]]:
    articles = on_topic_articles()
    root = tmp_path_factory.mktemp("first-runs")
    return (root / "forward", first_run(root / "forward", articles),
            first_run(root / "backward", articles[::-1]))


def test_a_first_run_of_on_topic_articles_spreads_over_the_scale(two_first_runs):
    _, notes, _ = two_first_runs
    shown = Counter(note["relevance"] for note in notes.values())
    assert len(notes) == 20
    assert max(shown.values()) <= 0.4 * len(notes), shown
    assert all(isinstance(note["read_priority"], int) for note in notes.values())


def test_the_queue_of_a_first_run_separates_its_top_five(two_first_runs):
    vault, _, _ = two_first_runs
    entries, _ = rank_notes(Vault(vault), date.today())
    top = [entry.score for entry in entries[:5]]
    assert all(better > worse for better, worse in itertools.pairwise(top)), top


def test_the_first_notes_of_a_vault_are_placed_among_each_other_in_any_order(two_first_runs):
    _, forward, backward = two_first_runs
    assert {k: v["relevance"] for k, v in forward.items()} == \
        {k: v["relevance"] for k, v in backward.items()}


# a model spelled two ways -----------------------------------------------------------------

# Synthetic articles (written for this test) in the way real posts name models: the Hugging
# Face posts of ../shared/data/dev-posts write `Falcon-7B` and `falcon-7b`, `Gemma 2B` and
# `gemma-2b` in one post. A note holds such a model once, with the mentions of every
# spelling, so it scores lower than the two spellings would as two models.
TWO_SPELLINGS = [
    {"id": "falcon-7b", "title": "Running Falcon-7B on a single consumer GPU",
     "text": "Falcon-7B is an open model from the Technology Innovation Institute. We loaded "
             "falcon-7b in 4-bit with bitsandbytes and it fits in 6 GB of memory.\n\n"
             "Compared with Llama 2 7B, Falcon-7B is slower at generation but its licence "
             "allows commercial use. The falcon-7b tokenizer handles code poorly.\n\n"
             "For fine-tuning we used LoRA adapters on the attention layers of Falcon-7B."},
    {"id": "gemma-2b", "title": "Gemma 2B as a local coding assistant",
     "text": "Google released Gemma 2B and Gemma 7B with open weights. We tried gemma-2b "
             "as a coding assistant in the editor, served by llama.cpp.\n\n"
             "Gemma 2B answers in under a second on a laptop CPU; gemma-2b quantized to "
             "four bits loses little on HumanEval.\n\n"
             "Mistral 7B still writes better code, but Gemma 2B is a third of its size."},
    {"id": "codegemma-7b", "title": "CodeGemma 7B against DeepSeek Coder",
     "text": "CodeGemma 7B is Google's code model built on Gemma. We compared CodeGemma-7B "
             "with DeepSeek Coder 7B on completion tasks.\n\n"
             "CodeGemma 7B fills in the middle of a function well; DeepSeek-Coder-7B is "
             "stronger on whole files.\n\n"
             "Both run locally with Ollama, and CodeGemma-7B needs about 5 GB."},
]


@pytest.fixture(scope="module")
def spelled_run(tmp_path_factory) -> Path:
    vault = tmp_path_factory.mktemp("spelled") / "vault"
    first_run(vault, on_topic_articles() + TWO_SPELLINGS)
    return vault


def written(vault: Path) -> dict[str, dict]:
    """What the state kept of each note when it was written (score, value before rounding)."""
    state = State(Vault(vault).state_path)
    try:
        return {row.note.path: row.scored for row in relevance_rows(state)}
    finally:
        state.close()


def test_a_first_run_places_its_notes_on_one_scale_however_they_spell_a_model(spelled_run):
    notes = written(spelled_run)
    scale = Calibration.of(scored["score"] for scored in notes.values())
    assert len(notes) == 23
    assert {path: scored["unrounded"] for path, scored in notes.items()} == \
        {path: scale.value(scored["score"]) for path, scored in notes.items()}


def test_after_a_first_run_each_notes_whole_number_is_its_queue_relevance_rounded(spelled_run):
    entries, _ = rank_notes(Vault(spelled_run), date.today())
    shown = {entry.path: read_frontmatter(spelled_run / entry.path)["relevance"]
             for entry in entries}
    assert {entry.path: int(Decimal(f"{entry.relevance:.2f}").to_integral(ROUND_HALF_UP))
            for entry in entries} == shown
