"""Newsletter platforms' chrome out of an issue's text and links, its own headings and prose in.

Each issue below is laid out the way its platform lays out a mail (the markup of Substack's,
Ghost's, Mailchimp's, beehiiv's and Buttondown's templates, cut down to what they wrap around
an issue), around the same writing: two section headings, prose with links, a picture."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from pipeline.extract.article import extract_article
from pipeline.records import Source
from pipeline.sources.mail import body_page, newsletter_links, unwrap_tracking

from .conftest import realistic_paragraphs

PROSE = realistic_paragraphs()[30:34]
WRITING = (
    "<h2>What happened this week</h2>"
    f'<p>{PROSE[0]} <a href="https://research.example/paper">the paper</a>.</p>'
    f"<p>{PROSE[1]}</p>"
    '<div class="captioned-image-container"><figure><a class="image-link image2" '
    'href="https://cdn.example/image/fetch/w_1456/pic.png"><img src="https://cdn.example/p.png">'
    '</a><figcaption class="image-caption">A chart of the results</figcaption></figure></div>'
    "<h2>Worth reading</h2>"
    f'<p>{PROSE[2]} <a href="https://blog.example/post">a post about it</a>.</p>'
    f"<p>{PROSE[3]}</p>"
)
SUBSTACK = (
    '<div class="preamble"><p>Forwarded this email? <a href="https://w.substack.com/subscribe">'
    "Subscribe here</a> for more</p></div>" + WRITING +
    '<div class="subscription-widget-wrap" data-component-name="SubscribeWidgetToDOM"><div '
    'class="subscription-widget"><p class="cta-caption">Thanks for reading The Weekly! Subscribe '
    'for free to receive new posts and support my work.</p><form><input type="email" '
    'placeholder="Type your email…"><input type="submit" value="Subscribe"></form></div></div>'
    '<p class="button-wrapper" data-component-name="ButtonCreateButton"><a class="button primary"'
    ' href="https://w.substack.com/p/issue?utm_source=substack&amp;utm_medium=email&amp;'
    'utm_content=share&amp;action=share"><span>Share</span></a></p>'
    '<p class="button-wrapper" data-component-name="ButtonCreateButton"><a class="button primary"'
    ' href="https://w.substack.com/p/issue/comments"><span>Leave a comment</span></a></p>'
    '<table class="post-ufi"><tr><td><a href="https://substack.com/app-link/post?action=like">'
    "Like</a></td><td><a href='https://w.substack.com/p/issue/comments'>Comment</a></td><td>"
    "<a href='https://substack.com/redirect/2/restack'>Restack</a></td></tr></table>"
    '<div class="footer"><p>© 2024 The Weekly<br>548 Market Street PMB 72296, San Francisco</p>'
    '<p><a href="https://w.substack.com/action/disable_email">Unsubscribe</a></p>'
    '<p><a href="https://substack.com/signup">Start writing</a> '
    '<a href="https://substack.com/app">Get the app</a></p></div>'
)
GHOST = (
    '<span class="preheader">A preview of this week</span>'
    '<table class="site-info"><tr><td><a href="https://ghost.example/">The Weekly</a></td></tr>'
    '</table><table><tr><td class="view-online"><a href="https://ghost.example/issue/">View in '
    "browser</a></td></tr></table>" + WRITING +
    '<div class="kg-card kg-signup-card"><h2 class="kg-signup-card-heading">Sign up for The '
    'Weekly</h2><p>New posts every week.</p><a href="#/portal/signup">Subscribe</a></div>'
    '<table class="feedback-buttons"><tr><td><a href="https://ghost.example/#/feedback/1/1">'
    "More like this</a></td><td><a href='https://ghost.example/#/feedback/1/0'>Less like this"
    "</a></td></tr></table>"
    '<table><tr><td class="latest-post"><a href="https://ghost.example/older/"><h4>An older '
    "issue</h4><p>What we wrote before.</p></a></td></tr></table>"
    '<table><tr><td class="subscription-box"><h3>Subscription details</h3><p>You are receiving '
    "this because you are a free subscriber to The Weekly.</p><a href='https://ghost.example/"
    "#/portal/account'>Manage subscription</a></td></tr></table>"
    '<table><tr><td class="footer">The Weekly © 2024 – <a href="https://ghost.example/unsubscribe'
    '/?uuid=1">Unsubscribe</a></td></tr><tr><td class="footer-powered"><a href="https://ghost.org'
    '/"><img src="https://static.ghost.org/powered.png"></a></td></tr></table>'
)
MAILCHIMP = (
    '<table id="templatePreheader"><tr><td class="mcnTextContent">Use this area to offer a '
    "short preview</td></tr></table>"
    '<table class="mcnTextBlock"><tr><td class="mcnTextContent">' + WRITING + "</td></tr></table>"
    '<table class="mcnTextBlock"><tr><td class="mcnTextContent"><p><strong>SPONSORED BY ACME'
    "</strong></p><p>Acme builds the fastest vector database in the world, now with a free "
    'tier. <a href="https://acme.example/?utm_source=weekly">Try Acme today</a>.</p></td></tr>'
    "</table>"
    '<table class="m_4521mcnFollowBlock"><tr><td><a href="https://twitter.com/weekly">Twitter</a>'
    ' <a href="https://www.linkedin.com/company/weekly">LinkedIn</a></td></tr></table>'
    '<table id="templateFooter"><tr><td class="mcnTextContent"><em>Copyright © 2024 The Weekly, '
    "All rights reserved.</em><br>Want to change how you receive these emails?<br>You can <a "
    'href="https://weekly.us1.list-manage.com/profile?u=1">update your preferences</a> or <a '
    'href="https://weekly.us1.list-manage.com/unsubscribe?u=1">unsubscribe from this list</a>'
    "</td></tr></table>"
)
BEEHIIV = (
    "<table><tr><td><p>Did someone forward you this email? <a href='https://weekly.beehiiv.com/"
    "subscribe'>Sign up here</a></p></td></tr></table>" + WRITING +
    "<table><tr><td><h3>Together with Acme</h3><p>Acme builds the fastest vector database in "
    "the world. <a href='https://acme.example/'>Start free</a></p></td></tr></table>"
    "<table><tr><td><p><a href='https://weekly.beehiiv.com/p/issue?utm_source=share'>Share "
    "this post</a></p></td></tr></table>"
    "<table><tr><td><p>Update your email preferences or unsubscribe <a href='https://weekly."
    "beehiiv.com/unsubscribe'>here</a></p><p>© 2024 The Weekly</p><p>Powered by beehiiv</p>"
    "</td></tr></table>"
)
BUTTONDOWN = (
    WRITING +
    "<hr><p>Sponsor</p><p>This week's issue is brought to you by Acme, the fastest vector "
    "database.</p><hr>"
    '<div class="email-footer"><p>You\'re receiving this because you subscribed to The Weekly.'
    ' <a href="https://buttondown.com/weekly/unsubscribe/1">Unsubscribe</a></p><p>Powered by '
    'Buttondown</p></div>'
    '<form class="embeddable-buttondown-form" action="https://buttondown.com/api/emails/embed-'
    'subscribe/weekly"><input type="email" name="email"><input type="submit" value="Subscribe">'
    "</form>"
)
ISSUES = {"substack": SUBSTACK, "ghost": GHOST, "mailchimp": MAILCHIMP, "beehiiv": BEEHIIV,
          "buttondown": BUTTONDOWN}
CHROME_WORDS = ("Forwarded this email", "Thanks for reading", "Subscribe", "Share",
                "Leave a comment", "Restack", "Unsubscribe", "Start writing", "Get the app",
                "Sign up", "More like this", "Subscription details", "An older issue",
                "preview", "Acme", "Copyright", "Powered by", "preferences", "© 2024",
                "You are receiving", "receiving this", "View in browser", "Twitter")


@pytest.mark.parametrize("platform", sorted(ISSUES))
def test_an_issue_keeps_its_headings_and_prose_and_loses_the_platforms_chrome(platform):
    source = Source("https://weekly.example/issues/1", "The Weekly")

    article = extract_article(body_page(source, "Issue 1", ISSUES[platform]))

    assert "## What happened this week" in article.text
    assert "## Worth reading" in article.text
    for paragraph in PROSE:
        assert paragraph[:60] in article.text
    assert [word for word in CHROME_WORDS if word.lower() in article.text.lower()] == []
    assert [link.url for link in article.links] == ["https://research.example/paper",
                                                    "https://blog.example/post"]


@pytest.mark.parametrize("platform", sorted(ISSUES))
def test_an_issues_links_to_read_are_the_writers_only(platform):
    links = newsletter_links(ISSUES[platform], "https://weekly.example/issues/1")
    assert links == ["https://research.example/paper", "https://blog.example/post"]


def test_a_button_the_writer_made_is_kept_as_a_link():
    issue = (WRITING + '<p class="button-wrapper" data-component-name="ButtonCreateButton">'
             '<a class="button primary" href="https://lab.example/report"><span>Read the full '
             "report</span></a></p>")
    links = newsletter_links(issue, "https://weekly.example/issues/1")
    assert links[-1] == "https://lab.example/report"


def test_a_sentence_that_starts_like_a_label_is_writing():
    issue = (f"<p>Together with colleagues at two universities, the lab trained {PROSE[0]}</p>"
             f"<p>{PROSE[1]}</p>")
    article = extract_article(body_page(Source("https://w.example/1", "W"), "Issue", issue))
    assert "Together with colleagues" in article.text


def substack_redirect(target: str, compressed: bool = False) -> str:
    payload = json.dumps({"e": target, "p": 123, "s": 4, "f": True}).encode()
    if compressed:
        payload = zlib.compress(payload)
        return "https://email.mg2.substack.com/c/" + base64.urlsafe_b64encode(payload).decode()
    return "https://substack.com/redirect/2/" + base64.urlsafe_b64encode(payload).decode() + \
        "?j=eyJ1IjoiMTIzIn0"


@pytest.mark.parametrize("compressed", [False, True], ids=["redirect", "older mail"])
def test_substack_tracking_redirects_lead_to_their_article(compressed):
    target = "https://research.example/paper?id=7"
    wrapped = substack_redirect(target, compressed)
    assert unwrap_tracking(wrapped) == target
    issue = f'<p>{PROSE[0]} <a href="{wrapped}">the paper</a>.</p><p>{PROSE[1]}</p>'
    article = extract_article(body_page(Source("https://w.example/1", "W"), "Issue", issue))
    assert [link.url for link in article.links] == [target]
