"""Relevance: the profile's terms and weights, the score they make, and learning from the
relevance values a person sets in a real vault."""

from __future__ import annotations

import html
import json
import math
import re
import statistics
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import run
from pipeline.cli import EXIT_USAGE, main
from pipeline.config import Config, FetchConfig, config_from_dict, load_config
from pipeline.errors import ConfigError
from pipeline.profile import Interest, profile_from_config
from pipeline.reading.learning import Evidence, collect_evidence, features_for, learn
from pipeline.reading.relevance import NoteFeatures, score_features
from pipeline.reading.relevance_store import relevance_rows, save_relevance
from pipeline.reading.scoring import RelevanceScorer
from pipeline.records import Analysis, Article, Topic
from pipeline.sources.lists import read_sources
from pipeline.state.store import NoteRecord, State
from pipeline.vault.files import Vault
from pipeline.vault.frontmatter import render_frontmatter, split_frontmatter

from .conftest import REPO, article_page
from .server import LoopbackServer, Response

DATA = REPO / "tests" / "data" / "relevance"
CLAUDE = Topic("Claude 3.5 Sonnet", "Model", organization="Anthropic")
GPT = Topic("GPT-4o", "Model", organization="OpenAI")
MISTRAL = Topic("Mistral AI", "Organization", aliases=("Mistral",))
NOTE = NoteFeatures(tags=("Large_Language_Model",), topics=(CLAUDE, GPT, MISTRAL),
                    sources=("Data Elixir", "www.simonwillison.net"), phrases=("crypto",),
                    mentions=(3, 1, 2))


def profile(**tables):
    return profile_from_config(tables)


def terms(scored) -> list[tuple[str, str, float, str]]:
    return [(c.interest.term, c.interest.kind, c.points, c.evidence)
            for c in scored.contributions]


# the score --------------------------------------------------------------------------------

def test_a_negative_weight_lowers_the_relevance():
    liked = profile(topics={"Large_Language_Model": 3})
    less_crypto = profile(topics={"Large_Language_Model": 3}, phrases={"crypto": -2})

    assert score_features(NOTE, liked).value == 3
    assert score_features(NOTE, less_crypto).value == 1


@pytest.mark.parametrize(("baseline", "relevance"),
                         [(-3.0, 0), (2.49, 2), (2.5, 3), (4.9, 5), (9.0, 5)])
def test_without_a_vault_the_relevance_is_the_score_rounded_and_clamped(baseline, relevance):
    scored = score_features(NoteFeatures(), profile(baseline=baseline))
    assert scored.value == relevance
    assert scored.score == baseline


def test_every_matching_term_is_listed_with_its_points_and_evidence():
    scored = score_features(NOTE, profile(
        topics={"Large_Language_Model": 1.5}, organizations={"Anthropic": 0.5},
        sources={"simonwillison.net": 1.0}, categories={"Model": 0.5},
        phrases={"crypto": -1.0}, concepts={"Open Weights": 2.0}))

    models = 0.5 * 3 * (1 - math.exp(-(3 / 4 + 1 / 2) / 3))  # Claude 3 mentions, GPT-4o 1
    assert terms(scored) == [
        ("Large_Language_Model", "topics", 1.5, "tag Large_Language_Model"),
        ("crypto", "phrases", -1.0, '"crypto" in the text'),
        ("simonwillison.net", "sources", 1.0, "source www.simonwillison.net"),
        ("Model", "categories", pytest.approx(models),
         "2 Model topics: Claude 3.5 Sonnet, GPT-4o, 4 mentions"),
        ("Anthropic", "organizations", 0.5 * 3 / 4,
         "maker of Model topic Claude 3.5 Sonnet, 3 mentions"),
    ]
    assert scored.score == pytest.approx(1.5 + models + 0.375)


def test_names_match_whatever_their_case_spaces_underscores_or_alias():
    scored = score_features(NOTE, profile(topics={"large language model": 1},
                                          organizations={"mistral": 1, "OPENAI": 1}))
    assert {evidence for *_, evidence in terms(scored)} == {
        "tag Large_Language_Model", "Organization topic Mistral AI, 2 mentions",
        "maker of Model topic GPT-4o, 1 mention"}


def test_a_topic_named_often_counts_more_than_one_named_in_passing():
    liked = profile(organizations={"Anthropic": 1}, concepts={"Open Weights": 1})
    weights = Topic("Open Weights", "Concept")

    def score(claude: int, weights_named: int) -> float:
        note = NoteFeatures(topics=(CLAUDE, weights), mentions=(claude, weights_named))
        return score_features(note, liked).score

    assert score(1, 1) == 0.5 + 0.5  # m / (m + 1): a name in passing counts half
    assert score(1, 1) < score(9, 1) < score(9, 9)
    assert score(9, 1) == pytest.approx(0.9 + 0.5)


def test_an_organization_counts_the_mentions_of_its_models_too():
    anthropic = Topic("Anthropic", "Organization")
    note = NoteFeatures(topics=(CLAUDE, anthropic), mentions=(5, 1))
    [term] = score_features(note, profile(organizations={"Anthropic": 1})).contributions
    assert term.strength == 6 / 7 and term.evidence == "Organization topic Anthropic, 6 mentions"


def test_a_category_grows_with_its_topics_toward_three():
    def strength(count: int, mentions: int | None = None) -> float:
        note = NoteFeatures(topics=tuple(Topic(f"Model {n}", "Model") for n in range(count)),
                            mentions=() if mentions is None else (mentions,) * count)
        return score_features(note, profile(categories={"Model": 1})).score

    assert strength(1) == pytest.approx(3 * (1 - math.exp(-1 / 3)))
    assert strength(1) < strength(3) < strength(5) < strength(50) < 3
    assert strength(5, mentions=1) < strength(5, mentions=10) < strength(5)


# the config -------------------------------------------------------------------------------

def test_the_interest_tables_of_the_config_make_the_profile(tmp_path: Path):
    path = tmp_path / "gleaner.toml"
    path.write_text('[interests]\nbaseline = 0.5\nlearn = false\nprior_strength = 8\n'
                    '[interests.organizations]\nAnthropic = 1\n'
                    '[interests.phrases]\ncrypto = -2\n', encoding="utf-8")

    interests = load_config(path).interests

    assert interests.weights == {Interest("organizations", "Anthropic"): 1.0,
                                 Interest("phrases", "crypto"): -2.0}
    assert (interests.baseline, interests.learn, interests.prior_strength) == (0.5, False, 8)


def test_the_flat_interests_of_earlier_versions_still_score_as_before():
    flat = config_from_dict({"interests": {"Large_Language_Model": 1.5, "Model": 0.5,
                                           "crypto": -2}}).interests
    note = NoteFeatures(tags=("Large_Language_Model",), phrases=("crypto",),
                        topics=tuple(Topic(f"Model {n}", "Model") for n in range(4)))

    assert score_features(note, flat).score == pytest.approx(
        1.5 + 0.5 * 3 * (1 - math.exp(-4 / 3)) - 2)
    assert flat.phrases() == ["Large_Language_Model", "Model", "crypto"]


@pytest.mark.parametrize(("toml", "key"), [
    ('[interests.phrases]\ncrypto = "less"\n', "interests.phrases.crypto"),
    ("[interests.topics]\nLLM = 9\n", "interests.topics.LLM"),
    ('[interests]\nlearn = "yes"\n', "interests.learn"),
])
def test_a_bad_interest_is_refused_naming_its_key(tmp_path: Path, toml: str, key: str):
    path = tmp_path / "gleaner.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_config(path)


# learning ---------------------------------------------------------------------------------

POLICY = NoteFeatures(tags=("Large_Language_Model", "Regulation"))
RELEASE = NoteFeatures(tags=("Large_Language_Model",), topics=(CLAUDE, GPT))
PRIOR = profile(baseline=1, topics={"Large_Language_Model": 1.5})


def rated(count: int) -> list[Evidence]:
    return [*(Evidence(n, POLICY, "rating", 1) for n in range(count)),
            *(Evidence(n, RELEASE, "rating", 5) for n in range(count, 2 * count))]


def test_more_ratings_move_a_weight_further():
    regulation = Interest("topics", "Regulation")
    few, many = learn(PRIOR, rated(2)), learn(PRIOR, rated(20))

    assert many.profile.weight(regulation) < few.profile.weight(regulation) < 0
    assert score_features(POLICY, many.profile).value < score_features(POLICY, PRIOR).value


def test_a_five_on_a_note_at_the_top_of_the_scale_teaches_nothing():
    strong = profile(topics={"Large_Language_Model": 3}, categories={"Model": 2})
    learned = learn(strong, [Evidence(1, RELEASE, "rating", 5)])
    assert learned.profile.weights == pytest.approx(strong.weights)
    assert learned.profile.baseline == pytest.approx(strong.baseline)


def test_without_ratings_or_with_learning_off_the_configured_profile_stands():
    assert learn(PRIOR, [Evidence(1, POLICY, "anchor")]).profile == PRIOR
    off = profile_from_config({"learn": False, "topics": {"Large_Language_Model": 1.5}})
    assert learn(off, rated(5)).profile == off


def note_in_vault(tmp_path: Path, written: int, **person) -> Vault:
    """A vault with one note Gleaner wrote at `written`, then changed by `person`."""
    vault = Vault(tmp_path / "vault")
    vault.root.mkdir()
    state = State(vault.state_path)
    owned = {"keys": {"relevance": written, "tags": ["Large_Language_Model"]}}
    frontmatter = {"already_read": False, "relevance": written, "type": "Content", **person}
    (vault.root / "Note.md").write_text(render_frontmatter(frontmatter) + "\nText.\n",
                                        encoding="utf-8")
    with state.transaction():
        note_id = state.save_note(NoteRecord(0, "https://a.example/", "Note.md", "Note", None,
                                             100, owned), [], 0)
        save_relevance(state, note_id, POLICY.to_json(), {}, "stamp as written")
    state.close()
    return vault


@pytest.mark.parametrize(("person", "kind", "target"), [
    ({"relevance": 1}, "rating", 1),
    ({"relevance": 2}, "anchor", None),  # what Gleaner wrote: nothing to learn
    ({"already_read": True}, "read", 3),
    ({"already_read": True, "relevance": 0}, "rating", 0),
])
def test_what_a_person_set_on_a_note_is_evidence(tmp_path, person, kind, target):
    vault = note_in_vault(tmp_path, written=2, **person)
    state = State(vault.state_path)
    [evidence], changed = collect_evidence(state, vault)
    assert (evidence.kind, evidence.target) == (kind, target)
    assert evidence.features == POLICY
    assert list(changed) == [evidence.note_id]


def test_a_rated_note_is_given_the_persons_value_and_it_stays_theirs(tmp_path):
    vault = note_in_vault(tmp_path, written=2, relevance=4)
    state = State(vault.state_path)
    scorer = RelevanceScorer.for_vault(PRIOR, state, vault)
    article = Article(url="https://a.example/", source_name="", title="Note", text="Text.")
    scored = scorer.score(article, Analysis(topics=(), tags=POLICY.tags, sentences=()))
    assert (scored.value, scored.rated) == (4, True)

    # a page change re-renders the note, and Gleaner writes the 4 itself: still a rating
    record = state.note(1)
    with state.transaction():
        state.save_note(replace(record, owned={"keys": {"relevance": 4}}), [], 0)
    note = vault.root / "Note.md"
    note.write_text(note.read_text(encoding="utf-8") + "A newer paragraph.\n", encoding="utf-8")
    [evidence], _ = collect_evidence(state, vault)
    assert (evidence.kind, evidence.target) == ("rating", 4)


# in a real vault --------------------------------------------------------------------------

RELEASES_RATED = ("written-001", "written-002", "written-006", "written-008", "written-009")
RELEASES_NEW = ("written-r04", "seed-003", "written-005")
POLICY_RATED = ("written-004", "written-r06", "policy-01", "policy-02", "policy-03")
POLICY_NEW = ("policy-04", "policy-05", "policy-06")
CHANGED = {  # pages that change after the person rated their notes
    "written-002": "Update: we re-ran the twenty slowest tasks with longer timeouts, and the "
                   "ranking of the nine models did not change.",
    "policy-01": "Update: the governor signed the bill on Friday; the first safety frameworks "
                 "are due six months after the law takes effect.",
}
INTENDED = {**dict.fromkeys(RELEASES_RATED + RELEASES_NEW, 5),
            **dict.fromkeys(POLICY_RATED + POLICY_NEW, 1)}
# A reader who set up little: everything about language models or agents looks alike.
NEW_READER = {"baseline": 1, "topics": {"Large_Language_Model": 1, "AI_agent": 1}}


def articles() -> dict[str, dict]:
    found = {}
    for name in ("articles.jsonl", "policy.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            found[json.loads(line)["id"]] = json.loads(line)
    return found


def page(article: dict, extra: tuple[str, ...] = ()) -> Response:
    paragraphs = [html.escape(p) for p in (*article["text"].split("\n\n"), *extra)]
    return Response(article_page(article["title"], paragraphs))


@pytest.fixture(scope="module")
def rated_vault(tmp_path_factory):
    """Ten notes the person rated (model releases 5, policy 1), then a run that changes two
    of them and adds six new ones."""
    config = Config(fetch=FetchConfig(host_delay=0.0, timeout=2.0, retries=1, backoff=0.05),
                    workers=0, interests=profile_from_config(NEW_READER))
    vault = tmp_path_factory.mktemp("rated") / "vault"
    texts = articles()
    with LoopbackServer() as server:
        for name in INTENDED:
            server.routes[f"/{name}"] = page(texts[name])
        first = run(read_sources([server.url(f"/{n}") for n in RELEASES_RATED + POLICY_RATED]),
                    config, vault)
        notes = {item.location.rsplit("/", 1)[1]: item.note for item in first.items}
        edits = {name: rate(vault / notes[name], INTENDED[name]) for name in notes}
        for name, update in CHANGED.items():
            server.routes[f"/{name}"] = page(texts[name], (update,))
        second = run(read_sources([server.url(f"/{n}") for n in INTENDED]), config, vault)
    return vault, config, notes, edits, second


def rate(path: Path, value: int) -> str:
    """Set `relevance` as a person does in an editor; returns the line as edited."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^relevance: \d+$", f"relevance: {value}", text, count=1),
                    encoding="utf-8")
    return f"\nrelevance: {value}\n"


def test_the_next_runs_new_notes_move_toward_the_persons_ratings(rated_vault):
    vault, config, _, _, second = rated_vault
    state = State(Vault(vault).state_path)
    rows = {row.note.path: row for row in relevance_rows(state)}
    # the configured profile alone, on the scale it draws from the vault: what a run
    # without ratings writes
    unlearned = learn(config.interests, [Evidence(row.note.id, features_for(row), "anchor")
                                         for row in rows.values()])
    before, after = [], []
    for item in second.items:
        name = item.location.rsplit("/", 1)[1]
        if name in RELEASES_NEW + POLICY_NEW:
            frontmatter, _ = split_frontmatter((vault / item.note).read_text(encoding="utf-8"))
            configured = score_features(features_for(rows[item.note]), config.interests,
                                        unlearned.calibration).value
            before.append(abs(configured - INTENDED[name]))
            after.append(abs(frontmatter["relevance"] - INTENDED[name]))
    assert len(after) == 6
    assert statistics.mean(after) < statistics.mean(before)


def test_no_rated_note_is_overwritten(rated_vault):
    vault, _, notes, edits, second = rated_vault
    status = {item.note: item.status for item in second.items}
    assert [status[notes[name]] for name in CHANGED] == ["updated", "updated"]
    for name, line in edits.items():
        text = (vault / notes[name]).read_text(encoding="utf-8")
        assert line in text
        assert split_frontmatter(text)[0]["relevance"] == INTENDED[name]


def test_the_run_report_gives_each_written_note_its_top_terms(rated_vault):
    vault, _, notes, _, second = rated_vault
    written = {item.note for item in second.items if item.status in ("written", "updated")}
    assert set(second.relevance) == written
    entry = second.relevance[notes["policy-01"]]
    assert entry["terms"] and {"term", "kind", "weight", "points", "evidence"} <= set(
        entry["terms"][0])
    for written in second.relevance.values():
        assert math.floor(written["unrounded"] + 0.5) == written["relevance"]
    saved = json.loads(max((vault / ".gleaner" / "reports").glob("run-*.json")).read_text())
    assert saved["relevance"] == json.loads(json.dumps(second.relevance))


def test_explain_shows_the_persons_value_and_the_learned_weights(rated_vault):
    vault, _, notes, _, _ = rated_vault
    config = vault.parent / "gleaner.toml"
    config.write_text('[interests]\nbaseline = 1\n[interests.topics]\n'
                      'Large_Language_Model = 1\nAI_agent = 1\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", notes["policy-02"], "--vault", str(vault),
                                       "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert re.search(r"relevance: 1, set by you \(Gleaner wrote [2-5]\)", result.output)
    assert re.search(r"weights learned from \d+ rated and 0 read notes", result.output)
    assert re.search(r"\d\.\d\d before rounding: the score is above \d+% of the 16 notes'",
                     result.output)
    assert re.search(r"Regulation \(topics, weight -[\d.]+, configured \+0\.00\): "
                     r"tag Regulation", result.output)


def test_explain_of_an_unknown_note_names_it(rated_vault):
    vault = rated_vault[0]
    result = CliRunner().invoke(main, ["explain", "No such note", "--vault", str(vault)])
    assert result.exit_code == EXIT_USAGE
    assert "no article note 'No such note'" in result.output
