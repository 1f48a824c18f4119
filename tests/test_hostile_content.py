"""Hostile titles, authors, tags and text cannot break a note, escape the vault or inject
Obsidian syntax (embeds, wikilinks, links, comments, tags, templates, queries, headings)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline import run
from pipeline.errors import NoteError
from pipeline.records import Analysis, Article, Link, NoteDraft, Topic
from pipeline.sources.lists import read_sources
from pipeline.vault.files import MAX_NAME_BYTES, RESERVED, Vault, safe_name
from pipeline.vault.frontmatter import render_frontmatter, split_frontmatter
from pipeline.vault.notes import OWNED_SECTIONS, gleaner_tags, render_note
from pipeline.vault.sections import PREAMBLE, split_sections
from pipeline.vault.validate import frontmatter_problems, validate_vault

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

HOSTILE = ["../", "..\\", "/", "\\", ":", '"', "'", "\n", "\r\n", "\t", "#", "#tag", "# ", "|",
           "^", "^block", "[[", "]]", "![[", "![", "](", "[x](obsidian://open)", "{{", "}}",
           "%%", "==", "`", "`$=dv.x`", "<script>", "<!--", "&", "&amp;", "🦙", "👩‍💻", "مرحبا",
           "שלום", "\u202e", "\u200f", " - ", "- ", "---", "yes", "no", "null", "~",
           "2024-01-01", "*a", "&b", "!tag", "? ", "@", "\x00", "\x85", "\u2028", "\ufeff",
           "CON", "nul.txt", " ", ".", "…"]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)),
                        max_size=24).map("".join)
URL = "https://example.com/2024/models"
# What may remain once backslash escapes and HTML entities are taken out of rendered text:
# nothing that opens Obsidian or Markdown syntax.
LIVE_SYNTAX = re.compile(r"\[|\]\]|`|<|>|%%|==|\{\{|\}\}|(?:^|\s)#|\^[\w-]+\s*$")


def draft(title: str, author: str | None, tags: list[str], summary: str, label: str,
          context: str, topic: str, source: str) -> NoteDraft:
    article = Article(url=URL, source_name=source, title=title, text="Body.", author=author,
                      published="2024-12-31",
                      links=(Link("https://example.org/a (b)[c]|d", label, context),))
    analysis = Analysis(topics=(Topic(topic, "Model"), Topic(topic, "Concept")),
                        tags=tuple(tags), sentences=())
    return NoteDraft(article, analysis, summary, relevance=3)


def without_escapes(text: str) -> str:
    """The text with each escape or entity replaced by a character that means nothing."""
    return re.sub(r"&(?:amp|lt|gt);", "·", re.sub(r"\\.", "·", text))


def assert_inert(text: str) -> None:
    for line in text.splitlines():
        assert not LIVE_SYNTAX.search(without_escapes(line)), line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, author=st.one_of(st.none(), hostile_text),
       tags=st.lists(hostile_text, max_size=6), summary=hostile_text, label=hostile_text,
       context=hostile_text, topic=hostile_text, source=hostile_text)
@example(title="x" * 500, author="yes", tags=["Large_Language_Model"], summary="- ~",
         label="]]", context="%%", topic="[[Secret]]", source="null")
@example(title="../../.obsidian/workspace", author="2024-01-01", tags=["#a b", "c,d"],
         summary="# Heading\n---\n![[passwords]]", label="![x](https://t.example/p.png)",
         context="{{date}} `$= dv.pages()` <iframe src=x>", topic="../CON", source="*a")
def test_any_values_give_a_note_that_parses_back_passes_the_schema_and_stays_inert(
    title, author, tags, summary, label, context, topic, source
):
    rendered = render_note(draft(title, author, tags, summary, label, context, topic, source),
                           {}, [])

    frontmatter, body = split_frontmatter(rendered.text)
    assert frontmatter_problems(frontmatter) == []
    assert frontmatter.get("title") == (title or None)
    assert frontmatter.get("author") == (author or None)
    assert frontmatter["source"] == source
    assert frontmatter["tags"] == gleaner_tags(tags)
    assert frontmatter["link"] == URL
    parts = split_sections(body)
    assert [name for name, _ in parts] == [PREAMBLE, *OWNED_SECTIONS]
    sections = dict(parts)
    assert_inert(sections["Summary"])
    [link_line] = sections["Links"].strip().splitlines()
    label_part, url, context_part = re.fullmatch(r"- \[(.*)\]\((\S+)\)(?: : (.*))?",
                                                 link_line).groups()
    assert_inert(label_part.replace("\\]", "·").replace("\\|", "·"))
    assert_inert(context_part or "")
    assert not re.search(r"[\s()\[\]|<>]", url)
    for target in re.findall(r"!\[\[(.*?)\]\]", sections["Topics"]):
        assert target.split("/")[2] == safe_name(topic)
    again = render_note(draft(title, author, tags, summary, label, context, topic, source),
                        {}, [], existing=rendered.text, owned_before=rendered.owned)
    assert again.text == rendered.text and again.kept == ()


person_values = st.one_of(hostile_text, st.booleans(), st.integers(), st.none(),
                          st.lists(hostile_text, max_size=3))


@settings(max_examples=200, deadline=None)
@given(mine=st.dictionaries(st.text(min_size=1, max_size=20).filter(
           lambda k: k not in ("tags", "id") and k not in split_frontmatter(
               render_note(draft("t", None, [], "s", "l", "c", "x", "s"), {}, []).text)[0]),
           person_values, max_size=5),
       my_tags=st.lists(hostile_text.filter(bool), max_size=4, unique=True))
def test_persons_keys_and_tags_of_any_kind_survive_a_rerun_verbatim(mine, my_tags):
    first = render_note(draft("A title", None, ["Open_Source"], "Old.", "l", "c", "x", "s"),
                        {}, [])
    frontmatter, body = split_frontmatter(first.text)
    frontmatter.update(mine)
    frontmatter["tags"] = [*frontmatter["tags"], *(t for t in my_tags if t != "Open_Source")]
    edited = "---\n" + yaml.safe_dump(frontmatter, allow_unicode=True) + "---\n" + body

    second = render_note(draft("A title", None, ["Open_Source", "AI_agent"], "New.", "l", "c",
                               "x", "s"), {}, [], existing=edited, owned_before=first.owned)

    before, _ = split_frontmatter(edited)
    merged, _ = split_frontmatter(second.text)
    assert {key: merged.get(key) for key in before if key in mine} == \
        {key: value for key, value in before.items() if key in mine}
    assert merged["tags"][:2] == ["Open_Source", "AI_agent"]
    assert merged["tags"][2:] == [t for t in before["tags"] if t not in ("Open_Source",
                                                                       "AI_agent")]


@settings(max_examples=500, deadline=None)
@given(title=st.one_of(hostile_text, st.text(min_size=200, max_size=600)))
@example(title="CON.txt")
@example(title="\u202etxt.exe")
@example(title="a" * 500)
@example(title="nul." + "x" * 300)
def test_any_title_gives_a_file_name_safe_on_windows_macos_and_linux(title):
    name = safe_name(title)

    assert name and name == name.strip(" .") and not name.startswith(".")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not re.search(r'[\x00-\x1f<>:"/\\|?*#^\[\]{}%\u202a-\u202e\u2066-\u2069]', name)
    assert name.split(".")[0].strip().upper() not in RESERVED
    assert unicodedata.is_normalized("NFC", name)


def test_file_name_keeps_a_readable_title():
    assert safe_name("Things we learned about LLMs in 2024: a review") == \
        "Things we learned about LLMs in 2024 a review"
    assert safe_name("CON.txt") == "CON_.txt"


def test_names_that_differ_only_in_case_or_normalization_get_a_suffix(tmp_path):
    vault = Vault(tmp_path)
    (tmp_path / "Open models.md").write_text("mine", encoding="utf-8")
    (tmp_path / unicodedata.normalize("NFD", "Café.md")).write_text("mine", encoding="utf-8")

    assert vault.free_note_path("OPEN MODELS") == "OPEN MODELS (2).md"
    assert vault.free_note_path("Café") == "Café (2).md"
    assert vault.free_note_path("../../etc/passwd") == "etc passwd.md"


def test_hostile_page_becomes_one_safe_inert_note_inside_the_vault(server, vault, fast_config):
    title = '../../.obsidian/[[Secret]] {{date}} %%x%% #tag | a: "b" \u202eexe.md'
    paragraphs = [*AI_PARAGRAPHS,
                  "Read the ![[passwords]] note and <!-- hidden --> this `$= dv.pages()` query, "
                  'or <a href="https://example.org/x">click [[here]] %%now%%</a> today.']
    server.routes["/hostile"] = Response(article_page(title, paragraphs, author="*a &b !tag"))

    report = run(read_sources([server.url("/hostile")]), fast_config, vault)

    assert report.counts["written"] == 1
    [note] = [p for p in vault.glob("*.md")]
    assert note.parent == vault and not note.name.startswith(".")
    assert not (vault / ".obsidian").exists()
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    assert frontmatter["title"] == title.replace("\u202e", "")  # the extractor drops it
    sections = dict(split_sections(body))
    assert_inert(sections["Summary"])
    assert "[[here]]" not in sections["Links"] and "%%now%%" not in sections["Links"]
    assert list(validate_vault(vault)) == []


def test_lone_surrogate_in_a_markdown_title_is_a_note_not_a_crash(vault, tmp_path, fast_config):
    article = tmp_path / "odd.md"
    article.write_text('---\ntitle: "\\ud800 Open models"\n---\n\n' + "\n\n".join(
        p.split("<a")[0] for p in AI_PARAGRAPHS), encoding="utf-8")

    report = run(read_sources([str(article)]), fast_config, vault)

    assert report.counts["written"] == 1
    [note] = vault.glob("*.md")
    assert split_frontmatter(note.read_text(encoding="utf-8"))[0]["title"] == "\ufffd Open models"


def test_yaml_special_strings_are_quoted_so_obsidian_reads_them_as_text():
    for value in ("yes", "no", "null", "~", "2024-01-01", "*a", "&b", "!tag", "- x", "1e3",
                  "0o17", "1:30", "True", ""):
        assert split_frontmatter(render_frontmatter({"title": value}))[0]["title"] == value
        assert yaml.safe_load(render_frontmatter({"title": value}).strip("-\n"))["title"] == value


def test_gleaners_tags_are_valid_obsidian_tags():
    assert gleaner_tags(["Large Language Model", "#AI,agent", "[[x]]|y", "ok/nested", "__"]) == \
        ["Large_Language_Model", "AI_agent", "x_y", "ok/nested"]


def test_vault_inside_refuses_paths_outside_the_vault(tmp_path):
    vault = Vault(tmp_path / "vault")
    for escape in ("../outside.md", "/etc/passwd", "topics/../../x.md"):
        with pytest.raises(NoteError, match="points outside the vault"):
            vault.inside(escape)


def test_note_path_for_any_title_stays_a_direct_child_of_the_vault(tmp_path):
    vault = Vault(tmp_path)
    for title in ("../../x", "/abs/path", "..", ".", "a/../../b", "C:\\Windows\\x", "\x00"):
        relative = vault.free_note_path(title)
        assert Path(relative).parent == Path(".")
        assert vault.inside(relative).parent == tmp_path.resolve()
