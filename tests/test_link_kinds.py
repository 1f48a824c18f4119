"""Each outbound link says what it leads to: article, repository, paper, video or social."""

import pytest

from pipeline.extract.links import KINDS, extract_links, link_kind

PAGE = "https://blog.example.com/posts/review/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/meta-llama/llama-stack", "repository"),
        ("https://gitlab.com/group/project/-/tree/main", "repository"),
        ("https://huggingface.co/deepseek-ai/DeepSeek-V3", "repository"),
        ("https://arxiv.org/abs/2412.19437", "paper"),
        ("https://doi.org/10.1038/s41586-024-07421-0", "paper"),
        ("https://www.science.org/doi/10.1126/science.adk1234", "paper"),
        ("https://www.youtube.com/watch?v=3qQJTUYKmYU", "video"),
        ("https://youtu.be/3qQJTUYKmYU", "video"),
        ("https://vimeo.com/123456", "video"),
        ("https://www.tiktok.com/@someone/video/7312345678", "video"),
        ("https://twitter.com/simonw/status/1873", "social"),
        ("https://x.com/simonw/status/1873", "social"),
        ("https://bsky.app/profile/simonwillison.net/post/3l", "social"),
        ("https://mastodon.example/@bob/109348", "social"),
        ("https://www.reddit.com/r/LocalLLaMA/comments/abc/title/", "social"),
        ("https://simonwillison.net/2024/Dec/31/llms-in-2024/", "article"),
    ],
)
def test_link_kind_from_host_and_path(url, kind):
    assert link_kind(url) == kind


def test_site_pages_of_code_hosts_are_not_repositories():
    assert link_kind("https://github.com/features/copilot") == "article"
    assert link_kind("https://github.com/openai") == "article"


def test_extracted_links_carry_their_kind():
    markdown = ("The [code](https://github.com/deepseek-ai/DeepSeek-V3) and the "
                "[paper](https://arxiv.org/abs/2412.19437) are out; a [review]"
                "(https://example.org/review) followed.")
    kinds = [link.kind for link in extract_links(markdown, PAGE)]
    assert kinds == ["repository", "paper", "article"]
    assert set(kinds) <= set(KINDS)
