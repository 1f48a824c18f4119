"""`gleaner topics list` and `gleaner topics merge` on a vault the pipeline wrote."""

from __future__ import annotations

from click.testing import CliRunner

from pipeline import run
from pipeline.cli import main
from pipeline.sources.lists import read_sources
from pipeline.vault.frontmatter import split_frontmatter

from .conftest import AI_PARAGRAPHS, article_page
from .server import Response

EXTRA = ("Qwen models kept improving, and Qwen remained the most downloaded family on "
         "Hugging Face by the end of the year.")


def glean(server, vault, config, paragraphs):
    server.routes["/a"] = Response(article_page("Open models in 2024", paragraphs))
    return run(read_sources([server.url("/a")]), config, vault)


def test_topics_list_counts_articles_per_topic(server, vault, fast_config):
    glean(server, vault, fast_config, AI_PARAGRAPHS)
    result = CliRunner().invoke(main, ["topics", "list", str(vault)])
    assert result.exit_code == 0
    assert "    1  Model/Claude 3.5 Sonnet" in result.output.splitlines()


def test_merge_rewrites_links_and_teaches_the_alias(server, vault, fast_config):
    glean(server, vault, fast_config, [*AI_PARAGRAPHS, EXTRA])
    result = CliRunner().invoke(
        main, ["topics", "merge", "Model/Qwen", "Model/Qwen2.5-Coder-32B", "--vault", str(vault)])
    assert result.exit_code == 0, result.output
    note = next(vault.glob("*.md")).read_text(encoding="utf-8")
    assert "![[topics/Model/Qwen]]" not in note
    assert not (vault / "topics" / "Model" / "Qwen.md").exists()
    topic = (vault / "topics" / "Model" / "Qwen2.5-Coder-32B.md").read_text(encoding="utf-8")
    assert "Qwen" in split_frontmatter(topic)[0]["aliases"]


def test_after_a_merge_a_changed_article_maps_the_old_name_to_the_new_topic(
    server, vault, fast_config
):
    glean(server, vault, fast_config, [*AI_PARAGRAPHS, EXTRA])
    CliRunner().invoke(
        main, ["topics", "merge", "Model/Qwen", "Model/Qwen2.5-Coder-32B", "--vault", str(vault)])

    report = glean(server, vault, fast_config, [*AI_PARAGRAPHS, EXTRA, "Qwen is everywhere now."])

    assert report.counts["updated"] == 1
    assert report.kept_edits == []
    assert not (vault / "topics" / "Model" / "Qwen.md").exists()


def test_merge_of_an_unknown_topic_names_it(vault):
    vault.mkdir(parents=True)
    result = CliRunner().invoke(main, ["topics", "merge", "Model/Nope", "Model/Other",
                                       "--vault", str(vault)])
    assert result.exit_code == 2
    assert "'Model/Nope': no topic note at topics/Model/Nope.md" in result.output
