"""`gleaner subscribe`, `unsubscribe` and `subscriptions`: the config's [[subscriptions]],
edited in place, and how each one's polls went.

The config file is the person's: its comments, order, blank lines and quoting stay as they
are. So it is edited as lines, not parsed and written out again: a new entry (rendered by
tomlkit, which quotes any name safely) goes after the last subscription, or at the end, as a
blank line and the entry; an entry is removed as the lines it spans (its header, its keys,
its sub-tables, and the blank line before it). Subscribing and unsubscribing the same feed
gives back the same bytes. The edited text is parsed before it replaces the file: it must
hold exactly the intended change and pass the config schema, or the file is left alone.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import atomic_write
from ..config import Config, FetchConfig, config_from_dict
from ..errors import ConfigError, GleanerError
from ..records import Source
from ..state import Health, now

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
TRIPLE_QUOTES = re.compile(r'"""|\'\'\'')
TABLE = "subscriptions"


@dataclass(frozen=True)
class Listed:
    """A subscription as `gleaner subscriptions` shows it."""

    name: str
    kind: str
    where: str
    health: Health | None


def subscribe(config_path: Path, entries: Iterable[dict[str, str]]) -> tuple[list[str], list[str]]:
    """Add each entry (name, url or path, kind) to the config file, creating the file if
    need be; (the entries added, the ones already there), by URL or path."""
    text = _read(config_path) if config_path.exists() else ""
    data = _parsed(text, config_path)
    known = {entry.get("url") or entry.get("path") for entry in data.get(TABLE, [])}
    added, already = [], []
    for entry in entries:
        where = entry.get("url") or entry.get("path", "")
        if where in known:
            already.append(where)
            continue
        text = _with_entry(text, entry, config_path)
        known.add(where)
        added.append(where)
    if added:
        expected = {**data, TABLE: [*data.get(TABLE, []), *_new_entries(text, data)]}
        _replace(config_path, text, expected, data)
    return added, already


def unsubscribe(config_path: Path, which: str) -> dict[str, Any]:
    """Remove the subscription named `which` (or with that URL or path); the entry removed."""
    if not config_path.exists():
        raise ConfigError(f"{config_path}: no such config file")
    text = _read(config_path)
    data = _parsed(text, config_path)
    entries = data.get(TABLE, [])
    matches = [n for n, entry in enumerate(entries)
               if which in (entry.get("name"), entry.get("url"), entry.get("path"))]
    if not matches:
        names = ", ".join(repr(e.get("name") or e.get("url") or e.get("path")) for e in entries)
        raise ConfigError(f"{config_path}: no subscription named {which!r}"
                          + (f" (there are: {names})" if names else " (there are none)"))
    if len(matches) > 1:
        raise ConfigError(f"{config_path}: {len(matches)} subscriptions are named {which!r}: "
                          "give the URL or path of the one to remove")
    lines = text.splitlines(keepends=True)
    start, end = _entry_spans(lines, config_path)[matches[0]]
    if start > 0 and not lines[start - 1].strip():
        start -= 1  # the blank line that set it apart goes with it
    elif end < len(lines) and not lines[end].strip():
        end += 1
    remaining = [e for n, e in enumerate(entries) if n != matches[0]]
    expected = {**data, TABLE: remaining} if remaining else \
        {k: v for k, v in data.items() if k != TABLE}
    _replace(config_path, "".join(lines[:start] + lines[end:]), expected, data)
    return entries[matches[0]]


def entries_for(where: str, name: str | None, config: FetchConfig) -> list[dict[str, str]]:
    """The entry for a feed URL (named after the feed's title when no name is given) or
    for a mailbox path."""
    if where.startswith(("http://", "https://")):
        return [{"name": name or feed_title(where, config), "url": where}]
    return [{**({"name": name} if name else {}), "path": where}]


def opml_subscriptions(path: Path) -> list[dict[str, str]]:
    """The feeds an OPML file lists (what every feed reader exports), as entries."""
    from .lists import read_sources

    return [{"name": source.origin or _host(source.location), "url": source.location}
            for source in read_sources([str(path)]) if source.kind == "feed"]


def feed_title(url: str, config: FetchConfig) -> str:
    """The feed's own title, read from the feed: the name of a subscription given none."""
    from ..fetch import fetch_pages
    from .feeds import parse_feed

    [(_, outcome)] = list(fetch_pages([Source(url, "", kind="feed")], config, lambda _: None))
    if isinstance(outcome, GleanerError):
        raise ConfigError(f"cannot read the feed {url} for its title: {outcome}; "
                          "give the subscription a name with --name")
    title = parse_feed(outcome.content, outcome.url).title
    return title if title != outcome.url else _host(url)


def listed(config: Config, state_path: Path) -> list[Listed]:
    """Every subscription of the config, with its last poll from the vault's state file."""
    from ..state import State

    state = State(state_path) if state_path.is_file() else None
    try:
        return [Listed(subscription.name or "(the sender's name)", subscription.kind,
                       subscription.url or str(subscription.path or subscription.key),
                       state.health(subscription.key) if state else None)
                for subscription in config.subscriptions]
    finally:
        if state is not None:
            state.close()


def listing_lines(rows: Iterable[Listed]) -> list[str]:
    """Two lines per subscription, three when its feed rests until a later poll."""
    lines = []
    for row in rows:
        health = row.health
        polled = f"polled {_minute(health.polled)}  {health.status}  {health.items} items" \
            if health else "never polled"
        lines += [f"{row.name}  ({row.kind})  {row.where}", f"    {polled}"]
        if health and health.not_before and health.not_before > now():
            lines.append(f"    next poll after {_minute(health.not_before)}: {health.waiting}")
    return lines


def _minute(stamp: str) -> str:
    return stamp.replace("T", " ")[:16] + " UTC"


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from exc


def _parsed(text: str, path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    if TABLE in data and not _entry_spans(text.splitlines(keepends=True), path):
        raise ConfigError(f"{path}: its subscriptions are written as an inline array; write "
                          "them as [[subscriptions]] tables for Gleaner to edit them")
    return data


def _with_entry(text: str, entry: dict[str, str], path: Path) -> str:
    """The text with the entry's lines after the last subscription, or at the end."""
    import tomlkit

    block = tomlkit.dumps({TABLE: [entry]})
    lines = text.splitlines(keepends=True)
    spans = _entry_spans(lines, path)
    if spans:
        end = spans[-1][1]
        newline = "\r\n" if lines[end - 1].endswith("\r\n") else "\n"
        return "".join(lines[:end] + [newline, block.replace("\n", newline)] + lines[end:])
    if text and not text.endswith("\n"):
        text += "\n"
    return f"{text}\n{block}" if text else block


def _entry_spans(lines: Sequence[str], path: Path) -> list[tuple[int, int]]:
    """(first line, line after the last) of each [[subscriptions]] entry: its header, keys
    and sub-tables, without the comments and blank lines that come before the next table."""
    headers = _headers(lines)
    spans = []
    for number, (line, name, is_array) in enumerate(headers):
        if name != TABLE or not is_array:
            continue
        end = next((later for later, later_name, _ in headers[number + 1:]
                    if not later_name.startswith(f"{TABLE}.")), len(lines))
        while end > line + 1 and (not lines[end - 1].strip()
                                  or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        spans.append((line, end))
    return spans


def _headers(lines: Sequence[str]) -> list[tuple[int, str, bool]]:
    """(line, table name, is an array of tables) of every table header outside strings."""
    found = []
    in_string = False
    for number, line in enumerate(lines):
        quotes = len(TRIPLE_QUOTES.findall(line))
        if not in_string and (match := HEADER.match(line)):
            found.append((number, match.group(2).replace(" ", ""), match.group(1) == "[["))
        in_string ^= quotes % 2 == 1
    return found


def _new_entries(text: str, before: dict[str, Any]) -> list[dict[str, Any]]:
    after = tomllib.loads(text).get(TABLE, [])
    return after[len(before.get(TABLE, [])):]


def _replace(path: Path, text: str, expected: dict[str, Any], before: dict[str, Any]) -> None:
    """Write the edited config, once it is known to say exactly what was meant."""
    try:
        edited = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: editing would break the file ({exc}); left as it was") \
            from exc
    if edited != expected:
        raise ConfigError(f"{path}: the file is laid out in a way Gleaner cannot edit safely; "
                          "left as it was")
    config_from_dict(edited, origin=str(path), base=path.parent)
    atomic_write(path, text)


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or url
