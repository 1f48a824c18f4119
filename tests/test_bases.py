"""Obsidian Bases: `Gleaner.base` and the topic notes' views follow the documented syntax,
are written once, and are the person's after that."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from pipeline import run
from pipeline.reading.queue import reading_minutes
from pipeline.resources import load_schema
from pipeline.sources.lists import read_sources
from pipeline.state.store import State
from pipeline.vault.files import Vault
from pipeline.vault.frontmatter import split_frontmatter
from pipeline.vault.handover import remember_written
from pipeline.vault.validate import validate_vault
from pipeline.views.bases import BASE_FILE, TOPIC_VIEW_SECTION, topic_view, vault_base

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

BASE_SCHEMA = Draft202012Validator(load_schema("base.schema.json"))
# help.obsidian.md/bases/functions: the global functions, and the methods of values
GLOBAL_FUNCTIONS = {"date", "duration", "escapeHTML", "file", "html", "if", "image", "icon",
                    "link", "list", "max", "min", "now", "number", "today"}
METHODS = {"isTruthy", "toString", "date", "format", "time", "relative", "isEmpty", "contains",
           "containsAll", "containsAny", "endsWith", "lower", "replace", "repeat", "reverse",
           "slice", "split", "startsWith", "title", "trim", "abs", "ceil", "floor", "round",
           "toFixed", "filter", "flat", "join", "map", "reduce", "sort", "unique", "asFile",
           "linksTo", "asLink", "hasLink", "hasProperty", "hasTag", "inFolder"}
CALL = re.compile(r"(\.)?([A-Za-z_]\w*)\s*\(")
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
BASE_BLOCK = re.compile(r"```base\n(.*?)```", re.DOTALL)
OTHER_TITLE = "Small models on laptops"
OTHER_PARAGRAPHS = [
    "Qwen2.5-Coder-32B runs on a laptop with enough memory, and Llama 3.1 405B needs a "
    "cluster: the gap between them is what most teams now plan their hardware around.",
    "OpenAI's GPT-4o still wins the hardest coding tasks, but for everyday completion the "
    "small open models are good enough and cost nothing per token.",
]


def note_properties() -> set[str]:
    """Every frontmatter key the note schema names, for articles and for topics."""
    schema = load_schema("note.schema.json")["$defs"]
    return {*schema["article"]["properties"], *schema["topic"]["properties"], "type"}


def expressions(base: dict) -> list[str]:
    found = list(base.get("formulas", {}).values())

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(base.get("filters", []))
    for view in base["views"]:
        walk(view.get("filters", []))
    return found


def referenced_properties(base: dict) -> set[str]:
    names = set(base.get("properties", {}))
    for view in base["views"]:
        names |= set(view["order"]) | {s["property"] for s in view.get("sort", [])}
        names |= {view["groupBy"]["property"]} if "groupBy" in view else set()
    return names


def syntax_problems(base: dict) -> list[str]:
    """What Obsidian's documented syntax would not accept, beyond the JSON Schema: unknown
    functions, unbalanced expressions, formulas or note properties that do not exist."""
    problems = [error.message for error in BASE_SCHEMA.iter_errors(base)]
    for expression in expressions(base):
        bare = QUOTED.sub('""', expression)
        if bare.count("(") != bare.count(")") or bare.count('"') % 2 or "'" in bare:
            problems.append(f"unbalanced: {expression}")
        for dot, name in CALL.findall(bare):
            if name not in (METHODS if dot else GLOBAL_FUNCTIONS):
                problems.append(f"no such function: {name} in {expression}")
    formulas, known = set(base.get("formulas", {})), note_properties()
    for name in referenced_properties(base):
        kind, _, rest = name.rpartition(".")
        if kind == "formula" and rest not in formulas:
            problems.append(f"undefined formula: {name}")
        if kind in ("", "note") and rest not in known:
            problems.append(f"not a note property: {name}")
    return problems


def topic_note_base(text: str) -> dict:
    [block] = BASE_BLOCK.findall(text)
    return yaml.safe_load(block)


def make_vault(server, vault: Path, config, *titles: str) -> None:
    pages = {"/open-models": ("The year in open models", AI_PARAGRAPHS),
             "/small-models": (OTHER_TITLE, OTHER_PARAGRAPHS)}
    for path, (title, paragraphs) in pages.items():
        server.routes[path] = Response(article_page(title, paragraphs))
    wanted = [path for path, (title, _) in pages.items() if title in titles]
    run(read_sources([server.url(path) for path in wanted]), config, vault)


def test_gleaners_views_follow_the_documented_bases_syntax():
    for base in (yaml.safe_load(vault_base()), topic_note_base(topic_view())):
        assert syntax_problems(base) == []
    names = [view["name"] for view in yaml.safe_load(vault_base())["views"]]
    assert names == ["Reading queue", "Recently added", "By source", "By topic"]


@pytest.mark.parametrize("broken, problem", [
    ({"views": [{"name": "No type", "order": ["file.name"]}]}, "'type' is a required property"),
    ({"views": [{"type": "table", "name": "T", "order": ["file.title"]}]}, "does not match"),
    ({"filters": {"and": ["a == 1"], "or": ["b == 2"]},
      "views": [{"type": "table", "name": "T", "order": ["a"]}]}, "is not valid under any"),
    ({"views": [{"type": "table", "name": "T", "order": ["a"],
                 "sort": [{"property": "a", "direction": "down"}]}]}, "is not one of"),
    ({"views": [{"type": "table", "name": "T", "order": ["formula.missing"]}]},
     "undefined formula: formula.missing"),
    ({"views": [{"type": "table", "name": "T", "order": ["a"],
                 "filters": 'file.hasLinks("x")'}]}, "no such function: hasLinks"),
    ({"views": [{"type": "table", "name": "T", "order": ["a"], "filters": 'if(a, "b"'}]},
     "unbalanced"),
    ({"views": [{"type": "table", "name": "T", "order": ["reading_time"]}]},
     "not a note property: reading_time"),
])
def test_the_syntax_check_refuses_what_obsidian_would_not_read(broken, problem):
    assert any(problem in found for found in syntax_problems(broken))


def test_a_run_writes_gleaner_base_and_every_topic_note_embeds_a_view_of_its_articles(
        server, vault, fast_config):
    make_vault(server, vault, fast_config, "The year in open models", OTHER_TITLE)

    assert (vault / BASE_FILE).read_text(encoding="utf-8") == vault_base()
    topic = (vault / "topics/Model/GPT-4o.md").read_text(encoding="utf-8")
    _, body = split_frontmatter(topic)
    assert body.index(f"## {TOPIC_VIEW_SECTION}\n") < body.index("## Articles\n")
    view = topic_note_base(topic)
    assert syntax_problems(view) == []
    assert view["filters"]["and"][0] == 'type == "Content"'
    assert [s["property"] for s in view["views"][0]["sort"]] == ["published", "upload_date"]
    assert "[[Small models on laptops|Small models on laptops]]" in body
    for note in (vault / "topics").rglob("*.md"):
        assert len(BASE_BLOCK.findall(note.read_text(encoding="utf-8"))) == 1, note
    assert list(validate_vault(vault)) == []


def test_every_article_note_says_how_long_it_takes_to_read(server, vault, fast_config):
    make_vault(server, vault, fast_config, "The year in open models")

    frontmatter, _ = split_frontmatter(
        (vault / "The year in open models.md").read_text(encoding="utf-8"))
    state = State(Vault(vault).state_path)
    [length] = state.db.execute("SELECT text_length FROM notes").fetchone()
    state.close()
    assert frontmatter["reading_minutes"] == max(1, round(reading_minutes(length)))
    assert frontmatter["reading_minutes"] >= 1


def test_a_changed_gleaner_base_is_never_overwritten_and_a_deleted_one_stays_deleted(
        server, vault, fast_config):
    make_vault(server, vault, fast_config, "The year in open models")
    base = vault / BASE_FILE
    mine = base.read_text(encoding="utf-8").replace("limit: 100", "limit: 20")
    base.write_text(mine, encoding="utf-8")

    make_vault(server, vault, fast_config, OTHER_TITLE)
    assert base.read_text(encoding="utf-8") == mine

    base.unlink()
    server.routes["/third"] = Response(article_page("A third post", AI_PARAGRAPHS[2:]))
    run(read_sources([server.url("/third")]), fast_config, vault)
    assert not base.exists()


def test_a_gleaner_base_of_the_persons_own_is_left_alone(server, vault, fast_config):
    vault.mkdir(parents=True)
    mine = "views:\n  - type: cards\n    name: Everything\n    order: [file.name]\n"
    (vault / BASE_FILE).write_text(mine, encoding="utf-8")

    make_vault(server, vault, fast_config, "The year in open models")

    assert (vault / BASE_FILE).read_text(encoding="utf-8") == mine


def test_an_unchanged_gleaner_base_of_an_older_gleaner_is_refreshed(server, vault, fast_config):
    """What an earlier version wrote, and the person never touched, follows Gleaner's views."""
    older = vault_base().replace("limit: 100", "limit: 30")
    vault.mkdir(parents=True)
    (vault / BASE_FILE).write_text(older, encoding="utf-8")
    state = State(Vault(vault).state_path)
    remember_written(state, BASE_FILE, older)
    state.close()

    make_vault(server, vault, fast_config, "The year in open models")

    assert (vault / BASE_FILE).read_text(encoding="utf-8") == vault_base()


def test_a_topic_view_the_person_changed_or_deleted_stays_so(server, vault, fast_config):
    make_vault(server, vault, fast_config, "The year in open models")
    changed, deleted = vault / "topics/Model/GPT-4o.md", vault / "topics/Organization/OpenAI.md"
    text = changed.read_text(encoding="utf-8").replace("direction: DESC", "direction: ASC")
    changed.write_text(text + "\nMy own line.\n", encoding="utf-8")
    frontmatter, body = split_frontmatter(deleted.read_text(encoding="utf-8"))
    view = body.split(f"## {TOPIC_VIEW_SECTION}\n", 1)[1].split("## Articles\n", 1)[0]
    deleted.write_text(deleted.read_text(encoding="utf-8").replace(
        f"## {TOPIC_VIEW_SECTION}\n{view}", ""), encoding="utf-8")

    make_vault(server, vault, fast_config, OTHER_TITLE)

    after = changed.read_text(encoding="utf-8")
    assert "[[Small models on laptops|Small models on laptops]]" in after
    assert topic_note_base(after)["views"][0]["sort"][0]["direction"] == "ASC"
    assert after.rstrip().endswith("My own line.")
    gone = deleted.read_text(encoding="utf-8")
    assert "[[Small models on laptops|Small models on laptops]]" in gone
    assert TOPIC_VIEW_SECTION not in gone and "```base" not in gone
    assert json.dumps(split_frontmatter(gone)[0]) == json.dumps(frontmatter)


def test_a_topic_note_from_before_views_gets_its_view_on_its_next_write(
        server, vault, fast_config):
    make_vault(server, vault, fast_config, "The year in open models")
    note = vault / "topics/Model/GPT-4o.md"
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    older = note.read_text(encoding="utf-8").split(f"## {TOPIC_VIEW_SECTION}\n")[0] + \
        "## Articles\n" + body.split("## Articles\n", 1)[1]
    note.write_text(older, encoding="utf-8")
    state = State(Vault(vault).state_path)
    state.db.execute("DELETE FROM handed_over")  # a vault an earlier Gleaner wrote
    state.close()

    make_vault(server, vault, fast_config, OTHER_TITLE)

    assert topic_note_base(note.read_text(encoding="utf-8")) == topic_note_base(topic_view())
