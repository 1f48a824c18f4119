"""What to read: command-line arguments, reading lists, feeds, mailboxes, read-later
exports and web archives, as streams of Sources, and the subscriptions `gleaner ingest`
polls.

Entry points: `read_sources`, `read_list`, `read_file` (lists.py); `parse_feed`, `is_feed`
(feeds.py); `poll`, `Poll`, `NewItem` (polling.py); `newsletter_links` (mail.py);
`read_export` (exports/); `subscribe`, `unsubscribe`, `listed` (subscriptions.py).
"""

from ..entry_points import lazy_entry_points

ENTRY_POINTS = {
    "Entry": "exports",
    "FeedItem": "feeds",
    "NewItem": "polling",
    "Poll": "polling",
    "Shard": "exports.archive_shards",
    "ShardScan": "exports.archive_shards",
    "body_page": "mail",
    "count_entries": "exports",
    "entries_for": "subscriptions",
    "export_kind": "exports",
    "is_feed": "feeds",
    "listed": "subscriptions",
    "listing_lines": "subscriptions",
    "newsletter_links": "mail",
    "opml_subscriptions": "subscriptions",
    "parse_feed": "feeds",
    "poll": "polling",
    "read_export": "exports",
    "read_file": "lists",
    "read_list": "lists",
    "read_sources": "lists",
    "scan_shard": "exports.archive_shards",
    "sharded_entries": "exports.archive_shards",
    "subscribe": "subscriptions",
    "unread": "exports.archive_shards",
    "unsubscribe": "subscriptions",
    "with_stored_content": "exports.archive_shards",
}
__all__ = sorted(ENTRY_POINTS)
__getattr__, __dir__ = lazy_entry_points(__name__, ENTRY_POINTS)
