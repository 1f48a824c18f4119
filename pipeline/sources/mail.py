"""Email newsletters: read issues from .eml files, mbox files and Maildir folders, and find
the articles each issue links to.

An issue becomes a note of its own (its HTML is handed to the extract stage like a fetched
page) and every article it links to becomes a Source whose origin is the newsletter's name.
Link expansion unwraps tracking redirects, drops `utm_*` and similar parameters, and skips
what is not an article: unsubscribe and preference pages, social profiles, sponsors,
images, feeds, and the newsletter's own pages.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import email.utils
import hashlib
import html
import json
import mailbox
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from ..errors import ExtractError
from ..extract import canonical_url, issue_html, without_chrome
from ..records import Page, Source

SOCIAL_HOSTS = {"twitter.com", "x.com", "facebook.com", "fb.com", "linkedin.com", "instagram.com",
                "threads.net", "bsky.app", "tiktok.com", "pinterest.com", "t.me", "wa.me",
                "whatsapp.com", "mastodon.social", "discord.gg", "discord.com"}
NOT_ARTICLE_URL = re.compile(
    r"unsubscribe|/preferences|/manage|/profile|opt-?out|/subscribe|/signup|/sign-up|"
    r"/feeds?/|\.(?:xml|rss|atom)$|/rss/?$|list-manage\.com|/share\b|/intent/",
    re.IGNORECASE)
NOT_ARTICLE_TEXT = re.compile(
    r"unsubscribe|preferences|view (?:it |this (?:email |issue )?)?(?:in (?:your |a )?browser|"
    r"online)|web version|forward (?:this |it )?to a friend|refer a friend|sponsor|advertise|"
    r"manage (?:your )?subscription|update (?:your )?profile|privacy policy",
    re.IGNORECASE)
BROWSER_TEXT = re.compile(r"view (?:it |this (?:email |issue )?)?(?:in (?:your |a )?browser|"
                          r"online)|web version|read (?:it )?online|open in (?:your )?browser",
                          re.IGNORECASE)
BOILERPLATE_BLOCK = re.compile(r"footer|sponsor|advert|promo|preheader|unsubscribe|social|share",
                               re.IGNORECASE)
BOILERPLATE_TAGS = {"footer", "nav"}
IMAGE_SUFFIX = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|ico)$", re.IGNORECASE)
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")
MAX_UNWRAP = 3

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag


@dataclass(frozen=True)
class Issue:
    """One newsletter issue read from a mailbox."""

    key: str
    newsletter: str
    subject: str
    html: str
    url: str
    sender_domain: str = ""
    published: str | None = None
    author: str = ""


# reading mailboxes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    """A stored mail: where it is, its key (Message-ID, else a hash) and its raw bytes.

    Only the headers are parsed to find the key, so a poll over a large mailbox whose mail
    was all seen before never parses a body.
    """

    location: str
    key: str
    raw: bytes

    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


def read_mailbox(path: Path) -> Iterator[Mail]:
    """Every mail of an .eml file, an mbox file, a Maildir folder or a folder of .eml files,
    one at a time."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(maildir.iterkeys()):
                yield _in_box(path, maildir.get_bytes(key))
        else:
            for eml in sorted(path.glob("*.eml")):
                raw = eml.read_bytes()
                yield Mail(eml.as_uri(), mail_key(raw), raw)
        return
    if not path.is_file():
        raise ExtractError(f"mailbox {path} does not exist")
    with path.open("rb") as handle:
        is_mbox = handle.read(5) == b"From "
    if not is_mbox:
        raw = path.read_bytes()
        yield Mail(path.as_uri(), mail_key(raw), raw)
        return
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield _in_box(path, box.get_bytes(key))
    finally:
        box.close()


def _in_box(path: Path, raw: bytes) -> Mail:
    """A mail of a mailbox file or folder, addressed by its key within it."""
    key = mail_key(raw)
    return Mail(f"{path.as_uri()}?message-id={quote(key, safe='@')}", key, raw)


def mail_key(raw: bytes) -> str:
    """The Message-ID, or for a mail without one a hash of the whole mail."""
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    message_id = str(headers.get("Message-ID", "") or "").strip().strip("<>")
    return message_id or hashlib.sha256(raw).hexdigest()[:32]


def parse_issue(mail: Mail, newsletter: str = "") -> Issue:
    """The issue's HTML (an HTML part, or plain text turned into HTML) and its metadata;
    `newsletter` names it, else the sender's name does."""
    message = mail.message()
    subject = str(message.get("Subject", "") or "").strip() or "Newsletter issue"
    sender_name, sender_address = email.utils.parseaddr(str(message.get("From", "") or ""))
    name = newsletter or sender_name or sender_address.partition("@")[2] or "Newsletter"
    body = _html_body(message, subject)
    return Issue(
        key=mail.key,
        newsletter=name,
        subject=subject,
        html=body,
        url=_browser_url(body) or mail.location,
        sender_domain=sender_address.partition("@")[2].lower(),
        published=_date(message),
        author=sender_name,
    )


def _html_body(message: EmailMessage, subject: str) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    if part is None:
        raise ExtractError(f"mail {subject!r} has no HTML or text body")
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError) as exc:
        raise ExtractError(f"mail {subject!r}: unreadable body: {exc}") from exc
    if part.get_content_subtype() == "html":
        return content
    return _text_to_html(content)


def _text_to_html(text: str) -> str:
    """A plain-text issue as HTML paragraphs, its bare URLs made into links."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]

    def linked(paragraph: str) -> str:
        escaped = html.escape(paragraph, quote=False)
        return URL_IN_TEXT.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)

    return "\n".join(f"<p>{linked(p)}</p>" for p in paragraphs)


def _date(message: EmailMessage) -> str | None:
    try:
        parsed = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError):
        return None
    return parsed.date().isoformat() if parsed else None


def _browser_url(body: str) -> str | None:
    """The issue's "view in browser" address: the web copy a note can link to."""
    for anchor in _soup(body).find_all("a", href=True):
        if BROWSER_TEXT.search(anchor.get_text(" ", strip=True)):
            target = unwrap_tracking(anchor["href"].strip())
            if target.startswith(("http://", "https://")):
                return canonical_url(target)
    return None


def issue_page(issue: Issue) -> Page:
    """The issue as a fetched page, with its subject, date and sender in the HTML head."""
    return body_page(Source(location=issue.url, origin=issue.newsletter), issue.subject,
                     issue.html, author=issue.author, published=issue.published)


def body_page(source: Source, title: str, body: str, author: str = "",
              published: str | None = None, text_from: str | None = None) -> Page:
    """An article's HTML body (a mail's, a feed item's) as a page at the source's URL: the
    platform's chrome taken out, tracking redirects unwrapped, the metadata in the head."""
    soup = _soup(issue_html(body))
    for junk in soup(["script", "style"]):
        junk.decompose()
    for anchor in soup.find_all("a", href=True):
        anchor["href"] = unwrap_tracking(anchor["href"].strip())
    inner = soup.body.decode_contents() if soup.body else str(soup)
    meta = {"author": author, "article:published_time": published or "",
            "og:title": title, "og:site_name": source.origin}
    head = "".join(f'<meta {"property" if ":" in k else "name"}="{k}" '
                   f'content="{html.escape(v)}">' for k, v in meta.items() if v)
    document = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)}</title>{head}</head>"
                f"<body><article>{inner}</article></body></html>")
    return Page(source, source.location, document.encode("utf-8"), "text/html",
                text_from=text_from)


# link expansion ---------------------------------------------------------------------------------


def newsletter_links(body: str | bytes, base_url: str, home: str = "",
                     sender_domain: str = "") -> list[str]:
    """Canonical URLs of the articles an issue links to, in order, each once."""
    soup = _soup(without_chrome(body))
    seen: set[str] = {canonical_url(base_url)} if base_url.startswith("http") else set()
    found: list[str] = []
    for anchor in soup.find_all("a", href=True):
        if _is_boilerplate(anchor) or NOT_ARTICLE_TEXT.search(anchor.get_text(" ", strip=True)):
            continue
        if not anchor.get_text(strip=True) and anchor.find("img"):
            continue
        target = unwrap_tracking(urljoin(base_url, anchor["href"].strip()))
        if not target.startswith(("http://", "https://")):
            continue
        url = canonical_url(target)
        if url in seen or not _is_article(url, home, sender_domain):
            continue
        seen.add(url)
        found.append(url)
    return found


def _soup(body: str | bytes) -> BeautifulSoup:
    # BeautifulSoup is imported here, not at the top: a cron poll that finds no new mail
    # never parses HTML, and it should not pay for the import either.
    from bs4 import BeautifulSoup

    return BeautifulSoup(body, "html.parser")


def unwrap_tracking(url: str) -> str:
    """The real target of a click-tracking link: a URL in its query string or, base64
    encoded, in its path; otherwise the link itself (a redirect is followed when fetched)."""
    for _ in range(MAX_UNWRAP):
        inner = _wrapped_target(url)
        if inner is None:
            return url
        url = inner
    return url


def _wrapped_target(url: str) -> str | None:
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query):
        if value.startswith(("http://", "https://")):
            return value
    for segment in parts.path.split("/"):
        if len(segment) < 16:
            continue
        try:
            raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue
        target = _target_in(raw)
        if target:
            return target
    return None


def _target_in(payload: bytes) -> str | None:
    """The URL a decoded path segment carries: the URL itself, or a JSON object's URL
    (Substack's redirects: `{"e": "https://…"}`, zlib-compressed in older mails)."""
    if payload[:1] == b"x":  # a zlib stream's first byte
        try:
            payload = zlib.decompress(payload)
        except zlib.error:
            return None
    try:
        text = payload.decode()
    except UnicodeDecodeError:
        return None
    if text.startswith(("http://", "https://")):
        return text if " " not in text else None
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    values = data.values() if isinstance(data, dict) else ()
    return next((v for v in values if isinstance(v, str)
                 and v.startswith(("http://", "https://")) and " " not in v), None)


def _is_boilerplate(anchor: Tag) -> bool:
    for parent in anchor.parents:
        if parent.name in BOILERPLATE_TAGS:
            return True
        marks = " ".join([*parent.get("class", []), parent.get("id", "") or ""])
        if marks and BOILERPLATE_BLOCK.search(marks):
            return True
    return False


def _is_article(url: str, home: str, sender_domain: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if host in SOCIAL_HOSTS or any(host.endswith("." + social) for social in SOCIAL_HOSTS):
        return False
    if IMAGE_SUFFIX.search(parts.path) or NOT_ARTICLE_URL.search(url):
        return False
    if home and _under_home(url, canonical_url(home)):
        return False
    return not (sender_domain and (host == sender_domain or host.endswith("." + sender_domain)))


def _under_home(url: str, home: str) -> bool:
    """The newsletter's own pages: its home, and below it unless the home is a site's root
    (a blog's newsletter links to the blog's articles)."""
    if url == home:
        return True
    return urlsplit(home).path not in ("", "/") and url.startswith(home)
