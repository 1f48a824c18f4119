"""What newsletter platforms wrap around an issue, taken out before its text and links are read.

Substack, Buttondown, Ghost, beehiiv and Mailchimp put the same furniture around every issue,
in the mail, on the web page and often in the feed: subscribe boxes and buttons, share and
comment buttons, "forwarded this email?" and unsubscribe footers, sponsor blocks, and image
widgets (a link to the picture around the picture). None of it is the writer's text, and
none of its links is an article. It is found two ways:

- by the platform's own markup (a Substack subscription widget, a Ghost signup card, a
  Mailchimp follow block), which names it whatever the language of the issue;
- by its words, for a short block that is nothing but chrome ("Share", "Leave a comment",
  "Thanks for reading X! Subscribe for free…"), since mail clients and platforms that
  inline their styles keep no class names.

A sponsor block goes with its label ("Together with Acme", "Sponsored by"), as far as the
smallest container around the label that stays short, or, for a label that is a heading,
up to the next heading. Section headings of the issue itself are never touched; neither is
a button that leads somewhere else than the platform's own pages (a "Read the paper"
button is the writer's).

docs/NEWSLETTERS.md has the rules and how they were measured on real issues.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html as lxml_html
from lxml.etree import ParserError, XPath
from lxml.html import HtmlElement

CHROME_CLASSES = frozenset({
    # Substack (web, mail and feed): the subscribe widget, captioned subscribe buttons,
    # the paywall marker, polls, the like/comment/share bar, the image widget's expand icon
    "subscription-widget-wrap", "subscription-widget-wrap-editor", "subscribe-widget",
    "captioned-button-wrap", "paywall-jump", "poll-embed", "post-ufi",
    "share-dialog", "subscribe-footer", "image-link-expand", "post-footer",
    # Ghost (mail and web): signup card, feedback buttons, latest posts, subscription box
    "kg-signup-card", "feedback-buttons", "feedback-buttons-mobile", "latest-post",
    "subscription-box", "footer-powered", "preheader", "view-online", "comment-link",
    "site-info", "site-info-bordered", "header-image",
    # Mailchimp: social follow and share blocks, preheader and footer containers
    "mcnFollowBlock", "mcnShareBlock", "mcnPreviewText", "preheaderContainer",
    "footerContainer",
    # Buttondown and embedded forms anywhere
    "embeddable-buttondown-form",
    # any platform's footer
    "footer", "email-footer",
})
CHROME_IDS = frozenset({"templateFooter", "templatePreheader", "footer"})
CHROME_COMPONENTS = frozenset({"SubscribeWidgetToDOM", "CaptionedButtonToDOM"})
CHROME_TAGS = ("input", "button", "svg", "noscript")
BUTTON_CLASSES = frozenset({"button-wrapper", "kg-button-card", "mcnButtonBlock", "btn"})
MAIL_CLIENT_PREFIX = re.compile(r"^m_-?\d+_?")  # Gmail prefixes class names when forwarded
# What names a platform in a page it made: its generator tag, its hosts in the page's scripts,
# style sheets and forms, or the class names of its own widgets.
PLATFORM_HOSTS = re.compile(r"substack|ghost|beehiiv|buttondown|mailchimp|list-manage",
                            re.IGNORECASE)
PLATFORM_RESOURCES = tuple(XPath(path) for path in (
    "//meta[@name='generator']/@content", "//script/@src", "//link/@href", "//form/@action"))
PLATFORM_WIDGETS = re.compile(r"subscription-widget|kg-|mcn")

# A block whose whole text is one of these is chrome (matched against lowercased text).
CHROME_TEXT = re.compile(
    r"(?:thanks for reading\b.{0,120}?\b(?:subscribe|share)\b.*"
    r"|(?:forwarded this (?:e-?mail|newsletter)|did (?:someone|a friend) forward (?:you )?this"
    r"|was this (?:e-?mail |newsletter )?forwarded to you|got this from a friend)\b.*"
    r"|(?:subscribe|sign up|join)(?: now| for free| here| today)?"
    r"|share(?: this (?:post|issue|newsletter|email))?|leave a comment|comments?|restack|like"
    r"|upgrade(?: to paid)?|give a gift subscription|get the app|start writing"
    r"|view (?:this |it )?(?:e-?mail |post )?(?:in (?:your |a )?browser|online)"
    r"|read (?:this |it )?(?:online|in (?:your |a )?browser)"
    r"|(?:you (?:are|were|'re) receiving|you received) this\b.*"
    r"|(?:update|manage) your (?:e-?mail )?(?:preferences|subscription)\b.*"
    r"|powered by (?:substack|beehiiv|ghost|buttondown|mailchimp|intuit mailchimp)\b.*"
    r"|(?:copyright )?© ?\d{4}\b.{0,160}"
    r"|unsubscribe\b.{0,120})[.!?]?",
    re.IGNORECASE,
)
SPONSOR_LABEL = re.compile(
    r"(?:sponsored(?: by)?|today'?s sponsor|this week'?s sponsor|(?:a )?(?:word|message) from "
    r"(?:our|this week'?s|today'?s) sponsors?|together with|presented by|brought to you by|"
    r"in partnership with|partner(?:ed)? (?:content|post)|advertisement|\(?sponsor\)?)\b.*",
    re.IGNORECASE,
)
BUTTON_CHROME = re.compile(
    r"subscribe|share|comment|upgrade|gift|get the app|start writing|restack|sign up|"
    r"action=share|/subscribe|/app-link/|/account\b|/members/|#/portal", re.IGNORECASE)
TEXT_BLOCKS = ("p", "div", "td", "th", "li", "section", "table", "center", "h1", "h2", "h3",
               "h4", "h5", "h6", "aside", "figure", "blockquote")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
SPONSOR_CONTAINERS = ("div", "section", "table", "tbody", "tr", "td", "aside", "blockquote")
MAX_CHROME_CHARS = 300  # a block longer than this is writing, whatever words it has
MAX_SPONSOR_CHARS = 1500  # how much text a sponsor block may take with it
MAX_LABEL_CHARS = 80  # "Together with Acme": longer, it is a sentence that starts that way
ROWS = "(./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr)"
LAYOUT_PARTS = f"./thead | ./tbody | ./tfoot | {ROWS} | {ROWS}/td | {ROWS}/th"
LAYOUT_BLOCKS = (f"{ROWS}/td/*[self::p or self::h1 or self::h2 or self::h3 or self::h4 or "
                 "self::div or self::table or self::ul or self::ol or self::blockquote]")




def strip_chrome(tree: HtmlElement) -> HtmlElement:
    """Take every platform's chrome out of `tree`, in place; the tree is returned.

    A form is chrome (a sign-up, a search box) only when short: one that holds the page's
    writing is its layout (ASP.NET wraps whole pages in one)."""
    visible = _visible_counts(tree)
    doomed = [element for element in tree.iter() if isinstance(element.tag, str)
              and _is_chrome(element, 0 < visible[element] <= MAX_CHROME_CHARS)]
    doomed.extend(form for form in tree.iter("form") if visible[form] <= MAX_CHROME_CHARS)
    doomed.extend(_sponsor_blocks(tree, visible))
    _drop(doomed)
    return tree


def made_by_platform(tree: HtmlElement) -> bool:
    """Whether a newsletter platform made this web page: only such a page has the chrome
    to take out, and looking for it costs a third of a page's extraction."""
    # one XPath each: their union would be sorted into document order, for nothing
    resources = "\n".join(value for path in PLATFORM_RESOURCES for value in path(tree))
    if PLATFORM_HOSTS.search(resources) is not None:
        return True
    # one regular expression over all class names: an XPath contains() on each element
    # cost twice as much
    return PLATFORM_WIDGETS.search("\n".join(tree.xpath("//@class"))) is not None


def without_chrome(document: str | bytes) -> str:
    """An HTML document or fragment as HTML without the platforms' chrome."""
    tree = _parsed(document)
    if tree is None:
        return document if isinstance(document, str) else document.decode("utf-8", "replace")
    return lxml_html.tostring(strip_chrome(tree), encoding="unicode")


def issue_html(document: str | bytes) -> str:
    """A newsletter issue's HTML without the chrome, its layout tables turned into plain
    blocks: mail is laid out with tables, and a table's cells are no place for headings
    and paragraphs to a text extractor."""
    tree = _parsed(document)
    if tree is None:
        return document if isinstance(document, str) else document.decode("utf-8", "replace")
    strip_chrome(tree)
    for table in reversed(list(tree.iter("table"))):
        if _is_layout(table):
            for part in [table, *table.xpath(LAYOUT_PARTS)]:
                part.tag = "div"
    return lxml_html.tostring(tree, encoding="unicode")


def _parsed(document: str | bytes) -> HtmlElement | None:
    try:
        return lxml_html.document_fromstring(document)
    except (ParserError, ValueError):  # empty, or nothing but whitespace or comments
        return None


def _visible_counts(tree: HtmlElement) -> dict[HtmlElement, int]:
    """How many non-blank characters of text each element holds (keyed by the element itself,
    which keeps lxml's proxy alive: an id could be reused): a bound that rules out long
    blocks before their text is built. Counted children first in one pass,
    so the text of a large page's containers is not built again for each ancestor."""
    visible: dict[HtmlElement, int] = {}
    for element in reversed(list(tree.iter())):
        count = _visible_chars(element.text) if isinstance(element.tag, str) else 0
        for child in element:
            count += visible[child] + _visible_chars(child.tail)
        visible[element] = count
    return visible


def _visible_chars(text: str | None) -> int:
    return len(text) - text.count(" ") - text.count("\n") if text else 0


def _is_layout(table: HtmlElement) -> bool:
    """A table that places blocks (a mail's columns and boxes), not one of data."""
    return table.get("role") == "presentation" or bool(table.xpath(LAYOUT_BLOCKS))


def _is_chrome(element: HtmlElement, short: bool) -> bool:
    if element.tag in CHROME_TAGS:
        return True
    classes = {MAIL_CLIENT_PREFIX.sub("", name) for name in element.get("class", "").split()}
    if classes & CHROME_CLASSES or element.get("id", "") in CHROME_IDS \
            or element.get("data-component-name", "") in CHROME_COMPONENTS:
        return True
    if classes & BUTTON_CLASSES or element.get("data-component-name") == "ButtonCreateButton":
        return _is_chrome_button(element)
    if element.tag == "a":
        return _is_image_link(element)
    return short and element.tag in TEXT_BLOCKS and _is_chrome_text(_text(element))


def _is_chrome_button(element: HtmlElement) -> bool:
    """A button to the platform's own actions (subscribe, share, comment), not one the
    writer made to lead somewhere."""
    targets = " ".join(anchor.get("href", "") for anchor in element.iter("a"))
    return BUTTON_CHROME.search(f"{_text(element)} {targets}") is not None


def _is_image_link(anchor: HtmlElement) -> bool:
    """A link around a picture and nothing else: the image widget's "open full size"."""
    return not _text(anchor) and any(True for _ in anchor.iter("img", "picture", "source"))


def _is_chrome_text(text: str) -> bool:
    return 0 < len(text) <= MAX_CHROME_CHARS and CHROME_TEXT.fullmatch(text) is not None


def _sponsor_blocks(tree: HtmlElement, visible: dict[HtmlElement, int]) -> Iterator[HtmlElement]:
    """Each sponsor label with what it labels: its small container, else the blocks after it
    up to the next heading or rule (if that is short), else the label alone."""
    for label in _sponsor_labels(tree, visible):
        container = _sponsor_container(label)
        yield container
        if container is label:
            yield from _section_after(label)


def _sponsor_labels(tree: HtmlElement, visible: dict[HtmlElement, int]) -> Iterator[HtmlElement]:
    """The smallest blocks whose text is a sponsor label."""
    for element in tree.iter(*TEXT_BLOCKS):
        if not 0 < visible[element] <= MAX_LABEL_CHARS:
            continue
        text = _text(element)
        if text and len(text) <= MAX_LABEL_CHARS and SPONSOR_LABEL.fullmatch(text) and not any(
                SPONSOR_LABEL.fullmatch(_text(child)) for child in element.iter(*TEXT_BLOCKS)
                if child is not element):
            yield element


def _sponsor_container(label: HtmlElement) -> HtmlElement:
    """The largest container around the label that is still as short as a sponsor block."""
    chosen = label
    parent = label.getparent()
    while parent is not None and parent.tag in SPONSOR_CONTAINERS \
            and len(_text(parent)) <= MAX_SPONSOR_CHARS \
            and not any(heading is not label for heading in parent.iter(*HEADINGS[:3])):
        chosen = parent
        parent = parent.getparent()
    return chosen


def _section_after(label: HtmlElement) -> list[HtmlElement]:
    """The blocks after a sponsor label up to the next heading, rule or the end, if they are
    as short as a sponsor block; none if the writing goes on past that."""
    section: list[HtmlElement] = []
    for sibling in label.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag in HEADINGS or sibling.tag == "hr":
            break
        section.append(sibling)
    return section if sum(len(_text(block)) for block in section) <= MAX_SPONSOR_CHARS else []


def _drop(elements: list[HtmlElement]) -> None:
    """Remove each element (its tail text stays), outermost first."""
    doomed = {id(element) for element in elements}
    for element in elements:
        if any(id(ancestor) in doomed for ancestor in element.iterancestors()):
            continue
        if element.getparent() is not None:
            element.drop_tree()


def _text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())
