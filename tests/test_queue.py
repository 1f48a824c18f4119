"""The reading queue: what to read next, the `Reading queue.md` note, and `gleaner queue`."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import NoteError
from pipeline.reading.calibration import Calibration
from pipeline.reading.queue import (
    CHARS_PER_WORD,
    LONG_READ_MINUTES,
    QUEUE_NOTE,
    WORDS_PER_MINUTE,
    make_queue,
    priority_score,
    rank_notes,
    read_priority,
)
from pipeline.reading.relevance_store import save_relevance
from pipeline.state.store import NoteRecord, State
from pipeline.vault.files import Vault, safe_name
from pipeline.vault.frontmatter import render_frontmatter, split_frontmatter
from pipeline.vault.validate import validate_vault

TODAY = date(2025, 3, 1)
SUMMARY = ("Open-weight models closed most of the gap with frontier systems in 2024, while "
           "inference prices fell by an order of magnitude.")


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def chars_for(minutes: float) -> int:
    """Plain-text characters that take `minutes` to read."""
    return round(minutes * WORDS_PER_MINUTE * CHARS_PER_WORD)


def write_note(vault: Path, title: str, relevance: int = 3, published: str | None = None,
               **extra: object) -> str:
    """An article note in the seed-004 layout, as Gleaner writes it; returns its link."""
    slug = re.sub(r"\W+", "-", title.lower()).strip("-")
    link = f"https://blog.example.com/{slug}/"
    frontmatter = {"already_read": False, "link": link, "read_priority": 0,
                   "relevance": relevance, "source": "Data Elixir",
                   "tags": ["Large_Language_Model", "AI_agent"], "title": title,
                   "type": "Content", "upload_date": days_ago(1), **extra}
    if published:
        frontmatter["published"] = published
    body = (f"\n{link}\n## Summary\n\n{SUMMARY}\n## Links\n\n"
            "- [DeepSeek V3 Model](https://example.com/deepseek-v3/) : a large open model.\n\n"
            "## Topics\n\n![[topics/Model/DeepSeek v3]]\n\n![[topics/Concept/Synthetic Data]]\n")
    vault.mkdir(parents=True, exist_ok=True)
    (vault / f"{safe_name(title)}.md").write_text(render_frontmatter(frontmatter) + body,
                                                  encoding="utf-8")
    return link


def record_in_state(vault: Path, link: str, title: str, text_length: int,
                    owned_keys: dict, scored: dict | None = None) -> None:
    """The state rows Gleaner keeps for a note it wrote: its length and its snapshot, and
    what it scored (relevance before rounding, raw score) when written."""
    state = State(Vault(vault).state_path)
    try:
        with state.transaction():
            note_id = state.save_note(
                NoteRecord(0, link, f"{safe_name(title)}.md", title, None, text_length,
                           {"keys": owned_keys, "sections": {}, "id": "gl-1"}), [], 0)
            if scored:
                save_relevance(state, note_id, {}, {"rated_by_you": False, **scored}, None)
    finally:
        state.close()


def scored(relevance: int, unrounded: float, score: float) -> dict:
    return {"relevance": relevance, "unrounded": unrounded, "score": score}


def ranked_titles(vault: Path) -> list[str]:
    entries, _ = rank_notes(Vault(vault), TODAY)
    return [entry.title for entry in entries]


def test_higher_relevance_ranks_first(vault):
    write_note(vault, "Policy roundup", relevance=2, published=days_ago(3))
    write_note(vault, "Model release", relevance=5, published=days_ago(3))
    assert ranked_titles(vault) == ["Model release", "Policy roundup"]


def test_fresher_note_ranks_first_at_equal_relevance(vault):
    write_note(vault, "Last year", relevance=4, published=days_ago(365))
    write_note(vault, "This week", relevance=4, published=days_ago(2))
    assert ranked_titles(vault) == ["This week", "Last year"]


def test_a_fresh_note_outranks_a_year_old_one_of_one_point_more_relevance(vault):
    write_note(vault, "Last year, relevance 4", relevance=4, published=days_ago(365))
    write_note(vault, "This week, relevance 3", relevance=3, published=days_ago(2))
    assert ranked_titles(vault) == ["This week, relevance 3", "Last year, relevance 4"]


def test_upload_date_stands_in_for_an_unknown_published_date(vault):
    write_note(vault, "Undated, saved long ago", relevance=4, upload_date=days_ago(400))
    write_note(vault, "Undated, saved yesterday", relevance=4)
    assert ranked_titles(vault) == ["Undated, saved yesterday", "Undated, saved long ago"]


def test_very_long_read_ranks_below_a_short_one(vault):
    long_link = write_note(vault, "Ninety minute essay", relevance=4, published=days_ago(5))
    short_link = write_note(vault, "Five minute post", relevance=4, published=days_ago(5))
    record_in_state(vault, long_link, "Ninety minute essay", chars_for(90), {})
    record_in_state(vault, short_link, "Five minute post", chars_for(5), {})
    assert ranked_titles(vault) == ["Five minute post", "Ninety minute essay"]


def test_a_short_read_outranks_a_ninety_minute_one_of_one_point_more_relevance(vault):
    long_link = write_note(vault, "Long, relevance 4", relevance=4, published=days_ago(5))
    short_link = write_note(vault, "Short, relevance 3", relevance=3, published=days_ago(5))
    record_in_state(vault, long_link, "Long, relevance 4", chars_for(90), {})
    record_in_state(vault, short_link, "Short, relevance 3", chars_for(5), {})
    assert ranked_titles(vault) == ["Short, relevance 3", "Long, relevance 4"]


def test_age_and_length_never_outweigh_more_than_half_of_relevance():
    fresh_short_relevance_2 = priority_score(2, 0, 3)
    assert priority_score(5, 5000, 3) > fresh_short_relevance_2
    assert priority_score(5, 0, 600) > fresh_short_relevance_2
    assert priority_score(0, 0, 1) == 0


def test_stored_read_priority_is_the_relevance_for_a_fresh_short_read():
    for relevance in range(6):
        assert read_priority(relevance, TODAY.isoformat(), chars_for(3), TODAY) == relevance


def test_stored_read_priority_drops_for_old_and_long_reads_but_never_above_relevance():
    old = read_priority(5, days_ago(700), chars_for(3), TODAY)
    long = read_priority(5, TODAY.isoformat(), chars_for(LONG_READ_MINUTES * 6), TODAY)
    old_and_long = read_priority(5, days_ago(700), chars_for(LONG_READ_MINUTES * 6), TODAY)
    assert 0 <= old_and_long < min(old, long) and max(old, long) < 5
    assert read_priority(5, None, None, TODAY) == 5


def test_reading_time_comes_from_the_state_text_length(vault):
    link = write_note(vault, "Measured", published=days_ago(1))
    write_note(vault, "A person's own note, unmeasured", published=days_ago(1))
    record_in_state(vault, link, "Measured", chars_for(12), {})
    minutes = {e.title: e.minutes for e in rank_notes(Vault(vault), TODAY)[0]}
    assert minutes["Measured"] == pytest.approx(12, abs=0.01)
    assert minutes["A person's own note, unmeasured"] is None


def test_relevance_the_person_set_beats_gleaners_snapshot(vault):
    link = write_note(vault, "Rated up by the reader", relevance=5, published=days_ago(3))
    record_in_state(vault, link, "Rated up by the reader", chars_for(4), {"relevance": 1})
    write_note(vault, "Gleaner's four", relevance=4, published=days_ago(3))
    entries, _ = rank_notes(Vault(vault), TODAY)
    assert [e.title for e in entries] == ["Rated up by the reader", "Gleaner's four"]
    assert entries[0].relevance == 5


def test_read_priority_the_person_set_replaces_the_computed_order(vault):
    write_note(vault, "Relevant and fresh", relevance=5, published=days_ago(1))
    write_note(vault, "Must read for work", relevance=1, published=days_ago(900),
               read_priority=5)
    entries, _ = rank_notes(Vault(vault), TODAY)
    assert [e.title for e in entries] == ["Must read for work", "Relevant and fresh"]
    assert entries[0].yours and entries[0].score == 5
    assert not entries[1].yours


def test_read_priority_gleaner_wrote_is_recomputed_against_today(vault):
    link = write_note(vault, "Was fresh when written", relevance=4, published=days_ago(200),
                      read_priority=4)
    record_in_state(vault, link, "Was fresh when written", chars_for(4), {"read_priority": 4})
    (entry,), _ = rank_notes(Vault(vault), TODAY)
    assert not entry.yours
    assert entry.score == pytest.approx(priority_score(4, 200, 4))


def test_read_priority_changed_from_gleaners_value_is_the_persons(vault):
    link = write_note(vault, "Sunk by the reader", relevance=5, published=days_ago(1),
                      read_priority=0)
    record_in_state(vault, link, "Sunk by the reader", chars_for(4), {"read_priority": 5})
    write_note(vault, "Ordinary", relevance=1, published=days_ago(1))
    entries, _ = rank_notes(Vault(vault), TODAY)
    assert [e.title for e in entries] == ["Ordinary", "Sunk by the reader"]
    assert entries[1].yours and entries[1].score == 0


def test_old_default_read_priority_zero_is_not_a_persons_choice(vault):
    write_note(vault, "Seed 004 style note", relevance=3, published=days_ago(10))
    (entry,), _ = rank_notes(Vault(vault), TODAY)
    assert not entry.yours and entry.score > 0


def test_read_notes_topic_notes_digests_and_the_queue_note_are_left_out(vault):
    write_note(vault, "Unread", relevance=2)
    write_note(vault, "Read already", relevance=5, already_read=True)
    topic = vault / "topics" / "Model" / "DeepSeek v3.md"
    topic.parent.mkdir(parents=True)
    topic.write_text(render_frontmatter({"aliases": [], "category": "Model", "type": "Topic"})
                     + "\n## Articles\n\n- [[Unread|Unread]]\n", encoding="utf-8")
    digest = vault / "digests" / "Digest 2025-02-28.md"
    digest.parent.mkdir()
    digest.write_text(render_frontmatter({"digest": "2025-02-28", "new_notes": 1})
                      + "\n- [[Unread|Unread]]\n", encoding="utf-8")
    make_queue(vault, today=TODAY)
    assert ranked_titles(vault) == ["Unread"]


def test_queue_note_lists_wikilinks_in_queue_order(vault):
    write_note(vault, "Second", relevance=3, published=days_ago(2))
    write_note(vault, "First: a #1 pick", relevance=5, published=days_ago(2))
    write_note(vault, "Third", relevance=1, published=days_ago(2))
    queue = make_queue(vault, limit=2, today=TODAY)
    text = (vault / QUEUE_NOTE).read_text(encoding="utf-8")
    links = re.findall(r"^\d+\. \[\[([^|\]]+)\|", text, re.MULTILINE)
    assert links == [safe_name("First: a #1 pick"), "Second"]
    assert [e.path for e in queue.entries] == [f"{link}.md" for link in links]
    assert queue.unread == 3


def test_queue_note_has_no_article_keys_and_the_vault_stays_valid(vault):
    write_note(vault, "Only note", relevance=3)
    make_queue(vault, today=TODAY)
    frontmatter, _ = split_frontmatter((vault / QUEUE_NOTE).read_text(encoding="utf-8"))
    assert "type" not in frontmatter and "link" not in frontmatter
    assert list(validate_vault(vault)) == []


def test_queue_note_is_rewritten_not_duplicated(vault):
    write_note(vault, "Early", relevance=3)
    make_queue(vault, today=TODAY)
    write_note(vault, "Later", relevance=5)
    make_queue(vault, today=TODAY)
    text = (vault / QUEUE_NOTE).read_text(encoding="utf-8")
    assert text.index("[[Later|") < text.index("[[Early|")
    assert sorted(p.name for p in vault.glob("Reading queue*")) == [QUEUE_NOTE]


def test_a_persons_own_note_named_like_the_queue_is_never_overwritten(vault):
    write_note(vault, "Some article", relevance=3)
    own = vault / QUEUE_NOTE
    own.write_text("My own list of things to read\n", encoding="utf-8")
    with pytest.raises(NoteError, match="Reading queue.md"):
        make_queue(vault, today=TODAY)
    assert own.read_text(encoding="utf-8") == "My own list of things to read\n"


def test_a_broken_note_is_skipped_with_its_name_and_the_rest_is_queued(vault):
    write_note(vault, "Fine note", relevance=3)
    (vault / "Broken note.md").write_text("---\ntags: [a\ntype: Content\n---\nbody\n",
                                          encoding="utf-8")
    (vault / "Bad relevance.md").write_text(
        render_frontmatter({"type": "Content", "relevance": "high", "link": "https://x.org/"}),
        encoding="utf-8")
    queue = make_queue(vault, today=TODAY)
    assert [e.title for e in queue.entries] == ["Fine note"]
    assert len(queue.skipped) == 2
    assert any("Broken note.md" in m and "not valid YAML" in m for m in queue.skipped)
    assert any("Bad relevance.md" in m and "relevance" in m for m in queue.skipped)


def test_gleaner_queue_prints_the_top_notes_and_writes_the_queue_note(vault):
    short = write_note(vault, "Short and relevant", relevance=5, published=date.today().isoformat())
    write_note(vault, "Less relevant", relevance=2, published=date.today().isoformat())
    write_note(vault, "Not on the list", relevance=1, published=date.today().isoformat())
    (vault / "Broken.md").write_text("---\ntitle: 'unclosed\n", encoding="utf-8")
    record_in_state(vault, short, "Short and relevant", chars_for(7), {})
    result = CliRunner().invoke(main, ["queue", "--vault", str(vault), "--limit", "2"])
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()[1:3]
    assert first.split()[:5] == ["1", "5.00", "5.00", "7", "min"]
    assert first.endswith("Short and relevant.md") and second.endswith("Less relevant.md")
    assert "Not on the list" not in result.stdout
    assert "3 unread notes, 2 listed in" in result.stdout
    assert "skipped Broken.md:" in result.stderr
    assert (vault / QUEUE_NOTE).is_file()


def test_gleaner_queue_on_a_missing_vault_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["queue", "--vault", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no vault at" in result.stderr


def test_gleaner_queue_marks_a_read_priority_you_set(vault):
    write_note(vault, "Pinned by the reader", relevance=1, read_priority=9)
    write_note(vault, "Computed", relevance=4)
    result = CliRunner().invoke(main, ["queue", "--vault", str(vault)])
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["1", "9.00*"]
    assert lines[1].endswith("Pinned by the reader.md")
    assert "*" not in lines[2]
    assert lines[3] == "* the read_priority you set"


# relevance before rounding ----------------------------------------------------------------

def test_notes_that_all_show_5_are_ordered_by_where_their_scores_stand_in_the_vault(vault):
    for title, score in (("Best tenth", 5.9), ("Just rounds up", 5.1), ("Middle", 5.5)):
        link = write_note(vault, title, relevance=5, published=days_ago(3))
        record_in_state(vault, link, title, chars_for(4), {"relevance": 5},
                        scored(5, 4.6, score=score))
    entries, _ = rank_notes(Vault(vault), TODAY)
    scale = Calibration.of([5.9, 5.1, 5.5])
    assert [e.title for e in entries] == ["Best tenth", "Middle", "Just rounds up"]
    assert [e.relevance for e in entries] == [scale.value(5.9), scale.value(5.5), scale.value(5.1)]
    assert entries[0].score == pytest.approx(priority_score(scale.value(5.9), 3, 4))
    assert len({round(e.score, 2) for e in entries}) == 3


def test_notes_placed_alike_as_the_vault_grew_differ_by_where_they_stand_now(vault):
    """Two old posts written at different moments of a run kept the same value before
    rounding; their raw scores differ, so the queue must not show them tied."""
    for title, score in (("Gemma", 4.866), ("Falcon", 4.883), ("Aya", 4.2), ("Llama", 5.3)):
        link = write_note(vault, title, relevance=4, published=days_ago(900))
        record_in_state(vault, link, title, chars_for(6), {"relevance": 4},
                        scored(4, 4.04, score=score))
    entries, _ = rank_notes(Vault(vault), TODAY)
    assert [e.title for e in entries] == ["Llama", "Falcon", "Gemma", "Aya"]
    assert len({f"{e.score:.2f}" for e in entries}) == 4


def test_a_note_you_deleted_no_longer_counts_on_the_queues_scale(vault):
    for title, score in (("Kept", 5.0), ("Also kept", 4.0), ("Deleted", 6.0)):
        link = write_note(vault, title, relevance=4, published=days_ago(3))
        record_in_state(vault, link, title, chars_for(4), {"relevance": 4},
                        scored(4, 4.2, score=score))
    (vault / "Deleted.md").unlink()
    entries, _ = rank_notes(Vault(vault), TODAY)
    scale = Calibration.of([5.0, 4.0])
    assert [(e.title, e.relevance) for e in entries] == [("Kept", scale.value(5.0)),
                                                        ("Also kept", scale.value(4.0))]


def test_a_note_you_have_read_still_counts_on_the_queues_scale(vault):
    for title, score, read in (("Unread", 5.0, False), ("Read", 7.0, True)):
        link = write_note(vault, title, relevance=4, published=days_ago(3), already_read=read)
        record_in_state(vault, link, title, chars_for(4), {"relevance": 4},
                        scored(4, 4.2, score=score))
    (entry,), _ = rank_notes(Vault(vault), TODAY)
    assert entry.relevance == Calibration.of([5.0, 7.0]).value(5.0)


def test_relevance_the_person_set_counts_as_a_whole_number(vault):
    link = write_note(vault, "Lowered by the reader", relevance=2, published=days_ago(3))
    record_in_state(vault, link, "Lowered by the reader", chars_for(4), {"relevance": 5},
                    scored(5, 4.8, score=6.0))
    (entry,), _ = rank_notes(Vault(vault), TODAY)
    assert entry.relevance == 2.0


def test_a_tie_in_priority_goes_to_the_higher_raw_score_then_to_the_newer_note(vault):
    for title, score, age in (("Older, same score", 5.0, 30), ("Lower score", 4.0, 1),
                              ("Newer, same score", 5.0, 2)):
        link = write_note(vault, title, relevance=3, published=days_ago(age), read_priority=4)
        record_in_state(vault, link, title, chars_for(4), {"relevance": 3, "read_priority": 1},
                        scored(3, 3.2, score=score))
    entries, _ = rank_notes(Vault(vault), TODAY)
    assert all(e.yours and e.score == 4 for e in entries)
    assert [e.title for e in entries] == ["Newer, same score", "Older, same score",
                                          "Lower score"]


def test_the_queue_note_shows_priority_and_relevance_before_rounding(vault):
    link = write_note(vault, "Measured", relevance=4, published=days_ago(1))
    record_in_state(vault, link, "Measured", chars_for(3), {"relevance": 4},
                    scored(4, 3.62, score=4.4))
    make_queue(vault, today=TODAY)
    text = (vault / QUEUE_NOTE).read_text(encoding="utf-8")
    relevance = Calibration.of([4.4]).value(4.4)
    priority = priority_score(relevance, 1, 3)
    assert (f"1. [[Measured|Measured]] · priority {priority:.2f} · relevance {relevance:.2f}"
            " · 3 min") in text
