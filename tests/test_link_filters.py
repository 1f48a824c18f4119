"""Only links a reader follows from the article's prose are listed."""

from pipeline.extract.links import extract_links

PAGE = "https://news.example.com/2024/11/moon-landers.html"


def urls(markdown: str) -> list[str]:
    return [link.url for link in extract_links(markdown, PAGE)]


def test_a_related_articles_list_at_the_end_is_dropped():
    markdown = (
        "NASA picked five [lander makers](https://www.nasa.gov/clps) this week.\n\n"
        "- [Moon Rush: Private Lunar Lander Plans](https://news.example.com/moon-rush.html)\n"
        "- [Where Landers Will Land](https://news.example.com/landing-sites.html)\n"
    )
    assert urls(markdown) == ["https://www.nasa.gov/clps"]


def test_a_list_of_links_to_other_sites_is_kept():
    markdown = (
        "Further reading:\n\n"
        "- [The DeepSeek v3 paper](https://arxiv.org/abs/2412.19437)\n"
        "- [Its weights](https://huggingface.co/deepseek-ai/DeepSeek-V3)\n"
    )
    assert len(urls(markdown)) == 2


def test_a_single_same_site_link_in_a_list_is_kept():
    markdown = "- [Our earlier story on landers](https://news.example.com/landers.html)\n"
    assert urls(markdown) == ["https://news.example.com/landers.html"]


def test_syndication_and_follow_credits_are_dropped():
    markdown = (
        "Europa has [water vapour](https://www.nasa.gov/europa).\n\n"
        "**This article was originally published by [Futurism](https://futurism.com/). "
        "Read the [original article](https://futurism.com/europa).**\n\n"
        "*Follow [NBC Latino](https://www.nbcnews.com/latino) on "
        "[Facebook](https://www.facebook.com/NBCLatino).*\n\n"
        "*This graphic, provided by [Statista](https://www.statista.com/chartoftheday/), "
        "shows the states.*"
    )
    assert urls(markdown) == ["https://www.nasa.gov/europa"]


def test_links_to_image_files_are_dropped():
    markdown = "[The tweets](https://news.example.com/uploads/tweets.jpg) said otherwise."
    assert urls(markdown) == []


def test_in_page_anchors_resolved_against_the_site_root_are_dropped():
    markdown = "- Why the grant is promising. ([More](https://news.example.com#Grant))"
    assert urls(markdown) == []


def test_prose_that_mentions_an_image_provided_by_someone_keeps_its_links():
    markdown = (
        "The tool has a simple loop: take the image provided by the user, render it with "
        "[the vision model](https://example.org/vision) and show the result in "
        "[a preview page](https://example.org/preview), which takes a few seconds."
    )
    assert urls(markdown) == ["https://example.org/vision", "https://example.org/preview"]


def test_a_query_that_is_a_bare_key_is_kept_and_tracking_parameters_go():
    markdown = (
        "He shared [the transcript](https://gistpreview.github.io/?d2d12500eb0776bfae782f272c0c5d0a)"
        " and [the code](https://github.com/o/r/blob/main/x.py?plain=1&utm_source=newsletter)"
        " from [his talk](https://example.org/talk?ref=hn), on [branch dev]"
        "(https://example.org/tree?ref=dev&path=src)."
    )
    assert urls(markdown) == [
        "https://gistpreview.github.io/?d2d12500eb0776bfae782f272c0c5d0a",
        "https://github.com/o/r/blob/main/x.py?plain=1",
        "https://example.org/talk",
        "https://example.org/tree?ref=dev&path=src",
    ]
