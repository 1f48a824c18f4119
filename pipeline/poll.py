"""Poll every subscription and say what is new: the sources stage of `gleaner ingest`.

Feeds are fetched with the validators of their last complete poll (a 304 costs one small
request and no parsing); mailboxes are scanned for messages not seen before. Nothing here
marks an item seen or stores a validator: the orchestrator does that once an item has been
processed, so a run killed half-way finds the same items new again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .config import FetchConfig, Subscription
from .errors import GleanerError
from .feeds import parse_feed
from .fetch import fetch_pages
from .mail import issue_page, message_key, parse_issue, read_messages
from .records import Page, Source, Validators
from .report import ItemResult
from .state import State


@dataclass(frozen=True)
class NewItem:
    """A feed item or a mail not processed before, and how to read it."""

    subscription: Subscription
    key: str
    source: Source
    page: Page | None = None
    home: str = ""
    sender_domain: str = ""

    @property
    def is_issue(self) -> bool:
        return self.subscription.kind == "newsletter"


@dataclass
class Poll:
    items: list[NewItem] = field(default_factory=list)
    failures: list[ItemResult] = field(default_factory=list)
    validators: dict[str, Validators] = field(default_factory=dict)


def poll(subscriptions: Iterable[Subscription], config: FetchConfig, state: State) -> Poll:
    """What every subscription has that this vault has not seen yet."""
    subscriptions = list(subscriptions)
    result = Poll()
    feeds = [s for s in subscriptions if s.url]
    sources = [Source(location=s.url or "", origin=s.name, kind="feed") for s in feeds]
    for subscription, (source, outcome) in zip(
            feeds, fetch_pages(sources, config, state.feed_validators), strict=True):
        try:
            if isinstance(outcome, GleanerError):
                raise outcome
            result.items.extend(_new_feed_items(subscription, outcome, state))
            if not outcome.not_modified:  # a 304 carries no validators: keep the stored ones
                result.validators[source.location] = outcome.validators
        except GleanerError as exc:
            result.failures.append(_failure(state, source, exc))
    for subscription in subscriptions:
        if subscription.path is not None:
            result.items.extend(_new_mail(subscription, state, result.failures))
    return result


def _new_feed_items(subscription: Subscription, page: Page, state: State) -> Iterator[NewItem]:
    if page.not_modified:
        return
    feed = parse_feed(page.content, page.url)
    name = subscription.name or feed.title
    for item in feed.items:
        if not state.is_seen(subscription.key, item.id):
            yield NewItem(subscription, item.id, Source(location=item.url, origin=name),
                          home=feed.home if subscription.kind == "newsletter" else "")


def _new_mail(subscription: Subscription, state: State,
              failures: list[ItemResult]) -> Iterator[NewItem]:
    messages = read_messages(subscription.path) if subscription.path else iter(())
    while True:
        try:
            location, message = next(messages)
        except StopIteration:
            return
        except (GleanerError, OSError) as exc:
            failures.append(_failure(state, Source(str(subscription.path), subscription.name),
                                     exc))
            return
        key = message_key(message)
        if state.is_seen(subscription.key, key):
            continue
        try:
            issue = parse_issue(message, location, subscription.name)
        except GleanerError as exc:
            failures.append(_failure(state, Source(location, subscription.name), exc))
            state.mark_seen(subscription.key, key)  # a broken mail stays broken: listed once
            continue
        page = issue_page(issue)
        yield NewItem(subscription, key, page.source, page=page,
                      sender_domain=issue.sender_domain)


def _failure(state: State, source: Source, error: Exception) -> ItemResult:
    reason = str(error) or type(error).__name__
    state.record_failure(source.location, source.origin, reason)
    return ItemResult(source.location, "failed", reason)
