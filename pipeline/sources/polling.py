"""Poll every subscription and say what is new: the sources stage of `gleaner ingest`.

Feeds are fetched with the validators of their last complete poll (a 304 costs one small
request and no parsing); mailboxes are scanned for messages not seen before. A feed that is
still fresh (its Cache-Control max-age), or that is backing off after failures or a
Retry-After, is not asked at all (pipeline/state/subscriptions.py). Nothing here marks an
item seen or stores a validator or a poll's health: the orchestrator does that once the
items have been processed, so a run killed half-way finds the same items new again.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import FetchConfig, Subscription
from ..errors import GleanerError
from ..fetch import RobotsCache, confirm_unchanged
from ..records import Page, Source, Validators
from ..report import ItemResult
from ..state import Check, State

if TYPE_CHECKING:
    from .feeds import FeedItem
    from .mail import Mail

Outcome = tuple[Source, Page | GleanerError]


@dataclass(frozen=True)
class NewItem:
    """A feed item or a mail not processed before, and how to read it."""

    subscription: Subscription
    key: str
    source: Source
    page: Page | None = None
    home: str = ""
    sender_domain: str = ""
    item: FeedItem | None = None

    @property
    def is_issue(self) -> bool:
        return self.subscription.kind == "newsletter"


@dataclass
class Poll:
    """What a poll found. `mail` is read lazily, one issue at a time, so a first import of a
    large mailbox does not hold every issue in memory; `failures` grows as it is read."""

    items: list[NewItem] = field(default_factory=list)
    mail: Iterator[NewItem] = field(default_factory=lambda: iter(()))
    any_new: bool = False
    failures: list[ItemResult] = field(default_factory=list)
    validators: dict[str, Validators] = field(default_factory=dict)
    robots: RobotsCache = field(default_factory=RobotsCache)
    checks: list[Check] = field(default_factory=list)
    resting: list[Subscription] = field(default_factory=list)


def poll(subscriptions: Iterable[Subscription], config: FetchConfig, state: State,
         mail_cache: Path) -> Poll:
    """What every subscription has that this vault has not seen yet; mails fetched from an
    IMAP server are kept in `mail_cache`."""
    subscriptions = list(subscriptions)
    result = Poll(robots=RobotsCache(state))
    feeds = [s for s in subscriptions if s.url]
    result.resting = [feed for feed in feeds if state.not_before(feed.key)]
    due = [feed for feed in feeds if feed not in result.resting]
    for subscription, (source, outcome) in _feed_outcomes(due, config, state, result.robots):
        try:
            if isinstance(outcome, GleanerError):
                raise outcome
            new = list(_new_feed_items(subscription, outcome, state))
            result.items.extend(new)
            state.clear_failure(source.location)
            if not outcome.not_modified:  # a 304 carries no validators: keep the stored ones
                result.validators[source.location] = outcome.validators
            result.checks.append(Check(subscription.key, True, _status(outcome, len(new)),
                                       max_age=outcome.max_age))
        except GleanerError as exc:
            result.failures.append(_failure(state, source, exc))
            result.checks.append(Check(subscription.key, False, f"failed: {exc}",
                                       retry_after=getattr(exc, "retry_after", None)))
    mail = itertools.chain.from_iterable(
        _new_mail(subscription, state, mail_cache, result)
        for subscription in subscriptions
        if subscription.path is not None or subscription.imap is not None)
    first = next(mail, None)
    result.mail = itertools.chain([first], mail) if first else iter(())
    result.any_new = bool(result.items) or first is not None
    return result


def _feed_outcomes(feeds: list[Subscription], config: FetchConfig, state: State,
                   robots: RobotsCache) -> Iterator[tuple[Subscription, Outcome]]:
    """Each feed with its outcome: the unchanged ones confirmed by the quiet poll's light
    requests, the rest through the fetch pass, which loads only when one is left."""
    unchanged, rest = confirm_unchanged([_feed_source(feed) for feed in feeds], config,
                                        state.feed_validators, robots)
    for feed in feeds:
        if _feed_source(feed) in unchanged:
            yield feed, (_feed_source(feed), unchanged[_feed_source(feed)])
    if rest:
        from ..fetch import fetch_each

        left = [feed for feed in feeds if _feed_source(feed) not in unchanged]
        yield from fetch_each(left, _feed_source, config, state.feed_validators, robots)


def _status(page: Page, new: int) -> str:
    if page.not_modified:
        return "not modified"
    return f"ok, {new} new item{'s' if new != 1 else ''}"


def _feed_source(subscription: Subscription) -> Source:
    return Source(location=subscription.url or "", origin=subscription.name, kind="feed")


def _new_feed_items(subscription: Subscription, page: Page, state: State) -> Iterator[NewItem]:
    if page.not_modified:
        return
    from .feeds import parse_feed  # a poll that finds every feed unchanged parses none

    feed = parse_feed(page.content, page.url)
    name = subscription.name or feed.title
    for item in feed.items:
        if not state.is_seen(subscription.key, item.id):
            yield NewItem(subscription, item.id, Source(location=item.url, origin=name),
                          home=feed.home if subscription.kind == "newsletter" else "",
                          item=item)


def _new_mail(subscription: Subscription, state: State, cache: Path,
              result: Poll) -> Iterator[NewItem]:
    """Issues from a mailbox not seen before; one unreadable mail is a failure of its own.

    The mail modules (and courlan, through them) load only for a mailbox subscription: a
    cron poll of feeds alone stays light."""
    from .imap import read_imap
    from .mail import issue_page, parse_issue, read_mailbox

    if subscription.imap:
        mails = read_imap(subscription.imap, lambda key: state.is_seen(subscription.key, key))
    else:
        mails = read_mailbox(subscription.path or Path())
    where = Source(location=subscription.key, origin=subscription.name)
    failures = result.failures
    new = 0
    while True:
        try:
            mail = next(mails)
        except StopIteration:
            state.clear_failure(where.location)
            result.checks.append(Check(subscription.key, True,
                                       f"ok, {new} new item{'s' if new != 1 else ''}"))
            return
        except (GleanerError, OSError) as exc:
            failures.append(_failure(state, where, exc))
            result.checks.append(Check(subscription.key, False, f"failed: {exc}"))
            return
        if state.is_seen(subscription.key, mail.key):
            continue
        if subscription.imap:
            mail = _kept(mail, cache)
        try:
            issue = parse_issue(mail, subscription.name)
        except GleanerError as exc:
            failures.append(_failure(state, Source(mail.location, subscription.name), exc))
            state.mark_seen(subscription.key, mail.key)  # a broken mail stays broken: listed once
            continue
        page = issue_page(issue)
        new += 1
        yield NewItem(subscription, mail.key, page.source, page=page,
                      sender_domain=issue.sender_domain)


def _kept(mail: Mail, cache: Path) -> Mail:
    """A copy of a mail from a server in the vault's state folder, so its note can link to
    the mail itself (`file://…eml`) when the issue has no web version."""
    path = cache / f"{hashlib.sha256(mail.key.encode()).hexdigest()[:24]}.eml"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(mail.raw)
        os.replace(partial, path)  # a killed run never leaves half a mail under the real name
    return replace(mail, location=path.as_uri())


def _failure(state: State, source: Source, error: Exception) -> ItemResult:
    reason = str(error) or type(error).__name__
    state.record_failure(source.location, source.origin, reason)
    return ItemResult(source.location, "failed", reason)
