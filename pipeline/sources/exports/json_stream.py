"""The elements of one array in a JSON document, decoded one at a time.

Wallabag and Karakeep export a whole library, stored pages included, as one JSON document;
decoding it at once would hold all of it. This reads the document in chunks and decodes
each element of the array on its own, so memory holds one element and the chunk after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

CHUNK_CHARS = 65_536
WHITESPACE = " \t\r\n"
DECODER = json.JSONDecoder()


class JsonStreamError(ValueError):
    """The document is not the JSON its reader expects; the message says where."""


class _Buffer:
    """Text read so far and not yet decoded; reads more as a value needs it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.ended = False

    def more(self) -> bool:
        if self.ended:
            return False
        chunk = self.stream.read(max(CHUNK_CHARS, len(self.text) - self.pos))
        if not chunk:
            self.ended = True
            return False
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not whitespace, without taking it; "" at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]

    def expect(self, character: str, what: str) -> None:
        if self.peek() != character:
            raise JsonStreamError(f"{what}: expected {character!r}, found "
                                  f"{self.peek() or 'the end of the file'!r}")
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, read in full even when it spans many chunks."""
        self.peek()
        while True:
            try:
                value, end = DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.more():
                    continue
                raise JsonStreamError(f"not valid JSON: {exc.msg} (character {exc.pos})") \
                    from exc
            if end == len(self.text) and self.more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value


def array_items(stream: TextIO, key: str | None = None) -> Iterator[Any]:
    """Each element of the top-level array, or of the array under `key` in a top-level
    object; JsonStreamError when the document is not shaped so or stops being JSON."""
    buffer = _Buffer(stream)
    if key is not None:
        _find_key(buffer, key)
    buffer.expect("[", "the list of items")
    if buffer.peek() == "]":
        return
    while True:
        yield buffer.value()
        if buffer.peek() == "]":
            return
        buffer.expect(",", "between two items")


def _find_key(buffer: _Buffer, key: str) -> None:
    buffer.expect("{", "the document")
    while buffer.peek() == '"':
        name = buffer.value()
        buffer.expect(":", f"after the key {name!r}")
        if name == key:
            return
        buffer.value()
        if buffer.peek() == ",":
            buffer.pos += 1
    raise JsonStreamError(f"the document has no {key!r} list")
