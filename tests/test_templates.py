"""Note templates: the shipped one writes the seed-004 layout byte for byte; a person's own
template (other keys, other sections, callouts) writes valid notes whose edits survive; a
broken template stops the run before any note, naming its line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import run
from pipeline.cli import main
from pipeline.commands.demo import DEMO_PORT, demo_reading_list
from pipeline.config import SummaryConfig, load_config
from pipeline.errors import ConfigError
from pipeline.records import NoteDraft, Page, Source
from pipeline.resources import examples_dir
from pipeline.sources.lists import read_sources
from pipeline.vault.files import safe_name
from pipeline.vault.frontmatter import render_frontmatter, split_frontmatter
from pipeline.vault.markup import inert, link_label, link_target, readable
from pipeline.vault.notes import (
    DEFAULT_TEMPLATE,
    SAMPLE_KNOWN,
    SAMPLES,
    gleaner_tags,
    load_template,
    note_id_for,
    render_note,
    topic_link,
)
from pipeline.vault.sections import split_sections
from pipeline.vault.templates import NoteTemplate
from pipeline.vault.validate import frontmatter_problems

from .conftest import AI_PARAGRAPHS, REPO, article_page
from .server import Response
from .test_hostile_content import assert_inert, draft, hostile_text

TODAY = date(2025, 1, 8)
OWNED_KEYS = """
    "link": link,
    "read_priority": read_priority,
    "relevance": relevance,
    "source": source,
    "tags": tags,
    "type": "Content",
"""
READING_TEMPLATE = """\
{% set frontmatter = {""" + OWNED_KEYS + """\
    "headline": title,
    "models": topics | selectattr("category", "equalto", "Model") | map(attribute="name") | list,
} %}
# {{ title }}

## TL;DR
> [!abstract] {{ title }}
{{ summary | quote }}

## Further reading
{% for outbound in links %}
- {{ outbound.markdown }} ({{ outbound.kind }})
{% endfor %}

## Mentions
{{ topics | join(" · ", attribute="wikilink") }}
"""

HEADLINE_LINE = READING_TEMPLATE.splitlines().index('    "headline": title,') + 1


def seed_004_note(note: NoteDraft, note_paths: Mapping[str, str], versions: list[str]) -> str:
    """The seed-004 layout, as Gleaner wrote it before templates: the specification the
    shipped template must meet, byte for byte."""
    article = note.article
    frontmatter = {
        "already_read": False, "id": note_id_for(article.url), "link": article.url,
        "read_priority": note.read_priority, "relevance": note.relevance,
        "source": readable(article.source_name or article.site_name or ""),
        "tags": gleaner_tags(note.analysis.tags), "type": "Content",
        "upload_date": TODAY.isoformat(),
    }
    optional = {"title": readable(article.title), "author": readable(article.author or ""),
                "published": article.published,
                "versions": [v for v in versions if v != article.url]}
    frontmatter.update({k: v for k, v in optional.items() if v})
    summary = "\n".join(f"- {inert(line[2:])}" if line.startswith("- ") else inert(line)
                        for line in note.summary.splitlines())
    lines = []
    for link in article.links:
        known, label = note_paths.get(link.url), link_label(link.label)
        target = f"[[{known.removesuffix('.md')}|{label}]]" if known else \
            f"[{label}]({link_target(link.url)})"
        context = inert(link.context)
        lines.append(f"- {target} : {context}" if context else f"- {target}")
    embeds = "\n\n".join(f"![[{topic_link(topic)}]]" for topic in note.analysis.topics)
    return (render_frontmatter(frontmatter) + f"\n{link_target(article.url)}\n"
            + f"## Summary\n\n{summary}\n"
            + ("## Links\n\n" + "\n".join(lines) + "\n\n" if lines else "## Links\n\n")
            + (f"## Topics\n\n{embeds}\n" if embeds else "## Topics\n\n"))


@pytest.fixture(scope="module")
def demo_drafts() -> list[NoteDraft]:
    """A draft of every article on the demo's reading list, made by the real stages."""
    from pipeline.extract.article import extract_article
    from pipeline.nlp.analyze import Analyzer
    from pipeline.summaries.summarize import ExtractiveSummarizer

    analyzer, summarizer = Analyzer.load(), ExtractiveSummarizer(SummaryConfig())
    site = examples_dir() / "site"
    drafts = []
    for number, line in enumerate(demo_reading_list(DEMO_PORT)):
        if not line.startswith("http"):
            continue
        path = line.split(f":{DEMO_PORT}/", 1)[1]
        page = Page(Source(line, "reading-list"), line,
                    (site / (path + "index.html" if path.endswith("/") else path)).read_bytes(),
                    "text/html; charset=utf-8")
        article = extract_article(page)
        analysis = analyzer.analyze(article)
        drafts.append(NoteDraft(article, analysis,
                                summarizer.summarize(article, analysis),
                                relevance=number % 6, read_priority=7 * number))
    return drafts


def test_every_demo_note_through_the_shipped_template_is_the_seed_004_layout(demo_drafts):
    note_paths = {d.article.url: safe_name(d.article.title) + ".md" for d in demo_drafts}
    named = load_template(DEFAULT_TEMPLATE)
    assert len(demo_drafts) == 4
    assert any(link.url in note_paths for d in demo_drafts for link in d.article.links)
    for demo in demo_drafts:
        versions = [demo.article.url, demo.article.url + "?copy=1"]
        expected = seed_004_note(demo, note_paths, versions)
        for template in (None, named):
            rendered = render_note(demo, note_paths, versions, today=TODAY, template=template)
            assert rendered.text == expected


def test_config_naming_the_shipped_template_writes_the_note_the_default_writes(
        server, tmp_path, fast_config):
    server.routes["/a"] = Response(article_page("Open models in 2024", AI_PARAGRAPHS))
    config = tmp_path / "gleaner.toml"
    config.write_text(f"template = '{DEFAULT_TEMPLATE}'\nworkers = 0\n", encoding="utf-8")
    named = load_config(config)
    assert named.template == DEFAULT_TEMPLATE

    for name, config_ in (("default", fast_config), ("named", named)):
        run(read_sources([server.url("/a")]), replace(config_, fetch=fast_config.fetch),
            tmp_path / name)

    [default], [written] = (list((tmp_path / n).glob("*.md")) for n in ("default", "named"))
    assert written.read_bytes() == default.read_bytes()


@pytest.fixture
def reading_config(tmp_path: Path) -> Path:
    """A config naming READING_TEMPLATE by a path relative to the config file."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "reading.md.j2").write_text(READING_TEMPLATE, encoding="utf-8")
    config = tmp_path / "gleaner.toml"
    config.write_text('template = "templates/reading.md.j2"\nworkers = 0\n'
                      "[fetch]\nhost_delay = 0\ntimeout = 2\nretries = 1\n", encoding="utf-8")
    return config


def test_custom_template_writes_its_own_keys_sections_and_callout_and_passes_validate(
        server, vault, reading_config):
    server.routes["/a"] = Response(article_page("Open models in 2024", AI_PARAGRAPHS))

    report = run(read_sources([server.url("/a")]), load_config(reading_config), vault)

    assert report.counts["written"] == 1
    [note] = vault.glob("*.md")
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    assert frontmatter["headline"] == "Open models in 2024" and "title" not in frontmatter
    assert "Qwen2.5-Coder-32B" in frontmatter["models"]
    assert [name for name, _ in split_sections(body)] == ["", "TL;DR", "Further reading",
                                                          "Mentions"]
    assert body.startswith("# Open models in 2024\n\n## TL;DR\n"
                           "> [!abstract] Open models in 2024\n> ")
    assert "[detailed review by independent testers](https://example.org/qwen-review)" in body
    assert "[[topics/Model/Qwen2.5-Coder-32B|Qwen2.5-Coder-32B]] · " in body
    result = CliRunner().invoke(main, ["validate", str(vault)])
    assert result.exit_code == 0, result.output


def test_rerun_with_custom_template_keeps_persons_edits_and_updates_owned_parts(
        server, vault, reading_config):
    config = load_config(reading_config)
    server.routes["/a"] = Response(article_page("Open models in 2024", AI_PARAGRAPHS))
    run(read_sources([server.url("/a")]), config, vault)
    [note] = vault.glob("*.md")
    text = note.read_text(encoding="utf-8")
    text = text.replace("headline: Open models in 2024", "headline: Worth a second read")
    text = re.sub(r"## Further reading\n(.*\n)*?\n", "## Further reading\n- my own list\n\n",
                  text)
    note.write_text(text + "## My thoughts\n\nGood one.\n", encoding="utf-8")
    server.routes["/a"] = Response(article_page("Open models in 2025", [*AI_PARAGRAPHS,
                                   "Mistral AI released new open weights for Mistral Large."]))

    report = run(read_sources([server.url("/a")]), config, vault)

    assert report.counts["updated"] == 1
    frontmatter, body = split_frontmatter(note.read_text(encoding="utf-8"))
    assert frontmatter["headline"] == "Worth a second read"
    assert "## Further reading\n- my own list\n\n## Mentions\n" in body
    assert body.startswith("# Open models in 2025\n\n## TL;DR\n> [!abstract] Open models in 2025")
    assert body.endswith("## My thoughts\n\nGood one.\n")
    assert f"{note.name}: frontmatter key 'headline'" in report.kept_edits
    assert f"{note.name}: section 'Further reading'" in report.kept_edits


def test_template_with_a_syntax_error_stops_the_run_naming_its_line(server, vault, tmp_path,
                                                                     reading_config):
    broken = READING_TEMPLATE.replace("{% for outbound in links %}", "{% for outbound links %}")
    (tmp_path / "templates" / "reading.md.j2").write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("{% for outbound links %}") + 1
    server.routes["/a"] = Response(article_page("Open models in 2024", AI_PARAGRAPHS))

    result = CliRunner().invoke(main, ["run", server.url("/a"), "--config", str(reading_config),
                                       "--vault", str(vault)])

    assert result.exit_code == 2
    assert f"reading.md.j2, line {line}: syntax error" in result.output
    assert server.requests == [] and not list(vault.rglob("*.md"))


def test_template_that_fails_to_render_stops_the_run_naming_its_line(server, vault,
                                                                      fast_config, tmp_path):
    template = tmp_path / "broken.md.j2"
    template.write_text(READING_TEMPLATE.replace("## Mentions\n",
                                                 "## Mentions\n{{ word_count }}\n"),
                        encoding="utf-8")
    line = template.read_text(encoding="utf-8").splitlines().index("{{ word_count }}") + 1
    server.routes["/a"] = Response(article_page("Open models in 2024", AI_PARAGRAPHS))

    with pytest.raises(ConfigError, match=rf"broken.md.j2, line {line}: 'word_count' is undefined"):
        run(read_sources([server.url("/a")]), replace(fast_config, template=template), vault)

    assert server.requests == [] and not list(vault.rglob("*.md"))


@pytest.mark.parametrize(("change", "reason"), [
    (('    "relevance": relevance,\n', ""), "leaves out the frontmatter key 'relevance'"),
    (('"tags": tags', '"tags": title'), "writes an invalid frontmatter value: tags: "),
    (('"headline": title', '"upload_date": published'), "sets 'upload_date': Gleaner writes"),
    (("## TL;DR", "## Further reading"), "'## Further reading' twice"),
    (('"headline": title', '"headline": headline_text'),
     f"line {HEADLINE_LINE}: frontmatter key 'headline': 'headline_text' is undefined"),
])
def test_template_that_cannot_make_a_valid_note_is_rejected_with_the_reason(tmp_path, change,
                                                                            reason):
    template = tmp_path / "mine.md.j2"
    template.write_text(READING_TEMPLATE.replace(*change), encoding="utf-8")

    with pytest.raises(ConfigError, match=re.escape(f"note template {template}") + ".*"
                       + re.escape(reason)):
        load_template(template)


def test_a_section_the_new_template_no_longer_writes_goes_unless_the_person_edited_it():
    first = render_note(draft("A title", None, ["Open_Source"], "Old.", "l", "c", "x", "s"),
                        {}, [], today=TODAY)
    edited = first.text.replace("## Links\n", "## Links\n\nMy favourite link.\n")
    reading = NoteTemplate(READING_TEMPLATE, "reading.md.j2")

    second = render_note(draft("A title", None, ["Open_Source"], "New.", "l", "c", "x", "s"),
                         {}, [], existing=edited, owned_before=first.owned, template=reading)

    frontmatter, body = split_frontmatter(second.text)
    assert frontmatter["headline"] == "A title" and "title" not in frontmatter
    assert [name for name, _ in split_sections(body)] == ["", "Links", "TL;DR",
                                                          "Further reading", "Mentions"]
    assert body.startswith("# A title\n\n## Links\n\nMy favourite link.\n")
    assert second.kept == ()


HOSTILE_TEMPLATE = NoteTemplate("""\
{% set frontmatter = {""" + OWNED_KEYS + """\
    "headline": title,
    "by": author,
    "names": topics | map(attribute="name") | list,
    "from": [source, link],
} %}
{{ title }}
{{ title | upper }}
{{ author ~ "!" }}
{{ source | replace("x", "y") }}
{{ tags | join(", ") }}
{% for outbound in links %}
{{ outbound.label }} {{ outbound.context }} {{ outbound.url }}
[{{ outbound.label | link_label }}]({{ outbound.url | link_target }})
{% endfor %}
{% for topic in topics %}
{{ topic.name }}
{% endfor %}
{{ topics | join(" ", attribute="name") }}
## Summary
{{ summary | quote }}
""", "hostile.md.j2")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, author=st.one_of(st.none(), hostile_text),
       tags=st.lists(hostile_text, max_size=4), summary=hostile_text, label=hostile_text,
       context=hostile_text, topic=hostile_text, source=hostile_text)
def test_article_text_stays_inert_and_exact_through_any_use_a_template_makes_of_it(
    title, author, tags, summary, label, context, topic, source
):
    rendered = render_note(draft(title, author, tags, summary, label, context, topic, source),
                           {}, [], template=HOSTILE_TEMPLATE)

    frontmatter, body = split_frontmatter(rendered.text)
    assert frontmatter_problems(frontmatter) == []
    assert frontmatter.get("headline") == (title or None)
    assert frontmatter.get("by") == (author or None)
    assert frontmatter["names"] == [topic, topic] and frontmatter["from"][0] == source
    yaml_block = re.match(r"---\n(.*?)^---$", rendered.text, re.S | re.M).group(1)
    assert yaml.safe_load(yaml_block).get("headline") == (title or None)
    for line in body.splitlines():
        if line.startswith("[") and "](" in line:
            label_part, url = re.fullmatch(r"\[(.*)\]\((\S*)\)", line).groups()
            assert_inert(label_part.replace("\\]", "·").replace("\\|", "·"))
            assert not re.search(r"[\s()\[\]|<>]", url)
        elif line != "## Summary":
            assert_inert(line.removeprefix(">"))


def test_example_template_in_the_docs_writes_the_note_the_docs_show(tmp_path):
    docs = (REPO / "docs" / "TEMPLATES.md").read_text(encoding="utf-8")
    example = docs.split("## An example", 1)[1]
    source = example.split("```jinja\n", 1)[1].split("```\n", 1)[0]
    shown = example.split("It writes:\n\n```markdown\n", 1)[1].split("```\n", 1)[0]
    (tmp_path / "reading.md.j2").write_text(source, encoding="utf-8")

    template = load_template(tmp_path / "reading.md.j2")

    rendered = render_note(SAMPLES[0], {SAMPLE_KNOWN: "Known note.md"}, [], today=TODAY,
                           template=template)
    assert rendered.text == shown
