"""Reading lists in every format become Sources, told apart by content, read lazily."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pipeline import run
from pipeline.errors import ConfigError
from pipeline.fetch.pages import fetch_pages
from pipeline.records import Page
from pipeline.sources.lists import read_reading_list, read_sources
from pipeline.vault.frontmatter import split_frontmatter

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response


def text_list(urls: list[str]) -> str:
    return "# saved\n" + "".join(f"{url}  # later\n\n" for url in urls)


def csv_list(urls: list[str]) -> str:
    rows = "".join(f'"Open models, part {n}",{url},17000000{n}\n' for n, url in enumerate(urls))
    return "title,url,time_added\n" + rows


def opml_list(urls: list[str]) -> str:
    outlines = "".join(f'<outline type="link" text="A" url="{url}"/>\n' for url in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>Saved'
            f'</title></head><body><outline text="Reading">\n{outlines}</outline></body></opml>\n')


def bookmarks_list(urls: list[str]) -> str:
    marks = "".join(f'        <DT><A HREF="{url}" ADD_DATE="1700000000">A</A>\n'
                    '        <DT><A HREF="place:sort=8&maxResults=10">Recent tags</A>\n'
                    for url in urls)
    return ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file."
            " -->\n<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n"
            "<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"
            f"    <DT><H3 ADD_DATE=\"1700000000\">AI</H3>\n    <DL><p>\n{marks}"
            "    </DL><p>\n</DL><p>\n")


def markdown_list(urls: list[str]) -> str:
    items = "".join(f"- [Open models]({url}) via [a friend](https://friend.example/)\n"
                    if n % 2 == 0 else f"- <{url}>\n" for n, url in enumerate(urls))
    return f"# Reading list\n\nThings I saved this week:\n\n{items}"


def json_urls(urls: list[str]) -> str:
    return json.dumps(urls)


def json_objects(urls: list[str]) -> str:
    return json.dumps({"items": [{"url": url, "title": "A", "tags": ["ai"]} for url in urls]})


OTHER_PARAGRAPHS = [
    "Evaluations became the quiet centre of applied work this year: teams that measured their "
    "prompts shipped faster than teams that argued about them.",
    "Retrieval pipelines grew up as well, with hybrid search and rerankers replacing the naive "
    "vector lookups that most early prototypes relied on.",
    "Small models fine-tuned on narrow tasks kept beating general ones on cost, and several "
    "companies described moving whole workloads onto them.",
]

FORMATS = {
    "text": (text_list, "week.txt"),
    "csv": (csv_list, "pocket.csv"),
    "opml": (opml_list, "saved.opml"),
    "bookmarks": (bookmarks_list, "bookmarks.html"),
    "markdown": (markdown_list, "links.md"),
    "json-urls": (json_urls, "urls.json"),
    "json-objects": (json_objects, "export.json"),
}


@pytest.fixture
def two_pages(server):
    server.routes["/a"] = Response(article_page("First article", AI_PARAGRAPHS))
    server.routes["/b"] = Response(article_page("Second article", OTHER_PARAGRAPHS))
    return server.url("/a"), server.url("/b")


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_reading_list_format_fetches_its_urls_from_the_server(kind, two_pages, tmp_path,
                                                                   fast_config):
    render, name = FORMATS[kind]
    listing = tmp_path / name
    listing.write_text(render(list(two_pages)), encoding="utf-8")

    outcomes = list(fetch_pages(read_sources([str(listing)]), fast_config.fetch, lambda u: None))

    assert [source.location for source, _ in outcomes] == list(two_pages)
    assert all(isinstance(page, Page) and b"<article>" in page.content for _, page in outcomes)
    assert {source.origin for source, _ in outcomes} == {listing.stem}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_format_is_recognised_from_content_whatever_the_file_is_called(kind, tmp_path):
    render, _ = FORMATS[kind]
    listing = tmp_path / "saved-things"
    listing.write_text(render(["https://a.example/1", "https://b.example/2"]), encoding="utf-8")
    assert [s.location for s in read_sources([str(listing)])] == [
        "https://a.example/1", "https://b.example/2"]


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_format_reads_from_stdin(kind):
    render, _ = FORMATS[kind]
    stdin = io.StringIO(render(["https://a.example/1", "https://b.example/2"]))
    sources = list(read_sources(["-"], stdin=stdin))
    assert [s.location for s in sources] == ["https://a.example/1", "https://b.example/2"]
    assert {s.origin for s in sources} == {"stdin"}


def test_a_bookmark_export_becomes_notes_named_after_the_list(two_pages, tmp_path, vault,
                                                              fast_config):
    listing = tmp_path / "bookmarks.html"
    listing.write_text(bookmarks_list(list(two_pages)), encoding="utf-8")

    report = run(read_sources([str(listing)]), fast_config, vault)

    assert report.counts["written"] == 2
    sources = {split_frontmatter(p.read_text(encoding="utf-8"))[0]["source"]
               for p in vault.glob("*.md")}
    assert sources == {"bookmarks"}


def test_a_markdown_article_is_an_article_but_a_markdown_link_list_is_a_list(tmp_path):
    article = tmp_path / "essay.md"
    article.write_text("# On open models\n\nOpen models got good this year, and [one review]"
                       "(https://a.example/r) explains why.\n\nA second paragraph of prose.\n",
                       encoding="utf-8")
    listing = tmp_path / "links.md"
    listing.write_text(markdown_list(["https://a.example/1", "https://b.example/2"]),
                       encoding="utf-8")

    [essay] = read_sources([str(article)])
    assert essay.is_file and essay.location == str(article.resolve())
    assert [s.location for s in read_sources([str(listing)])] == [
        "https://a.example/1", "https://b.example/2"]


def test_opml_feed_outlines_become_feed_sources_named_after_the_feed(tmp_path):
    listing = tmp_path / "subscriptions.opml"
    listing.write_text('<?xml version="1.0"?><opml version="1.0"><body><outline text="Blogs">'
                       '<outline type="rss" text="Kamiwaza Blog" xmlUrl="https://k.example/rss"'
                       ' htmlUrl="https://k.example/"/></outline></body></opml>',
                       encoding="utf-8")
    [source] = read_sources([str(listing)])
    assert (source.location, source.kind, source.origin) == (
        "https://k.example/rss", "feed", "Kamiwaza Blog")


def test_csv_without_a_url_column_is_refused_by_name(tmp_path):
    listing = tmp_path / "export.csv"
    listing.write_text("title,added\nSomething,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"export\.csv: CSV reading list has no url column"):
        list(read_sources([str(listing)]))


def test_opml_that_declares_entities_is_refused(tmp_path):
    listing = tmp_path / "bomb.opml"
    listing.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
                       '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml><body>'
                       '<outline url="https://a.example/&b;"/></body></opml>', encoding="utf-8")
    with pytest.raises(ConfigError, match="declares the XML entity 'a'"):
        list(read_sources([str(listing)]))


class CountingStream(io.StringIO):
    """A text stream that counts how many characters were read from it."""

    consumed = 0

    def read(self, size: int | None = -1) -> str:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> str:
        line = super().readline(size)
        self.consumed += len(line)
        return line

    def __next__(self) -> str:
        line = super().__next__()
        self.consumed += len(line)
        return line


@pytest.mark.parametrize("kind", ["text", "csv", "opml", "bookmarks", "markdown"])
def test_long_lists_are_read_lazily(kind):
    render, _ = FORMATS[kind]
    urls = [f"https://a.example/{n}" for n in range(40_000)]
    stream = CountingStream(render(urls))

    sources = read_reading_list(stream, origin="big", base=Path.cwd())
    taken = [next(sources).location for _ in range(3)]

    assert taken == urls[:3]
    assert stream.consumed < len(stream.getvalue()) / 4
