"""The metadata a note uses, read from the page's one tree: the author in the page's
structure is the one trafilatura's own search would find."""

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html

from pipeline.extract.metadata import page_metadata

URL = "https://news.example/2025/05/the-harbour-reopens"
STORY = ("<p>The harbour of the old town reopened on Monday, three weeks after the storm tore "
         "two piers from their moorings.</p>")

# What pages put around a name: the attributes trafilatura's author XPaths look for, those
# its pruning looks for (comments, dates, sidebars, figures), and plain ones.
TAGS = ["a", "address", "div", "span", "p", "strong", "h3", "h4", "section", "time", "figure",
        "li", "author"]
ATTRIBUTES = [
    "", 'class="author"', 'class="author-name"', 'class="AuthorName"', 'class="byline"',
    'class="c-byline__name"', 'class="username"', 'class="BBL"', 'class="writer"',
    'class="posted-by"', 'class="screenname"', 'id="author"', 'id="post-author"',
    'id="Author-box"', 'rel="author"', 'itemprop="author"', 'itemprop="author name"',
    'data-testid="AuthorCard"', 'data-component="Byline"', 'class="comments"',
    'class="comments-list"', 'id="comments"', 'class="sidebar"', 'class="title"',
    'class="date"', 'class="meta-date"', 'data-component="Figure"', 'class="entry"',
    'id="main"',
]
TEXTS = ["By Maria Keller", "Jon Arne Olsen", "x", "Posted on 12 May", "Reply",
         "A very long line that no byline would ever run to, since it goes on and on about "
         "the storm and the harbour and the boats that sank at anchor there", ""]


def element(depth: int) -> st.SearchStrategy[str]:
    children = (st.lists(element(depth - 1), max_size=3).map("".join) if depth
                else st.just(""))
    return st.builds(lambda tag, attributes, text, inner, tail:
                     f"<{tag} {attributes}>{text}{inner}</{tag}>{tail}",
                     st.sampled_from(TAGS), st.sampled_from(ATTRIBUTES),
                     st.sampled_from(TEXTS), children, st.sampled_from(TEXTS))


def tree_of(body: str) -> HtmlElement:
    return load_html(f"<html><head><title>The harbour</title></head><body>{STORY}{body}"
                     "</body></html>")


@seed(17)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(element(3), min_size=1, max_size=4).map("".join))
def test_the_author_in_a_pages_structure_is_the_one_trafilatura_finds(body):
    tree = tree_of(body)

    assert page_metadata(tree, URL).author == extract_author(tree)


def test_a_byline_names_the_author():
    tree = tree_of('<p class="byline">By Maria Keller</p>')

    assert page_metadata(tree, URL).author == "Maria Keller"


def test_a_name_in_the_comments_is_not_the_author():
    tree = tree_of('<div id="comments"><span class="author">Jon Arne Olsen</span></div>')

    assert page_metadata(tree, URL).author is None


def test_a_declared_author_comes_before_the_pages_structure():
    tree = load_html('<html><head><meta name="author" content="Maria Keller"></head><body>'
                     f'{STORY}<span class="author">Jon Arne Olsen</span></body></html>')

    assert page_metadata(tree, URL).author == "Maria Keller"
