"""Outbound links of an article body, with their context sentence."""

from pipeline.extract.links import canonical_url, extract_links

PAGE = "https://blog.example.com/posts/review/"


def test_link_gets_its_sentence_as_context():
    markdown = ("Meta shipped a lot. It was followed by the [Llama Stack](https://github.com/"
                "meta-llama/llama-stack) which is underappreciated. Then came more.")
    [link] = extract_links(markdown, PAGE)
    assert link.label == "Llama Stack"
    assert link.context == "It was followed by the Llama Stack which is underappreciated."


def test_relative_links_are_resolved_and_tracking_parameters_removed():
    [link] = extract_links("Our [open roles](/jobs?utm_source=blog&team=ml).", PAGE)
    assert link.url == "https://blog.example.com/jobs?team=ml"


def test_images_mailto_and_self_links_are_not_outbound_links():
    markdown = ("![chart](https://cdn.example.com/c.png) Mail [me](mailto:a@b.c) or see "
                f"[this page]({PAGE}#top) and [a paper](https://arxiv.org/abs/2412.19437).")
    assert [link.url for link in extract_links(markdown, PAGE)] == [
        "https://arxiv.org/abs/2412.19437"
    ]


def test_duplicate_targets_are_listed_once():
    markdown = "[Kamiwaza](https://kamiwaza.ai) here and [kamiwaza](https://kamiwaza.ai/) there."
    assert len(extract_links(markdown, PAGE)) == 1


def test_generic_anchor_text_is_replaced_by_something_readable():
    [link] = extract_links("Details [here](https://example.org/reports/ai-index).", PAGE)
    assert link.label == "example.org/ai-index"


def test_canonical_url_drops_fragment_and_utm():
    assert canonical_url("https://Example.com/a?utm_medium=email#x") == "https://example.com/a"


def test_links_tagged_as_related_stories_promotions_are_not_article_links():
    markdown = ("- How Facebook [gets it backward](https://news.example.com/story/fb/"
                "?itm_campaign=BottomRelatedStories_Sections_1)\n\n"
                "The study [was published](https://journal.example.org/paper?utm_source=x).")
    assert [link.url for link in extract_links(markdown, PAGE)] == [
        "https://journal.example.org/paper"
    ]
