"""Markdown to plain text: what NLP and summaries read."""

from pipeline.text import markdown_blocks, markdown_to_text


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
