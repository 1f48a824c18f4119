"""Rendering an article note in the users' format, and merging into a note a person edited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import yaml

from pipeline.records import Analysis, Article, Link, NoteDraft, Topic
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.notes import note_id_for, render_note, with_pending
from pipeline.vault.validate import frontmatter_problems

TODAY = date(2025, 1, 8)


def draft(title: str = "Things we learned about LLMs in 2024", summary: str = "A summary.",
          relevance: int = 3, tags: tuple[str, ...] = ("Large_Language_Model", "AI_agent"),
          links: tuple[Link, ...] | None = None) -> NoteDraft:
    article = Article(
        url="https://simonwillison.net/2024/Dec/31/llms-in-2024/",
        source_name="Data Elixir",
        title=title,
        text="Body.",
        links=links if links is not None else (
            Link("https://simonwillison.net/2024/Dec/25/deepseek-v3/", "DeepSeek V3 Model",
                 "DeepSeek V3 is a large 685B parameter model."),
        ),
    )
    topics = (Topic("DeepSeek v3", "Model", organization="DeepSeek"),
              Topic("Synthetic Data", "Concept"))
    analysis = Analysis(topics=topics, tags=tags, sentences=())
    return NoteDraft(article, analysis, summary, relevance)


def test_fresh_note_reproduces_the_users_layout():
    text = render_note(draft(), {}, [], today=TODAY).text
    assert text == (
        "---\n"
        "already_read: false\n"
        f"id: {note_id_for('https://simonwillison.net/2024/Dec/31/llms-in-2024/')}\n"
        "link: https://simonwillison.net/2024/Dec/31/llms-in-2024/\n"
        "read_priority: 0\n"
        "relevance: 3\n"
        "source: Data Elixir\n"
        "tags:\n- Large_Language_Model\n- AI_agent\n"
        "title: Things we learned about LLMs in 2024\n"
        "type: Content\n"
        "upload_date: '2025-01-08'\n"
        "---\n"
        "\n"
        "https://simonwillison.net/2024/Dec/31/llms-in-2024/\n"
        "## Summary\n\nA summary.\n"
        "## Links\n\n"
        "- [DeepSeek V3 Model](https://simonwillison.net/2024/Dec/25/deepseek-v3/) : "
        "DeepSeek V3 is a large 685B parameter model.\n\n"
        "## Topics\n\n![[topics/Model/DeepSeek v3]]\n\n![[topics/Concept/Synthetic Data]]\n"
    )


def test_link_to_a_note_in_the_vault_becomes_a_wikilink():
    paths = {"https://simonwillison.net/2024/Dec/25/deepseek-v3/": "DeepSeek V3.md"}
    text = render_note(draft(), paths, [], today=TODAY).text
    assert "- [[DeepSeek V3|DeepSeek V3 Model]] : DeepSeek V3 is" in text


def test_hostile_title_and_summary_cannot_inject_obsidian_syntax():
    hostile = "../../etc: \"quoted\" [[Secret]] {{tpl}} %%comment%% #tag\nnew line"
    rendered = render_note(draft(title=hostile, summary=hostile), {}, [], today=TODAY)
    frontmatter, body = split_frontmatter(rendered.text)
    assert frontmatter["title"] == hostile
    summary = body.split("## Summary\n\n", 1)[1].split("\n## Links", 1)[0]
    assert "[[" not in summary and "{{" not in summary and "%%" not in summary
    assert " #tag" not in summary
    assert frontmatter_problems(frontmatter) == []


def test_yaml_special_values_survive_a_round_trip():
    for title in ("yes", "no", "null", "~", "2024-01-01", "*a", "&b", "!tag", "- item", "a: b"):
        frontmatter, _ = split_frontmatter(render_note(draft(title=title), {}, []).text)
        assert frontmatter["title"] == title


def test_rerender_over_an_unedited_note_changes_nothing():
    first = render_note(draft(), {}, [], today=TODAY)
    again = render_note(draft(), {}, [], existing=first.text, owned_before=first.owned)
    assert again.text == first.text


def test_person_edits_survive_and_owned_parts_update():
    first = render_note(draft(), {}, [], today=TODAY)
    frontmatter, body = split_frontmatter(first.text)
    frontmatter.update(already_read=True, read_priority=2, relevance=5, my_rating="great")
    frontmatter["tags"].append("to_discuss")
    body = body.replace("A summary.\n", "A summary.\n\nMy own thoughts on this.\n")
    body += "\n## Notes\n\nCompare with last year's post.\n"
    edited = "---\n" + yaml.safe_dump(frontmatter, sort_keys=True) + "---\n" + body

    second = render_note(draft(summary="A better summary.", relevance=2,
                               tags=("Large_Language_Model",)),
                         {}, [], existing=edited, owned_before=first.owned)

    frontmatter, body = split_frontmatter(second.text)
    assert frontmatter["already_read"] is True
    assert frontmatter["read_priority"] == 2
    assert frontmatter["relevance"] == 5
    assert frontmatter["my_rating"] == "great"
    assert frontmatter["tags"] == ["Large_Language_Model", "to_discuss"]
    assert "A better summary.\n\nMy own thoughts on this." in body
    assert body.endswith("## Notes\n\nCompare with last year's post.\n")
    assert "frontmatter key 'relevance'" in second.kept


def test_person_rewrite_of_an_owned_section_wins_and_is_reported():
    first = render_note(draft(), {}, [], today=TODAY)
    edited = first.text.replace("A summary.", "My summary, in my words.")
    second = render_note(draft(summary="A new summary."), {}, [], existing=edited,
                         owned_before=first.owned)
    assert "My summary, in my words." in second.text
    assert "A new summary." not in second.text
    assert "section 'Summary'" in second.kept


def test_note_without_links_still_has_every_section():
    text = render_note(draft(links=()), {}, [], today=TODAY).text
    assert "## Summary\n\nA summary.\n## Links\n\n## Topics\n" in text


def test_tag_the_person_deleted_is_not_put_back():
    first = render_note(draft(), {}, [], today=TODAY)
    edited = first.text.replace("- AI_agent\n", "")
    second = render_note(draft(summary="New."), {}, [], existing=edited, owned_before=first.owned)
    assert split_frontmatter(second.text)[0]["tags"] == ["Large_Language_Model"]


def test_tags_the_person_added_and_deleted_stay_so_over_many_refreshes():
    first = render_note(draft(), {}, [], today=TODAY)
    edited = first.text.replace("- AI_agent\n", "- to-read\n")
    second = render_note(draft(tags=("Large_Language_Model", "AI_agent", "Open_Source")), {},
                         [], existing=edited, owned_before=first.owned)
    third = render_note(draft(tags=("AI_agent", "Reasoning_Model")), {}, [],
                        existing=second.text, owned_before=second.owned)
    assert split_frontmatter(third.text)[0]["tags"] == ["Reasoning_Model", "to-read"]


def test_tags_the_person_wrote_as_one_string_are_kept_as_written():
    first = render_note(draft(), {}, [], today=TODAY)
    edited = first.text.replace("tags:\n- Large_Language_Model\n- AI_agent\n", "tags: reading\n")
    second = render_note(draft(), {}, [], existing=edited, owned_before=first.owned)
    assert split_frontmatter(second.text)[0]["tags"] == "reading"
    assert "frontmatter key 'tags'" in second.kept


def test_text_of_a_write_killed_before_its_commit_is_still_gleaners():
    committed = render_note(draft(summary="First."), {}, [], today=TODAY)
    killed = render_note(draft(summary="Second.", relevance=1), {}, [],
                         existing=committed.text, owned_before=committed.owned)
    pending = with_pending(committed.owned, killed.owned)

    third = render_note(draft(summary="Third.", relevance=2), {}, [], existing=killed.text,
                        owned_before=pending)

    assert third.kept == ()
    assert "## Summary\n\nThird.\n" in third.text
    assert split_frontmatter(third.text)[0]["relevance"] == 2


def test_persons_own_note_keeps_its_sections_and_gains_the_missing_ones():
    mine = ("---\nlink: https://simonwillison.net/2024/Dec/31/llms-in-2024/\n---\n"
            "Read on the train.\n## Summary\n\nMy summary.\n## Links\n\n")
    rendered = render_note(draft(), {}, [], existing=mine, owned_before=None)
    _, body = split_frontmatter(rendered.text)
    assert body.startswith("Read on the train.\n## Summary\n\nMy summary.\n## Links\n\n- [")
    assert "## Topics\n\n![[topics/Model/DeepSeek v3]]" in body
    assert rendered.kept == ("section 'link line'", "section 'Summary'")


def test_id_is_set_once_and_survives_a_new_url():
    first = render_note(draft(), {}, [], today=TODAY)
    moved = draft()
    moved = NoteDraft(Article(**{**moved.article.__dict__, "url": "https://example.com/new"}),
                      moved.analysis, moved.summary, moved.relevance)
    second = render_note(moved, {}, [], existing=first.text, owned_before=first.owned)
    assert split_frontmatter(second.text)[0]["id"] == split_frontmatter(first.text)[0]["id"]


def test_read_priority_is_gleaners_computed_value_refreshed_while_unedited():
    first = render_note(replace(draft(), read_priority=2), {}, [], today=TODAY)
    second = render_note(replace(draft(), read_priority=4), {}, [], existing=first.text,
                         owned_before=first.owned)
    assert split_frontmatter(first.text)[0]["read_priority"] == 2
    assert split_frontmatter(second.text)[0]["read_priority"] == 4
    assert second.kept == ()


def test_read_priority_0_written_before_gleaner_computed_it_is_not_taken_for_an_edit():
    first = render_note(draft(), {}, [], today=TODAY)
    before = {**first.owned, "keys": {k: v for k, v in first.owned["keys"].items()
                                      if k != "read_priority"}}
    second = render_note(replace(draft(), read_priority=3), {}, [], existing=first.text,
                         owned_before=before)
    assert split_frontmatter(second.text)[0]["read_priority"] == 3
    assert second.kept == ()


def edited_frontmatter(text: str, **values: object) -> str:
    frontmatter, body = split_frontmatter(text)
    frontmatter.update(values)
    return "---\n" + yaml.safe_dump(frontmatter, sort_keys=True) + "---\n" + body


@pytest.mark.parametrize(("key", "gleaners", "persons"), [
    ("relevance", 3, 4), ("read_priority", 1, 3), ("source", "Data Elixir", "My friend Ann"),
])
def test_an_edit_that_equals_gleaners_next_value_stays_the_persons(key, gleaners, persons):
    def with_value(value: object) -> NoteDraft:
        if key == "source":
            return replace(draft(), article=replace(draft().article, source_name=value))
        return replace(draft(), **{key: value})

    first = render_note(with_value(gleaners), {}, [], today=TODAY)
    edited = edited_frontmatter(first.text, **{key: persons})
    agreeing = render_note(with_value(persons), {}, [], existing=edited,
                           owned_before=first.owned)
    disagreeing = render_note(with_value(gleaners), {}, [], existing=agreeing.text,
                              owned_before=agreeing.owned)

    assert split_frontmatter(agreeing.text)[0][key] == persons
    assert split_frontmatter(disagreeing.text)[0][key] == persons
    assert f"frontmatter key {key!r}" in disagreeing.kept
