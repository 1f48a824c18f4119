"""Command-line arguments and reading lists become Sources."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.sources.lists import read_sources


def test_reading_list_skips_comments_and_blank_lines(tmp_path: Path):
    listing = tmp_path / "weekend.txt"
    listing.write_text("# weekend reading\n\nhttps://a.example/1\n  https://a.example/2  # later\n",
                       encoding="utf-8")
    sources = list(read_sources([str(listing)]))
    assert [s.location for s in sources] == ["https://a.example/1", "https://a.example/2"]
    assert {s.origin for s in sources} == {"weekend"}


def test_paths_in_a_reading_list_are_relative_to_the_list(tmp_path: Path):
    (tmp_path / "saved").mkdir()
    listing = tmp_path / "list.txt"
    listing.write_text("saved/post.html\n", encoding="utf-8")
    [source] = read_sources([str(listing)])
    assert source.is_file
    assert source.location == str(tmp_path / "saved" / "post.html")


def test_urls_files_and_stdin_mix_on_one_command_line(tmp_path: Path):
    article = tmp_path / "post.md"
    article.write_text("# Post\n", encoding="utf-8")
    stdin = io.StringIO("https://b.example/x\n")
    sources = list(read_sources(["https://a.example/", str(article), "-"], stdin=stdin))
    assert [(s.location, s.is_file) for s in sources] == [
        ("https://a.example/", False),
        (str(article.resolve()), True),
        ("https://b.example/x", False),
    ]
