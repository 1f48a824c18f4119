"""`gleaner demo` on the bundled example site: the acceptance checks of the pipeline."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.reading.queue import read_priority
from pipeline.reading.relevance_store import written_score
from pipeline.state.store import State
from pipeline.vault.frontmatter import split_frontmatter

REVIEW_URL_PATH = "/blog/2024-year-in-review/"


def run_demo(vault: Path, port: int) -> Result:
    return CliRunner().invoke(main, ["demo", "--vault", str(vault), "--port", str(port)])


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result, int]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    vault = tmp_path_factory.mktemp("demo") / "notes"
    return vault, run_demo(vault, port), port


def article_notes(vault: Path) -> dict[str, tuple[dict, str]]:
    notes = {}
    for path in vault.glob("*.md"):
        frontmatter, body = split_frontmatter(path.read_text(encoding="utf-8"))
        notes[path.name] = (frontmatter, body)
    return notes


def review_note(vault: Path) -> tuple[dict, str]:
    matches = [n for n in article_notes(vault).values() if n[0]["link"].endswith(REVIEW_URL_PATH)]
    assert len(matches) == 1
    return matches[0]


def embeds(body: str, category: str) -> set[str]:
    return set(re.findall(rf"!\[\[topics/{category}/([^\]]+)\]\]", body))


def test_demo_writes_a_note_per_article_and_succeeds(demo_vault):
    vault, result, _ = demo_vault
    assert result.exit_code == 0, result.output
    assert "3 notes written" in result.output
    assert len(article_notes(vault)) == 3


def test_seed_001_note_has_the_expected_models(demo_vault):
    _, body = review_note(demo_vault[0])
    expected = {"Claude 3.5 Sonnet", "Qwen2.5-Coder-32B", "o1", "Llama 3", "DeepSeek v3"}
    assert expected <= embeds(body, "Model")


def test_seed_001_note_has_the_expected_organizations(demo_vault):
    _, body = review_note(demo_vault[0])
    expected = {"OpenAI", "Anthropic", "Meta", "Google", "Mistral AI", "NVIDIA"}
    assert expected <= embeds(body, "Organization")


def test_seed_001_note_summary_has_no_markdown_debris(demo_vault):
    _, body = review_note(demo_vault[0])
    summary = body.split("## Summary\n", 1)[1].split("## Links", 1)[0].strip()
    assert len(summary.split()) > 40
    for debris in ("](", "**", "![", "http", "<", "##", "* "):
        assert debris not in summary


def test_seed_001_note_lists_outbound_links_with_descriptions(demo_vault):
    _, body = review_note(demo_vault[0])
    links = body.split("## Links\n", 1)[1].split("## Topics", 1)[0]
    lines = [line for line in links.splitlines() if line.startswith("- ")]
    assert any("[Llama Stack](https://github.com/meta-llama/llama-stack) : " in ln for ln in lines)
    assert any("oneusefulthing.org" in ln and "Strawberry" in ln for ln in lines)
    assert any("Model Context Protocol" in ln and "modelcontextprotocol" in ln for ln in lines)
    assert all(" : " in line for line in lines)


def test_note_frontmatter_has_the_users_keys_and_types(demo_vault):
    frontmatter, body = review_note(demo_vault[0])
    assert frontmatter["already_read"] is False
    assert frontmatter["read_priority"] == expected_read_priority(demo_vault[0], frontmatter)
    assert 0 <= frontmatter["relevance"] <= 5
    assert frontmatter["type"] == "Content"
    assert frontmatter["source"] == "reading-list"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", frontmatter["upload_date"])
    assert frontmatter["title"] == "2024: A Year in Review for GenAI"
    assert frontmatter["author"] == "Matt Wallace"
    assert frontmatter["published"] == "2024-12-31"
    assert all(re.fullmatch(r"[A-Za-z_]+", tag) for tag in frontmatter["tags"])
    assert body.startswith(f"\n{frontmatter['link']}\n## Summary\n\n")


def expected_read_priority(vault: Path, frontmatter: dict) -> int:
    """The priority of the day the note was written, from the relevance before rounding and
    the length the state recorded."""
    state = State(vault / ".gleaner" / "state.sqlite")
    try:
        record = state.note_for_url(frontmatter["link"])
        scored = written_score(state, record.id)
    finally:
        state.close()
    assert math.floor(scored["unrounded"] + 0.5) == frontmatter["relevance"]
    return read_priority(scored["unrounded"], frontmatter["published"],
                         record.text_length, date.fromisoformat(frontmatter["upload_date"]))


def test_seeds_000_and_001_are_one_note_with_the_draft_as_a_version(demo_vault):
    frontmatter, _ = review_note(demo_vault[0])
    assert frontmatter["versions"] == [
        f"http://127.0.0.1:{demo_vault[2]}/blog/2024-year-in-review-draft/"
    ]
    titles = [fm["title"] for fm, _ in article_notes(demo_vault[0]).values()]
    assert titles.count("2024: A Year in Review for GenAI") == 1


def test_topic_notes_list_the_articles_that_mention_them(demo_vault):
    topic = demo_vault[0] / "topics" / "Model" / "Claude 3.5 Sonnet.md"
    frontmatter, body = split_frontmatter(topic.read_text(encoding="utf-8"))
    assert frontmatter["type"] == "Topic"
    assert frontmatter["organization"] == "Anthropic"
    assert "[[2024 A Year in Review for GenAI|2024: A Year in Review for GenAI]]" in body


def test_newsletter_links_to_notes_in_the_vault_become_wikilinks(demo_vault):
    notes = article_notes(demo_vault[0])
    newsletter = next(body for fm, body in notes.values() if "newsletter" in fm["link"])
    assert "[[2024 A Year in Review for GenAI|" in newsletter


def test_demo_vault_passes_validate(demo_vault):
    result = CliRunner().invoke(main, ["validate", str(demo_vault[0])])
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_second_demo_run_writes_nothing_and_says_so(demo_vault):
    vault, _, port = demo_vault
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}
    second = run_demo(vault, port)
    assert second.exit_code == 0, second.output
    assert "0 notes written, 0 updated, 4 unchanged, 0 failed" in second.output
    assert "nothing new" in second.output
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before


def test_seed_001_models_are_all_found_and_ner_junk_is_not(demo_vault):
    _, body = review_note(demo_vault[0])
    models = embeds(body, "Model")
    assert {"Claude 3.5 Sonnet", "Claude 3 Opus", "GPT-4o", "o1", "o3", "Gemini 2.0 Flash",
            "Qwen2.5-Coder-32B", "Llama 3", "DeepSeek v3"} <= models
    every_topic = models | embeds(body, "Organization") | embeds(body, "Concept")
    junk = {"Balsamiq", "Blackwell", "Claude 3 Opus", "AGI", "GPU", "Turbo", "Suffice"}
    assert not (embeds(body, "Organization") & junk)
    assert not [t for t in every_topic if "](" in t or "http" in t]
