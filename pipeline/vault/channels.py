"""The channels an article came through (reading lists, feeds, newsletters), and which of
them its note lists in `sources`.

A URL is fetched once a run however many channels name it; the other channels are kept
here for its note. The channels a note lists are kept in its state snapshot
(`owned["channels"]`). A page that comes through a channel its note does not list yet makes
its note again, with that channel added, even when the page itself is unchanged: so the
same paper linked from three newsletters is one note with three sources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..records import Source
from ..state import NoteRecord


class Channels:
    """The channels of the URLs of one run. `read_as` gives the source a URL is read as:
    the variants of one arXiv paper are one source (pipeline/papers/full_texts.py)."""

    def __init__(self, read_as: Callable[[Source], Source] = lambda source: source) -> None:
        self.read_as = read_as
        self.also_from: dict[str, list[str]] = {}

    def unique(self, sources: Iterable[Source]) -> list[Source]:
        """One source per URL: two issues linking to one article make one fetch, and one
        note that lists both."""
        first: dict[str, Source] = {}
        for source in map(self.read_as, sources):
            if first.setdefault(source.location, source) is not source:
                self.repeated(source)
        return list(first.values())

    def repeated(self, source: Source) -> None:
        """The source is not fetched: its URL is, for another channel."""
        self.also_from.setdefault(source.location, []).append(source.origin)

    def of(self, source: Source) -> list[str]:
        return [name for name in dict.fromkeys(
            [source.origin, *self.also_from.get(source.location, [])]) if name]

    def are_new(self, record: NoteRecord, source: Source) -> bool:
        """Whether the source came through a channel the record's note does not list."""
        return not set(self.of(source)) <= set(listed(record))

    def for_note(self, record: NoteRecord | None, source: Source, own: str | None) -> list[str]:
        """What the note lists from now on: what it listed, then the source's channels; `own`
        (the note's `source`, as the article names it) when no channel has a name (a file
        given on the command line)."""
        earlier = listed(record) if record else []
        named = [name for name in dict.fromkeys([*earlier, *self.of(source)]) if name]
        return named or ([own] if own else [])


def listed(record: NoteRecord) -> list[str]:
    """The channels a note lists (for a note written before they were kept: its source)."""
    return record.owned.get("channels") or [record.owned.get("keys", {}).get("source") or ""]
