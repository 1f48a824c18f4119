"""The main text of an HTML page as Markdown, from the one tree the page is parsed into.

trafilatura reads the page first, in its fast mode: its own fallbacks (a vendored
readability and jusText, run on every page in its default mode) cost a third of its time and
lowered F1 on the extraction benchmark. Gleaner asks for a second reading only when the first
looks wrong by measurable features (docs/EXTRACTION.md has the rules, chosen on one half of
the benchmark and held on the other):

- thin: the text is a sliver of the page's (under THIN_SHARE of its characters), as when
  trafilatura keeps a teaser box and misses the article: readability reads the same tree;
- a menu: little of the text is in lines long enough to be sentences (MENU_SHARE), as when
  the article is bare text outside any paragraph and trafilatura kept the site's menus
  instead: readability reads the same tree, and its reading is taken if more of it is prose;
- split: the page's one <article> holds far more paragraph text than was kept, as when a
  site splits its article over several containers: the <article>'s own blocks are read.

Otherwise a second reading replaces the first only when it is clearly longer (LONGER_BY).
Then what is no text of the article goes: runs of blocks that are nothing but links
(related-article lists, "more from" boxes, menus), lines that send the reader to another
story ("Read more: …", a link that shouts in capitals), the cards some sites glue to a
linked name, then the page's headline (a first-level heading first in the text) and the
headings at the top that repeat the title or the description (the note carries a title and
the description already).
"""

from __future__ import annotations

import re
from copy import deepcopy
from urllib.parse import urljoin

import trafilatura
from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.external import try_readability

from ..errors import ExtractError
from .boilerplate import made_by_platform, strip_chrome
from .text import markdown_to_text

MIN_TEXT_CHARS = 80
THIN_SHARE = 0.02  # of the page's text: below it the first reading missed the article
SPLIT_BODY_RATIO = 1.8  # <article> paragraph text against the kept text
LONGER_BY = 1.2  # how much longer a second reading must be to replace the first
MENU_SHARE = 0.3  # of the text in prose lines: below it the reading is a menu
PROSE_LINE = 60  # characters of a line that can be a sentence, not a menu item
MARKUP_BOUND = 4  # a reading this many times MIN_TEXT_CHARS long is text, not only markup
MIN_LINK_RUN = 2  # consecutive link-only blocks that make a list of other articles
COMPARED_CHARS = 100  # how much of a heading and of the title or description is compared
BLOCK_PREFIX = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "li": "- ",
                "blockquote": "> "}
BLOCKS = tuple(["p", *BLOCK_PREFIX])
NOT_TEXT = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
LINK_TARGET_PARTS = re.compile(r"\]\(([^)\s]+)\)")
LINK_PARTS = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
LINK_PIECES = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)\[([^\]]*)\]\(\2\)")
WORD = re.compile(r"\w")
HEADING = re.compile(r"^#{1,6}\s+")
HEADLINE = re.compile(r"^#\s+")  # a first-level heading first in the text: the page's headline
PROMOTION_LABEL = re.compile(
    r"^\W*(?:(?:read more|see more|read also|also read|related(?: \w+)?|don'?t miss"
    r"|recommended(?: reading)?|more from [^:|]{1,40}|must read)\s*[:|»–—-]"
    r"|also on [\w-]+\.[a-z]{2,}\b)", re.IGNORECASE)
PROMOTION_WORDS = 40  # a labelled link longer than this is a paragraph that mentions one
CLICK_HERE = re.compile(r"^\W*click here\b", re.IGNORECASE)
SHOUTED_WORDS = 3
TEXT_CHARS = XPath("string-length(normalize-space(.))")


def main_markdown(tree: HtmlElement, url: str, carried: tuple[str | None, ...]) -> str:
    """The article's text as Markdown; ExtractError when the page holds none. `carried` is
    what the note shows apart from the text: its title and its description, each None when
    the page declares none."""
    # a newsletter platform's furniture is no text; trafilatura itself reads a copy of the tree
    body = strip_chrome(deepcopy(tree)) if made_by_platform(tree) else tree
    markdown = _trafilatura(body)
    chars = _chars(markdown)
    thin = chars < MIN_TEXT_CHARS or chars < THIN_SHARE * _page_chars(body)
    if thin or _prose_share(markdown) < MENU_SHARE:
        markdown, chars = _better(markdown, chars, _readability(body), thin)
    if _article_paragraph_chars(body) > SPLIT_BODY_RATIO * chars:
        markdown, chars = _longer(markdown, chars, _article_blocks(body))
    markdown = _with_absolute_links(_without_furniture(markdown, carried), _base_url(tree, url))
    if _chars(markdown) < MARKUP_BOUND * MIN_TEXT_CHARS \
            and len(markdown_to_text(markdown)) < MIN_TEXT_CHARS:
        raise ExtractError("no article text found in the page")
    return markdown


def _trafilatura(tree: HtmlElement, recall: bool = False) -> str:
    """trafilatura's reading, its links as the page wrote them: given the page's URL,
    trafilatura resolves every link of the page, kept or not, against the site's root
    (about 6% of its time on the benchmark); the few kept are resolved afterwards."""
    return trafilatura.extract(
        tree, fast=True, favor_recall=recall, output_format="markdown",
        include_links=True, include_comments=False, include_images=False, include_tables=True,
    ) or ""


def _readability(body: HtmlElement) -> str:
    """readability's choice of the main container, written out by trafilatura: readability
    finds the container by its paragraphs' score, trafilatura keeps its Markdown structure."""
    container = try_readability(deepcopy(body))
    return _trafilatura(container, recall=True) if len(container) else ""


def _base_url(tree: HtmlElement, url: str) -> str:
    """What the page's relative links are relative to: its <base href>, else its URL."""
    declared = tree.xpath("/html/head/base/@href")
    return _absolute(url, declared[0].strip()) if declared else url


def _with_absolute_links(markdown: str, base: str) -> str:
    return LINK_TARGET_PARTS.sub(lambda match: f"]({_absolute(base, match[1])})", markdown)


def _absolute(base: str, target: str) -> str:
    try:
        return urljoin(base, target)
    except ValueError:  # a malformed target (an unclosed IPv6 bracket): left as written
        return target


def _better(first: str, first_chars: int, second: str, thin: bool) -> tuple[str, int]:
    """For a thin first reading, the longer; for one that reads as a menu, the one with
    more of its text in prose, if it holds any text."""
    if thin:
        return _longer(first, first_chars, second)
    second_chars = _chars(second)
    if second_chars >= MIN_TEXT_CHARS and _prose_share(second) > _prose_share(first):
        return second, second_chars
    return first, first_chars


def _prose_share(markdown: str) -> float:
    """How much of the text is in lines long enough to be sentences: little, when a
    reading kept the site's menus (a line per item) instead of the article. Counted in
    characters, as words are not spaced in every language."""
    lengths = [len(LINK_TARGET.sub("]", line).strip()) for line in markdown.split("\n")]
    return sum(length for length in lengths if length >= PROSE_LINE) / (sum(lengths) or 1)


def _longer(first: str, first_chars: int, second: str) -> tuple[str, int]:
    second_chars = _chars(second)
    if second_chars > LONGER_BY * first_chars:
        return second, second_chars
    return first, first_chars


def _chars(markdown: str) -> int:
    """The length of the text less its links' targets: close enough to compare two readings
    or a reading with its page, at a tenth of the cost of turning Markdown into text."""
    return len(LINK_TARGET.sub("]", markdown).strip())


def _page_chars(tree: HtmlElement) -> int:
    """The length of the page's text, counted by libxml2 without building the text."""
    body = tree.find("body")
    return int(TEXT_CHARS(body if body is not None else tree))


def _article_paragraph_chars(tree: HtmlElement) -> int:
    """Text in the paragraphs of the page's one <article>; none when there are several."""
    articles = tree.xpath("//article")
    if len(articles) != 1:
        return 0
    return sum(len(p.text_content().strip()) for p in articles[0].iter("p"))


def _article_blocks(tree: HtmlElement) -> str:
    """Paragraphs, headings and list items of the page's main element, as Markdown."""
    root = deepcopy(tree)
    for junk in root.iter(*NOT_TEXT):
        junk.drop_tree()
    main = next(iter(root.xpath("//article | //main | //body")), root)
    blocks = []
    for element in main.iter(*BLOCKS):
        if any(ancestor.tag in BLOCKS for ancestor in element.iterancestors()):
            continue
        text = _block_markdown(element)
        if text:
            blocks.append(f"{BLOCK_PREFIX.get(element.tag, '')}{text}")
    return "\n\n".join(blocks)


def _block_markdown(element: HtmlElement) -> str:
    """A block's text with its links kept as Markdown links."""
    for anchor in element.iter("a"):
        href = anchor.get("href")
        label = " ".join(anchor.text_content().split())
        if href and label:
            for child in list(anchor):
                child.drop_tree()
            anchor.text = f"[{label}]({href})"
    return " ".join(element.text_content().split())


def _without_furniture(markdown: str, carried: tuple[str | None, ...]) -> str:
    """The text less what is no text of the article. The headline goes only when the note
    has a title of its own: without one, the note takes the headline for its title."""
    lines = [_without_cards(line) for line in _without_link_runs(markdown.strip().split("\n"))
             if not _is_promotion(line)]
    first = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    if carried[0] and first < len(lines) and HEADLINE.match(lines[first]):
        lines = lines[first + 1:]
    compared = _compared(carried)
    while lines and (not lines[0].strip() or _is_carried(lines[0], compared)):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _is_carried(line: str, carried: tuple[str, ...]) -> bool:
    """A heading at the top of the text that repeats what the note carries already: the
    title, or the description (a standfirst set as a heading)."""
    if not HEADING.match(line):
        return False
    heading = " ".join(markdown_to_text(line).split()).casefold()[:COMPARED_CHARS]
    return bool(heading) and any(heading in text or text in heading for text in carried)


def _compared(texts: tuple[str | None, ...]) -> tuple[str, ...]:
    """Each text as compared with a heading: its start, in one case, less a cut-off's dots."""
    found = (" ".join(text.split()).casefold()[:COMPARED_CHARS].rstrip(".… ") for text in texts
             if text)
    return tuple(text for text in found if text)


def _without_link_runs(lines: list[str]) -> list[str]:
    """The lines less every run of MIN_LINK_RUN or more that hold nothing but links (blank
    lines between them do not end a run)."""
    kept: list[str] = []
    run: list[str] = []
    for line in [*lines, "end"]:
        if _is_link_only(line) or (run and not line.strip()):
            run.append(line)
            continue
        if sum(1 for held in run if held.strip()) < MIN_LINK_RUN:
            kept.extend(run)
        run = []
        kept.append(line)
    return kept[:-1]


def _without_cards(line: str) -> str:
    """The line without the cards some sites glue to a linked name (its other names, the
    person's latest stories, closed by "MORE" back to the name's page): a run of links
    with nothing but spaces between them, that starts and ends on one page and visits
    others; and a link the page split into pieces (`[Arte](u)[mis](u)`) made one again."""
    if ")[" not in line:
        return line
    links = list(LINK_PARTS.finditer(line))
    pieces, start, index = [], 0, 0
    while index < len(links):
        closing = _card_end(line, links, index)
        if closing is not None:
            pieces.append(line[start:links[index].end()])
            start, index = links[closing].end(), closing + 1
        else:
            index += 1
    pieces.append(line[start:])
    return _joined_pieces("".join(pieces))


def _card_end(line: str, links: list[re.Match[str]], first: int) -> int | None:
    """The index of the link that closes a card opened by links[first], if any."""
    target, closing, elsewhere = links[first][2], None, False
    for index in range(first + 1, len(links)):
        if line[links[index - 1].end():links[index].start()].strip():
            break
        if links[index][2] != target:
            elsewhere = True
        elif elsewhere:
            closing = index
    return closing


def _joined_pieces(line: str) -> str:
    while (joined := LINK_PIECES.sub(r"[\1\3](\2)", line)) != line:
        line = joined
    return line


def _is_promotion(line: str) -> bool:
    """A line that sends the reader to another page of the site: a labelled link ("Read
    more: …", "Related: …", "Also on site.com …"), or a line that is one link and either
    says "click here" or shouts (the capitalised interlinks some news sites put between
    paragraphs). A sentence that starts "Read more about…" is prose, and stays."""
    if "](" not in line:
        return False
    text = markdown_to_text(line)
    if PROMOTION_LABEL.match(text) and LINK.search(line) and len(text.split()) < PROMOTION_WORDS:
        return True
    alone = LINK.fullmatch(line.strip().lstrip("-*#>| ").strip("*_ "))
    if alone is None:
        return False
    label = alone[1]
    return (CLICK_HERE.match(label) is not None
            or (len(label.split()) >= SHOUTED_WORDS and label.upper() == label
                and label.lower() != label))


def _is_link_only(block: str) -> bool:
    line = block.strip().lstrip("-*#>| ")
    return LINK.search(line) is not None and WORD.search(LINK.sub("", line)) is None
