"""Markdown to plain text: what NLP and summaries read."""

from pipeline.extract.text import markdown_blocks, markdown_to_text


def test_links_keep_their_label_and_lose_the_url():
    text = markdown_to_text("See [Jevon's Paradox](https://en.wikipedia.org/wiki/Jevons_paradox).")
    assert text == "See Jevon's Paradox."


def test_images_bold_code_and_headings_are_stripped():
    markdown = ("## Open Models\n\n![Chart](/img/c.png) "
                "It is **Year of the Llama** with `llama-server`.")
    assert markdown_to_text(markdown) == "Open Models\n\nIt is Year of the Llama with llama-server."


def test_blocks_know_headings_items_and_quotes():
    blocks = markdown_blocks("# Title\n\nA paragraph.\n\n* an item\n\n> a quote")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "item", "quote"]


def test_code_fences_are_not_prose():
    assert markdown_to_text("Before.\n\n```python\nx = 1\n```\n\nAfter.") == "Before.\n\nAfter."


def test_bare_urls_and_html_are_dropped():
    assert markdown_to_text("Read <b>this</b> at https://example.com/x now") == "Read this at now"


def test_a_hard_wrapped_paragraph_is_one_block():
    markdown = ("We introduce Falcon3, a family of decoder-only large language models under 10\n"
                "billion parameters, developed by the Technology Innovation Institute in Abu\n"
                "Dhabi. By pushing the boundaries of performance and training efficiency, this\n"
                "release reflects our commitment to open models.")
    assert [b.kind for b in markdown_blocks(markdown)] == ["paragraph"]


def test_a_hard_wrapped_line_that_starts_with_a_link_stays_in_its_paragraph():
    markdown = ("We introduce Falcon3, a family of decoder-only large language models, built by\n"
                "[Technology Innovation Institute (TII)](https://www.tii.ae/) in Abu Dhabi. By\n"
                "pushing the boundaries of performance, this release reflects our commitment.")
    block, = markdown_blocks(markdown)
    assert "built by Technology Innovation Institute (TII) in Abu Dhabi." in block.text


def test_plain_text_items_one_a_line_stay_apart():
    markdown = ("There will be a proliferation of tools built around MCP, because devs love it\n"
                "The architecture of the tools with open clients and servers supports a network")
    assert len(markdown_blocks(markdown)) == 2


def test_a_line_that_carries_on_a_sentence_in_lower_case_joins_it():
    blocks = markdown_blocks("Short lines wrapped by\nhand still make one sentence.")
    assert [b.text for b in blocks] == ["Short lines wrapped by hand still make one sentence."]


def test_a_quoted_list_item_or_heading_loses_both_markers():
    blocks = markdown_blocks("> * Publicly available datasets of text\n\n> #### Why it matters")
    assert [(b.kind, b.text) for b in blocks] == [
        ("item", "Publicly available datasets of text"), ("heading", "Why it matters")]


def test_a_template_link_keeps_its_label():
    text = markdown_to_text("See my [post on GANs]({{ site.baseurl }}{% post_url 2017-gan %}).")
    assert text == "See my post on GANs."


def test_a_tag_whose_attributes_run_over_lines_leaves_nothing():
    markdown = ('Before.\n\n<script\n\ttype="module"\n\tsrc="https://x.org/gradio.js"\n>'
                '</script>\n\nAfter.')
    assert markdown_to_text(markdown) == "Before.\n\nAfter."


def test_a_tag_with_a_url_attribute_is_dropped_whole():
    assert markdown_to_text('<a class="btn" href="https://x.org/a.md">Update</a> on GitHub') \
        == "Update on GitHub"


def test_a_block_keeps_its_markdown_source():
    block, = markdown_blocks("Read [the docs](https://x.org/d) first.")
    assert block.markdown == "Read [the docs](https://x.org/d) first."
