"""The real posts of ../shared/data/dev-posts/ rendered into three site templates, as a second
extraction set: the text is real, the furniture around it is written here (navigation, a
cookie banner, a newsletter sign-up, related articles, comments, a footer), so its scores are
reported apart from the benchmark's. The truth is the post's own text.
"""

from __future__ import annotations

import html

from _devposts import posts
from markdown_it import MarkdownIt

from pipeline.extract.text import markdown_to_text

COOKIE = ('<div class="cookie-banner"><p>We use cookies to improve your experience. By '
          'continuing you accept our <a href="/privacy">cookie policy</a>.</p>'
          "<button>Accept</button></div>")
SIGNUP = ('<div class="newsletter"><h3>Get the weekly digest</h3><p>The best of our writing, '
          "every Friday, in your inbox.</p><form><input type='email'><button>Sign up</button>"
          "</form></div>")
COMMENTS = ('<section id="comments"><h2>3 comments</h2><div class="comment"><p><b>sam</b> '
            "Great write-up, thanks for sharing the numbers.</p></div><div class='comment'><p>"
            "<b>lee</b> Does this hold for smaller models too?</p></div></section>")


def _related(title: str) -> str:
    items = "".join(f'<li><a href="/posts/{n}">More on {html.escape(title[:40])}, part {n}</a>'
                    "</li>" for n in range(1, 5))
    return f'<aside class="related"><h3>Related articles</h3><ul>{items}</ul></aside>'


NEWS = """<!DOCTYPE html><html><head><title>{title} | Tech Daily</title></head><body>
{cookie}<header><nav><a href="/">Home</a> <a href="/ai">AI</a> <a href="/cloud">Cloud</a>
<a href="/about">About</a></nav></header><main><article><h1>{title}</h1>
<p class="byline">By Staff Writer, {date}</p><div class="article-body">{body}</div></article>
{related}{signup}{comments}</main><footer><p>© 2025 Tech Daily. All rights reserved.</p>
</footer></body></html>"""
BLOG = """<!DOCTYPE html><html><head><title>{title}</title></head><body>
<div id="wrapper"><div id="sidebar"><h2>Archive</h2><ul><li><a href="/2024">2024</a></li>
<li><a href="/2023">2023</a></li></ul><h2>Tags</h2><p><a href="/t/ai">ai</a>
<a href="/t/llm">llm</a></p></div><div id="content"><div class="post"><h2>{title}</h2>
<div class="entry">{body}</div><p class="share">Share this post: <a href="/s/x">X</a>
<a href="/s/li">LinkedIn</a></p></div>{signup}{comments}</div></div>{cookie}
<div id="footer">Powered by a static site generator.</div></body></html>"""
DOCS = """<!DOCTYPE html><html><head><title>{title}</title></head><body><div class="page">
<div class="toc"><p>On this page</p><ul><li><a href="#a">Introduction</a></li>
<li><a href="#b">Results</a></li></ul></div><div class="content" role="main">
<h1>{title}</h1><div class="meta">{date}</div>{body}{related}</div></div>{cookie}
</body></html>"""
TEMPLATES = {"news": NEWS, "blog": BLOG, "docs": DOCS}


def rendered_posts() -> list[tuple[str, str, str, str]]:
    """(id, template name, page HTML, true text) for every post, templates taken in turn."""
    renderer = MarkdownIt("commonmark").enable("table")
    pages = []
    for index, post in enumerate(posts()):
        name = sorted(TEMPLATES)[index % len(TEMPLATES)]
        page = TEMPLATES[name].format(
            title=html.escape(post.title), date=post.date, body=renderer.render(post.body),
            cookie=COOKIE, signup=SIGNUP, comments=COMMENTS, related=_related(post.title))
        pages.append((post.id, name, page, markdown_to_text(post.body)))
    return pages
