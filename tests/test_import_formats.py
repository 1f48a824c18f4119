"""One test per export format, on files written in the documented shape of each service's
export (docs/IMPORTING.md cites each layout): the notes made, the person's tags kept beside
Gleaner's, read status, save date, favourites and highlights."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.import_run import import_exports
from pipeline.sources.exports import export_kind
from pipeline.vault.validate import validate_vault

from .import_fixtures import article_notes, fragment, serve_pages
from .server import LoopbackServer

pytestmark = pytest.mark.timeout(120)


def imported(files: list[Path], vault: Path, config: Config, **options) -> dict:
    from pipeline.import_run import ImportOptions

    report = import_exports(files, config, vault, options=ImportOptions(**options))
    assert list(validate_vault(vault)) == []
    return {"report": report, "notes": article_notes(vault)}


def test_pocket_csv(tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    urls = serve_pages(server, 3)
    export = tmp_path / "part_000000.csv"
    export.write_text(
        "title,url,time_added,cursor,tags,status\n"
        f"First,{urls[0]},1700000000,,ai|machine learning,archive\n"
        f'"Second, with a comma",{urls[1]},1710000000,abc,,unread\n'
        f"Third,{urls[2]},1600000000,,reading,unread\n", encoding="utf-8")
    assert export_kind(export) == "csv"
    result = imported([export], vault, fast_config)
    notes = result["notes"]
    assert len(notes) == 3 and result["report"].counts["written"] == 3
    first, second, third = (notes[url].frontmatter for url in urls)
    assert {"ai", "machine_learning"} <= set(first["tags"])
    assert len(first["tags"]) > 2  # Gleaner's own tags beside the person's
    assert first["already_read"] is True and second["already_read"] is False
    assert (first["saved"], second["saved"], third["saved"]) == \
        ("2023-11-14", "2024-03-09", "2020-09-13")
    assert "reading" in third["tags"] and "favorite" not in first
    assert first["source"] == "Pocket"


def test_pocket_html(tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    urls = serve_pages(server, 2)
    export = tmp_path / "ril_export.html"
    export.write_text(f"""<!DOCTYPE html>
<html>
	<!--So long and thanks for all the fish-->
	<head>
		<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
		<title>Pocket Export</title>
	</head>
	<body>
		<h1>Unread</h1>
		<ul>
			<li><a href="{urls[0]}" time_added="1650000000" tags="longread,politics">First</a></li>
		</ul>

		<h1>Read Archive</h1>
		<ul>
			<li><a href="{urls[1]}" time_added="1500000000" tags="">Second</a></li>
		</ul>
	</body>
</html>
""", encoding="utf-8")
    notes = imported([export], vault, fast_config)["notes"]
    unread, archived = notes[urls[0]].frontmatter, notes[urls[1]].frontmatter
    assert {"longread", "politics"} <= set(unread["tags"])
    assert unread["already_read"] is False and archived["already_read"] is True
    assert (unread["saved"], archived["saved"]) == ("2022-04-15", "2017-07-14")


def test_instapaper_csv(tmp_path: Path, vault: Path, server: LoopbackServer,
                        fast_config: Config):
    urls = serve_pages(server, 3)
    export = tmp_path / "instapaper-export.csv"
    export.write_text(
        "URL,Title,Selection,Folder,Timestamp,Tags\n"
        f'{urls[0]},First,"The passage I marked.",Archive,1700000000,"[""coding""]"\n'
        f"{urls[1]},Second,,Starred,1700000100,[]\n"
        f"{urls[2]},Third,,Deep Reads,1700000200,\n", encoding="utf-8")
    notes = imported([export], vault, fast_config)["notes"]
    first, second, third = (notes[url] for url in urls)
    assert first.frontmatter["already_read"] is True and "coding" in first.frontmatter["tags"]
    assert "> [!quote]\n> The passage I marked." in first.sections["Highlights"]
    assert second.frontmatter["favorite"] is True and second.frontmatter["already_read"] is False
    assert "Deep_Reads" in third.frontmatter["tags"]  # a folder of the person's: a tag
    assert third.frontmatter["saved"] == "2023-11-14"


def test_raindrop_csv(tmp_path: Path, vault: Path, server: LoopbackServer, fast_config: Config):
    urls = serve_pages(server, 2)
    export = tmp_path / "raindrop-export.csv"
    export.write_text(
        "id,title,note,excerpt,url,folder,tags,created,cover,highlights,favorite\n"
        f'101,"First","Worth a second read.","An excerpt",{urls[0]},Research/AI,"llm, evals",'
        f'2024-01-02T03:04:05.123Z,,"Highlight:Models are getting cheaper.\nNote:True for '
        f'inference.\nHighlight:Another passage.",true\n'
        f"102,Second,,,{urls[1]},Unsorted,,1704164645,,,false\n", encoding="utf-8")
    notes = imported([export], vault, fast_config)["notes"]
    first, second = notes[urls[0]], notes[urls[1]]
    assert {"llm", "evals"} <= set(first.frontmatter["tags"])
    assert first.frontmatter["favorite"] is True and "favorite" not in second.frontmatter
    assert first.frontmatter["saved"] == "2024-01-02" and second.frontmatter["saved"] == \
        "2024-01-02"
    highlights = first.sections["Highlights"]
    assert "> [!quote]\n> Models are getting cheaper.\n\nTrue for inference." in highlights
    assert "> Another passage." in highlights and "Worth a second read." in highlights
    body = first.path.read_text(encoding="utf-8")
    assert body.index("## Summary") < body.index("## Highlights") < body.index("## Links")


def test_readwise_reader_csv(tmp_path: Path, vault: Path, server: LoopbackServer,
                             fast_config: Config):
    urls = serve_pages(server, 2)
    export = tmp_path / "readwise.csv"
    export.write_text(
        "Title,URL,ID,Document tags,Saved date,Reading progress,Location,Seen\n"
        f"First,{urls[0]},01gmjxjdxs6snfysns8hj3ssnk,\"['ai', 'to read']\","
        "2022-11-06 04:33:50+00:00,1,archive,True\n"
        f"Second,{urls[1]},01gmjxjdxs6snfysns8hj3ssnm,[],2023-01-15 10:00:00+00:00,0,new,"
        "False\n", encoding="utf-8")
    notes = imported([export], vault, fast_config)["notes"]
    first, second = notes[urls[0]].frontmatter, notes[urls[1]].frontmatter
    assert {"ai", "to_read"} <= set(first["tags"])
    assert first["already_read"] is True and second["already_read"] is False
    assert (first["saved"], second["saved"]) == ("2022-11-06", "2023-01-15")


def test_omnivore_zip_needs_no_request(tmp_path: Path, vault: Path, fast_config: Config):
    export = tmp_path / "omnivore-export.zip"
    metadata = [
        {"id": "a1", "slug": "first-post", "title": "First post", "description": "",
         "author": "Ada Writer", "url": "https://gone.invalid/first", "state": "Archived",
         "readingProgress": 100, "thumbnail": None, "labels": ["Newsletter", "ai"],
         "savedAt": "2024-02-03T04:05:06.000Z", "updatedAt": "2024-02-04T00:00:00.000Z",
         "publishedAt": "2024-01-30T00:00:00.000Z"},
        {"id": "a2", "slug": "second-post", "title": "Second post", "description": "",
         "author": None, "url": "https://gone.invalid/second", "state": "Succeeded",
         "readingProgress": 0, "thumbnail": None, "labels": [],
         "savedAt": "2024-02-05T04:05:06.000Z", "updatedAt": "2024-02-05T04:05:06.000Z",
         "publishedAt": None},
    ]
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("metadata_0_to_2.json", json.dumps(metadata, indent=2))
        archive.writestr("content/first-post.html", fragment(0))
        archive.writestr("content/second-post.html", fragment(1))
        archive.writestr("highlights/first-post.md",
                         "> attention is the scarce resource \n\n#focus\n\nMy note on it.\n\n"
                         "> a second highlight\n> over two lines ")
    result = imported([export], vault, fast_config, offline=True)
    notes = result["notes"]
    assert len(notes) == 2 and result["report"].counts["written"] == 2
    first, second = notes["https://gone.invalid/first"], notes["https://gone.invalid/second"]
    assert {"Newsletter", "ai"} <= set(first.frontmatter["tags"])
    assert first.frontmatter["already_read"] is True
    assert second.frontmatter["already_read"] is False
    assert first.frontmatter["saved"] == "2024-02-03"
    assert first.frontmatter["author"] == "Ada Writer"
    assert "> attention is the scarce resource\n\nMy note on it." in \
        first.sections["Highlights"]
    assert "> a second highlight over two lines" in first.sections["Highlights"]
    assert "Highlights" not in second.sections


def test_wallabag_json(tmp_path: Path, vault: Path, fast_config: Config):
    export = tmp_path / "wallabag.json"
    entries = [
        {"id": 2847, "title": "First entry", "url": "https://gone.invalid/w1",
         "content": fragment(2), "is_archived": 1, "is_starred": 1,
         "created_at": "2025-03-15 09:08:33", "published_at": "2024-11-01 00:00:00",
         "published_by": ["Geir Arne"], "tags": ["python", "programming"],
         "annotations": [{"id": 5, "text": "Key finding", "quote": "A quoted passage",
                          "ranges": [], "created_at": "2025-06-29T10:20:00+0000"}]},
        {"id": 3102, "title": "Second entry", "url": "https://gone.invalid/w2",
         "content": fragment(3), "is_archived": 0, "is_starred": 0,
         "created_at": "2025-06-10T22:15:44+0000",
         "tags": [{"id": 10, "label": "css", "slug": "css"}], "annotations": []},
    ]
    export.write_text(json.dumps(entries), encoding="utf-8")
    notes = imported([export], vault, fast_config, offline=True)["notes"]
    first, second = notes["https://gone.invalid/w1"], notes["https://gone.invalid/w2"]
    assert {"python", "programming"} <= set(first.frontmatter["tags"])
    assert "css" in second.frontmatter["tags"]
    assert first.frontmatter["already_read"] is True and first.frontmatter["favorite"] is True
    assert second.frontmatter["already_read"] is False
    assert (first.frontmatter["saved"], second.frontmatter["saved"]) == \
        ("2025-03-15", "2025-06-10")
    assert first.frontmatter["published"] == "2024-11-01"
    assert "> [!quote]\n> A quoted passage\n\nKey finding" in first.sections["Highlights"]


def test_karakeep_json(tmp_path: Path, vault: Path, server: LoopbackServer,
                       fast_config: Config):
    urls = serve_pages(server, 2)
    export = tmp_path / "karakeep-export.json"
    export.write_text(json.dumps({"bookmarks": [
        {"createdAt": 1720000000, "title": "First", "tags": ["ai", "agents"],
         "lists": [], "content": {"type": "link", "url": urls[0]},
         "note": "Read this again.", "archived": True, "favourited": True},
        {"createdAt": 1720000500, "title": None, "tags": [], "content": {
            "type": "text", "text": "a thought, no link"}, "note": None, "archived": False},
        {"createdAt": 1720001000, "title": "Second", "tags": [],
         "content": {"type": "link", "url": urls[1]}, "note": None, "archived": False},
    ], "lists": []}), encoding="utf-8")
    result = imported([export], vault, fast_config)
    notes = result["notes"]
    assert len(notes) == 2
    assert result["report"].not_articles == {"not a link (a text or file bookmark)": 1}
    first, second = notes[urls[0]], notes[urls[1]]
    assert {"ai", "agents"} <= set(first.frontmatter["tags"])
    assert first.frontmatter["already_read"] is True and first.frontmatter["favorite"] is True
    assert first.frontmatter["saved"] == "2024-07-03" and second.frontmatter["saved"] == \
        "2024-07-03"
    assert "Read this again." in first.sections["Highlights"]


def test_netscape_bookmarks(tmp_path: Path, vault: Path, server: LoopbackServer,
                            fast_config: Config):
    urls = serve_pages(server, 2)
    export = tmp_path / "bookmarks.html"
    export.write_text(f"""<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3>Reading</H3>
    <DL><p>
        <DT><A HREF="{urls[0]}" ADD_DATE="1700000000" TAGS="ml,papers">First</A>
        <DT><A HREF="{urls[1]}" ADD_DATE="1600000000">Second</A>
        <DT><A HREF="javascript:void(0)">A bookmarklet</A>
    </DL><p>
</DL><p>
""", encoding="utf-8")
    result = imported([export], vault, fast_config)
    notes = result["notes"]
    assert len(notes) == 2 and result["report"].counts["failed"] == 1
    first = notes[urls[0]].frontmatter
    assert {"ml", "papers"} <= set(first["tags"]) and first["saved"] == "2023-11-14"
    assert first["already_read"] is False
