"""Turn command-line arguments into a stream of Sources.

An argument is a URL, a local article (HTML or Markdown), a reading list (one URL or path a
line, `#` comments), or `-` for a reading list on stdin. Lists are read lazily, so a list of
a million lines costs no more memory than a list of ten.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from .records import Source

ARTICLE_SUFFIXES = {".html", ".htm", ".xhtml", ".md", ".markdown"}


def read_sources(arguments: Iterable[str], stdin: TextIO | None = None) -> Iterator[Source]:
    for argument in arguments:
        if argument == "-":
            yield from read_list(stdin or sys.stdin, origin="stdin", base=Path.cwd())
        elif _is_url(argument):
            yield Source(location=argument, origin="")
        else:
            yield from _read_path(Path(argument))


def _read_path(path: Path) -> Iterator[Source]:
    if not path.is_file() or path.suffix.lower() in ARTICLE_SUFFIXES:
        yield Source(location=str(path.resolve()), origin="", is_file=True)
        return
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        yield from read_list(handle, origin=path.stem, base=path.resolve().parent)


def read_list(lines: Iterable[str], origin: str, base: Path) -> Iterator[Source]:
    for raw in lines:
        entry = raw.split(" #", 1)[0].strip()
        if not entry or entry.startswith("#"):
            continue
        if _is_url(entry) or "://" in entry:
            yield Source(location=entry, origin=origin)
        else:
            yield Source(location=str((base / entry).resolve()), origin=origin, is_file=True)


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))
