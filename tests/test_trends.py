"""Trends: `gleaner trends` and the weekly digest's chart, on a vault with articles over six
weeks that `gleaner ingest` reads from a real feed."""

from __future__ import annotations

import random
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import ingest
from pipeline.cli import EXIT_USAGE, main
from pipeline.config import Config, FetchConfig, Subscription
from pipeline.state.store import State
from pipeline.vault.files import Vault
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault
from pipeline.views.trends import MentionHistory, week_label

from .conftest import article_page
from .server import Response

WEEK = date(2025, 1, 13)  # the Monday of 2025-W03, the last of the six weeks
SVG = "{http://www.w3.org/2000/svg}"
# (weeks before WEEK, the models the article names): GPT-4o steady, Claude 3.5 Sonnet fading,
# DeepSeek v3 rising in the last week
ARTICLES = [
    (5, ["GPT-4o", "Claude 3.5 Sonnet"]), (5, ["GPT-4o", "Claude 3.5 Sonnet"]),
    (4, ["GPT-4o"]), (4, ["GPT-4o", "Claude 3.5 Sonnet"]),
    (3, ["GPT-4o"]),
    (2, ["GPT-4o", "DeepSeek v3"]),
    (1, ["GPT-4o"]), (1, ["GPT-4o"]),
    (0, ["DeepSeek v3", "GPT-4o"]), (0, ["DeepSeek v3"]), (0, ["DeepSeek v3"]),
    (0, ["DeepSeek v3", "Qwen2.5-Coder-32B"]),
]
SUBJECTS = ["the build farm", "our support queue", "the nightly batch job", "a small team",
            "the finance office", "the data pipeline", "every new hire", "the search page"]
VERBS = ["slowed down", "grew quickly", "needed more review", "surprised the engineers",
         "cost less than planned", "took a week to settle", "kept failing at night"]
REASONS = ["after the migration", "because of the holiday traffic", "once caching was added",
           "when the old scripts were retired", "under the new rota", "during the audit"]
MODEL_SENTENCES = ["We tried {} on the problem and kept notes on what it got right.",
                   "A colleague compared {} with our old setup over a few afternoons.",
                   "The write-up on {} explains what changed in its latest release."]


def prose(rng: random.Random, sentences: int) -> str:
    """Distinct plain sentences with no names in them: each article its own text."""
    return " ".join(f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} "
                    f"{rng.choice(REASONS)}, {rng.randint(2, 97)} times in {rng.randint(3, 40)} "
                    f"days." for _ in range(sentences))


def serve_six_weeks(server) -> None:
    rng = random.Random(18)
    items = []
    for number, (weeks_before, models) in enumerate(ARTICLES):
        published = (WEEK - timedelta(weeks=weeks_before) + timedelta(days=number % 5))
        paragraphs = [prose(rng, 4),
                      " ".join(rng.choice(MODEL_SENTENCES).format(m) for m in models),
                      prose(rng, 4), prose(rng, 3)]
        title = f"Field notes {number + 1}: {rng.choice(SUBJECTS)}"
        server.routes[f"/notes/{number}"] = Response(
            article_page(title, paragraphs, published=published.isoformat()))
        items.append(f"<item><title>{title}</title><link>{server.url(f'/notes/{number}')}"
                     f"</link><guid>n{number}</guid></item>")
    server.routes["/feed.xml"] = Response(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Field notes</title>'
        f"<link>{server.base}/</link>{''.join(items)}</channel></rss>",
        content_type="application/rss+xml")


@pytest.fixture(scope="module")
def six_weeks(tmp_path_factory) -> Path:
    """A vault that `gleaner ingest` filled from a feed of articles over six weeks."""
    from .server import LoopbackServer

    vault = tmp_path_factory.mktemp("trends") / "vault"
    with LoopbackServer() as server:
        serve_six_weeks(server)
        config = Config(fetch=FetchConfig(host_delay=0.0, timeout=5.0, retries=1), workers=0,
                        subscriptions=(Subscription("Field notes", "feed",
                                                    url=server.url("/feed.xml")),))
        report = ingest(config, vault)
    assert report.counts["written"] == len(ARTICLES), report.failures
    return vault


def weekly_counts(model: str) -> list[int]:
    counts = Counter(weeks for weeks, models in ARTICLES if model in models)
    return [counts[n] for n in range(5, -1, -1)]


def test_trends_prints_each_weeks_articles_and_marks_the_rising_topic(six_weeks):
    result = CliRunner().invoke(main, ["trends", "--vault", str(six_weeks), "--weeks", "6"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "week 2025-W03 (13 January to 19 January 2025): 4 articles"
    assert lines[1].split()[1:7] == [week_label(WEEK - timedelta(weeks=n))
                                     for n in range(5, -1, -1)]
    assert lines[2].split() == ["articles", "2", "2", "1", "1", "2", "4"]
    rows = {line.split("  ")[0]: line for line in lines[3:-1]}
    deepseek = rows["Model/DeepSeek v3"].split()
    assert deepseek[2:] == [*map(str, weekly_counts("DeepSeek v3")), "0.25", "▲", "rising"]
    gpt = rows["Model/GPT-4o"].split()
    assert gpt[1:] == [*map(str, weekly_counts("GPT-4o")), "1.50"]
    assert "Model/Claude 3.5 Sonnet" not in rows  # not mentioned in the week itself
    assert list(rows)[0] == "Model/DeepSeek v3"  # most articles first
    assert lines[-1].startswith("▲ rising: in 2 articles or more")


def test_each_week_gets_a_digest_whose_chart_and_table_show_the_rising_topic(six_weeks):
    digests = sorted(p.name for p in (six_weeks / "digests").glob("Week *"))
    weeks = [week_label(WEEK - timedelta(weeks=n)) for n in range(5, -1, -1)]
    assert digests == sorted([f"Week {w}.{ext}" for w in weeks for ext in ("md", "svg")])

    note = (six_weeks / "digests" / "Week 2025-W03.md").read_text(encoding="utf-8")
    frontmatter, body = split_frontmatter(note)
    assert frontmatter == {"week_digest": "2025-W03", "articles": 4}
    assert "![[digests/Week 2025-W03.svg|" in body
    assert "| [[topics/Model/DeepSeek v3\\|DeepSeek v3]] | 4 | 0.25 | ▲ rising |" in body
    assert "| [[topics/Model/GPT-4o\\|GPT-4o]] | 1 | 1.50 |  |" in body

    svg = ET.parse(six_weeks / "digests" / "Week 2025-W03.svg").getroot()
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Mentioned most in 2025-W03"
    description = svg.find(f"{SVG}desc").text
    assert "DeepSeek v3 4 articles against 0.25 a week before (rising)" in description
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "▲ DeepSeek v3" in labels and "GPT-4o" in labels and "▲ GPT-4o" not in labels
    bars = [path for path in svg.iter(f"{SVG}path")
            if "clip-path" in path.attrib and "fill: none" not in path.get("style", "")]
    topics = body.count("| [[topics/")
    assert len(bars) == 2 * topics  # this week and the weeks before, for each topic
    assert "currentColor" not in ET.tostring(svg, encoding="unicode")
    assert list(validate_vault(six_weeks)) == []


def test_the_earliest_week_has_nothing_before_it_so_what_it_has_twice_is_rising(six_weeks):
    note = (six_weeks / "digests" / "Week 2024-W50.md").read_text(encoding="utf-8")
    assert "| [[topics/Model/Claude 3.5 Sonnet\\|Claude 3.5 Sonnet]] | 2 | 0.00 | ▲ rising |" \
        in note
    assert "| [[topics/Model/GPT-4o\\|GPT-4o]] | 2 | 0.00 | ▲ rising |" in note


@pytest.mark.parametrize("this_week, before, rising", [
    (2, [0, 0, 0, 0], True), (1, [0, 0, 0, 0], False), (3, [2, 1, 2, 1], True),
    (2, [2, 1, 2, 1], False), (6, [3, 3, 3, 3], True), (5, [3, 3, 3, 3], False),
])
def test_a_topic_rises_with_two_articles_and_twice_its_average_of_the_weeks_before(
        this_week, before, rising):
    weeks = [WEEK - timedelta(weeks=n) for n in range(4, -1, -1)]
    counts = [*before, this_week]
    history = MentionHistory({w: 10 for w in weeks},
                             {w: Counter({"Model/X": n}) for w, n in zip(weeks, counts,
                                                                           strict=True)})
    [topic] = history.trends(WEEK).topics
    assert topic.weekly == tuple(counts) and topic.before == sum(before) / 4
    assert topic.rising is rising


def test_trends_dates_an_article_without_a_date_by_the_day_its_note_was_made(six_weeks,
                                                                             tmp_path):
    copy = tmp_path / "state.sqlite"
    shutil.copy(Vault(six_weeks).state_path, copy)
    state = State(copy)
    try:
        state.db.execute("UPDATE notes SET published = NULL WHERE id = 1")
        [created] = state.db.execute("SELECT created FROM notes WHERE id = 1").fetchone()
        history = MentionHistory.from_state(state)
    finally:
        state.close()
    made = date.fromisoformat(created[:10])
    monday = made - timedelta(days=made.weekday())
    assert history.articles[monday] == 1
    assert history.latest_week(made) == monday
    assert sum(history.articles.values()) == len(ARTICLES)


def test_a_note_of_the_persons_named_like_a_week_digest_is_left_alone(server, tmp_path):
    vault = tmp_path / "vault"
    mine = "---\ntags: [weekly]\n---\nMy own review of the week.\n"
    (vault / "digests").mkdir(parents=True)
    (vault / "digests" / "Week 2025-W03.md").write_text(mine, encoding="utf-8")
    serve_six_weeks(server)
    config = Config(fetch=FetchConfig(host_delay=0.0, timeout=5.0, retries=1), workers=0,
                    subscriptions=(Subscription("Field notes", "feed",
                                                url=server.url("/feed.xml")),))

    report = ingest(config, vault)

    assert (vault / "digests" / "Week 2025-W03.md").read_text(encoding="utf-8") == mine
    assert not (vault / "digests" / "Week 2025-W03.svg").exists()
    [failure] = report.failures
    assert failure.location == "digest 2025-W03" and "a note of yours" in failure.detail
    assert (vault / "digests" / "Week 2025-W02.md").is_file()


def test_trends_on_a_vault_without_articles_says_so(tmp_path):
    result = CliRunner().invoke(main, ["trends", "--vault", str(tmp_path)])
    assert result.exit_code == EXIT_USAGE
    assert re.search(r"no articles in .* yet", result.output)
    assert not (tmp_path / ".gleaner").exists()
