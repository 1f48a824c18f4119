"""A note the person renamed, moved or deleted, met again with its page unchanged (the
server answers 304) and with its page changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import run
from pipeline.sources.lists import read_sources
from pipeline.state.store import State

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

TITLE = "The year in open models"
CHANGED = [*AI_PARAGRAPHS[1:], "Mistral AI answered with Mixtral 8x7B, a mixture of experts "
           "model that runs well on one workstation, according to its first users."]
GLEANER = [sys.executable, "-m", "pipeline"]


def etagged(paragraphs: list[str], tag: str):
    """The page, or 304 to a request that already holds its ETag."""
    def route(handler) -> Response:
        if handler.headers.get("If-None-Match") == tag:
            return Response(b"", status=304, content_type="", headers={"ETag": tag})
        return Response(article_page(TITLE, paragraphs), headers={"ETag": tag})
    return route


@pytest.fixture
def noted(server, vault, fast_config) -> tuple[str, Path]:
    """The article's URL and its note, written by a first run."""
    server.routes["/open-models"] = etagged(AI_PARAGRAPHS, '"v1"')
    url = server.url("/open-models")
    run(read_sources([url]), fast_config, vault)
    [note] = article_notes(vault)
    return url, note


def article_notes(vault: Path) -> list[Path]:
    return sorted(p for p in vault.rglob("*.md") if "topics" not in p.parts)


def change_page(server) -> None:
    server.routes["/open-models"] = etagged(CHANGED, '"v2"')


def rename(note: Path) -> Path:
    renamed = note.with_name("Open models (read in March).md")
    note.rename(renamed)
    return renamed


def move(note: Path) -> Path:
    moved = note.parent / "Reading" / "2024" / note.name
    moved.parent.mkdir(parents=True)
    note.rename(moved)
    return moved


@pytest.mark.parametrize("page_changes", [False, True], ids=["304", "changed page"])
@pytest.mark.parametrize("relocate", [rename, move], ids=["renamed", "moved"])
def test_a_renamed_or_moved_note_is_found_and_its_topic_notes_follow(
        server, vault, fast_config, noted, relocate, page_changes):
    url, note = noted
    placed = relocate(note)
    if page_changes:
        change_page(server)

    report = run(read_sources([url]), fast_config, vault)

    assert report.failures == []
    assert [item.status for item in report.items] == ["updated" if page_changes else "unchanged"]
    assert article_notes(vault) == [placed]
    link = placed.relative_to(vault).with_suffix("").as_posix()
    topic = (vault / "topics" / "Organization" / "Meta.md").read_text(encoding="utf-8")
    assert f"[[{link}|" in topic
    assert f"[[{note.stem}|" not in topic


@pytest.mark.parametrize("page_changes", [False, True], ids=["304", "changed page"])
def test_a_deleted_note_stays_deleted_and_its_item_is_skipped_not_failed(
        server, vault, fast_config, noted, page_changes):
    url, note = noted
    note.unlink()
    if page_changes:
        change_page(server)

    reports = [run(read_sources([url]), fast_config, vault) for _ in range(2)]

    for report in reports:
        assert [(item.status, item.detail.split(";")[0]) for item in report.items] == [
            ("skipped", "you deleted its note")]
    assert article_notes(vault) == []
    topic = (vault / "topics" / "Organization" / "Meta.md").read_text(encoding="utf-8")
    assert note.stem not in topic
    state = State(vault / ".gleaner" / "state.sqlite")
    assert state.failures() == []
    state.close()


def test_a_deleted_note_exits_0_and_restore_brings_it_back(server, vault, noted):
    url, note = noted
    note.unlink()

    skipped = subprocess.run([*GLEANER, "run", url, "--vault", str(vault)], capture_output=True,
                             text=True, timeout=120, check=False)
    failures = subprocess.run([*GLEANER, "failures", "--vault", str(vault)],
                              capture_output=True, text=True, timeout=60, check=False)
    restored = subprocess.run([*GLEANER, "run", "--restore", url, "--vault", str(vault)],
                              capture_output=True, text=True, timeout=120, check=False)

    assert skipped.returncode == 0, skipped.stderr
    assert "1 skipped" in skipped.stdout
    assert failures.stdout == ""
    assert restored.returncode == 0, restored.stderr
    assert "1 notes written" in restored.stdout
    assert [p.name for p in article_notes(vault)] == [note.name]


def test_a_note_a_killed_run_never_wrote_is_made_although_the_server_says_304(
        server, vault, fast_config, noted):
    url, note = noted
    state = State(vault / ".gleaner" / "state.sqlite")
    [(note_id,)] = state.db.execute("SELECT id FROM notes").fetchall()
    record = state.note(note_id)
    with state.transaction():  # as _before_writing leaves it when the run dies before the file
        state.save_note(record.__class__(**{**record.__dict__,
                                            "owned": {**record.owned, "pending": [record.owned]}}),
                        state.fingerprint_of(note_id), len(state.fingerprint_of(note_id)))
    state.close()
    note.unlink()

    report = run(read_sources([url]), fast_config, vault)

    assert [item.status for item in report.items] == ["written"]
    assert article_notes(vault) == [note]
