"""A person's edits survive re-runs; a note is found again wherever the person moved it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import yaml

from pipeline import run
from pipeline.sources.lists import read_sources
from pipeline.vault.files import Vault
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.validate import validate_vault

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

TITLE = "The year in open models"
MY_PARAGRAPH = "My take: the open models caught up faster than I expected. Re-read in June."
REVISED = [
    *AI_PARAGRAPHS[:2],
    "Mistral AI answered with Mixtral 8x7B, a mixture of experts model that, according to "
    '<a href="https://example.org/mixtral-notes">the notes of its first users</a>, runs '
    "well on one workstation.",
    "Google made Gemini 1.5 Pro's two million token context window available to every "
    "developer, which changed how people feed long documents to a model.",
]


def article_notes(vault: Path) -> list[Path]:
    return [p for p in vault.rglob("*.md") if "topics" not in p.parts]


def section(body: str, name: str) -> str:
    return body.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]


def edit_like_a_person(note: Path) -> Path:
    """Tick already_read, add a tag, write a paragraph under the summary, rename the file."""
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    frontmatter["already_read"] = True
    frontmatter["tags"].append("to_discuss")
    summary = section(body, "Summary")
    body = body.replace(summary, f"{summary}\n{MY_PARAGRAPH}\n", 1)
    renamed = note.with_name("Open models - read.md")
    renamed.write_text("---\n" + yaml.safe_dump(frontmatter) + "---\n" + body, encoding="utf-8")
    note.unlink()
    return renamed


def test_person_edits_survive_a_rerun_on_changed_content_and_owned_parts_update(
    server, vault, fast_config
):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    old_summary = section(split_frontmatter(note.read_text(encoding="utf-8"))[1], "Summary")
    renamed = edit_like_a_person(note)
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    report = run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert report.counts["updated"] == 1
    assert report.kept_edits == []
    assert article_notes(vault) == [renamed]
    frontmatter, body = split_frontmatter(renamed.read_text(encoding="utf-8"))
    assert frontmatter["already_read"] is True
    assert "to_discuss" in frontmatter["tags"]
    summary = section(body, "Summary")
    assert summary != old_summary and "Mixtral" in summary + section(body, "Links")
    assert summary.rstrip().endswith(MY_PARAGRAPH)
    assert "https://example.org/mixtral-notes" in section(body, "Links")
    assert "https://example.org/qwen-review" not in section(body, "Links")
    assert "![[topics/Model/Mixtral 8x7B]]" in section(body, "Topics")
    topic = (vault / "topics/Model/Mixtral 8x7B.md").read_text(encoding="utf-8")
    assert "[[Open models - read|" in topic
    assert list(validate_vault(vault)) == []


def test_note_moved_into_a_folder_is_updated_there(server, vault, fast_config):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    moved = vault / "Reading" / "2024" / "open models.md"
    moved.parent.mkdir(parents=True)
    note.rename(moved)
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert article_notes(vault) == [moved]
    assert "Mixtral 8x7B" in moved.read_text(encoding="utf-8")


def test_persons_own_note_under_the_old_name_is_not_mistaken_for_gleaners(
    server, vault, fast_config
):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    renamed = note.rename(note.with_name("Archived - open models.md"))
    mine = "---\ntags:\n- journal\n---\nMy own page that happens to take the old name.\n"
    note.write_text(mine, encoding="utf-8")
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert note.read_text(encoding="utf-8") == mine
    assert "Mixtral 8x7B" in renamed.read_text(encoding="utf-8")
    assert sorted(article_notes(vault)) == sorted([note, renamed])


def test_persons_own_note_with_the_articles_link_keeps_its_text_and_gets_no_twin(
    server, vault, fast_config
):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    clipping = vault / "Clipped - open models.md"
    clipping.parent.mkdir(parents=True)
    clipping.write_text(
        f"---\nlink: {server.url('/open-models')}\nmood: hopeful\n---\n"
        "My notes while reading.\n## Summary\n\nIn my words: open models got good.\n",
        encoding="utf-8")

    report = run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert article_notes(vault) == [clipping]
    frontmatter, body = split_frontmatter(clipping.read_text(encoding="utf-8"))
    assert frontmatter["mood"] == "hopeful"
    assert body.startswith("My notes while reading.\n")
    assert section(body, "Summary").strip() == "In my words: open models got good."
    assert "## Topics" in body
    assert f"{clipping.name}: section 'Summary'" in report.kept_edits


def test_frontmatter_rewritten_by_obsidian_is_still_merged_without_false_edits(
    server, vault, fast_config
):
    """Obsidian's property editor writes dates unquoted, may use flow lists, and an editor
    on Windows may save CRLF line ends: none of that is a person's edit."""
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    text = note.read_text(encoding="utf-8")
    upload = split_frontmatter(text)[0]["upload_date"]
    text = text.replace(f"upload_date: '{upload}'", f"upload_date: {upload}")
    text = text.replace("published: '2024-11-05'", "published: 2024-11-05")
    note.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    report = run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert report.kept_edits == []
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    assert frontmatter["upload_date"] == upload
    assert "![[topics/Model/Mixtral 8x7B]]" in body
    assert list(validate_vault(vault)) == []


def test_note_the_person_broke_is_left_untouched_and_the_item_fails_with_the_reason(
    server, vault, fast_config
):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    broken = note.read_text(encoding="utf-8").replace("type: Content\n", "type: [Content\n")
    note.write_text(broken, encoding="utf-8")
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    report = run(read_sources([server.url("/open-models")]), fast_config, vault)

    assert note.read_text(encoding="utf-8") == broken
    assert article_notes(vault) == [note]
    assert "cannot be read, left untouched" in report.failures[0].detail


def test_persons_rewrite_of_the_summary_wins_and_the_run_report_names_it(
    server, vault, fast_config
):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    [note] = article_notes(vault)
    text = note.read_text(encoding="utf-8")
    summary = section(split_frontmatter(text)[1], "Summary")
    note.write_text(text.replace(summary, "\nMy own summary, in my words.\n"), encoding="utf-8")
    server.routes["/open-models"] = Response(article_page(TITLE, REVISED))

    report = run(read_sources([server.url("/open-models")]), fast_config, vault)

    body = split_frontmatter(note.read_text(encoding="utf-8"))[1]
    assert section(body, "Summary").strip() == "My own summary, in my words."
    assert "![[topics/Model/Mixtral 8x7B]]" in section(body, "Topics")
    assert report.kept_edits == [f"{note.name}: section 'Summary'"]
    saved = json.loads(max((vault / ".gleaner" / "reports").glob("run-*.json")).read_text())
    assert saved["kept_edits"] == report.kept_edits


def test_two_articles_with_one_title_get_two_notes_and_keep_them_apart(
    server, vault, fast_config
):
    server.routes["/a"] = Response(article_page(TITLE, AI_PARAGRAPHS[:3]))
    server.routes["/b"] = Response(article_page(TITLE, REVISED[2:] + AI_PARAGRAPHS[3:]))
    sources = [server.url("/a"), server.url("/b")]
    run(read_sources(sources), fast_config, vault)

    again = run(read_sources(sources), fast_config, vault)

    assert again.counts["unchanged"] == 2
    links = {p.name: split_frontmatter(p.read_text(encoding="utf-8"))[0]["link"]
             for p in article_notes(vault)}
    assert links == {f"{TITLE}.md": server.url("/a"), f"{TITLE} (2).md": server.url("/b")}


def test_persons_lines_and_organization_in_a_topic_note_survive(server, vault, fast_config):
    server.routes["/open-models"] = Response(article_page(TITLE, AI_PARAGRAPHS))
    run(read_sources([server.url("/open-models")]), fast_config, vault)
    topic = vault / "topics/Model/Llama 3.1 405B.md"
    text = topic.read_text(encoding="utf-8")
    frontmatter, body = split_frontmatter(text)
    frontmatter["organization"] = "Meta AI"
    body += "\nSee also my benchmark notes in [[Benchmarks]].\n"
    topic.write_text("---\n" + yaml.safe_dump(frontmatter) + "---\n" + body, encoding="utf-8")
    server.routes["/more"] = Response(article_page("Llama in production", [
        "We moved our support assistant from a hosted API to Llama 3.1 405B running on our own "
        "cluster in September, and the bill dropped by two thirds within a month.",
        "Latency was the hard part: batching requests and quantizing the weights to eight bits "
        "brought the median answer time under two seconds for our customers.",
    ]))

    run(read_sources([server.url("/more")]), fast_config, vault)

    frontmatter, body = split_frontmatter(topic.read_text(encoding="utf-8"))
    assert frontmatter["organization"] == "Meta AI"
    assert "[[Llama in production|Llama in production]]" in body
    assert body.rstrip().endswith("See also my benchmark notes in [[Benchmarks]].")


def test_a_new_note_gets_the_permissions_the_umask_gives(tmp_path: Path):
    Vault(tmp_path).write("Note.md", "text\n")
    mask = os.umask(0o022)
    os.umask(mask)

    assert stat.S_IMODE((tmp_path / "Note.md").stat().st_mode) == 0o666 & ~mask


def test_a_rewritten_note_keeps_the_permissions_a_person_set(tmp_path: Path):
    vault = Vault(tmp_path)
    vault.write("Note.md", "first\n")
    (tmp_path / "Note.md").chmod(0o640)

    vault.write("Note.md", "second\n")

    assert stat.S_IMODE((tmp_path / "Note.md").stat().st_mode) == 0o640
    assert (tmp_path / "Note.md").read_text(encoding="utf-8") == "second\n"
