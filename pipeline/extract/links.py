"""Outbound links of an article body, each with the sentence it sits in and its kind.

trafilatura's Markdown still holds a few links no reader follows from the article's prose:
related-article lists at the end (as runs of bare links, or tagged as promotions in their
query string), syndication and image credits, links to image files and same-page anchors
that it resolved against the site root. These are dropped here, where the
Markdown is read line by line.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from ..papers import abs_url, arxiv_id
from ..records import Link
from .text import BULLET, LINK, inline_text, markdown_blocks

SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")
GENERIC_LABELS = {"here", "this", "link", "click here", "read more", "more", "source", "this post",
                  "this article", "post", "article", "via"}
MAX_CONTEXT = 400
IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif|bmp)$", re.IGNORECASE)
# A syndication or image credit: a short line that says where the piece or a picture came
# from. A sentence of the article that happens to say "the image provided by the user" is
# prose, and its links are kept.
CREDIT_LINE = re.compile(
    r"originally (?:published|appeared) (?:on|by|in|at)\b|read the original article|"
    r"^follow .{1,80} on (?:facebook|twitter|instagram|linkedin|youtube|tiktok|x)\b|"
    r"^\W*(?:this |the )?(?:top |lead |header |featured )?"
    r"(?:graphic|chart|image|photo|infographic)s?"
    r",? (?:provided|courtesy) (?:by|of)\b",
    re.IGNORECASE,
)
MAX_CREDIT_WORDS = 30
LINK_ONLY_ITEM = re.compile(rf"{BULLET.pattern}(?:\*\*|__)?({LINK.pattern})(?:\*\*|__)?\s*$")
MIN_TEASER_RUN = 2
# Sites tag the links of their own "related stories" boxes (itm_campaign=BottomRelatedStories,
# utm_content=recommended): the link says it is a promotion, not part of the article.
PROMOTION_TRACKING = re.compile(
    r"=[^&]*(?:related|recommend|promo|more.?stories|read.?next|up.?next)", re.IGNORECASE
)

# Query parameters that identify a campaign or a click, never the page (utm_* and kin).
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "_hs", "oly_", "hsa_")
TRACKING_KEYS = {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
                 "igshid", "mc_cid", "mc_eid", "mkt_tok", "ref_src", "ref_url", "s_cid",
                 "vero_id", "vero_conv", "ck_subscriber_id", "wickedid", "__s", "sc_cid",
                 "trkcampaign", "cmpid", "itm_source", "itm_medium", "itm_campaign",
                 "itm_content", "itm_term"}

KINDS = ("article", "repository", "paper", "video", "social")
REPOSITORY_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht",
                    "huggingface.co", "gist.github.com"}
NOT_REPOSITORY_OWNERS = {"about", "features", "topics", "orgs", "pricing", "marketplace",
                         "enterprise", "sponsors", "blog", "docs", "explore", "collections",
                         "login", "join", "settings", "papers", "learn", "posts"}
PAPER_HOSTS = {"arxiv.org", "doi.org", "dx.doi.org", "openreview.net", "aclanthology.org",
               "proceedings.neurips.cc", "papers.nips.cc", "proceedings.mlr.press",
               "biorxiv.org", "medrxiv.org", "ssrn.com", "papers.ssrn.com",
               "semanticscholar.org", "paperswithcode.com", "pubmed.ncbi.nlm.nih.gov"}
DOI = re.compile(r"/10\.\d{4,9}/\S+")
VIDEO_HOSTS = {"youtube.com", "youtu.be", "vimeo.com", "twitch.tv", "dailymotion.com",
               "ted.com", "loom.com", "bilibili.com", "rumble.com"}
SOCIAL_HOSTS = {"twitter.com", "x.com", "bsky.app", "threads.net", "facebook.com",
                "instagram.com", "linkedin.com", "reddit.com", "news.ycombinator.com",
                "mastodon.social", "fosstodon.org", "lobste.rs", "weibo.com", "tiktok.com"}
FEDIVERSE_POST = re.compile(r"^/@[\w.]+/\d+/?$")


def canonical_url(url: str) -> str:
    """The identity of a page: the URL normalized (scheme and host case, default port, path
    escapes), without fragment and without tracking parameters. Every other query
    parameter stays as written, bare keys included (`?d2d12500eb07`): it may be what
    the page shows. An arXiv paper's abs, pdf and html pages, of any version, are its abs
    page."""
    from courlan import normalize_url  # with urllib3, 0.1 s to import: a re-run needs none

    paper = arxiv_id(url)
    if paper is not None:
        return abs_url(paper)

    parts = urlsplit(url)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    with contextlib.suppress(ValueError):  # courlan rejects some valid URLs; keep them as given
        base = normalize_url(base)
    normal = urlsplit(base)
    return urlunsplit((normal.scheme, normal.netloc, normal.path or "/",
                       without_tracking(parts.query), ""))


def without_tracking(query: str) -> str:
    """The query without the parameters that only say where a click came from. `ref` is one
    of them only when nothing but tracking comes with it: `?ref=main&path=x` names a branch."""
    pairs = [pair for pair in query.split("&") if pair]
    kept = [pair for pair in pairs if not _is_tracking(_key(pair))]
    if [_key(pair) for pair in kept] == ["ref"]:
        kept = []
    return "&".join(kept)


def _key(pair: str) -> str:
    return unquote_plus(pair.split("=", 1)[0]).lower()


def _is_tracking(key: str) -> bool:
    return key.startswith(TRACKING_PREFIXES) or key in TRACKING_KEYS


def link_kind(url: str) -> str:
    """What a link leads to, from its host and path: one of KINDS."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    if _on(host, PAPER_HOSTS) or DOI.search(parts.path):
        return "paper"
    if _on(host, REPOSITORY_HOSTS) and len(segments) >= 2 \
            and segments[0].lower() not in NOT_REPOSITORY_OWNERS:
        return "repository"
    if _on(host, VIDEO_HOSTS) or "video" in segments[1:2] and _on(host, {"tiktok.com"}):
        return "video"
    if _on(host, SOCIAL_HOSTS) or FEDIVERSE_POST.match(parts.path):
        return "social"
    return "article"


def extract_links(markdown: str, base_url: str) -> tuple[Link, ...]:
    """Links of the Markdown body (not images), de-duplicated by canonical URL."""
    page = canonical_url(base_url) if base_url.startswith("http") else base_url
    lines = markdown.splitlines()
    skipped = _teaser_lines(lines, base_url)
    seen: set[str] = set()
    links: list[Link] = []
    for number, line in enumerate(lines):
        if number in skipped or not LINK.search(line) or _is_credit(inline_text(line)):
            continue
        for match in LINK.finditer(line):
            if match.start() > 0 and line[match.start() - 1] == "!":
                continue
            link = _link(line, match, base_url)
            if link is None or link.url in seen or link.url == page:
                continue
            if not link.context:
                link = replace(link, context=_following_sentence(lines[number + 1 :]))
            seen.add(link.url)
            links.append(link)
    return tuple(links)


def _on(host: str, hosts: set[str]) -> bool:
    return host in hosts or any(host.endswith("." + h) for h in hosts)


def _teaser_lines(lines: list[str], base_url: str) -> set[int]:
    """Lines of related-article lists: runs of list items that are only a same-site link."""
    site = _site(base_url)
    runs: list[list[int]] = [[]]
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        match = LINK_ONLY_ITEM.match(line)
        if match and _site(urljoin(base_url, _target(match.group(1)))) == site:
            runs[-1].append(number)
        elif runs[-1]:
            runs.append([])
    return {n for run in runs if len(run) >= MIN_TEASER_RUN for n in run}


def _is_credit(text: str) -> bool:
    return len(text.split()) <= MAX_CREDIT_WORDS and CREDIT_LINE.search(text) is not None


def _site(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _following_sentence(lines: list[str]) -> str:
    """A headline link's description: the first sentence of the paragraph under it."""
    for line in lines:
        block = next(iter(markdown_blocks(line)), None)
        if block is None:
            continue
        if block.kind != "paragraph" or LINK.fullmatch(line.strip()):
            return ""
        return _first_sentence(block.text)
    return ""


def _first_sentence(text: str) -> str:
    sentence = SENTENCE_END.split(text, maxsplit=1)[0].strip()
    return sentence if len(sentence) <= MAX_CONTEXT else sentence[: MAX_CONTEXT - 1] + "…"


def _link(line: str, match: re.Match[str], base_url: str) -> Link | None:
    target = _target(match.group(0))
    absolute = urljoin(base_url, target)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or _is_resolved_anchor(parts, base_url) \
            or IMAGE_FILE.search(parts.path) or PROMOTION_TRACKING.search(parts.query):
        return None
    url = canonical_url(absolute)
    label = inline_text(match.group(1)) or urlsplit(url).netloc
    if label.lower().strip(" .:") in GENERIC_LABELS:
        label = _readable(url)
    return Link(url=url, label=label, context=_context(line, match), kind=link_kind(url))


def _is_resolved_anchor(parts, base_url: str) -> bool:
    """`https://site#part` for a page deeper in the site: trafilatura resolves in-page
    anchors (`href="#part"`) against the site root, not the page."""
    return bool(parts.fragment) and not parts.path and urlsplit(base_url).path not in ("", "/")


def _target(markdown_link: str) -> str:
    inner = markdown_link[markdown_link.index("](") + 2 : -1].strip()
    return inner.split(' "', 1)[0].strip("<>")


def _context(line: str, match: re.Match[str]) -> str:
    """The cleaned sentence that holds the link; empty when the line is only the link."""
    marked = line[: match.start()] + "\x00" + line[match.start() :]
    block = next((b for b in markdown_blocks(marked)), None)
    if block is None:
        return ""
    sentences = SENTENCE_END.split(block.text)
    sentence = next((s for s in sentences if "\x00" in s), block.text).replace("\x00", "").strip()
    if sentence == inline_text(match.group(1)):
        return ""
    return _first_sentence(sentence)


def _readable(url: str) -> str:
    parts = urlsplit(url)
    tail = [p for p in parts.path.split("/") if p]
    return f"{parts.netloc}/{tail[-1]}" if tail else parts.netloc
