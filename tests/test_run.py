"""The pipeline over a reading list served by a real loopback server."""

from __future__ import annotations

from pathlib import Path

from pipeline import run
from pipeline.sources.lists import read_sources
from pipeline.vault.frontmatter import split_frontmatter

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def reading_list(tmp_path: Path, urls: list[str]) -> Path:
    path = tmp_path / "week-42.txt"
    path.write_text("# saved this week\n\n" + "\n".join(urls) + "\n", encoding="utf-8")
    return path


def notes_in(vault: Path) -> list[tuple[dict, str]]:
    return [split_frontmatter(p.read_text(encoding="utf-8")) for p in sorted(vault.glob("*.md"))]


def test_bad_items_fail_with_reasons_and_the_good_ones_become_notes(
    server, vault, tmp_path, fast_config, free_port
):
    server.routes["/good"] = Response(article_page("The year in open models", AI_PARAGRAPHS))
    server.routes["/broken"] = Response("oops", status=500, content_type="text/plain")
    server.routes["/slow"] = Response(article_page("Slow", AI_PARAGRAPHS), delay=3.0)
    server.routes["/logo.png"] = Response(PNG, content_type="image/png")
    dead = f"http://127.0.0.1:{free_port}/gone"
    urls = [server.url(p) for p in ("/good", "/broken", "/slow", "/logo.png")] + [dead]

    report = run(read_sources([str(reading_list(tmp_path, urls))]), fast_config, vault)

    reasons = {item.location: item.detail for item in report.failures}
    assert report.counts["written"] == 1
    assert "HTTP 500" in reasons[server.url("/broken")]
    assert "timed out" in reasons[server.url("/slow")]
    assert "content type image/png" in reasons[server.url("/logo.png")]
    assert "network error" in reasons[dead]
    assert len(notes_in(vault)) == 1


def test_a_failed_item_is_remembered_in_the_state_until_it_succeeds(
    server, vault, tmp_path, fast_config
):
    server.routes["/flaky"] = Response("down", status=503, content_type="text/plain")
    sources = [server.url("/flaky")]
    first = run(read_sources(sources), fast_config, vault)
    assert first.counts["failed"] == 1

    server.routes["/flaky"] = Response(article_page("Back up", AI_PARAGRAPHS))
    second = run(read_sources(sources), fast_config, vault)
    assert second.counts == {"written": 1, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}


def test_rerun_with_unchanged_pages_writes_nothing(server, vault, fast_config):
    server.routes["/a"] = Response(article_page("Models of the year", AI_PARAGRAPHS))
    run(read_sources([server.url("/a")]), fast_config, vault)
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}

    again = run(read_sources([server.url("/a")]), fast_config, vault)

    assert again.counts["unchanged"] == 1
    assert again.topic_notes_written == 0
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before


def test_conditional_request_uses_the_stored_etag(server, vault, fast_config):
    page = article_page("Models of the year", AI_PARAGRAPHS)

    def etagged(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Response(b"", status=304, headers={"ETag": '"v1"'})
        return Response(page, headers={"ETag": '"v1"'})

    server.routes["/a"] = etagged
    run(read_sources([server.url("/a")]), fast_config, vault)
    second = run(read_sources([server.url("/a")]), fast_config, vault)

    assert second.counts["unchanged"] == 1
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'


def test_changed_page_updates_its_note_in_place(server, vault, fast_config):
    server.routes["/a"] = Response(article_page("Models of the year", AI_PARAGRAPHS))
    run(read_sources([server.url("/a")]), fast_config, vault)
    extra = "Mistral AI answered with Mixtral 8x7B, a mixture of experts model that ran well."
    server.routes["/a"] = Response(article_page("Models of the year", AI_PARAGRAPHS + [extra]))

    report = run(read_sources([server.url("/a")]), fast_config, vault)

    assert report.counts["updated"] == 1
    [(frontmatter, body)] = notes_in(vault)
    assert "![[topics/Model/Mixtral 8x7B]]" in body


def test_same_article_at_two_urls_gives_one_note(server, vault, fast_config):
    page = article_page("Models of the year", AI_PARAGRAPHS)
    server.routes["/2024/models"] = Response(page)
    server.routes["/amp/2024/models"] = Response(page)

    report = run(read_sources([server.url("/2024/models"), server.url("/amp/2024/models")]),
                 fast_config, vault)

    assert report.counts["written"] == 1
    [(frontmatter, _)] = notes_in(vault)
    assert frontmatter["versions"] == [server.url("/amp/2024/models")]


def test_local_markdown_file_keeps_its_frontmatter(vault, tmp_path, fast_config):
    article = tmp_path / "reflections.md"
    article.write_text(
        "---\ntitle: Reflections on open models\nauthor: James Malcolm\ndate: 2024-12-16\n---\n\n"
        + "\n\n".join(p.split("<a")[0] for p in AI_PARAGRAPHS), encoding="utf-8")

    run(read_sources([str(article)]), fast_config, vault)

    [(frontmatter, _)] = notes_in(vault)
    assert frontmatter["title"] == "Reflections on open models"
    assert frontmatter["author"] == "James Malcolm"
    assert frontmatter["published"] == "2024-12-16"
    assert frontmatter["link"] == article.as_uri()


def test_missing_local_file_is_a_failure_not_a_crash(vault, tmp_path, fast_config):
    report = run(read_sources([str(tmp_path / "nope.html")]), fast_config, vault)
    assert report.counts["failed"] == 1
    assert "cannot read" in report.failures[0].detail


def test_url_that_is_not_http_is_refused_by_name(vault, tmp_path, fast_config):
    listing = tmp_path / "list.txt"
    listing.write_text("ftp://files.example.com/paper.pdf\n", encoding="utf-8")
    report = run(read_sources([str(listing)]), fast_config, vault)
    assert "not an http(s) URL: 'ftp://files.example.com/paper.pdf'" in report.failures[0].detail


def test_a_custom_taxonomy_from_the_config_replaces_the_shipped_tags(server, vault, tmp_path):
    from pipeline.config import load_config

    (tmp_path / "my-tags.json").write_text(
        '{"tags": {"Code_Models": {"phrases": ["code", "coder"], "min": 2}}}', encoding="utf-8")
    config_file = tmp_path / "gleaner.toml"
    config_file.write_text('taxonomy = "my-tags.json"\n[fetch]\nhost_delay = 0\n',
                           encoding="utf-8")
    server.routes["/a"] = Response(article_page("Models of the year", AI_PARAGRAPHS))

    run(read_sources([server.url("/a")]), load_config(config_file), vault)

    [(frontmatter, _)] = notes_in(vault)
    assert frontmatter["tags"] == ["Code_Models"]


def test_an_unreadable_taxonomy_is_a_config_error_naming_the_file(vault, tmp_path):
    import pytest

    from pipeline.config import load_config
    from pipeline.errors import ConfigError

    (tmp_path / "tags.json").write_text('{"labels": []}', encoding="utf-8")
    config_file = tmp_path / "gleaner.toml"
    config_file.write_text('taxonomy = "tags.json"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="taxonomy .*tags.json"):
        run(read_sources([str(tmp_path / "none.md")]), load_config(config_file), vault)
