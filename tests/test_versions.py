"""One article, one note: the same text at two URLs, and two versions of a post (seeds 000/001)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import run
from pipeline.sources.lists import read_sources
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

VERSIONS = Path(__file__).parent / "data" / "versions"
DRAFT = VERSIONS / "000-year-in-review-draft.md"
PUBLISHED = VERSIONS / "001-year-in-review.md"


def article_notes(vault: Path) -> list[dict]:
    return [split_frontmatter(p.read_text(encoding="utf-8"))[0] for p in sorted(vault.glob("*.md"))]


@pytest.mark.parametrize("order", [(DRAFT, PUBLISHED), (PUBLISHED, DRAFT)],
                         ids=["draft-first", "published-first"])
def test_seed_draft_and_published_version_give_one_note_showing_the_published_one(
    vault, fast_config, order
):
    run(read_sources([str(path) for path in order]), fast_config, vault)

    [note] = article_notes(vault)
    assert note["link"] == PUBLISHED.resolve().as_uri()
    assert note["versions"] == [DRAFT.resolve().as_uri()]
    assert note["title"] == "2024: A Year in Review for GenAI"
    assert list(validate_vault(vault)) == []


def test_published_version_seen_in_a_later_run_updates_the_drafts_note(vault, fast_config):
    run(read_sources([str(DRAFT)]), fast_config, vault)
    [draft_note] = vault.glob("*.md")

    report = run(read_sources([str(PUBLISHED)]), fast_config, vault)

    assert report.counts["updated"] == 1
    assert list(vault.glob("*.md")) == [draft_note]
    [note] = article_notes(vault)
    assert note["link"] == PUBLISHED.resolve().as_uri()
    assert "Claude 3 Opus" in draft_note.read_text(encoding="utf-8")  # only 001 says this


def test_same_page_at_two_urls_in_two_runs_gives_one_note(server, vault, fast_config):
    page = article_page("Models of the year", AI_PARAGRAPHS)
    server.routes["/2024/models"] = Response(page)
    server.routes["/2024/models?utm_source=newsletter&ref=rss"] = Response(page)
    server.routes["/amp/2024/models"] = Response(page)

    run(read_sources([server.url("/2024/models")]), fast_config, vault)
    again = run(read_sources([server.url("/2024/models?utm_source=newsletter&ref=rss"),
                              server.url("/amp/2024/models")]), fast_config, vault)

    assert again.counts["written"] == 0
    [note] = article_notes(vault)
    assert note["link"] == server.url("/2024/models")
    assert note["versions"] == [server.url("/amp/2024/models")]
