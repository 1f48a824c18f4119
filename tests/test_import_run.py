"""An import among faults: dead, failing (503) and timing-out URLs, stored copies of dead
pages, --offline, --refetch, malformed rows, duplicate URLs across exports, a second
import, and the person's edits of what an import wrote."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.import_run import ImportOptions, import_exports
from pipeline.orchestrator import run
from pipeline.records import Source
from pipeline.sources.exports.json_stream import array_items
from pipeline.state.store import State
from pipeline.vault.frontmatter import render_frontmatter, split_frontmatter
from pipeline.vault.validate import validate_vault

from .import_fixtures import article_notes, fragment, serve_pages
from .server import LoopbackServer, Response

pytestmark = pytest.mark.timeout(180)
POCKET_HEADER = "title,url,time_added,cursor,tags,status\n"


def pocket(path: Path, rows: list[str]) -> Path:
    path.write_text(POCKET_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def wallabag(path: Path, entries: list[dict]) -> Path:
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_a_mixture_of_faults_loses_nothing_and_names_every_bad_item(
        tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    live = serve_pages(server, 2)
    dead = server.url("/gone")  # 404
    server.routes["/storm"] = Response("busy", status=503)
    server.routes["/slow"] = Response("late", delay=fast_config.fetch.timeout + 1)
    export = pocket(tmp_path / "pocket.csv", [
        f"Live,{live[0]},1700000000,,a,unread",
        f"Dead,{dead},1700000000,,b,unread",
        f"Storm,{server.url('/storm')},1700000000,,,unread",
        f"Slow,{server.url('/slow')},1700000000,,,unread",
        "No URL,,1700000000,,,unread",
        f"Bad date,{live[1]},yesterday,,,unread",
        f"Bad status,{live[1]},1700000000,,,read-later",
        f"Short row,{live[1]}",
        f"Live again,{live[1]},1700000000,,c,archive",
    ])
    stored = wallabag(tmp_path / "wallabag.json", [
        {"url": "https://dead.invalid/kept", "title": "Kept", "content": fragment(5),
         "is_archived": 0, "is_starred": 0, "created_at": "2024-01-01 00:00:00", "tags": []},
        {"url": "https://dead.invalid/nothing", "content": None, "is_archived": 0,
         "is_starred": 0, "created_at": "2024-01-01 00:00:00", "tags": []},
        {"url": "ftp://x", "is_archived": 0, "is_starred": 0, "tags": []},
        {"url": "https://dead.invalid/z", "is_archived": "maybe", "is_starred": 0, "tags": []},
    ])
    broken_zip = tmp_path / "broken.zip"
    broken_zip.write_bytes(b"PK\x03\x04 not really a zip")
    report = import_exports([export, stored, broken_zip], fast_config, vault)
    failed = {item.location: item.detail for item in report.failures}
    assert failed.pop(dead) == "HTTP 404 Not Found"
    assert failed.pop(server.url("/storm")).startswith("HTTP 503")
    assert failed.pop(server.url("/slow")).startswith("timed out")
    assert failed.pop("https://dead.invalid/nothing").startswith("network error")
    assert failed == {
        "pocket.csv row 5": "has no url",
        "pocket.csv row 6": "time_added 'yesterday' is not a date",
        "pocket.csv row 7": "status 'read-later' is neither unread nor archive",
        "pocket.csv row 8": "has 2 cells where the header has 6",
        "wallabag.json item 3": "url 'ftp://x' is not a web address",
        "wallabag.json item 4": "is_archived 'maybe' is neither true nor false",
        "broken.zip": "is no export Gleaner knows (docs/IMPORTING.md lists them)",
    }
    notes = article_notes(vault)
    assert set(notes) == {live[0], live[1], "https://dead.invalid/kept"}
    assert notes[live[1]].frontmatter["already_read"] is True
    assert list(validate_vault(vault)) == []


def test_offline_makes_no_request_and_lists_the_items_without_a_stored_copy(
        tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    live = serve_pages(server, 1)
    export = pocket(tmp_path / "pocket.csv", [f"Live,{live[0]},1700000000,,,unread"])
    stored = wallabag(tmp_path / "w.json", [
        {"url": "https://gone.invalid/a", "title": "A", "content": fragment(6),
         "is_archived": 1, "is_starred": 0, "created_at": "2024-01-01 00:00:00", "tags": []}])
    report = import_exports([export, stored], fast_config, vault,
                            options=ImportOptions(offline=True))
    assert server.requests == []
    skipped = [(item.location, item.detail) for item in report.items
               if item.status == "skipped"]
    assert skipped == [(live[0], "no stored copy in the export, and --offline makes no "
                                 "request")]
    assert set(article_notes(vault)) == {"https://gone.invalid/a"}
    report = import_exports([export, stored], fast_config, vault)  # online: the rest
    assert report.counts["written"] == 1 and set(article_notes(vault)) == \
        {"https://gone.invalid/a", live[0]}


def test_refetch_prefers_the_live_page_and_falls_back_on_the_stored_copy(
        tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    live = serve_pages(server, 1, offset=7)
    stored = wallabag(tmp_path / "w.json", [
        {"url": live[0], "title": "Stored", "content": fragment(8), "is_archived": 0,
         "is_starred": 0, "created_at": "2024-01-01 00:00:00", "tags": []},
        {"url": server.url("/gone"), "title": "Gone now", "content": fragment(9),
         "is_archived": 0, "is_starred": 0, "created_at": "2024-01-01 00:00:00",
         "tags": []}])
    import_exports([stored], fast_config, vault, options=ImportOptions(refetch=True))
    notes = article_notes(vault)
    assert notes[live[0]].frontmatter["title"] == "Saved article number 7"  # the live page
    assert notes[server.url("/gone")].frontmatter["title"] == "Gone now"  # stored copy
    assert {path for path, _ in server.requests} >= {"/saved/7", "/gone"}


def test_pocket_then_raindrop_merge_tags_into_one_note_and_a_second_import_writes_nothing(
        tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    urls = serve_pages(server, 2)
    first = pocket(tmp_path / "pocket.csv", [f"One,{urls[0]},1700000000,,ai|later,unread",
                                             f"Two,{urls[1]},1700000000,,,unread",
                                             f"One again,{urls[0]},1700000001,,twice,unread"])
    second = tmp_path / "raindrop.csv"
    second.write_text(
        "id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite\n"
        f'1,One,,,{urls[0]},Unsorted,"evals, ai",2024-05-01T00:00:00Z,,Quote one,true\n',
        encoding="utf-8")
    report = import_exports([first], fast_config, vault)
    assert report.counts == {"written": 2, "updated": 0, "unchanged": 1, "skipped": 0,
                             "failed": 0}
    requests = len(server.requests)
    report = import_exports([second], fast_config, vault)
    assert len(server.requests) == requests  # the article had its note: no request
    notes = article_notes(vault)
    assert len(notes) == 2
    one = notes[urls[0]]
    assert {"ai", "later", "twice", "evals"} <= set(one.frontmatter["tags"])
    assert one.frontmatter["tags"].count("ai") == 1
    assert one.frontmatter["favorite"] is True and one.frontmatter["saved"] == "2023-11-14"
    assert "> Quote one" in one.sections["Highlights"]
    texts = {path: path.read_text(encoding="utf-8") for path in vault.rglob("*.md")}
    stamps = {path: path.stat().st_mtime_ns for path in texts}
    report = import_exports([first, second], fast_config, vault)
    assert report.counts["written"] == report.counts["updated"] == 0
    assert report.topic_notes_written == 0
    assert {path: path.stat().st_mtime_ns for path in texts} == stamps
    assert len(server.requests) == requests


def test_what_an_import_wrote_is_the_persons_from_then_on(
        tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    urls = serve_pages(server, 1)
    export = pocket(tmp_path / "pocket.csv", [f"One,{urls[0]},1700000000,,ai|later,archive"])
    extra = tmp_path / "raindrop.csv"
    extra.write_text(
        "id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite\n"
        f"1,One,,,{urls[0]},Unsorted,new-one,2024-05-01T00:00:00Z,,A passage,false\n",
        encoding="utf-8")
    import_exports([export, extra], fast_config, vault)
    note = article_notes(vault)[urls[0]]
    frontmatter, body = split_frontmatter(note.path.read_text(encoding="utf-8"))
    frontmatter["tags"].remove("later")
    frontmatter["already_read"] = False
    del frontmatter["saved"]
    body = body.replace("> A passage", "> A passage\n\nMy own words.")
    note.path.write_text(render_frontmatter(frontmatter) + body, encoding="utf-8")
    import_exports([export, extra], fast_config, vault)  # the exports again
    run([Source(urls[0], "reading-list")], fast_config, vault)  # and Gleaner's refresh
    server.routes["/saved/0"].body += " "  # a changed page: Gleaner rewrites its parts
    run([Source(urls[0], "reading-list")], fast_config, vault)
    after = article_notes(vault)[urls[0]]
    assert "later" not in after.frontmatter["tags"] and "ai" in after.frontmatter["tags"]
    assert after.frontmatter["already_read"] is False and "saved" not in after.frontmatter
    assert "> A passage\n\nMy own words." in after.sections["Highlights"]
    assert after.frontmatter["tags"].count("new-one") == 1


@seed(16)
@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["url", "title", "n", "tags"]),
                                st.one_of(st.text(), st.integers(), st.lists(st.text()))),
                max_size=8),
       st.integers(min_value=1, max_value=40), st.booleans())
def test_json_arrays_are_read_element_by_element_as_a_whole_parse_reads_them(
        entries: list, chunk: int, under_key: bool):
    import pipeline.sources.exports.json_stream as json_stream

    document = json.dumps({"lists": [1, {"a": "]"}], "bookmarks": entries} if under_key
                          else entries, indent=1)
    original, json_stream.CHUNK_CHARS = json_stream.CHUNK_CHARS, chunk
    try:
        read = list(array_items(io.StringIO(document), "bookmarks" if under_key else None))
    finally:
        json_stream.CHUNK_CHARS = original
    assert read == entries


def test_a_re_import_finds_each_notes_urls_through_an_index_not_a_scan(tmp_path: Path):
    """Each known row looks up its note's URLs: a scan of every URL per row made a
    re-import of 10,000 rows grow with the square of the rows."""
    state = State(tmp_path / "state.sqlite")
    try:
        plan = state.db.execute("EXPLAIN QUERY PLAN SELECT url FROM note_urls "
                                "WHERE note_id = ? ORDER BY url", (1,)).fetchall()
    finally:
        state.close()
    assert any("USING INDEX note_urls_by_note" in row[-1] for row in plan)
